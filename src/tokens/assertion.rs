//! The claims of a `private_key_jwt` client assertion (RFC 7523 §3, OIDC Core §9), checked after its signature:
//! `iss` = `sub` = the client id, an `aud` naming Tarn, `exp`, `jti`, and `nbf`/`iat` when present.
//! Pure rules over a clock reading; the caller records the `jti` (single use).

use serde_json::Value;

/// Clock skew tolerated between the client and Tarn, in seconds, for `exp`, `nbf` and `iat`
/// (RFC 7519 §4.1.4–4.1.6 allow "some small leeway, usually no more than a few minutes").
pub const LEEWAY: i64 = 60;
/// Longest an assertion may live: the replay record of its `jti` is kept that long.
pub const MAX_LIFETIME: i64 = 3600;
/// Longest `jti` kept for replay detection.
const MAX_JTI: usize = 256;

/// An assertion whose claims passed: its `jti`, to be recorded until `replayable_until`.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub jti: String,
    /// The last second at which the assertion would still be accepted (its `exp` plus the leeway).
    pub replayable_until: i64,
}

/// Checks the claims of an assertion whose signature is verified. `audiences` are the values accepted as
/// `aud`: the issuer, the token endpoint URL and the URL of the endpoint being called.
pub fn check(
    claims: &Value,
    client_id: &str,
    audiences: &[&str],
    now: i64,
) -> Result<Checked, String> {
    for name in ["iss", "sub"] {
        if claims.get(name).and_then(Value::as_str) != Some(client_id) {
            return Err(format!("client_assertion `{name}` must be the client_id"));
        }
    }
    check_audience(claims.get("aud"), audiences)?;
    let exp = numeric_date(claims, "exp")?.ok_or("client_assertion needs `exp`")?;
    if exp + LEEWAY <= now {
        return Err("client_assertion has expired".into());
    }
    if exp > now + MAX_LIFETIME + LEEWAY {
        return Err("client_assertion must not live longer than an hour".into());
    }
    for name in ["nbf", "iat"] {
        if numeric_date(claims, name)?.is_some_and(|t| t > now + LEEWAY) {
            return Err(format!("client_assertion `{name}` is in the future"));
        }
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty() && j.len() <= MAX_JTI && !j.chars().any(char::is_control))
        .ok_or("client_assertion needs a `jti` (1 to 256 printable characters)")?;
    Ok(Checked {
        jti: jti.to_owned(),
        replayable_until: exp + LEEWAY,
    })
}

/// RFC 7523 §3 item 3: `aud` is required and one of its values must identify Tarn; RFC 7519 §4.1.3 allows
/// a string or an array of strings.
fn check_audience(aud: Option<&Value>, audiences: &[&str]) -> Result<(), String> {
    let values: Vec<&str> = match aud {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(|v| v.as_str().ok_or("client_assertion `aud` must hold strings"))
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err("client_assertion `aud` must be a string or an array of strings".into());
        }
        None => return Err("client_assertion needs `aud`".into()),
    };
    if values.iter().any(|v| audiences.contains(v)) {
        Ok(())
    } else {
        Err(format!(
            "client_assertion `aud` must name this server: one of {}",
            audiences.join(", ")
        ))
    }
}

/// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional), if present.
fn numeric_date(claims: &Value, name: &str) -> Result<Option<i64>, String> {
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
            .ok_or_else(|| format!("client_assertion `{name}` must be a number of seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_000_000;
    const AUD: [&str; 2] = ["https://op/t/w", "https://op/t/w/oauth2/token"];

    fn claims(extra: Value) -> Value {
        let mut c = json!({"iss": "c", "sub": "c", "aud": AUD[1], "exp": NOW + 60, "jti": "j"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    }

    fn verdict(extra: Value) -> Result<Checked, String> {
        check(&claims(extra), "c", &AUD, NOW)
    }

    #[test]
    fn a_good_assertion_is_recorded_until_its_exp_plus_the_leeway() {
        let checked = verdict(json!({})).unwrap();
        assert_eq!(
            checked,
            Checked {
                jti: "j".into(),
                replayable_until: NOW + 60 + LEEWAY
            }
        );
        assert!(verdict(json!({"aud": ["x", AUD[0]]})).is_ok());
        assert!(verdict(json!({"exp": (NOW + 60) as f64 + 0.5})).is_ok());
    }

    #[test]
    fn the_leeway_is_a_minute_each_way() {
        assert!(verdict(json!({"nbf": NOW + LEEWAY})).is_ok());
        assert!(verdict(json!({"nbf": NOW + LEEWAY + 1})).is_err());
        assert!(verdict(json!({"iat": NOW + LEEWAY + 1})).is_err());
        assert!(verdict(json!({"exp": NOW - LEEWAY + 1})).is_ok());
        assert!(verdict(json!({"exp": NOW - LEEWAY})).is_err());
        assert!(verdict(json!({"exp": NOW + MAX_LIFETIME + LEEWAY + 1})).is_err());
    }

    #[test]
    fn missing_or_malformed_claims_are_refused() {
        for extra in [
            json!({"aud": null}),
            json!({"aud": []}),
            json!({"aud": [1]}),
            json!({"aud": "https://elsewhere"}),
            json!({"exp": null}),
            json!({"exp": "soon"}),
            json!({"iss": "d"}),
            json!({"sub": null}),
            json!({"jti": ""}),
            json!({"jti": 7}),
            json!({"jti": "a\u{0}"}),
            json!({"jti": "j".repeat(257)}),
        ] {
            assert!(verdict(extra.clone()).is_err(), "{extra}");
        }
        let mut no_aud = claims(json!({}));
        no_aud.as_object_mut().unwrap().remove("aud");
        assert!(check(&no_aud, "c", &AUD, NOW).is_err());
    }
}
