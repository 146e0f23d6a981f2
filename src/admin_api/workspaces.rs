//! `/api/admin/{tenant}/workspaces`: workspaces and their identity-provider connections.

use actix_web::web::{self, Data, Path, Query};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{ConnectionPath, TenantPath, WorkspacePath};
use super::{AdminBearer, ApiError, Reply, created, no_content, ok, resource};
use crate::error::ErrorKind;
use crate::identity::deletion_impact::{self, WorkspaceImpact};
use crate::identity::workspace::{self, Connection, NewWorkspace, Workspace, WorkspacePatch};
use crate::state::AppState;
use crate::tokens::provider::{self, PublishedKey};
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/workspaces")
            .route(web::post().to(create_workspace))
            .route(methods::get().to(list_workspaces)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}")
            .route(methods::get().to(get_workspace))
            .route(web::patch().to(update_workspace))
            .route(web::delete().to(delete_workspace)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/idps")
            .route(web::post().to(connect_idp))
            .route(methods::get().to(list_idps)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/idps/{pool}")
            .route(web::patch().to(move_idp))
            .route(web::delete().to(disconnect_idp)),
    )
    .service(resource("/{tenant}/workspaces/{workspace}/keys").route(methods::get().to(list_keys)))
    .service(
        resource("/{tenant}/workspaces/{workspace}/keys/rotate").route(web::post().to(rotate_keys)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/deletion-impact")
            .route(methods::get().to(get_workspace_deletion_impact)),
    );
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/deletion-impact", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "what deleting the workspace would remove", body = WorkspaceImpact), ReadErrors)
)]
async fn get_workspace_deletion_impact(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
) -> Reply {
    Ok(ok(deletion_impact::of_workspace(
        &app,
        &path.tenant,
        &path.workspace,
    )
    .await?))
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces", tag = "workspaces",
    params(TenantPath),
    request_body = NewWorkspace,
    responses((status = 201, description = "the created workspace", body = Workspace), BodyErrors)
)]
async fn create_workspace(
    admin: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    body: JsonBody<NewWorkspace>,
) -> Reply {
    Ok(created(
        workspace::create(&app, &admin.audit, &tenant, body.into_inner()).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces", tag = "workspaces",
    params(TenantPath, ListQuery),
    responses((status = 200, description = "a page of workspaces", body = List<Workspace>), ReadErrors)
)]
async fn list_workspaces(
    _: AdminBearer,
    app: Data<AppState>,
    tenant: Path<String>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        workspace::list(&app, &tenant, q.page()?).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "the workspace", body = Workspace), ReadErrors)
)]
async fn get_workspace(_: AdminBearer, app: Data<AppState>, path: Path<WorkspacePath>) -> Reply {
    Ok(ok(
        workspace::find(&app, &path.tenant, &path.workspace).await?
    ))
}

/// The answer of a key rotation.
#[derive(Serialize, ToSchema)]
struct RotatedKeys {
    /// The key ids now signing, one per algorithm.
    current_kids: Vec<String>,
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces/{workspace}/keys/rotate", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "the key ids now current", body = RotatedKeys), ChangeErrors)
)]
async fn rotate_keys(admin: AdminBearer, app: Data<AppState>, path: Path<WorkspacePath>) -> Reply {
    match provider::rotate_keys(&app, &admin.audit, &path.tenant, &path.workspace).await {
        Ok(Some(current_kids)) => Ok(ok(RotatedKeys { current_kids })),
        Ok(None) => Err(ApiError::new(ErrorKind::NotFound, "workspace not found")),
        Err(e) => Err(ApiError::from(e)),
    }
}

/// The published signing keys (no key material), current keys first, as one list page (a handful of keys).
#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/keys", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "the published signing keys, one page", body = List<PublishedKey>), ReadErrors)
)]
async fn list_keys(_: AdminBearer, app: Data<AppState>, path: Path<WorkspacePath>) -> Reply {
    match provider::published_keys(&app, &path.tenant, &path.workspace).await {
        Ok(Some(items)) => Ok(ok(List {
            items,
            next_cursor: None,
            total: None,
        })),
        Ok(None) => Err(ApiError::new(ErrorKind::NotFound, "workspace not found")),
        Err(e) => Err(ApiError::from(e)),
    }
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/workspaces/{workspace}", tag = "workspaces",
    params(WorkspacePath),
    request_body = WorkspacePatch,
    responses((status = 200, description = "the updated workspace", body = Workspace), BodyErrors)
)]
async fn update_workspace(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    body: JsonBody<WorkspacePatch>,
) -> Reply {
    Ok(ok(workspace::update(
        &app,
        &admin.audit,
        &path.tenant,
        &path.workspace,
        body.into_inner(),
    )
    .await?))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/workspaces/{workspace}", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_workspace(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
) -> Reply {
    workspace::delete(&app, &admin.audit, &path.tenant, &path.workspace).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConnectIdpRequest {
    pool_id: String,
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces/{workspace}/idps", tag = "workspaces",
    params(WorkspacePath),
    request_body = ConnectIdpRequest,
    responses((status = 201, description = "the connection", body = Connection), BodyErrors)
)]
async fn connect_idp(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    body: JsonBody<ConnectIdpRequest>,
) -> Reply {
    Ok(created(
        workspace::connect_pool(
            &app,
            &admin.audit,
            &path.tenant,
            &path.workspace,
            &body.pool_id,
        )
        .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/idps", tag = "workspaces",
    params(WorkspacePath, ListQuery),
    responses((status = 200, description = "a page of connected pools", body = List<Connection>), ReadErrors)
)]
async fn list_idps(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    q: Query<ListQuery>,
) -> Reply {
    let page = workspace::list_connections(&app, &path.tenant, &path.workspace, q.page()?).await?;
    Ok(ok(List::from(page)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MoveIdpRequest {
    /// The connection's place in the resolution order, 0 for first.
    position: i64,
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/workspaces/{workspace}/idps/{pool}", tag = "workspaces",
    params(ConnectionPath),
    request_body = MoveIdpRequest,
    responses((status = 200, description = "every connection, in the new order", body = Vec<Connection>), BodyErrors)
)]
async fn move_idp(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<ConnectionPath>,
    body: JsonBody<MoveIdpRequest>,
) -> Reply {
    let moved = workspace::move_connection(
        &app,
        &admin.audit,
        &path.tenant,
        &path.workspace,
        &path.pool,
        body.position,
    )
    .await?;
    Ok(ok(moved))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/workspaces/{workspace}/idps/{pool}", tag = "workspaces",
    params(ConnectionPath),
    responses((status = 204, description = "disconnected"), ChangeErrors)
)]
async fn disconnect_idp(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<ConnectionPath>,
) -> Reply {
    workspace::disconnect_pool(
        &app,
        &admin.audit,
        &path.tenant,
        &path.workspace,
        &path.pool,
    )
    .await?;
    Ok(no_content())
}
