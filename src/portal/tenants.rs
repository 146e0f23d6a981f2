//! Tenants: the list (each one a way into its pools: switching tenant is following its link) and creating one.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use crate::identity::tenant::{self, Tenant};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants")
            .route(methods::get().to(list_tenants))
            .route(web::post().to(create_tenant)),
    )
    .route("/tenants/new", methods::get().to(new_tenant));
}

#[derive(Template)]
#[template(path = "portal/tenants/list.html")]
struct TenantsPage {
    layout: Layout,
    tenants: Vec<Tenant>,
    next: Option<String>,
}

async fn list_tenants(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let (tenants, next) = tenant::list(&app, q.request()?).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let layout = layout.crumbs(&[("/admin/-/tenants", "Tenants")]);
    let page = TenantsPage {
        layout,
        tenants,
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

#[derive(Template)]
#[template(path = "portal/tenants/new.html")]
struct NewTenantPage {
    layout: Layout,
    form: FormState,
}

fn new_tenant_page(
    req: &HttpRequest,
    app: &AppState,
    viewer: &crate::authn::portal::Signed,
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, viewer);
    let layout = layout.crumbs(&[
        ("/admin/-/tenants", "Tenants"),
        ("/admin/-/tenants/new", "Create tenant"),
    ]);
    respond(status, &NewTenantPage { layout, form }, cookies)
}

async fn new_tenant(req: HttpRequest, app: Data<AppState>, viewer: Viewer) -> HttpResponse {
    new_tenant_page(&req, &app, &viewer.0, FormState::default(), StatusCode::OK)
}

#[derive(Deserialize)]
struct TenantForm {
    csrf_token: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}
crate::csrf_protected!(TenantForm);

async fn create_tenant(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    form: Csrf<TenantForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    match tenant::create(&app, &admin.1, &f.id, &f.name).await {
        Ok(t) => Ok(see_other(
            &app,
            &format!("/admin/-/tenants/{}/pools", t.id),
            &format!("Created the tenant {}.", t.name),
        )),
        Err(e) => {
            let mut state = FormState::with(&[("id", &f.id), ("name", &f.name)]);
            state.take(e, &[], "id")?;
            Ok(new_tenant_page(
                &req,
                &app,
                &admin.0,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}
