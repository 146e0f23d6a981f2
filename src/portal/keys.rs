//! A workspace's **Signing keys** tab: the published keys (kid, algorithm, created, current or retiring, until
//! when a retiring one stays in the JWK Set), and **Rotate keys**, a sensitive action (a step-up when the last
//! sign-in is older than five minutes) that calls the same domain function as the admin API's rotation.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::error::PortalError;
use super::form::PlainForm;
use super::layout::{Layout, respond};
use super::session::{Admin, Viewer};
use super::step_up::{self, Sensitive};
use super::workspaces::{WorkspacePath, crumbs};
use crate::identity::workspace::{self, Workspace};
use crate::state::AppState;
use crate::tokens::provider::{self, PublishedKey};
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/workspaces/{workspace}/keys",
        methods::get().to(list_keys),
    )
    .route(
        "/tenants/{tenant}/workspaces/{workspace}/keys/rotate",
        web::post().to(rotate_keys),
    );
}

/// A moment as the tab shows it: date and time to the minute, in UTC (a retiring key is published for hours,
/// not days).
fn moment(timestamp: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()),
        Err(_) => String::new(),
    }
}

/// A key as a row of the tab.
struct KeyRow {
    kid: String,
    alg: String,
    created: String,
    current: bool,
    /// When a retiring key leaves the JWK Set; empty for a current key.
    until: String,
}

impl From<PublishedKey> for KeyRow {
    fn from(k: PublishedKey) -> Self {
        KeyRow {
            created: moment(k.created_at),
            current: k.retired_at.is_none(),
            until: k.published_until.map(moment).unwrap_or_default(),
            kid: k.kid,
            alg: k.alg,
        }
    }
}

#[derive(Template)]
#[template(path = "portal/keys/list.html")]
struct KeysPage {
    layout: Layout,
    ws: Workspace,
    tab: &'static str,
    keys: Vec<KeyRow>,
}

async fn list_keys(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let keys = provider::published_keys(&app, &ws.tenant_id, &ws.id)
        .await?
        .ok_or(PortalError::NotFound("workspace"))?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = format!("{}/keys", path.page());
    let page = KeysPage {
        layout: crumbs(layout, &ws, &[(here.as_str(), "Signing keys")]),
        ws,
        tab: "keys",
        keys: keys.into_iter().map(KeyRow::from).collect(),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Rotate keys**: at once with a fresh sign-in, else after one; back to this tab with a flash.
async fn rotate_keys(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<WorkspacePath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let back = format!("{}/keys", path.page());
    let action = Sensitive::RotateKeys {
        tenant: ws.tenant_id,
        workspace: ws.id,
    };
    step_up::require_fresh(&req, &app, &admin, action, &back).await
}
