//! Schemas of a tenant: the JSON Schema documents its pools use for user payloads and metadata. The list,
//! **Create schema** (pre-filled with the built-in user schema as a starting point), a schema's page (its document
//! and the pools using it), **Edit** and **Delete** (refused while a pool uses it). Validation errors are shown at
//! the document field, with the JSON pointer the domain names.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use crate::authn::portal::Signed;
use crate::identity::Error;
use crate::identity::profile_schema::{self, Schema, SchemaPatch};
use crate::identity::tenant;
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::html::day;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/schemas")
            .route(methods::get().to(list_schemas))
            .route(web::post().to(create_schema)),
    )
    .route(
        "/tenants/{tenant}/schemas/new",
        methods::get().to(new_schema),
    )
    .service(
        web::resource("/tenants/{tenant}/schemas/{schema}")
            .route(methods::get().to(show_schema))
            .route(web::post().to(update_schema)),
    )
    .route(
        "/tenants/{tenant}/schemas/{schema}/edit",
        methods::get().to(edit_schema),
    )
    .service(
        web::resource("/tenants/{tenant}/schemas/{schema}/delete")
            .route(methods::get().to(confirm_delete))
            .route(web::post().to(delete_schema)),
    );
}

#[derive(Deserialize)]
struct SchemaPath {
    tenant: String,
    schema: String,
}

fn list_path(tenant: &str) -> String {
    format!("/admin/-/tenants/{tenant}/schemas")
}

fn schema_path(tenant: &str, id: &str) -> String {
    format!("{}/{id}", list_path(tenant))
}

/// "Tenant Settings › Schemas › …", in the tenant's navigation.
fn crumbs(layout: Layout, tenant: &str, more: &[(&str, &str)]) -> Layout {
    let list = list_path(tenant);
    let mut all = vec![
        ("/admin/-/tenants", "Tenant Settings"),
        (list.as_str(), "Schemas"),
    ];
    all.extend_from_slice(more);
    layout.in_tenant(tenant).crumbs(&all)
}

fn pretty(document: &Value) -> String {
    serde_json::to_string_pretty(document).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "portal/schemas/list.html")]
struct SchemasPage {
    layout: Layout,
    tenant: String,
    schemas: Vec<Schema>,
    next: Option<String>,
}

async fn list_schemas(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
    q: Query<PageQuery>,
) -> Result<HttpResponse, PortalError> {
    let (schemas, next) = profile_schema::list(&app, &tenant, q.request()?).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = SchemasPage {
        layout: crumbs(layout, &tenant, &[]),
        tenant: tenant.into_inner(),
        schemas,
        next: paging::cursor(&next),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// The create and the edit form: a name and the document as JSON text.
#[derive(Template)]
#[template(path = "portal/schemas/form.html")]
struct SchemaFormPage {
    layout: Layout,
    tenant: String,
    /// `None` while creating.
    schema: Option<Schema>,
    form: FormState,
}

fn form_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    (tenant, schema): (&str, Option<Schema>),
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let layout = match &schema {
        None => {
            let new = format!("{}/new", list_path(tenant));
            crumbs(layout, tenant, &[(new.as_str(), "Create schema")])
        }
        Some(s) => {
            let (here, edit) = (
                schema_path(tenant, &s.id),
                format!("{}/edit", schema_path(tenant, &s.id)),
            );
            crumbs(
                layout,
                tenant,
                &[(here.as_str(), s.name.as_str()), (edit.as_str(), "Edit")],
            )
        }
    };
    let page = SchemaFormPage {
        layout,
        tenant: tenant.to_owned(),
        schema,
        form,
    };
    respond(status, &page, cookies)
}

async fn new_schema(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    tenant: Path<String>,
) -> Result<HttpResponse, PortalError> {
    tenant::find(&app, &tenant).await?;
    let start = pretty(&profile_schema::default_user_schema());
    let form = FormState::with(&[("name", ""), ("schema", &start)]);
    Ok(form_page(
        &req,
        &app,
        &viewer.0,
        (&tenant, None),
        form,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct SchemaForm {
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    schema: String,
}
crate::csrf_protected!(SchemaForm);

impl SchemaForm {
    fn state(&self) -> FormState {
        FormState::with(&[("name", &self.name), ("schema", &self.schema)])
    }

    /// The document, or the form with the JSON error at its field.
    fn document(&self) -> Result<Value, FormState> {
        serde_json::from_str(&self.schema).map_err(|e| {
            let mut state = self.state();
            state.refuse("schema", format!("is not valid JSON: {e}"));
            state
        })
    }
}

/// A domain refusal at the form's fields: everything about the document (`schema`, `schema.properties…`) at the
/// document field, naming where in it.
fn refused(mut state: FormState, e: Error) -> Result<FormState, PortalError> {
    match e {
        Error::Invalid { field, message } if field.starts_with("schema") => {
            let at = field.strip_prefix("schema").unwrap_or_default();
            let at = at.strip_prefix('.').unwrap_or(at);
            let shown = if at.is_empty() {
                message
            } else {
                format!("at {at}: {message}")
            };
            state.refuse("schema", shown);
        }
        other => state.take(other, &[], "name")?,
    }
    Ok(state)
}

async fn create_schema(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    tenant: Path<String>,
    form: Csrf<SchemaForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let document = match f.document() {
        Ok(d) => d,
        Err(state) => {
            return Ok(form_page(
                &req,
                &app,
                &admin.0,
                (&tenant, None),
                state,
                unprocessable,
            ));
        }
    };
    match profile_schema::create(&app, &admin.1, &tenant, &f.name, document).await {
        Ok(s) => Ok(see_other(
            &app,
            &schema_path(&tenant, &s.id),
            &format!("Created the schema {}.", s.name),
        )),
        Err(e) => {
            let state = refused(f.state(), e)?;
            Ok(form_page(
                &req,
                &app,
                &admin.0,
                (&tenant, None),
                state,
                unprocessable,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "portal/schemas/show.html")]
struct SchemaPage {
    layout: Layout,
    tenant: String,
    schema: Schema,
    document: String,
    pools: Vec<(String, String)>,
}

async fn show_schema(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<SchemaPath>,
) -> Result<HttpResponse, PortalError> {
    let schema = profile_schema::find(&app, &path.tenant, &path.schema).await?;
    let pools = profile_schema::pools_using(&app, &path.tenant, &schema.id).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = schema_path(&path.tenant, &schema.id);
    let page = SchemaPage {
        layout: crumbs(
            layout,
            &path.tenant,
            &[(here.as_str(), schema.name.as_str())],
        ),
        tenant: path.tenant.clone(),
        document: pretty(&schema.schema),
        schema,
        pools,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

async fn edit_schema(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<SchemaPath>,
) -> Result<HttpResponse, PortalError> {
    let schema = profile_schema::find(&app, &path.tenant, &path.schema).await?;
    let form = FormState::with(&[("name", &schema.name), ("schema", &pretty(&schema.schema))]);
    let target = (path.tenant.as_str(), Some(schema));
    Ok(form_page(
        &req,
        &app,
        &viewer.0,
        target,
        form,
        StatusCode::OK,
    ))
}

async fn update_schema(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<SchemaPath>,
    form: Csrf<SchemaForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let schema = profile_schema::find(&app, &path.tenant, &path.schema).await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let document = match f.document() {
        Ok(d) => d,
        Err(state) => {
            let target = (path.tenant.as_str(), Some(schema));
            return Ok(form_page(
                &req,
                &app,
                &admin.0,
                target,
                state,
                unprocessable,
            ));
        }
    };
    let patch = SchemaPatch {
        name: Some(f.name.clone()),
        schema: Some(document),
    };
    match profile_schema::update(&app, &admin.1, &path.tenant, &schema.id, patch).await {
        Ok(s) => Ok(see_other(
            &app,
            &schema_path(&path.tenant, &s.id),
            &format!("Saved the schema {}.", s.name),
        )),
        Err(e) => {
            let state = refused(f.state(), e)?;
            let target = (path.tenant.as_str(), Some(schema));
            Ok(form_page(
                &req,
                &app,
                &admin.0,
                target,
                state,
                unprocessable,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "portal/schemas/delete.html")]
struct DeleteSchemaPage {
    layout: Layout,
    tenant: String,
    schema: Schema,
    pools: Vec<(String, String)>,
}

async fn confirm_delete(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<SchemaPath>,
) -> Result<HttpResponse, PortalError> {
    let schema = profile_schema::find(&app, &path.tenant, &path.schema).await?;
    let pools = profile_schema::pools_using(&app, &path.tenant, &schema.id).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let (here, del) = (
        schema_path(&path.tenant, &schema.id),
        format!("{}/delete", schema_path(&path.tenant, &schema.id)),
    );
    let more = [
        (here.as_str(), schema.name.as_str()),
        (del.as_str(), "Delete"),
    ];
    let page = DeleteSchemaPage {
        layout: crumbs(layout, &path.tenant, &more),
        tenant: path.tenant.clone(),
        schema,
        pools,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

async fn delete_schema(
    app: Data<AppState>,
    admin: Admin,
    path: Path<SchemaPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let schema = profile_schema::find(&app, &path.tenant, &path.schema).await?;
    profile_schema::delete(&app, &admin.1, &path.tenant, &schema.id).await?;
    Ok(see_other(
        &app,
        &list_path(&path.tenant),
        &format!("Deleted the schema {}.", schema.name),
    ))
}
