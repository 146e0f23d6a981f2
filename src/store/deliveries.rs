//! The delivery queue: rendered messages waiting for the background worker (`notify::worker`), with their attempt
//! count, when to try next, and the lease of the instance sending one. Every row carries a live code in its bodies,
//! so callers delete it as soon as it is delivered, given up on, or expired; nothing here keeps it longer. Rows are
//! taken and settled through the lease protocol of [`super::lease`].

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

super::lease::lease_queue!(Queue, deliveries, DeliveryRow);
