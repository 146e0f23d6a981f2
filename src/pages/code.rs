//! Sign-in with a verification code: "Email me a code" / "Text me a code" on the sign-in page send one, and
//! `/login/code` checks it and completes the authorization (`amr: otp`). Also how every page issues and delivers
//! a code.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::PageError;
use super::flow::SignIn;
use super::texts;
use crate::authn::code::{self, Channel, CodeError, Purpose};
use crate::oidc::Op;
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::csrf::Csrf;

crate::csrf_protected!(CodeForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/login/code").route(web::post().to(submit_code)));
}

#[derive(Debug, Deserialize)]
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
pub(super) struct Refused {
    pub message: &'static str,
    pub status: StatusCode,
}

/// Starts a challenge for `purpose` and delivers its code (when the identifier names someone who can receive
/// one); returns the challenge id, or what to tell the user.
pub(super) async fn issue_code(
    app: &AppState,
    p: &Provider,
    identifier: &str,
    channel: Channel,
    purpose: Purpose,
) -> Result<Result<String, Refused>, PageError> {
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
            let status = StatusCode::TOO_MANY_REQUESTS;
            return Ok(Err(Refused {
                message: texts::CODE_THROTTLED,
                status,
            }));
        }
        Err(e) => return Err(e.into()),
    };
    if let Err(refused) = deliver(app, p, delivery, purpose).await {
        let id = challenge.clone();
        if let Err(e) = app.db.run(move |c| code::withdraw(c, &id)).await {
            tracing::warn!(error = %e, "could not withdraw an undelivered code");
        }
        return Ok(Err(refused));
    }
    Ok(Ok(challenge))
}

/// Sends a code by its channel, when there is one to send (the identifier names someone who can receive it);
/// what to tell the user when it could not be sent.
pub(super) async fn deliver(
    app: &AppState,
    p: &Provider,
    delivery: Option<code::Delivery>,
    purpose: Purpose,
) -> Result<(), Refused> {
    let Some(d) = delivery else {
        return Ok(());
    };
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
        Refused {
            message: texts::CODE_NOT_SENT,
            status: StatusCode::SERVICE_UNAVAILABLE,
        }
    })
}

/// Sends a sign-in code and shows the code form (or the login form with the reason it could not).
pub(super) async fn send_code(
    flow: &SignIn,
    identifier: &str,
    channel: Channel,
) -> Result<HttpResponse, PageError> {
    let issued = issue_code(&flow.app, &flow.op, identifier, channel, Purpose::SignIn).await?;
    Ok(match issued {
        Ok(challenge) => flow
            .code_page("/login/code", &challenge, identifier)
            .render(),
        Err(Refused { message, status }) => flow
            .login_form(identifier)
            .error(message)
            .status(status)
            .render(),
    })
}

async fn submit_code(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(&req, op, &f.request).await?;
    match flow.verify_code(&f.challenge, &f.code).await {
        Ok(user) => flow.signed_in(&user, vec!["otp".into()]).await,
        Err(CodeError::Wrong) => {
            let page = flow.code_page("/login/code", &f.challenge, &f.identifier);
            Ok(page.error(texts::CODE_WRONG).render())
        }
        Err(CodeError::Expired | CodeError::TooManyAttempts | CodeError::Throttled) => Ok(flow
            .login_form(&f.identifier)
            .error(texts::CODE_SPENT)
            .render()),
        Err(e) => Err(e.into()),
    }
}
