//! Signing keys of a workspace: private keys (PKCS#8, base64) and their public JWKs.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::signing_keys;
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct KeyRow {
    pub kid: String,
    pub tenant_id: String,
    pub workspace_id: String,
    pub alg: String,
    /// PKCS#8 DER: base64, or sealed under the keyring (`tokens::keyring`).
    pub private_der: String,
    /// The public JWK, JSON.
    pub public_jwk: String,
    pub created_at: i64,
    /// When a newer key replaced this one; it stays published while tokens it signed may live.
    pub retired_at: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &KeyRow) -> StoreResult<()> {
    diesel::insert_into(signing_keys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Keys still published: current ones and those retired after `retired_since`, newest first.
pub fn list_published(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    retired_since: i64,
) -> StoreResult<Vec<KeyRow>> {
    Ok(signing_keys::table
        .filter(
            signing_keys::tenant_id
                .eq(tenant)
                .and(signing_keys::workspace_id.eq(workspace)),
        )
        .filter(
            signing_keys::retired_at
                .is_null()
                .or(signing_keys::retired_at.gt(retired_since)),
        )
        .order((signing_keys::created_at.desc(), signing_keys::kid.desc()))
        .select(KeyRow::as_select())
        .load(conn)?)
}

/// Marks every current key of the workspace retired.
pub fn retire_current(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
    now: i64,
) -> StoreResult<usize> {
    Ok(diesel::update(
        signing_keys::table
            .filter(
                signing_keys::tenant_id
                    .eq(tenant)
                    .and(signing_keys::workspace_id.eq(workspace)),
            )
            .filter(signing_keys::retired_at.is_null()),
    )
    .set(signing_keys::retired_at.eq(now))
    .execute(conn)?)
}

/// Inside a transaction: waits until no other transaction is creating or rotating this workspace's keys, so two
/// instances meeting a new workspace at once do not both create keys (PostgreSQL advisory lock, released at the
/// end of the transaction; SQLite's `BEGIN IMMEDIATE` already serialises writers). The key names the schema too,
/// as the start-up lock's does (`migrate::lock_startup`).
pub fn lock_workspace(conn: &mut DbConn, tenant: &str, workspace: &str) -> StoreResult<()> {
    if let DbConn::Postgres(c) = conn {
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '/tarn/keys/' || $1 || '/' || $2))",
        )
        .bind::<Text, _>(tenant)
        .bind::<Text, _>(workspace)
        .execute(c)?;
    }
    Ok(())
}

/// Every stored private key, by `kid`, of every workspace (start-up checks and `tarn keys rewrap`).
pub fn list_private(conn: &mut DbConn) -> StoreResult<Vec<(String, String)>> {
    Ok(signing_keys::table
        .select((signing_keys::kid, signing_keys::private_der))
        .order(signing_keys::kid)
        .load(conn)?)
}

/// Replaces the stored form of a private key (sealed under a keyring, or re-sealed under its first key).
pub fn set_private(conn: &mut DbConn, kid: &str, stored: &str) -> StoreResult<()> {
    diesel::update(signing_keys::table.find(kid))
        .set(signing_keys::private_der.eq(stored))
        .execute(conn)?;
    Ok(())
}

/// The creation time of the oldest current (unretired) key of each algorithm, across all workspaces.
pub fn oldest_current_by_alg(conn: &mut DbConn) -> StoreResult<Vec<(String, Option<i64>)>> {
    Ok(signing_keys::table
        .filter(signing_keys::retired_at.is_null())
        .group_by(signing_keys::alg)
        .select((
            signing_keys::alg,
            diesel::dsl::min(signing_keys::created_at),
        ))
        .load(conn)?)
}
