//! Hosted pages beyond the password form (which `oidc::login_page` covers).

mod account;
mod browser;
pub mod code;
mod invitation;
pub mod passkey;
mod register;
mod reset;
mod verification;
