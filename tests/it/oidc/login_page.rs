//! The hosted login page: its form, its headers and cookies, CSRF protection, indistinguishable failures, and
//! the lockout after repeated wrong passwords.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, REDIRECT, Setup};
use crate::support::{Admin, TestServer};

/// Asserts a failed sign-in: the page again (200), an alert, and nothing sent to the client.
#[track_caller]
fn assert_refused(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.location, None, "no redirect, so no code");
    assert!(
        !page.body.contains(REDIRECT),
        "nothing points to the client"
    );
    assert!(page.input_type("password").is_some(), "the form again");
    page.alert().expect("an alert")
}

async fn user(admin: &Admin, pool: &str, email: &str) -> String {
    admin.create_user(pool, email).await
}

#[actix_web::test]
async fn the_login_page_has_the_contract_fields_and_strict_headers() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let login = Browser::default()
        .login_page(&setup.authorize_url(&[]))
        .await;
    assert_eq!(login.input_type("identifier").as_deref(), Some("text"));
    assert_eq!(login.input_type("password").as_deref(), Some("password"));
    assert_eq!(login.input_type("csrf_token").as_deref(), Some("hidden"));
    assert_eq!(login.input("csrf_token").unwrap().len(), 43);
    assert_eq!(login.alert(), None, "no error before an attempt");
    let csp = login.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // The form posts to Tarn, whose answer redirects to the client: browsers check that redirect against
    // `form-action` too, so exactly the client's origin is allowed beside Tarn's own.
    assert!(
        csp.contains("form-action 'self' http://localhost:9999;"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(login.header("x-frame-options"), Some("DENY"));
    assert_eq!(login.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let csrf_cookie = login.set_cookie("tarn_csrf").expect("a CSRF cookie");
    assert!(csrf_cookie.contains("HttpOnly"), "{csrf_cookie}");
    assert!(csrf_cookie.contains("SameSite=Lax"), "{csrf_cookie}");
}

#[actix_web::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let back = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::FOUND);
    let cookie = back.set_cookie("tarn_session").expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/default/default"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[actix_web::test]
async fn every_failed_sign_in_shows_the_same_message_and_issues_no_code() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let inactive = user(&admin, &setup.pool, "bob@example.com").await;
    let (status, _) = admin
        .patch(
            &format!("/default/pools/{}/users/{inactive}", setup.pool),
            json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let elsewhere = admin.create_pool("not connected").await;
    user(&admin, &elsewhere, "carol@example.com").await;

    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let mut messages = Vec::new();
    for (identifier, password) in [
        (ALICE, "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("bob@example.com", PASSWORD),
        ("carol@example.com", PASSWORD),
    ] {
        let page = browser.submit_login(&login, identifier, password).await;
        messages.push(assert_refused(&page));
    }
    assert!(messages.iter().all(|m| m == &messages[0]), "{messages:?}");
    assert!(!messages[0].is_empty());

    // The same form still works with the right password.
    let back = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);
}

#[actix_web::test]
async fn a_sign_in_without_the_matching_csrf_token_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (action, request) = (login.form_action(), login.input("request").unwrap());
    let credentials = [
        ("request", request.as_str()),
        ("identifier", ALICE),
        ("password", PASSWORD),
    ];

    let missing = browser.post_form(&action, &credentials).await;
    let wrong_token = "A".repeat(43);
    let mut with_wrong = credentials.to_vec();
    with_wrong.push(("csrf_token", &wrong_token));
    let wrong = browser.post_form(&action, &with_wrong).await;
    // The right token from a browser without the CSRF cookie (a cross-site post).
    let token = login.input("csrf_token").unwrap();
    let mut with_token = credentials.to_vec();
    with_token.push(("csrf_token", &token));
    let cross_site = Browser::default().post_form(&action, &with_token).await;
    for page in [&missing, &wrong, &cross_site] {
        assert_ne!(page.status, StatusCode::FOUND, "{:?}", page.location);
        assert_eq!(page.location, None);
        assert!(page.alert().is_some(), "{}", page.body);
        assert!(
            page.set_cookie("tarn_session").is_none(),
            "no session started"
        );
    }

    let back = browser.post_form(&action, &with_token).await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);
}

#[actix_web::test]
async fn five_wrong_passwords_lock_the_identifier_until_time_passes() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    user(&admin, &setup.pool, "bob@example.com").await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let mut failed = None;
    for _ in 0..5 {
        let page = browser.submit_login(&login, ALICE, "wrong password").await;
        failed = Some(assert_refused(&page));
    }
    let locked = browser.submit_login(&login, ALICE, PASSWORD).await;
    let message = assert_refused(&locked);
    assert_ne!(
        Some(&message),
        failed.as_ref(),
        "the lockout has its own message"
    );
    assert!(message.to_lowercase().contains("too many"), "{message}");

    // Another identifier from the same address is not locked.
    let other = Browser::default();
    let back = other
        .sign_in(&setup.authorize_url(&[]), "bob@example.com", PASSWORD)
        .await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);

    srv.state.clock.advance(60);
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let back = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);
}

#[actix_web::test]
async fn the_login_hint_fills_in_the_identifier() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let login = Browser::default()
        .login_page(&setup.authorize_url(&[("login_hint", ALICE)]))
        .await;
    assert_eq!(login.input("identifier").as_deref(), Some(ALICE));
}

#[actix_web::test]
async fn a_sign_in_request_left_waiting_for_half_an_hour_expires() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    srv.state.clock.advance(31 * 60);
    let page = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.location, None);
    assert!(page.alert().is_some());
    assert!(page.set_cookie("tarn_session").is_none());
}

#[actix_web::test]
async fn hashing_memory_given_back_when_idle_is_acquired_again_for_the_next_sign_in() {
    let (srv, admin) = TestServer::start().await;
    // Setting Alice's password hashed it, so a hashing thread holds its working memory.
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let hasher = &srv.state.hasher;
    assert!(hasher.acquisitions() >= 1);
    let mut waits = 0;
    while hasher.held_kib() > 0 && waits < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waits += 1;
    }
    assert_eq!(hasher.held_kib(), 0, "released while idle");
    let before = hasher.acquisitions();
    let signed_in = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(signed_in.status, StatusCode::FOUND, "{}", signed_in.body);
    assert!(signed_in.location.as_deref().unwrap().starts_with(REDIRECT));
    assert!(
        hasher.acquisitions() > before,
        "the verification mapped it again"
    );
}
