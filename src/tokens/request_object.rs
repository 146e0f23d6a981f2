//! Request objects (RFC 9101, OIDC Core §6.1): an authorization request as a JWS signed by the client, at the
//! authorization endpoint and at the PAR endpoint. The signature is checked with the client's keys
//! ([`client_auth::signing_keys`]); `iss`, `aud`, `exp`, `nbf` and `jti` are checked here, and each `jti` is
//! recorded so a replay fails. RFC 9101 §6.3: once the object verifies, only its parameters are used; the
//! outer request contributes `client_id` alone (which the object must repeat if it names one).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::assertion::LEEWAY;
use super::authorization::AuthorizeParams;
use super::client_auth::{self, RegisteredClient};
use super::error::TokenError;
use super::jwt;
use super::provider::Provider;
use crate::state::AppState;
use crate::store::pushed_requests;

/// The algorithms a request object may be signed with (`request_object_signing_alg_values_supported`).
pub const SIGNING_ALGS: [&str; 3] = ["RS256", "ES256", "EdDSA"];
/// Longest a request object may live; its `jti` is remembered that long.
const MAX_LIFETIME: i64 = 3600;
/// Largest request object read, in bytes.
const MAX_SIZE: usize = 32 * 1024;
const MAX_JTI: usize = 256;

fn refused(why: impl Into<String>) -> TokenError {
    TokenError::InvalidRequestObject(why.into())
}

/// The request `object` of `client`, verified and recorded, as the parameters of the authorization request
/// (with the outer request's `client_id`).
pub async fn unpack(
    app: &AppState,
    p: &Provider,
    client: &RegisteredClient,
    object: &str,
) -> Result<AuthorizeParams, TokenError> {
    if object.len() > MAX_SIZE {
        return Err(refused("the request object is too large"));
    }
    // RFC 7516 §9: a JWE has five parts, a JWS three.
    if object.split('.').count() == 5 {
        return Err(refused(
            "encrypted request objects (JWE) are not supported; sign it (JWS)",
        ));
    }
    let (alg, kid) = header(object, client)?;
    let keys = client_auth::signing_keys(app, client, kid.as_deref())
        .await
        .map_err(|e| refused(format!("the client's keys cannot be read: {e}")))?;
    let mut validation = Validation::new(alg);
    // The claims are checked below against Tarn's clock (jsonwebtoken would read the system clock).
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims: Value = jwt::verify(object, &keys, &validation).map_err(|e| {
        refused(format!(
            "the request object is not signed by a key of the client: {e}"
        ))
    })?;
    let jti = check(&claims, &client.row.id, &p.issuer, app.clock.now())?;
    let (key, until) = (
        crate::secret::hash(&format!("{}:{}", client.row.id, jti.jti)),
        jti.replayable_until,
    );
    let fresh = app
        .db
        .run(move |c| pushed_requests::record_request_object(c, &key, until))
        .await?;
    if !fresh {
        return Err(refused(
            "the request object was already used (jti replayed)",
        ));
    }
    let mut params = parameters(&claims)?;
    params.client_id = Some(client.row.id.clone());
    Ok(params)
}

/// The header's algorithm, if accepted (one of [`SIGNING_ALGS`], or the client's registered
/// `request_object_signing_alg`), and its `kid`. `none` is never accepted: the object must be signed.
fn header(
    object: &str,
    client: &RegisteredClient,
) -> Result<(Algorithm, Option<String>), TokenError> {
    let raw: Value = object
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| refused("the request object is not a JWS"))?;
    let alg = raw.get("alg").and_then(Value::as_str).unwrap_or_default();
    if alg.eq_ignore_ascii_case("none") {
        return Err(refused("unsigned request objects (alg none) are refused"));
    }
    let allowed = match client.metadata.request_object_signing_alg {
        Some(registered) => registered.name() == alg,
        None => SIGNING_ALGS.contains(&alg),
    };
    if !allowed {
        return Err(refused(format!(
            "the request object's alg `{alg}` is not accepted for this client"
        )));
    }
    let alg = alg
        .parse()
        .map_err(|_| refused("the request object's alg is unknown"))?;
    let kid = raw.get("kid").and_then(Value::as_str).map(str::to_owned);
    Ok((alg, kid))
}

/// A request object whose claims passed: its `jti`, to be remembered until `replayable_until`.
#[derive(Debug, PartialEq, Eq)]
struct Checked {
    jti: String,
    replayable_until: i64,
}

/// RFC 9101 §4, §6.3 and RFC 9126 §3: `iss` is the client, `aud` names the issuer, `exp` is required and at
/// most an hour ahead, `nbf` (when present) has passed, a `jti` is there, the object names no other client
/// and does not nest another request.
fn check(claims: &Value, client_id: &str, issuer: &str, now: i64) -> Result<Checked, TokenError> {
    if claims.get("iss").and_then(Value::as_str) != Some(client_id) {
        return Err(refused("the request object's `iss` must be the client_id"));
    }
    if claims
        .get("client_id")
        .is_some_and(|c| c.as_str() != Some(client_id))
    {
        return Err(refused(
            "the request object's `client_id` differs from the request's",
        ));
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(one)) => one == issuer,
        Some(Value::Array(many)) => many.iter().any(|v| v.as_str() == Some(issuer)),
        _ => false,
    };
    if !audience_ok {
        return Err(refused(format!(
            "the request object's `aud` must be the issuer {issuer}"
        )));
    }
    let exp = seconds(claims, "exp")?.ok_or_else(|| refused("the request object needs `exp`"))?;
    if exp + LEEWAY <= now {
        return Err(refused("the request object has expired"));
    }
    if exp > now + MAX_LIFETIME + LEEWAY {
        return Err(refused(
            "the request object must not live longer than an hour",
        ));
    }
    if seconds(claims, "nbf")?.is_some_and(|nbf| nbf > now + LEEWAY) {
        return Err(refused("the request object is not valid yet (`nbf`)"));
    }
    if claims.get("request").is_some() || claims.get("request_uri").is_some() {
        return Err(refused(
            "a request object must not hold `request` or `request_uri`",
        ));
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty() && j.len() <= MAX_JTI && !j.chars().any(char::is_control))
        .ok_or_else(|| {
            refused("the request object needs a `jti` (1 to 256 printable characters)")
        })?;
    Ok(Checked {
        jti: jti.to_owned(),
        replayable_until: exp + LEEWAY,
    })
}

/// A NumericDate claim (RFC 7519 §2), if present.
fn seconds(claims: &Value, name: &str) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.floor() as i64)
            })
            .map(Some)
            .ok_or_else(|| refused(format!("the request object's `{name}` must be a number"))),
    }
}

/// The object's claims as authorization request parameters: strings as they are, anything else (`max_age` as
/// a number, `claims` as an object) as its JSON text, which is how the parameter would have been sent.
fn parameters(claims: &Value) -> Result<AuthorizeParams, TokenError> {
    let object = claims
        .as_object()
        .ok_or_else(|| refused("the request object's payload must be a JSON object"))?;
    let texts: Map<String, Value> = object
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (name.clone(), Value::String(text))
        })
        .collect();
    serde_json::from_value(Value::Object(texts)).map_err(|e| {
        refused(format!(
            "the request object's parameters cannot be read: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_000_000;
    const ISS: &str = "https://op/t/w";

    fn verdict(extra: Value) -> Result<Checked, TokenError> {
        let mut c = json!({"iss": "c", "aud": ISS, "exp": NOW + 60, "jti": "j"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        check(&c, "c", ISS, NOW)
    }

    #[test]
    fn claims_are_checked() {
        assert_eq!(
            verdict(json!({})).unwrap(),
            Checked {
                jti: "j".into(),
                replayable_until: NOW + 60 + LEEWAY
            }
        );
        assert!(verdict(json!({"aud": ["x", ISS], "client_id": "c"})).is_ok());
        for bad in [
            json!({"iss": "d"}),
            json!({"aud": "https://op/t/other"}),
            json!({"aud": null}),
            json!({"exp": null}),
            json!({"exp": NOW - LEEWAY}),
            json!({"exp": NOW + MAX_LIFETIME + LEEWAY + 1}),
            json!({"nbf": NOW + LEEWAY + 1}),
            json!({"jti": ""}),
            json!({"jti": null}),
            json!({"client_id": "d"}),
            json!({"request_uri": "urn:x"}),
        ] {
            assert!(verdict(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_string_claims_become_their_json_text() {
        let p = parameters(
            &json!({"max_age": 30, "claims": {"userinfo": {"email": null}}, "scope": "openid"}),
        )
        .unwrap();
        assert_eq!(p.max_age.as_deref(), Some("30"));
        assert_eq!(p.claims.as_deref(), Some(r#"{"userinfo":{"email":null}}"#));
        assert_eq!(p.scope.as_deref(), Some("openid"));
    }
}
