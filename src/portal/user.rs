//! One user of a pool as the portal shows it: identifiers, status, invitation and groups (those they were put in,
//! and those they are in through a sub-group, with the path), and what an administrator does to them there:
//! **Deactivate** / **Activate**, **Resend invitation**, **Delete user** (after a confirmation). Its user data,
//! passkeys, invitation, password and verification actions are in `user_profile`, `user_access` and
//! `user_claims`.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::PlainForm;
use super::layout::{Layout, respond, see_other};
use super::paging::PageQuery;
use super::session::{Admin, Viewer};
use super::users::{crumbs, display_name, status_label};
use crate::authn::passkey::admin::{self as passkeys, PasskeyView};
use crate::authn::portal::Signed;
use crate::identity::Error;
use crate::identity::group::{self, UserGroups};
use crate::identity::invitation::{self, Invitation, InvitationStatus};
use crate::identity::membership;
use crate::identity::pool::{self, Pool};
use crate::identity::profile_form::{self, PoolForm};
use crate::identity::user::{self, Status, User, UserPatch};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::html::day;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/pools/{pool}/users/{user}",
        methods::get().to(show_user),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/users/{user}/status",
        web::post().to(change_status),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/users/{user}/invitation",
        web::post().to(resend_invitation),
    )
    .service(
        web::resource("/tenants/{tenant}/pools/{pool}/users/{user}/delete")
            .route(methods::get().to(confirm_delete))
            .route(web::post().to(delete_user)),
    );
}

#[derive(Deserialize)]
pub(super) struct UserPath {
    pub tenant: String,
    pub pool: String,
    pub user: String,
}

impl UserPath {
    pub fn page(&self) -> String {
        format!(
            "/admin/-/tenants/{}/pools/{}/users/{}",
            self.tenant, self.pool, self.user
        )
    }
}

/// How the page names a user: their email, else their mobile, else their id.
pub(super) fn identifier(user: &User) -> &str {
    user.email
        .as_deref()
        .or(user.mobile.as_deref())
        .unwrap_or(&user.id)
}

fn invitation_label(status: &InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "Pending",
        InvitationStatus::Accepted => "Accepted",
        InvitationStatus::Expired => "Expired",
        InvitationStatus::Revoked => "Revoked",
    }
}

/// When a passkey last signed in, as the page shows it.
fn last_used(p: &PasskeyView) -> String {
    p.last_used_at.map_or_else(|| "Never".into(), day)
}

#[derive(Template)]
#[template(path = "portal/users/show.html")]
struct UserPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    user: User,
    name: String,
    invitation: Option<Invitation>,
    groups: UserGroups,
    /// `(id, path)` of the groups the user could be added to (those they are not in themselves).
    addable: Vec<(String, String)>,
    /// `(label, value)` of the user-data fields the pool's schema shows that the user has.
    profile: Vec<(String, String)>,
    passkeys: Vec<PasskeyView>,
}

/// The pool, the user and what the page shows of them; another pool's user is not found.
pub(super) async fn load(app: &AppState, path: &UserPath) -> Result<(Pool, User), PortalError> {
    let found = pool::find(app, &path.tenant, &path.pool).await?;
    let u = user::find(app, &path.tenant, &path.pool, &path.user).await?;
    Ok((found, u))
}

/// The user's data as the page lists it, labelled as the pool's schema labels it.
fn profile_values(shape: &PoolForm, u: &User) -> Vec<(String, String)> {
    let values = profile_form::values_of(&shape.fields, &u.payload, "");
    shape
        .fields
        .iter()
        .filter_map(|f| {
            let (_, v) = values.iter().find(|(name, _)| *name == f.name)?;
            let shown = match f.input {
                "checkbox" => "Yes".to_owned(),
                _ => v.clone(),
            };
            Some((f.label.clone(), shown))
        })
        .collect()
}

async fn show_user(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<UserPath>,
) -> Result<HttpResponse, PortalError> {
    let (found, shape) = profile_form::of_pool(&app, &path.tenant, &path.pool).await?;
    let u = user::find(&app, &path.tenant, &path.pool, &path.user).await?;
    let invitation = match invitation::find(&app, &path.tenant, &path.pool, &u.id).await {
        Ok(i) => Some(i),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let groups = group::of_user(&app, &path.tenant, &path.pool, &u.id).await?;
    let addable = membership::tree(&app, &path.tenant, &path.pool)
        .await?
        .iter()
        .filter(|n| !groups.direct.iter().any(|d| d.id == n.group.id))
        .map(|n| (n.group.id.clone(), n.path.join(" › ")))
        .collect();
    let first = PageQuery::default().request()?;
    let (passkeys, _) = passkeys::list(&app, &path.tenant, &path.pool, &u.id, first).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let here = path.page();
    let page = UserPage {
        profile: profile_values(&shape, &u),
        passkeys,
        layout: crumbs(
            layout,
            &path.tenant,
            &found,
            &[(here.as_str(), identifier(&u))],
        ),
        tenant: path.tenant.clone(),
        pool: found,
        name: display_name(&u),
        user: u,
        invitation,
        groups,
        addable,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

#[derive(Deserialize)]
struct StatusForm {
    csrf_token: String,
    status: String,
}
crate::csrf_protected!(StatusForm);

/// **Deactivate** (ends the user's sessions and grants at once) or **Activate**.
async fn change_status(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    form: Csrf<StatusForm>,
) -> Result<HttpResponse, PortalError> {
    let (status, done) = match form.0.status.as_str() {
        "active" => (Status::Active, "Activated"),
        "inactive" => (Status::Inactive, "Deactivated"),
        _ => {
            return Err(PortalError::Invalid(
                "A user can only be activated or deactivated.".into(),
            ));
        }
    };
    let patch = UserPatch {
        status: Some(status),
        ..UserPatch::default()
    };
    let u = user::update(&app, &admin.1, &path.tenant, &path.pool, &path.user, patch).await?;
    Ok(see_other(
        &app,
        &path.page(),
        &format!("{done} {}.", identifier(&u)),
    ))
}

/// **Resend invitation**: a new link; the earlier ones stop working.
async fn resend_invitation(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (_, u) = load(&app, &path).await?;
    invitation::resend(&app, &admin.1, &path.tenant, &path.pool, &u.id).await?;
    let done = format!("Sent a new invitation to {}.", identifier(&u));
    Ok(see_other(&app, &path.page(), &done))
}

#[derive(Template)]
#[template(path = "portal/users/delete.html")]
struct DeleteUserPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    user: User,
}

fn delete_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &UserPath,
    found: Pool,
    u: User,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let (here, del) = (path.page(), format!("{}/delete", path.page()));
    let more = [(here.as_str(), identifier(&u)), (del.as_str(), "Delete")];
    let page = DeleteUserPage {
        layout: crumbs(layout, &path.tenant, &found, &more),
        tenant: path.tenant.clone(),
        pool: found,
        user: u,
    };
    respond(StatusCode::OK, &page, cookies)
}

async fn confirm_delete(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<UserPath>,
) -> Result<HttpResponse, PortalError> {
    let (found, u) = load(&app, &path).await?;
    Ok(delete_page(&req, &app, &viewer.0, &path, found, u))
}

/// **Delete user**: the user, their sessions, grants, passkeys and memberships go.
async fn delete_user(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (_, u) = load(&app, &path).await?;
    user::delete(&app, &admin.1, &path.tenant, &path.pool, &u.id).await?;
    let users = format!("/admin/-/tenants/{}/pools/{}/users", path.tenant, path.pool);
    Ok(see_other(
        &app,
        &users,
        &format!("Deleted {}.", identifier(&u)),
    ))
}
