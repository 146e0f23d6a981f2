//! The admin portal's tables: its sessions and its sign-ins in progress, plus the two queries the
//! last-administrator rule needs (a lock on the group's row and a count of its other active members) and the
//! update of the built-in portal client's metadata.

use diesel::prelude::*;

use super::schema::{clients, group_members, pool_groups, portal_sessions, portal_sign_ins, users};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = portal_sessions)]
pub struct PortalSessionRow {
    /// SHA-256 of the cookie value.
    pub id_hash: String,
    pub user_id: String,
    /// The ID token of the sign-in, kept for RP-initiated logout (`id_token_hint`); never sent to the browser.
    pub id_token: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The absolute end of the session.
    pub expires_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = portal_sign_ins, treat_none_as_null = true)]
pub struct PortalSignInRow {
    /// SHA-256 of the `state` parameter.
    pub state_hash: String,
    /// The browser the sign-in started in (the hash of its CSRF cookie).
    pub browser: String,
    pub nonce: String,
    pub code_verifier: String,
    pub return_to: String,
    /// For a step-up: the administrator who must sign in again.
    pub step_up_user_id: Option<String>,
    /// For a step-up: the action to complete afterwards (JSON).
    pub pending_action: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn insert_session(conn: &mut DbConn, row: &PortalSessionRow) -> StoreResult<()> {
    diesel::insert_into(portal_sessions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_session(conn: &mut DbConn, id_hash: &str) -> StoreResult<Option<PortalSessionRow>> {
    Ok(portal_sessions::table
        .find(id_hash)
        .select(PortalSessionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn touch_session(conn: &mut DbConn, id_hash: &str, now: i64) -> StoreResult<()> {
    diesel::update(portal_sessions::table.find(id_hash))
        .set(portal_sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn delete_session(conn: &mut DbConn, id_hash: &str) -> StoreResult<usize> {
    Ok(diesel::delete(portal_sessions::table.find(id_hash)).execute(conn)?)
}

/// Deletes sessions past their absolute end (idle ones are refused when read, and end here at the latest).
pub fn purge_sessions(conn: &mut DbConn, now: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(portal_sessions::table.filter(portal_sessions::expires_at.lt(now)))
            .execute(conn)?,
    )
}

pub fn insert_sign_in(conn: &mut DbConn, row: &PortalSignInRow) -> StoreResult<()> {
    diesel::insert_into(portal_sign_ins::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Takes the sign-in out of the table: each `state` is used once, even by two callbacks at the same moment.
pub fn take_sign_in(conn: &mut DbConn, state_hash: &str) -> StoreResult<Option<PortalSignInRow>> {
    let row = portal_sign_ins::table
        .find(state_hash)
        .select(PortalSignInRow::as_select())
        .first(conn)
        .optional()?;
    let deleted = diesel::delete(portal_sign_ins::table.find(state_hash)).execute(conn)?;
    Ok(row.filter(|_| deleted == 1))
}

pub fn purge_sign_ins(conn: &mut DbConn, now: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(portal_sign_ins::table.filter(portal_sign_ins::expires_at.lt(now)))
            .execute(conn)?,
    )
}

/// Locks the group's row until the transaction ends (PostgreSQL row lock; SQLite's transactions already hold the
/// write lock), so two changes to its membership are judged one after the other.
pub fn lock_group(conn: &mut DbConn, group: &str) -> StoreResult<()> {
    diesel::update(pool_groups::table.find(group))
        .set(pool_groups::updated_at.eq(pool_groups::updated_at))
        .execute(conn)?;
    Ok(())
}

/// Whether `user` is a direct member of `group` with status active.
pub fn is_active_member(conn: &mut DbConn, group: &str, user: &str) -> StoreResult<bool> {
    let n: i64 = group_members::table
        .inner_join(users::table.on(users::id.eq(group_members::user_id)))
        .filter(group_members::group_id.eq(group))
        .filter(group_members::user_id.eq(user))
        .filter(users::status.eq(super::users::Status::Active))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// How many active direct members `group` has other than `except` (any, when `except` is `None`).
pub fn count_other_active_members(
    conn: &mut DbConn,
    group: &str,
    except: Option<&str>,
) -> StoreResult<i64> {
    let mut query = group_members::table
        .inner_join(users::table.on(users::id.eq(group_members::user_id)))
        .filter(group_members::group_id.eq(group))
        .filter(users::status.eq(super::users::Status::Active))
        .into_boxed();
    if let Some(user) = except {
        query = query.filter(group_members::user_id.ne(user.to_owned()));
    }
    Ok(query.count().get_result(conn)?)
}

/// Replaces a client's metadata (the built-in portal client follows the configured public URL).
pub fn set_client_metadata(conn: &mut DbConn, id: &str, metadata: &str) -> StoreResult<()> {
    diesel::update(clients::table.find(id))
        .set(clients::metadata.eq(metadata))
        .execute(conn)?;
    Ok(())
}
