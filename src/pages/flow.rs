//! The sign-in flow's shared core: [`Pending`] (the stored authorization request and what the workspace offers),
//! [`SignIn`] (a request in progress, and how to answer this browser), the pages every step can show, and
//! [`SignIn::signed_in`], "the user proved who they are: now continue", which hands over to
//! [`oidc::authorize::complete`](crate::oidc::authorize::complete).

use std::borrow::Cow;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::error::PageError;
use super::views::{CodePage, LoginPage};
use crate::authn::code::{self, Attempt, CodeError};
use crate::authn::login;
use crate::authn::{pending, session};
use crate::metrics::labels::{Outcome, SignInMethod};
use crate::oidc::Op;
use crate::oidc::authorize::{code_to_client, complete, grant_at_once};
use crate::state::AppState;
use crate::tokens::authorization::{SignedIn, ValidRequest};
use crate::tokens::client_auth::find_client;
use crate::tokens::grant;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf;
use crate::web::html;
use crate::web::sso::SsoCookie;

/// A stored, unexpired authorization request, with what the workspace's sign-in page offers for it.
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

impl Pending {
    /// The unexpired authorization request of this workspace with this id.
    pub async fn find(
        app: &AppState,
        p: &Provider,
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
                let offered = login::offered(c, &t, &w)?;
                Ok::<_, TokenError>(Some((id, request, offered)))
            })
            .await?;
        let Some((id, request, offered)) = found else {
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
            offers_password: offered.password,
            offers_otp: offered.otp,
            offers_passkey: offered.passkey && app.passkeys.is_some(),
            offers_registration: offered.registration,
        }))
    }
}

/// A sign-in in progress: the workspace, its pending request, and the browser's request to answer.
pub(super) struct SignIn {
    pub app: Data<AppState>,
    pub op: Arc<Provider>,
    pub pending: Pending,
    req: HttpRequest,
}

impl SignIn {
    /// The sign-in that `request_id` names at this workspace; [`PageError::RequestExpired`] when there is none.
    pub async fn load(
        req: &HttpRequest,
        Op(op): Op,
        request_id: &str,
    ) -> Result<SignIn, PageError> {
        let app = req
            .app_data::<Data<AppState>>()
            .cloned()
            .ok_or_else(|| PageError::internal(anyhow::anyhow!("application state missing")))?;
        let pending = Pending::find(&app, &op, request_id)
            .await?
            .ok_or(PageError::RequestExpired)?;
        Ok(SignIn {
            app,
            op,
            pending,
            req: req.clone(),
        })
    }

    pub fn public_url(&self) -> &str {
        self.app.config.public_url()
    }

    /// A URL of this workspace: the issuer followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.op.issuer)
    }

    /// The sign-in page of this request, where every other step leads back to.
    pub fn back(&self) -> String {
        self.url(&format!("/login?request={}", self.pending.id))
    }

    /// A page of this sign-in: `view` renders it from the CSRF token and the error to show.
    pub fn form<F>(&self, view: F) -> FormPage<'_, F>
    where
        F: FnOnce(&str, Option<&str>) -> askama::Result<String>,
    {
        FormPage {
            flow: self,
            view,
            error: None,
            status: StatusCode::OK,
        }
    }

    /// The sign-in page, with `identifier` filled in (the request's `login_hint` when empty).
    pub fn login_form<'a>(&'a self, identifier: &'a str) -> FormPage<'a, impl FormView + 'a> {
        let p = &self.pending;
        let identifier = match identifier {
            "" => p.request.login_hint.as_deref().unwrap_or_default(),
            typed => typed,
        };
        self.form(move |csrf, error| {
            LoginPage {
                public_url: self.public_url(),
                action: &self.url("/login"),
                csrf,
                request_id: &p.id,
                client_name: &p.client_name,
                identifier,
                error,
                offers_password: p.offers_password,
                offers_otp: p.offers_otp,
                offers_passkey: p.offers_passkey,
                passkey_options: &self.url("/login/passkey/options"),
                passkey_finish: &self.url("/login/passkey"),
                reset: &self.url(&format!("/password-reset?request={}", p.id)),
                register: p
                    .offers_registration
                    .then(|| self.url(&format!("/register?request={}", p.id))),
            }
            .render()
        })
    }

    /// The page asking for the code of `challenge`, posting to `path` (sign-in or registration).
    pub fn code_page<'a>(
        &'a self,
        path: &'a str,
        challenge: &'a str,
        identifier: &'a str,
    ) -> FormPage<'a, impl FormView + 'a> {
        self.form(move |csrf, error| {
            CodePage {
                public_url: self.public_url(),
                action: &self.url(path),
                back: &self.back(),
                csrf,
                request_id: &self.pending.id,
                challenge,
                identifier,
                error,
            }
            .render()
        })
    }

    /// Checks the code the user typed for a sign-in `challenge` of this workspace; the id of the user it proves.
    pub async fn verify_code(
        &self,
        origin: crate::audit::Origin,
        challenge: &str,
        code: &str,
    ) -> Result<String, CodeError> {
        let p = &self.op;
        let (t, w, now) = (p.tenant.clone(), p.workspace.clone(), self.app.clock.now());
        let (challenge, typed) = (challenge.to_owned(), code.to_owned());
        let verified = self.app.db.run(move |c| {
            let attempt = Attempt {
                tenant: &t,
                workspace: &w,
                challenge: &challenge,
                code: &typed,
            };
            code::verify_sign_in(c, &attempt, &origin, now).map(|user| user.id)
        });
        let verified = verified.await;
        let outcome = match &verified {
            Ok(_) => Some(Outcome::Success),
            Err(CodeError::Store(_)) => None,
            Err(_) => Some(Outcome::Failure),
        };
        if let Some(outcome) = outcome {
            self.app.metrics.sign_in(SignInMethod::Code, outcome);
        }
        verified
    }

    /// The user proved who they are by the `amr` methods: start the session, consume the pending request, and
    /// send the authorization code to the client. A user of a pool preferring passkeys who has none yet is first
    /// offered to add one; the request then stays pending until they do or decline (`enrolment`).
    pub async fn signed_in(&self, user: &str, amr: Vec<String>) -> Result<HttpResponse, PageError> {
        self.signed_in_with(user, amr, None).await
    }

    /// [`signed_in`](Self::signed_in), writing a password's success (`proof`) in the same transaction. Where no
    /// consent is needed the code is issued in it too: the session, the consumed request and the code commit once.
    pub async fn signed_in_with(
        &self,
        user: &str,
        amr: Vec<String>,
        proof: Option<login::PasswordSuccess>,
    ) -> Result<HttpResponse, PageError> {
        let p = &self.op;
        let now = self.app.clock.now();
        let who = SignedIn {
            user: user.to_owned(),
            auth_time: now,
            amr: amr.clone(),
            sid: None,
        };
        let at_once = grant_at_once(&self.app, p, &self.pending.request, who).await?;
        let (t, w, u, id, ttl) = (
            p.tenant.clone(),
            p.workspace.clone(),
            user.to_owned(),
            self.pending.id.clone(),
            p.lifetimes.session,
        );
        let (session_amr, may_suggest, provider) =
            (amr.clone(), self.pending.offers_passkey, p.clone());
        let (started, suggest, code) = self
            .app
            .db
            .transaction(move |c| {
                if let Some(proof) = proof {
                    proof.record(c, now)?;
                }
                let new = session::NewSession {
                    tenant: &t,
                    workspace: &w,
                    user: &u,
                    amr: &session_amr,
                    ttl,
                };
                let (started, suggest) =
                    session::start_for_request(c, &new, &id, may_suggest, now)?;
                let code = match at_once {
                    Some(mut g) if !suggest => {
                        g.sid = Some(started.sid.clone());
                        Some(grant::issue_code(c, &provider, g, now)?)
                    }
                    _ => None,
                };
                Ok::<_, TokenError>((started, suggest, code))
            })
            .await?;
        let valid = &self.pending.request;
        let mut res = match (suggest, code) {
            (true, _) => super::enrolment::suggestion(self, &amr),
            (false, Some(code)) => code_to_client(&self.app, p, valid, code),
            (false, None) => {
                let sid = Some(started.sid);
                complete(&self.app, p, valid, user, now, amr, sid).await?
            }
        };
        SsoCookie::set(&mut res, &p.issuer, started.cookie, self.public_url());
        Ok(res)
    }
}

/// How a sign-in page renders itself from the CSRF token and the error to show.
pub(super) trait FormView: FnOnce(&str, Option<&str>) -> askama::Result<String> {}
impl<F: FnOnce(&str, Option<&str>) -> askama::Result<String>> FormView for F {}

/// A page of the sign-in flow about to be sent: how it renders, the error it shows, its status.
pub(super) struct FormPage<'a, F> {
    flow: &'a SignIn,
    view: F,
    error: Option<Cow<'static, str>>,
    status: StatusCode,
}

impl<'a, F: FormView> FormPage<'a, F> {
    /// Shows `message` in the page's alert.
    pub fn error(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.error = Some(message.into());
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The response: the page, the CSRF cookie when the browser had none, and a CSP that lets its forms lead
    /// back to the client (finishing a sign-in redirects there).
    pub fn render(self) -> HttpResponse {
        let flow = self.flow;
        let (csrf, cookie) = csrf::token(&flow.req);
        let html = (self.view)(&csrf, self.error.as_deref());
        let res = html::with_cookie(html::rendered(self.status, html), cookie);
        html::allow_form_redirect(res, &flow.pending.request.redirect_uri)
    }
}
