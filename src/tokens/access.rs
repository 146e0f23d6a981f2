//! Checking an access token presented at UserInfo or introspection: signature, type, issuer, expiry, revocation,
//! and the grant and user behind it.

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::error::TokenError;
use super::jwt;
use super::provider::Provider;
use crate::store::grants;
use crate::store::users::UserRow;
use crate::store::{DbConn, StoreError};

/// The claims Tarn puts in its RFC 9068 access tokens.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    /// The grant a user's token belongs to; absent on `client_credentials` tokens.
    pub gid: Option<String>,
    /// The key a DPoP-bound token is bound to (RFC 9449 §6.1).
    pub cnf: Option<Confirmation>,
}

/// RFC 7800 confirmation: the thumbprint of a DPoP key.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Confirmation {
    pub jkt: String,
}

impl AccessClaims {
    /// The thumbprint of the DPoP key the token is bound to, if it is.
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.cnf.as_ref().map(|c| c.jkt.as_str())
    }
}

/// Verifies the token's signature, `typ: at+jwt`, issuer and expiry (by Tarn's clock).
pub fn verify(p: &Provider, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| TokenError::InvalidToken("malformed access token".into()))?;
    if !header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("at+jwt"))
    {
        return Err(TokenError::InvalidToken("not an access token".into()));
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
    validation.set_issuer(&[&p.issuer]);
    validation.validate_aud = false;
    // Expiry is checked against Tarn's clock below, not the system clock jsonwebtoken reads.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims: AccessClaims = jwt::verify(token, &p.keys.public, &validation)?;
    if claims.exp <= now {
        return Err(TokenError::InvalidToken(
            "the access token has expired".into(),
        ));
    }
    Ok(claims)
}

/// The user behind a verified token, or `None` for a client's own token; an error when the token was revoked,
/// its grant was revoked, or its user is no longer active.
pub fn live_subject(
    conn: &mut DbConn,
    claims: &AccessClaims,
) -> Result<Option<UserRow>, TokenError> {
    let dead = |why: &str| TokenError::InvalidToken(why.to_owned());
    // A user's token is revoked through its grant (see `revoke`); only a client's own token can be in the
    // revoked list. One query either way: UserInfo is a hot path.
    let Some(gid) = &claims.gid else {
        return match grants::is_jti_revoked(conn, &claims.jti)? {
            true => Err(dead("the access token was revoked")),
            false => Ok(None),
        };
    };
    match grants::find_grant_user(conn, gid)? {
        Some((None, user)) if user.is_active() => Ok(Some(user)),
        _ => Err(dead(
            "the access token's grant was revoked or its user is inactive",
        )),
    }
}

/// Revokes an access token of `client_id`: a user's token takes its grant with it (RFC 7009 §2.1 allows this),
/// a client's own token is remembered as revoked until it expires.
pub fn revoke(
    conn: &mut DbConn,
    claims: &AccessClaims,
    client_id: &str,
    now: i64,
) -> Result<(), TokenError> {
    if claims.client_id != client_id {
        return Err(TokenError::UnauthorizedClient(
            "the token was issued to another client".into(),
        ));
    }
    match &claims.gid {
        Some(gid) => grants::revoke_grant(conn, gid, now).map_err(TokenError::Store),
        None => grants::revoke_jti(conn, &claims.jti, claims.exp).map_err(|e: StoreError| e.into()),
    }
}
