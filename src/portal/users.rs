//! A pool's **Users** tab: the list (one search box, status and invitation filters as a GET form, an exact total,
//! keyset pages) and **Create User**, with **Send invitation** or **Set credentials**. The rules are the domain's
//! (`identity::user`, `identity::user_list`), the same the admin API calls.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use crate::authn::portal::Signed;
use crate::identity::pool::{self, Pool};
use crate::identity::user::{self, Mode, NewUser, Status, User};
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
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    invitation: String,
    cursor: Option<String>,
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
    fn link(&self) -> String {
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
}

async fn list_users(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
    q: Query<ListQuery>,
) -> Result<HttpResponse, PortalError> {
    let query = q.into_inner();
    let page = PageQuery {
        cursor: query.cursor.clone(),
    }
    .request()?;
    let found = pool::find(&app, &path.tenant, &path.pool).await?;
    let filters = query.filters()?;
    let filtered = filters.q.is_some() || filters.status.is_some() || filters.invitation.is_some();
    let ((users, next), total) =
        user_list::search(&app, &path.tenant, &path.pool, filters, page).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = UsersPage {
        layout: crumbs(layout, &path.tenant, &found, &[]),
        tenant: path.tenant.clone(),
        pool: found,
        users,
        total,
        filtered,
        next: paging::cursor(&next).map(|c| format!("{}&cursor={c}", query.link())),
        query,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Create User** as submitted.
#[derive(Debug, Deserialize)]
struct NewUserForm {
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    email_verified: Option<String>,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    /// The profile as JSON, for pools with their own user schema.
    #[serde(default)]
    payload: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    password: String,
}
crate::csrf_protected!(NewUserForm);

/// The domain's field names and the form's where they differ.
const FIELDS: &[(&str, &str)] = &[
    ("payload.given_name", "given_name"),
    ("payload.family_name", "family_name"),
];

impl NewUserForm {
    /// What the page shows again after a refusal (never the password).
    fn state(&self) -> FormState {
        FormState::with(&[
            ("email", &self.email),
            ("mobile", &self.mobile),
            (
                "email_verified",
                self.email_verified.as_deref().unwrap_or(""),
            ),
            ("given_name", &self.given_name),
            ("family_name", &self.family_name),
            ("payload", &self.payload),
            ("mode", &self.mode),
        ])
    }

    /// The domain's input, or `None` with the problems noted in `state`.
    fn new_user(self, pool: &Pool, state: &mut FormState) -> Option<NewUser> {
        let mode = match self.mode.as_str() {
            "invite" => Mode::Invite,
            "set_credentials" => Mode::SetCredentials,
            _ => {
                state.refuse("mode", "Choose how the user gets their credentials");
                return None;
            }
        };
        let payload = if pool.payload_schema_id.is_none() {
            let mut names = Map::new();
            for (k, v) in [
                ("given_name", &self.given_name),
                ("family_name", &self.family_name),
            ] {
                if !v.trim().is_empty() {
                    names.insert(k.into(), Value::String(v.trim().to_owned()));
                }
            }
            Value::Object(names)
        } else {
            match serde_json::from_str::<Value>(self.payload.trim()) {
                Ok(v) if v.is_object() => v,
                _ => {
                    state.refuse(
                        "payload",
                        "Enter the profile as a JSON object, like {\"name\": \"Ada\"}",
                    );
                    return None;
                }
            }
        };
        let given = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Some(NewUser {
            email: given(self.email),
            mobile: given(self.mobile),
            email_verified: self.email_verified.is_some(),
            mobile_verified: false,
            payload,
            metadata: Value::Object(Map::new()),
            password: (mode == Mode::SetCredentials)
                .then_some(self.password)
                .filter(|p| !p.is_empty())
                .map(crate::secret::Secret::new),
            mode,
        })
    }
}

#[derive(Template)]
#[template(path = "portal/users/new.html")]
struct NewUserPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    form: FormState,
}

fn new_user_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    tenant: &str,
    pool: Pool,
    form: FormState,
    status: StatusCode,
) -> HttpResponse {
    let (layout, cookies) = Layout::new(req, app, signed);
    let new = format!("/admin/-/tenants/{tenant}/pools/{}/users/new", pool.id);
    let page = NewUserPage {
        layout: crumbs(layout, tenant, &pool, &[(new.as_str(), "Create User")]),
        tenant: tenant.to_owned(),
        pool,
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
    let found = pool::find(&app, &path.tenant, &path.pool).await?;
    let form = FormState::with(&[("mode", "invite"), ("payload", "{}")]);
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

/// **Create**: 303 to the new user's page, or the form again (422) with the input kept and the refusals at their
/// fields.
async fn create_user(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<NewUserForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let found = pool::find(&app, &path.tenant, &path.pool).await?;
    let mut state = f.state();
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(input) = f.new_user(&found, &mut state) else {
        return Ok(new_user_page(
            &req,
            &app,
            &admin.0,
            &path.tenant,
            found,
            state,
            status,
        ));
    };
    let invited = input.mode == Mode::Invite;
    match user::create(&app, &admin.1, &path.tenant, &path.pool, input).await {
        Ok(u) => {
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
            let e = match e {
                crate::identity::Error::Invalid { field, message }
                    if field.starts_with("payload") && found.payload_schema_id.is_some() =>
                {
                    crate::identity::Error::Invalid {
                        field: "payload".into(),
                        message: format!("{field} {message}"),
                    }
                }
                other => other,
            };
            state.take(e, FIELDS, "email")?;
            Ok(new_user_page(
                &req,
                &app,
                &admin.0,
                &path.tenant,
                found,
                state,
                status,
            ))
        }
    }
}
