//! `/api/admin/{tenant}/workspaces/{workspace}/clients`: client applications (RFC 7591 metadata).

use actix_web::web::{self, Data, Path, Query};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::paths::{ClientPath, WorkspacePath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::client::{self, ClientRegistration};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/workspaces/{workspace}/clients")
            .route(web::post().to(create_client))
            .route(methods::get().to(list_clients)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/clients/{client}")
            .route(methods::get().to(get_client))
            .route(web::delete().to(delete_client)),
    );
}

async fn create_client(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    body: JsonBody<ClientRegistration>,
) -> Reply {
    Ok(created(
        client::create(
            &app,
            &admin.audit,
            &path.tenant,
            &path.workspace,
            body.into_inner(),
        )
        .await?,
    ))
}

async fn list_clients(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        client::list(&app, &path.tenant, &path.workspace, q.page()?).await?,
    )))
}

async fn get_client(_: AdminBearer, app: Data<AppState>, path: Path<ClientPath>) -> Reply {
    Ok(ok(client::find(
        &app,
        &path.tenant,
        &path.workspace,
        &path.client,
    )
    .await?))
}

async fn delete_client(admin: AdminBearer, app: Data<AppState>, path: Path<ClientPath>) -> Reply {
    client::delete(
        &app,
        &admin.audit,
        &path.tenant,
        &path.workspace,
        &path.client,
    )
    .await?;
    Ok(no_content())
}
