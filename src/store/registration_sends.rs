//! The registration codes Tarn agreed to send, kept an hour for the sending limits of self-registration.

use diesel::prelude::*;

use super::schema::registration_sends;
use super::{DbConn, StoreResult};

/// One registration code request that passed the limits.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_sends)]
pub struct RegistrationSendRow {
    pub id: String,
    pub pool_id: String,
    /// The client address the request came from.
    pub client_address: String,
    /// SHA-256 of the browser cookie's value; `None` when the request carried none.
    pub browser_hash: Option<String>,
    /// SHA-256 of the address or number the code went to.
    pub recipient_hash: String,
    /// An SMS to a number not sent a registration code within the hour before.
    pub is_new_number: bool,
    pub created_at: i64,
}

/// What a count is about.
pub enum Scope<'a> {
    Address(&'a str),
    Browser(&'a str),
    Pool(&'a str),
}

pub fn insert(conn: &mut DbConn, row: &RegistrationSendRow) -> StoreResult<()> {
    diesel::insert_into(registration_sends::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// How many sends of `scope` happened since `since`; only those to new numbers when `new_numbers_only`.
pub fn count_since(
    conn: &mut DbConn,
    scope: &Scope,
    new_numbers_only: bool,
    since: i64,
) -> StoreResult<i64> {
    let mut q = registration_sends::table
        .filter(registration_sends::created_at.ge(since))
        .into_boxed();
    q = match scope {
        Scope::Address(a) => q.filter(registration_sends::client_address.eq(a.to_string())),
        Scope::Browser(b) => q.filter(registration_sends::browser_hash.eq(b.to_string())),
        Scope::Pool(p) => q.filter(registration_sends::pool_id.eq(p.to_string())),
    };
    if new_numbers_only {
        q = q.filter(registration_sends::is_new_number.eq(true));
    }
    Ok(q.count().get_result(conn)?)
}

/// Whether a code went to the recipient with this hash since `since`.
pub fn has_sent_to(conn: &mut DbConn, recipient_hash: &str, since: i64) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        registration_sends::table
            .filter(registration_sends::recipient_hash.eq(recipient_hash))
            .filter(registration_sends::created_at.ge(since)),
    ))
    .get_result(conn)?)
}

/// Deletes sends from before `before`; returns how many.
pub fn purge(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(registration_sends::table.filter(registration_sends::created_at.lt(before)))
            .execute(conn)?,
    )
}
