//! Workspaces (each an OpenID Provider with its own issuer) and the pools connected to them as identity providers.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result, unique_as_conflict};
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::page::{Page, PageRequest, finish};
use crate::store::workspaces::{self, ConnectionRow, WorkspaceRow};
use crate::store::{DbConn, dependents, grants};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Workspace {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// `{public_url}/{tenant}/{workspace}`: the OpenID Provider's issuer identifier.
    pub issuer: String,
    pub lifetimes: Lifetimes,
    pub created_at: i64,
    /// Whether DPoP proofs must carry a server-issued nonce (RFC 9449 §8).
    pub dpop_nonce_required: bool,
    /// Whether every authorization request must be pushed first (RFC 9126 §5–6).
    pub require_pushed_authorization_requests: bool,
    /// Who may register clients at `{issuer}/oauth2/register` (RFC 7591).
    pub dynamic_registration: RegistrationMode,
}

/// Whether a workspace accepts dynamic client registration (RFC 7591), and from whom.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// No registration endpoint: it answers 404 and discovery does not name it.
    #[default]
    Off,
    /// Anyone may register, within the per-address limit.
    Open,
    /// A registration needs a token made through the admin API (RFC 7591 §3: "initial access token").
    InitialAccessToken,
}

impl RegistrationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Off => "off",
            RegistrationMode::Open => "open",
            RegistrationMode::InitialAccessToken => "initial_access_token",
        }
    }

    /// The stored text as a mode; anything unknown is `Off`, the safe reading.
    pub fn parse(stored: &str) -> RegistrationMode {
        match stored {
            "open" => RegistrationMode::Open,
            "initial_access_token" => RegistrationMode::InitialAccessToken,
            _ => RegistrationMode::Off,
        }
    }
}

/// Token and session lifetimes of a workspace, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    pub access_token: i64,
    pub id_token: i64,
    pub refresh_token: i64,
    pub session: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            access_token: 3600,
            id_token: 3600,
            refresh_token: 30 * 24 * 3600,
            session: 12 * 3600,
        }
    }
}

impl Lifetimes {
    fn of(r: &WorkspaceRow) -> Lifetimes {
        Lifetimes {
            access_token: r.access_token_ttl,
            id_token: r.id_token_ttl,
            refresh_token: r.refresh_token_ttl,
            session: r.session_ttl,
        }
    }

    pub fn check(&self) -> Result<()> {
        let bounds = [
            ("lifetimes.access_token", self.access_token, 60, 86_400),
            ("lifetimes.id_token", self.id_token, 60, 86_400),
            (
                "lifetimes.refresh_token",
                self.refresh_token,
                300,
                365 * 86_400,
            ),
            ("lifetimes.session", self.session, 60, 30 * 86_400),
        ];
        for (field, value, min, max) in bounds {
            if !(min..=max).contains(&value) {
                return Err(Error::invalid(
                    field,
                    format!("must be between {min} and {max} seconds"),
                ));
            }
        }
        Ok(())
    }
}

/// A new workspace row with the default lifetimes.
pub fn new_row(tenant: &str, id: &str, name: &str, now: i64) -> WorkspaceRow {
    let l = Lifetimes::default();
    WorkspaceRow {
        tenant_id: tenant.to_owned(),
        id: id.to_owned(),
        name: name.to_owned(),
        created_at: now,
        access_token_ttl: l.access_token,
        id_token_ttl: l.id_token,
        refresh_token_ttl: l.refresh_token,
        session_ttl: l.session,
        dpop_nonce_required: false,
        require_pushed_authorization_requests: false,
        dynamic_registration: RegistrationMode::Off.as_str().to_owned(),
    }
}

/// A partial update of a workspace.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    pub lifetimes: Option<Lifetimes>,
    pub dpop_nonce_required: Option<bool>,
    pub require_pushed_authorization_requests: Option<bool>,
    pub dynamic_registration: Option<RegistrationMode>,
}

/// The issuer of a workspace.
pub fn issuer(public_url: &str, tenant: &str, workspace: &str) -> String {
    format!("{public_url}/{tenant}/{workspace}")
}

fn view(public_url: &str, r: WorkspaceRow) -> Workspace {
    Workspace {
        issuer: issuer(public_url, &r.tenant_id, &r.id),
        lifetimes: Lifetimes::of(&r),
        id: r.id,
        tenant_id: r.tenant_id,
        name: r.name,
        created_at: r.created_at,
        dpop_nonce_required: r.dpop_nonce_required,
        require_pushed_authorization_requests: r.require_pushed_authorization_requests,
        dynamic_registration: RegistrationMode::parse(&r.dynamic_registration),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    pub id: String,
    pub name: String,
}

/// A pool connected to a workspace; its `id` is the pool's id.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    input: NewWorkspace,
) -> Result<Workspace> {
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let id = super::slug::parse("id", &input.id)?;
    let row = new_row(
        tenant,
        &id,
        &super::slug::parse_name("name", &input.name)?,
        app.clock.now(),
    );
    let public_url = app.config.public_url().to_owned();
    app.db
        .transaction(move |c| {
            super::tenant::require(c, &row.tenant_id)?;
            workspaces::insert(c, &row).map_err(unique_as_conflict(
                "a workspace with this id already exists",
            ))?;
            let details = Details::new().with("name", &row.name);
            let event = workspace_event(EventType::WorkspaceCreated, &row.id).details(details);
            audit::record(c, &row.tenant_id, &ctx, now, event)?;
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

/// What a workspace holds, as the portal's list shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    pub applications: i64,
    pub connected_pools: i64,
}

/// One page of the tenant's workspaces, each with how many applications and connected pools it has.
pub async fn list_with_counts(
    app: &AppState,
    tenant: &str,
    page: PageRequest,
) -> Result<Page<(Workspace, Counts)>> {
    let (tenant, public_url) = (tenant.to_owned(), app.config.public_url().to_owned());
    app.db
        .run(move |c| {
            super::tenant::require(c, &tenant)?;
            let (rows, next) = workspaces::list(c, &tenant, &page)?;
            let mut counted = Vec::with_capacity(rows.len());
            for row in rows {
                let n = dependents::workspace_counts(c, &tenant, &row.id)?;
                let counts = Counts {
                    applications: n.clients,
                    connected_pools: n.connected_pools,
                };
                counted.push((view(&public_url, row), counts));
            }
            Ok((counted, next))
        })
        .await
}

pub async fn update(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    id: &str,
    patch: WorkspacePatch,
) -> Result<Workspace> {
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let (tenant, id, public_url) = (
        tenant.to_owned(),
        id.to_owned(),
        app.config.public_url().to_owned(),
    );
    let (t, w) = (tenant.clone(), id.clone());
    let updated = app
        .db
        .transaction(move |c| {
            let mut row = require(c, &tenant, &id)?;
            let old = rendered(&view(&public_url, row.clone()));
            if let Some(name) = patch.name {
                let name = super::slug::parse_name("name", &name)?;
                if name != row.name {
                    super::admin::guard_workspace(&tenant, &id)?;
                }
                row.name = name;
            }
            if let Some(l) = patch.lifetimes {
                l.check()?;
                (
                    row.access_token_ttl,
                    row.id_token_ttl,
                    row.refresh_token_ttl,
                    row.session_ttl,
                ) = (l.access_token, l.id_token, l.refresh_token, l.session);
            }
            if let Some(required) = patch.dpop_nonce_required {
                row.dpop_nonce_required = required;
            }
            if let Some(required) = patch.require_pushed_authorization_requests {
                // The portal signs administrators in with plain authorization requests: requiring PAR there
                // would lock every administrator out.
                if required && super::admin::is_builtin_workspace(&tenant, &id) {
                    return Err(Error::invalid(
                        "require_pushed_authorization_requests",
                        "the built-in workspace's portal sign-in does not push its requests",
                    ));
                }
                row.require_pushed_authorization_requests = required;
            }
            if let Some(mode) = patch.dynamic_registration {
                // Clients registered in the built-in workspace could sign administrators in to their own sites:
                // it stays closed.
                if mode != RegistrationMode::Off && super::admin::is_builtin_workspace(&tenant, &id)
                {
                    return Err(Error::invalid(
                        "dynamic_registration",
                        "the built-in workspace does not accept registrations",
                    ));
                }
                row.dynamic_registration = mode.as_str().to_owned();
            }
            workspaces::update(c, &row)?;
            let updated = view(&public_url, row);
            let changes = Details::new().diff(&old, &rendered(&updated));
            if changes.has_changes() {
                let event = workspace_event(EventType::WorkspaceUpdated, &id).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok::<_, Error>(updated)
        })
        .await?;
    // This instance sees its own change at once; others within the providers' staleness bound.
    app.providers.invalidate(&t, &w);
    Ok(updated)
}

/// Deletes a workspace with its clients and connections (the pools stay).
pub async fn delete(app: &AppState, ctx: &audit::Context, tenant: &str, id: &str) -> Result<()> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            require(c, &tenant, &id)?;
            super::admin::guard_workspace(&tenant, &id)?;
            workspaces::delete(c, &tenant, &id)?;
            let event = workspace_event(EventType::WorkspaceDeleted, &id);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

/// Connects a pool of the same tenant as an identity provider, after those already connected.
pub async fn connect_pool(
    app: &AppState,
    ctx: &audit::Context,
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
    let ctx = ctx.clone();
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
            let event = connection_event(EventType::IdpConnected, &workspace, &pool);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(Connection::from(row))
        })
        .await
}

/// One page of the workspace's connections, in resolution order (the page key is `(position, pool_id)`).
pub async fn list_connections(
    app: &AppState,
    tenant: &str,
    workspace: &str,
    page: PageRequest,
) -> Result<Page<Connection>> {
    let (tenant, workspace) = (tenant.to_owned(), workspace.to_owned());
    app.db
        .run(move |c| {
            require(c, &tenant, &workspace)?;
            // A workspace has a handful of connections: page them in memory.
            let rows: Vec<Connection> = workspaces::list_connections(c, &tenant, &workspace)?
                .into_iter()
                .filter(|r| {
                    page.after
                        .as_ref()
                        .is_none_or(|(pos, id)| (r.position, &r.pool_id) > (*pos, id))
                })
                .map(Connection::from)
                .take(usize::try_from(page.limit + 1).unwrap_or(usize::MAX))
                .collect();
            Ok(finish(rows, page.limit, |r| {
                (r.position, r.pool_id.clone())
            }))
        })
        .await
}

/// Puts a connected pool at `position` (0: looked up first) in the workspace's resolution order; the others keep
/// their order around it. Answers the connections in their new order.
pub async fn move_connection(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    pool: &str,
    position: i64,
) -> Result<Vec<Connection>> {
    let (tenant, workspace, pool) = (tenant.to_owned(), workspace.to_owned(), pool.to_owned());
    let (now, ctx) = (app.clock.now(), ctx.clone());
    app.db
        .transaction(move |c| {
            require(c, &tenant, &workspace)?;
            let mut rows = workspaces::list_connections(c, &tenant, &workspace)?;
            let from = rows
                .iter()
                .position(|r| r.pool_id == pool)
                .ok_or(Error::NotFound("identity provider connection"))?;
            let to = usize::try_from(position)
                .ok()
                .filter(|to| *to < rows.len())
                .ok_or_else(|| {
                    let last = rows.len() - 1;
                    Error::invalid("position", format!("must be from 0 to {last}"))
                })?;
            let old: Vec<String> = rows.iter().map(|r| r.pool_id.clone()).collect();
            let row = rows.remove(from);
            rows.insert(to, row);
            for (at, row) in (0_i64..).zip(rows.iter_mut()) {
                if row.position != at {
                    row.position = at;
                    workspaces::set_connection_position(c, &tenant, &workspace, &row.pool_id, at)?;
                }
            }
            let new: Vec<String> = rows.iter().map(|r| r.pool_id.clone()).collect();
            let changes = Details::new().change("identity_providers", &old, &new);
            if changes.has_changes() {
                let event =
                    workspace_event(EventType::WorkspaceUpdated, &workspace).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(rows.into_iter().map(Connection::from).collect())
        })
        .await
}

pub async fn disconnect_pool(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    workspace: &str,
    pool: &str,
) -> Result<()> {
    let (tenant, workspace, pool) = (tenant.to_owned(), workspace.to_owned(), pool.to_owned());
    let (now, ctx) = (app.clock.now(), ctx.clone());
    app.db
        .transaction(move |c| {
            require(c, &tenant, &workspace)?;
            if workspaces::delete_connection(c, &tenant, &workspace, &pool)? == 0 {
                return Err(Error::NotFound("identity provider connection"));
            }
            // Its users' sessions here end with the connection (`session::find_live` checks it); their refresh
            // and access tokens must end too, or refresh would keep minting for the refresh lifetime.
            grants::revoke_pool_grants(c, &tenant, &workspace, &pool, now)?;
            let event = connection_event(EventType::IdpDisconnected, &workspace, &pool);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

fn workspace_event(kind: EventType, id: &str) -> Event {
    Event::new(kind)
        .subject(SubjectType::Workspace, id)
        .workspace(id)
}

/// A pool connected to (or disconnected from) a workspace as its identity provider.
fn connection_event(kind: EventType, workspace: &str, pool: &str) -> Event {
    Event::new(kind)
        .subject(SubjectType::Pool, pool)
        .workspace(workspace)
        .pool(pool)
}

/// A workspace's fields as JSON, for the changes of an update (a workspace holds no secret).
fn rendered(workspace: &Workspace) -> serde_json::Value {
    serde_json::to_value(workspace).unwrap_or_default()
}

/// The workspace row, or `NotFound`.
pub fn require(conn: &mut DbConn, tenant: &str, id: &str) -> Result<WorkspaceRow> {
    workspaces::find(conn, tenant, id)?.ok_or(Error::NotFound("workspace"))
}
