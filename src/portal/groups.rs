//! A pool's **Groups** tab: the group tree as nested lists with member counts (or, with a search, the matching
//! groups with their paths), and **Create Group** (name, description, optional parent). The rules are the
//! domain's (`identity::group`, `identity::membership`), the same the admin API calls.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::FormState;
use super::layout::{Layout, respond, see_other};
use super::session::{Admin, Viewer};
use super::users::PoolPath;
use crate::authn::portal::Signed;
use crate::identity::group::{self, GroupPatch, NewGroup};
use crate::identity::membership::{self, TreeNode};
use crate::identity::patch::Patch;
use crate::identity::pool::{self, Pool};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants/{tenant}/pools/{pool}/groups")
            .route(methods::get().to(list_groups))
            .route(web::post().to(create_group)),
    )
    .route(
        "/tenants/{tenant}/pools/{pool}/groups/new",
        methods::get().to(new_group),
    );
}

/// The pool's Groups tab, under the public URL's root.
pub(super) fn groups_path(tenant: &str, pool: &str) -> String {
    format!("/admin/-/tenants/{tenant}/pools/{pool}/groups")
}

/// `(href, label)` crumbs down to the pool's Groups tab.
pub(super) fn crumbs(layout: Layout, tenant: &str, pool: &Pool, more: &[(&str, &str)]) -> Layout {
    let pools = format!("/admin/-/tenants/{tenant}/pools");
    let here = format!("{pools}/{}", pool.id);
    let groups = groups_path(tenant, &pool.id);
    let mut all = vec![
        ("/admin/-/tenants", "Tenant Settings"),
        (pools.as_str(), "Identity Pools"),
        (here.as_str(), pool.name.as_str()),
        (groups.as_str(), "Groups"),
    ];
    all.extend_from_slice(more);
    layout.crumbs(&all).in_tenant(tenant)
}

/// A group as a select option names it: its path from the top ("staff › eu-staff").
pub(super) fn path_label(node: &TreeNode) -> String {
    node.path.join(" › ")
}

/// One tree node and the markup around it: nodes come depth-first, so a node opens a nested list when the next
/// one is its child, and closes as many levels as the next one is shallower.
pub(super) struct TreeRow<'a> {
    pub node: &'a TreeNode,
    pub opens: bool,
    pub closes: Vec<()>,
}

fn tree_rows(nodes: &[TreeNode]) -> Vec<TreeRow<'_>> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let next = nodes.get(i + 1).map_or(0, |n| n.depth);
            TreeRow {
                node,
                opens: next > node.depth,
                closes: vec![(); node.depth.saturating_sub(next)],
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct TreeQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "portal/groups/list.html")]
struct GroupsPage<'a> {
    layout: Layout,
    tenant: String,
    pool: Pool,
    q: String,
    /// The whole tree (no search).
    rows: Vec<TreeRow<'a>>,
    /// The groups whose name contains the search, with their paths (a search).
    found: Vec<&'a TreeNode>,
    total: usize,
}

async fn list_groups(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
    q: Query<TreeQuery>,
) -> Result<HttpResponse, PortalError> {
    let found_pool = pool::find(&app, &path.tenant, &path.pool).await?;
    let nodes = membership::tree(&app, &path.tenant, &path.pool).await?;
    let q = q.into_inner().q.trim().to_owned();
    let needle = q.to_lowercase();
    let (rows, found) = match q.is_empty() {
        true => (tree_rows(&nodes), Vec::new()),
        false => (
            Vec::new(),
            nodes
                .iter()
                .filter(|n| n.group.name.to_lowercase().contains(&needle))
                .collect(),
        ),
    };
    let (layout, cookies) = Layout::new(&req, &app, &viewer.0);
    let page = GroupsPage {
        layout: crumbs(layout, &path.tenant, &found_pool, &[]),
        tenant: path.tenant.clone(),
        pool: found_pool,
        q,
        rows,
        found,
        total: nodes.len(),
    };
    Ok(respond(StatusCode::OK, &page, cookies))
}

/// The group form as submitted (Create Group, and Save on a group's page); an empty parent means a top-level
/// group.
#[derive(Debug, Deserialize)]
pub(super) struct GroupForm {
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parent_id: String,
}
crate::csrf_protected!(GroupForm);

impl GroupForm {
    pub(super) fn state(&self) -> FormState {
        FormState::with(&[
            ("name", &self.name),
            ("description", &self.description),
            ("parent_id", &self.parent_id),
        ])
    }

    fn new_group(self) -> NewGroup {
        NewGroup {
            name: self.name,
            description: self.description,
            parent_id: Some(self.parent_id).filter(|p| !p.is_empty()),
        }
    }

    /// The form as a change of an existing group: every field is set, an empty parent clears it.
    pub(super) fn patch(self) -> GroupPatch {
        GroupPatch {
            name: Some(self.name),
            description: Some(self.description),
            parent_id: match self.parent_id.is_empty() {
                true => Patch::Clear,
                false => Patch::Set(self.parent_id),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "portal/groups/new.html")]
struct NewGroupPage {
    layout: Layout,
    tenant: String,
    pool: Pool,
    form: FormState,
    /// `(id, path)` of every group, for the parent select.
    parents: Vec<(String, String)>,
}

async fn new_group_page(
    req: &HttpRequest,
    app: &AppState,
    signed: &Signed,
    path: &PoolPath,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let found = pool::find(app, &path.tenant, &path.pool).await?;
    let parents = membership::tree(app, &path.tenant, &path.pool)
        .await?
        .iter()
        .map(|n| (n.group.id.clone(), path_label(n)))
        .collect();
    let (layout, cookies) = Layout::new(req, app, signed);
    let new = format!("{}/new", groups_path(&path.tenant, &path.pool));
    let page = NewGroupPage {
        layout: crumbs(
            layout,
            &path.tenant,
            &found,
            &[(new.as_str(), "Create Group")],
        ),
        tenant: path.tenant.clone(),
        pool: found,
        form,
        parents,
    };
    Ok(respond(status, &page, cookies))
}

#[derive(Debug, Default, Deserialize)]
struct NewGroupQuery {
    #[serde(default)]
    parent: String,
}

/// The empty form; `?parent=` preselects the parent (the "Create a sub-group" link of a group's page).
async fn new_group(
    req: HttpRequest,
    app: Data<AppState>,
    viewer: Viewer,
    path: Path<PoolPath>,
    q: Query<NewGroupQuery>,
) -> Result<HttpResponse, PortalError> {
    let form = FormState::with(&[("parent_id", &q.parent)]);
    new_group_page(&req, &app, &viewer.0, &path, form, StatusCode::OK).await
}

/// **Create**: 303 to the new group's page, or the form again (422) with the input kept and the refusal at its
/// field (a duplicate name at the name).
async fn create_group(
    req: HttpRequest,
    app: Data<AppState>,
    admin: Admin,
    path: Path<PoolPath>,
    form: Csrf<GroupForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = f.state();
    match group::create(&app, &admin.1, &path.tenant, &path.pool, f.new_group()).await {
        Ok(g) => {
            let here = format!("{}/{}", groups_path(&path.tenant, &path.pool), g.id);
            Ok(see_other(&app, &here, &format!("Created {}.", g.name)))
        }
        Err(e) => {
            state.take(e, &[], "name")?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            new_group_page(&req, &app, &admin.0, &path, state, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::group::Group;

    fn node(name: &str, depth: usize) -> TreeNode {
        TreeNode {
            group: Group {
                id: name.into(),
                pool_id: "p".into(),
                name: name.into(),
                description: String::new(),
                parent_id: None,
                created_at: 0,
                updated_at: 0,
            },
            depth,
            path: vec![name.into()],
            subgroups: 0,
            direct_members: 0,
            members: 0,
        }
    }

    #[test]
    fn tree_rows_open_and_close_every_nested_list() {
        let nodes = [
            node("staff", 0),
            node("eu", 1),
            node("paris", 2),
            node("us", 1),
            node("solo", 0),
            node("deep", 1),
            node("deeper", 2),
        ];
        let rows = tree_rows(&nodes);
        let shape: Vec<(bool, usize)> = rows.iter().map(|r| (r.opens, r.closes.len())).collect();
        assert_eq!(
            shape,
            [
                (true, 0),
                (true, 0),
                (false, 1),
                (false, 1),
                (true, 0),
                (true, 0),
                (false, 2)
            ]
        );
    }
}
