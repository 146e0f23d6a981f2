//! `application/x-www-form-urlencoded` bodies of the OAuth endpoints: parameters must not repeat (RFC 6749 §3.1).

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;

use super::error::OAuthError;

/// The body's parameters; empty values count as absent.
pub fn parse(req: &HttpRequest, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !body.is_empty()
        && !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if value.is_empty() {
            continue;
        }
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(OAuthError::invalid_request(format!(
                "parameter `{name}` is repeated"
            )));
        }
    }
    Ok(params)
}
