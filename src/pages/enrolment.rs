//! Adding a passkey for a signed-in user: suggested right after a password or code sign-in (before the user
//! goes back to the application), and from the account page. `/account/passkeys/options` and
//! `/account/passkeys` run the WebAuthn ceremony; `/login/continue` resumes the authorization without one.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Form};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::{FORM_EXPIRED, Pending, pending_or_page};
use super::passkey::{options_error, options_response, refusal};
use super::views::{MessagePage, PasskeySuggestPage};
use crate::authn::passkey::enrol::{self, Holder};
use crate::authn::passkey::{PasskeyError, Subject};
use crate::authn::pending;
use crate::oidc::Op;
use crate::oidc::authorize::{complete, failure_page, live_session};
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/passkeys/options", web::post().to(enrol_options))
        .route("/account/passkeys", web::post().to(submit_enrolment))
        .route("/login/continue", web::post().to(continue_sign_in));
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

#[derive(Deserialize)]
struct EnrolForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
    #[serde(default)]
    name: String,
    /// The authorization request to resume afterwards, when the passkey was suggested during sign-in.
    #[serde(default)]
    request: String,
}

#[derive(Deserialize)]
struct ContinueForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
}

/// The page suggesting a passkey after a sign-in; the session is already started, the request still pending.
pub(super) fn suggestion(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    pending: &Pending,
    amr: &[String],
) -> HttpResponse {
    let (csrf, set_cookie) = csrf::token(req, app.config.public_url());
    let instead = if amr.iter().any(|m| m == "pwd") {
        "password"
    } else {
        "code"
    };
    let page = PasskeySuggestPage {
        public_url: app.config.public_url(),
        csrf: &csrf,
        request_id: &pending.id,
        instead,
        options: &format!("{}/account/passkeys/options", p.issuer),
        finish: &format!("{}/account/passkeys", p.issuer),
        continue_action: &format!("{}/login/continue", p.issuer),
    };
    let res = super::render_form(StatusCode::OK, &page, set_cookie);
    super::allow_form_redirect(res, &pending.request.redirect_uri)
}

async fn enrol_options(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<CsrfForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        return options_error(StatusCode::FORBIDDEN, FORM_EXPIRED);
    }
    let session = match live_session(&req, &app, &p).await {
        Ok(Some(session)) => session,
        Ok(None) => return options_error(StatusCode::UNAUTHORIZED, SIGNED_OUT),
        Err(e) => return failure_page(&app, e),
    };
    let subject = Subject::Enrol {
        workspace: p.workspace.clone(),
        user: session.user.id.clone(),
    };
    let begun = enrol::begin(&app, &p.tenant, Holder::of(&session.user), subject).await;
    options_response(begun)
}

const SIGNED_OUT: &str = "You are no longer signed in. Sign in again to manage your passkeys.";

async fn submit_enrolment(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<EnrolForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let public_url = app.config.public_url();
    if !csrf::is_valid(&req, &f.csrf_token) {
        return super::message(
            public_url,
            StatusCode::BAD_REQUEST,
            "Form expired",
            FORM_EXPIRED,
        );
    }
    let session = match live_session(&req, &app, &p).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            return super::message(
                public_url,
                StatusCode::UNAUTHORIZED,
                "Signed out",
                SIGNED_OUT,
            );
        }
        Err(e) => return failure_page(&app, e),
    };
    let (workspace, user) = (p.workspace.clone(), session.user.id.clone());
    let expected = Subject::Enrol {
        workspace: workspace.clone(),
        user: user.clone(),
    };
    let stored = async {
        let (_, new) = enrol::finish(&app, &p.tenant, &f.ceremony, &f.credential, move |s| {
            *s == expected
        })
        .await?;
        let (name, now) = (f.name.clone(), app.clock.now());
        app.db
            .transaction(move |c| enrol::store(c, &user, &new, &name, now))
            .await
    }
    .await;
    match stored {
        Ok(_) if !f.request.is_empty() => resume(&req, &app, &p, &f.request).await,
        Ok(_) => see_other(&format!("{}/account?added=1", p.issuer)),
        Err(e) => enrolment_failed(&app, &p, &f.request, &e),
    }
}

fn enrolment_failed(app: &AppState, p: &Provider, request: &str, e: &PasskeyError) -> HttpResponse {
    let Some((message, status)) = refusal(e) else {
        return failure_page(app, TokenError::Internal(e.to_string()));
    };
    let back = if request.is_empty() {
        format!("{}/account", p.issuer)
    } else {
        format!("{}/login?request={request}", p.issuer)
    };
    let status = if status == StatusCode::OK {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let page = MessagePage {
        public_url: app.config.public_url(),
        title: "Passkey not added",
        message,
        is_error: true,
        link: Some((&back, "Back")),
    };
    super::render(status, &page)
}

async fn continue_sign_in(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<ContinueForm>,
) -> HttpResponse {
    if !csrf::is_valid(&req, &f.csrf_token) {
        let public_url = app.config.public_url();
        return super::message(
            public_url,
            StatusCode::BAD_REQUEST,
            "Form expired",
            FORM_EXPIRED,
        );
    }
    resume(&req, &app, &p, &f.request).await
}

/// Finishes a pending authorization request for the browser's live session.
async fn resume(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    request: &str,
) -> HttpResponse {
    let pending = match pending_or_page(app, p, request).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    let session = match live_session(req, app, p).await {
        Ok(Some(session)) => session,
        Ok(None) => return see_other(&format!("{}/login?request={}", p.issuer, pending.id)),
        Err(e) => return failure_page(app, e),
    };
    let id = pending.id.clone();
    if let Err(e) = app.db.run(move |c| pending::consume(c, &id)).await {
        return failure_page(app, TokenError::from(e));
    }
    let (user, auth_time) = (session.user.id.clone(), session.row.auth_time);
    match complete(app, p, &pending.request, &user, auth_time, session.amr()).await {
        Ok(res) => res,
        Err(e) => failure_page(app, e),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}
