//! Reads client credentials from a request: HTTP Basic (RFC 6749 §2.3.1, form-encoded id and secret) or the body.

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::OAuthError;
use std::sync::Arc;

use crate::state::AppState;
use crate::tokens::Provider;
use crate::tokens::client_auth::{self as auth, Presented, RegisteredClient};

/// Reads the form body and authenticates the client at the endpoint at `path`. A client assertion may name
/// as `aud` the issuer, the token endpoint URL (what OIDC Core §9 says it SHOULD be, wherever it is sent) or
/// the URL of the endpoint called.
pub async fn authenticated(
    req: &HttpRequest,
    app: &AppState,
    p: &Provider,
    body: &[u8],
    path: &str,
) -> Result<(HashMap<String, String>, Arc<RegisteredClient>), OAuthError> {
    let form = super::form::parse(req, body)?;
    let presented = presented(req, &form)?;
    let (called, token) = (
        super::endpoint(p, path),
        super::endpoint(p, super::token::PATH),
    );
    let client = auth::authenticate(app, p, presented, &[&called, &token]).await?;
    Ok((form, client))
}

/// The credentials a request presents, not yet checked.
pub fn presented(
    req: &HttpRequest,
    form: &HashMap<String, String>,
) -> Result<Presented, OAuthError> {
    let basic = match req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(value) if value.len() > 6 && value[..6].eq_ignore_ascii_case("basic ") => {
            Some(decode_basic(&value[6..])?)
        }
        _ => None,
    };
    Ok(Presented {
        basic,
        client_id: form.get("client_id").cloned(),
        client_secret: form.get("client_secret").cloned(),
        client_assertion_type: form.get("client_assertion_type").cloned(),
        client_assertion: form.get("client_assertion").cloned(),
    })
}

fn decode_basic(encoded: &str) -> Result<(String, String), OAuthError> {
    let bad = || {
        let mut e: OAuthError =
            crate::tokens::TokenError::InvalidClient("malformed Basic credentials".into()).into();
        e.challenge = Some("Basic realm=\"tarn\"".into());
        e
    };
    let bytes = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    Ok((form_decode(id), form_decode(secret)))
}

/// Client ids and secrets in Basic credentials are form-urlencoded first (RFC 6749 §2.3.1).
fn form_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
