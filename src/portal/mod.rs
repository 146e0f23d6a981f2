//! The admin portal at `/admin` (HTML, server-rendered with askama; works with JavaScript off): the one-time setup
//! page, sign-in through the built-in workspace, and the pages over tenants, pools, their users and groups, schemas,
//! workspaces (identity providers, applications, signing keys), the dev outbox, and the audit trail (a tenant's
//! Audit page, each object's History tab). Every route is in the one
//! table below. Handlers authorize by type ([`session::Viewer`] to read, [`session::Admin`] to change), take
//! forms through [`Csrf`](crate::web::csrf::Csrf), call the same domain functions as `admin_api` and never the
//! store. Unsafe requests from another site are refused ([`origin`]); failures are a [`error::PortalError`],
//! rendered as a portal page.
//!
//! Paths: `/admin` and `/admin/-/…`. The built-in workspace's issuer is `/admin/admin`, and no workspace id can
//! start with `-` (see `identity::admin`), so the portal and every issuer stay apart.

mod audit;
mod audit_rows;
mod auth;
mod bulk;
mod client_form;
mod clients;
mod error;
mod form;
mod group;
mod group_members;
mod groups;
mod history;
mod idps;
mod keys;
mod layout;
mod origin;
mod outbox;
mod paging;
mod pool_form;
mod pools;
mod schemas;
mod session;
mod step_up;
mod tenants;
mod user;
mod user_access;
mod user_claims;
mod user_form;
mod user_profile;
mod users;
mod workspaces;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::web::{self, Data};

use crate::state::AppState;

/// Mounts the portal. Registered before the workspace scope `/{tenant}/{workspace}`, which `/admin/-/…` would
/// match too.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Not one scope `/admin`: a scope owns every path under its prefix, and `/admin/admin/…` is the built-in
    // workspace's.
    cfg.service(auth::start().wrap(from_fn(guard))).service(
        web::scope("/admin/-")
            .wrap(from_fn(guard))
            .app_data(web::FormConfig::default().limit(64 * 1024))
            .configure(auth::configure)
            .configure(tenants::configure)
            .configure(pools::configure)
            .configure(schemas::configure)
            .configure(users::configure)
            // Before `user`: `/users/bulk` would match its `/users/{user}`.
            .configure(bulk::configure)
            .configure(user::configure)
            .configure(user_access::configure)
            .configure(user_profile::configure)
            .configure(user_claims::configure)
            .configure(groups::configure)
            .configure(group_members::configure)
            .configure(group::configure)
            .configure(workspaces::configure)
            .configure(idps::configure)
            .configure(clients::configure)
            .configure(keys::configure)
            .configure(outbox::configure)
            .configure(audit::configure)
            .configure(history::configure),
    );
}

/// Refuses cross-site unsafe requests, and renders portal errors as portal pages.
async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(app) = req.app_data::<Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !origin::is_allowed(req.request(), app.config.public_url()) {
        let res = actix_web::HttpResponse::from_error(error::PortalError::CrossSite);
        return Ok(error::as_portal_page(req.into_response(res)));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    Ok(error::as_portal_page(res))
}
