//! The back-channel logout queue: one row per client to tell that a session ended (`notify::backchannel` signs
//! and sends its logout token), with its attempt count, when to try next, and the lease of the instance sending
//! it, taken and settled through the lease protocol of [`super::lease`].

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

super::lease::lease_queue!(Queue, logout_deliveries, LogoutRow);
