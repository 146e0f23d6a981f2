//! The "Create your passkey" page of a self-registration without a password: `/register/passkey/options` begins
//! the ceremony (JSON, for `static/js/passkey.js`), `/register/passkey` creates the user with the passkey and signs
//! them in, `/register/passkey/skip` creates the user without one where the pool also signs in with codes. Each
//! needs the registration and the authorization request of the browser that entered the code.

use actix_web::http::StatusCode;
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::flow::{FormPage, FormView, Pending, SignIn};
use super::passkey::{forged, options_error, options_response, refusal, unavailable};
use super::texts;
use super::views::{PasskeyUrls, RegisterPasskeyPage};
use crate::authn::registration::RegistrationError;
use crate::authn::registration::passkey::{self as register, Target, Waiting};
use crate::oidc::Op;
use crate::oidc::error::OAuthError;
use crate::state::AppState;
use crate::tokens::Provider;
use crate::web::csrf::{self, Csrf, CsrfRejected};

crate::csrf_protected!(PasskeyForm);

pub fn configure(cfg: &mut web::ServiceConfig) {
    let options = web::post().to(register_passkey_options);
    cfg.service(super::resource("/register/passkey/options").route(options))
        .service(
            super::resource("/register/passkey").route(web::post().to(submit_register_passkey)),
        )
        .service(
            super::resource("/register/passkey/skip").route(web::post().to(skip_register_passkey)),
        );
}

#[derive(Debug, Deserialize)]
struct PasskeyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

impl PasskeyForm {
    /// The registration this form continues, for `browser` ([`csrf::browser`]).
    fn target<'a>(&'a self, p: &'a Provider, browser: &'a str) -> Target<'a> {
        Target {
            tenant: &p.tenant,
            workspace: &p.workspace,
            request: &self.request,
            registration: &self.registration,
            browser,
        }
    }
}

async fn register_passkey_options(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    form: Result<Csrf<PasskeyForm>, CsrfRejected<PasskeyForm>>,
) -> Result<HttpResponse, OAuthError> {
    let Csrf(f) = form.map_err(forged)?;
    let expired = || options_error(StatusCode::BAD_REQUEST, texts::REGISTRATION_EXPIRED);
    Pending::find(&app, &p, &f.request)
        .await
        .map_err(unavailable)?
        .ok_or_else(expired)?;
    let browser = csrf::browser(&req);
    match register::begin(&app, &f.target(&p, &browser)).await {
        Ok(o) => options_response(Ok(o)),
        Err(RegistrationError::Expired) => Err(expired()),
        Err(RegistrationError::NotAllowed) => Err(options_error(
            StatusCode::BAD_REQUEST,
            texts::PASSKEYS_NOT_OFFERED_FOR_ACCOUNT,
        )),
        Err(RegistrationError::Passkey(e)) => options_response(Err(e)),
        Err(e) => Err(unavailable(e)),
    }
}

/// The sign-in and the waiting registration a form names, or the page to answer with instead.
async fn load(req: &HttpRequest, op: Op, f: &PasskeyForm) -> Result<(SignIn, Waiting), PageError> {
    let flow = SignIn::load(req, op, &f.request).await?;
    let browser = csrf::browser(req);
    let waiting = register::waiting(&flow.app, &f.target(&flow.op, &browser)).await?;
    Ok((flow, waiting.ok_or(PageError::RegistrationExpired)?))
}

async fn submit_register_passkey(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<PasskeyForm>,
) -> Result<HttpResponse, PageError> {
    let (flow, waiting) = load(&req, op, &f).await?;
    let browser = csrf::browser(&req);
    let target = f.target(&flow.op, &browser);
    let refused = match register::finish(&flow.app, &target, &f.ceremony, &f.credential).await {
        Ok(done) => return flow.signed_in(&done.user.id, done.amr).await,
        Err(RegistrationError::Passkey(e)) => match refusal(&e) {
            Some(refused) => refused,
            None => return Err(e.into()),
        },
        Err(e) => refused(e)?,
    };
    Ok(again(&flow, &waiting, refused))
}

async fn skip_register_passkey(
    req: HttpRequest,
    op: Op,
    Csrf(f): Csrf<PasskeyForm>,
) -> Result<HttpResponse, PageError> {
    let (mut flow, waiting) = load(&req, op, &f).await?;
    let browser = csrf::browser(&req);
    match register::skip(&flow.app, &f.target(&flow.op, &browser)).await {
        Ok(user) => {
            // The user has just declined a passkey: no suggestion to add one before returning to the client.
            // The code proved the identifier; that is how this user signs in.
            flow.pending.offers_passkey = false;
            flow.signed_in(&user.id, vec!["otp".into()]).await
        }
        Err(e) => Ok(again(&flow, &waiting, refused(e)?)),
    }
}

/// What to tell the user when a registration could not be finished (other than a passkey refusal).
fn refused(e: RegistrationError) -> Result<(&'static str, StatusCode), PageError> {
    match e {
        RegistrationError::Exists => Ok((texts::ACCOUNT_EXISTS, StatusCode::OK)),
        RegistrationError::NotAllowed => {
            Ok((texts::PASSKEY_REQUIRED_TO_FINISH, StatusCode::BAD_REQUEST))
        }
        e => Err(e.into()),
    }
}

fn again(
    flow: &SignIn,
    waiting: &Waiting,
    (message, status): (&'static str, StatusCode),
) -> HttpResponse {
    page(flow, waiting).error(message).status(status).render()
}

/// The "Create your passkey" page of a registration whose code was entered. Finishing (or skipping) redirects
/// to the client, which the flow's pages allow their forms.
pub(super) fn page<'a>(flow: &'a SignIn, waiting: &'a Waiting) -> FormPage<'a, impl FormView + 'a> {
    flow.form(move |csrf, error| {
        RegisterPasskeyPage {
            public_url: flow.public_url(),
            csrf,
            request_id: &flow.pending.id,
            registration: &waiting.registration,
            client_name: &flow.pending.client_name,
            identifier: &waiting.identifier,
            passkey: PasskeyUrls {
                options: flow.url("/register/passkey/options"),
                finish: flow.url("/register/passkey"),
            },
            skip: waiting.can_skip.then(|| flow.url("/register/passkey/skip")),
            error,
        }
        .render()
    })
}
