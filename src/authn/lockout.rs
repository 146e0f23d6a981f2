//! Throttling of password sign-in, built so that failing someone else's password never locks them out.
//!
//! Three counters, kept in the database so every instance sees them, each per tenant (a pool is connected only to
//! workspaces of its own tenant, so this counts per user across all workspaces) and keyed on what was typed, so
//! they behave the same whether or not the identifier exists:
//!
//! - **pair** (identifier, client address): the only one that locks. Every attempt is counted *before* the
//!   password is checked, in one statement, and the attempt that reaches the free allowance locks the pair at
//!   once, so a burst of parallel guesses gets no more checks than a sequence would. The 5th attempt locks for
//!   30 s, each further one doubles it, up to 15 min. A correct password clears the pair.
//! - **identifier** (all addresses): counts failures. From 20, the identifier is *slowed*, never locked: every
//!   address gets 1 free attempt for it instead of 5, and its locks grow up to 1 h. An address that has not
//!   failed for the identifier (its owner, somewhere else) is always checked.
//! - **address** (all identifiers, all tenants): counts failures. From 50, the address is slowed the same way for
//!   every identifier it tries: identifiers that already failed from it are locked, while a correct sign-in for an
//!   identifier that did not fail from it (a colleague behind the same proxy) always goes through.
//!
//! A counter is forgotten 24 h after its last count. IPv6 clients are counted per /64, the block one site gets.
//! Passkey and code sign-in never look at these counters.

use std::net::IpAddr;

use ipnet::Ipv6Net;

use crate::identity::identifier::counted_form;
use crate::store::failures::{self, Counter};
use crate::store::{DbConn, StoreResult};

/// Attempts an (identifier, address) pair has before it locks.
pub const FREE_PER_PAIR: i64 = 5;
/// Failures of an identifier, from all addresses, from which it is slowed.
pub const SLOW_IDENTIFIER_FROM: i64 = 20;
/// Failures from an address, for all identifiers, from which it is slowed.
pub const SLOW_ADDRESS_FROM: i64 = 50;
/// How long a counter is remembered after it was last counted.
pub const FORGET_AFTER_SECONDS: i64 = 24 * 3600;

/// When a pair locks and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Attempts before the first lock.
    pub free: i64,
    /// The longest lock.
    pub max_seconds: i64,
}

/// The usual schedule: 5 free attempts, then 30 s doubling up to 15 min.
pub const NORMAL: Schedule = Schedule {
    free: FREE_PER_PAIR,
    max_seconds: 15 * 60,
};
/// For a slowed identifier or address: 1 free attempt, then 30 s doubling up to 1 h.
pub const SLOWED: Schedule = Schedule {
    free: 1,
    max_seconds: 60 * 60,
};
const BASE_SECONDS: i64 = 30;

impl Schedule {
    /// How long the `attempt`-th attempt locks its pair (0: not at all).
    pub fn lock_seconds(self, attempt: i64) -> i64 {
        if attempt < self.free {
            return 0;
        }
        let doublings = u32::try_from((attempt - self.free).min(16)).unwrap_or(16);
        (BASE_SECONDS << doublings).min(self.max_seconds)
    }
}

/// One password attempt: for which identifier (as typed) at which tenant, from which client address.
#[derive(Debug, Clone)]
pub struct Attempt {
    tenant: String,
    /// SHA-256 of the counted form: keys stay short whatever was typed, and what was typed is not kept.
    identifier: String,
    /// The client address, or its /64 for IPv6.
    address: String,
}

impl Attempt {
    pub fn new(tenant: &str, typed_identifier: &str, client: Option<IpAddr>) -> Attempt {
        Attempt {
            tenant: tenant.to_owned(),
            identifier: crate::secret::hash(&counted_form(typed_identifier)),
            address: address_block(client),
        }
    }

    // `|` appears in no tenant slug, hash or address, so distinct attempts never share a key.
    fn pair_key(&self) -> String {
        format!("pair|{}|{}|{}", self.tenant, self.address, self.identifier)
    }

    fn identifier_key(&self) -> String {
        format!("id|{}|{}", self.tenant, self.identifier)
    }

    fn address_key(&self) -> String {
        format!("addr|{}", self.address)
    }
}

/// The address a counter is kept for: IPv4 as it is, IPv6 by its /64.
pub(crate) fn address_block(client: Option<IpAddr>) -> String {
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            Ipv6Net::new(v6, 64).map_or_else(|_| v6.to_string(), |net| net.trunc().to_string())
        }
        None => "unknown".to_owned(),
    }
}

/// Counts an attempt against its pair and says whether its password may be checked: `false` while the pair is
/// locked (then nothing is counted). The lock follows from the count the increment returned, in the same
/// transaction, so concurrent attempts see it; a pair is also locked for `lock_seconds(count)` after its last
/// attempt under the schedule in force now.
pub fn admit(conn: &mut DbConn, attempt: &Attempt, now: i64) -> StoreResult<bool> {
    let schedule = schedule(conn, attempt, now)?;
    let key = attempt.pair_key();
    // A pair that failed before its identifier or address was slowed is judged by the slower schedule at once.
    let pair = current(conn, &key, now)?;
    if pair.updated_at + schedule.lock_seconds(pair.failures) > now {
        return Ok(false);
    }
    crate::store::transaction(conn, |c| {
        let forget_before = now - FORGET_AFTER_SECONDS;
        let Some(count) = failures::increment_unless_locked(c, &key, now, forget_before)? else {
            return Ok(false);
        };
        match schedule.lock_seconds(count) {
            0 => {}
            seconds => failures::lock(c, &key, now + seconds)?,
        }
        Ok(true)
    })
}

/// Records that an admitted attempt failed: the identifier and the address count it.
pub fn record_failure(conn: &mut DbConn, attempt: &Attempt, now: i64) -> StoreResult<()> {
    let forget_before = now - FORGET_AFTER_SECONDS;
    let identifier = failures::increment(conn, &attempt.identifier_key(), now, forget_before)?;
    let address = failures::increment(conn, &attempt.address_key(), now, forget_before)?;
    if identifier == SLOW_IDENTIFIER_FROM {
        tracing::warn!(tenant = %attempt.tenant, failures = identifier,
            "an identifier is failing from many addresses; its sign-in is slowed");
    }
    if address == SLOW_ADDRESS_FROM {
        tracing::warn!(address = %attempt.address, failures = address,
            "an address is failing for many identifiers; its sign-in is slowed");
    }
    Ok(())
}

/// Records that an admitted attempt succeeded: its pair starts afresh. The identifier and address counts stay,
/// so a success does not hand an attacker new free attempts.
pub fn record_success(conn: &mut DbConn, attempt: &Attempt) -> StoreResult<()> {
    failures::delete(conn, &attempt.pair_key())
}

/// The schedule for an attempt: slowed when its identifier or its address is failing a lot.
fn schedule(conn: &mut DbConn, attempt: &Attempt, now: i64) -> StoreResult<Schedule> {
    let identifier = current(conn, &attempt.identifier_key(), now)?.failures;
    let address = current(conn, &attempt.address_key(), now)?.failures;
    Ok(
        if identifier >= SLOW_IDENTIFIER_FROM || address >= SLOW_ADDRESS_FROM {
            SLOWED
        } else {
            NORMAL
        },
    )
}

/// The counts an attempt is judged by, at `now` (forgotten ones as zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Attempts of this identifier from this address.
    pub pair: i64,
    /// Until when the pair is locked (unix seconds; in the past when it is not).
    pub pair_locked_until: i64,
    /// Failures of this identifier from all addresses.
    pub identifier: i64,
    /// Failures from this address for all identifiers.
    pub address: i64,
}

/// The counts for `attempt` (for operators and tests).
pub fn counts(conn: &mut DbConn, attempt: &Attempt, now: i64) -> StoreResult<Counts> {
    let pair = current(conn, &attempt.pair_key(), now)?;
    Ok(Counts {
        pair: pair.failures,
        pair_locked_until: pair.locked_until,
        identifier: current(conn, &attempt.identifier_key(), now)?.failures,
        address: current(conn, &attempt.address_key(), now)?.failures,
    })
}

/// A counter as it stands at `now`: zero when missing or forgotten.
fn current(conn: &mut DbConn, key: &str, now: i64) -> StoreResult<Counter> {
    let zero = Counter {
        failures: 0,
        locked_until: 0,
        updated_at: now,
    };
    Ok(failures::find(conn, key)?
        .filter(|c| c.updated_at >= now - FORGET_AFTER_SECONDS)
        .unwrap_or(zero))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_from_thirty_seconds_and_stop_at_their_maximum() {
        assert_eq!(NORMAL.lock_seconds(4), 0);
        assert_eq!(NORMAL.lock_seconds(5), 30);
        assert_eq!(NORMAL.lock_seconds(6), 60);
        assert_eq!(NORMAL.lock_seconds(7), 120);
        assert_eq!(NORMAL.lock_seconds(50), 900);
        assert_eq!(SLOWED.lock_seconds(1), 30);
        assert_eq!(SLOWED.lock_seconds(7), 1920);
        assert_eq!(SLOWED.lock_seconds(8), 3600);
        assert_eq!(SLOWED.lock_seconds(i64::MAX), 3600);
    }

    #[test]
    fn ipv6_clients_are_counted_per_slash_64() {
        let block = |ip: &str| address_block(ip.parse().ok());
        assert_eq!(block("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(block("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(block("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(block("192.0.2.1"), "192.0.2.1");
        assert_eq!(address_block(None), "unknown");
    }

    #[test]
    fn spellings_of_one_identifier_share_their_counters() {
        let a = Attempt::new("default", " Ada@Example.com", None);
        let b = Attempt::new("default", "ada@example.com", None);
        assert_eq!(a.pair_key(), b.pair_key());
        assert_ne!(
            a.identifier_key(),
            Attempt::new("other", "ada@example.com", None).identifier_key()
        );
        assert!(!a.pair_key().contains("ada"), "what was typed is not kept");
    }
}
