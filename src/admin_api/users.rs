//! `/api/admin/{tenant}/pools/{pool}/users`: users of a pool, and what belongs to one user (groups, invitation,
//! passkeys, consents, password reset, verification links).

use actix_web::web::{self, Data, Path, Query};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::list::{List, ListQuery};
use super::openapi::{BodyErrors, ChangeErrors, ReadErrors};
use super::paths::{ConsentPath, PasskeyPath, PoolPath, UserPath};
use super::{AdminBearer, Reply, created, no_content, ok, resource};
use crate::authn::passkey::admin::{self as passkeys, PasskeyView};
use crate::authn::verification;
use crate::identity::consent::Consent;
use crate::identity::group::UserGroups;
use crate::identity::invitation::Invitation;
use crate::identity::user::{self, NewUser, User, UserPatch};
use crate::identity::user_list::{self, InvitationState, UserQuery};
use crate::identity::{consent, group, invitation};
use crate::state::AppState;
use crate::tokens::preview::{self, WorkspacePreview};
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/{tenant}/pools/{pool}/users")
            .route(web::post().to(create_user))
            .route(methods::get().to(list_users)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}")
            .route(methods::get().to(get_user))
            .route(web::patch().to(update_user))
            .route(web::delete().to(delete_user)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/groups")
            .route(methods::get().to(list_user_groups)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/claims-preview")
            .route(methods::get().to(preview_user_claims)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/invitation")
            .route(methods::get().to(get_invitation))
            .route(web::post().to(resend_invitation))
            .route(web::delete().to(revoke_invitation)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/passkeys")
            .route(methods::get().to(list_passkeys)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/passkeys/{passkey}")
            .route(web::delete().to(delete_passkey)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/consents")
            .route(methods::get().to(list_consents)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/consents/{client}")
            .route(web::delete().to(delete_consent)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/password-reset")
            .route(web::post().to(force_password_reset)),
    )
    .service(
        resource("/{tenant}/pools/{pool}/users/{user}/verification")
            .route(web::post().to(send_verification)),
    );
}

// Not `#[serde(flatten)]`: flattened query fields lose their types in serde_urlencoded.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UserListQuery {
    /// A prefix of the email, mobile, name, given or family name, or a user id.
    q: Option<String>,
    /// An exact (normalised) email or mobile.
    identifier: Option<String>,
    status: Option<user::Status>,
    /// The state of the user's latest invitation (`none`: never invited).
    invitation: Option<InvitationState>,
    /// Items per page, 1 to 500 (default 50).
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/users", tag = "users",
    params(PoolPath),
    request_body = NewUser,
    responses((status = 201, description = "the created user", body = User), BodyErrors)
)]
async fn create_user(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
    body: JsonBody<NewUser>,
) -> Reply {
    Ok(created(
        user::create(
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
    get, path = "/api/admin/{tenant}/pools/{pool}/users", tag = "users",
    params(PoolPath, UserListQuery),
    responses((status = 200, description = "a page of users, with `total`", body = List<User>), ReadErrors)
)]
async fn list_users(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<PoolPath>,
    q: Query<UserListQuery>,
) -> Reply {
    let q = q.into_inner();
    let page = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let query = UserQuery {
        q: q.q,
        identifier: q.identifier,
        status: q.status,
        invitation: q.invitation,
    };
    Ok(ok(List::from(
        user_list::search(&app, &path.tenant, &path.pool, query, page).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}", tag = "users",
    params(UserPath),
    responses((status = 200, description = "the user", body = User), ReadErrors)
)]
async fn get_user(_: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    Ok(ok(
        user::find(&app, &path.tenant, &path.pool, &path.user).await?
    ))
}

#[utoipa::path(
    patch, path = "/api/admin/{tenant}/pools/{pool}/users/{user}", tag = "users",
    params(UserPath),
    request_body = UserPatch,
    responses((status = 200, description = "the updated user", body = User), BodyErrors)
)]
async fn update_user(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
    body: JsonBody<UserPatch>,
) -> Reply {
    Ok(ok(user::update(
        &app,
        &admin.audit,
        &path.tenant,
        &path.pool,
        &path.user,
        body.into_inner(),
    )
    .await?))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/users/{user}", tag = "users",
    params(UserPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_user(admin: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    user::delete(&app, &admin.audit, &path.tenant, &path.pool, &path.user).await?;
    Ok(no_content())
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/groups", tag = "users",
    params(UserPath),
    responses((status = 200, description = "the groups of the user: direct, effective and inherited", body = UserGroups), ReadErrors)
)]
async fn list_user_groups(_: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    Ok(ok(group::of_user(
        &app,
        &path.tenant,
        &path.pool,
        &path.user,
    )
    .await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PreviewQuery {
    /// Space-separated scopes; must include `openid`.
    scope: Option<String>,
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/claims-preview", tag = "users",
    params(UserPath, PreviewQuery),
    responses((status = 200, description = "the claims of the user per connected workspace", body = Vec<WorkspacePreview>), ReadErrors)
)]
async fn preview_user_claims(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
    q: Query<PreviewQuery>,
) -> Reply {
    let (tenant, pool, user) = (&path.tenant, &path.pool, &path.user);
    Ok(ok(preview::claims_preview(
        &app,
        tenant,
        pool,
        user,
        q.scope.as_deref(),
    )
    .await?))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/invitation", tag = "users",
    params(UserPath),
    responses((status = 200, description = "the latest invitation of the user", body = Invitation), ReadErrors)
)]
async fn get_invitation(_: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    Ok(ok(invitation::find(
        &app,
        &path.tenant,
        &path.pool,
        &path.user,
    )
    .await?))
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/invitation", tag = "users",
    params(UserPath),
    responses((status = 201, description = "a new invitation, sent", body = Invitation), ChangeErrors)
)]
async fn resend_invitation(admin: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    Ok(created(
        invitation::resend(&app, &admin.audit, &path.tenant, &path.pool, &path.user).await?,
    ))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/invitation", tag = "users",
    params(UserPath),
    responses((status = 204, description = "revoked"), ChangeErrors)
)]
async fn revoke_invitation(admin: AdminBearer, app: Data<AppState>, path: Path<UserPath>) -> Reply {
    invitation::revoke(&app, &admin.audit, &path.tenant, &path.pool, &path.user).await?;
    Ok(no_content())
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/passkeys", tag = "users",
    params(UserPath, ListQuery),
    responses((status = 200, description = "a page of the user's passkeys", body = List<PasskeyView>), ReadErrors)
)]
async fn list_passkeys(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        passkeys::list(&app, &path.tenant, &path.pool, &path.user, q.page()?).await?,
    )))
}

#[utoipa::path(
    get, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/consents", tag = "users",
    params(UserPath, ListQuery),
    responses((status = 200, description = "a page of the user's consents", body = List<Consent>), ReadErrors)
)]
async fn list_consents(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
    q: Query<ListQuery>,
) -> Reply {
    Ok(ok(List::from(
        consent::list(&app, &path.tenant, &path.pool, &path.user, q.page()?).await?,
    )))
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/consents/{client}", tag = "users",
    params(ConsentPath),
    responses((status = 204, description = "withdrawn"), ChangeErrors)
)]
async fn delete_consent(_: AdminBearer, app: Data<AppState>, path: Path<ConsentPath>) -> Reply {
    let (t, pool, user) = (&path.tenant, &path.pool, &path.user);
    consent::remove(&app, t, pool, user, &path.client).await?;
    Ok(no_content())
}

#[utoipa::path(
    delete, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/passkeys/{passkey}", tag = "users",
    params(PasskeyPath),
    responses((status = 204, description = "deleted"), ChangeErrors)
)]
async fn delete_passkey(admin: AdminBearer, app: Data<AppState>, path: Path<PasskeyPath>) -> Reply {
    let p = path.into_inner();
    passkeys::remove(&app, &admin.audit, &p.tenant, &p.pool, &p.user, &p.passkey).await?;
    Ok(no_content())
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/password-reset", tag = "users",
    params(UserPath),
    responses((status = 204, description = "the password is cleared and a reset link sent"), ChangeErrors)
)]
async fn force_password_reset(
    admin: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
) -> Reply {
    verification::force_password_reset(&app, &admin.audit, &path.tenant, &path.pool, &path.user)
        .await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct VerificationRequest {
    identifier: verification::Which,
}

#[utoipa::path(
    post, path = "/api/admin/{tenant}/pools/{pool}/users/{user}/verification", tag = "users",
    params(UserPath),
    request_body = VerificationRequest,
    responses((status = 204, description = "a verification link was sent"), BodyErrors)
)]
async fn send_verification(
    _: AdminBearer,
    app: Data<AppState>,
    path: Path<UserPath>,
    body: JsonBody<VerificationRequest>,
) -> Reply {
    verification::send_link(&app, &path.tenant, &path.pool, &path.user, body.identifier).await?;
    Ok(no_content())
}
