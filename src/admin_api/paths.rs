//! The admin API's path parameters as named structs, so a handler reads `path.pool`, never `path.1`, and two
//! ids cannot be swapped by position. actix fills the fields by name: each is named after the `{…}` segment of
//! the route pattern it comes from; the OpenAPI description reads the same structs. Web layer: the shapes of the
//! URLs only, no rules.

use serde::Deserialize;
use utoipa::IntoParams;

/// `/{tenant}/pools/{pool}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PoolPath {
    pub tenant: String,
    pub pool: String,
}

/// `/{tenant}/pools/{pool}/users/{user}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    pub tenant: String,
    pub pool: String,
    pub user: String,
}

/// `/{tenant}/pools/{pool}/users/{user}/passkeys/{passkey}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PasskeyPath {
    pub tenant: String,
    pub pool: String,
    pub user: String,
    pub passkey: String,
}

/// `/{tenant}/pools/{pool}/users/{user}/consents/{client}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsentPath {
    pub tenant: String,
    pub pool: String,
    pub user: String,
    pub client: String,
}

/// `/{tenant}/pools/{pool}/groups/{group}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupPath {
    pub tenant: String,
    pub pool: String,
    pub group: String,
}

/// `/{tenant}/pools/{pool}/groups/{group}/users/{user}`: one membership.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    pub tenant: String,
    pub pool: String,
    pub group: String,
    pub user: String,
}

/// `/{tenant}/schemas/{schema}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SchemaPath {
    pub tenant: String,
    pub schema: String,
}

/// `/{tenant}/workspaces/{workspace}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkspacePath {
    pub tenant: String,
    pub workspace: String,
}

/// `/{tenant}/workspaces/{workspace}/idps/{pool}`: one pool connected to a workspace.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConnectionPath {
    pub tenant: String,
    pub workspace: String,
    pub pool: String,
}

/// `/{tenant}/workspaces/{workspace}/clients/{client}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClientPath {
    pub tenant: String,
    pub workspace: String,
    pub client: String,
}

/// `/{tenant}/workspaces/{workspace}/initial-access-tokens/{token}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InitialAccessTokenPath {
    pub tenant: String,
    pub workspace: String,
    pub token: String,
}

/// `/{tenant}/…`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TenantPath {
    pub tenant: String,
}

/// `/{tenant}/users/{user}/…`: a user of any pool of the tenant.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TenantUserPath {
    pub tenant: String,
    pub user: String,
}
