//! Sign-in failure counters (`sign_in_failures`): one row per key, each change one statement, so concurrent
//! attempts never lose a count and never collide on the key. The rules (what a key is, when it locks) are the
//! domain's (`authn::lockout`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::schema::sign_in_failures;
use super::{DbConn, StoreResult};

/// A counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = sign_in_failures)]
pub struct Counter {
    pub failures: i64,
    pub locked_until: i64,
    /// When it was last counted.
    pub updated_at: i64,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    failures: i64,
}

// One text for both backends: `$n` placeholders are PostgreSQL's and valid SQLite parameter names (numbered by
// first appearance, so they must first appear in order), and `INSERT … ON CONFLICT DO UPDATE … RETURNING` exists
// on SQLite ≥ 3.35 and PostgreSQL ≥ 9.5. The insert or the update is one atomic step on both: the row is locked
// (PostgreSQL) or the database is (SQLite) until it is done, so two attempts never read the same count.
const INCREMENT: &str = "INSERT INTO sign_in_failures (key, failures, locked_until, updated_at) \
     VALUES ($1, 1, 0, $2) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN sign_in_failures.updated_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
     updated_at = $2 \
     RETURNING failures";

// The same, except that a counter locked at `$2` is left alone: the update's WHERE is false, and no row returns.
const INCREMENT_UNLESS_LOCKED: &str = "INSERT INTO sign_in_failures (key, failures, locked_until, updated_at) \
     VALUES ($1, 1, 0, $2) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN sign_in_failures.updated_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
     updated_at = $2 \
     WHERE sign_in_failures.locked_until <= $2 \
     RETURNING failures";

pub fn find(conn: &mut DbConn, key: &str) -> StoreResult<Option<Counter>> {
    Ok(sign_in_failures::table
        .find(key)
        .select(Counter::as_select())
        .first(conn)
        .optional()?)
}

/// Adds one to `key` (starting again from one when it was last counted before `forget_before`); returns the new
/// count.
pub fn increment(conn: &mut DbConn, key: &str, now: i64, forget_before: i64) -> StoreResult<i64> {
    let counted: Counted = diesel::sql_query(INCREMENT)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(forget_before)
        .get_result(conn)?;
    Ok(counted.failures)
}

/// Like [`increment`], unless `key` is locked at `now`: then nothing changes and the answer is `None`.
pub fn increment_unless_locked(
    conn: &mut DbConn,
    key: &str,
    now: i64,
    forget_before: i64,
) -> StoreResult<Option<i64>> {
    let counted: Option<Counted> = diesel::sql_query(INCREMENT_UNLESS_LOCKED)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(forget_before)
        .get_result(conn)
        .optional()?;
    Ok(counted.map(|c| c.failures))
}

/// Locks `key` until `until`, unless it is already locked for longer (concurrent lockers keep the latest end).
pub fn lock(conn: &mut DbConn, key: &str, until: i64) -> StoreResult<()> {
    diesel::update(
        sign_in_failures::table
            .find(key)
            .filter(sign_in_failures::locked_until.lt(until)),
    )
    .set(sign_in_failures::locked_until.eq(until))
    .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, key: &str) -> StoreResult<()> {
    diesel::delete(sign_in_failures::table.find(key)).execute(conn)?;
    Ok(())
}
