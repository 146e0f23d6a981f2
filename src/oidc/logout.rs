//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the SSO session and returns to a
//! registered `post_logout_redirect_uri`. Only a valid `id_token_hint` proves the request comes from the user's
//! application; with only a `client_id` (public, so it proves nothing) or neither, the user is asked first, and
//! the confirmed POST (its CSRF token matched) ends the session and returns the same way.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::Op;
use super::views::LogoutConfirmPage;
use crate::authn::session;
use crate::state::AppState;
use crate::tokens::client_auth::find_client;
use crate::tokens::{Provider, TokenError, hint};
use crate::web::csrf::{self, Csrf, CsrfRejected};
use crate::web::html;
use crate::web::methods;
use crate::web::sso::SsoCookie;

crate::csrf_protected!(LogoutParams);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/oauth2/logout")
            .route(methods::get().to(logout_get))
            .route(web::post().to(logout_post)),
    );
}

#[derive(Debug, Default, Deserialize)]
struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    confirm: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

async fn logout_get(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    q: Query<LogoutParams>,
) -> HttpResponse {
    logout(req, app, op, q.into_inner(), false).await
}

/// A POST may be the confirmation page's form: only one whose CSRF token matches confirms the sign-out.
async fn logout_post(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    form: Result<Csrf<LogoutParams>, CsrfRejected<LogoutParams>>,
) -> HttpResponse {
    match form {
        Ok(Csrf(params)) => logout(req, app, op, params, true).await,
        Err(CsrfRejected(Some(params))) => logout(req, app, op, params, false).await,
        Err(CsrfRejected(None)) => invalid(&app, "The sign-out request could not be read."),
    }
}

async fn logout(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    params: LogoutParams,
    csrf_matched: bool,
) -> HttpResponse {
    let public_url = app.config.public_url();
    // Should the reload fail, the cached keys still decide, as they would without it.
    let keys = match &params.id_token_hint {
        Some(h) => app
            .providers
            .knowing_key_of(&app, p.clone(), h)
            .await
            .unwrap_or(p.clone()),
        None => p.clone(),
    };
    let hinted = match params
        .id_token_hint
        .as_deref()
        .map(|h| hint::verify(&keys, h))
    {
        None => None,
        Some(Ok(hint)) => Some(hint),
        Some(Err(_)) => {
            return invalid(
                &app,
                "The id_token_hint is not a valid ID token from this provider.",
            );
        }
    };
    let hinted_client = hinted
        .as_ref()
        .and_then(|h| h.client_id().map(str::to_owned));
    let client_id = match (hinted_client, params.client_id.clone()) {
        (Some(h), Some(c)) if h != c => {
            return invalid(&app, "client_id does not match the id_token_hint.");
        }
        (h, c) => h.or(c),
    };
    let target = match &client_id {
        Some(id) => match find_client(&app, &p, id).await {
            Ok(Some(client)) => params
                .post_logout_redirect_uri
                .clone()
                .filter(|uri| client.metadata.post_logout_redirect_uris.contains(uri)),
            Ok(None) => {
                return invalid(&app, "The application (client_id) is not registered here.");
            }
            Err(e) => return html::failure_of_kind(public_url, e.kind(), &e),
        },
        None => None,
    };
    let confirmed = hinted.is_some() || (csrf_matched && params.confirm.as_deref() == Some("yes"));
    if !confirmed {
        return confirmation(&req, &app, &p, &params, client_id.as_deref());
    }
    if let Err(e) = end_session(&req, &app).await {
        return html::failure_of_kind(public_url, e.kind(), &e);
    }
    let mut res = match target.and_then(|uri| url::Url::parse(&uri).ok()) {
        Some(mut url) => {
            if let Some(state) = &params.state {
                url.query_pairs_mut().append_pair("state", state);
            }
            HttpResponse::Found()
                .insert_header((LOCATION, url.as_str()))
                .finish()
        }
        None => logged_out(&app),
    };
    SsoCookie::clear(&mut res, &p.issuer, public_url);
    res
}

/// "Sign out?": the request could come from anyone, so the user confirms; the form carries what the request
/// asked for (client, where to return, state), checked again when it comes back.
fn confirmation(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    params: &LogoutParams,
    client_id: Option<&str>,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (token, set_cookie) = csrf::token(req);
    let action = format!("{}/oauth2/logout", p.issuer);
    let page = LogoutConfirmPage {
        public_url,
        action: &action,
        csrf: &token,
        client_id,
        post_logout_redirect_uri: params.post_logout_redirect_uri.as_deref(),
        state: params.state.as_deref(),
    };
    let res = html::render_form(StatusCode::OK, &page, set_cookie);
    // The confirmed form is answered with a redirect to the client's registered URI.
    match params.post_logout_redirect_uri.as_deref() {
        Some(uri) => html::allow_form_redirect(res, uri),
        None => res,
    }
}

async fn end_session(req: &HttpRequest, app: &AppState) -> Result<(), TokenError> {
    let Some(cookie) = SsoCookie::read(req) else {
        return Ok(());
    };
    let (now, origin) = (app.clock.now(), crate::web::audit_origin::of(req));
    app.db
        .transaction(move |c| session::end(c, &origin, &cookie, now).map_err(TokenError::from))
        .await?;
    // Ending the session queued logout tokens for the clients that took part in it.
    app.notifier.wake();
    Ok(())
}

fn invalid(app: &AppState, message: &str) -> HttpResponse {
    let public_url = app.config.public_url();
    html::message(
        public_url,
        StatusCode::BAD_REQUEST,
        "Sign-out error",
        message,
    )
}

fn logged_out(app: &AppState) -> HttpResponse {
    html::message(
        app.config.public_url(),
        StatusCode::OK,
        "You are signed out",
        "You can close this window.",
    )
}
