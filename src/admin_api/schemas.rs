//! `/api/admin/{tenant}/schemas`: JSON Schema documents for user payloads and metadata.

use actix_web::web::{self, Data, Path, Query};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{SchemaPath, TenantPath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::profile_schema;
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/schemas")
            .route(web::post().to(create_schema))
            .route(methods::get().to(list_schemas)),
    )
    .service(
        resource("/{tenant}/schemas/{schema}")
            .route(methods::get().to(get_schema))
            .route(web::patch().to(update_schema))
            .route(web::delete().to(delete_schema)),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateSchemaRequest {
    name: String,
    schema: serde_json::Value,
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/schemas", tag = "schemas",
    params(TenantPath),
    request_body = CreateSchemaRequest,
    responses((status = 201, description = "the stored schema", body = profile_schema::Schema), BodyErrors)
)]
async fn create_schema(
    admin: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    body: JsonBody<CreateSchemaRequest>,
) -> Reply {
    let body = body.into_inner();
    Ok(created(
        profile_schema::create(&app, &admin.audit, &tenant, &body.name, body.schema).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/schemas", tag = "schemas",
    params(TenantPath, ListQuery),
    responses((status = 200, description = "a page of schemas", body = List<profile_schema::Schema>), ReadErrors)
)]
async fn list_schemas(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        profile_schema::list(&app, &tenant, q.page()?).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/schemas/{schema}", tag = "schemas",
    params(SchemaPath),
    responses((status = 200, description = "the schema", body = profile_schema::Schema), ReadErrors)
)]
async fn get_schema(_: AdminBearer, app: Data<AppState>, path: Path<SchemaPath>) -> Reply {
    Ok(ok(
        profile_schema::find(&app, &path.tenant, &path.schema).await?
    ))
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/schemas/{schema}", tag = "schemas",
    params(SchemaPath),
    request_body = profile_schema::SchemaPatch,
    responses((status = 200, description = "the updated schema", body = profile_schema::Schema), BodyErrors)
)]
async fn update_schema(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<SchemaPath>,
    body: JsonBody<profile_schema::SchemaPatch>,
) -> Reply {
    let schema = profile_schema::update(
        &app,
        &admin.audit,
        &path.tenant,
        &path.schema,
        body.into_inner(),
    )
    .await?;
    Ok(ok(schema))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/schemas/{schema}", tag = "schemas",
    params(SchemaPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_schema(admin: AdminBearer, app: Data<AppState>, path: Path<SchemaPath>) -> Reply {
    profile_schema::delete(&app, &admin.audit, &path.tenant, &path.schema).await?;
    Ok(no_content())
}
