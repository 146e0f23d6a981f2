//! `GET /api/admin/openapi.json`: the OpenAPI 3.1 description of the admin API, generated from the handlers'
//! `#[utoipa::path]` annotations and the request and response types, built once and served without a token.

use std::sync::LazyLock;

use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::error::ErrorBody;
use super::{audit, clients, groups, outbox, pools, resource, schemas, tenants, transfer};
use super::{initial_access_tokens, users, workspaces};
use crate::identity::user_list::InvitationState;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/openapi.json").route(methods::get().to(openapi_json)));
}

/// The description of every admin call; `routes_are_described` in the tests fails when a mounted route is missing.
#[derive(OpenApi)]
#[openapi(
    info(title = "Tarn admin API", description = "Tenants, pools, users, groups, workspaces and clients of Tarn."),
    modifiers(&AdminToken),
    security(("admin_token" = [])),
    // Schemas only named by a query parameter are not collected from the paths.
    components(schemas(ErrorBody, InvitationState)),
    paths(
        openapi_json,
        tenants::create_tenant, tenants::list_tenants,
        transfer::import_tenant, transfer::export_tenant,
        schemas::create_schema, schemas::list_schemas, schemas::get_schema, schemas::update_schema,
        schemas::delete_schema,
        pools::create_pool, pools::list_pools, pools::get_pool, pools::update_pool, pools::delete_pool,
        pools::get_pool_deletion_impact,
        users::create_user, users::list_users, users::get_user, users::update_user, users::delete_user,
        users::list_user_groups, users::preview_user_claims, users::get_invitation, users::resend_invitation,
        users::revoke_invitation, users::list_passkeys, users::delete_passkey, users::list_consents,
        users::delete_consent, users::force_password_reset, users::send_verification,
        groups::create_group, groups::list_groups, groups::get_group, groups::update_group, groups::delete_group,
        groups::get_group_tree, groups::list_group_members, groups::assign_users_to_group,
        groups::get_group_deletion_impact, groups::list_assignable_users, groups::assign_user_to_group,
        groups::unassign_user_from_group,
        workspaces::create_workspace, workspaces::list_workspaces, workspaces::get_workspace,
        workspaces::update_workspace, workspaces::delete_workspace, workspaces::connect_idp, workspaces::list_idps, workspaces::move_idp,
        workspaces::disconnect_idp, workspaces::rotate_keys, workspaces::list_keys,
        workspaces::get_workspace_deletion_impact,
        clients::create_client, clients::list_clients, clients::get_client, clients::patch_client,
        clients::delete_client, clients::rotate_secret,
        initial_access_tokens::create_token, initial_access_tokens::list_tokens, initial_access_tokens::delete_token,
        outbox::list_outbox,
        audit::list_events, audit::list_user_events,
    )
)]
struct AdminApi;

/// The bearer scheme every operation but this document requires.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("`Authorization: Bearer {TARN_ADMIN_TOKEN}`".to_owned());
        components.add_security_scheme("admin_token", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON; also what the tests read.
pub fn document() -> &'static [u8] {
    static DOCUMENT: LazyLock<Vec<u8>> = LazyLock::new(|| {
        AdminApi::openapi()
            .to_json()
            .map(String::into_bytes)
            .unwrap_or_default()
    });
    &DOCUMENT
}

/// Errors of a call that reads: a bad query string, no token, an unknown object.
#[derive(IntoResponses)]
#[expect(
    dead_code,
    reason = "only described: the answers themselves are built by `ApiError`"
)]
pub(super) enum ReadErrors {
    #[response(status = 400, description = "invalid query parameter")]
    Invalid(ErrorBody),
    #[response(status = 401, description = "missing or invalid admin token")]
    Unauthorized(ErrorBody),
    #[response(status = 404, description = "unknown object or malformed id")]
    NotFound(ErrorBody),
}

/// Errors of a change without a body: those of a read, and a conflict with stored data.
#[derive(IntoResponses)]
#[expect(
    dead_code,
    reason = "only described: the answers themselves are built by `ApiError`"
)]
pub(super) enum ChangeErrors {
    #[response(status = 400, description = "invalid input")]
    Invalid(ErrorBody),
    #[response(status = 401, description = "missing or invalid admin token")]
    Unauthorized(ErrorBody),
    #[response(status = 404, description = "unknown object or malformed id")]
    NotFound(ErrorBody),
    #[response(status = 409, description = "conflicts with stored data")]
    Conflict(ErrorBody),
}

/// Errors of a change with a JSON body: those of a change, and a body too large or not JSON.
#[derive(IntoResponses)]
#[expect(
    dead_code,
    reason = "only described: the answers themselves are built by `ApiError`"
)]
pub(super) enum BodyErrors {
    #[response(
        status = 400,
        description = "invalid body: the description names the field"
    )]
    Invalid(ErrorBody),
    #[response(status = 401, description = "missing or invalid admin token")]
    Unauthorized(ErrorBody),
    #[response(status = 404, description = "unknown object or malformed id")]
    NotFound(ErrorBody),
    #[response(
        status = 409,
        description = "conflicts with stored data (a duplicate, a cycle)"
    )]
    Conflict(ErrorBody),
    #[response(status = 413, description = "body larger than 64 KiB")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Content-Type is not application/json")]
    UnsupportedMediaType(ErrorBody),
}

/// This document.
#[utoipa::path(
    get, path = "/api/admin/openapi.json", tag = "openapi", security(()),
    responses((status = 200, description = "the OpenAPI 3.1 description of the admin API", content_type = "application/json"))
)]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .body(document())
}
