//! A user's **Claim preview**: for each workspace their pool is connected to, the ID token and UserInfo claims a
//! sign-in would give them, each with its source. The claims are `tokens::preview`'s, decided by the function
//! real tokens are built from.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::error::PortalError;
use super::layout::{Layout, respond};
use super::session::Viewer;
use super::user::{UserPath, identifier, load};
use super::users::crumbs;
use crate::identity::Error;
use crate::identity::pool::Pool;
use crate::identity::user::User;
use crate::state::AppState;
use crate::tokens::claims::Source;
use crate::tokens::preview::{self, PREVIEW_SCOPE, WorkspacePreview};
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/pools/{pool}/users/{user}/claims",
        methods::get().to(show_claims),
    );
}

#[derive(Deserialize)]
struct ScopeQuery {
    scope: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/users/claims.html")]
struct ClaimsPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    user: User,
    scope: String,
    workspaces: Vec<WorkspacePreview>,
}

/// How the page names where a claim comes from.
fn source_label(source: &Source) -> &'static str {
    match source {
        Source::BuiltIn => "Set by Tarn",
        Source::PayloadField => "User data",
        Source::Identifier => "Email or mobile",
        Source::GroupMembership => "Group membership",
    }
}

/// A claim's value as it appears in the token (JSON).
fn json(value: &Value) -> String {
    value.to_string()
}

async fn show_claims(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<UserPath>,
    q: Query<ScopeQuery>,
) -> Result<HttpResponse, PortalError> {
    let (found, u) = load(&app, &path).await?;
    let scope = q.scope.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let workspaces = preview::claims_preview(&app, &path.tenant, &path.pool, &u.id, scope)
        .await
        .map_err(|e| match e {
            Error::Invalid { .. } => PortalError::Invalid("The scope must include openid.".into()),
            e => e.into(),
        })?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let (here, claims) = (path.page(), format!("{}/claims", path.page()));
    let more = [
        (here.as_str(), identifier(&u)),
        (claims.as_str(), "Claim preview"),
    ];
    let page = ClaimsPage {
        layout: crumbs(layout, &path.tenant, &found, &more),
        tenant: path.tenant.clone(),
        pool: found,
        user: u,
        scope: scope.unwrap_or(PREVIEW_SCOPE).to_owned(),
        workspaces,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}
