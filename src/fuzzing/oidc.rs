//! The OAuth endpoints' untrusted input: an authorization request's query string, and a token request's
//! `Authorization` header and form body.

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use actix_web::test::TestRequest;
use actix_web::web::Query;

use super::fixtures;
use crate::oidc::{client_auth, form};
use crate::tokens::authorization::{self, AuthorizeParams};

/// An authorization request's query (as `GET /oauth2/authorize?…` or the POSTed form), validated for no client,
/// the public client and the `private_key_jwt` client.
pub fn authorize_request(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(params) = Query::<AuthorizeParams>::from_query(query) else {
        return;
    };
    let params = params.into_inner();
    let _ = authorization::validate(&params, None);
    for client in fixtures::clients() {
        if let Ok(valid) = authorization::validate(&params, Some(client)) {
            let _ = authorization::check_pushed(&valid, client, false, false);
        }
        let _ = authorization::refusal(&params, Some(client), "invalid_request", "fuzzed");
    }
}

/// A token request: the first line is the `Authorization` header's value (empty for none), the rest the form
/// body. Parsed as the token endpoint does, up to the client id it claims.
pub fn token_request(data: &[u8]) {
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let mut req = TestRequest::default().insert_header((
        CONTENT_TYPE,
        "application/x-www-form-urlencoded;charset=UTF-8",
    ));
    if !header.is_empty() {
        let Ok(value) = HeaderValue::from_bytes(header) else {
            return;
        };
        req = req.insert_header((AUTHORIZATION, value));
    }
    let req = req.to_http_request();
    let Ok(params) = form::parse(&req, body) else {
        return;
    };
    let Ok(presented) = client_auth::presented(&req, &params) else {
        return;
    };
    let _ = crate::tokens::client_auth::claimed_id(&presented);
}
