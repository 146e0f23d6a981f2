//! Step-up for sensitive actions (deleting a pool or a workspace, rotating a workspace's signing keys or a client
//! secret; later
//! changing who is an administrator): when the last sign-in is older than five minutes, the action is kept on the server, bound to the
//! administrator and to this browser's sign-in, the built-in workspace is asked for a fresh sign-in (`max_age=0`),
//! and the callback completes the action instead of losing it.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::error::PortalError;
use super::layout::see_other;
use super::session::Admin;
use crate::authn::portal::sign_in::{self, Begin};
use crate::identity::admin::{self, Role};
use crate::state::AppState;
use crate::web::csrf;

/// A sensitive action, as it is kept across the fresh sign-in.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Sensitive {
    DeletePool {
        tenant: String,
        pool: String,
        name: String,
    },
    DeleteWorkspace {
        tenant: String,
        workspace: String,
        name: String,
    },
    RotateKeys {
        tenant: String,
        workspace: String,
    },
    /// Only the fresh sign-in is kept: the new secret must be shown in answer to a POST, so the callback
    /// returns to the confirmation rather than rotating.
    RotateClientSecret {
        tenant: String,
        workspace: String,
        client: String,
    },
}

/// Performs `action` now when the sign-in is fresh, else keeps it and asks for a fresh sign-in.
pub async fn require_fresh(
    req: &HttpRequest,
    app: &AppState,
    admin: &Admin,
    action: Sensitive,
    return_to: &str,
) -> Result<HttpResponse, PortalError> {
    if admin.0.is_fresh(app.clock.now()) {
        return perform(app, &admin.1, action).await;
    }
    let kept = serde_json::to_string(&action).map_err(PortalError::internal)?;
    let (_, new_cookie) = csrf::token(req);
    let browser = match &new_cookie {
        Some(cookie) => crate::secret::hash(cookie.value()),
        None => csrf::browser(req),
    };
    let begin = Begin {
        browser,
        return_to: return_to.to_owned(),
        step_up: Some((admin.0.user_id.clone(), kept)),
    };
    let location = sign_in::begin(app, begin).await?;
    Ok(super::auth::redirect_with(&location, new_cookie))
}

/// Completes a kept action after the fresh sign-in, if `user` is still an administrator.
pub async fn complete(
    app: &AppState,
    origin: crate::audit::Origin,
    user: &str,
    kept: &str,
) -> Result<HttpResponse, PortalError> {
    let action: Sensitive = serde_json::from_str(kept).map_err(PortalError::internal)?;
    let user = user.to_owned();
    let actor = crate::audit::Actor::Admin(user.clone());
    let role = app.db.run(move |c| admin::role_of(c, &user)).await?;
    if role != Some(Role::Administrator) {
        return Err(PortalError::ReadOnly);
    }
    perform(app, &crate::audit::Context::new(actor, origin), action).await
}

async fn perform(
    app: &AppState,
    ctx: &crate::audit::Context,
    action: Sensitive,
) -> Result<HttpResponse, PortalError> {
    match action {
        Sensitive::DeletePool { tenant, pool, name } => {
            crate::identity::pool::delete(app, ctx, &tenant, &pool).await?;
            let path = format!("/admin/-/tenants/{tenant}/pools");
            Ok(see_other(app, &path, &format!("Deleted the pool {name}.")))
        }
        Sensitive::DeleteWorkspace {
            tenant,
            workspace,
            name,
        } => {
            crate::identity::workspace::delete(app, ctx, &tenant, &workspace).await?;
            let path = format!("/admin/-/tenants/{tenant}/workspaces");
            let flash = format!("Deleted the workspace {name}.");
            Ok(see_other(app, &path, &flash))
        }
        Sensitive::RotateKeys { tenant, workspace } => {
            let rotated =
                crate::tokens::provider::rotate_keys(app, ctx, &tenant, &workspace).await?;
            if rotated.is_none() {
                return Err(PortalError::NotFound("workspace"));
            }
            let path = format!("/admin/-/tenants/{tenant}/workspaces/{workspace}/keys");
            let flash = "Rotated the signing keys: new keys sign from now on, and the old ones stay \
                         published until the tokens they signed have expired.";
            Ok(see_other(app, &path, flash))
        }
        Sensitive::RotateClientSecret {
            tenant,
            workspace,
            client,
        } => {
            let path = format!(
                "/admin/-/tenants/{tenant}/workspaces/{workspace}/applications/{client}/secret"
            );
            let flash = "You signed in again: rotate the secret now.";
            Ok(see_other(app, &path, flash))
        }
    }
}
