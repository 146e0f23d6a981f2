//! The token endpoint's refusals (RFC 6749 §5.2): replayed, expired, misbound codes, client authentication,
//! grant types, malformed requests, and `client_credentials`.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{Browser, REDIRECT, Reply, Setup, VERIFIER, http, jwt_claims};

#[actix_web::test]
async fn a_replayed_code_is_refused_and_revokes_what_it_issued() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let first = setup.exchange(&code, VERIFIER).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let access = first.json["access_token"].as_str().unwrap();
    let refresh = first.json["refresh_token"].as_str().unwrap();
    assert_eq!(setup.userinfo(access).await.status, StatusCode::OK);

    let second = setup.exchange(&code, VERIFIER).await;
    second.assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let info = setup.userinfo(access).await;
    info.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    setup
        .refresh(refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_code_refused_after_it_was_claimed_stays_used() {
    // The claim, the event and the refresh token commit together; a refusal after the claim (here: the user was
    // deactivated, which revokes the grant) must still leave the code used, not roll the claim back.
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    let (status, body) = admin.patch(&path, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let first = setup.exchange(&code, VERIFIER).await;
    first.assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let second = setup.exchange(&code, VERIFIER).await;
    second.assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let why = second.json["error_description"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("already used"), "{}", second.json);
}

#[actix_web::test]
async fn a_wrong_or_missing_pkce_verifier_is_invalid_grant() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx";
    setup
        .exchange(&code, wrong)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    setup
        .post("/oauth2/token", &form)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_code_cannot_be_redeemed_by_another_client() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let thief = setup.another_client(&admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    thief
        .exchange(&code, VERIFIER)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_code_must_come_back_with_its_redirect_uri() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://localhost:9999/other"),
        ("code_verifier", VERIFIER),
    ];
    setup
        .post("/oauth2/token", &form)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_code_older_than_a_minute_is_invalid_grant() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    srv.state.clock.advance(61);
    setup
        .exchange(&code, VERIFIER)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn a_wrong_client_secret_is_invalid_client_with_a_basic_challenge() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    for (id, secret) in [
        (setup.client_id.as_str(), "not-the-secret"),
        ("unknown-client", setup.client_secret.as_deref().unwrap()),
    ] {
        let res = http()
            .post(setup.endpoint("/oauth2/token"))
            .basic_auth(id, Some(secret))
            .form(&form)
            .send()
            .await
            .unwrap();
        let reply = Reply::read(res).await;
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
        let challenge = reply.header("www-authenticate").expect("a challenge");
        assert!(challenge.starts_with("Basic"), "{challenge}");
    }
    // The code survived the failed attempts.
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn an_unknown_grant_type_is_unsupported_grant_type() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    for grant_type in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ] {
        let form = [
            ("grant_type", grant_type),
            ("username", "x"),
            ("password", "y"),
        ];
        setup
            .post("/oauth2/token", &form)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
}

#[actix_web::test]
async fn a_grant_type_the_client_did_not_register_is_unauthorized_client() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let reply = setup
        .post("/oauth2/token", &[("grant_type", "client_credentials")])
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "unauthorized_client");
    let no_refresh = setup
        .another_client(&admin, json!({"grant_types": ["authorization_code"]}))
        .await;
    let tokens = no_refresh.tokens(&[]).await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    no_refresh
        .refresh("anything")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unauthorized_client");
}

#[actix_web::test]
async fn token_responses_are_never_cached() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let ok = setup.exchange(&code, VERIFIER).await;
    assert_eq!(ok.status, StatusCode::OK);
    let refused = setup.exchange(&code, VERIFIER).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    for reply in [&ok, &refused] {
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[actix_web::test]
async fn a_repeated_parameter_is_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let code = setup.code(&Browser::default(), &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("code", "another"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    setup
        .post("/oauth2/token", &form)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    // The code was not touched by the malformed request.
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn client_credentials_issues_an_access_token_for_the_client_only() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"grant_types": ["client_credentials"]})).await;
    let reply = setup
        .post(
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("scope", "openid email"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(reply.json.get("id_token").is_none(), "{}", reply.json);
    assert!(reply.json.get("refresh_token").is_none(), "{}", reply.json);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(
        reply.json["scope"], "email",
        "openid has no user to attach to"
    );
    let access = reply.json["access_token"].as_str().unwrap();
    let claims = jwt_claims(access);
    assert_eq!(claims["sub"], setup.client_id.as_str());
    assert_eq!(claims["client_id"], setup.client_id.as_str());

    let info = setup.userinfo(access).await;
    assert!(
        matches!(
            (info.status, info.json["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("insufficient_scope"))
                | (StatusCode::UNAUTHORIZED, Some("invalid_token"))
        ),
        "{:?} {}",
        info.status,
        info.json
    );
}

#[actix_web::test]
async fn a_body_that_is_not_form_encoded_is_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let res = http()
        .post(setup.endpoint("/oauth2/token"))
        .basic_auth(&setup.client_id, setup.client_secret.as_deref())
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    Reply::read(res)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

/// A client id no database can store (PostgreSQL refuses NUL in text) names no client: the caller gets
/// `invalid_client` (or the error page at the authorization endpoint), never a 500 logged as ERROR.
#[actix_web::test]
async fn a_client_id_no_database_can_store_is_an_unknown_client_not_a_server_error() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let odd = "client\u{0}id";
    for path in ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"] {
        let body = [
            ("grant_type", "client_credentials"),
            ("token", "x"),
            ("client_id", odd),
            ("client_secret", "s"),
        ];
        let res = http()
            .post(setup.endpoint(path))
            .form(&body)
            .send()
            .await
            .unwrap();
        Reply::read(res)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
        let res = http()
            .post(setup.endpoint(path))
            .basic_auth(odd, Some("s"))
            .form(&[("grant_type", "client_credentials"), ("token", "x")])
            .send()
            .await
            .unwrap();
        Reply::read(res)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let page = Browser::default()
        .get(&setup.authorize_url(&[("client_id", odd)]))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let (status, _) = admin
        .get("/default/workspaces/default/clients/client%00id")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
