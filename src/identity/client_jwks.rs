//! A client's registered `jwks` (RFC 7591 §2): public signature keys only, of a strength worth trusting.
//! Domain rules only; the keys are used by `crate::tokens::client_auth` to verify client assertions.
//!
//! RSA moduli of 2048 to 8192 bits (NIST SP 800-131A; the range the verifier accepts), EC keys on P-256,
//! P-384 or P-521, OKP keys on Ed25519 (RFC 8037). Symmetric (`oct`) keys are refused: a shared secret in a
//! key set would let anyone who reads the registration sign as the client. So are private keys, keys for
//! encryption (`use` ≠ `sig`) and keys whose `alg` cannot be used with them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::error::{Error, Result};

const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 8192;
/// Members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Checks a JWK Set: `{"keys": [...]}` with at least one key, every key acceptable.
pub fn check(jwks: &Value) -> Result<()> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            Error::invalid(
                "jwks",
                "must be a JWK Set with at least one key: {\"keys\": [...]}",
            )
        })?;
    for (i, key) in keys.iter().enumerate() {
        check_key(key).map_err(|why| Error::invalid(format!("jwks.keys[{i}]"), why))?;
    }
    Ok(())
}

fn check_key(key: &Value) -> std::result::Result<(), String> {
    let member = |name: &str| key.get(name).and_then(Value::as_str);
    if key.get("kty").is_some_and(|k| k == "oct") {
        return Err("is a symmetric (`oct`) key; register public keys only".into());
    }
    if let Some(name) = PRIVATE_MEMBERS.iter().find(|m| key.get(**m).is_some()) {
        return Err(format!(
            "has the private member `{name}`; register the public key only"
        ));
    }
    if key.get("use").is_some_and(|u| u != "sig") {
        return Err("has a `use` other than `sig`; only signature keys are used".into());
    }
    let algs: &[&str] = match member("kty") {
        Some("RSA") => {
            check_rsa(key)?;
            &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
        }
        Some("EC") => check_ec(key)?,
        Some("OKP") => {
            check_okp(key)?;
            &["EdDSA"]
        }
        Some(other) => return Err(format!("has the unsupported key type `{other}`")),
        None => return Err("needs a `kty`".into()),
    };
    match key.get("alg") {
        None => Ok(()),
        Some(Value::String(alg)) if algs.contains(&alg.as_str()) => Ok(()),
        Some(alg) => Err(format!(
            "has an `alg` ({alg}) this key cannot sign with (one of {})",
            algs.join(", ")
        )),
    }
}

/// The bytes of a base64url member (RFC 7518 §2 Base64urlUInt and friends).
fn bytes(key: &Value, name: &str) -> std::result::Result<Vec<u8>, String> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("needs `{name}`"))?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| format!("has a `{name}` that is not base64url"))
}

fn check_rsa(key: &Value) -> std::result::Result<(), String> {
    let n = bytes(key, "n")?;
    let e = bytes(key, "e")?;
    let n = strip_leading_zeros(&n);
    let bits = n.first().map_or(0, |top| {
        (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
    });
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(format!(
            "is an RSA key of {bits} bits; {MIN_RSA_BITS} to {MAX_RSA_BITS} bits are accepted"
        ));
    }
    if strip_leading_zeros(&e).is_empty() {
        return Err("has an empty RSA exponent `e`".into());
    }
    Ok(())
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// The curve's coordinate length must match (RFC 7518 §6.2.1.2); returns the algorithm the curve signs with.
fn check_ec(key: &Value) -> std::result::Result<&'static [&'static str], String> {
    let (len, algs): (usize, &'static [&'static str]) = match key.get("crv").and_then(Value::as_str)
    {
        Some("P-256") => (32, &["ES256"]),
        Some("P-384") => (48, &["ES384"]),
        Some("P-521") => (66, &["ES512"]),
        Some(other) => {
            return Err(format!(
                "is on the curve `{other}`; P-256, P-384 and P-521 are accepted"
            ));
        }
        None => return Err("needs `crv`".into()),
    };
    for coordinate in ["x", "y"] {
        if bytes(key, coordinate)?.len() != len {
            return Err(format!(
                "has a `{coordinate}` of the wrong length for its curve"
            ));
        }
    }
    Ok(algs)
}

fn check_okp(key: &Value) -> std::result::Result<(), String> {
    match key.get("crv").and_then(Value::as_str) {
        Some("Ed25519") if bytes(key, "x")?.len() == 32 => Ok(()),
        Some("Ed25519") => Err("has an Ed25519 `x` that is not 32 bytes".into()),
        Some(other) => Err(format!(
            "is on the curve `{other}`; only Ed25519 is accepted"
        )),
        None => Err("needs `crv`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(first: u8, len: usize) -> String {
        let mut bytes = vec![0x11_u8; len];
        bytes[0] = first;
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn key_ok(key: Value) -> bool {
        check(&json!({"keys": [key]})).is_ok()
    }

    #[test]
    fn rsa_moduli_are_counted_in_bits_without_leading_zeros() {
        assert!(key_ok(
            json!({"kty": "RSA", "n": b64(0x80, 256), "e": "AQAB"})
        ));
        assert!(!key_ok(
            json!({"kty": "RSA", "n": b64(0x7f, 256), "e": "AQAB"})
        ));
        assert!(!key_ok(
            json!({"kty": "RSA", "n": format!("AAAA{}", b64(0x80, 255)), "e": "AQAB"})
        ));
        assert!(key_ok(
            json!({"kty": "RSA", "n": b64(0xff, 1024), "e": "AQAB"})
        ));
        assert!(!key_ok(
            json!({"kty": "RSA", "n": b64(0x01, 1025), "e": "AQAB"})
        ));
        assert!(!key_ok(
            json!({"kty": "RSA", "n": b64(0xff, 256), "e": "AA"})
        ));
    }

    #[test]
    fn the_error_names_the_key() {
        let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64(1, 32)}, {"kty": "oct", "k": "c2VjcmV0"}]});
        let e = check(&jwks).unwrap_err().to_string();
        assert!(e.starts_with("jwks.keys[1]: "), "{e}");
        assert!(check(&json!({"keys": []})).is_err());
        assert!(check(&json!({"kty": "RSA"})).is_err());
    }
}
