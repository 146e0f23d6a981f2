//! `/api/admin/{tenant}/pools`: identity pools and their settings.

use actix_web::web::{self, Data, Path, Query};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{PoolPath, TenantPath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::deletion_impact::{self, PoolImpact};
use crate::identity::pool::{self, NewPool, Pool, PoolPatch};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/pools")
            .route(web::post().to(create_pool))
            .route(methods::get().to(list_pools)),
    )
    .service(
        resource("/{tenant}/pools/{pool}")
            .route(methods::get().to(get_pool))
            .route(web::patch().to(update_pool))
            .route(web::delete().to(delete_pool)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/deletion-impact")
            .route(methods::get().to(get_pool_deletion_impact)),
    );
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/deletion-impact", tag = "pools",
    params(PoolPath),
    responses((status = 200, description = "what deleting the pool would remove", body = PoolImpact), ReadErrors)
)]
async fn get_pool_deletion_impact(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
) -> Reply {
    Ok(ok(
        deletion_impact::of_pool(&app, &path.tenant, &path.pool).await?
    ))
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools", tag = "pools",
    params(TenantPath),
    request_body = NewPool,
    responses((status = 201, description = "the created pool", body = Pool), BodyErrors)
)]
async fn create_pool(
    admin: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    body: JsonBody<NewPool>,
) -> Reply {
    Ok(created(
        pool::create(&app, &admin.audit, &tenant, body.into_inner()).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools", tag = "pools",
    params(TenantPath, ListQuery),
    responses((status = 200, description = "a page of pools", body = List<Pool>), ReadErrors)
)]
async fn list_pools(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(pool::list(&app, &tenant, q.page()?).await?)))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}", tag = "pools",
    params(PoolPath),
    responses((status = 200, description = "the pool", body = Pool), ReadErrors)
)]
async fn get_pool(_: AdminBearer, app: Data<AppState>, path: Path<PoolPath>) -> Reply {
    Ok(ok(pool::find(&app, &path.tenant, &path.pool).await?))
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/pools/{pool}", tag = "pools",
    params(PoolPath),
    request_body = PoolPatch,
    responses((status = 200, description = "the updated pool", body = Pool), BodyErrors)
)]
async fn update_pool(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
    body: JsonBody<PoolPatch>,
) -> Reply {
    Ok(ok(pool::update(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        body.into_inner(),
    )
    .await?))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}", tag = "pools",
    params(PoolPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_pool(admin: AdminBearer, app: Data<AppState>, path: Path<PoolPath>) -> Reply {
    pool::delete(&app, &admin.audit, &path.tenant, &path.pool).await?;
    Ok(no_content())
}
