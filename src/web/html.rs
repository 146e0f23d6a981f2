//! HTML responses every web area shares: the page response (page CSP, never cached), rendering a template,
//! message pages, the "something went wrong" page and the form-post page of OAuth 2.0 Form Post Response Mode.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;

use super::security_headers::{self, PAGE_CSP};

/// A response builder for a page: status, page CSP, no caching.
pub fn page(status: StatusCode) -> HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((CONTENT_SECURITY_POLICY, PAGE_CSP));
    res
}

/// Renders a template into a page response; a template failure is logged and becomes a plain 500.
pub fn render(status: StatusCode, template: &impl Template) -> HttpResponse {
    rendered(status, template.render())
}

/// A page from HTML already rendered (or the template's failure, logged, as a plain 500).
pub fn rendered(status: StatusCode, html: askama::Result<String>) -> HttpResponse {
    match html {
        Ok(html) => page(status).body(html),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// Renders a page with a form, setting the CSRF cookie when the browser had none yet.
pub fn render_form(
    status: StatusCode,
    template: &impl Template,
    csrf_cookie: Option<Cookie<'static>>,
) -> HttpResponse {
    with_cookie(render(status, template), csrf_cookie)
}

/// `res` with the CSRF cookie added, when the browser had none yet.
pub fn with_cookie(mut res: HttpResponse, csrf_cookie: Option<Cookie<'static>>) -> HttpResponse {
    if let Some(cookie) = csrf_cookie {
        let _ = res.add_cookie(&cookie);
    }
    res
}

/// Lets the forms of a sign-in page lead back to the client: browsers apply `form-action` to the redirects a
/// form submission follows, and finishing a sign-in redirects to the client's `redirect_uri`.
pub fn allow_form_redirect(mut res: HttpResponse, redirect_uri: &str) -> HttpResponse {
    let Some(origin) = security_headers::origin_of(redirect_uri) else {
        return res;
    };
    if let Ok(value) = security_headers::page_csp(Some(&origin)).parse() {
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// [`allow_form_redirect`] for a page that also shows an image from `image_uri`'s origin (a client's logo).
pub fn allow_form_redirect_and_image(
    mut res: HttpResponse,
    redirect_uri: &str,
    image_uri: Option<&str>,
) -> HttpResponse {
    let images_from = image_uri.and_then(security_headers::origin_of);
    let Some(origin) = security_headers::origin_of(redirect_uri) else {
        return res;
    };
    let csp = security_headers::page_csp_with_images(Some(&origin), images_from.as_deref());
    if let Ok(value) = csp.parse() {
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    res
}

#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage<'a> {
    pub public_url: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub is_error: bool,
    /// `(href, label)` of a link onward.
    pub link: Option<(&'a str, &'a str)>,
}

/// A page with a title and a message (errors in an element with `role="alert"`).
pub fn message(public_url: &str, status: StatusCode, title: &str, message: &str) -> HttpResponse {
    message_page(public_url, status, title, message, None)
}

/// A page with a title, a message and one link onward, `(href, label)`.
pub fn message_page(
    public_url: &str,
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    let is_error = status.is_client_error() || status.is_server_error();
    render(
        status,
        &MessagePage {
            public_url,
            title,
            message,
            is_error,
            link,
        },
    )
}

/// The title of the page for a failure on our side.
pub const FAILURE_TITLE: &str = "Something went wrong";

/// The title of the page shown while the service is overloaded or its database unreachable (503).
pub const UNAVAILABLE_TITLE: &str = "Temporarily unavailable";

/// The page for a failure of `kind`: 503 when the service is overloaded or its database unreachable (a state
/// that passes, logged as a warning), else [`failure`].
pub fn failure_of_kind(
    public_url: &str,
    kind: crate::error::ErrorKind,
    cause: &dyn std::fmt::Display,
) -> HttpResponse {
    if kind != crate::error::ErrorKind::Overloaded {
        return failure(public_url, cause);
    }
    tracing::warn!(error = %cause, "a page could not be served: the service is unavailable");
    message(
        public_url,
        StatusCode::SERVICE_UNAVAILABLE,
        UNAVAILABLE_TITLE,
        "The service is busy or briefly unavailable. Please try again in a moment.",
    )
}

/// The page for a failure on our side: the cause is logged, never shown.
pub fn failure(public_url: &str, cause: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %cause, "a page could not be served");
    message(
        public_url,
        StatusCode::INTERNAL_SERVER_ERROR,
        FAILURE_TITLE,
        "Please try again in a moment.",
    )
}

#[derive(Template)]
#[template(path = "pages/form_post.html")]
struct FormPostPage<'a> {
    public_url: &'a str,
    redirect_uri: &'a str,
    fields: &'a [(&'a str, String)],
}

/// The page that posts `fields` to `redirect_uri` (OAuth 2.0 Form Post Response Mode); its CSP lets its form
/// post to that one origin only.
pub fn form_post(public_url: &str, redirect_uri: &str, fields: &[(&str, String)]) -> HttpResponse {
    let page = FormPostPage {
        public_url,
        redirect_uri,
        fields,
    };
    let mut res = render(StatusCode::OK, &page);
    // A redirect URI without an origin (a custom scheme) can take no form post: `'none'`.
    let origin = security_headers::origin_of(redirect_uri).unwrap_or_else(|| "'none'".into());
    if let Ok(value) = security_headers::form_post_csp(&origin).parse() {
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// A timestamp as the day it fell on (UTC), e.g. `2026-11-27`.
pub fn day(timestamp: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(timestamp)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}
