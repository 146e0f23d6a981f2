//! Workspaces of a tenant: the list (issuer, applications, connected pools), **Create workspace**, a workspace's
//! **Overview** tab (issuer, discovery URL, and the settings the admin API's PATCH takes: name, token lifetimes,
//! DPoP nonces), and deleting a workspace (a confirmation that says what goes with it and asks to type its name,
//! then a step-up). The rules are `identity::workspace`'s, the same the admin API calls.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use super::step_up::{self, Sensitive};
use crate::authn::portal::Signed;
use crate::identity::deletion_impact::{self, WorkspaceImpact};
use crate::identity::workspace::{
    self, Counts, Lifetimes, NewWorkspace, RegistrationMode, Workspace, WorkspacePatch,
};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::html::day;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/workspaces")
            .route(methods::get().to(list_workspaces))
            .route(web::post().to(create_workspace)),
    )
    // `-/new`, not `new`: `new` is a valid workspace id, and no workspace id starts with `-`.
    .route(
        "/tenants/{tenant}/workspaces/-/new",
        methods::get().to(new_workspace),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}")
            .route(methods::get().to(show_workspace))
            .route(web::post().to(update_workspace)),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/delete")
            .route(methods::get().to(confirm_delete_workspace))
            .route(web::post().to(delete_workspace)),
    );
}

#[derive(Deserialize)]
pub(super) struct WorkspacePath {
    pub tenant: String,
    pub workspace: String,
}

impl WorkspacePath {
    /// The workspace's Overview tab, under the public URL's root.
    pub fn page(&self) -> String {
        workspace_path(&self.tenant, &self.workspace)
    }
}

pub(super) fn workspace_path(tenant: &str, ws: &str) -> String {
    format!("/admin/-/tenants/{tenant}/workspaces/{ws}")
}

/// "Tenant Settings › Workspaces › …" for `tenant`, then `more`.
fn list_crumbs(layout: Layout, tenant: &str, more: &[(&str, &str)]) -> Layout {
    let list = format!("/admin/-/tenants/{tenant}/workspaces");
    let mut all = vec![
        ("/admin/-/tenants", "Tenant Settings"),
        (list.as_str(), "Workspaces"),
    ];
    all.extend_from_slice(more);
    layout.crumbs(&all).in_tenant(tenant)
}

/// Crumbs down to the workspace `ws`, then `more` (a tab, a page under it).
pub(super) fn crumbs(layout: Layout, ws: &Workspace, more: &[(&str, &str)]) -> Layout {
    let here = workspace_path(&ws.tenant_id, &ws.id);
    let mut all = vec![(here.as_str(), ws.name.as_str())];
    all.extend_from_slice(more);
    list_crumbs(layout, &ws.tenant_id, &all)
}

#[derive(Template)]
#[template(path = "portal/workspaces/list.html")]
struct WorkspacesPage {
    layout: Layout,
    tenant: String,
    workspaces: Vec<(Workspace, Counts)>,
    next: Option<String>,
}

async fn list_workspaces(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let (workspaces, next) = workspace::list_with_counts(&app, &tenant, q.request()?).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = WorkspacesPage {
        layout: list_crumbs(layout, &tenant, &[]),
        tenant: tenant.into_inner(),
        workspaces,
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

#[derive(Template)]
#[template(path = "portal/workspaces/new.html")]
struct NewWorkspacePage {
    layout: Layout,
    tenant: String,
    form: FormState,
}

fn new_workspace_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    tenant: &str,
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let new = format!("/admin/-/tenants/{tenant}/workspaces/-/new");
    let page = NewWorkspacePage {
        layout: list_crumbs(layout, tenant, &[(new.as_str(), "Create workspace")]),
        tenant: tenant.to_owned(),
        form,
    };
    respond(status, &page, cookies)
}

async fn new_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
) -> Result<HttpResponse, PortalError> {
    crate::identity::tenant::find(&app, &tenant).await?;
    let form = FormState::default();
    Ok(new_workspace_page(
        &req,
        &app,
        &viewer.0,
        &tenant,
        form,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct NewWorkspaceForm {
    csrf_token: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}
crate::csrf_protected!(NewWorkspaceForm);

/// **Create**: 303 to the new workspace, or the form again (422) with the refusal at its field (a taken or
/// malformed id at the id).
async fn create_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    tenant: Path<String>,
    form: Csrf<NewWorkspaceForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = FormState::with(&[("id", &f.id), ("name", &f.name)]);
    let input = NewWorkspace {
        id: f.id,
        name: f.name,
    };
    match workspace::create(&app, &admin.1, &tenant, input).await {
        Ok(ws) => Ok(see_other(
            &app,
            &workspace_path(&tenant, &ws.id),
            &format!("Created the workspace {}.", ws.name),
        )),
        Err(e) => {
            state.take(e, &[], "id")?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(new_workspace_page(
                &req, &app, &admin.0, &tenant, state, status,
            ))
        }
    }
}

/// The domain's field names and the Overview form's.
const FIELDS: &[(&str, &str)] = &[
    ("lifetimes.access_token", "access_token"),
    ("lifetimes.id_token", "id_token"),
    ("lifetimes.refresh_token", "refresh_token"),
    ("lifetimes.session", "session"),
];

fn settings_of(ws: &Workspace) -> FormState {
    let l = ws.lifetimes;
    let numbers = [
        l.access_token.to_string(),
        l.id_token.to_string(),
        l.refresh_token.to_string(),
        l.session.to_string(),
    ];
    FormState::with(&[
        ("name", &ws.name),
        ("access_token", &numbers[0]),
        ("id_token", &numbers[1]),
        ("refresh_token", &numbers[2]),
        ("session", &numbers[3]),
        (
            "dpop_nonce_required",
            if ws.dpop_nonce_required { "on" } else { "" },
        ),
        (
            "require_pushed_authorization_requests",
            if ws.require_pushed_authorization_requests {
                "on"
            } else {
                ""
            },
        ),
        ("dynamic_registration", ws.dynamic_registration.as_str()),
    ])
}

/// The registration modes the Overview's select offers, `(value, label)`.
pub const REGISTRATION_MODES: [(&str, &str); 3] = [
    ("off", "Off"),
    ("open", "Open: anyone may register"),
    ("initial_access_token", "With an initial access token"),
];

#[derive(Template)]
#[template(path = "portal/workspaces/show.html")]
struct WorkspacePage {
    layout: Layout,
    ws: Workspace,
    tab: &'static str,
    form: FormState,
}

impl WorkspacePage {
    fn registration_modes(&self) -> &'static [(&'static str, &'static str)] {
        &REGISTRATION_MODES
    }

    fn registration_label(&self) -> &'static str {
        let mode = self.ws.dynamic_registration.as_str();
        REGISTRATION_MODES
            .iter()
            .find(|(value, _)| *value == mode)
            .map_or("Off", |(_, label)| label)
    }
}

async fn workspace_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    form: Option<FormState>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let status = match form {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let form = form.unwrap_or_else(|| settings_of(&ws));
    let (layout, cookies) = Layout::new(req, app, signed);
    let page = WorkspacePage {
        layout: crumbs(layout, &ws, &[]),
        ws,
        tab: "overview",
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn show_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
) -> Result<HttpResponse, PortalError> {
    workspace_page(&req, &app, &viewer.0, &path, None).await
}

#[derive(Deserialize)]
struct SettingsForm {
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    id_token: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    dpop_nonce_required: String,
    #[serde(default)]
    require_pushed_authorization_requests: String,
    #[serde(default)]
    dynamic_registration: String,
}
crate::csrf_protected!(SettingsForm);

impl SettingsForm {
    fn state(&self) -> FormState {
        FormState::with(&[
            ("name", &self.name),
            ("access_token", &self.access_token),
            ("id_token", &self.id_token),
            ("refresh_token", &self.refresh_token),
            ("session", &self.session),
            ("dpop_nonce_required", &self.dpop_nonce_required),
            (
                "require_pushed_authorization_requests",
                &self.require_pushed_authorization_requests,
            ),
            ("dynamic_registration", &self.dynamic_registration),
        ])
    }

    /// Every setting as a patch, or `None` (the problems in `state`) when a lifetime is not a number; the
    /// bounds are the domain's.
    fn patch(&self, state: &mut FormState) -> Option<WorkspacePatch> {
        let mut number = |field: &str, value: &str| match value.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                state.refuse(field, "Enter a whole number of seconds");
                0
            }
        };
        let lifetimes = Lifetimes {
            access_token: number("access_token", &self.access_token),
            id_token: number("id_token", &self.id_token),
            refresh_token: number("refresh_token", &self.refresh_token),
            session: number("session", &self.session),
        };
        // A form without the select (an older page) keeps the mode; a value the select does not offer is refused.
        let mode = REGISTRATION_MODES
            .iter()
            .find(|(value, _)| *value == self.dynamic_registration)
            .map(|(value, _)| RegistrationMode::parse(value));
        if mode.is_none() && !self.dynamic_registration.is_empty() {
            state.refuse("dynamic_registration", "Choose one of the modes");
        }
        if state.has_errors() {
            return None;
        }
        Some(WorkspacePatch {
            name: Some(self.name.clone()),
            lifetimes: Some(lifetimes),
            dpop_nonce_required: Some(!self.dpop_nonce_required.is_empty()),
            require_pushed_authorization_requests: Some(
                !self.require_pushed_authorization_requests.is_empty(),
            ),
            dynamic_registration: mode,
        })
    }
}

/// **Save** on the Overview tab.
async fn update_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<WorkspacePath>,
    form: Csrf<SettingsForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    let Some(patch) = f.patch(&mut state) else {
        return workspace_page(&req, &app, &admin.0, &path, Some(state)).await;
    };
    match workspace::update(&app, &admin.1, &path.tenant, &path.workspace, patch).await {
        Ok(ws) => Ok(see_other(
            &app,
            &path.page(),
            &format!("Saved the settings of {}.", ws.name),
        )),
        Err(e) => {
            state.take(e, FIELDS, "name")?;
            workspace_page(&req, &app, &admin.0, &path, Some(state)).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/workspaces/delete.html")]
struct DeleteWorkspacePage {
    layout: Layout,
    ws: Workspace,
    impact: WorkspaceImpact,
    form: FormState,
}

async fn delete_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let impact = deletion_impact::of_workspace(app, &path.tenant, &path.workspace).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let del = format!("{}/delete", path.page());
    let page = DeleteWorkspacePage {
        layout: crumbs(layout, &ws, &[(del.as_str(), "Delete")]),
        ws,
        impact,
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn confirm_delete_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
) -> Result<HttpResponse, PortalError> {
    let form = FormState::default();
    delete_page(&req, &app, &viewer.0, &path, form, StatusCode::OK).await
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf_token: String,
    #[serde(default)]
    confirm_name: String,
}
crate::csrf_protected!(DeleteForm);

/// **Delete workspace**: the typed name must be the workspace's; then, with a fresh sign-in, it goes.
async fn delete_workspace(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<WorkspacePath>,
    form: Csrf<DeleteForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let found = workspace::find(&app, &path.tenant, &path.workspace).await?;
    if f.confirm_name.trim() != found.name {
        let mut state = FormState::with(&[("confirm_name", &f.confirm_name)]);
        state.refuse(
            "confirm_name",
            "Type the workspace's name exactly to confirm",
        );
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return delete_page(&req, &app, &admin.0, &path, state, status).await;
    }
    let action = Sensitive::DeleteWorkspace {
        tenant: path.tenant.clone(),
        workspace: found.id,
        name: found.name,
    };
    let back = format!("/admin/-/tenants/{}/workspaces", path.tenant);
    step_up::require_fresh(&req, &app, &admin, action, &back).await
}
