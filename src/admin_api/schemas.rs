//! `/api/admin/{tenant}/schemas`: JSON Schema documents for user payloads and metadata.

use actix_web::web::{self, Data, Path, Query};
use serde::Deserialize;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::paths::SchemaPath;
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
            .route(web::delete().to(delete_schema)),
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateSchemaRequest {
    name: String,
    schema: serde_json::Value,
}

async fn create_schema(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    body: JsonBody<CreateSchemaRequest>,
) -> Reply {
    let body = body.into_inner();
    Ok(created(
        profile_schema::create(&app, &tenant, &body.name, body.schema).await?,
    ))
}

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

async fn get_schema(_: AdminBearer, app: Data<AppState>, path: Path<SchemaPath>) -> Reply {
    Ok(ok(
        profile_schema::find(&app, &path.tenant, &path.schema).await?
    ))
}

async fn delete_schema(_: AdminBearer, app: Data<AppState>, path: Path<SchemaPath>) -> Reply {
    profile_schema::delete(&app, &path.tenant, &path.schema).await?;
    Ok(no_content())
}
