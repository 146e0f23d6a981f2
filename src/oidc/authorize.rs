//! The authorization endpoint (GET and POST): validates the request, reuses a live SSO session when allowed,
//! and otherwise hands over to the hosted sign-in page with the request stored server-side. The hosted pages
//! hand back through [`complete`] once the user has signed in; that is the one way in from `pages` (and, from the
//! consent page, [`consent_given`] and [`consent_denied`]).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Form, Query};
use actix_web::{HttpRequest, HttpResponse};

use super::{Op, respond};
use crate::authn::{login, pending, session};
use crate::error::ErrorKind;
use crate::identity::consent::{self, Asked};
use crate::state::AppState;
use crate::tokens::authorization::{self, AuthorizeParams, Refusal, SignedIn, ValidRequest};
use crate::tokens::client_auth::{RegisteredClient, find_client};
use crate::tokens::grant::{self, NewGrant};
use crate::tokens::{Provider, TokenError, hint};
use crate::tokens::{pushed, request_object};
use crate::web::html;
use crate::web::methods;
use crate::web::sso::SsoCookie;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/oauth2/authorize")
            .route(methods::get().to(authorize_get))
            .route(web::post().to(authorize_post)),
    );
}

async fn authorize_get(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    q: Query<AuthorizeParams>,
) -> HttpResponse {
    authorize(req, app, op, q.into_inner()).await
}

async fn authorize_post(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    f: Form<AuthorizeParams>,
) -> HttpResponse {
    authorize(req, app, op, f.into_inner()).await
}

async fn authorize(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    params: AuthorizeParams,
) -> HttpResponse {
    match try_authorize(&req, &app, &p, params).await {
        Ok(res) => res,
        Err(e) => html::failure_of_kind(app.config.public_url(), e.kind(), &e),
    }
}

async fn try_authorize(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    params: AuthorizeParams,
) -> Result<HttpResponse, TokenError> {
    let public_url = app.config.public_url();
    let client = match &params.client_id {
        Some(id) => find_client(app, p, id).await?,
        None => None,
    };
    let client = client.as_deref();
    let (params, pushed) = match resolve(app, p, client, &params).await {
        Ok(resolved) => resolved,
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let why = e.to_string();
            let refusal = authorization::refusal(&params, client, e.code(), &why);
            return Ok(refused(app, p, refusal));
        }
        Err(e) => return Err(e),
    };
    let valid = authorization::validate(&params, client).and_then(|valid| {
        let client = client.ok_or_else(|| Refusal::Page("unknown client".into()))?;
        let required = p.require_pushed_authorization_requests;
        authorization::check_pushed(&valid, client, required, pushed).map(|()| valid)
    });
    let valid = match valid {
        Ok(valid) => valid,
        Err(refusal) => return Ok(refused(app, p, refusal)),
    };
    // OIDC Core §3.1.2.1: the hint names the user the client expects; a session of anyone else does not count.
    let keys = match &params.id_token_hint {
        Some(h) => app.providers.knowing_key_of(app, p.clone(), h).await?,
        None => p.clone(),
    };
    let hinted_user = match params
        .id_token_hint
        .as_deref()
        .map(|h| hint::verify(&keys, h))
    {
        None => None,
        Some(Ok(hint)) => Some(hint.sub),
        Some(Err(_)) => {
            let description = "id_token_hint is not a valid ID token from this provider";
            let state = valid.state.as_deref();
            let (uri, mode) = (&valid.redirect_uri, valid.response_mode);
            return Ok(respond::error(
                p,
                public_url,
                uri,
                mode,
                "invalid_request",
                description,
                state,
            ));
        }
    };
    let now = app.clock.now();
    let session = live_session(req, app, p)
        .await?
        .filter(|s| hinted_user.as_ref().is_none_or(|sub| *sub == s.user.id));
    if let Some(s) = session {
        // max_age=0 is prompt=login (OIDC Core §3.1.2.1), even within the second of the sign-in.
        let fresh = valid
            .max_age
            .is_none_or(|max| max > 0 && now - s.row.auth_time <= max);
        // prompt=create asks for a new account, so the current one does not answer it.
        if !valid.prompt_login && !valid.prompt_create && fresh {
            let sid = s.row.sid.clone();
            return complete(app, p, &valid, &s.user.id, s.row.auth_time, s.amr(), sid).await;
        }
    }
    if valid.prompt_none {
        let (uri, mode, state) = (
            &valid.redirect_uri,
            valid.response_mode,
            valid.state.as_deref(),
        );
        return Ok(respond::error(
            p,
            public_url,
            uri,
            mode,
            "login_required",
            "the user must sign in",
            state,
        ));
    }
    let (id, page) = store_request(app, p, &valid, now).await?;
    let first = format!("{}/{page}?request={id}", p.issuer);
    Ok(HttpResponse::Found()
        .insert_header((LOCATION, first))
        .finish())
}

/// The parameters the request stands for, and whether they were pushed: those pushed before under its PAR
/// `request_uri` (RFC 9126 §4: the query's other parameters but `client_id` are ignored), those of its request
/// object (RFC 9101 §6.3), or the query's own. Any other `request_uri` is left to `validate` to refuse.
async fn resolve(
    app: &AppState,
    p: &Arc<Provider>,
    client: Option<&RegisteredClient>,
    query: &AuthorizeParams,
) -> Result<(AuthorizeParams, bool), TokenError> {
    let Some(client) = client else {
        return Ok((query.clone(), false));
    };
    if let Some(uri) = query.request_uri.as_deref() {
        if !pushed::is_pushed(uri) {
            return Ok((query.clone(), false));
        }
        let (provider, id, uri, now) = (
            p.clone(),
            client.row.id.clone(),
            uri.to_owned(),
            app.clock.now(),
        );
        let params = app
            .db
            .run(move |c| pushed::take(c, &provider, &id, &uri, now))
            .await?;
        return Ok((params, true));
    }
    match query.request.as_deref() {
        Some(object) => Ok((request_object::unpack(app, p, client, object).await?, false)),
        None => Ok((query.clone(), false)),
    }
}

/// A refused request: a page, or an error sent to the client's verified redirect URI.
fn refused(app: &AppState, p: &Provider, refusal: Refusal) -> HttpResponse {
    let public_url = app.config.public_url();
    match refusal {
        Refusal::Page(message) => html::message(
            public_url,
            StatusCode::BAD_REQUEST,
            "Sign-in error",
            &message,
        ),
        Refusal::Redirect {
            redirect_uri,
            response_mode,
            error,
            description,
            state,
        } => respond::error(
            p,
            public_url,
            &redirect_uri,
            response_mode,
            error,
            &description,
            state.as_deref(),
        ),
    }
}

/// Stores the request for the hosted pages; its id and the page it starts on: the registration page for
/// `prompt=create` where a connected pool allows self-registration, the sign-in page otherwise.
async fn store_request(
    app: &AppState,
    p: &Provider,
    valid: &ValidRequest,
    now: i64,
) -> Result<(String, &'static str), TokenError> {
    let (t, w, valid) = (p.tenant.clone(), p.workspace.clone(), valid.clone());
    app.db
        .run(move |c| {
            let id = pending::save(c, &t, &w, &valid, now)?;
            let register = valid.prompt_create && login::offered(c, &t, &w)?.registration;
            Ok::<_, TokenError>((id, if register { "register" } else { "login" }))
        })
        .await
}

/// The browser's live SSO session at this workspace, if its user may still sign in here.
pub(crate) async fn live_session(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
) -> Result<Option<session::Session>, TokenError> {
    let Some(cookie) = SsoCookie::read(req) else {
        return Ok(None);
    };
    let (t, w, now) = (p.tenant.clone(), p.workspace.clone(), app.clock.now());
    Ok(app
        .db
        .run(move |c| session::find_live(c, &t, &w, &cookie, now))
        .await?)
}

/// The device page's approval step for the device request `device` (RFC 8628), where a sign-in started there
/// continues.
pub(crate) fn device_approval(p: &Provider, device: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("device", device)
        .finish();
    format!("{}{}/approve?{query}", p.issuer, super::device::USER_PAGE)
}

/// Issues the code for a signed-in user and sends it to the client: the single hand-off from the hosted pages
/// back to the protocol, once a user proved who they are (or already had a session). A sign-in for a device
/// request goes on to that request's approval step instead (its session is what approves). Where consent is
/// needed (OIDC Core §3.1.2.4) the request is kept, bound to this sign-in, and the user goes to the consent page;
/// under `prompt=none` the client gets `consent_required`.
pub(crate) async fn complete(
    app: &AppState,
    p: &Arc<Provider>,
    valid: &ValidRequest,
    user: &str,
    auth_time: i64,
    amr: Vec<String>,
    sid: Option<String>,
) -> Result<HttpResponse, TokenError> {
    if let Some(device) = &valid.device {
        return Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, device_approval(p, device)))
            .finish());
    }
    let who = SignedIn {
        user: user.to_owned(),
        auth_time,
        amr,
        sid,
    };
    if !needs_consent(app, p, valid, user).await? {
        let new = new_grant(valid, who);
        let (provider, now) = (p.clone(), app.clock.now());
        let code = app
            .db
            .run(move |c| grant::issue_code(c, &provider, new, now))
            .await?;
        return Ok(code_to_client(app, p, valid, code));
    }
    if valid.prompt_none {
        let description = "the user must consent to this application";
        return Ok(error_to_client(
            app,
            p,
            valid,
            "consent_required",
            description,
        ));
    }
    let mut waiting = valid.clone();
    waiting.awaiting_consent = Some(who);
    let (t, w, now) = (p.tenant.clone(), p.workspace.clone(), app.clock.now());
    let id = app
        .db
        .run(move |c| pending::save(c, &t, &w, &waiting, now))
        .await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("request", &id)
        .finish();
    Ok(HttpResponse::Found()
        .insert_header((LOCATION, format!("{}{CONSENT_PAGE}?{query}", p.issuer)))
        .finish())
}

/// The grant to issue a code for at once, in the transaction that starts the sign-in's session (so the common
/// sign-in commits once): `None` when [`complete`] must decide instead (a device request, or consent needed).
/// The grant's `sid` is the caller's to fill in with the session's.
pub(crate) async fn grant_at_once(
    app: &AppState,
    p: &Provider,
    valid: &ValidRequest,
    who: SignedIn,
) -> Result<Option<NewGrant>, TokenError> {
    if valid.device.is_some() || needs_consent(app, p, valid, &who.user).await? {
        return Ok(None);
    }
    Ok(Some(new_grant(valid, who)))
}

/// The consent page, under the issuer.
pub(crate) const CONSENT_PAGE: &str = "/consent";

/// Whether the user must be asked: `prompt=consent`, or a client that requires consent and no earlier consent
/// covering every scope asked for.
async fn needs_consent(
    app: &AppState,
    p: &Provider,
    valid: &ValidRequest,
    user: &str,
) -> Result<bool, TokenError> {
    if valid.prompt_consent {
        return Ok(true);
    }
    let requires = find_client(app, p, &valid.client_id)
        .await?
        .is_some_and(|c| c.metadata.require_consent);
    if !requires {
        return Ok(false);
    }
    let (t, w, u, client, scope) = (
        p.tenant.clone(),
        p.workspace.clone(),
        user.to_owned(),
        valid.client_id.clone(),
        valid.scope.clone(),
    );
    let covered = app.db.run(move |c| {
        let asked = Asked {
            tenant: &t,
            workspace: &w,
            user: &u,
            client: &client,
            scope: &scope,
        };
        consent::covers(c, &asked)
    });
    Ok(!covered.await?)
}

/// The consent page's **Allow** for the pending request `id` (waiting on `valid.awaiting_consent`'s sign-in): the
/// consent is stored, the request consumed and the code issued in one transaction, then sent as [`complete`]
/// sends it. `None` when the request was decided already.
pub(crate) async fn consent_given(
    app: &AppState,
    p: &Arc<Provider>,
    id: &str,
    valid: &ValidRequest,
) -> Result<Option<HttpResponse>, TokenError> {
    let Some(who) = valid.awaiting_consent.clone() else {
        return Ok(None);
    };
    let (provider, id, now) = (p.clone(), id.to_owned(), app.clock.now());
    let (client, scope) = (valid.client_id.clone(), valid.scope.clone());
    let new = new_grant(valid, who);
    let code = app.db.transaction(move |c| {
        if !pending::take(c, &id)? {
            return Ok(None);
        }
        let asked = Asked {
            tenant: &provider.tenant,
            workspace: &provider.workspace,
            user: &new.user_id,
            client: &client,
            scope: &scope,
        };
        consent::record(c, &asked, now)?;
        grant::issue_code(c, &provider, new, now).map(Some)
    });
    Ok(code.await?.map(|code| code_to_client(app, p, valid, code)))
}

/// The consent page's **Deny**: the request is consumed and the client gets `access_denied`. `None` when the
/// request was decided already.
pub(crate) async fn consent_denied(
    app: &AppState,
    p: &Provider,
    id: &str,
    valid: &ValidRequest,
) -> Result<Option<HttpResponse>, TokenError> {
    let id = id.to_owned();
    if !app.db.run(move |c| pending::take(c, &id)).await? {
        return Ok(None);
    }
    let description = "the user denied access";
    Ok(Some(error_to_client(
        app,
        p,
        valid,
        "access_denied",
        description,
    )))
}

/// What the code is issued for.
fn new_grant(valid: &ValidRequest, who: SignedIn) -> NewGrant {
    NewGrant {
        client_id: valid.client_id.clone(),
        user_id: who.user,
        scope: valid.scope.clone(),
        auth_time: who.auth_time,
        amr: who.amr,
        nonce: valid.nonce.clone(),
        redirect_uri: valid.redirect_uri.clone(),
        code_challenge: valid.code_challenge.clone(),
        sid: who.sid,
        dpop_jkt: valid.dpop_jkt.clone(),
        claims: valid.claims.clone(),
    }
}

/// Sends a freshly issued `code` to the client of `valid`.
pub(crate) fn code_to_client(
    app: &AppState,
    p: &Provider,
    valid: &ValidRequest,
    code: String,
) -> HttpResponse {
    respond::to_client(
        p,
        app.config.public_url(),
        &valid.redirect_uri,
        valid.response_mode,
        vec![("code", code)],
        valid.state.as_deref(),
    )
}

fn error_to_client(
    app: &AppState,
    p: &Provider,
    valid: &ValidRequest,
    error: &'static str,
    description: &str,
) -> HttpResponse {
    respond::error(
        p,
        app.config.public_url(),
        &valid.redirect_uri,
        valid.response_mode,
        error,
        description,
        valid.state.as_deref(),
    )
}
