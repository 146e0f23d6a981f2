//! Passkeys (WebAuthn credentials) of users, and the ceremonies in flight that will create or use them.

use diesel::prelude::*;

use super::schema::{passkey_ceremonies, passkeys};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = passkeys)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    /// The credential id, base64url without padding.
    pub credential_id: String,
    /// webauthn-rs's `Passkey`, JSON.
    pub passkey: String,
    pub name: String,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &PasskeyRow) -> StoreResult<()> {
    diesel::insert_into(passkeys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A user's passkeys, oldest first.
pub fn list_for_user(conn: &mut DbConn, user: &str) -> StoreResult<Vec<PasskeyRow>> {
    Ok(passkeys::table
        .filter(passkeys::user_id.eq(user))
        .order(passkeys::id.asc())
        .select(PasskeyRow::as_select())
        .load(conn)?)
}

pub fn find_by_credential(conn: &mut DbConn, credential: &str) -> StoreResult<Option<PasskeyRow>> {
    Ok(passkeys::table
        .filter(passkeys::credential_id.eq(credential))
        .select(PasskeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a successful use. The update only happens while the stored counter is still `seen_count`, so of two
/// concurrent uses of one counter value only one wins; returns whether this one did.
pub fn record_use(
    conn: &mut DbConn,
    row: &PasskeyRow,
    seen_count: i64,
    now: i64,
) -> StoreResult<bool> {
    let n = diesel::update(
        passkeys::table
            .find(&row.id)
            .filter(passkeys::sign_count.eq(seen_count)),
    )
    .set((
        passkeys::passkey.eq(&row.passkey),
        passkeys::sign_count.eq(row.sign_count),
        passkeys::backup_state.eq(row.backup_state),
        passkeys::backup_eligible.eq(row.backup_eligible),
        passkeys::last_used_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Renames a user's passkey; returns whether it existed.
pub fn rename(conn: &mut DbConn, user: &str, id: &str, name: &str) -> StoreResult<bool> {
    let n = diesel::update(passkeys::table.find(id).filter(passkeys::user_id.eq(user)))
        .set(passkeys::name.eq(name))
        .execute(conn)?;
    Ok(n == 1)
}

/// Removes a user's passkey; returns whether it existed.
pub fn delete(conn: &mut DbConn, user: &str, id: &str) -> StoreResult<bool> {
    let n = diesel::delete(passkeys::table.find(id).filter(passkeys::user_id.eq(user)))
        .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = passkey_ceremonies)]
pub struct CeremonyRow {
    pub id: String,
    pub tenant_id: String,
    /// What finishing it does (`sign_in`, `enrol`, …), so a ceremony begun for one purpose cannot finish another.
    pub purpose: String,
    /// JSON: what the ceremony is bound to (workspace, request, user, registration, invitation).
    pub subject: String,
    /// webauthn-rs's ceremony state, JSON.
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn insert_ceremony(conn: &mut DbConn, row: &CeremonyRow) -> StoreResult<()> {
    diesel::insert_into(passkey_ceremonies::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_ceremony(conn: &mut DbConn, id: &str) -> StoreResult<Option<CeremonyRow>> {
    Ok(passkey_ceremonies::table
        .find(id)
        .select(CeremonyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes a ceremony; returns whether it was still there (of two concurrent deletes, one gets `true`).
pub fn delete_ceremony(conn: &mut DbConn, id: &str) -> StoreResult<bool> {
    Ok(diesel::delete(passkey_ceremonies::table.find(id)).execute(conn)? == 1)
}

/// Deletes ceremonies that expired before `before`.
pub fn purge_ceremonies(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(passkey_ceremonies::table.filter(passkey_ceremonies::expires_at.lt(before)))
            .execute(conn)?,
    )
}
