//! How users are members of a pool's groups, as the portal's Groups pages show it: the tree with member counts
//! (direct and including sub-groups), a group's members each with how they are one ("via staff › eu-staff"),
//! and assigning several users at once.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::group::Group;
use super::hierarchy::Hierarchy;
use super::user::User;
use crate::state::AppState;
use crate::store::groups::GroupRow;
use crate::store::membership;
use crate::store::page::{CountedPage, PageRequest};

/// The most users one call may name (assign, bulk actions): a page of the portal's list, checked in a single
/// transaction that stays short.
pub const MAX_USERS_PER_CALL: usize = 500;

/// A group named in a membership path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

/// One group of the tree, in depth-first order (siblings by name).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    #[serde(flatten)]
    pub group: Group,
    /// 0 for a top-level group.
    pub depth: usize,
    /// The names from the top-level group down to this one.
    pub path: Vec<String>,
    /// How many groups have this one as their parent.
    pub subgroups: usize,
    /// Users put in this group itself.
    pub direct_members: usize,
    /// Users in this group or any group below it, each counted once.
    pub members: usize,
}

/// A member of a group and how they are one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Member {
    #[serde(flatten)]
    pub user: User,
    /// Whether the user was put in this group itself.
    pub direct: bool,
    /// For each sub-group the user was put in, the path from this group down to it, by name order.
    pub via: Vec<Vec<GroupRef>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub user_ids: Vec<String>,
}

/// What an assignment did: who became a member, who already was one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Assigned {
    pub assigned: Vec<String>,
    pub already_members: Vec<String>,
}

/// The pool's whole group tree with member counts, from two queries (the groups, then every membership).
pub async fn tree(app: &AppState, tenant: &str, pool: &str) -> Result<Vec<TreeNode>> {
    let (tenant, pool) = (tenant.to_owned(), pool.to_owned());
    app.db
        .run(move |c| {
            super::pool::require(c, &tenant, &pool)?;
            let groups = membership::pool_groups(c, &pool)?;
            let memberships = membership::pool_memberships(c, &pool)?;
            Ok(build_tree(groups, &memberships))
        })
        .await
}

fn build_tree(groups: Vec<GroupRow>, memberships: &[(String, String)]) -> Vec<TreeNode> {
    let hierarchy = Hierarchy::new(groups.iter().map(|g| (g.id.clone(), g.parent_id.clone())));
    let (direct, nested) = member_counts(&hierarchy, memberships);
    let known: HashSet<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<&GroupRow>> = HashMap::new();
    for g in &groups {
        let parent = g.parent_id.as_deref().filter(|p| known.contains(p));
        children.entry(parent).or_default().push(g);
    }
    let mut out = Vec::with_capacity(groups.len());
    let mut seen = HashSet::new();
    // Depth-first with an explicit stack; `seen` keeps corrupt cyclic data from looping.
    let mut stack: Vec<(&GroupRow, usize, Vec<String>)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|g| (*g, 0, Vec::new()))
        .collect();
    while let Some((g, depth, mut path)) = stack.pop() {
        if !seen.insert(g.id.clone()) {
            continue;
        }
        path.push(g.name.clone());
        let kids = children
            .get(&Some(g.id.as_str()))
            .map_or(&[][..], Vec::as_slice);
        for kid in kids.iter().rev() {
            stack.push((kid, depth + 1, path.clone()));
        }
        out.push(TreeNode {
            direct_members: direct.get(&g.id).copied().unwrap_or(0),
            members: nested.get(&g.id).copied().unwrap_or(0),
            subgroups: kids.len(),
            group: Group::from(g.clone()),
            depth,
            path,
        });
    }
    out
}

/// Direct and including-sub-groups member counts per group, from memberships grouped by user: each user adds one
/// to every group they are in directly or through a sub-group, however many ways.
fn member_counts(
    hierarchy: &Hierarchy,
    memberships: &[(String, String)],
) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut direct: HashMap<String, usize> = HashMap::new();
    let mut nested: HashMap<String, usize> = HashMap::new();
    for user_rows in memberships.chunk_by(|a, b| a.1 == b.1) {
        let mut reached: HashSet<String> = HashSet::new();
        for (group, _) in user_rows {
            *direct.entry(group.clone()).or_default() += 1;
            reached.insert(group.clone());
            reached.extend(hierarchy.ancestors(group));
        }
        for group in reached {
            *nested.entry(group).or_default() += 1;
        }
    }
    (direct, nested)
}

/// One page of a group's members (with `nested`, also those of every sub-group, each once), the exact total,
/// and for each member how they are one.
pub async fn members(
    app: &AppState,
    tenant: &str,
    pool: &str,
    group: &str,
    nested: bool,
    page: PageRequest,
) -> Result<CountedPage<Member>> {
    let (tenant, pool, group) = (tenant.to_owned(), pool.to_owned(), group.to_owned());
    app.db
        .run(move |c| {
            super::group::require(c, &tenant, &pool, &group)?;
            let total = membership::count_members(c, &group, nested)?;
            let (rows, next) = membership::member_page(c, &pool, &group, nested, &page)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let held = membership::memberships_within(c, &group, nested, &ids)?;
            let groups = membership::pool_groups(c, &pool)?;
            let paths = Paths::new(&groups);
            let members = rows
                .into_iter()
                .map(|row| {
                    let mine = held.iter().filter(|(_, u)| *u == row.id).map(|(g, _)| g);
                    let (direct, via) = paths.explain(&group, mine);
                    Member {
                        user: User::from(row),
                        direct,
                        via,
                    }
                })
                .collect();
            Ok(((members, next), total))
        })
        .await
}

/// Names and parents of a pool's groups, to spell membership paths.
pub struct Paths {
    hierarchy: Hierarchy,
    names: HashMap<String, String>,
}

impl Paths {
    pub fn new(groups: &[GroupRow]) -> Paths {
        Paths {
            hierarchy: Hierarchy::new(groups.iter().map(|g| (g.id.clone(), g.parent_id.clone()))),
            names: groups
                .iter()
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect(),
        }
    }

    /// The path from `top` down to `group`, named; `None` when `group` is not `top` or below it.
    pub fn down(&self, top: &str, group: &str) -> Option<Vec<GroupRef>> {
        let ids = self.hierarchy.path_down(top, group)?;
        Some(
            ids.into_iter()
                .map(|id| GroupRef {
                    name: self.names.get(&id).cloned().unwrap_or_default(),
                    id,
                })
                .collect(),
        )
    }

    /// Whether `held` (groups a user was put in) contains `top` itself, and the paths down to the others.
    fn explain<'a>(
        &self,
        top: &str,
        held: impl Iterator<Item = &'a String>,
    ) -> (bool, Vec<Vec<GroupRef>>) {
        let mut direct = false;
        let mut via = Vec::new();
        for g in held {
            if g == top {
                direct = true;
            } else if let Some(path) = self.down(top, g) {
                via.push(path);
            }
        }
        via.sort_by(|a, b| names(a).cmp(&names(b)));
        (direct, via)
    }
}

fn names(path: &[GroupRef]) -> Vec<&str> {
    path.iter().map(|g| g.name.as_str()).collect()
}

/// Puts several users of the pool into the group in one transaction: all of them, or none when any id is not a
/// user of this pool (404). Users already in the group are reported, not an error.
pub async fn assign_many(
    app: &AppState,
    ctx: &crate::audit::Context,
    tenant: &str,
    pool: &str,
    group: &str,
    input: Assignment,
) -> Result<Assigned> {
    let ids = distinct_ids(input.user_ids)?;
    let (tenant, pool, group, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        group.to_owned(),
        app.clock.now(),
    );
    let ctx = ctx.clone();
    app.db
        .transaction(move |c| {
            super::group::require(c, &tenant, &pool, &group)?;
            if membership::users_of_pool(c, &pool, &ids)?.len() != ids.len() {
                return Err(Error::NotFound("user"));
            }
            let already = membership::direct_members_among(c, &group, &ids)?;
            let mut done = Assigned {
                assigned: Vec::new(),
                already_members: Vec::new(),
            };
            for id in ids {
                if !already.contains(&id) && membership::insert_member(c, &group, &id, now)? {
                    let kind = crate::audit::EventType::GroupMemberAdded;
                    let event = super::group::member_event(kind, &pool, &group, &id);
                    crate::audit::record(c, &tenant, &ctx, now, event)?;
                    done.assigned.push(id);
                } else {
                    done.already_members.push(id);
                }
            }
            Ok(done)
        })
        .await
}

/// The ids in their first order without repeats, between one and [`MAX_USERS_PER_CALL`] of them.
pub fn distinct_ids(ids: Vec<String>) -> Result<Vec<String>> {
    let mut seen = HashSet::new();
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect();
    if ids.is_empty() || ids.len() > MAX_USERS_PER_CALL {
        return Err(Error::invalid(
            "user_ids",
            format!("must name between 1 and {MAX_USERS_PER_CALL} users"),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(id: &str, parent: Option<&str>) -> GroupRow {
        GroupRow {
            id: id.into(),
            pool_id: "p".into(),
            name: id.into(),
            description: String::new(),
            parent_id: parent.map(Into::into),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn m(group: &str, user: &str) -> (String, String) {
        (group.into(), user.into())
    }

    #[test]
    fn the_tree_counts_each_member_once_per_group_however_they_are_in() {
        let groups = vec![
            g("eu-staff", Some("staff")),
            g("loners", None),
            g("paris", Some("eu-staff")),
            g("staff", None),
            g("us-staff", Some("staff")),
        ];
        // u1 is in paris and eu-staff; u2 in us-staff and staff; u3 in loners.
        let ms = [
            m("eu-staff", "u1"),
            m("paris", "u1"),
            m("staff", "u2"),
            m("us-staff", "u2"),
            m("loners", "u3"),
        ];
        let tree = build_tree(groups, &ms);
        let row = |name: &str| tree.iter().find(|n| n.group.name == name).unwrap();
        let order: Vec<&str> = tree.iter().map(|n| n.group.name.as_str()).collect();
        assert_eq!(order, ["loners", "staff", "eu-staff", "paris", "us-staff"]);
        assert_eq!((row("staff").direct_members, row("staff").members), (1, 2));
        assert_eq!(
            (row("eu-staff").direct_members, row("eu-staff").members),
            (1, 1)
        );
        assert_eq!(
            (row("paris").depth, row("paris").path.join(" › ")),
            (2, "staff › eu-staff › paris".into())
        );
        assert_eq!(row("staff").subgroups, 2);
        assert_eq!(row("loners").members, 1);
    }

    #[test]
    fn a_member_is_explained_by_the_paths_down_to_their_groups() {
        let groups = [
            g("staff", None),
            g("eu-staff", Some("staff")),
            g("paris", Some("eu-staff")),
        ];
        let paths = Paths::new(&groups);
        let held = ["paris".to_owned(), "staff".to_owned()];
        let (direct, via) = paths.explain("staff", held.iter());
        assert!(direct);
        assert_eq!(via.len(), 1);
        assert_eq!(names(&via[0]), ["staff", "eu-staff", "paris"]);
    }

    #[test]
    fn assignments_name_a_bounded_set_of_distinct_users() {
        assert_eq!(
            distinct_ids(vec!["a".into(), "b".into(), "a".into()]).unwrap(),
            ["a", "b"]
        );
        assert!(distinct_ids(Vec::new()).is_err());
        assert!(distinct_ids((0..=MAX_USERS_PER_CALL).map(|i| i.to_string()).collect()).is_err());
    }
}
