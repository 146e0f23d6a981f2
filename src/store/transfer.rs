//! Reads and writes for export and import: every tenant table paged by id (keyset, so a tenant of any size is
//! read a chunk at a time), and the few inserts the admin tables do not already offer.

use diesel::prelude::*;

use super::clients::ClientRow;
use super::groups::GroupRow;
use super::passkeys::PasskeyRow;
use super::pools::PoolRow;
use super::schema::{
    clients, group_members, idp_connections, passkeys, pool_groups, pools, schemas, users,
    workspaces,
};
use super::schemas::SchemaRow;
use super::users::UserRow;
use super::workspaces::{ConnectionRow, WorkspaceRow};
use super::{DbConn, StoreError, StoreResult};

/// Runs `f` in one read transaction, so that every page it reads comes from the same snapshot: PostgreSQL keeps
/// one snapshot across statements only at REPEATABLE READ; SQLite's deferred `BEGIN` reads one snapshot anyway
/// and, unlike [`super::transaction`], takes no write lock (an export must not stop the writers).
pub fn in_snapshot<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let outcome = conn.transaction::<_, Aborted<E>, _>(|c| {
        if let DbConn::Postgres(_) = c {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(c)?;
        }
        f(c).map_err(Aborted::Inner)
    });
    outcome.map_err(|e| match e {
        Aborted::Store(e) => E::from(StoreError::from(e)),
        Aborted::Inner(e) => e,
    })
}

/// Why a snapshot transaction ended early: the database, or the caller's own error.
enum Aborted<E> {
    Store(diesel::result::Error),
    Inner(E),
}

impl<E> From<diesel::result::Error> for Aborted<E> {
    fn from(e: diesel::result::Error) -> Self {
        Aborted::Store(e)
    }
}

pub fn schemas_after(
    conn: &mut DbConn,
    tenant: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<SchemaRow>> {
    Ok(schemas::table
        .filter(schemas::tenant_id.eq(tenant).and(schemas::id.gt(after)))
        .order(schemas::id)
        .limit(limit)
        .select(SchemaRow::as_select())
        .load(conn)?)
}

pub fn pools_after(
    conn: &mut DbConn,
    tenant: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<PoolRow>> {
    Ok(pools::table
        .filter(pools::tenant_id.eq(tenant).and(pools::id.gt(after)))
        .order(pools::id)
        .limit(limit)
        .select(PoolRow::as_select())
        .load(conn)?)
}

pub fn groups_after(
    conn: &mut DbConn,
    pool: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<GroupRow>> {
    Ok(pool_groups::table
        .filter(pool_groups::pool_id.eq(pool).and(pool_groups::id.gt(after)))
        .order(pool_groups::id)
        .limit(limit)
        .select(GroupRow::as_select())
        .load(conn)?)
}

pub fn users_after(
    conn: &mut DbConn,
    pool: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<UserRow>> {
    Ok(users::table
        .filter(users::pool_id.eq(pool).and(users::id.gt(after)))
        .order(users::id)
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// The passkeys of a page of users, in one query.
pub fn passkeys_of(conn: &mut DbConn, users: &[String]) -> StoreResult<Vec<PasskeyRow>> {
    Ok(passkeys::table
        .filter(passkeys::user_id.eq_any(users))
        .order((passkeys::user_id, passkeys::id))
        .select(PasskeyRow::as_select())
        .load(conn)?)
}

/// `(group, user, created_at)` of a pool's direct memberships after the key `(group, user)`.
pub fn memberships_after(
    conn: &mut DbConn,
    pool: &str,
    after: &(String, String),
    limit: i64,
) -> StoreResult<Vec<(String, String, i64)>> {
    let (group, user) = after.clone();
    Ok(group_members::table
        .inner_join(pool_groups::table)
        .filter(pool_groups::pool_id.eq(pool))
        .filter(
            group_members::group_id
                .gt(group.clone())
                .or(group_members::group_id
                    .eq(group)
                    .and(group_members::user_id.gt(user))),
        )
        .order((group_members::group_id, group_members::user_id))
        .limit(limit)
        .select((
            group_members::group_id,
            group_members::user_id,
            group_members::created_at,
        ))
        .load(conn)?)
}

pub fn workspaces_after(
    conn: &mut DbConn,
    tenant: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<WorkspaceRow>> {
    Ok(workspaces::table
        .filter(
            workspaces::tenant_id
                .eq(tenant)
                .and(workspaces::id.gt(after)),
        )
        .order(workspaces::id)
        .limit(limit)
        .select(WorkspaceRow::as_select())
        .load(conn)?)
}

/// A workspace's pool connections (a handful: they are what its login page looks through).
pub fn connections_of(
    conn: &mut DbConn,
    tenant: &str,
    workspace: &str,
) -> StoreResult<Vec<ConnectionRow>> {
    super::workspaces::list_connections(conn, tenant, workspace)
}

pub fn clients_after(
    conn: &mut DbConn,
    tenant: &str,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<ClientRow>> {
    Ok(clients::table
        .filter(clients::tenant_id.eq(tenant).and(clients::id.gt(after)))
        .order(clients::id)
        .limit(limit)
        .select(ClientRow::as_select())
        .load(conn)?)
}

/// A direct membership, inserted as is: an import writes each pair once, and a duplicate is its error to report.
pub fn insert_membership(
    conn: &mut DbConn,
    group: &str,
    user: &str,
    created_at: i64,
) -> StoreResult<()> {
    diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(group),
            group_members::user_id.eq(user),
            group_members::created_at.eq(created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A pool connection at a given position (an import keeps the exported order).
pub fn insert_connection(conn: &mut DbConn, row: &ConnectionRow) -> StoreResult<()> {
    diesel::insert_into(idp_connections::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Sets a group's parent once every group of the import exists (a parent may come later in the file).
pub fn set_group_parent(conn: &mut DbConn, group: &str, parent: &str) -> StoreResult<()> {
    diesel::update(pool_groups::table.find(group))
        .set(pool_groups::parent_id.eq(parent))
        .execute(conn)?;
    Ok(())
}
