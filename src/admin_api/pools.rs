//! `/api/admin/{tenant}/pools`: identity pools and their settings.

use actix_web::web::{self, Data, Path, Query};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::paths::PoolPath;
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::deletion_impact;
use crate::identity::pool::{self, NewPool, PoolPatch};
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

async fn get_pool_deletion_impact(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
) -> Reply {
    Ok(ok(
        deletion_impact::of_pool(&app, &path.tenant, &path.pool).await?
    ))
}

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

async fn list_pools(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(pool::list(&app, &tenant, q.page()?).await?)))
}

async fn get_pool(_: AdminBearer, app: Data<AppState>, path: Path<PoolPath>) -> Reply {
    Ok(ok(pool::find(&app, &path.tenant, &path.pool).await?))
}

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

async fn delete_pool(admin: AdminBearer, app: Data<AppState>, path: Path<PoolPath>) -> Reply {
    pool::delete(&app, &admin.audit, &path.tenant, &path.pool).await?;
    Ok(no_content())
}
