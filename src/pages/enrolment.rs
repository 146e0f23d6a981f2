//! Adding a passkey for a signed-in user: suggested right after a password or code sign-in (before the user
//! goes back to the application), and from the account page. `/account/passkeys/options` and
//! `/account/passkeys` run the WebAuthn ceremony; `/login/continue` resumes the authorization without one.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::flow::SignIn;
use super::passkey::{forged, options_error, options_response, refusal, unavailable};
use super::texts;
use super::views::PasskeySuggestPage;
use crate::authn::passkey::enrol::{self, Holder};
use crate::authn::passkey::{PasskeyError, Subject};
use crate::authn::pending;
use crate::oidc::Op;
use crate::oidc::authorize::{complete, live_session};
use crate::oidc::error::OAuthError;
use crate::state::AppState;
use crate::tokens::TokenError;
use crate::web::csrf::{Csrf, CsrfRejected};

crate::csrf_protected!(CsrfForm, EnrolForm, ContinueForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/account/passkeys/options").route(web::post().to(enrol_options)))
        .service(super::resource("/account/passkeys").route(web::post().to(submit_enrolment)))
        .service(super::resource("/login/continue").route(web::post().to(continue_sign_in)));
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
struct ContinueForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
}

/// The page suggesting a passkey after a sign-in; the session is already started, the request still pending.
pub(super) fn suggestion(flow: &SignIn, amr: &[String]) -> HttpResponse {
    let instead = match amr.iter().any(|m| m == "pwd") {
        true => "password",
        false => "code",
    };
    let page = flow.form(|csrf, _| {
        PasskeySuggestPage {
            public_url: flow.public_url(),
            csrf,
            request_id: &flow.pending.id,
            instead,
            options: &flow.url("/account/passkeys/options"),
            finish: &flow.url("/account/passkeys"),
            continue_action: &flow.url("/login/continue"),
        }
        .render()
    });
    page.render()
}

async fn enrol_options(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    form: Result<Csrf<CsrfForm>, CsrfRejected<CsrfForm>>,
) -> Result<HttpResponse, OAuthError> {
    form.map_err(forged)?;
    let session = live_session(&req, &app, &p)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| options_error(StatusCode::UNAUTHORIZED, texts::SIGNED_OUT))?;
    let subject = Subject::Enrol {
        workspace: p.workspace.clone(),
        user: session.user.id.clone(),
    };
    options_response(enrol::begin(&app, &p.tenant, Holder::of(&session.user), subject).await)
}

async fn submit_enrolment(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    Csrf(f): Csrf<EnrolForm>,
) -> Result<HttpResponse, PageError> {
    let Op(p) = &op;
    let session = live_session(&req, &app, p)
        .await?
        .ok_or(PageError::NotSignedIn)?;
    let (workspace, user) = (p.workspace.clone(), session.user.id.clone());
    let expected = Subject::Enrol {
        workspace,
        user: user.clone(),
    };
    let stored = async {
        let finished = enrol::finish(&app, &p.tenant, &f.ceremony, &f.credential, move |s| {
            *s == expected
        });
        let (_, new) = finished.await?;
        let (name, now) = (f.name.clone(), app.clock.now());
        app.db
            .transaction(move |c| enrol::store(c, &user, &new, &name, now))
            .await
    };
    match stored.await {
        Ok(_) if f.request.is_empty() => Ok(see_other(&format!("{}/account?added=1", p.issuer))),
        Ok(_) => resume(&req, op, &f.request).await,
        Err(e) => Err(not_added(&p.issuer, &f.request, e)),
    }
}

/// Why a passkey was not added, with the way back: to the sign-in it was suggested in, or the account page.
fn not_added(issuer: &str, request: &str, e: PasskeyError) -> PageError {
    let Some((message, status)) = refusal(&e) else {
        return e.into();
    };
    let back = match request {
        "" => format!("{issuer}/account"),
        request => format!("{issuer}/login?request={request}"),
    };
    let status = match status {
        StatusCode::OK => StatusCode::BAD_REQUEST,
        status => status,
    };
    PageError::PasskeyNotAdded {
        message,
        status,
        back,
    }
}

async fn continue_sign_in(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<ContinueForm>,
) -> Result<HttpResponse, PageError> {
    resume(&req, op, &f.request).await
}

/// Finishes a pending authorization request for the browser's live session.
async fn resume(req: &HttpRequest, op: Op, request: &str) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(req, op, request).await?;
    let (app, p) = (&flow.app, &flow.op);
    let Some(session) = live_session(req, app, p).await? else {
        return Ok(see_other(&flow.back()));
    };
    let id = flow.pending.id.clone();
    let consumed = app.db.run(move |c| pending::consume(c, &id)).await;
    consumed.map_err(TokenError::from)?;
    let (user, auth_time) = (&session.user.id, session.row.auth_time);
    Ok(complete(
        app,
        p,
        &flow.pending.request,
        user,
        auth_time,
        session.amr(),
        session.row.sid.clone(),
    )
    .await?)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}
