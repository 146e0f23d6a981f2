//! The delivery queue: rendered messages waiting for the background worker (`notify::worker`), with their attempt
//! count, when to try next, and the lease of the instance sending one. Every row carries a live code in its bodies,
//! so callers delete it as soon as it is delivered, given up on, or expired; nothing here keeps it longer.

use diesel::prelude::*;

use super::schema::deliveries;
use super::{DbConn, StoreResult};

/// One queued message.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub tenant_id: String,
    /// `email` or `sms`.
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// The token of the claim that holds the row, while `claimed_until` is in the future.
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    /// When the message is useless (its code expired): it is then dropped unsent.
    pub expires_at: i64,
    pub created_at: i64,
}

/// Queues one message.
pub fn insert(conn: &mut DbConn, row: &DeliveryRow) -> StoreResult<()> {
    diesel::insert_into(deliveries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The ids of up to `limit` rows due at `now` that no live lease holds, the longest waiting first.
pub fn list_due(conn: &mut DbConn, now: i64, limit: i64) -> StoreResult<Vec<String>> {
    Ok(deliveries::table
        .filter(deliveries::next_attempt_at.le(now))
        .filter(
            deliveries::claimed_until
                .is_null()
                .or(deliveries::claimed_until.le(now)),
        )
        .order((deliveries::next_attempt_at, deliveries::id))
        .limit(limit)
        .select(deliveries::id)
        .load(conn)?)
}

/// Takes the lease on row `id` for `token` until `until`, if the row is still due and unheld at `now`: one
/// conditional UPDATE, so of two instances racing for a row exactly one gets it. Returns the row when taken.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    now: i64,
    until: i64,
) -> StoreResult<Option<DeliveryRow>> {
    let taken = diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::next_attempt_at.le(now))
            .filter(
                deliveries::claimed_until
                    .is_null()
                    .or(deliveries::claimed_until.le(now)),
            ),
    )
    .set((
        deliveries::claimed_by.eq(token),
        deliveries::claimed_until.eq(until),
    ))
    .execute(conn)?;
    if taken != 1 {
        return Ok(None);
    }
    Ok(deliveries::table
        .find(id)
        .filter(deliveries::claimed_by.eq(token))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes row `id` if the claim `token` still holds it (delivered, or given up); returns whether it did.
pub fn delete_claimed(conn: &mut DbConn, id: &str, token: &str) -> StoreResult<bool> {
    let n = diesel::delete(
        deliveries::table
            .find(id)
            .filter(deliveries::claimed_by.eq(token)),
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
        deliveries::table
            .find(id)
            .filter(deliveries::claimed_by.eq(token)),
    )
    .set((
        deliveries::attempts.eq(attempts),
        deliveries::next_attempt_at.eq(next_attempt_at),
        deliveries::claimed_by.eq(None::<String>),
        deliveries::claimed_until.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The earliest time any row becomes due (its next attempt, or the end of the lease holding it).
pub fn next_due(conn: &mut DbConn) -> StoreResult<Option<i64>> {
    let rows: Vec<(i64, Option<i64>)> = deliveries::table
        .select((deliveries::next_attempt_at, deliveries::claimed_until))
        .order(deliveries::next_attempt_at)
        .limit(64)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(next, lease)| lease.map_or(next, |l| l.max(next)))
        .min())
}

/// Deletes the rows whose message expired unsent before `now` and no live lease holds; returns how many.
pub fn delete_expired(conn: &mut DbConn, now: i64) -> StoreResult<usize> {
    Ok(diesel::delete(
        deliveries::table
            .filter(deliveries::expires_at.le(now))
            .filter(
                deliveries::claimed_until
                    .is_null()
                    .or(deliveries::claimed_until.le(now)),
            ),
    )
    .execute(conn)?)
}
