//! `/api/admin/{tenant}/outbox`: the messages the dev outbox kept because their channel is not configured.

use actix_web::web::{self, Data, Path, Query};

use super::list::{List, ListQuery};
use super::{AdminBearer, Reply, ok, resource};
use crate::notify::outbox;
use crate::state::AppState;
use crate::web::methods;

/// Mounts the outbox listing.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/outbox").route(methods::get().to(list_outbox)));
}

/// The tenant's kept messages, newest first.
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
