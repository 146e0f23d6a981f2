//! The portal session cookie and the extractors that authorize by type: a handler that takes a [`Viewer`] runs
//! only for an administrator or an auditor, one that takes an [`Admin`] only for an administrator. Both read the
//! session and the role from the database on every request, so removing someone from `administrators` or
//! deactivating them ends their access at their next click.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest, HttpResponse};

use super::error::PortalError;
use crate::audit;
use crate::authn::portal::{self, Signed};
use crate::identity::admin::Role;
use crate::state::AppState;
use crate::web::cookies;

/// The portal session cookie: `__Host-` under https (then `Secure`, `Path=/`, no `Domain`), never readable by
/// scripts. Its value is a session secret: never logged.
pub struct PortalCookie;

impl PortalCookie {
    fn name(public_url: &str) -> &'static str {
        match public_url.starts_with("https://") {
            true => "__Host-tarn_portal",
            false => "tarn_portal",
        }
    }

    pub fn read(req: &HttpRequest, public_url: &str) -> Option<String> {
        req.cookie(Self::name(public_url))
            .map(|c| c.value().to_owned())
    }

    pub fn set(res: &mut HttpResponse, value: String, public_url: &str) {
        let cookie = cookies::build(Self::name(public_url), value, "/".into(), public_url);
        let _ = res.add_cookie(&cookie);
    }

    pub fn clear(res: &mut HttpResponse, public_url: &str) {
        let _ = res.add_cookie(&cookies::removal(
            Self::name(public_url),
            "/".into(),
            public_url,
        ));
    }
}

/// An administrator or an auditor: may see every page.
pub struct Viewer(pub Signed);

/// An administrator: may change things; with the audit context of their request (the actor is their user id).
pub struct Admin(pub Signed, pub audit::Context);

impl FromRequest for Viewer {
    type Error = PortalError;
    type Future = Pin<Box<dyn Future<Output = Result<Viewer, PortalError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { signed(&req).await.map(Viewer) })
    }
}

impl FromRequest for Admin {
    type Error = PortalError;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, PortalError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let signed = signed(&req).await?;
            match signed.role {
                Some(Role::Administrator) => {
                    let actor = audit::Actor::Admin(signed.user_id.clone());
                    let ctx = audit::Context::new(actor, crate::web::audit_origin::of(&req));
                    Ok(Admin(signed, ctx))
                }
                _ => Err(PortalError::ReadOnly),
            }
        })
    }
}

/// The live session with a role, or why there is none.
async fn signed(req: &HttpRequest) -> Result<Signed, PortalError> {
    let app = req
        .app_data::<Data<AppState>>()
        .ok_or_else(|| PortalError::internal(anyhow::anyhow!("application state missing")))?;
    let found = match PortalCookie::read(req, app.config.public_url()) {
        Some(cookie) => portal::find(app, &cookie).await?,
        None => None,
    };
    let Some(signed) = found else {
        return Err(PortalError::SignInRequired {
            return_to: return_to(req),
        });
    };
    if signed.role.is_none() {
        return Err(PortalError::NotAnAdministrator);
    }
    Ok(signed)
}

/// Where to come back after signing in: this page for a GET, the portal's start for anything else (a form
/// submitted without a session is not replayed).
fn return_to(req: &HttpRequest) -> String {
    if req.method() != Method::GET {
        return "/admin".into();
    }
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}
