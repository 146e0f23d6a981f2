//! `/login`: the hosted sign-in page. It finishes a stored authorization request: identifier and password are
//! checked against the workspace's connected pools, a session starts, and the code goes to the client.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::LoginPage;
use crate::authn::code::Channel;
use crate::authn::login::{self, LoginError};
use crate::authn::{pending, registration, session};
use crate::identity::pool::Mechanism;
use crate::oidc::Op;
use crate::oidc::authorize::{SESSION_COOKIE, complete, failure_page};
use crate::state::AppState;
use crate::tokens::authorization::ValidRequest;
use crate::tokens::client_auth::find_client;
use crate::tokens::{Provider, TokenError};
use crate::web::{cookies, csrf};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/login")
            .route(web::get().to(show_login))
            .route(web::post().to(submit_login)),
    );
}

#[derive(Deserialize)]
struct LoginQuery {
    request: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    /// Which button: `password` (default), `email_code` or `text_code`.
    #[serde(default)]
    action: String,
}

/// What the page needs to render for one pending request.
pub(super) struct Pending {
    pub id: String,
    pub request: ValidRequest,
    pub client_name: String,
    pub offers_password: bool,
    pub offers_otp: bool,
    /// Whether a connected pool offers passkeys (and the server has a WebAuthn relying party).
    pub offers_passkey: bool,
    /// Whether a connected pool allows self-registration ("Create account").
    pub offers_registration: bool,
}

async fn show_login(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<LoginQuery>,
) -> HttpResponse {
    match pending(&app, &p, q.request.as_deref().unwrap_or_default()).await {
        Ok(Some(pending)) => form(&req, &app, &p, &pending, "", None, StatusCode::OK),
        Ok(None) => expired(&app),
        Err(e) => failure_page(&app, e),
    }
}

async fn submit_login(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<LoginForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let pending = match pending_or_page(&app, &p, &f.request).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    if !csrf::is_valid(&req, &f.csrf_token) {
        let message = FORM_EXPIRED;
        return form(
            &req,
            &app,
            &p,
            &pending,
            &f.identifier,
            Some(message),
            StatusCode::BAD_REQUEST,
        );
    }
    match f.action.as_str() {
        "email_code" if pending.offers_otp => {
            return super::code::send_code(&req, &app, &p, &pending, &f.identifier, Channel::Email)
                .await;
        }
        "text_code" if pending.offers_otp => {
            return super::code::send_code(&req, &app, &p, &pending, &f.identifier, Channel::Sms)
                .await;
        }
        "" | "password" if pending.offers_password => {}
        _ => {
            let message = "Choose one of the ways to sign in offered here.";
            return form(
                &req,
                &app,
                &p,
                &pending,
                &f.identifier,
                Some(message),
                StatusCode::BAD_REQUEST,
            );
        }
    }
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let user = match login::with_password(
        &app,
        &p.tenant,
        &p.workspace,
        &f.identifier,
        &f.password,
        &ip,
    )
    .await
    {
        Ok(user) => user,
        Err(e) => {
            let (status, message) = match e {
                LoginError::Failed => (
                    StatusCode::OK,
                    "Incorrect email, mobile number or password.",
                ),
                LoginError::Locked => (
                    StatusCode::OK,
                    "Too many failed attempts. Please wait a few minutes and try again.",
                ),
                LoginError::Overloaded => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The service is busy. Please try again in a moment.",
                ),
                LoginError::Store(e) => return failure_page(&app, e.into()),
            };
            return form(
                &req,
                &app,
                &p,
                &pending,
                &f.identifier,
                Some(message),
                status,
            );
        }
    };
    signed_in(&req, &app, &p, &pending, &user.id, "pwd").await
}

/// The user proved who they are with `method` (an `amr` value): see [`signed_in_with`].
pub(super) async fn signed_in(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    user: &str,
    method: &str,
) -> HttpResponse {
    signed_in_with(req, app, p, pending, user, vec![method.to_owned()]).await
}

/// The user proved who they are by the `amr` methods: start the session, consume the pending request, and send
/// the authorization code to the client. A user of a pool preferring passkeys who has none yet is first offered
/// to add one; the request then stays pending until they do or decline (`enrolment`).
pub(super) async fn signed_in_with(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    user: &str,
    amr: Vec<String>,
) -> HttpResponse {
    let (t, w, u, id, now, ttl) = (
        p.tenant.clone(),
        p.workspace.clone(),
        user.to_owned(),
        pending.id.clone(),
        app.clock.now(),
        p.lifetimes.session,
    );
    let (session_amr, offers_passkey) = (amr.clone(), pending.offers_passkey);
    let started = app
        .db
        .transaction(move |c| {
            let new = session::NewSession {
                tenant: &t,
                workspace: &w,
                user: &u,
                amr: &session_amr,
                ttl,
            };
            session::start_for_request(c, &new, &id, offers_passkey, now)
        })
        .await;
    let (cookie_value, suggest) = match started {
        Ok(started) => started,
        Err(e) => return failure_page(app, TokenError::from(e)),
    };
    let mut res = if suggest {
        super::enrolment::suggestion(req, app, p, pending, &amr)
    } else {
        match complete(app, p, &pending.request, user, now, amr).await {
            Ok(res) => res,
            Err(e) => return failure_page(app, e),
        }
    };
    let path = url::Url::parse(&p.issuer)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| "/".into());
    let _ = res.add_cookie(&cookies::build(
        SESSION_COOKIE,
        cookie_value,
        path,
        app.config.public_url(),
    ));
    res
}

/// The message when a form's CSRF token does not match its cookie.
pub(super) const FORM_EXPIRED: &str = "This form has expired. Please try again.";

/// The pending request a form names, or the page to answer with instead (expired, or a failure).
pub(super) async fn pending_or_page(
    app: &AppState,
    p: &Arc<Provider>,
    id: &str,
) -> Result<Pending, HttpResponse> {
    match pending(app, p, id).await {
        Ok(Some(pending)) => Ok(pending),
        Ok(None) => Err(expired(app)),
        Err(e) => Err(failure_page(app, e)),
    }
}

/// The stored, unexpired authorization request of this workspace with this id.
pub(super) async fn pending(
    app: &AppState,
    p: &Arc<Provider>,
    id: &str,
) -> Result<Option<Pending>, TokenError> {
    let (t, w, id, now) = (
        p.tenant.clone(),
        p.workspace.clone(),
        id.to_owned(),
        app.clock.now(),
    );
    let found = app
        .db
        .run(move |c| {
            let Some(request) = pending::find(c, &t, &w, &id, now)? else {
                return Ok(None);
            };
            let offers_password = login::is_offered(c, &t, &w, Mechanism::Password)?;
            let offers_otp = login::is_offered(c, &t, &w, Mechanism::Otp)?;
            let offers_passkey = login::is_offered(c, &t, &w, Mechanism::Passkey)?;
            let offers_registration = registration::pool_for(c, &t, &w)?.is_some();
            Ok::<_, TokenError>(Some((
                id,
                request,
                [offers_password, offers_otp, offers_passkey],
                offers_registration,
            )))
        })
        .await?;
    let Some((id, request, [offers_password, offers_otp, offers_passkey], offers_registration)) =
        found
    else {
        return Ok(None);
    };
    let client_name = find_client(app, p, &request.client_id)
        .await?
        .map(|c| c.metadata.client_name.clone())
        .unwrap_or_default();
    Ok(Some(Pending {
        id,
        request,
        client_name,
        offers_password,
        offers_otp,
        offers_passkey: offers_passkey && app.passkeys.is_some(),
        offers_registration,
    }))
}

pub(super) fn form(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    pending: &Pending,
    identifier: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}/login", p.issuer);
    let hint = if identifier.is_empty() {
        pending.request.login_hint.as_deref().unwrap_or_default()
    } else {
        identifier
    };
    let page = LoginPage {
        public_url,
        action: &action,
        csrf: &csrf,
        request_id: &pending.id,
        client_name: &pending.client_name,
        identifier: hint,
        error,
        offers_password: pending.offers_password,
        offers_otp: pending.offers_otp,
        offers_passkey: pending.offers_passkey,
        passkey_options: &format!("{}/login/passkey/options", p.issuer),
        passkey_finish: &format!("{}/login/passkey", p.issuer),
        reset: &format!("{}/password-reset?request={}", p.issuer, pending.id),
        register: pending
            .offers_registration
            .then(|| format!("{}/register?request={}", p.issuer, pending.id)),
    };
    let res = super::render_form(status, &page, set_cookie);
    super::allow_form_redirect(res, &pending.request.redirect_uri)
}

pub(super) fn expired(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::BAD_REQUEST,
        "Sign-in link expired",
        "This sign-in request is unknown or has expired. Go back to the application and sign in again.",
    )
}
