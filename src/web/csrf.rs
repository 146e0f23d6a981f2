//! CSRF protection for every form: a random token in an `HttpOnly` cookie, repeated in a hidden field
//! (`csrf_token`); a POST is accepted only when both are present and equal (compared in constant time).

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;
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
pub fn is_valid(req: &HttpRequest, form_token: &str) -> bool {
    req.cookie(COOKIE).is_some_and(|c| {
        !form_token.is_empty() && bool::from(c.value().as_bytes().ct_eq(form_token.as_bytes()))
    })
}
