//! CSRF protection for every form: a random value in an `HttpOnly` cookie (`__Host-` under https), and in a hidden
//! field (`csrf_token`) that value's HMAC under the installation's key; a POST is accepted only when the field is
//! the HMAC of the cookie the browser sent (compared in constant time).
//! [`Csrf<T>`] makes that a type: a handler that takes one cannot run on a forged post.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Form};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::cookies;
use crate::state::AppState;

/// The installation's key that binds a form's token to its browser's cookie (HMAC-SHA256), shared by every
/// instance so a form rendered by one is accepted by another.
#[derive(Clone)]
pub struct CsrfKey(Arc<hmac::Key>);

impl CsrfKey {
    pub fn new(secret: &[u8]) -> CsrfKey {
        CsrfKey(Arc::new(hmac::Key::new(hmac::HMAC_SHA256, secret)))
    }

    /// The form token for a browser's cookie value: the cookie alone (planted, say, from a sibling subdomain)
    /// is not enough to post a form, and the page never shows the cookie itself.
    fn token_for(&self, cookie: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.0, cookie.as_bytes()).as_ref())
    }
}

/// The cookie's name: under https `__Host-` (browsers then refuse it from a sibling subdomain or without
/// `Secure` and `Path=/`).
fn cookie_name(public_url: &str) -> &'static str {
    match public_url.starts_with("https://") {
        true => "__Host-tarn_csrf",
        false => "tarn_csrf",
    }
}

/// The browser's cookie value, when it has a well-formed one.
fn cookie_value(req: &HttpRequest, public_url: &str) -> Option<String> {
    req.cookie(cookie_name(public_url))
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
}

/// The CSRF token for this browser's forms, and the cookie to set when it had none yet.
pub fn token(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    let Some(app) = req.app_data::<Data<AppState>>() else {
        // No key to bind with: a token that matches nothing.
        return (crate::secret::generate(), None);
    };
    let public_url = app.config.public_url();
    match cookie_value(req, public_url) {
        Some(existing) => (app.csrf_key.token_for(&existing), None),
        None => {
            let fresh = crate::secret::generate();
            let name = cookie_name(public_url);
            let token = app.csrf_key.token_for(&fresh);
            (
                token,
                Some(cookies::build(name, fresh, "/".into(), public_url)),
            )
        }
    }
}

/// Whether the form's token is the one bound to the browser's cookie (compared in constant time).
fn is_valid(req: &HttpRequest, form_token: &str) -> bool {
    let Some(app) = req.app_data::<Data<AppState>>() else {
        return false;
    };
    cookie_value(req, app.config.public_url()).is_some_and(|cookie| {
        let expected = app.csrf_key.token_for(&cookie);
        !form_token.is_empty() && bool::from(expected.as_bytes().ct_eq(form_token.as_bytes()))
    })
}

/// This browser as a flow may bind to it: the SHA-256 of its CSRF cookie value (never the value), or empty
/// without one. Every form a [`Csrf`] let through came with that cookie.
pub fn browser(req: &HttpRequest) -> String {
    let public_url = req
        .app_data::<Data<AppState>>()
        .map(|app| app.config.public_url().to_owned())
        .unwrap_or_default();
    cookie_value(req, &public_url)
        .map(|value| crate::secret::hash(&value))
        .unwrap_or_default()
}

/// A form that carries a CSRF token (its hidden `csrf_token` field).
pub trait CsrfProtected {
    fn csrf_token(&self) -> &str;
}

/// Implements [`CsrfProtected`] for form structs whose token is their `csrf_token: String` field.
#[macro_export]
macro_rules! csrf_protected {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::web::csrf::CsrfProtected for $form {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }
        })+
    };
}

/// A form whose CSRF token matched the cookie.
#[derive(Debug)]
pub struct Csrf<T>(pub T);

/// A form refused by [`Csrf`]: the parsed form when the body could be read (so a handler that takes
/// `Result<Csrf<T>, CsrfRejected<T>>` can show it again), `None` when it could not.
#[derive(Debug)]
pub struct CsrfRejected<T>(pub Option<T>);

impl<T: DeserializeOwned + CsrfProtected + 'static> FromRequest for Csrf<T> {
    type Error = CsrfRejected<T>;
    type Future = Pin<Box<dyn Future<Output = Result<Self, CsrfRejected<T>>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, form) = (req.clone(), Form::<T>::from_request(req, payload));
        Box::pin(async move {
            let form = form.await.map_err(|_| CsrfRejected(None))?.into_inner();
            if is_valid(&req, form.csrf_token()) {
                Ok(Csrf(form))
            } else {
                Err(CsrfRejected(Some(form)))
            }
        })
    }
}

/// What a refused form becomes when a handler does not handle it: each web area renders it its own way (the
/// hosted pages as "form expired", say), looking for this type on the error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRejected {
    /// The body was a form, but its CSRF token did not match the cookie.
    Forged,
    /// The body could not be read as the expected form (wrong content type, too large, malformed).
    Unreadable,
}

impl<T> From<CsrfRejected<T>> for FormRejected {
    fn from(rejected: CsrfRejected<T>) -> Self {
        match rejected.0 {
            Some(_) => FormRejected::Forged,
            None => FormRejected::Unreadable,
        }
    }
}

impl<T> From<CsrfRejected<T>> for actix_web::Error {
    fn from(rejected: CsrfRejected<T>) -> Self {
        FormRejected::from(rejected).into()
    }
}

impl fmt::Display for FormRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormRejected::Forged => "the form's CSRF token did not match its cookie",
            FormRejected::Unreadable => "the form could not be read",
        })
    }
}

impl std::error::Error for FormRejected {}

impl ResponseError for FormRejected {
    fn status_code(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// A bare 400; the web area that served the form replaces it with its page.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::BadRequest().finish()
    }
}
