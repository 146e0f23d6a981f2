//! Retention: events older than `TARN_AUDIT_RETENTION_DAYS` go, in batches of at most [`BATCH`] rows, each its own
//! short transaction, so purging a large backlog never holds the table against the sign-ins writing to it.

use crate::store::audit_events;
use crate::store::{Db, StoreError};

/// Rows deleted per statement.
pub const BATCH: i64 = 1000;

/// Deletes the events older than `days` days before `now` (unix seconds); returns how many went.
pub async fn purge_expired_events(db: &Db, now: i64, days: i64) -> Result<usize, StoreError> {
    let cutoff = now
        .saturating_sub(days.saturating_mul(24 * 3600))
        .saturating_mul(1000);
    let mut total = 0;
    loop {
        let n = db
            .transaction(move |c| audit_events::purge_batch(c, cutoff, BATCH))
            .await?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
    }
}
