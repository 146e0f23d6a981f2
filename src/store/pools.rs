//! Identity pools: a tenant's user populations and their sign-in settings (settings as JSON text).

use diesel::prelude::*;

use super::page::{Page, PageRequest, load_page};
use super::schema::{idp_connections, pools};
use super::{DbConn, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = pools, treat_none_as_null = true)]
pub struct PoolRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub tag_color: Option<String>,
    /// JSON array of mechanism names.
    pub authentication_mechanisms: String,
    pub preferred_authentication_mechanism: String,
    pub public_registration_allowed: bool,
    pub payload_schema_id: Option<String>,
    pub metadata_schema_id: Option<String>,
    /// JSON object: the password policy.
    pub password_policy: String,
    /// JSON object: the verification-code settings.
    pub otp_settings: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert(conn: &mut DbConn, row: &PoolRow) -> StoreResult<()> {
    diesel::insert_into(pools::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, tenant: &str, id: &str) -> StoreResult<Option<PoolRow>> {
    Ok(pools::table
        .filter(pools::tenant_id.eq(tenant).and(pools::id.eq(id)))
        .select(PoolRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> StoreResult<Option<PoolRow>> {
    Ok(pools::table
        .find(id)
        .select(PoolRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, tenant: &str, req: &PageRequest) -> StoreResult<Page<PoolRow>> {
    load_page!(
        conn,
        pools::table
            .filter(pools::tenant_id.eq(tenant))
            .into_boxed(),
        pools,
        PoolRow,
        req
    )
}

pub fn update(conn: &mut DbConn, row: &PoolRow) -> StoreResult<()> {
    diesel::update(pools::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// Whether any workspace has the pool connected as an identity provider.
pub fn is_connected(conn: &mut DbConn, id: &str) -> StoreResult<bool> {
    let n: i64 = idp_connections::table
        .filter(idp_connections::pool_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The ids of the workspaces the pool is connected to, in id order.
pub fn connected_workspaces(conn: &mut DbConn, id: &str) -> StoreResult<Vec<String>> {
    Ok(idp_connections::table
        .filter(idp_connections::pool_id.eq(id))
        .select(idp_connections::workspace_id)
        .order(idp_connections::workspace_id)
        .load(conn)?)
}

/// How many users the pool has (every status).
pub fn count_users(conn: &mut DbConn, id: &str) -> StoreResult<i64> {
    Ok(super::schema::users::table
        .filter(super::schema::users::pool_id.eq(id))
        .count()
        .get_result(conn)?)
}

pub fn delete(conn: &mut DbConn, id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(pools::table.find(id)).execute(conn)?)
}
