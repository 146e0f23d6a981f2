//! Signing in and out of the portal, and the one-time **Set up Tarn** page at `/admin`. Sign-in is the BFF pattern:
//! the portal redirects to the built-in workspace's authorization endpoint, and its callback redeems the code
//! in-process (`authn::portal::sign_in`); the browser holds only the portal session cookie.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::form::{FormState, PlainForm};
use super::layout::{Layout, MessagePage, respond, see_other};
use super::session::PortalCookie;
use crate::authn::portal::sign_in::{self, Begin};
use crate::identity::admin::{self, SIGNED_OUT_PATH, TENANT, WORKSPACE};
use crate::state::AppState;
use crate::web::csrf::Csrf;
use crate::web::{client_addr, csrf, methods};

/// The portal's first page once signed in.
pub const HOME: &str = "/admin/-/tenants";

/// `/admin`: the setup page, or the way in.
pub fn start() -> actix_web::Resource {
    web::resource("/admin")
        .app_data(web::FormConfig::default().limit(64 * 1024))
        .route(methods::get().to(show_start))
        .route(web::post().to(set_up_tarn))
}

/// The sign-in routes, under `/admin/-`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", methods::get().to(sign_in))
        .route("/callback", methods::get().to(callback))
        .route("/sign-out", web::post().to(sign_out))
        .route("/signed-out", methods::get().to(show_signed_out));
}

#[derive(Template)]
#[template(path = "portal/setup.html")]
struct SetupPage {
    layout: Layout,
    form: FormState,
}

/// `/admin`: the setup page while Tarn has no administrator, else the portal (signing in first when needed).
async fn show_start(req: HttpRequest, app: Data<AppState>) -> Result<HttpResponse, PortalError> {
    if app.db.run(admin::is_setup_open).await? {
        let (layout, cookies) = Layout::bare(&req, &app, false);
        let page = SetupPage {
            layout,
            form: FormState::default(),
        };
        return Ok(respond(StatusCode::OK, &page, cookies));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{}{HOME}", app.config.public_url())))
        .finish())
}

#[derive(Deserialize)]
struct SetupForm {
    csrf_token: String,
    #[serde(default)]
    admin_token: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    new_password: String,
}
crate::csrf_protected!(SetupForm);

/// **Create administrator**: makes the first administrator, then signs them in.
async fn set_up_tarn(
    req: HttpRequest,
    app: Data<AppState>,
    form: Csrf<SetupForm>,
) -> Result<HttpResponse, PortalError> {
    let Csrf(f) = form;
    let mut state = FormState::with(&[("identifier", &f.identifier)]);
    let setup = admin::Setup {
        admin_token: f.admin_token,
        identifier: f.identifier,
        new_password: f.new_password,
        client: client_addr::of(&req),
    };
    let now = app.clock.now();
    match admin::set_up(&app.db, &app.hasher, &app.admin_token_hash, now, setup).await {
        Ok(_) => Ok(see_other(
            &app,
            "/admin/-/sign-in",
            "Tarn is set up. Sign in as the administrator you created.",
        )),
        Err(crate::identity::Error::Conflict(m)) if m.contains("already set up") => {
            Err(PortalError::NotFound("setup page"))
        }
        Err(e) => {
            state.take(e, &[], "identifier")?;
            let (layout, cookies) = Layout::bare(&req, &app, false);
            let page = SetupPage {
                layout,
                form: state,
            };
            Ok(respond(StatusCode::UNPROCESSABLE_ENTITY, &page, cookies))
        }
    }
}

#[derive(Deserialize)]
struct SignInQuery {
    return_to: Option<String>,
}

/// Starts a sign-in at the built-in workspace, bound to this browser.
async fn sign_in(
    req: HttpRequest,
    app: Data<AppState>,
    q: Query<SignInQuery>,
) -> Result<HttpResponse, PortalError> {
    let (_, new_cookie) = csrf::token(&req);
    let browser = match &new_cookie {
        Some(cookie) => crate::secret::hash(cookie.value()),
        None => csrf::browser(&req),
    };
    let return_to = q
        .return_to
        .as_deref()
        .filter(|p| is_portal_path(p))
        .unwrap_or(HOME);
    let begin = Begin {
        browser,
        return_to: return_to.to_owned(),
        step_up: None,
    };
    let location = sign_in::begin(&app, begin).await?;
    Ok(redirect_with(&location, new_cookie))
}

/// A redirect to `location`, setting the CSRF cookie when the browser had none.
pub fn redirect_with(
    location: &str,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> HttpResponse {
    let mut res = HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish();
    if let Some(cookie) = cookie {
        let _ = res.add_cookie(&cookie);
    }
    res
}

/// Whether `path` is a portal page to return to (never another site: no `//`, no backslash, no scheme).
fn is_portal_path(path: &str) -> bool {
    (path == "/admin" || path.starts_with("/admin/-/"))
        && !path.contains("//")
        && !path.contains('\\')
        && path.chars().all(|c| c.is_ascii_graphic())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// The authorization response: a new portal session (a new id, the previous one ended), then the page the
/// administrator was going to, or the action a step-up kept.
async fn callback(
    req: HttpRequest,
    app: Data<AppState>,
    q: Query<CallbackQuery>,
) -> Result<HttpResponse, PortalError> {
    let public_url = app.config.public_url().to_owned();
    let (Some(code), Some(state)) = (q.code.as_deref(), q.state.as_deref()) else {
        return Ok(not_completed(&req, &app));
    };
    let origin = crate::web::audit_origin::of(&req);
    let finished = match sign_in::finish(&app, &origin, state, code, &csrf::browser(&req)).await {
        Ok(f) => f,
        Err(sign_in::SignInError::Unusable(why)) => {
            tracing::info!(reason = %why, "a portal sign-in was refused");
            return Ok(not_completed(&req, &app));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = PortalCookie::read(&req, &public_url) {
        crate::authn::portal::end(&app, &old).await?;
    }
    let mut res = match finished.pending_action {
        Some(action) => {
            let origin = crate::web::audit_origin::of(&req);
            super::step_up::complete(&app, origin, &finished.user_id, &action).await?
        }
        None => see_other(&app, &finished.return_to, "You are signed in."),
    };
    PortalCookie::set(&mut res, finished.cookie, &public_url);
    Ok(res)
}

fn not_completed(req: &HttpRequest, app: &AppState) -> HttpResponse {
    let (layout, cookies) = Layout::bare(req, app, false);
    let page = MessagePage {
        layout,
        title: "Sign-in not completed",
        message: "The sign-in could not be completed (it was cancelled, took too long, or was started in another \
                  browser). Go to the portal to sign in again.",
        is_error: true,
    };
    respond(StatusCode::BAD_REQUEST, &page, cookies)
}

/// **Sign out**: ends the portal session, then the built-in workspace's (RP-initiated logout).
async fn sign_out(
    req: HttpRequest,
    app: Data<AppState>,
    _: Csrf<PlainForm>,
) -> Result<HttpResponse, PortalError> {
    let public_url = app.config.public_url().to_owned();
    let id_token = match PortalCookie::read(&req, &public_url) {
        Some(cookie) => crate::authn::portal::end(&app, &cookie).await?,
        None => None,
    };
    let location = match id_token {
        Some(hint) => {
            let issuer = crate::identity::workspace::issuer(&public_url, TENANT, WORKSPACE);
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("id_token_hint", &hint)
                .append_pair(
                    "post_logout_redirect_uri",
                    &format!("{public_url}{SIGNED_OUT_PATH}"),
                )
                .finish();
            format!("{issuer}/oauth2/logout?{query}")
        }
        None => format!("{public_url}{SIGNED_OUT_PATH}"),
    };
    let mut res = HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish();
    PortalCookie::clear(&mut res, &public_url);
    Ok(res)
}

async fn show_signed_out(req: HttpRequest, app: Data<AppState>) -> HttpResponse {
    let (layout, cookies) = Layout::bare(&req, &app, false);
    let page = MessagePage {
        layout,
        title: "You are signed out",
        message: "You are signed out of the admin portal.",
        is_error: false,
    };
    respond(StatusCode::OK, &page, cookies)
}
