//! `id_token_hint`: an ID token this provider signed, presented back as a hint of who the user is (OIDC Core
//! §3.1.2.1 at the authorization endpoint, RP-Initiated Logout §2 at logout). Its signature and issuer must hold;
//! it may have expired (a hint of a session, not a credential).

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::error::TokenError;
use super::{Provider, jwt};

/// What a valid hint says: the user and the client(s) it was issued to.
#[derive(Debug, Clone)]
pub struct Hint {
    pub sub: String,
    pub aud: Vec<String>,
}

impl Hint {
    /// The client the token was issued to (its first audience).
    pub fn client_id(&self) -> Option<&str> {
        self.aud.first().map(String::as_str)
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    aud: Audience,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The hint, if `token` is an ID token signed by one of this provider's keys for its issuer.
pub fn verify(p: &Provider, token: &str) -> Result<Hint, TokenError> {
    verify_for(&p.issuer, &p.keys.public, token)
}

/// The hint, if `token` is an ID token signed by one of the public keys `jwks` for `issuer`.
pub(crate) fn verify_for(issuer: &str, jwks: &[Value], token: &str) -> Result<Hint, TokenError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
    validation.set_issuer(&[issuer]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims: Claims = jwt::verify(token, jwks, &validation)?;
    let aud = match claims.aud {
        Audience::One(a) => vec![a],
        Audience::Many(list) => list,
    };
    if aud.is_empty() {
        return Err(TokenError::InvalidToken("the hint has no audience".into()));
    }
    Ok(Hint {
        sub: claims.sub,
        aud,
    })
}
