//! Compact JWS: signing with a workspace key held in memory, and verification against a JWK Set (jsonwebtoken).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::TokenError;
use super::keys::SigningKey;

/// Signs `claims` as a compact JWS with header `{alg, kid, typ}`.
pub fn sign(key: &SigningKey, typ: &str, claims: &impl Serialize) -> Result<String, TokenError> {
    let mut header = Header::new(algorithm(key));
    header.kid = Some(key.kid.clone());
    header.typ = Some(typ.to_owned());
    let mut token = b64_json(&header)?;
    token.push('.');
    token.push_str(&b64_json(claims)?);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(token)
}

fn b64_json<T: Serialize + ?Sized>(value: &T) -> Result<String, TokenError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| TokenError::Internal(format!("JWT encoding failed: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn algorithm(key: &SigningKey) -> Algorithm {
    match key.alg {
        crate::identity::client::SigningAlg::RS256 => Algorithm::RS256,
        crate::identity::client::SigningAlg::ES256 => Algorithm::ES256,
        crate::identity::client::SigningAlg::EdDSA => Algorithm::EdDSA,
    }
}

/// Verifies a JWS against the keys of a JWK Set (by `kid`, or every key of the header's algorithm when the
/// header names none) and returns its claims. `validation` carries the algorithm, issuer, audience and expiry rules.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    jwks: &[Value],
    validation: &Validation,
) -> Result<T, TokenError> {
    let invalid = |why: &str| TokenError::InvalidToken(why.to_owned());
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed token"))?;
    if !validation.algorithms.contains(&header.alg) {
        return Err(invalid(
            "token signed with an algorithm that is not accepted",
        ));
    }
    // jsonwebtoken refuses (InvalidAlgorithm) a Validation whose algorithms span key families (RSA, EC, OKP),
    // so verify with exactly the header's algorithm, which was just checked against the accepted ones.
    let mut validation = validation.clone();
    validation.algorithms = vec![header.alg];
    let candidates = jwks
        .iter()
        .filter_map(|v| serde_json::from_value::<Jwk>(v.clone()).ok())
        .filter(|jwk| match (&header.kid, &jwk.common.key_id) {
            (Some(want), Some(have)) => want == have,
            (Some(_), None) => false,
            (None, _) => true,
        });
    let mut last = invalid("no key matches the token");
    for jwk in candidates {
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        match jsonwebtoken::decode::<T>(token, &key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) => last = TokenError::InvalidToken(e.to_string()),
        }
    }
    Err(last)
}

/// The `at_hash` of an access token for an ID token signed with `alg` (OIDC Core §3.1.3.6): the left half of the
/// hash, base64url. EdDSA (Ed25519) uses SHA-512, as the OpenID Foundation's resolution and common RPs do.
pub fn half_hash(alg: crate::identity::client::SigningAlg, value: &str) -> String {
    use sha2::Digest;
    let digest: Vec<u8> = match alg {
        crate::identity::client::SigningAlg::EdDSA => {
            sha2::Sha512::digest(value.as_bytes()).to_vec()
        }
        _ => sha2::Sha256::digest(value.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}
