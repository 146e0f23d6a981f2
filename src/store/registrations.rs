//! Self-registrations waiting for the verification code (their code shares their id in `verification_codes`).

use diesel::prelude::*;

use super::schema::registrations;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registrations)]
pub struct RegistrationRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub pool_id: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// The profile the user entered, JSON (already validated against the pool's schema).
    pub payload: String,
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    /// When the code was entered, for a registration that then waits for its passkey.
    pub verified_at: Option<i64>,
    /// The authorization request of the browser that entered the code: only it may finish the registration.
    pub request_id: Option<String>,
    /// The SHA-256 of that browser's CSRF cookie value: the request id alone can travel to another browser.
    pub browser_hash: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &RegistrationRow) -> StoreResult<()> {
    diesel::insert_into(registrations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> StoreResult<Option<RegistrationRow>> {
    Ok(registrations::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records that the code of a registration was entered by `browser` (a hash) for the authorization request
/// `request`; returns whether the registration was still waiting for its code.
pub fn mark_verified(
    conn: &mut DbConn,
    id: &str,
    request: &str,
    browser: &str,
    now: i64,
) -> StoreResult<bool> {
    let n = diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::verified_at.is_null()),
    )
    .set((
        registrations::verified_at.eq(now),
        registrations::request_id.eq(request),
        registrations::browser_hash.eq(browser),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(registrations::table.find(id)).execute(conn)?)
}

/// Deletes registrations that expired before `before`.
pub fn purge(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(registrations::table.filter(registrations::expires_at.lt(before)))
            .execute(conn)?,
    )
}
