//! The authorization endpoint's refusals (a page for a bad client or redirect URI, a redirect with `error` and
//! `state` for the rest), `prompt` with and without an SSO session, and `response_mode=form_post`.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{
    ALICE, Browser, PASSWORD, Page, REDIRECT, STATE, Setup, VERIFIER, jwt_claims,
};

/// A 400 page with an alert and no redirect anywhere.
#[track_caller]
fn assert_error_page(page: &Page) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(page.alert().is_some(), "the page explains: {}", page.body);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
}

/// A redirect to the client with `error`, the request's `state` and no code.
#[track_caller]
fn assert_redirected_error(page: &Page, error: &str) {
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert!(
        page.location.as_deref().unwrap().starts_with(REDIRECT),
        "{:?}",
        page.location
    );
    assert_eq!(
        page.redirect_param("error").as_deref(),
        Some(error),
        "{:?}",
        page.location
    );
    assert_eq!(page.redirect_param("state").as_deref(), Some(STATE));
    assert_eq!(page.redirect_param("code"), None);
}

#[actix_web::test]
async fn an_unknown_or_missing_client_id_gets_an_error_page_not_a_redirect() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let unknown = browser
        .get(&setup.authorize_url(&[("client_id", "no-such-client")]))
        .await;
    assert_error_page(&unknown);
    let missing = browser
        .get(&setup.authorize_url(&[("client_id", "")]))
        .await;
    assert_error_page(&missing);
}

#[actix_web::test]
async fn an_unregistered_or_missing_redirect_uri_gets_an_error_page_not_a_redirect() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    for uri in [
        "http://localhost:9999/elsewhere",
        "http://localhost:9999/callback/",
        "http://localhost:9999/callback?x=1",
        "",
    ] {
        let page = browser
            .get(&setup.authorize_url(&[("redirect_uri", uri)]))
            .await;
        assert_error_page(&page);
    }
}

#[actix_web::test]
async fn response_type_token_is_refused_at_the_redirect_uri_with_the_state() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let page = Browser::default()
        .get(&setup.authorize_url(&[("response_type", "token")]))
        .await;
    assert_redirected_error(&page, "unsupported_response_type");
    assert_eq!(page.redirect_param("iss"), Some(setup.issuer.clone()));
}

#[actix_web::test]
async fn pkce_must_use_s256() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let plain = browser
        .get(&setup.authorize_url(&[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ]))
        .await;
    assert_redirected_error(&plain, "invalid_request");
    let no_method = browser
        .get(&setup.authorize_url(&[("code_challenge_method", "")]))
        .await;
    assert_redirected_error(&no_method, "invalid_request");
}

#[actix_web::test]
async fn a_public_client_must_send_a_code_challenge() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({"token_endpoint_auth_method": "none"})).await;
    let page = Browser::default()
        .get(&setup.authorize_url(&[("code_challenge", ""), ("code_challenge_method", "")]))
        .await;
    assert_redirected_error(&page, "invalid_request");
}

#[actix_web::test]
async fn unsigned_request_objects_and_request_uris_by_reference_are_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let request = browser
        .get(&setup.authorize_url(&[("request", "eyJhbGciOiJub25lIn0.e30.")]))
        .await;
    assert_redirected_error(&request, "invalid_request_object");
    let request_uri = browser
        .get(&setup.authorize_url(&[("request_uri", "https://client.example/request.jwt")]))
        .await;
    assert_redirected_error(&request_uri, "request_uri_not_supported");
}

#[actix_web::test]
async fn prompt_none_without_a_session_gets_login_required() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let page = Browser::default()
        .get(&setup.authorize_url(&[("prompt", "none")]))
        .await;
    assert_redirected_error(&page, "login_required");
}

#[actix_web::test]
async fn prompt_none_with_a_session_returns_a_code_without_a_page() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    setup.code(&browser, &[]).await;

    let page = browser
        .get(&setup.authorize_url(&[("prompt", "none")]))
        .await;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert!(page.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(page.redirect_param("state").as_deref(), Some(STATE));
    let code = page.redirect_param("code").expect("a code straight away");
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn prompt_login_with_a_session_shows_the_login_page_again() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    setup.code(&browser, &[]).await;

    // Without prompt the session is reused ...
    let reused = browser.get(&setup.authorize_url(&[])).await;
    assert!(
        reused.redirect_param("code").is_some(),
        "{:?}",
        reused.location
    );
    // ... with prompt=login the user signs in again.
    let login = browser
        .login_page(&setup.authorize_url(&[("prompt", "login")]))
        .await;
    assert_eq!(login.input_type("password").as_deref(), Some("password"));
    let back = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert!(back.redirect_param("code").is_some(), "{:?}", back.location);
}

#[actix_web::test]
async fn form_post_answers_with_a_form_to_the_redirect_uri_and_no_inline_script() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser
        .login_page(&setup.authorize_url(&[("response_mode", "form_post")]))
        .await;
    let page = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.location, None);
    assert_eq!(page.form_action(), REDIRECT);
    assert!(
        page.body.to_lowercase().contains("method=\"post\""),
        "{}",
        page.body
    );
    assert_eq!(page.input_type("code").as_deref(), Some("hidden"));
    assert_eq!(page.input_type("state").as_deref(), Some("hidden"));
    assert_eq!(page.input("state").as_deref(), Some(STATE));
    assert_eq!(page.input("iss"), Some(setup.issuer.clone()));
    let scripts = page.scripts();
    assert!(
        scripts
            .iter()
            .all(|(src, text)| src.is_some() && text.trim().is_empty()),
        "only external scripts: {scripts:?}"
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("form-action http://localhost:9999"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");

    let code = page.input("code").expect("a code");
    let reply = setup.exchange(&code, VERIFIER).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
}

#[actix_web::test]
async fn the_authorization_endpoint_takes_post_like_get() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let url = url::Url::parse(&setup.authorize_url(&[])).unwrap();
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let endpoint = setup.endpoint("/oauth2/authorize");
    let res = browser
        .http
        .post(&endpoint)
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.contains("/login?request="), "{location}");

    let mut unknown = params.clone();
    unknown.retain(|(k, _)| k != "client_id");
    unknown.push(("client_id".into(), "no-such-client".into()));
    let res = browser
        .http
        .post(&endpoint)
        .form(&unknown)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
}

#[actix_web::test]
async fn max_age_asks_again_once_the_sign_in_is_older_and_zero_always_asks() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let code = setup.code(&browser, &[]).await;
    let first = setup.exchange(&code, VERIFIER).await.json;
    let auth_time = jwt_claims(first["id_token"].as_str().unwrap())["auth_time"].clone();

    // max_age=0 is prompt=login (OIDC Core §3.1.2.1), however recent the sign-in.
    browser
        .login_page(&setup.authorize_url(&[("max_age", "0")]))
        .await;

    srv.state.clock.advance(120);
    browser
        .login_page(&setup.authorize_url(&[("max_age", "60")]))
        .await;
    let page = browser
        .get(&setup.authorize_url(&[("max_age", "300")]))
        .await;
    let code = page
        .redirect_param("code")
        .expect("the session is recent enough");
    let reused = setup.exchange(&code, VERIFIER).await.json;
    let claims = jwt_claims(reused["id_token"].as_str().unwrap());
    assert_eq!(
        claims["auth_time"], auth_time,
        "auth_time is the original sign-in's"
    );
}

#[actix_web::test]
async fn errors_go_back_by_form_post_when_the_client_asks_for_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let page = Browser::default()
        .get(&setup.authorize_url(&[("prompt", "none"), ("response_mode", "form_post")]))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.location, None);
    assert_eq!(page.form_action(), REDIRECT);
    assert_eq!(page.input("error").as_deref(), Some("login_required"));
    assert_eq!(page.input("state").as_deref(), Some(STATE));
    assert_eq!(page.input("code"), None);
}

/// The ID token a browser's fresh sign-in as `identifier` yields.
async fn id_token_of(setup: &Setup, browser: &Browser, identifier: &str) -> String {
    let back = browser
        .sign_in(&setup.authorize_url(&[]), identifier, PASSWORD)
        .await;
    let code = back.redirect_param("code").expect("a code");
    let tokens = setup.exchange(&code, VERIFIER).await;
    tokens.json["id_token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_id_token_hint_for_another_user_does_not_reuse_the_session() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    admin.create_user(&setup.pool, "bob@example.com").await;
    let alice = Browser::default();
    let alices_hint = id_token_of(&setup, &alice, ALICE).await;
    let bobs_hint = id_token_of(&setup, &Browser::default(), "bob@example.com").await;

    // OIDC Core §3.1.2.1: alice's session is not bob's, so a silent request for bob needs a sign-in.
    let for_bob = alice
        .get(&setup.authorize_url(&[("prompt", "none"), ("id_token_hint", &bobs_hint)]))
        .await;
    assert_redirected_error(&for_bob, "login_required");
    let interactive = alice
        .get(&setup.authorize_url(&[("id_token_hint", &bobs_hint)]))
        .await;
    assert!(
        interactive.location.as_deref().unwrap().contains("/login?"),
        "{:?}",
        interactive.location
    );
    // Her own hint reuses her session.
    let for_alice = alice
        .get(&setup.authorize_url(&[("prompt", "none"), ("id_token_hint", &alices_hint)]))
        .await;
    assert!(
        for_alice.redirect_param("code").is_some(),
        "{:?}",
        for_alice.location
    );
}

#[actix_web::test]
async fn a_forged_id_token_hint_is_refused_at_the_redirect_uri() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let hint = id_token_of(&setup, &browser, ALICE).await;
    let mut claims = jwt_claims(&hint);
    claims["sub"] = json!("someone-else");
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let parts: Vec<&str> = hint.split('.').collect();
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
    for hint in [forged.as_str(), "not-a-jwt"] {
        let page = browser
            .get(&setup.authorize_url(&[("prompt", "none"), ("id_token_hint", hint)]))
            .await;
        assert_redirected_error(&page, "invalid_request");
    }
}

/// Values no database can store (PostgreSQL refuses NUL in text) and other control characters are refused as
/// `invalid_request` at the client's redirect URI, before anyone signs in: never a 500 once they have.
#[actix_web::test]
async fn authorization_parameters_with_control_characters_are_an_invalid_request() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    for (name, value) in [
        ("nonce", "n\u{0}nce"),
        ("nonce", "line\r\nbreak"),
        ("login_hint", "alice\u{0}@example.com"),
        ("scope", "openid\u{0}email"),
    ] {
        let page = Browser::default()
            .get(&setup.authorize_url(&[(name, value)]))
            .await;
        assert_redirected_error(&page, "invalid_request");
    }
    let page = Browser::default()
        .get(&setup.authorize_url(&[("state", "st\u{0}te")]))
        .await;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert_eq!(
        page.redirect_param("error").as_deref(),
        Some("invalid_request")
    );
    // The same request without them signs in as usual.
    let code = setup.code(&Browser::default(), &[("nonce", "n-1")]).await;
    assert_eq!(setup.exchange(&code, VERIFIER).await.status, StatusCode::OK);
}
