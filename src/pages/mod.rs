//! Hosted pages (HTML, server-rendered with askama): sign-in, messages, logout confirmation, form_post.
//! Every page carries the strict page CSP and is never cached.

pub mod account;
pub mod code;
pub mod enrolment;
pub mod invitation;
pub mod login;
pub mod passkey;
pub mod register;
pub mod register_passkey;
pub mod reset;
pub mod verification;
pub mod views;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use actix_web::{HttpResponse, HttpResponseBuilder, web};

use crate::web::security_headers::PAGE_CSP;

/// Mounts the hosted pages inside a workspace scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(login::configure)
        .configure(code::configure)
        .configure(reset::configure)
        .configure(register::configure)
        .configure(register_passkey::configure)
        .configure(passkey::configure)
        .configure(enrolment::configure)
        .configure(account::configure);
}

/// A response builder for a page: status, page CSP, no caching.
pub fn page(status: StatusCode) -> HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((CONTENT_SECURITY_POLICY, PAGE_CSP));
    res
}

/// Renders a template into a page response; a template failure is logged and becomes a plain 500.
pub fn render(status: StatusCode, template: &impl askama::Template) -> HttpResponse {
    match template.render() {
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
    template: &impl askama::Template,
    csrf_cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> HttpResponse {
    let mut res = render(status, template);
    if let Some(cookie) = csrf_cookie {
        let _ = res.add_cookie(&cookie);
    }
    res
}

/// Lets the forms of a sign-in page lead back to the client: browsers apply `form-action` to the redirects a
/// form submission follows, and finishing a sign-in redirects to the client's `redirect_uri`.
pub fn allow_form_redirect(mut res: HttpResponse, redirect_uri: &str) -> HttpResponse {
    let Ok(url) = url::Url::parse(redirect_uri) else {
        return res;
    };
    let origin = url.origin().ascii_serialization();
    if origin == "null" {
        return res;
    }
    let csp = PAGE_CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    if let Ok(value) = csp.parse() {
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// A page with a title, a message and one link onward.
pub fn message_with_link(
    public_url: &str,
    title: &str,
    message: &str,
    href: &str,
    label: &str,
) -> HttpResponse {
    render(
        StatusCode::OK,
        &views::MessagePage {
            public_url,
            title,
            message,
            is_error: false,
            link: Some((href, label)),
        },
    )
}

/// A page with a title and a message (errors in an element with `role="alert"`).
pub fn message(public_url: &str, status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let is_error = status.is_client_error() || status.is_server_error();
    render(
        status,
        &views::MessagePage {
            public_url,
            title,
            message,
            is_error,
            link: None,
        },
    )
}
