//! SSO sessions (cookie value stored as its SHA-256) and pending authorization requests.

use diesel::prelude::*;

use super::schema::{authorization_requests, sessions};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id_hash: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub auth_time: i64,
    /// JSON array of authentication method references.
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    /// The session's public id (OIDC `sid`), carried by its ID tokens and logout tokens.
    pub sid: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorization_requests)]
pub struct AuthRequestRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_id: String,
    /// The validated request, JSON.
    pub parameters: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn insert_session(conn: &mut DbConn, row: &SessionRow) -> StoreResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_session(conn: &mut DbConn, id_hash: &str) -> StoreResult<Option<SessionRow>> {
    Ok(sessions::table
        .find(id_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Ends a live session; returns it when this call ended it (not when it had already ended).
pub fn end_session(conn: &mut DbConn, id_hash: &str, now: i64) -> StoreResult<Option<SessionRow>> {
    let n = diesel::update(
        sessions::table
            .find(id_hash)
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(now))
    .execute(conn)?;
    if n != 1 {
        return Ok(None);
    }
    find_session(conn, id_hash)
}

/// Ends every session of a user; returns those this call ended.
pub fn end_user_sessions(conn: &mut DbConn, user: &str, now: i64) -> StoreResult<Vec<SessionRow>> {
    let live: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::ended_at.is_null())
        .select(sessions::id_hash)
        .load(conn)?;
    let mut ended = Vec::with_capacity(live.len());
    for id_hash in live {
        ended.extend(end_session(conn, &id_hash, now)?);
    }
    Ok(ended)
}

pub fn insert_request(conn: &mut DbConn, row: &AuthRequestRow) -> StoreResult<()> {
    diesel::insert_into(authorization_requests::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_request(conn: &mut DbConn, id: &str) -> StoreResult<Option<AuthRequestRow>> {
    Ok(authorization_requests::table
        .find(id)
        .select(AuthRequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes a pending request; whether this call deleted it.
pub fn delete_request(conn: &mut DbConn, id: &str) -> StoreResult<bool> {
    Ok(diesel::delete(authorization_requests::table.find(id)).execute(conn)? == 1)
}
