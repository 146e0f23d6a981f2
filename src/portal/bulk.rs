//! Bulk actions on the users ticked in a pool's users list: **Deactivate**, **Activate**, **Add to group**,
//! **Resend invitation**, **Delete** (after a confirmation page naming how many and who). One form, no
//! JavaScript; each user goes through the single-user domain function (`identity::bulk`), and the flash says what
//! happened to whom ("3 users deactivated; 1 was already inactive.").

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::error::PortalError;
use super::form::Pairs;
use super::layout::{Layout, respond, see_other};
use super::session::Admin;
use super::user::identifier;
use super::users::{ListQuery, PoolPath, crumbs, list_page};
use crate::identity::Error;
use crate::identity::bulk::{self, Action, Outcome};
use crate::identity::group;
use crate::identity::pool::{self, Pool};
use crate::identity::user::User;
use crate::state::AppState;
use crate::web::csrf::Csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/tenants/{tenant}/pools/{pool}/users/bulk",
        web::post().to(bulk_action),
    );
}

/// The list's filters as the bulk form carries them (hidden fields), to come back to the same list.
fn list_query(f: &Pairs) -> ListQuery {
    ListQuery {
        q: f.value("q").to_owned(),
        status: f.value("status").to_owned(),
        invitation: f.value("invitation").to_owned(),
        cursor: Some(f.value("cursor").to_owned()).filter(|c| !c.is_empty()),
    }
}

/// The chosen action; a group must be chosen to add to one.
fn action(f: &Pairs) -> Result<Action, Error> {
    Ok(match f.value("action") {
        "deactivate" => Action::Deactivate,
        "activate" => Action::Activate,
        "resend_invitation" => Action::ResendInvitation,
        "delete" => Action::Delete,
        "assign" => match f.value("group_id") {
            "" => {
                return Err(Error::invalid(
                    "group_id",
                    "Choose the group to add the users to",
                ));
            }
            g => Action::AssignToGroup(g.to_owned()),
        },
        _ => {
            return Err(Error::invalid(
                "action",
                "Choose what to do with the selected users",
            ));
        }
    })
}

/// **Apply**: a confirmation page first for Delete; else the action, then 303 to the list with what it did. A
/// submission with nothing ticked, or no action, is the list again (422) with the ticks kept.
async fn bulk_action(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<Pairs>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let ids = f.all("user_ids");
    let chosen = action(&f).and_then(|a| match ids.is_empty() {
        true => Err(Error::invalid("user_ids", "Select at least one user")),
        false => Ok(a),
    });
    let act = match chosen {
        Ok(a) => a,
        Err(e) => return refused(&req, &app, &admin, &path, &f, e).await,
    };
    if act == Action::Delete && f.value("confirm") != "yes" {
        return confirm_delete(&req, &app, &admin, &path, &f, ids).await;
    }
    let group_name = match &act {
        Action::AssignToGroup(g) => group::find(&app, &path.tenant, &path.pool, g).await?.name,
        _ => String::new(),
    };
    let done = bulk::apply(&app, &admin.1, &path.tenant, &path.pool, &act, ids).await?;
    let back = format!(
        "/admin/-/tenants/{}/pools/{}/users?{}",
        path.tenant,
        path.pool,
        list_query(&f).link()
    );
    Ok(see_other(&app, &back, &summary(&act, &group_name, &done)))
}

/// The list again, 422, with the refusal and the ticks kept.
async fn refused(
    req: &HttpRequest,
    app: &AppState,
    admin: &Admin,
    path: &PoolPath,
    f: &Pairs,
    e: Error,
) -> Result<HttpResponse, PortalError> {
    let mut state = f.state(&[]);
    state.take(e, &[], "user_ids")?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let selected = f.all("user_ids");
    list_page(
        req,
        app,
        &admin.0,
        path,
        list_query(f),
        (state, selected),
        status,
    )
    .await
}

#[derive(Template)]
#[template(path = "portal/users/bulk_delete.html")]
struct ConfirmPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    users: Vec<User>,
    query: ListQuery,
}

async fn confirm_delete(
    req: &HttpRequest,
    app: &AppState,
    admin: &Admin,
    path: &PoolPath,
    f: &Pairs,
    ids: Vec<String>,
) -> Result<HttpResponse, PortalError> {
    let found = pool::find(app, &path.tenant, &path.pool).await?;
    let users = bulk::selected(app, &path.tenant, &path.pool, ids).await?;
    let (layout, cookies) = Layout::new(req, app, &admin.0);
    let here = format!("/admin/-/tenants/{}/pools/{}/users", path.tenant, path.pool);
    let page = ConfirmPage {
        layout: crumbs(
            layout,
            &path.tenant,
            &found,
            &[(here.as_str(), "Delete users")],
        ),
        tenant: path.tenant.clone(),
        pool: found,
        users,
        query: list_query(f),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// `1 user` / `3 users`.
fn users(n: usize) -> String {
    match n {
        1 => "1 user".into(),
        n => format!("{n} users"),
    }
}

/// What the action did, in one sentence per kind of result.
fn summary(act: &Action, group: &str, out: &Outcome) -> String {
    let n = users(out.done.len());
    let mut parts = vec![match act {
        Action::Deactivate => format!("{n} deactivated"),
        Action::Activate => format!("{n} activated"),
        Action::ResendInvitation => format!("New invitation sent to {n}"),
        Action::AssignToGroup(_) => format!("{n} added to {group}"),
        Action::Delete => format!("{n} deleted"),
    }];
    let (k, was) = match out.unchanged.len() {
        1 => (1, "was"),
        k => (k, "were"),
    };
    if k > 0 {
        parts.push(match act {
            Action::Deactivate => format!("{k} {was} already inactive"),
            Action::Activate => format!("{k} {was} already active"),
            Action::ResendInvitation => format!("{k} {was} not waiting for an invitation"),
            Action::AssignToGroup(_) => format!("{k} {was} already in {group}"),
            Action::Delete => format!("{k} {was} already gone"),
        });
    }
    for (u, why) in &out.refused {
        parts.push(format!("{} was left as it was: {why}", identifier(u)));
    }
    format!("{}.", parts.join("; "))
}
