//! Throttling of failed sign-ins, per identifier and per client IP: a few free failures, then an exponentially
//! growing lock (30 s, 60 s, … up to 15 min). Counters live in the database so every instance sees them.

use crate::store::{DbConn, StoreResult, sessions};

/// Failures allowed before locking, per identifier and per IP (an IP may serve many honest users).
pub const FREE_PER_IDENTIFIER: i64 = 5;
pub const FREE_PER_IP: i64 = 20;
const BASE_SECONDS: i64 = 30;
const MAX_SECONDS: i64 = 15 * 60;

/// How long to lock after the `failures`-th failure when `free` are allowed.
pub fn lock_seconds(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from((failures - free).min(10)).unwrap_or(10);
    (BASE_SECONDS << doublings).min(MAX_SECONDS)
}

/// Whether any of the counters is locked at `now`.
pub fn is_locked(conn: &mut DbConn, keys: &[String], now: i64) -> StoreResult<bool> {
    for key in keys {
        if let Some((_, until)) = sessions::find_failures(conn, key)?
            && until > now
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Counts one failure against `key`.
pub fn record_failure(conn: &mut DbConn, key: &str, free: i64, now: i64) -> StoreResult<()> {
    let failures = sessions::find_failures(conn, key)?.map_or(0, |(f, _)| f) + 1;
    let until = match lock_seconds(failures, free) {
        0 => 0,
        seconds => now + seconds,
    };
    sessions::save_failures(conn, key, failures, until, now)
}

#[cfg(test)]
mod tests {
    use super::lock_seconds;

    #[test]
    fn locks_grow_exponentially_and_stop_at_fifteen_minutes() {
        assert_eq!(lock_seconds(4, 5), 0);
        assert_eq!(lock_seconds(5, 5), 30);
        assert_eq!(lock_seconds(6, 5), 60);
        assert_eq!(lock_seconds(7, 5), 120);
        assert_eq!(lock_seconds(50, 5), 900);
    }
}
