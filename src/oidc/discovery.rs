//! OpenID Connect Discovery 1.0 / RFC 8414 metadata, rendered once per provider and served from memory.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::{Op, endpoint};
use crate::identity::client::DEVICE_CODE_GRANT;
use crate::identity::workspace::RegistrationMode;
use crate::tokens::Provider;
use crate::tokens::authorization::{PROMPT_VALUES, SUPPORTED_CLAIMS, SUPPORTED_SCOPES};
use crate::tokens::client_auth::ASSERTION_ALGORITHMS;
use crate::web::methods;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/.well-known/openid-configuration")
            .route(methods::get().to(get_discovery))
            .route(super::preflight()),
    );
}

/// RFC 8414 §3: metadata for issuer `https://h/t/w` also lives at `https://h/.well-known/oauth-authorization-server/t/w`.
pub fn configure_root(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/.well-known/oauth-authorization-server/{tenant}/{workspace}")
            .route(methods::get().to(get_discovery)),
    );
}

async fn get_discovery(op: Op) -> HttpResponse {
    let body = op.0.discovery_json.get_or_init(|| document(&op.0)).clone();
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(body)
}

fn document(p: &Provider) -> String {
    let algs = ["RS256", "ES256", "EdDSA"];
    let mut document = json!({
        "issuer": p.issuer,
        "authorization_endpoint": endpoint(p, "/oauth2/authorize"),
        "token_endpoint": endpoint(p, super::token::PATH),
        "userinfo_endpoint": endpoint(p, "/oauth2/userinfo"),
        "jwks_uri": endpoint(p, "/.well-known/jwks.json"),
        "revocation_endpoint": endpoint(p, "/oauth2/revoke"),
        "introspection_endpoint": endpoint(p, "/oauth2/introspect"),
        "end_session_endpoint": endpoint(p, "/oauth2/logout"),
        "device_authorization_endpoint": endpoint(p, super::device::PATH),
        "pushed_authorization_request_endpoint": endpoint(p, super::par::PATH),
        "require_pushed_authorization_requests": p.require_pushed_authorization_requests,
        "scopes_supported": SUPPORTED_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", DEVICE_CODE_GRANT],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        // UserInfo answers JSON only, so no `userinfo_signing_alg_values_supported` (OIDC Discovery §3).
        // RFC 8414 §2: each endpoint lists what it accepts; revocation takes a public client's client_id
        // (RFC 7009 §5), introspection only confidential clients. Signing algorithms go with private_key_jwt.
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        // RFC 9126 §2: the PAR endpoint authenticates clients as the token endpoint does (the lists above).
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": SUPPORTED_CLAIMS,
        "claims_parameter_supported": true,
        // RFC 9101: request objects by value, signed; by reference only as PAR's `request_uri` (RFC 9126),
        // which needs no `request_uri_parameter_supported` (that is for URIs the server fetches).
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": crate::tokens::request_object::SIGNING_ALGS,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "authorization_response_iss_parameter_supported": true,
        "prompt_values_supported": PROMPT_VALUES,
        "display_values_supported": ["page"],
        "claim_types_supported": ["normal"],
        // Back-Channel Logout 1.0 §2.1: logout tokens carry `sid`, and ID tokens do too.
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        // RFC 9449 §5.1: proofs are accepted with these algorithms.
        "dpop_signing_alg_values_supported": crate::tokens::dpop::SIGNING_ALGS,
    });
    // Named exactly when the workspace takes registrations (RFC 8414 §2, RFC 7591 §3).
    if p.dynamic_registration != RegistrationMode::Off {
        document["registration_endpoint"] = endpoint(p, super::register::PATH).into();
    }
    document.to_string()
}
