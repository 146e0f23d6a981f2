//! CSRF protection for every form: a random token in an `HttpOnly` cookie, repeated in a hidden field
//! (`csrf_token`); a POST is accepted only when both are present and equal (compared in constant time).
//! [`Csrf<T>`] makes that a type: a handler that takes one cannot run on a forged post.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::Form;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::cookies;

const COOKIE: &str = "tarn_csrf";

/// The browser's CSRF token, and the cookie to set when it had none yet.
pub fn token(req: &HttpRequest, public_url: &str) -> (String, Option<Cookie<'static>>) {
    match req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
    {
        Some(existing) => (existing, None),
        None => {
            let fresh = crate::secret::generate();
            (
                fresh.clone(),
                Some(cookies::build(COOKIE, fresh, "/".into(), public_url)),
            )
        }
    }
}

/// Whether the form's token matches the cookie.
fn is_valid(req: &HttpRequest, form_token: &str) -> bool {
    req.cookie(COOKIE).is_some_and(|c| {
        !form_token.is_empty() && bool::from(c.value().as_bytes().ct_eq(form_token.as_bytes()))
    })
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
