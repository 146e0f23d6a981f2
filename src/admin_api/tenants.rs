//! `/api/admin/tenants`: create and list tenants.

use actix_web::web::{self, Data, Query};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ReadErrors};
use super::{AdminBearer, Reply, created, ok, resource};
use crate::identity::tenant::{self, Tenant};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/tenants")
            .route(web::post().to(create_tenant))
            .route(methods::get().to(list_tenants)),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateTenantRequest {
    id: String,
    name: String,
}

#[utoipa::path(
    post, path = "/api/admin/tenants", tag = "tenants",
    request_body = CreateTenantRequest,
    responses((status = 201, description = "the created tenant", body = Tenant), BodyErrors)
)]
async fn create_tenant(
    admin: AdminBearer,
    app: Data<AppState>,
    body: JsonBody<CreateTenantRequest>,
) -> Reply {
    let made = tenant::create(&app, &admin.audit, &body.id, &body.name).await?;
    Ok(created(made))
}

#[utoipa::path(
    get, path = "/api/admin/tenants", tag = "tenants",
    params(ListQuery),
    responses((status = 200, description = "a page of tenants", body = List<Tenant>), ReadErrors)
)]
async fn list_tenants(_: AdminBearer, app: Data<AppState>, q: Query<ListQuery>) -> Reply {
    Ok(ok(List::from(tenant::list(&app, q.page()?).await?)))
}
