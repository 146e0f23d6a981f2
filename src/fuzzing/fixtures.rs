//! The fixed setting the fuzzing entries parse against: an issuer, a clock reading, the public keys of a test
//! key pair (Ed25519 and P-256; `fuzz/seeds.py` holds their private halves to sign seed tokens) and two
//! registered clients, a public native app and a `private_key_jwt` client holding those keys.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::identity::client::{self, ClientRegistration};
use crate::store::clients::ClientRow;
use crate::tokens::client_auth::RegisteredClient;

pub const ISSUER: &str = "https://id.example/acme/main";
pub const TOKEN_ENDPOINT: &str = "https://id.example/acme/main/oauth2/token";
/// The clock reading of every check (2027-01-15).
pub const NOW: i64 = 1_800_000_000;
pub const PUBLIC_CLIENT: &str = "fuzz-native";
pub const KEY_CLIENT: &str = "fuzz-jwt";

/// The test keys' public JWKs.
pub fn public_keys() -> &'static [Value] {
    static KEYS: OnceLock<Vec<Value>> = OnceLock::new();
    KEYS.get_or_init(|| {
        vec![
            json!({"kty": "OKP", "crv": "Ed25519", "kid": "fuzz-ed", "alg": "EdDSA", "use": "sig",
                   "x": "sO9l7vYeOb4YkxvhG0QqmK0KB6F2b6hSEbI5rOg0hqQ"}),
            json!({"kty": "EC", "crv": "P-256", "kid": "fuzz-ec", "alg": "ES256", "use": "sig",
                   "x": "lokeJY33JZfr9osSh14VSWTIzOU_WUgfIKJnXUVylQ8",
                   "y": "-z9LoQfKivTz8QzFwMj_98-s4hDza3BwP7kt6sucaac"}),
        ]
    })
}

/// The public native app (PKCE, a loopback and an https redirect URI) and the `private_key_jwt` client;
/// `None` where the fixed registration would not validate (it does; the entries then fuzz less).
pub fn clients() -> &'static [RegisteredClient] {
    static CLIENTS: OnceLock<Vec<RegisteredClient>> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        let native = json!({
            "client_name": "Fuzz native app",
            "redirect_uris": ["http://127.0.0.1/callback", "https://app.example/cb"],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid profile email offline_access",
        });
        let keyed = json!({
            "client_name": "Fuzz service",
            "redirect_uris": ["https://service.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code", "client_credentials"],
            "scope": "openid profile",
            "jwks": {"keys": public_keys()},
        });
        [(PUBLIC_CLIENT, native), (KEY_CLIENT, keyed)]
            .into_iter()
            .filter_map(|(id, registration)| registered(id, registration))
            .collect()
    })
}

fn registered(id: &str, registration: Value) -> Option<RegisteredClient> {
    let registration: ClientRegistration = serde_json::from_value(registration).ok()?;
    let metadata = client::validate(registration).ok()?;
    let row = ClientRow {
        id: id.to_owned(),
        tenant_id: "acme".into(),
        workspace_id: "main".into(),
        client_name: metadata.client_name.clone(),
        secret_hash: None,
        metadata: serde_json::to_string(&metadata).ok()?,
        created_at: NOW,
    };
    Some(RegisteredClient { row, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{client_auth, hint};

    fn seed(target: &str, n: u32) -> String {
        let path = format!(
            "{}/fuzz/corpus/{target}/seed-{n}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn both_clients_register_and_the_signed_seeds_verify() {
        assert_eq!(clients().len(), 2, "a fixed client no longer validates");
        let audiences = [ISSUER, TOKEN_ENDPOINT];
        for n in [0, 1] {
            let checked = client_auth::verify_assertion(
                &seed("client_assertion", n),
                public_keys(),
                KEY_CLIENT,
                &audiences,
                NOW,
            );
            assert!(checked.is_ok(), "assertion seed {n}: {checked:?}");
            let hint = hint::verify_for(ISSUER, public_keys(), &seed("id_token_hint", n));
            assert!(hint.is_ok(), "hint seed {n}: {:?}", hint.err());
        }
    }
}
