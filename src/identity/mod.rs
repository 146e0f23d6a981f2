//! Identity domain: tenants, pools, users, groups, schemas, workspaces and their client applications.
//! The rules live here (normalisation, validation, nesting, policies); it knows nothing of actix or HTML,
//! and reaches the database only through `crate::store`.

pub mod admin;
pub mod bulk;
pub mod client;
pub mod client_change;
pub mod client_jwks;
pub mod consent;
pub mod deletion_impact;
pub mod dynamic_registration;
pub mod error;
pub mod group;
pub mod hierarchy;
pub mod identifier;
pub mod initial_access_token;
pub mod invitation;
pub mod membership;
pub mod patch;
pub mod pool;
pub mod profile_form;
pub mod profile_schema;
pub mod redirect_uri;
pub mod slug;
pub mod tenant;
pub mod user;
pub mod user_list;
pub mod workspace;

pub use error::{Error, Result};
