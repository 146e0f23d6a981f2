//! The back-channel logout queue: one row per client to tell that a session ended (`notify::backchannel` signs
//! and sends its logout token), with its attempt count, when to try next, and the lease of the instance sending
//! it. The same lease protocol as `deliveries`: a conditional UPDATE takes a row, so instances sharing the
//! database never both send it.

use diesel::prelude::*;

use super::schema::logout_deliveries;
use super::{DbConn, StoreResult};

/// One logout token to deliver.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = logout_deliveries)]
pub struct LogoutRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_id: String,
    /// The user whose session ended.
    pub sub: String,
    /// The session that ended (absent for sessions started before sessions had one).
    pub sid: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    /// When the worker stops trying.
    pub expires_at: i64,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &LogoutRow) -> StoreResult<()> {
    diesel::insert_into(logout_deliveries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The ids of up to `limit` rows due at `now` that no live lease holds, the longest waiting first.
pub fn list_due(conn: &mut DbConn, now: i64, limit: i64) -> StoreResult<Vec<String>> {
    Ok(logout_deliveries::table
        .filter(logout_deliveries::next_attempt_at.le(now))
        .filter(
            logout_deliveries::claimed_until
                .is_null()
                .or(logout_deliveries::claimed_until.le(now)),
        )
        .order((logout_deliveries::next_attempt_at, logout_deliveries::id))
        .limit(limit)
        .select(logout_deliveries::id)
        .load(conn)?)
}

/// Takes the lease on row `id` for `token` until `until` if it is still due and unheld; returns it when taken.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    now: i64,
    until: i64,
) -> StoreResult<Option<LogoutRow>> {
    let taken = diesel::update(
        logout_deliveries::table
            .find(id)
            .filter(logout_deliveries::next_attempt_at.le(now))
            .filter(
                logout_deliveries::claimed_until
                    .is_null()
                    .or(logout_deliveries::claimed_until.le(now)),
            ),
    )
    .set((
        logout_deliveries::claimed_by.eq(token),
        logout_deliveries::claimed_until.eq(until),
    ))
    .execute(conn)?;
    if taken != 1 {
        return Ok(None);
    }
    Ok(logout_deliveries::table
        .find(id)
        .filter(logout_deliveries::claimed_by.eq(token))
        .select(LogoutRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes row `id` if the claim `token` still holds it (delivered, or given up).
pub fn delete_claimed(conn: &mut DbConn, id: &str, token: &str) -> StoreResult<bool> {
    let n = diesel::delete(
        logout_deliveries::table
            .find(id)
            .filter(logout_deliveries::claimed_by.eq(token)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt of the claim `token` and frees the row for another try at `next_attempt_at`.
pub fn retry_later(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    attempts: i64,
    next_attempt_at: i64,
) -> StoreResult<bool> {
    let n = diesel::update(
        logout_deliveries::table
            .find(id)
            .filter(logout_deliveries::claimed_by.eq(token)),
    )
    .set((
        logout_deliveries::attempts.eq(attempts),
        logout_deliveries::next_attempt_at.eq(next_attempt_at),
        logout_deliveries::claimed_by.eq(None::<String>),
        logout_deliveries::claimed_until.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The earliest time any row becomes due (its next attempt, or the end of the lease holding it).
pub fn next_due(conn: &mut DbConn) -> StoreResult<Option<i64>> {
    let rows: Vec<(i64, Option<i64>)> = logout_deliveries::table
        .select((
            logout_deliveries::next_attempt_at,
            logout_deliveries::claimed_until,
        ))
        .order(logout_deliveries::next_attempt_at)
        .limit(64)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(next, lease)| lease.map_or(next, |l| l.max(next)))
        .min())
}

/// Deletes the rows whose time ran out before `now` and no live lease holds; returns how many.
pub fn delete_expired(conn: &mut DbConn, now: i64) -> StoreResult<usize> {
    Ok(diesel::delete(
        logout_deliveries::table
            .filter(logout_deliveries::expires_at.le(now))
            .filter(
                logout_deliveries::claimed_until
                    .is_null()
                    .or(logout_deliveries::claimed_until.le(now)),
            ),
    )
    .execute(conn)?)
}
