//! One-time verification codes (stored as SHA-256 hashes) with their attempt counters.

use diesel::prelude::*;

use super::schema::verification_codes;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = verification_codes)]
pub struct CodeRow {
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    /// `None` for a decoy (the identifier matched no user who can receive a code).
    pub user_id: Option<String>,
    /// The identifier as typed, normalised; the resend throttle counts per identifier.
    pub identifier: String,
    pub purpose: String,
    pub code_hash: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &CodeRow) -> StoreResult<()> {
    diesel::insert_into(verification_codes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> StoreResult<Option<CodeRow>> {
    Ok(verification_codes::table
        .find(id)
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Creation times of the codes sent to an identifier at any workspace of a tenant since `since`, newest first.
pub fn sent_since(
    conn: &mut DbConn,
    tenant: &str,
    identifier: &str,
    since: i64,
) -> StoreResult<Vec<i64>> {
    Ok(verification_codes::table
        .filter(verification_codes::tenant_id.eq(tenant))
        .filter(
            verification_codes::identifier
                .eq(identifier)
                .and(verification_codes::created_at.ge(since)),
        )
        .order(verification_codes::created_at.desc())
        .select(verification_codes::created_at)
        .load(conn)?)
}

/// Counts one failed attempt.
pub fn count_attempt(conn: &mut DbConn, id: &str) -> StoreResult<()> {
    diesel::update(verification_codes::table.find(id))
        .set(verification_codes::attempts.eq(verification_codes::attempts + 1))
        .execute(conn)?;
    Ok(())
}

/// Marks a code used; `false` when it already was.
pub fn use_code(conn: &mut DbConn, id: &str, now: i64) -> StoreResult<bool> {
    let n = diesel::update(
        verification_codes::table
            .find(id)
            .filter(verification_codes::used_at.is_null()),
    )
    .set(verification_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes codes that expired before `before`.
pub fn purge(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(verification_codes::table.filter(verification_codes::expires_at.lt(before)))
            .execute(conn)?,
    )
}

/// The code row whose hash is `hash` (links carry a token whose hash is stored as the code).
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> StoreResult<Option<CodeRow>> {
    Ok(verification_codes::table
        .filter(verification_codes::code_hash.eq(hash))
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(verification_codes::table.find(id)).execute(conn)?)
}
