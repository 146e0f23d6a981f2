//! Limits on typing user codes at the device page (RFC 8628 §5.1): a user code is short enough to be typed, so
//! guessing one must be throttled. Two counters, in the database so every instance sees them:
//!
//! - **address**: every entry from a client address (IPv6 by its /64), counted *before* the code is looked up in
//!   one statement, so a burst of parallel guesses gets no more than a sequence would: 10 per 15 minutes.
//! - **workspace**: wrong codes from all addresses, so many addresses together cannot search the code space
//!   either: from 100 in 15 minutes, entry pauses at that workspace.
//!
//! A counter starts again once 15 minutes passed since it last counted.

use std::net::IpAddr;

use super::lockout::address_block;
use crate::store::failures;
use crate::store::{DbConn, StoreResult};

/// Entries an address has in a window.
pub const PER_ADDRESS: i64 = 10;
/// Wrong codes a workspace takes in a window before entry pauses.
pub const PER_WORKSPACE: i64 = 100;
/// The window, in seconds since the counter last counted.
pub const WINDOW: i64 = 15 * 60;

// `|` appears in no tenant slug, workspace slug or address, so keys never collide with each other or with the
// password lockout's (`pair|`, `id|`, `addr|`).
fn address_key(client: Option<IpAddr>) -> String {
    format!("device|addr|{}", address_block(client))
}

fn workspace_key(tenant: &str, workspace: &str) -> String {
    format!("device|ws|{tenant}|{workspace}")
}

/// Counts an entry from `client` and says whether its code may be looked up.
pub fn admit(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    client: Option<IpAddr>,
    now: i64,
) -> StoreResult<bool> {
    let forget_before = now - WINDOW;
    let wrong = failures::find(conn, &workspace_key(tenant, workspace))?
        .filter(|c| c.updated_at >= forget_before)
        .map_or(0, |c| c.failures);
    if wrong >= PER_WORKSPACE {
        return Ok(false);
    }
    let entries = failures::increment(conn, &address_key(client), now, forget_before)?;
    Ok(entries <= PER_ADDRESS)
}

/// Records a wrong (unknown, spent or expired) code at the workspace.
pub fn record_wrong(conn: &mut DbConn, tenant: &str, workspace: &str, now: i64) -> StoreResult<()> {
    failures::increment(conn, &workspace_key(tenant, workspace), now, now - WINDOW)?;
    Ok(())
}
