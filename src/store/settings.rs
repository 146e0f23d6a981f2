//! Process-wide settings kept in the database (the admin token's hash).

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConn, StoreResult, insert_unless_present};

/// The value stored under `key`, if any.
pub fn find(conn: &mut DbConn, key: &str) -> StoreResult<Option<String>> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Stores `value` under `key` unless the key already has a value; returns whether it was stored. Of two instances
/// storing at once, exactly one does.
pub fn insert_if_absent(conn: &mut DbConn, key: &str, value: &str) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(c)
    })
}
