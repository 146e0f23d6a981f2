//! Token revocation (RFC 7009): the client that holds a token may revoke it; unknown tokens are not an error.
//! A public client cannot authenticate, so a DPoP-bound token of one is revoked only with a proof of its key.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};

use super::error::OAuthError;
use super::{Op, client_auth, dpop};
use crate::identity::client::AuthMethod;
use crate::state::AppState;
use crate::tokens::{TokenError, access, grant};

const PATH: &str = "/oauth2/revoke";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource(PATH)
            .route(web::post().to(revoke))
            .route(super::preflight()),
    );
}

async fn revoke(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    body: Bytes,
) -> Result<HttpResponse, OAuthError> {
    let (form, client) = client_auth::authenticated(&req, &app, &p, &body, PATH).await?;
    let proven = dpop::prove(&req, &app, &p, PATH, None).await?;
    let token = form
        .get("token")
        .cloned()
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let (client_id, now) = (client.row.id.clone(), app.clock.now());
    // Either kind of token is accepted whatever token_type_hint says (RFC 7009 §2.1 lets the server look further).
    let p = app.providers.knowing_key_of(&app, p, &token).await?;
    let origin = crate::web::audit_origin::of(&req);
    match access::verify(&p, &token, now) {
        Ok(claims) => {
            let public = client.metadata.token_endpoint_auth_method == AuthMethod::None;
            if public && claims.dpop_jkt().is_some() && claims.dpop_jkt() != proven.as_deref() {
                return Err(TokenError::InvalidDpopProof(
                    "the token is bound to a DPoP key this request did not prove".into(),
                )
                .into());
            }
            app.db
                .run(move |c| access::revoke(c, &origin, &p, &claims, &client_id, now))
                .await?
        }
        Err(_) => {
            app.db
                .run(move |c| {
                    grant::revoke_refresh(c, &origin, &client_id, &token, proven.as_deref(), now)
                })
                .await?;
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish())
}
