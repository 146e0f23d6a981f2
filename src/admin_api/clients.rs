//! `/api/admin/{tenant}/workspaces/{workspace}/clients`: client applications (RFC 7591 metadata).

use actix_web::web::{self, Data, Path, Query};
use serde_json::{Map, Value};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{ClientPath, WorkspacePath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::client::{self, Client, ClientRegistration};
use crate::identity::client_change;
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
            .route(web::patch().to(patch_client))
            .route(web::delete().to(delete_client)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/clients/{client}/secret")
            .route(web::post().to(rotate_secret)),
    );
}

/// A merge patch: the fields given replace the client's, `null` resets one, the rest is kept.
#[utoipa::path(
    patch, path = "/api/admin/{tenant}/workspaces/{workspace}/clients/{client}", tag = "clients",
    params(ClientPath),
    request_body(
        content = Object,
        description = "a JSON merge patch of the client's registration: any `ClientRegistration` field; `null` resets it"
    ),
    responses((status = 200, description = "the updated client", body = Client), BodyErrors)
)]
async fn patch_client(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<ClientPath>,
    body: JsonBody<Map<String, Value>>,
) -> Reply {
    let (t, w, c) = (&path.tenant, &path.workspace, &path.client);
    Ok(ok(client_change::patch(
        &app,
        &admin.audit,
        t,
        w,
        c,
        body.into_inner(),
    )
    .await?))
}

/// A new secret for a confidential client, in the answer only (200, like other changes of an existing object).
#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces/{workspace}/clients/{client}/secret", tag = "clients",
    params(ClientPath),
    responses((status = 200, description = "the client with its new `client_secret`, shown this once", body = Client), ChangeErrors)
)]
async fn rotate_secret(admin: AdminBearer, app: Data<AppState>, path: Path<ClientPath>) -> Reply {
    let (t, w, c) = (&path.tenant, &path.workspace, &path.client);
    Ok(ok(client_change::rotate_secret(
        &app,
        &admin.audit,
        t,
        w,
        c,
    )
    .await?))
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces/{workspace}/clients", tag = "clients",
    params(WorkspacePath),
    request_body = ClientRegistration,
    responses((status = 201, description = "the client; `client_secret` is shown this once", body = Client), BodyErrors)
)]
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

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/clients", tag = "clients",
    params(WorkspacePath, ListQuery),
    responses((status = 200, description = "a page of clients", body = List<Client>), ReadErrors)
)]
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

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/clients/{client}", tag = "clients",
    params(ClientPath),
    responses((status = 200, description = "the client", body = Client), ReadErrors)
)]
async fn get_client(_: AdminBearer, app: Data<AppState>, path: Path<ClientPath>) -> Reply {
    Ok(ok(client::find(
        &app,
        &path.tenant,
        &path.workspace,
        &path.client,
    )
    .await?))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/workspaces/{workspace}/clients/{client}", tag = "clients",
    params(ClientPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
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
