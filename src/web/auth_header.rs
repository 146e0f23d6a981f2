//! Reading the `Authorization` header: the one bearer-token parser, shared by the admin API and UserInfo so the
//! two cannot disagree about what a bearer credential looks like. Parsing only; what a token grants is decided
//! by the caller.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;

/// The token of an `Authorization: Bearer <token>` header, trimmed; `None` when the header is missing, is not
/// visible ASCII, names another scheme, or carries an empty token.
///
/// The scheme is compared without regard to case: auth schemes are case-insensitive (RFC 7235 §2.1), and
/// RFC 6750 §2.1 defines `Bearer` as one.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    parse_bearer(value)
}

fn parse_bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_scheme_is_matched_in_any_case() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR abc"] {
            assert_eq!(parse_bearer(value), Some("abc"), "{value}");
        }
    }

    #[test]
    fn the_token_is_trimmed_and_may_not_be_empty() {
        assert_eq!(parse_bearer("Bearer   abc  "), Some("abc"));
        assert_eq!(parse_bearer("Bearer "), None);
        assert_eq!(parse_bearer("Bearer    "), None);
        assert_eq!(parse_bearer("Bearer"), None);
    }

    #[test]
    fn other_schemes_are_not_bearer_tokens() {
        assert_eq!(parse_bearer("Basic YWxpY2U6cHc="), None);
        assert_eq!(parse_bearer("Bearerabc"), None);
        assert_eq!(parse_bearer("Bearer-x abc"), None);
        assert_eq!(parse_bearer(""), None);
    }

    #[test]
    fn reads_the_authorization_header_of_a_request() {
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "BEARER tok.en"))
            .to_http_request();
        assert_eq!(bearer(&req), Some("tok.en"));
        assert_eq!(bearer(&TestRequest::default().to_http_request()), None);
        let latin1 = TestRequest::default()
            .insert_header((
                AUTHORIZATION,
                HeaderValue::from_bytes(b"Bearer caf\xe9").unwrap(),
            ))
            .to_http_request();
        assert_eq!(bearer(&latin1), None);
    }
}
