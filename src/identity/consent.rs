//! Consent (OIDC Core §3.1.2.4): which scopes a user allowed a client. A consent grows by union with each
//! **Allow**; it covers a request when every requested scope is in it. Withdrawing it (the account page, the
//! admin API) also revokes the user's grants to that client, so its refresh tokens stop working.

use serde::Serialize;

use super::error::{Error, Result};
use super::user;
use crate::state::AppState;
use crate::store::consents::{self, ConsentItem, ConsentRow};
use crate::store::page::{Page, PageRequest};
use crate::store::{DbConn, StoreResult, grants};

/// A consent as the admin API and the account page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub client_id: String,
    pub client_name: String,
    pub workspace_id: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<ConsentItem> for Consent {
    fn from(item: ConsentItem) -> Consent {
        Consent {
            client_id: item.client_id,
            client_name: item.client_name,
            workspace_id: item.workspace_id,
            scopes: scopes(&item.scope).map(str::to_owned).collect(),
            created_at: item.created_at,
            updated_at: item.updated_at,
        }
    }
}

/// Who consents to what: a user of a workspace, a client of it, the scopes asked for.
pub struct Asked<'a> {
    pub tenant: &'a str,
    pub workspace: &'a str,
    pub user: &'a str,
    pub client: &'a str,
    pub scope: &'a str,
}

fn scopes(scope: &str) -> impl Iterator<Item = &str> {
    scope.split(' ').filter(|s| !s.is_empty())
}

/// Whether the user's consent to the client covers every scope asked for.
pub fn covers(conn: &mut DbConn, asked: &Asked<'_>) -> StoreResult<bool> {
    let Some(row) = consents::find(conn, asked.user, asked.client)? else {
        return Ok(false);
    };
    let given: Vec<&str> = scopes(&row.scope).collect();
    Ok(scopes(asked.scope).all(|s| given.contains(&s)))
}

/// Records an **Allow**: the consent becomes the union of what was allowed before and what was asked for.
pub fn record(conn: &mut DbConn, asked: &Asked<'_>, now: i64) -> StoreResult<()> {
    let row = ConsentRow {
        id: crate::secret::new_id(),
        tenant_id: asked.tenant.to_owned(),
        workspace_id: asked.workspace.to_owned(),
        user_id: asked.user.to_owned(),
        client_id: asked.client.to_owned(),
        scope: scopes(asked.scope).collect::<Vec<_>>().join(" "),
        created_at: now,
        updated_at: now,
    };
    if consents::insert(conn, &row)? {
        return Ok(());
    }
    let earlier = consents::find(conn, asked.user, asked.client)?
        .map(|r| r.scope)
        .unwrap_or_default();
    let mut union: Vec<&str> = scopes(&earlier).collect();
    for s in scopes(asked.scope) {
        if !union.contains(&s) {
            union.push(s);
        }
    }
    consents::set_scope(conn, asked.user, asked.client, &union.join(" "), now)
}

/// The user's consents to the clients of one workspace (the account page).
pub fn at_workspace(
    conn: &mut DbConn,
    user: &str,
    tenant: &str,
    workspace: &str,
) -> StoreResult<Vec<Consent>> {
    let items = consents::list_at_workspace(conn, user, tenant, workspace)?;
    Ok(items.into_iter().map(Consent::from).collect())
}

/// Withdraws the user's consent to `client` and revokes their grants to it; whether there was a consent.
pub fn withdraw(conn: &mut DbConn, user: &str, client: &str, now: i64) -> StoreResult<bool> {
    if !consents::delete(conn, user, client)? {
        return Ok(false);
    }
    grants::revoke_client_grants(conn, user, client, now)?;
    Ok(true)
}

/// One page of a user's consents, at every workspace (the admin API).
pub async fn list(
    app: &AppState,
    tenant: &str,
    pool: &str,
    user: &str,
    page: PageRequest,
) -> Result<Page<Consent>> {
    let (tenant, pool, user) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    app.db
        .run(move |c| {
            let user = user::require(c, &tenant, &pool, &user)?;
            let (items, next) = consents::list_for_user(c, &user.id, &page)?;
            Ok((items.into_iter().map(Consent::from).collect(), next))
        })
        .await
}

/// Withdraws a user's consent to a client (the admin API); `NotFound` when there is none.
pub async fn remove(
    app: &AppState,
    tenant: &str,
    pool: &str,
    user: &str,
    client: &str,
) -> Result<()> {
    let (tenant, pool, user, client) = (
        tenant.to_owned(),
        pool.to_owned(),
        user.to_owned(),
        client.to_owned(),
    );
    let now = app.clock.now();
    app.db
        .transaction(move |c| {
            let user = user::require(c, &tenant, &pool, &user)?;
            if !super::client::is_plausible_id(&client) || !withdraw(c, &user.id, &client, now)? {
                return Err(Error::NotFound("consent"));
            }
            Ok(())
        })
        .await
}
