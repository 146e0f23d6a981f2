//! Token domain: workspace keys, authorization codes, grants and refresh tokens, access and ID tokens, claims,
//! client authentication. Knows nothing of actix or HTML.

pub mod access;
pub mod assertion;
pub mod authorization;
pub mod claims;
pub mod client_auth;
pub mod client_keys;
pub mod device;
pub mod dpop;
pub mod error;
pub mod grant;
pub mod hint;
pub mod issue;
pub mod jwt;
pub mod keyring;
pub mod keys;
pub mod logout_token;
pub mod preview;
pub mod provider;
pub mod pushed;
pub mod request_object;

pub use error::TokenError;
pub use provider::{Provider, Providers};
