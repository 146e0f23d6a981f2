//! Groups of a pool: nesting (cycles refused), membership of users of the same pool, direct and nested views.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{Error, Result, unique_as_conflict};
use super::hierarchy::Hierarchy;
use super::membership::GroupRef;
use super::patch::Patch;
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::groups::{self, GroupRow};
use crate::store::page::{Page, PageRequest};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Self {
        Group {
            id: r.id,
            pool_id: r.pool_id,
            name: r.name,
            description: r.description,
            parent_id: r.parent_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub parent_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<String>, nullable)]
    #[serde(default)]
    pub parent_id: Patch<String>,
}

/// A user's groups: those they were put in, those plus every ancestor, and each ancestor they are not in
/// themselves with the path that makes them a member of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserGroups {
    pub direct: Vec<Group>,
    pub effective: Vec<Group>,
    pub inherited: Vec<InheritedGroup>,
}

/// A group the user is a member of through a sub-group: `via` runs from this group down to the one they were
/// put in ("staff › eu-staff"); the shortest such path when there are several.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InheritedGroup {
    #[serde(flatten)]
    pub group: Group,
    pub via: Vec<GroupRef>,
}

const DUPLICATE: &str = "a group with this name already exists in the pool";

pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    input: NewGroup,
) -> Result<Group> {
    let (now, ctx) = (app.clock.now(), ctx.clone());
    let row = GroupRow {
        id: crate::secret::new_id(),
        pool_id: pool.to_owned(),
        name: super::slug::parse_name("name", &input.name)?,
        description: description(input.description)?,
        parent_id: input.parent_id,
        created_at: now,
        updated_at: now,
    };
    let tenant = tenant.to_owned();
    app.db
        .transaction(move |c| {
            super::pool::require(c, &tenant, &row.pool_id)?;
            if let Some(parent) = &row.parent_id {
                require_parent(c, &row.pool_id, parent)?;
            }
            groups::insert(c, &row).map_err(unique_as_conflict(DUPLICATE))?;
            let group = Group::from(row);
            let details = Details::new().with("name", &group.name);
            let event = group_event(EventType::GroupCreated, &group.pool_id, &group.id);
            audit::record(c, &tenant, &ctx, now, event.details(details))?;
            Ok(group)
        })
        .await
}

pub async fn update(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    id: &str,
    patch: GroupPatch,
) -> Result<Group> {
    let ctx = ctx.clone();
    let (tenant, pool, id, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        id.to_owned(),
        app.clock.now(),
    );
    app.db
        .transaction(move |c| {
            let mut row = require(c, &tenant, &pool, &id)?;
            let old = rendered(&Group::from(row.clone()));
            if let Some(name) = patch.name {
                let name = super::slug::parse_name("name", &name)?;
                if name != row.name {
                    super::admin::guard_group(&pool, &id)?;
                }
                row.name = name;
            }
            if let Some(d) = patch.description {
                row.description = description(d)?;
            }
            patch.parent_id.apply_to(&mut row.parent_id);
            if let Some(parent) = &row.parent_id {
                require_parent(c, &pool, parent)?;
                if Hierarchy::new(groups::hierarchy(c, &pool)?).would_cycle(&row.id, parent) {
                    return Err(Error::Conflict(
                        "parent_id would make the group its own ancestor".into(),
                    ));
                }
            }
            row.updated_at = now;
            groups::update(c, &row).map_err(unique_as_conflict(DUPLICATE))?;
            let group = Group::from(row);
            let changes = Details::new().diff(&old, &rendered(&group));
            if changes.has_changes() {
                let event = group_event(EventType::GroupUpdated, &pool, &id).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(group)
        })
        .await
}

/// A group description, trimmed and bounded (also what an import checks).
pub fn description(d: String) -> Result<String> {
    let d = d.trim().to_owned();
    if d.chars().count() > 1000 {
        return Err(Error::invalid(
            "description",
            "must be at most 1000 characters",
        ));
    }
    Ok(d)
}

fn require_parent(c: &mut DbConn, pool: &str, parent: &str) -> Result<()> {
    match groups::find(c, pool, parent)? {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            "parent_id",
            "no group with this id in the pool",
        )),
    }
}

pub async fn find(app: &AppState, tenant: &str, pool: &str, id: &str) -> Result<Group> {
    let (tenant, pool, id) = (tenant.to_owned(), pool.to_owned(), id.to_owned());
    app.db
        .run(move |c| require(c, &tenant, &pool, &id).map(Group::from))
        .await
}

pub async fn list(
    app: &AppState,
    tenant: &str,
    pool: &str,
    page: PageRequest,
) -> Result<Page<Group>> {
    let (tenant, pool) = (tenant.to_owned(), pool.to_owned());
    app.db
        .run(move |c| {
            super::pool::require(c, &tenant, &pool)?;
            let (rows, next) = groups::list(c, &pool, &page)?;
            Ok((rows.into_iter().map(Group::from).collect(), next))
        })
        .await
}

/// Deletes a group; its sub-groups move up to the top level and its memberships go with it.
pub async fn delete(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    id: &str,
) -> Result<()> {
    let (tenant, pool, id) = (tenant.to_owned(), pool.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let row = require(c, &tenant, &pool, &id)?;
            super::admin::guard_group(&pool, &id)?;
            groups::delete(c, &id)?;
            let details = Details::new().with("name", &row.name);
            let event = group_event(EventType::GroupDeleted, &pool, &id).details(details);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

/// Puts a user of the same pool into the group (idempotent).
pub async fn assign(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    group: &str,
    user: &str,
) -> Result<()> {
    let (tenant, pool, group, user, now) = (
        tenant.to_owned(),
        pool.to_owned(),
        group.to_owned(),
        user.to_owned(),
        app.clock.now(),
    );
    let ctx = ctx.clone();
    app.db
        .transaction(move |c| {
            require(c, &tenant, &pool, &group)?;
            super::user::require(c, &tenant, &pool, &user)?;
            if crate::store::membership::insert_member(c, &group, &user, now)? {
                let event = member_event(EventType::GroupMemberAdded, &pool, &group, &user);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(())
        })
        .await
}

/// Takes a user out of the group; not being a member is not an error.
pub async fn unassign(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    pool: &str,
    group: &str,
    user: &str,
) -> Result<()> {
    let (ctx, now) = (ctx.clone(), app.clock.now());
    let (tenant, pool, group, user) = (
        tenant.to_owned(),
        pool.to_owned(),
        group.to_owned(),
        user.to_owned(),
    );
    app.db
        .transaction(move |c| {
            require(c, &tenant, &pool, &group)?;
            super::user::require(c, &tenant, &pool, &user)?;
            if group == super::admin::ADMINISTRATORS {
                super::admin::ensure_not_last_administrator(c, &pool, &user)?;
            }
            if groups::remove_member(c, &group, &user)? > 0 {
                let event = member_event(EventType::GroupMemberRemoved, &pool, &group, &user);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(())
        })
        .await
}

/// The user's direct groups and their effective groups (direct plus every ancestor), each sorted by name.
pub async fn of_user(app: &AppState, tenant: &str, pool: &str, user: &str) -> Result<UserGroups> {
    let (tenant, pool, user) = (tenant.to_owned(), pool.to_owned(), user.to_owned());
    app.db
        .run(move |c| {
            super::user::require(c, &tenant, &pool, &user)?;
            effective_groups(c, &pool, &user)
        })
        .await
}

/// The groups a user belongs to directly and through nesting; used for the `groups` claim too.
pub fn effective_groups(c: &mut DbConn, pool: &str, user: &str) -> Result<UserGroups> {
    let direct_ids = groups::direct_group_ids(c, user)?;
    let hierarchy = Hierarchy::new(groups::hierarchy(c, pool)?);
    let mut effective_ids = direct_ids.clone();
    for id in &direct_ids {
        for ancestor in hierarchy.ancestors(id) {
            if !effective_ids.contains(&ancestor) {
                effective_ids.push(ancestor);
            }
        }
    }
    let effective: Vec<Group> = groups::find_many(c, &effective_ids)?
        .into_iter()
        .map(Group::from)
        .collect();
    let direct: Vec<Group> = effective
        .iter()
        .filter(|g| direct_ids.contains(&g.id))
        .cloned()
        .collect();
    let inherited = inherited_paths(&hierarchy, &effective, &direct);
    Ok(UserGroups {
        direct,
        effective,
        inherited,
    })
}

/// Each effective group that is not a direct one, with its shortest path down to a direct group (ties by name).
fn inherited_paths(
    hierarchy: &Hierarchy,
    effective: &[Group],
    direct: &[Group],
) -> Vec<InheritedGroup> {
    let name = |id: &str| {
        effective
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.clone())
    };
    effective
        .iter()
        .filter(|g| !direct.iter().any(|d| d.id == g.id))
        .map(|g| {
            let via = direct
                .iter()
                .filter_map(|d| hierarchy.path_down(&g.id, &d.id))
                .map(|ids| {
                    ids.into_iter()
                        .map(|id| GroupRef {
                            name: name(&id).unwrap_or_default(),
                            id,
                        })
                        .collect::<Vec<_>>()
                })
                .min_by(|a, b| (a.len(), path_names(a)).cmp(&(b.len(), path_names(b))))
                .unwrap_or_default();
            InheritedGroup {
                group: g.clone(),
                via,
            }
        })
        .collect()
}

fn path_names(path: &[GroupRef]) -> Vec<&str> {
    path.iter().map(|g| g.name.as_str()).collect()
}

/// The group row, or `NotFound` when the tenant's pool has no such group.
pub fn require(conn: &mut DbConn, tenant: &str, pool: &str, id: &str) -> Result<GroupRow> {
    super::pool::require(conn, tenant, pool)?;
    groups::find(conn, pool, id)?.ok_or(Error::NotFound("group"))
}

fn group_event(kind: EventType, pool: &str, id: &str) -> Event {
    Event::new(kind).subject(SubjectType::Group, id).pool(pool)
}

/// A membership change: about the user (their history shows it), naming the group.
pub fn member_event(kind: EventType, pool: &str, group: &str, user: &str) -> Event {
    Event::new(kind)
        .subject(SubjectType::User, user)
        .pool(pool)
        .details(Details::new().with("group_id", group))
}

/// A group's fields as JSON, for the changes of an update (a group holds no secret).
fn rendered(group: &Group) -> Value {
    serde_json::to_value(group).unwrap_or_default()
}
