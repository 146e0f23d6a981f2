//! JWTs a client presents: a `private_key_jwt` client assertion (RFC 7523) and an `id_token_hint`.

use super::fixtures::{self, ISSUER, KEY_CLIENT, NOW, TOKEN_ENDPOINT};
use crate::tokens::{assertion, client_auth, hint};

/// A client assertion, verified against the `private_key_jwt` client's keys; its claims, whatever the signature,
/// also go through the claim rules (a client can sign any claims it likes).
pub fn client_assertion(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let kid = client_auth::assertion_kid(token);
    let keys: Vec<_> = fixtures::public_keys()
        .iter()
        .filter(|k| kid.as_deref().is_none_or(|kid| k["kid"] == kid))
        .cloned()
        .collect();
    let audiences = [ISSUER, TOKEN_ENDPOINT];
    let _ = client_auth::verify_assertion(token, &keys, KEY_CLIENT, &audiences, NOW);
    if let Ok(claims) = jsonwebtoken::dangerous::insecure_decode_claims::<serde_json::Value>(token)
    {
        let _ = assertion::check(&claims, KEY_CLIENT, &audiences, NOW);
    }
}

/// An `id_token_hint`, verified against the provider's (test) keys and issuer.
pub fn id_token_hint(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(hint) = hint::verify_for(ISSUER, fixtures::public_keys(), token) {
        let _ = hint.client_id();
    }
}
