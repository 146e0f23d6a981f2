//! Users of an identity pool: identifiers, status, payload and metadata (JSON text), password hash.

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::users;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub pool_id: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub email_verified: bool,
    pub mobile_verified: bool,
    pub status: String,
    pub payload: String,
    pub metadata: String,
    /// argon2id PHC string; `None` until the user has a password.
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An exact identifier to look a user up by.
#[derive(Debug, Clone)]
pub enum IdentifierFilter {
    Email(String),
    Mobile(String),
}

pub fn insert(conn: &mut DbConn, row: &UserRow) -> StoreResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, pool: &str, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::pool_id.eq(pool).and(users::id.eq(id)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConn,
    pool: &str,
    identifier: Option<&IdentifierFilter>,
    req: &PageRequest,
) -> StoreResult<Page<UserRow>> {
    let mut q = users::table.filter(users::pool_id.eq(pool)).into_boxed();
    match identifier {
        Some(IdentifierFilter::Email(e)) => q = q.filter(users::email.eq(e.clone())),
        Some(IdentifierFilter::Mobile(m)) => q = q.filter(users::mobile.eq(m.clone())),
        None => {}
    }
    load_page!(conn, q, users, UserRow, req)
}

/// The user of `pool` with this exact (normalised) identifier.
pub fn find_by_identifier(
    conn: &mut DbConn,
    pool: &str,
    identifier: &IdentifierFilter,
) -> StoreResult<Option<UserRow>> {
    let q = users::table.filter(users::pool_id.eq(pool)).into_boxed();
    let q = match identifier {
        IdentifierFilter::Email(e) => q.filter(users::email.eq(e.clone())),
        IdentifierFilter::Mobile(m) => q.filter(users::mobile.eq(m.clone())),
    };
    Ok(q.select(UserRow::as_select()).first(conn).optional()?)
}

/// A user by id alone (callers have already scoped the id, e.g. through a grant).
pub fn find_by_id(conn: &mut DbConn, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(conn: &mut DbConn, row: &UserRow) -> StoreResult<()> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(users::table.find(id)).execute(conn)?)
}
