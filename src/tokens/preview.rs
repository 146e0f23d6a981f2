//! The claim preview of the portal's user page: for each workspace the user's pool is connected to, the ID token
//! and UserInfo claims a sign-in would give them, each with its source. Decided by [`super::claims::decide`], the
//! function real tokens are built from, so the preview cannot drift from what clients receive.

use serde::Serialize;

use super::claims::{Claim, Source, decide, has_scope};
use crate::identity::group::effective_groups;
use crate::identity::workspace;
use crate::identity::{Error, Result};
use crate::state::AppState;
use crate::store::dependents;

/// The scopes previewed when the admin names none: every scope that carries user claims.
pub const PREVIEW_SCOPE: &str = "openid profile email phone groups";

/// ID token claims set per sign-in and per client, so not previewable as values.
pub const PER_SIGN_IN: [&str; 9] = [
    "aud",
    "azp",
    "iat",
    "exp",
    "auth_time",
    "amr",
    "at_hash",
    "nonce",
    "sid",
];

/// What one workspace would put in the user's tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspacePreview {
    pub workspace_id: String,
    pub workspace_name: String,
    pub issuer: String,
    pub scope: String,
    /// Whether the user may sign in at all now (an inactive or invited user gets no tokens).
    pub can_sign_in: bool,
    pub id_token: Vec<Claim>,
    pub userinfo: Vec<Claim>,
    /// The ID token also carries these, set at each sign-in.
    #[schema(value_type = Vec<String>)]
    pub per_sign_in: &'static [&'static str],
}

/// The claims preview of a user of the pool, per connected workspace (by id), for `scope` (default
/// [`PREVIEW_SCOPE`]; it must include `openid`, without which there is neither an ID token nor UserInfo).
pub async fn claims_preview(
    app: &AppState,
    tenant: &str,
    pool: &str,
    user: &str,
    scope: Option<&str>,
) -> Result<Vec<WorkspacePreview>> {
    let scope = normalised(scope.unwrap_or(PREVIEW_SCOPE))?;
    let (tenant, pool, user) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    let public_url = app.config.public_url().to_owned();
    app.db
        .run(move |c| {
            let row = crate::identity::user::require(c, &tenant, &pool, &user)?;
            let groups: Vec<String> = effective_groups(c, &pool, &user)?
                .effective
                .into_iter()
                .map(|g| g.name)
                .collect();
            let claims = decide(&row, &groups, &scope, &[]);
            let previews = dependents::connected_workspaces(c, &pool)?
                .into_iter()
                .map(|ws| {
                    let issuer = workspace::issuer(&public_url, &tenant, &ws.id);
                    let mut id_token = claims.clone();
                    id_token.insert(1, iss(&issuer));
                    WorkspacePreview {
                        workspace_id: ws.id,
                        workspace_name: ws.name,
                        issuer,
                        scope: scope.clone(),
                        can_sign_in: row.is_active(),
                        id_token,
                        userinfo: claims.clone(),
                        per_sign_in: &PER_SIGN_IN,
                    }
                })
                .collect();
            Ok(previews)
        })
        .await
}

fn iss(issuer: &str) -> Claim {
    Claim {
        name: "iss".into(),
        value: serde_json::json!(issuer),
        source: Source::BuiltIn,
    }
}

fn normalised(scope: &str) -> Result<String> {
    let tokens: Vec<&str> = scope.split_whitespace().collect();
    let joined = tokens.join(" ");
    if !has_scope(&joined, "openid") {
        return Err(Error::invalid("scope", "must include openid"));
    }
    Ok(joined)
}
