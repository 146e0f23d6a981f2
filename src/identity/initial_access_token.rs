//! Initial access tokens (RFC 7591 §3): made through the admin API for a workspace whose `dynamic_registration`
//! is `initial_access_token`, each valid until it expires for a number of registrations. Shown once, stored as
//! SHA-256; a registration takes one use with a conditional update, so the last use goes to one request only.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::client_registrations::{self as store, InitialAccessTokenRow};
use crate::store::page::{Page, PageRequest};

/// The lifetime of a token when the request names none: a day.
pub const DEFAULT_EXPIRES_IN: i64 = 86_400;
/// The longest lifetime: a year.
const MAX_EXPIRES_IN: i64 = 365 * 86_400;
/// The most registrations one token allows.
const MAX_USES: i64 = 1_000_000;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInitialAccessToken {
    /// Seconds from now.
    pub expires_in: Option<i64>,
    pub uses: Option<i64>,
}

/// A token as the admin API shows it; `token` only in the answer that made it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitialAccessToken {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub workspace_id: String,
    pub expires_at: i64,
    /// Registrations it still allows.
    pub uses: i64,
    pub created_at: i64,
}

fn view(row: InitialAccessTokenRow) -> InitialAccessToken {
    InitialAccessToken {
        id: row.id,
        token: None,
        workspace_id: row.workspace_id,
        expires_at: row.expires_at,
        uses: row.uses,
        created_at: row.created_at,
    }
}

pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    input: NewInitialAccessToken,
) -> Result<InitialAccessToken> {
    let expires_in = input.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    if !(60..=MAX_EXPIRES_IN).contains(&expires_in) {
        return Err(Error::invalid(
            "expires_in",
            format!("must be between 60 and {MAX_EXPIRES_IN} seconds"),
        ));
    }
    let uses = input.uses.unwrap_or(1);
    if !(1..=MAX_USES).contains(&uses) {
        return Err(Error::invalid(
            "uses",
            format!("must be between 1 and {MAX_USES}"),
        ));
    }
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let token = crate::secret::generate();
    let row = InitialAccessTokenRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        workspace_id: workspace.to_owned(),
        token_hash: crate::secret::hash(&token),
        uses,
        expires_at: now + expires_in,
        created_at: now,
    };
    let mut made = app
        .db
        .transaction(move |c| {
            super::workspace::require(c, &row.tenant_id, &row.workspace_id)?;
            store::insert_initial_token(c, &row)?;
            let details = Details::new()
                .with("initial_access_token_id", &row.id)
                .with("uses", row.uses)
                .with("expires_at", row.expires_at);
            let event =
                event(EventType::InitialAccessTokenCreated, &row.workspace_id).details(details);
            audit::record(c, &row.tenant_id, &ctx, now, event)?;
            Ok::<_, Error>(view(row))
        })
        .await?;
    made.token = Some(token);
    Ok(made)
}

pub async fn list(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    page: PageRequest,
) -> Result<Page<InitialAccessToken>> {
    let (tenant, workspace) = (tenant.to_owned(), workspace.to_owned());
    app.db
        .run(move |c| {
            super::workspace::require(c, &tenant, &workspace)?;
            let (rows, next) = store::list_initial_tokens(c, &tenant, &workspace, &page)?;
            Ok((rows.into_iter().map(view).collect(), next))
        })
        .await
}

pub async fn delete(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    id: &str,
) -> Result<()> {
    let (tenant, workspace, id) = (tenant.to_owned(), workspace.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            super::workspace::require(c, &tenant, &workspace)?;
            if store::delete_initial_token(c, &tenant, &workspace, &id)? == 0 {
                return Err(Error::NotFound("initial access token"));
            }
            let details = Details::new().with("initial_access_token_id", &id);
            let event = event(EventType::InitialAccessTokenDeleted, &workspace).details(details);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

fn event(kind: EventType, workspace: &str) -> Event {
    Event::new(kind)
        .subject(SubjectType::Workspace, workspace)
        .workspace(workspace)
}
