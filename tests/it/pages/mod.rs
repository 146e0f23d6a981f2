//! Hosted pages beyond the password form (which `oidc::login_page` covers).

mod browser;
pub mod code;
mod invitation;
mod register;
mod reset;
mod verification;
