//! `/api/admin/{tenant}/workspaces`: workspaces and their identity-provider connections.

use actix_web::web::{self, Data, Path, Query};
use serde::Deserialize;

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::paths::{ConnectionPath, WorkspacePath};
use super::{AdminBearer, ApiError, Reply, created, no_content, ok, resource};
use crate::error::ErrorKind;
use crate::identity::deletion_impact;
use crate::identity::workspace::{self, NewWorkspace, WorkspacePatch};
use crate::state::AppState;
use crate::tokens::provider;
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
            .route(web::delete().to(disconnect_idp)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/keys/rotate").route(web::post().to(rotate_keys)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/deletion-impact")
            .route(methods::get().to(get_workspace_deletion_impact)),
    );
}

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

async fn get_workspace(_: AdminBearer, app: Data<AppState>, path: Path<WorkspacePath>) -> Reply {
    Ok(ok(
        workspace::find(&app, &path.tenant, &path.workspace).await?
    ))
}

async fn rotate_keys(admin: AdminBearer, app: Data<AppState>, path: Path<WorkspacePath>) -> Reply {
    match provider::rotate_keys(&app, &admin.audit, &path.tenant, &path.workspace).await {
        Ok(Some(kids)) => Ok(ok(serde_json::json!({ "current_kids": kids }))),
        Ok(None) => Err(ApiError::new(ErrorKind::NotFound, "workspace not found")),
        Err(e) => Err(ApiError::from(e)),
    }
}

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

async fn delete_workspace(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
) -> Reply {
    workspace::delete(&app, &admin.audit, &path.tenant, &path.workspace).await?;
    Ok(no_content())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectIdpRequest {
    pool_id: String,
}

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

async fn list_idps(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    q: Query<ListQuery>,
) -> Reply {
    let page = workspace::list_connections(&app, &path.tenant, &path.workspace, q.page()?).await?;
    Ok(ok(List::from(page)))
}

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
