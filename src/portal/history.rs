//! The **History** tab of a pool, a user, a group, a workspace and an application: the audit events about that
//! object, newest first, paged, in the same rows as the Audit page. The object is looked up first, in its tenant
//! (and pool or workspace), so another tenant's object is not found; the events come from `audit::query`, narrowed
//! to the object's kind and id.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::audit_rows::{self, EventRow};
use super::error::PortalError;
use super::layout::{Layout, respond};
use super::paging::{self, PageQuery};
use super::session::Viewer;
use crate::audit::SubjectType;
use crate::audit::query::{self, Filter};
use crate::identity::{client, group, pool, user, workspace};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/pools/{pool}/history",
        methods::get().to(show_pool_history),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/users/{user}/history",
        methods::get().to(show_user_history),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/groups/{group}/history",
        methods::get().to(show_group_history),
    )
    .route(
        "/tenants/{tenant}/workspaces/{workspace}/history",
        methods::get().to(show_workspace_history),
    )
    .route(
        "/tenants/{tenant}/workspaces/{workspace}/applications/{client}/history",
        methods::get().to(show_application_history),
    );
}

/// `(path, label)` from the tenant down to an object's page.
type Crumbs = Vec<(String, String)>;
/// `(path, label)` of an object's tabs but History.
type Tabs = Vec<(String, &'static str)>;

/// A tab of the object's tab bar.
struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

/// What differs between the History tabs: the object, its place in the breadcrumbs and its tab bar.
struct Object {
    kind: SubjectType,
    id: String,
    /// The object's name, as its page's heading shows it.
    name: String,
    crumbs: Crumbs,
    /// What the tab bar is named (`aria-label`).
    tabs_label: &'static str,
    /// The object's other tabs; History comes last.
    tabs: Tabs,
}

#[derive(Template)]
#[template(path = "portal/audit/history.html")]
struct HistoryPage {
    layout: Layout,
    tenant: String,
    title: String,
    name: String,
    /// The Audit page's query string for this object's events.
    audit_query: String,
    tabs_label: &'static str,
    tabs: Vec<Tab>,
    events: Vec<EventRow>,
    caption: String,
    here: String,
    next: Option<String>,
    later_page: bool,
}

async fn history(
    req: &HttpRequest,
    app: &AppState,
    viewer: &Viewer,
    tenant: &str,
    object: Object,
    q: &PageQuery,
) -> Result<HttpResponse, PortalError> {
    let filter = Filter {
        subject_type: Some(object.kind.as_str().to_owned()),
        subject_id: Some(object.id.clone()),
        ..Filter::default()
    };
    let (events, next) = query::list(app, tenant, filter, q.request()?).await?;
    let events = audit_rows::rows(app, tenant, events).await?;
    let base = object
        .crumbs
        .last()
        .map(|(p, _)| p.clone())
        .unwrap_or_default();
    let here = format!("{base}/history");
    let mut crumbs: Vec<(&str, &str)> = vec![("/admin/-/tenants", "Tenant Settings")];
    crumbs.extend(object.crumbs.iter().map(|(p, l)| (p.as_str(), l.as_str())));
    crumbs.push((here.as_str(), "History"));
    let title = std::iter::once("History")
        .chain(object.crumbs.iter().rev().map(|(_, l)| l.as_str()))
        .chain(std::iter::once(tenant))
        .collect::<Vec<_>>()
        .join(" — ");
    let (layout, cookies) = Layout::new(req, app, &viewer.0);
    let layout = layout.crumbs(&crumbs).in_tenant(tenant);
    let mut tabs: Vec<Tab> = object
        .tabs
        .into_iter()
        .map(|(href, label)| Tab {
            href,
            label,
            current: false,
        })
        .collect();
    tabs.push(Tab {
        href: here.clone(),
        label: "History",
        current: true,
    });
    let page = HistoryPage {
        layout,
        tenant: tenant.to_owned(),
        title,
        caption: format!("What happened to {}, newest first", object.name),
        name: object.name,
        audit_query: url::form_urlencoded::Serializer::new(String::new())
            .append_pair("subject_type", object.kind.as_str())
            .append_pair("subject_id", &object.id)
            .finish(),
        tabs_label: object.tabs_label,
        tabs,
        events,
        next: paging::cursor(&next),
        later_page: q.cursor.as_deref().is_some_and(|c| !c.is_empty()),
        here,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

fn pools_path(tenant: &str) -> String {
    format!("/admin/-/tenants/{tenant}/pools")
}

/// Crumbs down to a pool, and its tabs but History.
fn pool_object(tenant: &str, p: &pool::Pool) -> (Crumbs, Tabs) {
    let list = pools_path(tenant);
    let here = format!("{list}/{}", p.id);
    let crumbs = vec![
        (list, "Identity Pools".to_owned()),
        (here.clone(), p.name.clone()),
    ];
    let tabs = vec![
        (format!("{here}/users"), "Users"),
        (format!("{here}/groups"), "Groups"),
        (here, "Settings"),
    ];
    (crumbs, tabs)
}

#[derive(Deserialize)]
struct PoolPath {
    tenant: String,
    pool: String,
}

async fn show_pool_history(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let p = pool::find(&app, &path.tenant, &path.pool).await?;
    let (crumbs, tabs) = pool_object(&path.tenant, &p);
    let object = Object {
        kind: SubjectType::Pool,
        id: p.id,
        name: p.name,
        crumbs,
        tabs_label: "Pool",
        tabs,
    };
    history(&req, &app, &viewer, &path.tenant, object, &q).await
}

#[derive(Deserialize)]
struct UserPath {
    tenant: String,
    pool: String,
    user: String,
}

async fn show_user_history(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<UserPath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let p = pool::find(&app, &path.tenant, &path.pool).await?;
    let u = user::find(&app, &path.tenant, &path.pool, &path.user).await?;
    let (mut crumbs, _) = pool_object(&path.tenant, &p);
    let users = format!("{}/{}/users", pools_path(&path.tenant), p.id);
    let here = format!("{users}/{}", u.id);
    let name = super::group::identifier(&u).to_owned();
    crumbs.push((users, "Users".to_owned()));
    crumbs.push((here.clone(), name.clone()));
    let object = Object {
        kind: SubjectType::User,
        id: u.id,
        name,
        crumbs,
        tabs_label: "User",
        tabs: vec![(here, "Details")],
    };
    history(&req, &app, &viewer, &path.tenant, object, &q).await
}

#[derive(Deserialize)]
struct GroupPath {
    tenant: String,
    pool: String,
    group: String,
}

async fn show_group_history(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<GroupPath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let p = pool::find(&app, &path.tenant, &path.pool).await?;
    let g = group::find(&app, &path.tenant, &path.pool, &path.group).await?;
    let (mut crumbs, _) = pool_object(&path.tenant, &p);
    let groups = format!("{}/{}/groups", pools_path(&path.tenant), p.id);
    let here = format!("{groups}/{}", g.id);
    crumbs.push((groups, "Groups".to_owned()));
    crumbs.push((here.clone(), g.name.clone()));
    let object = Object {
        kind: SubjectType::Group,
        id: g.id,
        name: g.name,
        crumbs,
        tabs_label: "Group",
        tabs: vec![(here, "Details")],
    };
    history(&req, &app, &viewer, &path.tenant, object, &q).await
}

/// Crumbs down to a workspace, and its tabs but History.
fn workspace_object(ws: &workspace::Workspace) -> (Crumbs, Tabs) {
    let list = format!("/admin/-/tenants/{}/workspaces", ws.tenant_id);
    let here = super::workspaces::workspace_path(&ws.tenant_id, &ws.id);
    let crumbs = vec![
        (list, "Workspaces".to_owned()),
        (here.clone(), ws.name.clone()),
    ];
    let tabs = vec![
        (here.clone(), "Overview"),
        (format!("{here}/idps"), "Identity Providers"),
        (format!("{here}/applications"), "Applications"),
        (format!("{here}/keys"), "Signing keys"),
    ];
    (crumbs, tabs)
}

#[derive(Deserialize)]
struct WorkspacePath {
    tenant: String,
    workspace: String,
}

async fn show_workspace_history(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let (crumbs, tabs) = workspace_object(&ws);
    let object = Object {
        kind: SubjectType::Workspace,
        id: ws.id,
        name: ws.name,
        crumbs,
        tabs_label: "Workspace",
        tabs,
    };
    history(&req, &app, &viewer, &path.tenant, object, &q).await
}

#[derive(Deserialize)]
struct ClientPath {
    tenant: String,
    workspace: String,
    client: String,
}

async fn show_application_history(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ClientPath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let c = client::find(&app, &path.tenant, &path.workspace, &path.client).await?;
    let (mut crumbs, _) = workspace_object(&ws);
    let list = format!(
        "{}/applications",
        super::workspaces::workspace_path(&ws.tenant_id, &ws.id)
    );
    let here = format!("{list}/{}", c.client_id);
    let name = match c.metadata.client_name.is_empty() {
        true => c.client_id.clone(),
        false => c.metadata.client_name.clone(),
    };
    crumbs.push((list, "Applications".to_owned()));
    crumbs.push((here.clone(), name.clone()));
    let object = Object {
        kind: SubjectType::Client,
        id: c.client_id,
        name,
        crumbs,
        tabs_label: "Application",
        tabs: vec![(here, "Details")],
    };
    history(&req, &app, &viewer, &path.tenant, object, &q).await
}
