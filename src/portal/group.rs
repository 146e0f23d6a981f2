//! One group of a pool as the portal shows it: its details and their edit form (name, description, parent; a
//! cycle is refused at the parent, by the domain), its sub-groups, its members **Direct** or **Including
//! sub-groups** (each row saying how the user is one), and **Delete group** after a confirmation that says what
//! goes with it.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::groups::{GroupForm, crumbs, groups_path, path_label};
use super::layout::{Layout, respond, see_other};
use super::paging::{self, PageQuery};
use super::session::{Admin, Viewer};
use super::users::display_name;
use crate::authn::portal::Signed;
use crate::identity::deletion_impact::{self, GroupImpact};
use crate::identity::group::{self, Group};
use crate::identity::membership::{self, Member, TreeNode};
use crate::identity::pool::{self, Pool};
use crate::identity::{Error, user};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::html::day;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools/{pool}/groups/{group}")
            .route(methods::get().to(show_group))
            .route(web::post().to(update_group)),
    )
    .service(
        web::resource("/tenants/{tenant}/pools/{pool}/groups/{group}/delete")
            .route(methods::get().to(confirm_delete))
            .route(web::post().to(delete_group)),
    );
}

#[derive(Deserialize)]
pub(super) struct GroupPath {
    pub tenant: String,
    pub pool: String,
    pub group: String,
}

impl GroupPath {
    pub fn page(&self) -> String {
        format!("{}/{}", groups_path(&self.tenant, &self.pool), self.group)
    }
}

/// How the page names a user: their email, else their mobile, else their id.
pub(super) fn identifier(u: &user::User) -> &str {
    u.email.as_deref().or(u.mobile.as_deref()).unwrap_or(&u.id)
}

/// How a member row says the user is one: "Direct member", "Inherited through staff › eu-staff", or both.
fn how_member(m: &Member) -> Vec<String> {
    let mut out = Vec::new();
    if m.direct {
        out.push("Direct member".to_owned());
    }
    for path in &m.via {
        let names: Vec<&str> = path.iter().map(|g| g.name.as_str()).collect();
        out.push(format!("Inherited through {}", names.join(" › ")));
    }
    out
}

#[derive(Debug, Default, Deserialize)]
struct MembersQuery {
    /// `all` for the members of the sub-groups too; anything else shows the direct members.
    #[serde(default)]
    members: String,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/groups/show.html")]
struct GroupPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    group: Group,
    node: Option<TreeNode>,
    subgroups: Vec<TreeNode>,
    /// `(id, path)` of the groups that may be chosen as the parent (not the group itself).
    parents: Vec<(String, String)>,
    form: FormState,
    nested: bool,
    members: Vec<Member>,
    total: i64,
    next: Option<String>,
}

fn edit_state(g: &Group) -> FormState {
    FormState::with(&[
        ("name", &g.name),
        ("description", &g.description),
        ("parent_id", g.parent_id.as_deref().unwrap_or("")),
    ])
}

/// The group page with `form` in its edit form, members as `q` asks.
async fn group_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &GroupPath,
    q: MembersQuery,
    form: Option<FormState>,
) -> Result<HttpResponse, PortalError> {
    let (tenant, pool_id, id) = (&path.tenant, &path.pool, &path.group);
    let found = pool::find(app, tenant, pool_id).await?;
    let g = group::find(app, tenant, pool_id, id).await?;
    let nested = q.members == "all";
    let page = PageQuery { cursor: q.cursor }.request()?;
    let ((members, next), total) =
        membership::members(app, tenant, pool_id, id, nested, page).await?;
    let tree = membership::tree(app, tenant, pool_id).await?;
    let parents = tree
        .iter()
        .filter(|n| n.group.id != g.id)
        .map(|n| (n.group.id.clone(), path_label(n)))
        .collect();
    let (node, subgroups): (Vec<TreeNode>, Vec<TreeNode>) = tree
        .into_iter()
        .filter(|n| n.group.id == g.id || n.group.parent_id.as_deref() == Some(&g.id))
        .partition(|n| n.group.id == g.id);
    let status = match &form {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let (layout, cookies) = Layout::new(req, app, signed);
    let here = path.page();
    let view = match nested {
        true => "members=all&",
        false => "",
    };
    let page = GroupPage {
        layout: crumbs(layout, tenant, &found, &[(here.as_str(), g.name.as_str())]),
        tenant: tenant.clone(),
        pool: found,
        form: form.unwrap_or_else(|| edit_state(&g)),
        group: g,
        node: node.into_iter().next(),
        subgroups,
        parents,
        nested,
        members,
        total,
        next: paging::cursor(&next).map(|c| format!("{view}cursor={c}")),
    };
    Ok(respond(status, &page, cookies))
}

async fn show_group(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<GroupPath>,
    q: Query<MembersQuery>,
) -> Result<HttpResponse, PortalError> {
    group_page(&req, &app, &viewer.0, &path, q.into_inner(), None).await
}

/// Where a refusal of an edit goes: the domain's conflicts are a duplicate name, or (naming `parent_id`) a
/// parent that would make the group its own ancestor.
fn edit_refusal(e: Error, state: &mut FormState) -> Result<(), Error> {
    match e {
        Error::Conflict(message) if message.starts_with("parent_id") => {
            state.refuse(
                "parent_id",
                "This group is above the chosen parent, so the group would become its own ancestor: choose \
                 a group that is not one of its sub-groups",
            );
            Ok(())
        }
        other => state.take(other, &[], "name"),
    }
}

/// **Save**: 303 back to the group with a flash, or the page again (422) with the input kept.
async fn update_group(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<GroupPath>,
    form: Csrf<GroupForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    match group::update(
        &app,
        &admin.1,
        &path.tenant,
        &path.pool,
        &path.group,
        f.patch(),
    )
    .await
    {
        Ok(g) => Ok(see_other(&app, &path.page(), &format!("Saved {}.", g.name))),
        Err(e) => {
            edit_refusal(e, &mut state)?;
            let q = MembersQuery::default();
            group_page(&req, &app, &admin.0, &path, q, Some(state)).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/groups/delete.html")]
struct DeleteGroupPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    group: Group,
    impact: GroupImpact,
}

async fn confirm_delete(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<GroupPath>,
) -> Result<HttpResponse, PortalError> {
    let found = pool::find(&app, &path.tenant, &path.pool).await?;
    let g = group::find(&app, &path.tenant, &path.pool, &path.group).await?;
    let impact = deletion_impact::of_group(&app, &path.tenant, &path.pool, &g.id).await?;
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let (here, del) = (path.page(), format!("{}/delete", path.page()));
    let more = [(here.as_str(), g.name.as_str()), (del.as_str(), "Delete")];
    let page = DeleteGroupPage {
        layout: crumbs(layout, &path.tenant, &found, &more),
        tenant: path.tenant.clone(),
        pool: found,
        group: g,
        impact,
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// **Delete group**: its memberships go (the users stay), its sub-groups move to the top level.
async fn delete_group(
    app: Data<AppState>,
    admin: Admin,
    path: Path<GroupPath>,
    _form: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let g = group::find(&app, &path.tenant, &path.pool, &path.group).await?;
    group::delete(&app, &admin.1, &path.tenant, &path.pool, &g.id).await?;
    let to = groups_path(&path.tenant, &path.pool);
    Ok(see_other(&app, &to, &format!("Deleted {}.", g.name)))
}
