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
