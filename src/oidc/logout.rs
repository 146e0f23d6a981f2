//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the SSO session and returns to a
//! registered `post_logout_redirect_uri`; without a hint or client, it asks the user first.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::Op;
use super::views::LogoutConfirmPage;
use crate::authn::session;
use crate::state::AppState;
use crate::tokens::client_auth::find_client;
use crate::tokens::{Provider, TokenError, jwt};
use crate::web::csrf::{self, Csrf, CsrfRejected};
use crate::web::html;
use crate::web::sso::SsoCookie;

crate::csrf_protected!(LogoutParams);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/oauth2/logout")
            .route(web::get().to(logout_get))
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

#[derive(Deserialize)]
struct HintClaims {
    aud: Audience,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
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
        Err(CsrfRejected(None)) => {
            let public_url = app.config.public_url();
            let message = "The sign-out request could not be read.";
            html::message(
                public_url,
                StatusCode::BAD_REQUEST,
                "Sign-out error",
                message,
            )
        }
    }
}

async fn logout(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    params: LogoutParams,
    may_confirm: bool,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let invalid = |message: &str| {
        html::message(
            public_url,
            StatusCode::BAD_REQUEST,
            "Sign-out error",
            message,
        )
    };
    let hinted_client = match params
        .id_token_hint
        .as_deref()
        .map(|hint| hint_audience(&p, hint))
    {
        None => None,
        Some(Ok(aud)) => Some(aud),
        Some(Err(_)) => {
            return invalid("The id_token_hint is not a valid ID token from this provider.");
        }
    };
    let client_id = match (hinted_client, params.client_id.clone()) {
        (Some(h), Some(c)) if h != c => {
            return invalid("client_id does not match the id_token_hint.");
        }
        (h, c) => h.or(c),
    };
    let Some(client_id) = client_id else {
        let confirmed = may_confirm && params.confirm.as_deref() == Some("yes");
        return confirm_or_end(&req, &app, &p, confirmed).await;
    };
    let client = match find_client(&app, &p, &client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return invalid("The application (client_id) is not registered here."),
        Err(e) => return html::failure(public_url, &e),
    };
    if let Err(e) = end_session(&req, &app).await {
        return html::failure(public_url, &e);
    }
    let target = params
        .post_logout_redirect_uri
        .filter(|uri| client.metadata.post_logout_redirect_uris.contains(uri));
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

/// Without a hint or client the request could come from anyone: ask first, end on a confirmed POST (one whose
/// CSRF token matched).
async fn confirm_or_end(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    confirmed: bool,
) -> HttpResponse {
    let public_url = app.config.public_url();
    if confirmed {
        if let Err(e) = end_session(req, app).await {
            return html::failure(public_url, &e);
        }
        let mut res = logged_out(app);
        SsoCookie::clear(&mut res, &p.issuer, public_url);
        return res;
    }
    let (token, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}/oauth2/logout", p.issuer);
    html::render_form(
        StatusCode::OK,
        &LogoutConfirmPage {
            public_url,
            action: &action,
            csrf: &token,
        },
        set_cookie,
    )
}

/// The audience (client) of an ID token this provider signed; expired hints are fine (OIDC RP-Initiated Logout §2).
fn hint_audience(p: &Provider, hint: &str) -> Result<String, TokenError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
    validation.set_issuer(&[&p.issuer]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims: HintClaims = jwt::verify(hint, &p.keys.public, &validation)?;
    match claims.aud {
        Audience::One(a) => Ok(a),
        Audience::Many(list) => list
            .into_iter()
            .next()
            .ok_or_else(|| TokenError::InvalidToken("no audience".into())),
    }
}

async fn end_session(req: &HttpRequest, app: &AppState) -> Result<(), TokenError> {
    let Some(cookie) = SsoCookie::read(req) else {
        return Ok(());
    };
    let now = app.clock.now();
    app.db
        .run(move |c| session::end(c, &cookie, now).map_err(TokenError::from))
        .await
}

fn logged_out(app: &AppState) -> HttpResponse {
    html::message(
        app.config.public_url(),
        StatusCode::OK,
        "You are signed out",
        "You can close this window.",
    )
}
