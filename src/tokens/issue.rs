//! Token responses: RFC 9068 access tokens, OIDC ID tokens, refresh tokens.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::claims::{RequestedClaims, has_scope, user_claims};
use super::error::TokenError;
use super::grant::Active;
use super::jwt;
use super::provider::Provider;
use crate::identity::client::{ClientMetadata, SigningAlg};

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`, or `DPoP` for a token bound to a DPoP key (RFC 9449 §5).
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// An RFC 9068 access token: `typ: at+jwt`, signed by the workspace with the client's algorithm
/// (`id_token_signed_response_alg`, RS256 by default), so a client that chose ES256 gets cheap tokens throughout.
fn access_token(
    p: &Provider,
    alg: SigningAlg,
    client_id: &str,
    sub: &str,
    scope: &str,
    extra: Map<String, Value>,
    now: i64,
) -> Result<String, TokenError> {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(p.issuer));
    claims.insert("sub".into(), json!(sub));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("client_id".into(), json!(client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + p.lifetimes.access_token));
    claims.insert("jti".into(), json!(crate::secret::new_id()));
    claims.insert("scope".into(), json!(scope));
    claims.extend(extra);
    jwt::sign(p.keys.signer(alg)?, "at+jwt", &claims)
}

/// The `cnf` claim binding a token to a DPoP key (RFC 9449 §6.1), and the token type that goes with it.
fn bind(extra: &mut Map<String, Value>, dpop_jkt: Option<&str>) -> &'static str {
    match dpop_jkt {
        Some(jkt) => {
            extra.insert("cnf".into(), json!({ "jkt": jkt }));
            "DPoP"
        }
        None => "Bearer",
    }
}

/// `client_credentials`: an access token for the client itself, no ID token, nothing written; bound to the
/// DPoP key `dpop_jkt` when the request proved one.
pub fn for_client(
    p: &Provider,
    alg: SigningAlg,
    client_id: &str,
    scope: &str,
    dpop_jkt: Option<&str>,
    now: i64,
) -> Result<TokenResponse, TokenError> {
    let mut extra = Map::new();
    let token_type = bind(&mut extra, dpop_jkt);
    Ok(TokenResponse {
        access_token: access_token(p, alg, client_id, client_id, scope, extra, now)?,
        token_type,
        expires_in: p.lifetimes.access_token,
        scope: scope.to_owned(),
        id_token: None,
        refresh_token: None,
    })
}

/// Tokens for a user's grant: access token, ID token when `openid` was granted, and `refresh_token` if given.
pub fn for_grant(
    p: &Provider,
    client: &ClientMetadata,
    active: Active,
    now: i64,
) -> Result<TokenResponse, TokenError> {
    let Active {
        grant,
        user,
        groups,
        refresh_token,
        dpop_jkt,
    } = active;
    let (grant, user) = (&grant, &user);
    let amr: Value = serde_json::from_str(&grant.amr).unwrap_or_else(|_| json!([]));
    let mut extra = Map::new();
    extra.insert("auth_time".into(), json!(grant.auth_time));
    extra.insert("gid".into(), json!(grant.id));
    let token_type = bind(&mut extra, dpop_jkt.as_deref());
    let alg = client.id_token_signed_response_alg;
    let access = access_token(p, alg, &grant.client_id, &user.id, &grant.scope, extra, now)?;
    let id_token = if has_scope(&grant.scope, "openid") {
        let requested = RequestedClaims::from_stored(grant.claims.as_deref());
        let mut claims = user_claims(user, &groups, &grant.scope, &requested.id_token);
        claims.insert("iss".into(), json!(p.issuer));
        claims.insert("aud".into(), json!(grant.client_id));
        claims.insert("azp".into(), json!(grant.client_id));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + p.lifetimes.id_token));
        claims.insert("auth_time".into(), json!(grant.auth_time));
        claims.insert("amr".into(), amr);
        claims.insert("at_hash".into(), json!(jwt::half_hash(alg, &access)));
        if let Some(nonce) = &grant.nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        // Back-Channel Logout §2.1: the session, so the logout token that ends it can name it.
        if let Some(sid) = &grant.sid {
            claims.insert("sid".into(), json!(sid));
        }
        Some(jwt::sign(p.keys.signer(alg)?, "JWT", &claims)?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token: access,
        token_type,
        expires_in: p.lifetimes.access_token,
        scope: grant.scope.clone(),
        id_token,
        refresh_token,
    })
}
