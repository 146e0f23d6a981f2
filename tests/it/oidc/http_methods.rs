//! HTTP details of the protocol endpoints: HEAD wherever GET is served, 405 for a method an endpoint does not take,
//! and an unreadable body answered as an OAuth error (RFC 6749 §5.2 JSON), not as plain text.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::oidc::{Setup, http};

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    for url in [
        setup.endpoint("/.well-known/openid-configuration"),
        setup.endpoint("/.well-known/jwks.json"),
        srv.url("/healthz"),
        srv.url("/static/css/tarn.css"),
    ] {
        let get = http().get(&url).send().await.unwrap();
        let head = http().head(&url).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{url}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "{url}"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{url}: no body");
    }
}

#[actix_web::test]
async fn a_method_an_oauth_endpoint_does_not_take_is_405() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    for (method, path) in [
        (Method::GET, "/oauth2/token"),
        (Method::GET, "/oauth2/revoke"),
        (Method::GET, "/oauth2/introspect"),
        (Method::DELETE, "/oauth2/authorize"),
        (Method::PUT, "/.well-known/jwks.json"),
        (Method::POST, "/.well-known/openid-configuration"),
    ] {
        let res = http()
            .request(method.clone(), setup.endpoint(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn an_oversized_body_at_an_oauth_endpoint_is_an_oauth_error() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    for path in ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"] {
        let body = format!(
            "grant_type=client_credentials&pad={}",
            "x".repeat(300 * 1024)
        );
        let res = http()
            .post(setup.endpoint(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["error"], "invalid_request", "{path}: {json}");
    }
}
