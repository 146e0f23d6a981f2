//! The lease protocol of the durable queues (`deliveries`, `logout_deliveries`): a row is due from its
//! `next_attempt_at`; an instance takes it with one conditional UPDATE that writes its claim token and the lease's
//! end, so instances sharing the database never both hold it; the claim that holds it then deletes it (done, or
//! given up) or frees it for a later attempt. [`lease_queue!`] writes these statements for a queue's table.

use super::{DbConn, StoreResult};

/// The statements of one queue; its rows have `id`, `attempts`, `next_attempt_at`, `claimed_by`, `claimed_until`
/// and `expires_at`.
pub trait LeaseQueue: Send + Sync + 'static {
    type Row: Send + 'static;
    /// The ids of up to `limit` rows due at `now` that no live lease holds, the longest waiting first.
    fn list_due(conn: &mut DbConn, now: i64, limit: i64) -> StoreResult<Vec<String>>;
    /// Takes the lease on row `id` for `token` until `until`, if the row is still due and unheld at `now`: of two
    /// instances racing for a row exactly one gets it. Returns the row when taken.
    fn claim(
        conn: &mut DbConn,
        id: &str,
        token: &str,
        now: i64,
        until: i64,
    ) -> StoreResult<Option<Self::Row>>;
    /// Deletes row `id` if the claim `token` still holds it; returns whether it did.
    fn delete_claimed(conn: &mut DbConn, id: &str, token: &str) -> StoreResult<bool>;
    /// Records a failed attempt of the claim `token` and frees the row for another try at `next_attempt_at`.
    fn retry_later(
        conn: &mut DbConn,
        id: &str,
        token: &str,
        attempts: i64,
        next_attempt_at: i64,
    ) -> StoreResult<bool>;
    /// The earliest time any row becomes due (its next attempt, or the end of the lease holding it).
    fn next_due(conn: &mut DbConn) -> StoreResult<Option<i64>>;
    /// Deletes the rows whose time ran out before `now` and no live lease holds; returns how many.
    fn delete_expired(conn: &mut DbConn, now: i64) -> StoreResult<usize>;
    /// The row's id and how many attempts failed so far.
    fn progress(row: &Self::Row) -> (&str, i64);
}

/// Implements [`LeaseQueue`] for `$queue` over the diesel table module `$table` with rows `$row`.
macro_rules! lease_queue {
    ($queue:ident, $table:ident, $row:ty) => {
        /// This table's queue statements.
        pub struct $queue;

        impl $crate::store::lease::LeaseQueue for $queue {
            type Row = $row;

            fn list_due(
                conn: &mut $crate::store::DbConn,
                now: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<String>> {
                Ok($table::table
                    .filter($table::next_attempt_at.le(now))
                    .filter(
                        $table::claimed_until
                            .is_null()
                            .or($table::claimed_until.le(now)),
                    )
                    .order(($table::next_attempt_at, $table::id))
                    .limit(limit)
                    .select($table::id)
                    .load(conn)?)
            }

            fn claim(
                conn: &mut $crate::store::DbConn,
                id: &str,
                token: &str,
                now: i64,
                until: i64,
            ) -> $crate::store::StoreResult<Option<$row>> {
                let due = $table::table
                    .find(id)
                    .filter($table::next_attempt_at.le(now))
                    .filter(
                        $table::claimed_until
                            .is_null()
                            .or($table::claimed_until.le(now)),
                    );
                let taken = diesel::update(due)
                    .set((
                        $table::claimed_by.eq(token),
                        $table::claimed_until.eq(until),
                    ))
                    .execute(conn)?;
                if taken != 1 {
                    return Ok(None);
                }
                Ok($table::table
                    .find(id)
                    .filter($table::claimed_by.eq(token))
                    .select(<$row>::as_select())
                    .first(conn)
                    .optional()?)
            }

            fn delete_claimed(
                conn: &mut $crate::store::DbConn,
                id: &str,
                token: &str,
            ) -> $crate::store::StoreResult<bool> {
                let held = $table::table.find(id).filter($table::claimed_by.eq(token));
                Ok(diesel::delete(held).execute(conn)? == 1)
            }

            fn retry_later(
                conn: &mut $crate::store::DbConn,
                id: &str,
                token: &str,
                attempts: i64,
                next_attempt_at: i64,
            ) -> $crate::store::StoreResult<bool> {
                let held = $table::table.find(id).filter($table::claimed_by.eq(token));
                let n = diesel::update(held)
                    .set((
                        $table::attempts.eq(attempts),
                        $table::next_attempt_at.eq(next_attempt_at),
                        $table::claimed_by.eq(None::<String>),
                        $table::claimed_until.eq(None::<i64>),
                    ))
                    .execute(conn)?;
                Ok(n == 1)
            }

            fn next_due(
                conn: &mut $crate::store::DbConn,
            ) -> $crate::store::StoreResult<Option<i64>> {
                let rows: Vec<(i64, Option<i64>)> = $table::table
                    .select(($table::next_attempt_at, $table::claimed_until))
                    .order($table::next_attempt_at)
                    .limit(64)
                    .load(conn)?;
                Ok(rows
                    .into_iter()
                    .map(|(next, lease)| lease.map_or(next, |l| l.max(next)))
                    .min())
            }

            fn delete_expired(
                conn: &mut $crate::store::DbConn,
                now: i64,
            ) -> $crate::store::StoreResult<usize> {
                let expired = $table::table.filter($table::expires_at.le(now)).filter(
                    $table::claimed_until
                        .is_null()
                        .or($table::claimed_until.le(now)),
                );
                Ok(diesel::delete(expired).execute(conn)?)
            }

            fn progress(row: &$row) -> (&str, i64) {
                (&row.id, row.attempts)
            }
        }
    };
}

pub(crate) use lease_queue;
