//! Hosted pages (HTML, server-rendered with askama): sign-in and its steps, registration, password reset, the
//! account page, invitations and verification links, the consent page, and the device page (RFC 8628). Every page carries the
//! strict page CSP and is never cached; every form goes through [`Csrf`](crate::web::csrf::Csrf); failures are a
//! [`PageError`](error::PageError), rendered as a page. Pages use the protocol only through
//! `oidc::authorize::complete` (and the consent page's `consent_given`/`consent_denied`, `Op`, the live session,
//! the device approval's URL); `oidc` never uses pages.

pub mod account;
pub mod code;
pub mod consent;
pub mod device;
pub mod enrolment;
pub mod error;
pub mod flow;
pub mod invitation;
pub mod login;
pub mod passkey;
pub mod register;
pub mod register_passkey;
pub mod reset;
pub mod texts;
pub mod verification;
pub mod views;

use actix_web::{HttpRequest, Resource, web};

use crate::web::csrf::FormRejected;
use error::PageError;

/// Mounts the hosted pages of a workspace, inside its `/{tenant}/{workspace}` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(login::configure)
        .configure(code::configure)
        .configure(reset::configure)
        .configure(register::configure)
        .configure(register_passkey::configure)
        .configure(passkey::configure)
        .configure(enrolment::configure)
        .configure(consent::configure)
        .configure(account::configure)
        .configure(device::configure);
}

/// Mounts the pages that belong to no workspace (invitation and verification links), at the root.
pub fn configure_root(cfg: &mut web::ServiceConfig) {
    cfg.configure(invitation::configure)
        .configure(verification::configure);
}

/// A resource of the hosted pages: a body or query string that cannot be read is answered with a page, not with
/// the OAuth endpoints' JSON.
fn resource(path: &str) -> Resource {
    web::resource(path)
        .app_data(
            web::FormConfig::default()
                .limit(64 * 1024)
                .error_handler(unreadable_form),
        )
        .app_data(web::QueryConfig::default().error_handler(unreadable_query))
}

fn unreadable_form(_: actix_web::error::UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    PageError::Form(FormRejected::Unreadable).into()
}

fn unreadable_query(_: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    PageError::Form(FormRejected::Unreadable).into()
}
