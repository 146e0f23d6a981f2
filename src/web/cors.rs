//! CORS for the endpoints that single-page applications call from their own origin: discovery, JWKS, token,
//! UserInfo, revocation and introspection. Any origin may call them, never with credentials (cookies); the
//! hosted pages and the authorization endpoint get no CORS at all.

use actix_web::HttpResponse;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, HeaderValue,
};

/// Path endings (inside a workspace) that answer cross-origin requests.
const PUBLIC: [&str; 7] = [
    "/.well-known/openid-configuration",
    "/.well-known/jwks.json",
    "/oauth2/token",
    "/oauth2/userinfo",
    "/oauth2/revoke",
    "/oauth2/introspect",
    "/.well-known/oauth-authorization-server",
];

/// Whether responses on `path` may be read by any origin.
pub fn is_public(path: &str) -> bool {
    PUBLIC.iter().any(|p| path.ends_with(p))
        || path.starts_with("/.well-known/oauth-authorization-server/")
}

/// `res` readable by any origin when its path is one of the public endpoints.
pub fn allow_public<B>(path_is_public: bool, mut res: ServiceResponse<B>) -> ServiceResponse<B> {
    if path_is_public {
        res.headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        // A browser client reads the DPoP nonce and the challenge it answers (RFC 9449 §8).
        res.headers_mut().insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("DPoP-Nonce, WWW-Authenticate"),
        );
    }
    res
}

/// The answer to a CORS preflight (`OPTIONS`).
pub async fn preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
        .insert_header((
            ACCESS_CONTROL_ALLOW_HEADERS,
            "authorization, content-type, dpop",
        ))
        .insert_header((ACCESS_CONTROL_MAX_AGE, "86400"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_the_json_endpoints_are_public() {
        assert!(is_public("/acme/shop/oauth2/token"));
        assert!(is_public("/acme/shop/.well-known/jwks.json"));
        assert!(is_public(
            "/.well-known/oauth-authorization-server/acme/shop"
        ));
        assert!(!is_public("/acme/shop/login"));
        assert!(!is_public("/acme/shop/oauth2/authorize"));
        assert!(!is_public("/acme/shop/oauth2/logout"));
        assert!(!is_public("/api/admin/tenants"));
    }
}
