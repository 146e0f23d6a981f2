//! A pool's **Users** tab: the list (one search box, status and invitation filters as a GET form, an exact total,
//! keyset pages) and **Create User**, with **Send invitation** or **Set credentials**. The rules are the domain's
//! (`identity::user`, `identity::user_list`), the same the admin API calls.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::error::PortalError;
use super::form::{FormState, Pairs};
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use super::user_form::{self, ProfileInput};
use crate::authn::portal::Signed;
use crate::identity::membership;
use crate::identity::pool::{self, Pool};
use crate::identity::profile_form::{self, PoolForm};
use crate::identity::user::{self, Mode, Status, User};
use crate::identity::user_list::{self, UserQuery};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools/{pool}/users")
            .route(methods::get().to(list_users))
            .route(web::post().to(create_user)),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/users/new",
        methods::get().to(new_user),
    );
}

#[derive(Deserialize)]
pub(super) struct PoolPath {
    pub tenant: String,
    pub pool: String,
}

/// `(href, label)` crumbs down to the pool's Users tab.
pub(super) fn crumbs(layout: Layout, tenant: &str, pool: &Pool, more: &[(&str, &str)]) -> Layout {
    let pools = format!("/admin/-/tenants/{tenant}/pools");
    let here = format!("{pools}/{}", pool.id);
    let users = format!("{here}/users");
    let mut all = vec![
        ("/admin/-/tenants", "Tenant Settings"),
        (pools.as_str(), "Identity Pools"),
        (here.as_str(), pool.name.as_str()),
        (users.as_str(), "Users"),
    ];
    all.extend_from_slice(more);
    layout.crumbs(&all).in_tenant(tenant)
}

/// How the list names a user's state.
pub(super) fn status_label(status: &Status) -> &'static str {
    match status {
        Status::Active => "Active",
        Status::Inactive => "Inactive",
        Status::Invited => "Invited",
    }
}

/// The name a list shows for a user: their name from the profile, else nothing.
pub(super) fn display_name(user: &User) -> String {
    let field = |k: &str| user.payload.get(k).and_then(Value::as_str).unwrap_or("");
    match field("name") {
        "" => format!("{} {}", field("given_name"), field("family_name"))
            .trim()
            .to_owned(),
        name => name.to_owned(),
    }
}

/// The filters as the GET form sends them; an empty select means "any".
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub invitation: String,
    pub cursor: Option<String>,
}

impl ListQuery {
    fn filters(&self) -> Result<UserQuery, PortalError> {
        Ok(UserQuery {
            q: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            identifier: None,
            status: filter_value(&self.status)?,
            invitation: filter_value(&self.invitation)?,
        })
    }

    /// The query string of these filters, for the next-page link.
    pub fn link(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("status", &self.status)
            .append_pair("invitation", &self.invitation)
            .finish()
    }
}

/// A select's value as the domain's enum (`active`, `pending`, …), `None` for "any"; anything else is a
/// malformed link.
fn filter_value<T: serde::de::DeserializeOwned>(v: &str) -> Result<Option<T>, PortalError> {
    if v.is_empty() {
        return Ok(None);
    }
    serde_json::from_value(Value::String(v.to_owned()))
        .map(Some)
        .map_err(|_| PortalError::Invalid(format!("“{v}” is not a filter of this list.")))
}

#[derive(Template)]
#[template(path = "portal/users/list.html")]
struct UsersPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    users: Vec<User>,
    total: i64,
    query: ListQuery,
    filtered: bool,
    next: Option<String>,
    /// The bulk form's refusal and what it had, and the users ticked in it.
    form: FormState,
    selected: Vec<String>,
    /// `(id, path)` of the pool's groups, for **Add to group**.
    groups: Vec<(String, String)>,
}

async fn list_users(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
    q: Query<ListQuery>,
) -> Result<HttpResponse, PortalError> {
    let bulk = (FormState::default(), Vec::new());
    list_page(
        &req,
        &app,
        &viewer.0,
        &path,
        q.into_inner(),
        bulk,
        StatusCode::OK,
    )
    .await
}

/// The list for `query`, with the bulk form as `bulk` left it.
pub(super) async fn list_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &PoolPath,
    query: ListQuery,
    (form, selected): (FormState, Vec<String>),
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let page = PageQuery {
        cursor: query.cursor.clone(),
    }
    .request()?;
    let found = pool::find(app, &path.tenant, &path.pool).await?;
    let filters = query.filters()?;
    let filtered = filters.q.is_some() || filters.status.is_some() || filters.invitation.is_some();
    let ((users, next), total) =
        user_list::search(app, &path.tenant, &path.pool, filters, page).await?;
    let groups = membership::tree(app, &path.tenant, &path.pool)
        .await?
        .iter()
        .map(|n| (n.group.id.clone(), n.path.join(" › ")))
        .collect();
    let (layout, cookies) = Layout::new(req, app, signed);
    let page = UsersPage {
        layout: crumbs(layout, &path.tenant, &found, &[]),
        tenant: path.tenant.clone(),
        pool: found,
        users,
        total,
        filtered,
        next: paging::cursor(&next).map(|c| format!("{}&cursor={c}", query.link())),
        query,
        form,
        selected,
        groups,
    };
    Ok(respond(status, &page, cookies))
}

#[derive(Template)]
#[template(path = "portal/users/new.html")]
struct NewUserPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    profile: Vec<ProfileInput>,
    metadata_schema: bool,
    form: FormState,
}

fn new_user_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    tenant: &str,
    (pool, shape): (Pool, PoolForm),
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let new = format!("/admin/-/tenants/{tenant}/pools/{}/users/new", pool.id);
    let page = NewUserPage {
        layout: crumbs(layout, tenant, &pool, &[(new.as_str(), "Create User")]),
        tenant: tenant.to_owned(),
        pool,
        profile: user_form::inputs(&shape),
        metadata_schema: shape.metadata_schema,
        form,
    };
    respond(status, &page, cookies)
}

async fn new_user(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
) -> Result<HttpResponse, PortalError> {
    let found = profile_form::of_pool(&app, &path.tenant, &path.pool).await?;
    let form = FormState::with(&[("mode", "invite"), ("metadata", "{}")]);
    Ok(new_user_page(
        &req,
        &app,
        &viewer.0,
        &path.tenant,
        found,
        form,
        StatusCode::OK,
    ))
}

/// **Create**: 303 to the new user's page, or the form again (422) with the input kept (never the password) and
/// the refusals at their fields. Submitting it twice makes one user and sends one invitation: the second finds
/// the identifier taken.
async fn create_user(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<Pairs>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let (found, shape) = profile_form::of_pool(&app, &path.tenant, &path.pool).await?;
    let made = match user_form::new_user(&f, &shape) {
        Ok(input) => {
            let invited = input.mode == Mode::Invite;
            let made = user::create(&app, &admin.1, &path.tenant, &path.pool, input).await;
            made.map(|u| (u, invited))
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((u, invited)) => {
            let here = format!(
                "/admin/-/tenants/{}/pools/{}/users/{}",
                path.tenant, path.pool, u.id
            );
            let who = u.email.as_deref().or(u.mobile.as_deref()).unwrap_or(&u.id);
            let done = match invited {
                true => format!("Created {who} and sent the invitation."),
                false => format!("Created {who}."),
            };
            Ok(see_other(&app, &here, &done))
        }
        Err(e) => {
            let mut state = f.state(&["password"]);
            state.take(user_form::at_field(e, &shape), &[], "email")?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let (t, signed) = (&path.tenant, &admin.0);
            Ok(new_user_page(
                &req,
                &app,
                signed,
                t,
                (found, shape),
                state,
                status,
            ))
        }
    }
}
