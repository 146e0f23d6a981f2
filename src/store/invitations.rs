//! Invitations: single-use activation tokens (stored as SHA-256 hashes) for users created by invitation.

use diesel::prelude::*;

use super::schema::invitations;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &InvitationRow) -> StoreResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The user's most recent invitation.
pub fn find_latest(conn: &mut DbConn, user: &str) -> StoreResult<Option<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::user_id.eq(user))
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_token_hash(conn: &mut DbConn, hash: &str) -> StoreResult<Option<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a pending invitation accepted; `false` when it was no longer pending (used, revoked or expired).
pub fn accept(conn: &mut DbConn, id: &str, now: i64) -> StoreResult<bool> {
    let n = diesel::update(
        invitations::table
            .find(id)
            .filter(
                invitations::accepted_at
                    .is_null()
                    .and(invitations::revoked_at.is_null()),
            )
            .filter(invitations::expires_at.gt(now)),
    )
    .set(invitations::accepted_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes the user's invitations that are still open, except `keep`.
pub fn revoke_open(
    conn: &mut DbConn,
    user: &str,
    keep: Option<&str>,
    now: i64,
) -> StoreResult<usize> {
    let open = invitations::table
        .filter(invitations::user_id.eq(user))
        .filter(
            invitations::accepted_at
                .is_null()
                .and(invitations::revoked_at.is_null()),
        )
        .filter(invitations::id.ne(keep.unwrap_or_default()));
    Ok(diesel::update(open)
        .set(invitations::revoked_at.eq(now))
        .execute(conn)?)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(invitations::table.find(id)).execute(conn)?)
}
