//! `/api/admin/{tenant}/pools/{pool}/groups`: groups, nesting and membership.

use actix_web::web::{self, Data, Path, Query};
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{GroupPath, MemberPath, PoolPath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::deletion_impact::GroupImpact;
use crate::identity::group::{self, Group, GroupPatch, NewGroup};
use crate::identity::membership::{self, Assigned, Assignment, Member, TreeNode};
use crate::identity::user::User;
use crate::identity::{deletion_impact, user_list};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/pools/{pool}/groups")
            .route(web::post().to(create_group))
            .route(methods::get().to(list_groups)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/groups/{group}")
            .route(methods::get().to(get_group))
            .route(web::patch().to(update_group))
            .route(web::delete().to(delete_group)),
    )
    .service(resource("/{tenant}/pools/{pool}/group-tree").route(methods::get().to(get_group_tree)))
    .service(
        resource("/{tenant}/pools/{pool}/groups/{group}/users")
            .route(methods::get().to(list_group_members))
            .route(web::post().to(assign_users_to_group)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/groups/{group}/deletion-impact")
            .route(methods::get().to(get_group_deletion_impact)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/groups/{group}/assignable-users")
            .route(methods::get().to(list_assignable_users)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/groups/{group}/users/{user}")
            .route(web::put().to(assign_user_to_group))
            .route(web::delete().to(unassign_user_from_group)),
    );
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/groups", tag = "groups",
    params(PoolPath),
    request_body = NewGroup,
    responses((status = 201, description = "the created group", body = Group), BodyErrors)
)]
async fn create_group(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
    body: JsonBody<NewGroup>,
) -> Reply {
    Ok(created(
        group::create(
            &app,
            &admin.audit,
            &path.tenant,
            &path.pool,
            body.into_inner(),
        )
        .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/groups", tag = "groups",
    params(PoolPath, ListQuery),
    responses((status = 200, description = "a page of groups", body = List<Group>), ReadErrors)
)]
async fn list_groups(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        group::list(&app, &path.tenant, &path.pool, q.page()?).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}", tag = "groups",
    params(GroupPath),
    responses((status = 200, description = "the group", body = Group), ReadErrors)
)]
async fn get_group(_: AdminBearer, app: Data<AppState>, path: Path<GroupPath>) -> Reply {
    Ok(ok(
        group::find(&app, &path.tenant, &path.pool, &path.group).await?
    ))
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}", tag = "groups",
    params(GroupPath),
    request_body = GroupPatch,
    responses((status = 200, description = "the updated group", body = Group), BodyErrors)
)]
async fn update_group(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<GroupPath>,
    body: JsonBody<GroupPatch>,
) -> Reply {
    Ok(ok(group::update(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        &path.group,
        body.into_inner(),
    )
    .await?))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}", tag = "groups",
    params(GroupPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_group(admin: AdminBearer, app: Data<AppState>, path: Path<GroupPath>) -> Reply {
    group::delete(&app, &admin.audit, &path.tenant, &path.pool, &path.group).await?;
    Ok(no_content())
}

// Not `#[serde(flatten)]`: flattened query fields lose their types in serde_urlencoded.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MembersQuery {
    /// Also the members of sub-groups, each once.
    #[serde(default)]
    nested: bool,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/users", tag = "groups",
    params(GroupPath, MembersQuery),
    responses((status = 200, description = "a page of members", body = List<Member>), ReadErrors)
)]
async fn list_group_members(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<GroupPath>,
    q: Query<MembersQuery>,
) -> Reply {
    let q = q.into_inner();
    let page = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    Ok(ok(List::from(
        membership::members(&app, &path.tenant, &path.pool, &path.group, q.nested, page).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/deletion-impact", tag = "groups",
    params(GroupPath),
    responses((status = 200, description = "what deleting the group would change", body = GroupImpact), ReadErrors)
)]
async fn get_group_deletion_impact(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<GroupPath>,
) -> Reply {
    Ok(ok(deletion_impact::of_group(
        &app,
        &path.tenant,
        &path.pool,
        &path.group,
    )
    .await?))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/group-tree", tag = "groups",
    params(PoolPath),
    responses((status = 200, description = "every group of the pool, depth first", body = Vec<TreeNode>), ReadErrors)
)]
async fn get_group_tree(_: AdminBearer, app: Data<AppState>, path: Path<PoolPath>) -> Reply {
    Ok(ok(membership::tree(&app, &path.tenant, &path.pool).await?))
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/users", tag = "groups",
    params(GroupPath),
    request_body = Assignment,
    responses((status = 200, description = "who was added and who was a member already", body = Assigned), BodyErrors)
)]
async fn assign_users_to_group(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<GroupPath>,
    body: JsonBody<Assignment>,
) -> Reply {
    Ok(ok(membership::assign_many(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        &path.group,
        body.into_inner(),
    )
    .await?))
}

// Not `#[serde(flatten)]`: flattened query fields lose their types in serde_urlencoded.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AssignableQuery {
    /// A prefix of the email, mobile or name.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/assignable-users", tag = "groups",
    params(GroupPath, AssignableQuery),
    responses((status = 200, description = "a page of users not in the group", body = List<User>), ReadErrors)
)]
async fn list_assignable_users(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<GroupPath>,
    q: Query<AssignableQuery>,
) -> Reply {
    let q = q.into_inner();
    let page = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let (tenant, pool, group) = (&path.tenant, &path.pool, &path.group);
    Ok(ok(List::from(
        user_list::assignable(&app, tenant, pool, group, q.q.as_deref(), page).await?,
    )))
}

#[utoipa::path(
    put, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/users/{user}", tag = "groups",
    params(MemberPath),
    responses((status = 204, description = "the user is a member"), ChangeErrors)
)]
async fn assign_user_to_group(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<MemberPath>,
) -> Reply {
    group::assign(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        &path.group,
        &path.user,
    )
    .await?;
    Ok(no_content())
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/groups/{group}/users/{user}", tag = "groups",
    params(MemberPath),
    responses((status = 204, description = "the user is no longer a member"), ChangeErrors)
)]
async fn unassign_user_from_group(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<MemberPath>,
) -> Reply {
    group::unassign(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        &path.group,
        &path.user,
    )
    .await?;
    Ok(no_content())
}
