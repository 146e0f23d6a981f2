//! Dynamic client registration (RFC 7591/7592): each registered client's registration access token (SHA-256),
//! the initial access tokens of the workspaces (SHA-256, with their remaining uses) and where open
//! registrations came from (kept an hour, for the per-address limit).

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{client_registrations, initial_access_tokens, registration_requests};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = initial_access_tokens)]
pub struct InitialAccessTokenRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub token_hash: String,
    /// How many registrations the token still allows.
    pub uses: i64,
    pub expires_at: i64,
    pub created_at: i64,
}

pub fn insert_initial_token(conn: &mut DbConn, row: &InitialAccessTokenRow) -> StoreResult<()> {
    diesel::insert_into(initial_access_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn list_initial_tokens(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    req: &PageRequest,
) -> StoreResult<Page<InitialAccessTokenRow>> {
    let q = initial_access_tokens::table.filter(
        initial_access_tokens::tenant_id
            .eq(tenant)
            .and(initial_access_tokens::workspace_id.eq(workspace)),
    );
    load_page!(
        conn,
        q.into_boxed(),
        initial_access_tokens,
        InitialAccessTokenRow,
        req
    )
}

pub fn delete_initial_token(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    id: &str,
) -> StoreResult<usize> {
    Ok(diesel::delete(
        initial_access_tokens::table
            .filter(initial_access_tokens::id.eq(id))
            .filter(initial_access_tokens::tenant_id.eq(tenant))
            .filter(initial_access_tokens::workspace_id.eq(workspace)),
    )
    .execute(conn)?)
}

/// Takes one use of the workspace's unexpired token with this hash, in one conditional UPDATE (`uses > 0`), so
/// concurrent registrations cannot share the last use; returns the token's id when a use was taken.
pub fn consume_initial_token(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<String>> {
    let taken = diesel::update(
        initial_access_tokens::table
            .filter(initial_access_tokens::token_hash.eq(token_hash))
            .filter(initial_access_tokens::tenant_id.eq(tenant))
            .filter(initial_access_tokens::workspace_id.eq(workspace))
            .filter(initial_access_tokens::uses.gt(0))
            .filter(initial_access_tokens::expires_at.gt(now)),
    )
    .set(initial_access_tokens::uses.eq(initial_access_tokens::uses - 1))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    Ok(initial_access_tokens::table
        .filter(initial_access_tokens::token_hash.eq(token_hash))
        .select(initial_access_tokens::id)
        .first(conn)
        .optional()?)
}

/// The hash of a client's registration access token; `None` for a client not made by registration.
pub fn token_hash(conn: &mut DbConn, client_id: &str) -> StoreResult<Option<String>> {
    Ok(client_registrations::table
        .find(client_id)
        .select(client_registrations::token_hash)
        .first(conn)
        .optional()?)
}

/// Sets (or replaces) the registration access token of a client.
pub fn set_token(conn: &mut DbConn, client_id: &str, hash: &str, now: i64) -> StoreResult<()> {
    diesel::delete(client_registrations::table.find(client_id)).execute(conn)?;
    diesel::insert_into(client_registrations::table)
        .values((
            client_registrations::client_id.eq(client_id),
            client_registrations::token_hash.eq(hash),
            client_registrations::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Remembers an open registration from `address`.
pub fn record_request(conn: &mut DbConn, address: &str, now: i64) -> StoreResult<()> {
    diesel::insert_into(registration_requests::table)
        .values((
            registration_requests::id.eq(crate::secret::new_id()),
            registration_requests::client_address.eq(address),
            registration_requests::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many open registrations came from `address` since `since`.
pub fn requests_since(conn: &mut DbConn, address: &str, since: i64) -> StoreResult<i64> {
    Ok(registration_requests::table
        .filter(registration_requests::client_address.eq(address))
        .filter(registration_requests::created_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Forgets registrations from before `before` and initial access tokens expired before then; returns how many.
pub fn purge(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    let requests = diesel::delete(
        registration_requests::table.filter(registration_requests::created_at.lt(before)),
    )
    .execute(conn)?;
    let tokens = diesel::delete(
        initial_access_tokens::table.filter(initial_access_tokens::expires_at.lt(before)),
    )
    .execute(conn)?;
    Ok(requests + tokens)
}
