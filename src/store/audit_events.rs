//! The audit trail's rows: insertion, newest-first keyset pages under filters, and the retention purge in batches.

use diesel::prelude::*;

use super::page::Page;
use super::schema::audit_events;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub tenant_id: String,
    /// Unix milliseconds.
    pub occurred_at: i64,
    pub event_type: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub workspace_id: Option<String>,
    pub pool_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// A JSON object.
    pub details: String,
}

pub fn insert(conn: &mut DbConn, row: &AuditRow) -> StoreResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// How the type filter matches: the whole type, or every type starting with a prefix (`authn.` for `authn.*`).
#[derive(Debug, Clone)]
pub enum TypeFilter {
    Exact(String),
    Prefix(String),
}

/// What a list of events is narrowed to; times in unix milliseconds, both bounds inclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub event_type: Option<TypeFilter>,
    pub outcome: Option<String>,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    pub subject_type: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// One page of the tenant's events under `filter`, newest first, strictly older than `before` (the
/// `(occurred_at, id)` of the previous page's last row).
pub fn page(
    conn: &mut DbConn,
    tenant: &str,
    filter: &AuditFilter,
    limit: i64,
    before: Option<(i64, String)>,
) -> StoreResult<Page<AuditRow>> {
    let mut q = audit_events::table
        .filter(audit_events::tenant_id.eq(tenant))
        .into_boxed();
    match &filter.event_type {
        Some(TypeFilter::Exact(t)) => q = q.filter(audit_events::event_type.eq(t.clone())),
        Some(TypeFilter::Prefix(p)) => {
            q = q.filter(
                audit_events::event_type
                    .like(format!("{}%", escape_like(p)))
                    .escape('\\'),
            )
        }
        None => {}
    }
    if let Some(o) = &filter.outcome {
        q = q.filter(audit_events::outcome.eq(o.clone()));
    }
    if let Some(a) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(a.clone()));
    }
    if let Some(s) = &filter.subject_id {
        q = q.filter(audit_events::subject_id.eq(s.clone()));
    }
    if let Some(k) = &filter.subject_type {
        q = q.filter(audit_events::subject_type.eq(k.clone()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::occurred_at.ge(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_events::occurred_at.le(until));
    }
    if let Some((t, id)) = before {
        q = q.filter(
            audit_events::occurred_at
                .lt(t)
                .or(audit_events::occurred_at.eq(t).and(audit_events::id.lt(id))),
        );
    }
    let rows: Vec<AuditRow> = q
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit + 1)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok(super::page::finish(rows, limit, |r| {
        (r.occurred_at, r.id.clone())
    }))
}

/// `%`, `_` and the escape itself match literally in a prefix.
fn escape_like(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Deletes at most `batch` events older than `before` (unix milliseconds), oldest first; returns how many. One
/// short statement per batch, so a large backlog never holds the table for long.
pub fn purge_batch(conn: &mut DbConn, before: i64, batch: i64) -> StoreResult<usize> {
    let oldest: Vec<String> = audit_events::table
        .filter(audit_events::occurred_at.lt(before))
        .order(audit_events::occurred_at)
        .limit(batch)
        .select(audit_events::id)
        .load(conn)?;
    if oldest.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::delete(audit_events::table.filter(audit_events::id.eq_any(oldest)))
            .execute(conn)?,
    )
}
