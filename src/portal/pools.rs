//! Identity Pools of a tenant: the list (tag colour, user count, sign-in methods), **Create New**, a pool's page
//! with its tabs (**Settings** here: every creation field plus password policy and verification-code settings) and
//! its connected workspaces, and deleting a pool (a confirmation that asks to type its name, then a step-up).

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::pool_form::{self, PoolForm, SchemaChoice};
use super::session::{Admin, Viewer};
use super::step_up::{self, Sensitive};
use crate::authn::portal::Signed;
use crate::identity::pool::{self, Pool};
use crate::identity::profile_schema;
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools")
            .route(methods::get().to(list_pools))
            .route(web::post().to(create_pool)),
    )
    .route("/tenants/{tenant}/pools/new", methods::get().to(new_pool))
    .service(
        web::resource("/tenants/{tenant}/pools/{pool}")
            .route(methods::get().to(show_pool))
            .route(web::post().to(update_pool)),
    )
    .service(
        web::resource("/tenants/{tenant}/pools/{pool}/delete")
            .route(methods::get().to(confirm_delete_pool))
            .route(web::post().to(delete_pool)),
    );
}

#[derive(Deserialize)]
struct PoolPath {
    tenant: String,
    pool: String,
}

#[derive(Template)]
#[template(path = "portal/pools/list.html")]
struct PoolsPage {
    layout: Layout,
    tenant: String,
    pools: Vec<(Pool, i64)>,
    next: Option<String>,
}

/// A sign-in method as the pool list names it.
fn method_label(m: &crate::identity::pool::Mechanism) -> &'static str {
    match m {
        crate::identity::pool::Mechanism::Password => "Password",
        crate::identity::pool::Mechanism::Otp => "Verification code",
        crate::identity::pool::Mechanism::Passkey => "Passkey",
    }
}

async fn list_pools(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let (pools, next) = pool::list_with_user_counts(&app, &tenant, q.request()?).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let layout = crumbs(layout, &tenant, &[]).in_tenant(&tenant);
    let page = PoolsPage {
        layout,
        tenant: tenant.into_inner(),
        pools,
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// "Tenant Settings › Identity Pools › …" for `tenant`, then `more`.
fn crumbs(layout: Layout, tenant: &str, more: &[(&str, &str)]) -> Layout {
    let settings = format!("/admin/-/tenants/{tenant}/pools");
    let mut all = vec![
        ("/admin/-/tenants", "Tenant Settings"),
        (settings.as_str(), "Identity Pools"),
    ];
    all.extend_from_slice(more);
    layout.crumbs(&all)
}

/// The options of the pool form's two schema selects.
struct SchemaSelects {
    payload: Vec<SchemaChoice>,
    metadata: Vec<SchemaChoice>,
}

impl SchemaSelects {
    /// The selects over every schema of the tenant.
    async fn load(app: &AppState, tenant: &str, form: &FormState) -> Result<Self, PortalError> {
        let schemas = paging::all(|page| profile_schema::list(app, tenant, page)).await?;
        Ok(SchemaSelects {
            payload: pool_form::schema_choices(
                &schemas,
                form,
                "payload_schema_id",
                "Built-in user schema (given_name, family_name, name)",
            ),
            metadata: pool_form::schema_choices(&schemas, form, "metadata_schema_id", "None"),
        })
    }
}

#[derive(Template)]
#[template(path = "portal/pools/new.html")]
struct NewPoolPage {
    layout: Layout,
    tenant: String,
    form: FormState,
    schemas: SchemaSelects,
}

async fn new_pool_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    tenant: &str,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let schemas = SchemaSelects::load(app, tenant, &form).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let new = format!("/admin/-/tenants/{tenant}/pools/new");
    let layout = crumbs(layout, tenant, &[(new.as_str(), "Create New")]).in_tenant(tenant);
    let page = NewPoolPage {
        layout,
        tenant: tenant.to_owned(),
        form,
        schemas,
    };
    Ok(respond(status, &page, cookies))
}

async fn new_pool(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
) -> Result<HttpResponse, PortalError> {
    crate::identity::tenant::find(&app, &tenant).await?;
    let form = pool_form::defaults();
    new_pool_page(&req, &app, &viewer.0, &tenant, form, StatusCode::OK).await
}

async fn create_pool(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    tenant: Path<String>,
    form: Csrf<PoolForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(input) = f.new_pool(&mut state) else {
        return new_pool_page(&req, &app, &admin.0, &tenant, state, status).await;
    };
    match pool::create(&app, &admin.1, &tenant, input).await {
        Ok(p) => {
            let path = format!("/admin/-/tenants/{tenant}/pools/{}", p.id);
            Ok(see_other(
                &app,
                &path,
                &format!("Created the pool {}.", p.name),
            ))
        }
        Err(e) => {
            state.take(e, pool_form::FIELDS, "name")?;
            new_pool_page(&req, &app, &admin.0, &tenant, state, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/pools/show.html")]
struct PoolPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    users: i64,
    workspaces: Vec<String>,
    form: FormState,
    schemas: SchemaSelects,
}

async fn pool_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &PoolPath,
    form: Option<FormState>,
) -> Result<HttpResponse, PortalError> {
    let (pool, users, workspaces) = pool::overview(app, &path.tenant, &path.pool).await?;
    let status = match form {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let form = form.unwrap_or_else(|| pool_form::of(&pool));
    let schemas = SchemaSelects::load(app, &path.tenant, &form).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let here = format!("/admin/-/tenants/{}/pools/{}", path.tenant, pool.id);
    let layout = crumbs(layout, &path.tenant, &[(here.as_str(), pool.name.as_str())])
        .in_tenant(&path.tenant);
    let page = PoolPage {
        layout,
        tenant: path.tenant.clone(),
        pool,
        users,
        workspaces,
        form,
        schemas,
    };
    Ok(respond(status, &page, cookies))
}

async fn show_pool(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
) -> Result<HttpResponse, PortalError> {
    pool_page(&req, &app, &viewer.0, &path, None).await
}

/// **Save** on the Settings tab.
async fn update_pool(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<PoolForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    let Some(patch) = f.patch(&mut state) else {
        return pool_page(&req, &app, &admin.0, &path, Some(state)).await;
    };
    match pool::update(&app, &admin.1, &path.tenant, &path.pool, patch).await {
        Ok(p) => {
            let here = format!("/admin/-/tenants/{}/pools/{}", path.tenant, p.id);
            Ok(see_other(
                &app,
                &here,
                &format!("Saved the settings of {}.", p.name),
            ))
        }
        Err(e) => {
            state.take(e, pool_form::FIELDS, "name")?;
            pool_page(&req, &app, &admin.0, &path, Some(state)).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/pools/delete.html")]
struct DeletePoolPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    users: i64,
    workspaces: Vec<String>,
    form: FormState,
}

async fn delete_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &PoolPath,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let (pool, users, workspaces) = pool::overview(app, &path.tenant, &path.pool).await?;
    let (layout, cookies) = Layout::new(req, app, signed);
    let here = format!("/admin/-/tenants/{}/pools/{}", path.tenant, pool.id);
    let del = format!("{here}/delete");
    let layout = crumbs(
        layout,
        &path.tenant,
        &[
            (here.as_str(), pool.name.as_str()),
            (del.as_str(), "Delete"),
        ],
    )
    .in_tenant(&path.tenant);
    let page = DeletePoolPage {
        layout,
        tenant: path.tenant.clone(),
        pool,
        users,
        workspaces,
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn confirm_delete_pool(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
) -> Result<HttpResponse, PortalError> {
    delete_page(
        &req,
        &app,
        &viewer.0,
        &path,
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf_token: String,
    #[serde(default)]
    confirm_name: String,
}
crate::csrf_protected!(DeleteForm);

/// **Delete pool**: the typed name must be the pool's; then, with a fresh sign-in, the pool goes.
async fn delete_pool(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<DeleteForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let found = pool::find(&app, &path.tenant, &path.pool).await?;
    if f.confirm_name.trim() != found.name {
        let mut state = FormState::with(&[("confirm_name", &f.confirm_name)]);
        state.refuse("confirm_name", "Type the pool's name exactly to confirm");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return delete_page(&req, &app, &admin.0, &path, state, status).await;
    }
    let action = Sensitive::DeletePool {
        tenant: path.tenant.clone(),
        pool: found.id,
        name: found.name,
    };
    let back = format!("/admin/-/tenants/{}/pools", path.tenant);
    step_up::require_fresh(&req, &app, &admin, action, &back).await
}
