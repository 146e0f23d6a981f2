//! **Edit user data**: a user's payload through the inputs the pool's user schema gives, and their metadata as
//! JSON; the schema's refusals shown at their field, with the input kept. The change is the admin API's PATCH.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::error::PortalError;
use super::form::{FormState, Pairs};
use super::layout::{Layout, respond, see_other};
use super::session::{Admin, Viewer};
use super::user::{UserPath, identifier};
use super::user_form::{self, ProfileInput};
use super::users::crumbs;
use crate::authn::portal::Signed;
use crate::identity::pool::Pool;
use crate::identity::profile_form::{self, PoolForm};
use crate::identity::user::{self, User};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools/{pool}/users/{user}/edit")
            .route(methods::get().to(edit_page))
            .route(web::post().to(save)),
    );
}

#[derive(Template)]
#[template(path = "portal/users/edit.html")]
struct EditPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    user: User,
    profile: Vec<ProfileInput>,
    metadata_schema: bool,
    form: FormState,
}

/// The pool with its form, and the user (of that pool, or not found).
async fn load(app: &AppState, path: &UserPath) -> Result<(Pool, PoolForm, User), PortalError> {
    let (found, shape) = profile_form::of_pool(app, &path.tenant, &path.pool).await?;
    let u = user::find(app, &path.tenant, &path.pool, &path.user).await?;
    Ok((found, shape, u))
}

fn page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &UserPath,
    (found, shape, u): (Pool, PoolForm, User),
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let (here, edit) = (path.page(), format!("{}/edit", path.page()));
    let more = [
        (here.as_str(), identifier(&u)),
        (edit.as_str(), "Edit user data"),
    ];
    let page = EditPage {
        layout: crumbs(layout, &path.tenant, &found, &more),
        tenant: path.tenant.clone(),
        pool: found,
        profile: user_form::inputs(&shape),
        metadata_schema: shape.metadata_schema,
        user: u,
        form,
    };
    respond(status, &page, cookies)
}

async fn edit_page(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<UserPath>,
) -> Result<HttpResponse, PortalError> {
    let loaded = load(&app, &path).await?;
    let form = FormState::of(user_form::filled(&loaded.1, &loaded.2));
    Ok(page(
        &req,
        &app,
        &viewer.0,
        &path,
        loaded,
        form,
        StatusCode::OK,
    ))
}

/// **Save**: 303 to the user's page, or the form again (422) with the refusal at its field.
async fn save(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    form: Csrf<Pairs>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let (found, shape, u) = load(&app, &path).await?;
    let saved = match user_form::profile_patch(&f, &shape, &u) {
        Ok(patch) => user::update(&app, &admin.1, &path.tenant, &path.pool, &u.id, patch).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(u) => {
            let done = format!("Saved the user data of {}.", identifier(&u));
            Ok(see_other(&app, &path.page(), &done))
        }
        Err(e) => {
            let mut state = f.state(&[]);
            state.take(user_form::at_field(e, &shape), &[], "payload")?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page(
                &req,
                &app,
                &admin.0,
                &path,
                (found, shape, u),
                state,
                status,
            ))
        }
    }
}
