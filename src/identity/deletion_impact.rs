//! What deleting a pool, a workspace or a group takes with it, for the portal's confirmation pages ("removes
//! 1,204 users and 18 groups, disconnects 2 workspaces"). Read-only; the deletions themselves stay in
//! `pool::delete`, `workspace::delete` and `group::delete`, whose cascades these counts follow.

use serde::Serialize;

use super::error::Result;
use super::membership::GroupRef;
use crate::state::AppState;
use crate::store::dependents;

/// A workspace named in an impact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceRef {
    pub id: String,
    pub name: String,
}

/// Deleting a pool removes its users (with their invitations, passkeys and memberships) and its groups. It is
/// refused while workspaces are connected to it: `deletable` says whether it can go now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PoolImpact {
    pub deletable: bool,
    pub users: i64,
    pub groups: i64,
    pub memberships: i64,
    pub invitations: i64,
    pub passkeys: i64,
    pub connected_workspaces: Vec<WorkspaceRef>,
}

/// Deleting a workspace removes its clients and signing keys and disconnects its pools (which stay).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceImpact {
    pub clients: i64,
    pub signing_keys: i64,
    pub disconnected_pools: i64,
}

/// Deleting a group removes its direct memberships (the users stay); its sub-groups move to the top level.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupImpact {
    pub memberships: i64,
    pub subgroups_to_top_level: Vec<GroupRef>,
}

pub async fn of_pool(app: &AppState, tenant: &str, pool: &str) -> Result<PoolImpact> {
    let (tenant, pool) = (tenant.to_owned(), pool.to_owned());
    app.db
        .run(move |c| {
            super::pool::require(c, &tenant, &pool)?;
            let n = dependents::pool_counts(c, &pool)?;
            let connected = dependents::connected_workspaces(c, &pool)?;
            Ok(PoolImpact {
                deletable: connected.is_empty(),
                users: n.users,
                groups: n.groups,
                memberships: n.memberships,
                invitations: n.invitations,
                passkeys: n.passkeys,
                connected_workspaces: connected
                    .into_iter()
                    .map(|w| WorkspaceRef {
                        id: w.id,
                        name: w.name,
                    })
                    .collect(),
            })
        })
        .await
}

pub async fn of_workspace(app: &AppState, tenant: &str, ws: &str) -> Result<WorkspaceImpact> {
    let (tenant, ws) = (tenant.to_owned(), ws.to_owned());
    app.db
        .run(move |c| {
            super::workspace::require(c, &tenant, &ws)?;
            let n = dependents::workspace_counts(c, &tenant, &ws)?;
            Ok(WorkspaceImpact {
                clients: n.clients,
                signing_keys: n.signing_keys,
                disconnected_pools: n.connected_pools,
            })
        })
        .await
}

pub async fn of_group(
    app: &AppState,
    tenant: &str,
    pool: &str,
    group: &str,
) -> Result<GroupImpact> {
    let (tenant, pool, group) = (tenant.to_owned(), pool.to_owned(), group.to_owned());
    app.db
        .run(move |c| {
            super::group::require(c, &tenant, &pool, &group)?;
            let memberships = dependents::group_memberships(c, &group)?;
            let subgroups = dependents::subgroups(c, &group)?
                .into_iter()
                .map(|g| GroupRef {
                    id: g.id,
                    name: g.name,
                })
                .collect();
            Ok(GroupImpact {
                memberships,
                subgroups_to_top_level: subgroups,
            })
        })
        .await
}
