//! The dev outbox: messages kept instead of sent while their channel (SMTP, SMS webhook) is not configured.

use diesel::prelude::*;

use super::page::{Page, PageRequest, finish};
use super::schema::outbox;
use super::{DbConn, StoreResult};

/// One kept message.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub tenant_id: String,
    /// `email` or `sms`.
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: i64,
}

/// Keeps one message.
pub fn insert(conn: &mut DbConn, row: &OutboxRow) -> StoreResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// One page of the tenant's messages, **newest first**: ordered by `(created_at, id)` descending, so the page
/// after `req.after` holds the keys strictly below it (the shared `load_page!` pages oldest first).
pub fn list_newest_first(
    conn: &mut DbConn,
    tenant: &str,
    req: &PageRequest,
) -> StoreResult<Page<OutboxRow>> {
    let mut q = outbox::table
        .filter(outbox::tenant_id.eq(tenant))
        .into_boxed();
    if let Some((t, id)) = req.after.clone() {
        q = q.filter(
            outbox::created_at
                .lt(t)
                .or(outbox::created_at.eq(t).and(outbox::id.lt(id))),
        );
    }
    let rows: Vec<OutboxRow> = q
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(req.limit + 1)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok(finish(rows, req.limit, |r| (r.created_at, r.id.clone())))
}
