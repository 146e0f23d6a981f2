//! The token endpoint: `authorization_code`, `refresh_token` and `client_credentials` grants (RFC 6749 §4–6), and
//! polling for the device authorization grant (RFC 8628 §3.4).

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};

use super::error::OAuthError;
use super::{Op, client_auth, dpop};
use crate::identity::client::{AuthMethod, DEVICE_CODE_GRANT};
use crate::metrics::labels::GrantType;
use crate::state::AppState;
use crate::tokens::authorization::granted_scope;
use crate::tokens::{TokenError, device, grant, issue};

/// The token endpoint's path under the issuer.
pub const PATH: &str = "/oauth2/token";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource(PATH)
            .route(web::post().to(token))
            .route(super::preflight()),
    );
}

/// Answers a token request, counting what it issued or why it refused.
async fn token(
    req: HttpRequest,
    app: Data<AppState>,
    op: Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let answer = answer(req, &app, op, body).await;
    if let Err(e) = &answer {
        app.metrics.token_error(e.code);
    }
    answer
}

async fn answer(
    req: HttpRequest,
    app: &AppState,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let (form, client) = client_auth::authenticated(&req, app, &p, &body, PATH).await?;
    let grant_type = form
        .get("grant_type")
        .map(String::as_str)
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "client_credentials" | DEVICE_CODE_GRANT
    ) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("`{grant_type}` is not supported"),
        ));
    }
    if !client.metadata.grant_types.iter().any(|g| g == grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            format!("the client may not use `{grant_type}`"),
        ));
    }
    // RFC 9449 §5: a proof binds the tokens to its key; a client registered with dpop_bound_access_tokens
    // must send one (§5.2).
    let dpop_jkt = dpop::prove(&req, app, &p, PATH, None).await?;
    if client.metadata.dpop_bound_access_tokens && dpop_jkt.is_none() {
        let why = "this client must send a DPoP proof";
        return Err(TokenError::InvalidDpopProof(why.into()).into());
    }
    let now = app.clock.now();
    let client_id = client.row.id.clone();
    let param = |name: &str| form.get(name).cloned();
    let with_refresh = client
        .metadata
        .grant_types
        .iter()
        .any(|g| g == "refresh_token");
    // RFC 9449 §5: only a public client's refresh token is bound; a confidential client authenticates.
    let bind_refresh = client.metadata.token_endpoint_auth_method == AuthMethod::None;
    let response = match grant_type {
        "client_credentials" => {
            let requested = param("scope").unwrap_or_else(|| client.metadata.scope.clone());
            // No user is involved: OpenID and refresh scopes have nothing to attach to.
            let scope = granted_scope(&requested, &client.metadata.scope)
                .split(' ')
                .filter(|s| !matches!(*s, "openid" | "offline_access"))
                .collect::<Vec<_>>()
                .join(" ");
            issue::for_client(
                &p,
                client.metadata.id_token_signed_response_alg,
                &client_id,
                &scope,
                dpop_jkt.as_deref(),
                now,
            )?
        }
        "authorization_code" => {
            let redemption = grant::Redemption {
                client_id,
                code: param("code")
                    .ok_or_else(|| OAuthError::invalid_request("code is required"))?,
                redirect_uri: param("redirect_uri"),
                code_verifier: param("code_verifier"),
                with_refresh,
                dpop_jkt,
                bind_refresh,
                origin: crate::web::audit_origin::of(&req),
            };
            let provider = p.clone();
            let active = app
                .db
                .run(move |c| grant::redeem_code(c, &provider, redemption, now))
                .await?;
            issue::for_grant(&p, &client.metadata, active, now)?
        }
        DEVICE_CODE_GRANT => {
            let poll = device::Poll {
                client_id,
                device_code: param("device_code")
                    .ok_or_else(|| OAuthError::invalid_request("device_code is required"))?,
                with_refresh,
                dpop_jkt,
                bind_refresh,
            };
            let provider = p.clone();
            let active = app
                .db
                .run(move |c| device::poll(c, &provider, poll, now))
                .await?;
            issue::for_grant(&p, &client.metadata, active, now)?
        }
        _ => {
            let token = param("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
            let (scope, provider) = (param("scope"), p.clone());
            let active = app
                .db
                .run(move |c| {
                    let jkt = dpop_jkt.as_deref();
                    grant::refresh(c, &provider, &client_id, &token, scope.as_deref(), jkt, now)
                })
                .await
                .inspect_err(|e| {
                    if matches!(e, TokenError::RefreshReused) {
                        app.metrics.refresh_reuse_detected();
                    }
                })?;
            issue::for_grant(&p, &client.metadata, active, now)?
        }
    };
    if let Some(grant) = GrantType::of(grant_type) {
        app.metrics.token_issued(grant);
    }
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(response))
}
