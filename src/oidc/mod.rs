//! The OpenID Provider endpoints of each workspace, under `/{tenant}/{workspace}`.
//! Web layer: protocol shaping (parameters, redirects, JSON errors); the rules live in `crate::tokens`.

pub(crate) mod authorize;
pub(crate) mod client_auth;
pub(crate) mod device;
mod discovery;
mod dpop;
pub mod error;
pub(crate) mod form;
mod introspect;
mod jwks;
mod logout;
mod par;
mod register;
pub mod respond;
mod revoke;
mod token;
mod userinfo;
mod views;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, Resource, Route, web};

use crate::web::cors;

use crate::state::AppState;
use crate::tokens::Provider;
use error::OAuthError;

/// Mounts the OAuth and OpenID Connect endpoints of a workspace, inside its `/{tenant}/{workspace}` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(discovery::configure)
        .configure(jwks::configure)
        .configure(authorize::configure)
        .configure(token::configure)
        .configure(device::configure)
        .configure(par::configure)
        .configure(userinfo::configure)
        .configure(revoke::configure)
        .configure(introspect::configure)
        .configure(logout::configure)
        .configure(register::configure);
}

/// Mounts what lives outside the workspace scope: RFC 8414's root metadata path.
pub fn configure_root(cfg: &mut web::ServiceConfig) {
    cfg.configure(discovery::configure_root);
}

/// A resource of the protocol endpoints: a form or query string that cannot be read is an `invalid_request`
/// JSON error (RFC 6749 §5.2).
fn resource(path: &str) -> Resource {
    web::resource(path)
        .app_data(
            web::FormConfig::default()
                .limit(64 * 1024)
                .error_handler(error::form_error),
        )
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
}

/// The `OPTIONS` route answering CORS preflights of an endpoint that browsers call cross-origin.
fn preflight() -> Route {
    web::method(Method::OPTIONS).to(cors::preflight)
}

/// The workspace named by the path, as an OpenID Provider; a 404 when it does not exist.
pub struct Op(pub Arc<Provider>);

impl FromRequest for Op {
    type Error = OAuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Op, OAuthError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let app = req.app_data::<web::Data<AppState>>().cloned();
        let tenant = req
            .match_info()
            .get("tenant")
            .unwrap_or_default()
            .to_owned();
        let workspace = req
            .match_info()
            .get("workspace")
            .unwrap_or_default()
            .to_owned();
        Box::pin(async move {
            let app = app.ok_or_else(OAuthError::not_found)?;
            let provider = app
                .providers
                .get(
                    &app.db,
                    app.config.public_url(),
                    app.clock.now(),
                    &tenant,
                    &workspace,
                )
                .await
                .map_err(OAuthError::from)?;
            provider.map(Op).ok_or_else(OAuthError::not_found)
        })
    }
}

/// An endpoint URL of the provider.
pub fn endpoint(p: &Provider, path: &str) -> String {
    format!("{}{path}", p.issuer)
}
