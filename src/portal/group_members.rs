//! Who is in a group, changed from the portal: **Assign Users** (a search over the pool's users who are not yet
//! members, several ticked, assigned in one domain call), removing a member from the group's page, and adding a
//! user to a group from the user's page.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::group::{GroupPath, identifier};
use super::groups::crumbs;
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use super::users::display_name;
use crate::authn::portal::Signed;
use crate::identity::group::{self, Group};
use crate::identity::membership::{self, Assignment};
use crate::identity::pool::{self, Pool};
use crate::identity::user::{self, User};
use crate::identity::user_list;
use crate::state::AppState;
use crate::web::csrf::{Csrf, CsrfProtected};
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools/{pool}/groups/{group}/assign")
            .route(methods::get().to(assign_page))
            .route(web::post().to(assign_users)),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/groups/{group}/members/{user}/remove",
        web::post().to(remove_member),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/users/{user}/groups",
        web::post().to(add_to_group),
    );
}

#[derive(Debug, Default, Deserialize)]
struct PickerQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/groups/assign.html")]
struct AssignPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    group: Group,
    q: String,
    users: Vec<User>,
    total: i64,
    next: Option<String>,
    form: FormState,
}

/// The picker for `q`, with the problems of a refused submission in `form`.
async fn picker(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &GroupPath,
    q: PickerQuery,
    form: FormState,
) -> Result<HttpResponse, PortalError> {
    let (tenant, pool_id) = (&path.tenant, &path.pool);
    let found = pool::find(app, tenant, pool_id).await?;
    let g = group::find(app, tenant, pool_id, &path.group).await?;
    let page = PageQuery { cursor: q.cursor }.request()?;
    let text = Some(q.q.trim()).filter(|t| !t.is_empty());
    let ((users, next), total) =
        user_list::assignable(app, tenant, pool_id, &g.id, text, page).await?;
    let status = match form.has_errors() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    let (layout, cookies) = Layout::new(req, app, signed);
    let (here, assign) = (path.page(), format!("{}/assign", path.page()));
    let more = [
        (here.as_str(), g.name.as_str()),
        (assign.as_str(), "Assign Users"),
    ];
    let link = |c: String| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &q.q)
            .append_pair("cursor", &c)
            .finish()
    };
    let page = AssignPage {
        layout: crumbs(layout, tenant, &found, &more),
        tenant: tenant.clone(),
        pool: found,
        group: g,
        q: q.q.clone(),
        users,
        total,
        next: paging::cursor(&next).map(link),
        form,
    };
    Ok(respond(status, &page, cookies))
}

async fn assign_page(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<GroupPath>,
    q: Query<PickerQuery>,
) -> Result<HttpResponse, PortalError> {
    let form = FormState::default();
    picker(&req, &app, &viewer.0, &path, q.into_inner(), form).await
}

/// **Assign** as submitted: every ticked `user_ids` box, and the search it was made under (kept on a refusal).
/// Read as name/value pairs, since a plain struct cannot hold a repeated field.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct AssignForm {
    pairs: Vec<(String, String)>,
}

impl CsrfProtected for AssignForm {
    fn csrf_token(&self) -> &str {
        self.value("csrf_token")
    }
}

impl AssignForm {
    fn value(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn user_ids(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == "user_ids")
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// **Assign**: 303 to the group's page saying who was added, or the picker again (422) when nobody was ticked.
async fn assign_users(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<GroupPath>,
    form: Csrf<AssignForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let input = Assignment {
        user_ids: f.user_ids(),
    };
    match membership::assign_many(&app, &admin.1, &path.tenant, &path.pool, &path.group, input)
        .await
    {
        Ok(done) => {
            let g = group::find(&app, &path.tenant, &path.pool, &path.group).await?;
            let mut message = match done.assigned.len() {
                1 => format!("Assigned 1 user to {}.", g.name),
                n => format!("Assigned {n} users to {}.", g.name),
            };
            match done.already_members.len() {
                0 => {}
                1 => message.push_str(" 1 was a member already."),
                n => message.push_str(&format!(" {n} were members already.")),
            }
            Ok(see_other(&app, &path.page(), &message))
        }
        Err(e) => {
            let mut state = FormState::default();
            state.take(e, &[], "user_ids")?;
            let q = PickerQuery {
                q: f.value("q").to_owned(),
                cursor: None,
            };
            picker(&req, &app, &admin.0, &path, q, state).await
        }
    }
}

#[derive(Deserialize)]
struct MemberPath {
    tenant: String,
    pool: String,
    group: String,
    user: String,
}

/// **Remove** a direct member (the user stays in the pool); the last administrator stays, with a message.
async fn remove_member(
    app: Data<AppState>,
    admin: Admin,
    path: Path<MemberPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let (tenant, pool) = (&path.tenant, &path.pool);
    let g = group::find(&app, tenant, pool, &path.group).await?;
    let u = user::find(&app, tenant, pool, &path.user).await?;
    group::unassign(&app, &admin.1, tenant, pool, &g.id, &u.id).await?;
    let back = GroupPath {
        tenant: tenant.clone(),
        pool: pool.clone(),
        group: g.id.clone(),
    };
    let done = format!("Removed {} from {}.", identifier(&u), g.name);
    Ok(see_other(&app, &back.page(), &done))
}

#[derive(Deserialize)]
struct UserPath {
    tenant: String,
    pool: String,
    user: String,
}

#[derive(Deserialize)]
struct AddToGroupForm {
    csrf_token: String,
    #[serde(default)]
    group_id: String,
}
crate::csrf_protected!(AddToGroupForm);

/// **Add to group** on a user's page: 303 back to it.
async fn add_to_group(
    app: Data<AppState>,
    admin: Admin,
    path: Path<UserPath>,
    form: Csrf<AddToGroupForm>,
) -> Result<HttpResponse, PortalError> {
    let (tenant, pool) = (&path.tenant, &path.pool);
    if form.0.group_id.is_empty() {
        return Err(PortalError::Invalid(
            "Choose a group to add the user to.".into(),
        ));
    }
    let g = group::find(&app, tenant, pool, &form.0.group_id).await?;
    let u = user::find(&app, tenant, pool, &path.user).await?;
    group::assign(&app, &admin.1, tenant, pool, &g.id, &u.id).await?;
    let back = format!("/admin/-/tenants/{tenant}/pools/{pool}/users/{}", u.id);
    let done = format!("Added {} to {}.", identifier(&u), g.name);
    Ok(see_other(&app, &back, &done))
}
