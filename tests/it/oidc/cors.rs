//! Cross-origin access for single-page apps: the JSON endpoints answer any origin (no credentials); pages do not.

use reqwest::{Method, StatusCode};

use crate::support::TestServer;

#[actix_web::test]
async fn json_endpoints_allow_any_origin_and_answer_preflights() {
    let (srv, _) = TestServer::start().await;
    let http = reqwest::Client::new();
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
    ] {
        let res = http
            .get(srv.url(&format!("/default/default{path}")))
            .header("Origin", "https://spa.example")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
        assert!(
            res.headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
    }
    for path in [
        "/oauth2/token",
        "/oauth2/userinfo",
        "/oauth2/revoke",
        "/oauth2/introspect",
    ] {
        let res = http
            .request(Method::OPTIONS, srv.url(&format!("/default/default{path}")))
            .header("Origin", "https://spa.example")
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
        assert!(
            res.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .contains("authorization")
        );
    }
    let token_error = http
        .post(srv.url("/default/default/oauth2/token"))
        .form(&[("grant_type", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        token_error.headers()["access-control-allow-origin"],
        "*",
        "errors are readable cross-origin too"
    );
    let login = http
        .get(srv.url("/default/default/login"))
        .send()
        .await
        .unwrap();
    assert!(login.headers().get("access-control-allow-origin").is_none());
    let authorize = http
        .get(srv.url("/default/default/oauth2/authorize"))
        .send()
        .await
        .unwrap();
    assert!(
        authorize
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
