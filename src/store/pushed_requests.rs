//! Pushed authorization requests (RFC 9126), kept under the hash of their `request_uri` until taken or expired,
//! and the `jti`s of request objects already used (RFC 9101).

use diesel::prelude::*;

use super::schema::{pushed_requests, used_request_objects};
use super::{DbConn, StoreResult, insert_unless_present};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pushed_requests)]
pub struct PushedRequestRow {
    pub id_hash: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_id: String,
    /// The pushed parameters, as JSON.
    pub parameters: String,
    pub expires_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &PushedRequestRow) -> StoreResult<()> {
    diesel::insert_into(pushed_requests::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id_hash: &str) -> StoreResult<Option<PushedRequestRow>> {
    Ok(pushed_requests::table
        .find(id_hash)
        .select(PushedRequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes the request `id_hash` of `client_id` if it is still unexpired at `now`; `false` when it was not
/// there (taken by a concurrent request, or gone): the one write that makes a `request_uri` single-use.
pub fn take(conn: &mut DbConn, id_hash: &str, client_id: &str, now: i64) -> StoreResult<bool> {
    let deleted = diesel::delete(
        pushed_requests::table.filter(
            pushed_requests::id_hash
                .eq(id_hash)
                .and(pushed_requests::client_id.eq(client_id))
                .and(pushed_requests::expires_at.gt(now)),
        ),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Records a request object (`id_hash` names its client and `jti`); `false` when it was seen before (a replay),
/// also when the other use is being recorded at the same moment.
pub fn record_request_object(
    conn: &mut DbConn,
    id_hash: &str,
    expires_at: i64,
) -> StoreResult<bool> {
    insert_unless_present(conn, |c| {
        diesel::insert_into(used_request_objects::table)
            .values((
                used_request_objects::id_hash.eq(id_hash),
                used_request_objects::expires_at.eq(expires_at),
            ))
            .execute(c)
    })
}
