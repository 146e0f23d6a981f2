//! What every portal page shares: the layout's values (public URL, CSRF token for Sign out, who is signed in,
//! breadcrumbs, the flash message), the flash cookie, and the one function that turns a page into a response
//! (page CSP, never cached, the cookies it must set).

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::authn::portal::Signed;
use crate::identity::admin::Role;
use crate::state::AppState;
use crate::web::{cookies, csrf, html};

const FLASH_COOKIE: &str = "tarn_portal_flash";
const FLASH_PATH: &str = "/admin";

/// The layout's values, given to every portal template as `layout`.
pub struct Layout {
    pub public_url: String,
    /// For every form on the page, Sign out included.
    pub csrf_token: String,
    /// The signed-in administrator's email; `None` on the setup page and to signed-out visitors.
    pub who: Option<String>,
    pub is_auditor: bool,
    /// Whether to show Sign out (anyone with a portal session).
    pub signed_in: bool,
    /// `(href, label)` from the top; the last one is the current page.
    pub breadcrumbs: Vec<(String, String)>,
    /// The success message of the action that led here (`role="status"`).
    pub flash: Option<String>,
    /// The tenant the navigation links point into.
    pub tenant: Option<String>,
}

impl Layout {
    /// The layout for a signed-in administrator or auditor; the cookies go on the response.
    pub fn new(
        req: &HttpRequest,
        app: &AppState,
        signed: &Signed,
    ) -> (Layout, Vec<Cookie<'static>>) {
        let (mut layout, cookies) = Self::bare(req, app, true);
        layout.who = signed.email.clone();
        layout.is_auditor = signed.role == Some(Role::Auditor);
        (layout, cookies)
    }

    /// The layout without an administrator (the setup page, refusals).
    pub fn bare(
        req: &HttpRequest,
        app: &AppState,
        signed_in: bool,
    ) -> (Layout, Vec<Cookie<'static>>) {
        let (csrf_token, csrf_cookie) = csrf::token(req);
        let public_url = app.config.public_url().to_owned();
        let flash = req.cookie(FLASH_COOKIE).map(|c| c.value().to_owned());
        let mut set: Vec<Cookie<'static>> = csrf_cookie.into_iter().collect();
        if flash.is_some() {
            set.push(cookies::removal(
                FLASH_COOKIE,
                FLASH_PATH.into(),
                &public_url,
            ));
        }
        let layout = Layout {
            public_url,
            csrf_token,
            who: None,
            is_auditor: false,
            signed_in,
            breadcrumbs: Vec::new(),
            flash,
            tenant: None,
        };
        (layout, set)
    }

    /// Adds breadcrumbs, from the top.
    pub fn crumbs(mut self, crumbs: &[(&str, &str)]) -> Layout {
        self.breadcrumbs = crumbs
            .iter()
            .map(|(href, label)| (format!("{}{href}", self.public_url), (*label).to_owned()))
            .collect();
        self
    }

    pub fn in_tenant(mut self, tenant: &str) -> Layout {
        self.tenant = Some(tenant.to_owned());
        self
    }
}

/// A rendered page with the cookies its layout needs.
pub fn respond(
    status: StatusCode,
    page: &impl Template,
    set: Vec<Cookie<'static>>,
) -> HttpResponse {
    let mut res = html::render(status, page);
    for cookie in set {
        let _ = res.add_cookie(&cookie);
    }
    res
}

/// `303 See Other` to `path` (under the public URL) with a flash message for the next page.
pub fn see_other(app: &AppState, path: &str, flash: &str) -> HttpResponse {
    let public_url = app.config.public_url();
    // Percent-encoded with spaces as `%20`, not `+`: actix percent-decodes request cookies, and nothing decodes
    // a `+` (a message with `&` or `+` in it came back cut or changed when the page form-decoded it again).
    let value = url::form_urlencoded::byte_serialize(flash.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let cookie = cookies::build(FLASH_COOKIE, value, FLASH_PATH.into(), public_url);
    HttpResponse::SeeOther()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{public_url}{path}"),
        ))
        .cookie(cookie)
        .finish()
}

#[derive(Template)]
#[template(path = "portal/message.html")]
pub struct MessagePage<'a> {
    pub layout: Layout,
    pub title: &'a str,
    pub message: &'a str,
    pub is_error: bool,
}
