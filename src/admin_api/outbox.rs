//! `/api/admin/{tenant}/outbox`: the messages the dev outbox kept because their channel is not configured.

use actix_web::web::{self, Data, Path, Query};

use super::list::{List, ListQuery};
use super::openapi::ReadErrors;
use super::paths::TenantPath;
use super::{AdminBearer, Reply, ok, resource};
use crate::notify::outbox::{self, OutboxMessage};
use crate::state::AppState;
use crate::web::methods;

/// Mounts the outbox listing.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/outbox").route(methods::get().to(list_outbox)));
}

/// The tenant's kept messages, newest first.
#[utoipa::path(
    get, path = "/api/admin/{tenant}/outbox", tag = "outbox",
    params(TenantPath, ListQuery),
    responses((status = 200, description = "a page of kept messages, newest first", body = List<OutboxMessage>), ReadErrors)
)]
async fn list_outbox(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        outbox::list(&app.db, &tenant, q.page()?).await?,
    )))
}
