//! Turns at periodic background work (`job_leases`), so instances sharing one database take turns instead of each
//! doing the same work.

use diesel::prelude::*;

use super::schema::job_leases;
use super::{DbConn, StoreResult, insert_unless_present};

/// Takes the turn at `job` when it is due at `now`, and sets the next turn to `next`. One conditional statement
/// decides, so of several instances asking at once exactly one gets the turn.
pub fn take_turn(conn: &mut DbConn, job: &str, now: i64, next: i64) -> StoreResult<bool> {
    let taken = diesel::update(
        job_leases::table
            .find(job)
            .filter(job_leases::next_run_at.le(now)),
    )
    .set(job_leases::next_run_at.eq(next))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    let exists = job_leases::table
        .find(job)
        .select(job_leases::job)
        .first::<String>(conn)
        .optional()?
        .is_some();
    // The very first turn: of two instances inserting the row at once, the unique key lets one win.
    Ok(!exists
        && insert_unless_present(conn, |c| {
            diesel::insert_into(job_leases::table)
                .values((job_leases::job.eq(job), job_leases::next_run_at.eq(next)))
                .execute(c)
        })?)
}
