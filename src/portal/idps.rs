//! A workspace's **Identity Providers** tab: the connected pools in the order the login page looks identifiers
//! up, **Move up** / **Move down** in that order, **Connect** one of the tenant's other pools (it goes last), and
//! **Disconnect** after a confirmation.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::layout::{Layout, respond, see_other};
use super::paging;
use super::session::{Admin, Viewer};
use super::workspaces::{WorkspacePath, crumbs};
use crate::authn::portal::Signed;
use crate::identity::pool::{self, Pool};
use crate::identity::workspace::{self, Workspace};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/idps")
            .route(methods::get().to(list_idps))
            .route(web::post().to(connect)),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/idps/{pool}/move")
            .route(web::post().to(move_pool)),
    )
    .service(
        web::resource("/tenants/{tenant}/workspaces/{workspace}/idps/{pool}/disconnect")
            .route(methods::get().to(confirm_disconnect))
            .route(web::post().to(disconnect)),
    );
}

#[derive(Deserialize)]
struct ConnectionPath {
    tenant: String,
    workspace: String,
    pool: String,
}

fn idps_path(tenant: &str, ws: &str) -> String {
    format!("/admin/-/tenants/{tenant}/workspaces/{ws}/idps")
}

/// The connected pools in order, and the tenant's pools not connected yet.
async fn connections(
    app: &AppState,
    ws: &Workspace,
) -> Result<(Vec<Pool>, Vec<Pool>), PortalError> {
    let (tenant, id) = (&ws.tenant_id, &ws.id);
    let connected = paging::all(|page| workspace::list_connections(app, tenant, id, page)).await?;
    let mut pools = paging::all(|page| pool::list(app, tenant, page)).await?;
    let mut ordered = Vec::with_capacity(connected.len());
    for c in connected {
        if let Some(at) = pools.iter().position(|p| p.id == c.pool_id) {
            ordered.push(pools.remove(at));
        }
    }
    Ok((ordered, pools))
}

#[derive(Template)]
#[template(path = "portal/idps/list.html")]
struct IdpsPage {
    layout: Layout,
    ws: Workspace,
    tab: &'static str,
    connected: Vec<Pool>,
    unconnected: Vec<Pool>,
    form: FormState,
}

async fn idps_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &WorkspacePath,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(app, &path.tenant, &path.workspace).await?;
    let (connected, unconnected) = connections(app, &ws).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let here = idps_path(&ws.tenant_id, &ws.id);
    let page = IdpsPage {
        layout: crumbs(layout, &ws, &[(here.as_str(), "Identity Providers")]),
        ws,
        tab: "idps",
        connected,
        unconnected,
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn list_idps(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<WorkspacePath>,
) -> Result<HttpResponse, PortalError> {
    let form = FormState::default();
    idps_page(&req, &app, &viewer.0, &path, form, StatusCode::OK).await
}

#[derive(Deserialize)]
struct ConnectForm {
    csrf_token: String,
    #[serde(default)]
    pool_id: String,
}
crate::csrf_protected!(ConnectForm);

/// **Connect**: 303 back to the tab, or the tab again (422) with the refusal at the pool select.
async fn connect(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<WorkspacePath>,
    form: Csrf<ConnectForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let (tenant, ws) = (&path.tenant, &path.workspace);
    match workspace::connect_pool(&app, &admin.1, tenant, ws, &f.pool_id).await {
        Ok(_) => {
            let name = pool::find(&app, tenant, &f.pool_id).await?.name;
            let flash = format!("Connected {name}: its users can now sign in here.");
            Ok(see_other(&app, &idps_path(tenant, ws), &flash))
        }
        Err(e) => {
            let mut state = FormState::with(&[("pool_id", &f.pool_id)]);
            state.take(e, &[], "pool_id")?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            idps_page(&req, &app, &admin.0, &path, state, status).await
        }
    }
}

#[derive(Deserialize)]
struct MoveForm {
    csrf_token: String,
    #[serde(default)]
    position: String,
}
crate::csrf_protected!(MoveForm);

/// **Move up** / **Move down**: the buttons post the pool's new place; a stale one (the list changed meanwhile)
/// is refused by the domain and shown as such.
async fn move_pool(
    app: Data<AppState>,
    admin: Admin,
    path: Path<ConnectionPath>,
    form: Csrf<MoveForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let (tenant, ws) = (&path.tenant, &path.workspace);
    let Ok(position) = f.position.trim().parse::<i64>() else {
        return Err(PortalError::Invalid(
            "The new place in the order is not a number.".into(),
        ));
    };
    let name = pool::find(&app, tenant, &path.pool).await?.name;
    workspace::move_connection(&app, &admin.1, tenant, ws, &path.pool, position).await?;
    let flash = format!("Moved {name} to place {} of the order.", position + 1);
    Ok(see_other(&app, &idps_path(tenant, ws), &flash))
}

#[derive(Template)]
#[template(path = "portal/idps/disconnect.html")]
struct DisconnectPage {
    layout: Layout,
    ws: Workspace,
    pool: Pool,
}

async fn confirm_disconnect(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<ConnectionPath>,
) -> Result<HttpResponse, PortalError> {
    let ws = workspace::find(&app, &path.tenant, &path.workspace).await?;
    let (connected, _) = connections(&app, &ws).await?;
    let Some(pool) = connected.into_iter().find(|p| p.id == path.pool) else {
        return Err(PortalError::NotFound("identity provider connection"));
    };
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let idps = idps_path(&ws.tenant_id, &ws.id);
    let here = format!("{idps}/{}/disconnect", pool.id);
    let layout = crumbs(
        layout,
        &ws,
        &[
            (idps.as_str(), "Identity Providers"),
            (here.as_str(), "Disconnect"),
        ],
    );
    let page = DisconnectPage { layout, ws, pool };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Disconnect**: the pool stays; its users' sessions and tokens in this workspace end (the domain's rule).
async fn disconnect(
    app: Data<AppState>,
    admin: Admin,
    path: Path<ConnectionPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (tenant, ws) = (&path.tenant, &path.workspace);
    let name = pool::find(&app, tenant, &path.pool).await?.name;
    workspace::disconnect_pool(&app, &admin.1, tenant, ws, &path.pool).await?;
    let flash = format!("Disconnected {name}.");
    Ok(see_other(&app, &idps_path(tenant, ws), &flash))
}
