//! UserInfo (OIDC Core §5.3): GET or POST with a bearer access token (header or form body, RFC 6750 §2), or a
//! DPoP-bound one (`Authorization: DPoP` with a proof of its key, RFC 9449 §7).

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};

use super::error::OAuthError;
use super::{Op, dpop, form};
use crate::identity::group::effective_groups;
use crate::state::AppState;
use crate::tokens::access::AccessClaims;
use crate::tokens::claims::{has_scope, user_claims};
use crate::tokens::{Provider, TokenError, access};
use crate::web::auth_header::bearer;
use crate::web::methods;

const PATH: &str = "/oauth2/userinfo";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource(PATH)
            .route(methods::get().to(userinfo))
            .route(web::post().to(userinfo))
            .route(super::preflight()),
    );
}

fn invalid_token(description: impl Into<String>) -> OAuthError {
    OAuthError::bearer(StatusCode::UNAUTHORIZED, "invalid_token", description)
}

async fn userinfo(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let as_dpop = dpop::dpop_token(&req).map(str::to_owned);
    let from_header = bearer(&req).map(str::to_owned).or(as_dpop.clone());
    let from_body = if body.is_empty() {
        None
    } else {
        form::parse(&req, &body)?.remove("access_token")
    };
    let token = match (from_header, from_body) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::bearer(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "send the token once",
            ));
        }
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => {
            // RFC 6750 §3.1: no error code when the request simply had no credentials.
            let mut e = invalid_token("an access token is required");
            e.challenge = Some("Bearer".into());
            return Err(e);
        }
    };
    let p = app.providers.knowing_key_of(&app, p, &token).await?;
    let claims = app
        .access_tokens
        .verify(&p, &token, app.clock.now())
        .map_err(|e| invalid_token(e.to_string()))?;
    check_binding(&req, &app, &p, &claims, &token, as_dpop.is_some()).await?;
    if !has_scope(&claims.scope, "openid") {
        return Err(OAuthError::bearer(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "the token lacks the openid scope",
        ));
    }
    let scope = claims.scope.clone();
    let body = app
        .db
        .run(move |c| {
            let (user, requested) = access::live_subject_and_claims(c, &claims)?
                .ok_or_else(|| TokenError::InvalidToken("the token has no user".into()))?;
            let named = &requested.userinfo;
            let groups: Vec<String> =
                if has_scope(&scope, "groups") || named.iter().any(|n| n == "groups") {
                    effective_groups(c, &user.pool_id, &user.id)?
                        .effective
                        .into_iter()
                        .map(|g| g.name)
                        .collect()
                } else {
                    Vec::new()
                };
            Ok::<_, TokenError>(user_claims(&user, &groups, &scope, named))
        })
        .await
        .map_err(|e| match e {
            TokenError::InvalidToken(d) => invalid_token(d),
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(body))
}

/// RFC 9449 §7: a DPoP-bound token comes with the DPoP scheme and a proof of its key (with `ath`); a token that
/// is not bound comes as Bearer.
async fn check_binding(
    req: &HttpRequest,
    app: &AppState,
    p: &std::sync::Arc<Provider>,
    claims: &AccessClaims,
    token: &str,
    as_dpop: bool,
) -> Result<(), OAuthError> {
    let unauthorized = |code, why: &str| OAuthError::dpop(StatusCode::UNAUTHORIZED, code, why);
    let bound = match (claims.dpop_jkt(), as_dpop) {
        (None, false) => return Ok(()),
        (Some(_), false) => {
            let why = "the access token is DPoP-bound: send it with the DPoP scheme and a proof";
            return Err(unauthorized("invalid_token", why));
        }
        (None, true) => return Err(invalid_token("the access token is not DPoP-bound")),
        (Some(bound), true) => bound,
    };
    let proven = dpop::prove(req, app, p, PATH, Some(token))
        .await
        .map_err(|e| match e {
            TokenError::InvalidDpopProof(why) => unauthorized("invalid_dpop_proof", &why),
            TokenError::UseDpopNonce { nonce } => {
                let mut e = unauthorized("use_dpop_nonce", "the DPoP proof must carry a nonce");
                e.dpop_nonce = Some(nonce);
                e
            }
            other => other.into(),
        })?;
    match proven {
        Some(jkt) if jkt == bound => Ok(()),
        Some(_) => Err(unauthorized(
            "invalid_token",
            "the DPoP proof is of another key",
        )),
        None => Err(unauthorized(
            "invalid_dpop_proof",
            "a DPoP proof is required",
        )),
    }
}
