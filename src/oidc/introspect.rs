//! Token introspection (RFC 7662) for confidential clients of the same workspace.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::error::OAuthError;
use super::{Op, client_auth};
use crate::identity::client::AuthMethod;
use crate::state::AppState;
use crate::tokens::{TokenError, access, grant};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/oauth2/introspect")
            .route(web::post().to(introspect))
            .route(super::preflight()),
    );
}

async fn introspect(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let (form, client) =
        client_auth::authenticated(&req, &app, &p, &body, "/oauth2/introspect").await?;
    if client.metadata.token_endpoint_auth_method == AuthMethod::None {
        return Err(TokenError::InvalidClient("public clients may not introspect".into()).into());
    }
    let token = form
        .get("token")
        .cloned()
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let now = app.clock.now();
    let p = app.providers.knowing_key_of(&app, p, &token).await?;
    let answer = match access::verify(&p, &token, now) {
        Ok(claims) => {
            let checked = claims.clone();
            match app.db.run(move |c| access::live_subject(c, &checked)).await {
                Ok(user) => {
                    let mut answer = json!({
                        "active": true, "token_type": "Bearer", "scope": claims.scope, "client_id": claims.client_id,
                        "sub": claims.sub, "aud": claims.aud, "iss": claims.iss, "exp": claims.exp, "iat": claims.iat,
                        "jti": claims.jti, "username": user.and_then(|u| u.email.or(u.mobile)),
                    });
                    // RFC 9449 §6.2: a bound token is reported with its key.
                    if let Some(cnf) = &claims.cnf {
                        answer["token_type"] = json!("DPoP");
                        answer["cnf"] = json!(cnf);
                    }
                    answer
                }
                Err(TokenError::InvalidToken(_)) => inactive(),
                Err(e) => return Err(e.into()),
            }
        }
        Err(_) => match app
            .db
            .run(move |c| grant::live_refresh(c, &token, now).map_err(TokenError::from))
            .await?
        {
            // Refresh tokens are looked up by hash alone: only this workspace's count here. No `token_type`:
            // RFC 7662 §2.2 means a type of RFC 6749 §7.1 (the OAuth Access Token Types registry), and a
            // refresh token is none of them.
            Some((g, r)) if g.tenant_id == p.tenant && g.workspace_id == p.workspace => json!({
                "active": true, "scope": g.scope, "client_id": g.client_id,
                "sub": g.user_id, "iss": p.issuer, "exp": r.expires_at, "iat": r.created_at,
            }),
            _ => inactive(),
        },
    };
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(answer))
}

fn inactive() -> Value {
    json!({"active": false})
}
