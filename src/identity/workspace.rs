//! Workspaces (each an OpenID Provider with its own issuer) and the pools connected to them as identity providers.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result, unique_as_conflict};
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::page::{Page, PageRequest};
use crate::store::workspaces::{self, ConnectionRow, WorkspaceRow};

#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// `{public_url}/{tenant}/{workspace}`: the OpenID Provider's issuer identifier.
    pub issuer: String,
    pub created_at: i64,
}

/// The issuer of a workspace.
pub fn issuer(public_url: &str, tenant: &str, workspace: &str) -> String {
    format!("{public_url}/{tenant}/{workspace}")
}

fn view(public_url: &str, r: WorkspaceRow) -> Workspace {
    Workspace {
        issuer: issuer(public_url, &r.tenant_id, &r.id),
        id: r.id,
        tenant_id: r.tenant_id,
        name: r.name,
        created_at: r.created_at,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    pub id: String,
    pub name: String,
}

/// A pool connected to a workspace; its `id` is the pool's id.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub id: String,
    pub workspace_id: String,
    pub pool_id: String,
    /// Order in which the login page looks identifiers up across pools.
    pub position: i64,
    pub created_at: i64,
}

impl From<ConnectionRow> for Connection {
    fn from(r: ConnectionRow) -> Self {
        Connection {
            id: r.pool_id.clone(),
            workspace_id: r.workspace_id,
            pool_id: r.pool_id,
            position: r.position,
            created_at: r.created_at,
        }
    }
}

pub async fn create(app: &AppState, tenant: &str, input: NewWorkspace) -> Result<Workspace> {
    let row = WorkspaceRow {
        tenant_id: tenant.to_owned(),
        id: super::slug::parse("id", &input.id)?,
        name: super::slug::parse_name("name", &input.name)?,
        created_at: app.clock.now(),
    };
    let public_url = app.config.public_url().to_owned();
    app.db
        .transaction(move |c| {
            super::tenant::require(c, &row.tenant_id)?;
            workspaces::insert(c, &row).map_err(unique_as_conflict(
                "a workspace with this id already exists",
            ))?;
            Ok(view(&public_url, row))
        })
        .await
}

pub async fn find(app: &AppState, tenant: &str, id: &str) -> Result<Workspace> {
    let (tenant, id, public_url) = (
        tenant.to_owned(),
        id.to_owned(),
        app.config.public_url().to_owned(),
    );
    app.db
        .run(move |c| require(c, &tenant, &id).map(|r| view(&public_url, r)))
        .await
}

pub async fn list(app: &AppState, tenant: &str, page: PageRequest) -> Result<Page<Workspace>> {
    let (tenant, public_url) = (tenant.to_owned(), app.config.public_url().to_owned());
    app.db
        .run(move |c| {
            super::tenant::require(c, &tenant)?;
            let (rows, next) = workspaces::list(c, &tenant, &page)?;
            Ok((
                rows.into_iter().map(|r| view(&public_url, r)).collect(),
                next,
            ))
        })
        .await
}

/// Deletes a workspace with its clients and connections (the pools stay).
pub async fn delete(app: &AppState, tenant: &str, id: &str) -> Result<()> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    app.db
        .transaction(move |c| {
            require(c, &tenant, &id)?;
            workspaces::delete(c, &tenant, &id)?;
            Ok(())
        })
        .await
}

/// Connects a pool of the same tenant as an identity provider, after those already connected.
pub async fn connect_pool(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    pool: &str,
) -> Result<Connection> {
    let (tenant, workspace, pool, now) = (
        tenant.to_owned(),
        workspace.to_owned(),
        pool.to_owned(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            require(c, &tenant, &workspace)?;
            if super::pool::require(c, &tenant, &pool).is_err() {
                return Err(Error::invalid(
                    "pool_id",
                    "no pool with this id in the tenant",
                ));
            }
            let row = workspaces::insert_connection(c, &tenant, &workspace, &pool, now).map_err(
                unique_as_conflict("the pool is already connected to this workspace"),
            )?;
            Ok(Connection::from(row))
        })
        .await
}

pub async fn list_connections(
    app: &AppState,
    tenant: &str,
    workspace: &str,
) -> Result<Vec<Connection>> {
    let (tenant, workspace) = (tenant.to_owned(), workspace.to_owned());
    app.db
        .run(move |c| {
            require(c, &tenant, &workspace)?;
            Ok(workspaces::list_connections(c, &tenant, &workspace)?
                .into_iter()
                .map(Connection::from)
                .collect())
        })
        .await
}

pub async fn disconnect_pool(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    pool: &str,
) -> Result<()> {
    let (tenant, workspace, pool) = (tenant.to_owned(), workspace.to_owned(), pool.to_owned());
    app.db
        .transaction(move |c| {
            require(c, &tenant, &workspace)?;
            match workspaces::delete_connection(c, &tenant, &workspace, &pool)? {
                0 => Err(Error::NotFound("identity provider connection")),
                _ => Ok(()),
            }
        })
        .await
}

/// The workspace row, or `NotFound`.
pub fn require(conn: &mut DbConn, tenant: &str, id: &str) -> Result<WorkspaceRow> {
    workspaces::find(conn, tenant, id)?.ok_or(Error::NotFound("workspace"))
}
