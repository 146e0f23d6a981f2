//! Back-Channel Logout 1.0 §2.4 logout tokens: signed like the client's ID tokens, `typ: logout+jwt`, with the
//! back-channel logout event, `sub` and the session's `sid`, and never a `nonce` (§2.4 forbids it, so a logout
//! token cannot pass for an ID token).

use serde_json::json;

use super::error::TokenError;
use super::jwt;
use super::provider::Provider;
use crate::identity::client::SigningAlg;

/// The event that marks a JWT as a logout token.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token is valid: it is signed just before each attempt, so only a slow receiver needs more.
const LIFETIME: i64 = 120;

/// Who is logged out, and where.
pub struct LoggedOut<'a> {
    pub client_id: &'a str,
    pub sub: &'a str,
    pub sid: Option<&'a str>,
}

/// Signs a logout token for `out.client_id` with `alg`, issued at `now`.
pub fn sign(
    p: &Provider,
    alg: SigningAlg,
    out: &LoggedOut<'_>,
    now: i64,
) -> Result<String, TokenError> {
    let mut claims = json!({
        "iss": p.issuer,
        "aud": out.client_id,
        "iat": now,
        "exp": now + LIFETIME,
        "jti": crate::secret::new_id(),
        "sub": out.sub,
        "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
    });
    if let Some(sid) = out.sid {
        claims["sid"] = json!(sid);
    }
    jwt::sign(p.keys.signer(alg)?, "logout+jwt", &claims)
}
