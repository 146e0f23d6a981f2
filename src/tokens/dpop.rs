//! DPoP proofs (RFC 9449): checking a proof exactly as §4.3 says, the key's RFC 7638 thumbprint (`jkt`) that
//! bound tokens carry in `cnf`, single use of each proof's `jti` across instances (a database row until the proof
//! is too old anyway), `ath` for requests with an access token (§7), and server nonces (§8): stateless, an HMAC of
//! the issuer and a five-minute window under an installation key, so every instance issues and accepts the same.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::TokenError;
use super::provider::Provider;
use crate::store::{DbConn, grants};

/// The proof algorithms accepted (discovery's `dpop_signing_alg_values_supported`): asymmetric only.
pub const SIGNING_ALGS: [&str; 4] = ["ES256", "EdDSA", "RS256", "PS256"];
/// How far a proof's `iat` may be from now, either way, in seconds.
pub const IAT_WINDOW: i64 = 60;
/// How long a server nonce is issued for; one from the previous window is still accepted.
const NONCE_WINDOW: i64 = 300;
/// JWK members that only a private key has (RFC 7517/7518): a proof carrying one is refused.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A workspace's nonce rule and the installation key that makes its nonces.
pub struct NonceSettings {
    pub required: bool,
    pub key: Vec<u8>,
}

/// The request a proof must match.
pub struct Expected<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The endpoint's URL as built from the public URL (no query, no fragment).
    pub url: &'a str,
    /// The access token sent with the request, for `ath` (resource requests only).
    pub access_token: Option<&'a str>,
}

#[derive(Deserialize)]
struct ProofClaims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
    nonce: Option<String>,
}

fn invalid(why: &str) -> TokenError {
    TokenError::InvalidDpopProof(why.to_owned())
}

/// Checks `proof` against the request and records its `jti`; returns the key's thumbprint (`jkt`).
pub fn verify(
    conn: &mut DbConn,
    p: &Provider,
    proof: &str,
    expected: &Expected<'_>,
    now: i64,
) -> Result<String, TokenError> {
    let (jkt, claims) = check(p, proof, expected, now)?;
    // Keyed by thumbprint and jti: another key may well pick the same jti.
    let id = crate::secret::hash(&format!("{jkt}:{}", claims.jti));
    if !grants::record_dpop_proof(conn, &id, now + 2 * IAT_WINDOW + 1)? {
        return Err(invalid("the DPoP proof was already used (jti replayed)"));
    }
    Ok(jkt)
}

/// Everything but the replay check: header, signature, claims.
fn check(
    p: &Provider,
    proof: &str,
    expected: &Expected<'_>,
    now: i64,
) -> Result<(String, ProofClaims), TokenError> {
    let (alg, jwk) = header(proof)?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| invalid("the jwk cannot verify"))?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<ProofClaims>(proof, &key, &validation)
        .map_err(|e| TokenError::InvalidDpopProof(format!("the DPoP proof does not verify: {e}")))?
        .claims;
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(invalid("jti must be 1 to 256 characters"));
    }
    if claims.htm != expected.method {
        return Err(invalid("htm does not match the request's method"));
    }
    if !same_target(&claims.htu, expected.url) {
        return Err(invalid("htu does not match the endpoint's URL"));
    }
    if (now - claims.iat).abs() > IAT_WINDOW {
        return Err(invalid("iat is outside the accepted window"));
    }
    if let Some(token) = expected.access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if claims.ath.as_deref() != Some(ath.as_str()) {
            return Err(invalid("ath is missing or does not match the access token"));
        }
    }
    if p.dpop.required && !claims.nonce.as_deref().is_some_and(|n| is_nonce(p, n, now)) {
        return Err(TokenError::UseDpopNonce {
            nonce: nonce(p, now),
        });
    }
    let jkt = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| invalid("the jwk has no thumbprint"))?;
    Ok((jkt, claims))
}

/// The header's algorithm and public key, after the §4.3 checks that need no key: `typ`, `alg`, `jwk`.
fn header(proof: &str) -> Result<(Algorithm, Jwk), TokenError> {
    let first = proof.split('.').next().unwrap_or_default();
    let raw: Value = URL_SAFE_NO_PAD
        .decode(first)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| invalid("the DPoP proof is not a JWT"))?;
    if raw["typ"] != "dpop+jwt" {
        return Err(invalid("typ must be dpop+jwt"));
    }
    let alg = raw["alg"].as_str().unwrap_or_default();
    if !SIGNING_ALGS.contains(&alg) {
        return Err(invalid("alg must be one of ES256, EdDSA, RS256, PS256"));
    }
    let alg: Algorithm = alg.parse().map_err(|_| invalid("unknown alg"))?;
    let jwk = raw
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the header needs a jwk"))?;
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(invalid("the jwk must be a public key"));
    }
    let jwk: Jwk = serde_json::from_value(Value::Object(jwk.clone()))
        .map_err(|_| invalid("the jwk is not a supported public key"))?;
    Ok((alg, jwk))
}

/// §4.3 step 9: `htu` names the endpoint, ignoring its query and fragment.
fn same_target(htu: &str, endpoint: &str) -> bool {
    let Ok(mut url) = url::Url::parse(htu) else {
        return false;
    };
    url.set_query(None);
    url.set_fragment(None);
    url::Url::parse(endpoint).is_ok_and(|e| e == url)
}

/// A nonce for proofs sent to `p` now.
pub fn nonce(p: &Provider, now: i64) -> String {
    nonce_for(p, now.div_euclid(NONCE_WINDOW))
}

fn nonce_for(p: &Provider, window: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &p.dpop.key);
    let tag = hmac::sign(&key, format!("{}|{window}", p.issuer).as_bytes());
    format!("{window}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Whether `nonce` is one `p` issued in this window or the last.
fn is_nonce(p: &Provider, nonce: &str, now: i64) -> bool {
    let Some(window) = nonce
        .split_once('.')
        .and_then(|(w, _)| w.parse::<i64>().ok())
    else {
        return false;
    };
    let current = now.div_euclid(NONCE_WINDOW);
    if window != current && window != current - 1 {
        return false;
    }
    let expected = nonce_for(p, window);
    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), nonce.as_bytes()).into()
}
