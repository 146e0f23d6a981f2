//! Sign-in with a verification code: "Email me a code" / "Text me a code" on the sign-in page send one, and
//! `/login/code` checks it and completes the authorization (`amr: otp`).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::{FORM_EXPIRED, Pending, form, pending_or_page, signed_in};
use super::views::CodePage;
use crate::authn::code::{self, Attempt, Channel, CodeError, Purpose};
use crate::oidc::Op;
use crate::oidc::authorize::failure_page;
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/code", web::post().to(submit_code));
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    code: String,
}

/// Why no code went out, in words for the user, with the page status.
pub(super) type Refused = (&'static str, StatusCode);

/// Starts a challenge for `purpose` and delivers its code (when the identifier names someone who can receive
/// one); returns the challenge id, or what to tell the user.
pub(super) async fn issue_code(
    app: &AppState,
    p: &Provider,
    identifier: &str,
    channel: Channel,
    purpose: Purpose,
) -> Result<String, Refused> {
    let (t, w, typed, now) = (
        p.tenant.clone(),
        p.workspace.clone(),
        identifier.to_owned(),
        app.clock.now(),
    );
    let started = app
        .db
        .run(move |c| code::start(c, &t, &w, &typed, channel, purpose, now))
        .await;
    let (challenge, delivery) = match started {
        Ok(started) => started,
        Err(CodeError::Throttled) => {
            return Err((
                "A code was sent moments ago. Please wait a little before asking for another.",
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "could not start a code challenge");
            return Err((
                "Something went wrong. Please try again in a moment.",
                StatusCode::INTERNAL_SERVER_ERROR,
            ));
        }
    };
    if let Some(d) = delivery
        && let Err(refused) = deliver(app, p, d, purpose).await
    {
        let id = challenge.clone();
        if let Err(e) = app.db.run(move |c| code::withdraw(c, &id)).await {
            tracing::warn!(error = %e, "could not withdraw an undelivered code");
        }
        return Err(refused);
    }
    Ok(challenge)
}

/// Sends a code by its channel; what to tell the user when it could not be sent.
pub(super) async fn deliver(
    app: &AppState,
    p: &Provider,
    d: code::Delivery,
    purpose: Purpose,
) -> Result<(), Refused> {
    let what = match purpose {
        Purpose::SignIn => "sign-in",
        Purpose::PasswordReset => "password reset",
        Purpose::Registration => "verification",
    };
    let sent = match crate::messages::code(d.to, what, &d.code, d.ttl_seconds.div_ceil(60)) {
        Ok(message) => app.notifier.send(&p.tenant, &message).await,
        Err(e) => Err(e),
    };
    sent.map_err(|e| {
        // The user must know: a code that never arrives looks like a wrong identifier.
        tracing::warn!(error = %e, "code not delivered");
        (
            "We could not send the code just now. Please try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        )
    })
}

/// Sends a sign-in code and shows the code form (or the login form with the reason it could not).
pub(super) async fn send_code(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    identifier: &str,
    channel: Channel,
) -> HttpResponse {
    match issue_code(app, p, identifier, channel, Purpose::SignIn).await {
        Ok(challenge) => page(
            req,
            app,
            p,
            "/login/code",
            pending,
            &challenge,
            identifier,
            None,
            StatusCode::OK,
        ),
        Err((message, status)) => form(req, app, p, pending, identifier, Some(message), status),
    }
}

async fn submit_code(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<CodeForm>,
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
    let (t, w, challenge, typed, now) = (
        p.tenant.clone(),
        p.workspace.clone(),
        f.challenge.clone(),
        f.code.clone(),
        app.clock.now(),
    );
    match app
        .db
        .run(move |c| {
            code::verify(
                c,
                &Attempt {
                    tenant: &t,
                    workspace: &w,
                    challenge: &challenge,
                    code: &typed,
                },
                Purpose::SignIn,
                now,
            )
        })
        .await
    {
        Ok(user) => signed_in(&req, &app, &p, &pending, &user.id, "otp").await,
        Err(CodeError::Wrong) => {
            let message = "That code is not right. Check it and try again.";
            page(
                &req,
                &app,
                &p,
                "/login/code",
                &pending,
                &f.challenge,
                &f.identifier,
                Some(message),
                StatusCode::OK,
            )
        }
        Err(CodeError::Expired | CodeError::TooManyAttempts | CodeError::Throttled) => {
            let message = "This code can no longer be used. Ask for a new one.";
            form(
                &req,
                &app,
                &p,
                &pending,
                &f.identifier,
                Some(message),
                StatusCode::OK,
            )
        }
        Err(CodeError::Store(e)) => failure_page(&app, e.into()),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one page, many fields; a struct would only rename them"
)]
pub(super) fn page(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    path: &str,
    pending: &Pending,
    challenge: &str,
    identifier: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}{path}", p.issuer);
    let back = format!("{}/login?request={}", p.issuer, pending.id);
    let view = CodePage {
        public_url,
        action: &action,
        back: &back,
        csrf: &csrf,
        request_id: &pending.id,
        challenge,
        identifier,
        error,
    };
    let res = super::render_form(status, &view, set_cookie);
    super::allow_form_redirect(res, &pending.request.redirect_uri)
}
