//! What hangs off a pool, a workspace or a group: the workspaces a pool is connected to, and the counts a
//! deletion would take with it (each a single `COUNT`, so an impact page costs a handful of indexed queries).

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::groups::GroupRow;
use super::schema::{
    clients, group_members, idp_connections, invitations, passkeys, pool_groups, signing_keys,
    users, workspaces,
};
use super::workspaces::WorkspaceRow;
use super::{DbConn, StoreResult};

/// The workspaces the pool is connected to as an identity provider, by id.
pub fn connected_workspaces(conn: &mut DbConn, pool: &str) -> StoreResult<Vec<WorkspaceRow>> {
    Ok(workspaces::table
        .inner_join(
            idp_connections::table.on(idp_connections::tenant_id
                .eq(workspaces::tenant_id)
                .and(idp_connections::workspace_id.eq(workspaces::id))),
        )
        .filter(idp_connections::pool_id.eq(pool))
        .order(workspaces::id)
        .select(WorkspaceRow::as_select())
        .load(conn)?)
}

/// What a pool holds: users, groups, memberships, invitations, passkeys, connected workspaces.
pub struct PoolCounts {
    pub users: i64,
    pub groups: i64,
    pub memberships: i64,
    pub invitations: i64,
    pub passkeys: i64,
    pub connected_workspaces: i64,
}

pub fn pool_counts(conn: &mut DbConn, pool: &str) -> StoreResult<PoolCounts> {
    let pool_users = users::table
        .filter(users::pool_id.eq(pool))
        .select(users::id);
    Ok(PoolCounts {
        users: users::table
            .filter(users::pool_id.eq(pool))
            .select(count_star())
            .get_result(conn)?,
        groups: pool_groups::table
            .filter(pool_groups::pool_id.eq(pool))
            .select(count_star())
            .get_result(conn)?,
        memberships: group_members::table
            .inner_join(pool_groups::table)
            .filter(pool_groups::pool_id.eq(pool))
            .select(count_star())
            .get_result(conn)?,
        invitations: invitations::table
            .filter(invitations::user_id.eq_any(pool_users))
            .select(count_star())
            .get_result(conn)?,
        passkeys: passkeys::table
            .filter(passkeys::user_id.eq_any(pool_users))
            .select(count_star())
            .get_result(conn)?,
        connected_workspaces: idp_connections::table
            .filter(idp_connections::pool_id.eq(pool))
            .select(count_star())
            .get_result(conn)?,
    })
}

/// What a workspace holds: clients, connected pools (disconnected, not deleted) and signing keys.
pub struct WorkspaceCounts {
    pub clients: i64,
    pub connected_pools: i64,
    pub signing_keys: i64,
}

pub fn workspace_counts(conn: &mut DbConn, tenant: &str, ws: &str) -> StoreResult<WorkspaceCounts> {
    Ok(WorkspaceCounts {
        clients: clients::table
            .filter(
                clients::tenant_id
                    .eq(tenant)
                    .and(clients::workspace_id.eq(ws)),
            )
            .select(count_star())
            .get_result(conn)?,
        connected_pools: idp_connections::table
            .filter(idp_connections::tenant_id.eq(tenant))
            .filter(idp_connections::workspace_id.eq(ws))
            .select(count_star())
            .get_result(conn)?,
        signing_keys: signing_keys::table
            .filter(signing_keys::tenant_id.eq(tenant))
            .filter(signing_keys::workspace_id.eq(ws))
            .select(count_star())
            .get_result(conn)?,
    })
}

/// How many users are direct members of the group.
pub fn group_memberships(conn: &mut DbConn, group: &str) -> StoreResult<i64> {
    Ok(group_members::table
        .filter(group_members::group_id.eq(group))
        .select(count_star())
        .get_result(conn)?)
}

/// The groups whose parent is `group`, by name.
pub fn subgroups(conn: &mut DbConn, group: &str) -> StoreResult<Vec<GroupRow>> {
    Ok(pool_groups::table
        .filter(pool_groups::parent_id.eq(group))
        .order(pool_groups::name)
        .select(GroupRow::as_select())
        .load(conn)?)
}
