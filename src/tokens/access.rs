//! Checking an access token presented at UserInfo or introspection: signature, type, issuer, expiry, revocation,
//! and the grant and user behind it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::claims::RequestedClaims;
use super::error::TokenError;
use super::jwt;
use super::provider::Provider;
use crate::audit;
use crate::store::DbConn;
use crate::store::grants;
use crate::store::users::UserRow;

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
        return Err(expired());
    }
    Ok(claims)
}

/// Access tokens already verified (signature, type, issuer), by the SHA-256 of the token, each until it expires:
/// a client calls UserInfo with the same token many times, and the signature check is the largest part of such a
/// call. Only what cannot change is cached; whether the grant and user are still valid is asked every time
/// (`live_subject`), so a revocation, a deactivation or a password reset takes effect at once on every instance.
pub struct VerifiedTokens {
    entries: RwLock<HashMap<[u8; 32], Arc<AccessClaims>>>,
    capacity: usize,
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        VerifiedTokens::with_capacity(10_000)
    }
}

impl VerifiedTokens {
    /// A cache of at most `capacity` tokens.
    pub fn with_capacity(capacity: usize) -> Self {
        VerifiedTokens {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// `verify`, from the cache when this token was verified for this issuer before.
    pub fn verify(
        &self,
        p: &Provider,
        token: &str,
        now: i64,
    ) -> Result<Arc<AccessClaims>, TokenError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let hit = self.entries.read().ok().and_then(|e| e.get(&key).cloned());
        if let Some(claims) = hit.filter(|c| c.iss == p.issuer) {
            if claims.exp <= now {
                return Err(expired());
            }
            return Ok(claims);
        }
        let claims = Arc::new(verify(p, token, now)?);
        self.remember(key, claims.clone(), now);
        Ok(claims)
    }

    fn remember(&self, key: [u8; 32], claims: Arc<AccessClaims>, now: i64) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= self.capacity {
            entries.retain(|_, c| c.exp > now);
        }
        // Still full of live tokens: start over rather than track recency; a miss only costs a verification.
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, claims);
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.entries.read().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn expired() -> TokenError {
    TokenError::InvalidToken("the access token has expired".into())
}

/// The user behind a verified token, or `None` for a client's own token; an error when the token was revoked,
/// its grant was revoked, or its user is no longer active.
pub fn live_subject(
    conn: &mut DbConn,
    claims: &AccessClaims,
) -> Result<Option<UserRow>, TokenError> {
    Ok(live_subject_and_claims(conn, claims)?.map(|(user, _)| user))
}

/// [`live_subject`] with the claims its grant requested by name (what UserInfo adds to the scopes' claims).
pub fn live_subject_and_claims(
    conn: &mut DbConn,
    claims: &AccessClaims,
) -> Result<Option<(UserRow, RequestedClaims)>, TokenError> {
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
        Some((None, requested, user)) if user.is_active() => Ok(Some((
            user,
            RequestedClaims::from_stored(requested.as_deref()),
        ))),
        _ => Err(dead(
            "the access token's grant was revoked or its user is inactive",
        )),
    }
}

/// Revokes an access token of `client_id`: a user's token takes its grant with it (RFC 7009 §2.1 allows this),
/// a client's own token is remembered as revoked until it expires.
pub fn revoke(
    conn: &mut DbConn,
    origin: &audit::Origin,
    p: &Provider,
    claims: &AccessClaims,
    client_id: &str,
    now: i64,
) -> Result<(), TokenError> {
    if claims.client_id != client_id {
        return Err(TokenError::UnauthorizedClient(
            "the token was issued to another client".into(),
        ));
    }
    let ctx = audit::Context::new(audit::Actor::Client(client_id.to_owned()), origin.clone());
    // A user's token names the user; a client_credentials token's subject is the client itself.
    let subject = match claims.gid {
        Some(_) => audit::SubjectType::User,
        None => audit::SubjectType::Client,
    };
    let event = audit::Event::new(audit::EventType::TokenRevoked)
        .reason("access_token")
        .subject(subject, &claims.sub)
        .workspace(&p.workspace)
        .client(client_id);
    crate::store::transaction(conn, |c| {
        match &claims.gid {
            Some(gid) => grants::revoke_grant(c, gid, now)?,
            None => grants::revoke_jti(c, &claims.jti, claims.exp)?,
        }
        audit::record(c, &p.tenant, &ctx, now, event)
    })
    .map_err(TokenError::Store)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(jti: &str, exp: i64) -> Arc<AccessClaims> {
        Arc::new(AccessClaims {
            iss: "https://issuer".into(),
            sub: "u".into(),
            aud: "c".into(),
            client_id: "c".into(),
            exp,
            iat: 0,
            jti: jti.into(),
            scope: "openid".into(),
            cnf: None,
            gid: None,
        })
    }

    #[test]
    fn the_cache_stays_within_its_capacity_dropping_expired_tokens_first() {
        let cache = VerifiedTokens::with_capacity(3);
        cache.remember([1; 32], claims("a", 100), 50);
        cache.remember([2; 32], claims("b", 200), 50);
        cache.remember([3; 32], claims("c", 200), 50);
        // Full at time 150: the token that expired at 100 makes room.
        cache.remember([4; 32], claims("d", 200), 150);
        assert_eq!(cache.len(), 3);
        let kept = cache.entries.read().unwrap();
        assert!(!kept.contains_key(&[1; 32]));
        assert!(kept.contains_key(&[4; 32]));
        drop(kept);
        // Full of live tokens: starts over with the new one.
        cache.remember([5; 32], claims("e", 200), 150);
        assert_eq!(cache.len(), 1);
    }
}
