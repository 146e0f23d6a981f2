//! Hosted pages beyond the password form (which `oidc::login_page` covers).

mod account;
mod browser;
pub mod code;
mod enumeration;
pub mod foreign_hashes;
mod forms;
pub mod invitation;
mod invitation_passkey;
mod lockout;
pub mod passkey;
pub mod register;
mod register_limits;
mod register_passkey;
pub mod reset;
mod verification;
