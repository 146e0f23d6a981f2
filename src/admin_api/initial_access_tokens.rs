//! `/api/admin/{tenant}/workspaces/{workspace}/initial-access-tokens`: tokens for dynamic client registration
//! (RFC 7591 §3) in a workspace whose `dynamic_registration` is `initial_access_token`.

use actix_web::web::{self, Data, Path, Query};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{InitialAccessTokenPath, WorkspacePath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::identity::initial_access_token::{self, InitialAccessToken, NewInitialAccessToken};
use crate::state::AppState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/workspaces/{workspace}/initial-access-tokens")
            .route(web::post().to(create_token))
            .route(methods::get().to(list_tokens)),
    )
    .service(
        resource("/{tenant}/workspaces/{workspace}/initial-access-tokens/{token}")
            .route(web::delete().to(delete_token)),
    );
}

/// 201 with the token, shown this once.
#[utoipa::path(
    post, path = "/api/admin/{tenant}/workspaces/{workspace}/initial-access-tokens", tag = "initial access tokens",
    params(WorkspacePath),
    request_body = NewInitialAccessToken,
    responses((status = 201, description = "the token; `token` is shown this once", body = InitialAccessToken), BodyErrors)
)]
async fn create_token(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    body: JsonBody<NewInitialAccessToken>,
) -> Reply {
    let (t, w) = (&path.tenant, &path.workspace);
    Ok(created(
        initial_access_token::create(&app, &admin.audit, t, w, body.into_inner()).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/workspaces/{workspace}/initial-access-tokens", tag = "initial access tokens",
    params(WorkspacePath, ListQuery),
    responses((status = 200, description = "a page of tokens (never the token itself)", body = List<InitialAccessToken>), ReadErrors)
)]
async fn list_tokens(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<WorkspacePath>,
    q: Query<ListQuery>,
) -> Reply {
    let page = initial_access_token::list(&app, &path.tenant, &path.workspace, q.page()?).await?;
    Ok(ok(List::from(page)))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/workspaces/{workspace}/initial-access-tokens/{token}", tag = "initial access tokens",
    params(InitialAccessTokenPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_token(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<InitialAccessTokenPath>,
) -> Reply {
    let (t, w, id) = (&path.tenant, &path.workspace, &path.token);
    initial_access_token::delete(&app, &admin.audit, t, w, id).await?;
    Ok(no_content())
}
