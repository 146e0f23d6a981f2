//! A workspace's **Applications** tab: the list (name, client id, authentication method, grant types), **Create
//! application** with the RFC 7591 fields an HTML form can carry, the page that shows the client secret once
//! (never cached, like every portal page), an application's page (its metadata, read-only) and **Delete** after
//! a confirmation, **Edit** (the admin API's PATCH) and **Rotate secret** (a confirmation and a fresh sign-in, then
//! the new secret shown once). The rules are `identity::client`'s and `identity::client_change`'s, the same the
//! admin API calls.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::client_form::{self, ClientForm, GRANTS, METHODS};
use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use super::step_up::{self, Sensitive};
use super::workspaces::{WorkspacePath, crumbs, workspace_path};
use crate::authn::portal::Signed;
use crate::identity::client::{self, AuthMethod, Client};
use crate::identity::client_change;
use crate::identity::workspace::{self, Workspace};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::html::day;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/applications")
            .route(methods::get().to(list_clients))
            .route(web::post().to(create_client)),
    )
    .route(
        "/tenants/{tenant}/workspaces/{workspace}/applications/new",
        methods::get().to(new_client),
    )
    .route(
        "/tenants/{tenant}/workspaces/{workspace}/applications/{client}",
        methods::get().to(show_client),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/applications/{client}/delete")
            .route(methods::get().to(confirm_delete))
            .route(web::post().to(delete_client)),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/applications/{client}/edit")
            .route(methods::get().to(edit_client))
            .route(web::post().to(update_client)),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/applications/{client}/secret")
            .route(methods::get().to(confirm_rotate))
            .route(web::post().to(rotate_secret)),
    );
}

#[derive(Deserialize)]
struct ClientPath {
    tenant: String,
    workspace: String,
    client: String,
}

impl ClientPath {
    fn workspace(&self) -> WorkspacePath {
        WorkspacePath {
            tenant: self.tenant.clone(),
            workspace: self.workspace.clone(),
        }
    }
}

fn clients_path(tenant: &str, ws: &str) -> String {
    format!("{}/applications", workspace_path(tenant, ws))
}

/// An authentication method as the pages name it.
fn method_label(m: &AuthMethod) -> &'static str {
    match m {
        AuthMethod::ClientSecretBasic => "Client secret (HTTP Basic)",
        AuthMethod::ClientSecretPost => "Client secret (form body)",
        AuthMethod::PrivateKeyJwt => "Private key JWT",
        AuthMethod::None => "None (public client)",
    }
}

#[derive(Template)]
#[template(path = "portal/clients/list.html")]
struct ClientsPage {
    layout: Layout,
    ws: Workspace,
    tab: &'static str,
    clients: Vec<Client>,
    next: Option<String>,
}

async fn list_clients(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let (clients, next) = client::list(&app, &ws.tenant_id, &ws.id, q.request()?).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = clients_path(&ws.tenant_id, &ws.id);
    let page = ClientsPage {
        layout: crumbs(layout, &ws, &[(here.as_str(), "Applications")]),
        ws,
        tab: "applications",
        clients,
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

#[derive(Template)]
#[template(path = "portal/clients/new.html")]
struct NewClientPage {
    layout: Layout,
    ws: Workspace,
    form: FormState,
}

impl NewClientPage {
    fn grants(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &GRANTS
    }

    fn methods(&self) -> &'static [(&'static str, &'static str)] {
        &METHODS
    }
}

async fn new_client_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let list = clients_path(&ws.tenant_id, &ws.id);
    let new = format!("{list}/new");
    let more = [
        (list.as_str(), "Applications"),
        (new.as_str(), "Create application"),
    ];
    let page = NewClientPage {
        layout: crumbs(layout, &ws, &more),
        ws,
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn new_client(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
) -> Result<HttpResponse, PortalError> {
    let form = FormState::with(&[
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("grant_authorization_code", "on"),
        ("scope", client::DEFAULT_SCOPE),
    ]);
    new_client_page(&req, &app, &viewer.0, &path, form, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "portal/clients/secret.html")]
struct CreatedPage {
    layout: Layout,
    ws: Workspace,
    client: Client,
}

/// **Create**: the page showing the client id and, for a confidential client, the secret, which is shown only
/// here (stored hashed; the response is `no-store` as every portal page); or the form again (422).
async fn create_client(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<WorkspacePath>,
    form: Csrf<ClientForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(reg) = f.registration(&mut state) else {
        return new_client_page(&req, &app, &admin.0, &path, state, status).await;
    };
    let (tenant, ws) = (&path.tenant, &path.workspace);
    match client::create(&app, &admin.1, tenant, ws, reg).await {
        Ok(client) => created_page(&req, &app, &admin.0, &path, client).await,
        Err(e) => {
            state.take(e, client_form::FIELDS, "client_name")?;
            new_client_page(&req, &app, &admin.0, &path, state, status).await
        }
    }
}

/// Shown in answer to the POST itself, not after a redirect: the secret exists nowhere else to show later.
async fn created_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    client: Client,
) -> Result<HttpResponse, PortalError> {
    let flash = format!("Created the application {}.", shown_name(&client));
    secret_page(req, app, signed, path, client, flash).await
}

/// The client id and, when the client has one, its new secret, shown once (after Create, Rotate secret, or an
/// Edit that gave the client a secret method).
async fn secret_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    client: Client,
    flash: String,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let mut layout = client_crumbs(layout, &ws, &client, None);
    layout.flash = Some(flash);
    let page = CreatedPage { layout, ws, client };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// The application's name, or its client id when it has none.
fn shown_name(c: &Client) -> &str {
    match c.metadata.client_name.is_empty() {
        true => &c.client_id,
        false => &c.metadata.client_name,
    }
}

/// Breadcrumbs down to the application, and to one of its pages (`("edit", "Edit")`) when given.
fn client_crumbs(
    layout: Layout,
    ws: &Workspace,
    client: &Client,
    page: Option<(&str, &str)>,
) -> Layout {
    let list = clients_path(&ws.tenant_id, &ws.id);
    let here = format!("{list}/{}", client.client_id);
    let below = page.map(|(path, label)| (format!("{here}/{path}"), label));
    let mut more = vec![
        (list.as_str(), "Applications"),
        (here.as_str(), shown_name(client)),
    ];
    if let Some((path, label)) = &below {
        more.push((path.as_str(), label));
    }
    crumbs(layout, ws, &more)
}

async fn client_and_workspace(
    app: &AppState,
    path: &ClientPath,
) -> Result<(Workspace, Client), PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let c = client::find(app, &path.tenant, &path.workspace, &path.client).await?;
    Ok((ws, c))
}

#[derive(Template)]
#[template(path = "portal/clients/show.html")]
struct ClientPage {
    layout: Layout,
    ws: Workspace,
    client: Client,
}

async fn show_client(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ClientPath>,
) -> Result<HttpResponse, PortalError> {
    let (ws, client) = client_and_workspace(&app, &path).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = ClientPage {
        layout: client_crumbs(layout, &ws, &client, None),
        ws,
        client,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

#[derive(Template)]
#[template(path = "portal/clients/delete.html")]
struct DeleteClientPage {
    layout: Layout,
    ws: Workspace,
    client: Client,
}

async fn confirm_delete(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ClientPath>,
) -> Result<HttpResponse, PortalError> {
    let (ws, client) = client_and_workspace(&app, &path).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = DeleteClientPage {
        layout: client_crumbs(layout, &ws, &client, Some(("delete", "Delete"))),
        ws,
        client,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Delete application**: 303 to the Applications tab with a flash.
async fn delete_client(
    app: Data<AppState>,
    admin: Admin,
    path: Path<ClientPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (ws, c) = client_and_workspace(&app, &path).await?;
    client::delete(&app, &admin.1, &ws.tenant_id, &ws.id, &c.client_id).await?;
    let flash = format!("Deleted the application {}.", shown_name(&c));
    Ok(see_other(
        &app,
        &clients_path(&ws.tenant_id, &ws.id),
        &flash,
    ))
}

#[derive(Template)]
#[template(path = "portal/clients/edit.html")]
struct EditClientPage {
    layout: Layout,
    ws: Workspace,
    client: Client,
    form: FormState,
}

impl EditClientPage {
    fn grants(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &GRANTS
    }

    fn methods(&self) -> &'static [(&'static str, &'static str)] {
        &METHODS
    }
}

async fn edit_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &ClientPath,
    form: Option<FormState>,
) -> Result<HttpResponse, PortalError> {
    let (ws, client) = client_and_workspace(app, path).await?;
    let status = match form {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let form = form.unwrap_or_else(|| client_form::state_of(&client.metadata));
    let (layout, cookies) = Layout::new(req, app, signed);
    let page = EditClientPage {
        layout: client_crumbs(layout, &ws, &client, Some(("edit", "Edit"))),
        ws,
        client,
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn edit_client(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ClientPath>,
) -> Result<HttpResponse, PortalError> {
    edit_page(&req, &app, &viewer.0, &path, None).await
}

/// **Save** on Edit: the admin API's merge patch of the fields the form has; 303 to the application with a
/// flash, or the form again (422). A client that switches to a secret method gets its new secret shown once.
async fn update_client(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<ClientPath>,
    form: Csrf<ClientForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    let Some(patch) = f.patch(&mut state) else {
        return edit_page(&req, &app, &admin.0, &path, Some(state)).await;
    };
    let (tenant, ws, id) = (&path.tenant, &path.workspace, &path.client);
    match client_change::patch(&app, &admin.1, tenant, ws, id, patch).await {
        Ok(c) if c.client_secret.is_some() => {
            let flash = format!(
                "Saved the application {}. It now authenticates with a secret.",
                shown_name(&c)
            );
            secret_page(&req, &app, &admin.0, &path.workspace(), c, flash).await
        }
        Ok(c) => {
            let here = format!("{}/{}", clients_path(tenant, ws), c.client_id);
            let flash = format!("Saved the application {}.", shown_name(&c));
            Ok(see_other(&app, &here, &flash))
        }
        Err(e) => {
            state.take(e, client_form::FIELDS, "client_name")?;
            edit_page(&req, &app, &admin.0, &path, Some(state)).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/clients/rotate.html")]
struct RotateSecretPage {
    layout: Layout,
    ws: Workspace,
    client: Client,
}

async fn confirm_rotate(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ClientPath>,
) -> Result<HttpResponse, PortalError> {
    let (ws, client) = client_and_workspace(&app, &path).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = RotateSecretPage {
        layout: client_crumbs(layout, &ws, &client, Some(("secret", "Rotate secret"))),
        ws,
        client,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Rotate secret**: with a fresh sign-in, the new secret shown once in answer to this POST; otherwise the
/// fresh sign-in first, which returns to the confirmation (the secret can only be shown in answer to a POST of
/// this browser, so the kept action does not rotate by itself).
async fn rotate_secret(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<ClientPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (ws, c) = client_and_workspace(&app, &path).await?;
    if !admin.0.is_fresh(app.clock.now()) {
        let action = Sensitive::RotateClientSecret {
            tenant: ws.tenant_id.clone(),
            workspace: ws.id.clone(),
            client: c.client_id.clone(),
        };
        let back = format!(
            "{}/{}/secret",
            clients_path(&ws.tenant_id, &ws.id),
            c.client_id
        );
        return step_up::require_fresh(&req, &app, &admin, action, &back).await;
    }
    let rotated =
        client_change::rotate_secret(&app, &admin.1, &ws.tenant_id, &ws.id, &c.client_id).await?;
    let flash = format!(
        "Rotated the secret of {}: the old one no longer works.",
        shown_name(&rotated)
    );
    secret_page(&req, &app, &admin.0, &path.workspace(), rotated, flash).await
}
