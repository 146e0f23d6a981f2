//! Cookies Tarn sets: always `HttpOnly` and `SameSite=Lax`, `Secure` when the public URL is https.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};

/// A cookie for `path`, secure when `public_url` is https.
pub fn build(name: &'static str, value: String, path: String, public_url: &str) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(public_url.starts_with("https://"))
        .finish()
}

/// A cookie that deletes `name` at `path`.
pub fn removal(name: &'static str, path: String, public_url: &str) -> Cookie<'static> {
    let mut cookie = build(name, String::new(), path, public_url);
    cookie.set_max_age(Duration::ZERO);
    cookie
}
