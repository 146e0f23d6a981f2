//! A DPoP proof builder (RFC 9449 §4.2) for tests: an ES256 key made with aws-lc-rs, its public JWK and
//! thumbprint, and proofs whose header and claims a test may bend to check each refusal.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A client's DPoP key.
pub struct DpopKey {
    pair: EcdsaKeyPair,
}

impl Default for DpopKey {
    fn default() -> Self {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        DpopKey { pair }
    }
}

impl DpopKey {
    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        })
    }

    /// The RFC 7638 SHA-256 thumbprint, as `cnf.jkt` and `dpop_jkt` carry it.
    pub fn thumbprint(&self) -> String {
        let jwk = self.jwk();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// A proof for `method` `url` issued now (`iat` from the system clock, as a client's would be).
    pub fn proof(&self, method: &str, url: &str) -> Proof<'_> {
        Proof {
            header: json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk()}),
            claims: json!({
                "jti": uuid::Uuid::new_v4().to_string(),
                "htm": method,
                "htu": url,
                "iat": std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
            }),
            key: self,
        }
    }
}

/// A proof being built.
pub struct Proof<'a> {
    pub header: Value,
    pub claims: Value,
    key: &'a DpopKey,
}

impl Proof<'_> {
    /// Adds `ath` for `access_token`.
    pub fn ath(mut self, access_token: &str) -> Self {
        self.claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes())));
        self
    }

    pub fn claim(mut self, name: &str, value: Value) -> Self {
        self.claims[name] = value;
        self
    }

    pub fn header(mut self, name: &str, value: Value) -> Self {
        self.header[name] = value;
        self
    }

    /// The compact JWS, signed with the key whatever the header's `alg` says.
    pub fn sign(&self) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(self.header.to_string()),
            URL_SAFE_NO_PAD.encode(self.claims.to_string())
        );
        let signature = self
            .key
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}
