//! Device authorization requests (`device_codes`, RFC 8628): found by the hash of the device code (polling), of
//! the user code (the user page) or by id (the page's later steps). Every state change is one conditional update,
//! so two instances never both approve, deny or redeem the same request.

use diesel::prelude::*;

use super::schema::device_codes;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = device_codes)]
pub struct DeviceCodeRow {
    pub device_code_hash: String,
    pub user_code_hash: String,
    pub id: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub client_id: String,
    pub scope: String,
    /// `pending`, `approved`, `denied` or `redeemed`.
    pub status: String,
    pub grant_id: Option<String>,
    pub poll_interval: i64,
    pub last_polled_at: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &DeviceCodeRow) -> StoreResult<()> {
    diesel::insert_into(device_codes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_by_device_code(conn: &mut DbConn, hash: &str) -> StoreResult<Option<DeviceCodeRow>> {
    Ok(device_codes::table
        .find(hash)
        .select(DeviceCodeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_user_code(conn: &mut DbConn, hash: &str) -> StoreResult<Option<DeviceCodeRow>> {
    Ok(device_codes::table
        .filter(device_codes::user_code_hash.eq(hash))
        .select(DeviceCodeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> StoreResult<Option<DeviceCodeRow>> {
    Ok(device_codes::table
        .filter(device_codes::id.eq(id))
        .select(DeviceCodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Moves the request `id` from `pending` to `status` (with the grant of an approval); `false` when it was no
/// longer pending or had expired at `now`.
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    grant_id: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    let n = diesel::update(
        device_codes::table
            .filter(device_codes::id.eq(id))
            .filter(device_codes::status.eq("pending"))
            .filter(device_codes::expires_at.gt(now)),
    )
    .set((
        device_codes::status.eq(status),
        device_codes::grant_id.eq(grant_id),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks an approved request redeemed; `false` when another poll already did.
pub fn redeem(conn: &mut DbConn, hash: &str) -> StoreResult<bool> {
    let n = diesel::update(
        device_codes::table
            .find(hash)
            .filter(device_codes::status.eq("approved")),
    )
    .set(device_codes::status.eq("redeemed"))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records an on-time poll at `now`, unless another poll was recorded since `seen` (the last poll the caller
/// read): then nothing changes and the answer is `false`, so of two simultaneous polls only one is on time.
pub fn polled_on_time(
    conn: &mut DbConn,
    hash: &str,
    seen: Option<i64>,
    now: i64,
) -> StoreResult<bool> {
    let row = device_codes::table.find(hash);
    let set = device_codes::last_polled_at.eq(now);
    let n = match seen {
        Some(at) => diesel::update(row.filter(device_codes::last_polled_at.eq(at)))
            .set(set)
            .execute(conn)?,
        None => diesel::update(row.filter(device_codes::last_polled_at.is_null()))
            .set(set)
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Records a poll that came too soon: the interval grows by `step` in the statement itself (so simultaneous
/// polls each add theirs); returns the new interval.
pub fn slowed_down(conn: &mut DbConn, hash: &str, step: i64, now: i64) -> StoreResult<i64> {
    Ok(diesel::update(device_codes::table.find(hash))
        .set((
            device_codes::last_polled_at.eq(now),
            device_codes::poll_interval.eq(device_codes::poll_interval + step),
        ))
        .returning(device_codes::poll_interval)
        .get_result(conn)?)
}

/// Deletes requests that expired before `before`.
pub fn purge(conn: &mut DbConn, before: i64) -> StoreResult<usize> {
    Ok(
        diesel::delete(device_codes::table.filter(device_codes::expires_at.lt(before)))
            .execute(conn)?,
    )
}
