//! What every hosted-page form does with a post it cannot act on: a forged or missing CSRF token, a body that is
//! not a form, a query string that cannot be read. Always a page (never the OAuth endpoints' JSON), and nothing
//! behind the form runs.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup};

/// Asserts the "form expired" page: a 400 HTML page with the page CSP and an alert, and no session started.
#[track_caller]
fn assert_form_page(page: &Page, alert: &str) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let content_type = page.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/html"),
        "{content_type}: {}",
        page.body
    );
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("style-src 'self'"), "the page CSP: {csp}");
    assert!(
        page.alert().unwrap_or_default().contains(alert),
        "{}",
        page.body
    );
    assert_eq!(page.location, None, "nothing redirected");
    assert!(
        page.set_cookie("tarn_session").is_none(),
        "no session started"
    );
}

#[actix_web::test]
async fn every_hosted_form_refuses_a_post_without_its_csrf_token_with_a_page() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let request = login.input("request").unwrap();
    let base = srv.state.config.public_url().to_owned();
    let forms = [
        setup.endpoint("/login"),
        setup.endpoint("/login/code"),
        setup.endpoint("/login/passkey"),
        setup.endpoint("/login/continue"),
        setup.endpoint("/password-reset"),
        setup.endpoint("/password-reset/confirm"),
        setup.endpoint("/register"),
        setup.endpoint("/register/code"),
        setup.endpoint("/register/passkey"),
        setup.endpoint("/register/passkey/skip"),
        setup.endpoint("/account/passkeys"),
        setup.endpoint("/account/passkeys/some-passkey/rename"),
        setup.endpoint("/account/passkeys/some-passkey/remove"),
        format!("{base}/invitations/some-token"),
        format!("{base}/invitations/some-token/passkey"),
        format!("{base}/verifications/some-token"),
    ];
    for url in &forms {
        let fields = [
            ("csrf_token", "forged"),
            ("request", request.as_str()),
            ("identifier", ALICE),
            ("password", PASSWORD),
        ];
        let page = browser.post_form(url, &fields).await;
        assert_form_page(&page, "This form has expired");
    }
    // The request was not touched: the right token still signs in.
    let back = browser.submit_login(&login, ALICE, PASSWORD).await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);
}

#[actix_web::test]
async fn a_body_that_is_not_a_form_gets_a_page_not_an_oauth_error() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let res = browser
        .http
        .post(login.form_action())
        .json(&json!({"identifier": ALICE, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let page = Page {
        status: res.status(),
        headers: res.headers().clone(),
        location: None,
        body: res.text().await.unwrap(),
    };
    assert!(!page.body.contains("invalid_request"), "{}", page.body);
    assert_form_page(&page, "does not accept");
}

#[actix_web::test]
async fn a_query_string_that_cannot_be_read_gets_a_page() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let page = Browser::default()
        .get(&setup.endpoint("/login?request=a&request=b"))
        .await;
    assert_form_page(&page, "does not accept");
}

#[actix_web::test]
async fn a_planted_csrf_cookie_with_its_own_value_as_the_token_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (action, request) = (login.form_action(), login.input("request").unwrap());
    // A cookie set from a sibling subdomain, and the same value in the form: a plain double submit.
    let planted = "P".repeat(43);
    let res = Browser::default()
        .http
        .post(&action)
        .header("cookie", format!("tarn_csrf={planted}"))
        .form(&[
            ("csrf_token", planted.as_str()),
            ("request", request.as_str()),
            ("identifier", ALICE),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("tarn_session"))
    );
    // The page's token is not its cookie's value either.
    let cookie = login.set_cookie("tarn_csrf").unwrap();
    let value = cookie["tarn_csrf=".len()..].split(';').next().unwrap();
    assert_ne!(login.input("csrf_token").as_deref(), Some(value));
}

#[actix_web::test]
async fn under_https_the_csrf_cookie_is_a_host_cookie() {
    let (srv, admin) =
        TestServer::start_with(|c| c.public_url = Some("https://login.example".into())).await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    // The public URL is not where the test server listens: follow the redirect by hand.
    let local = |url: &str| url.replace("https://login.example", &srv.base);
    let browser = Browser::default();
    let to_login = browser.get(&local(&setup.authorize_url(&[]))).await;
    let login = browser
        .get(&local(to_login.location.as_deref().unwrap()))
        .await;
    let cookie = login
        .set_cookie("__Host-tarn_csrf")
        .expect("a __Host- cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");
    assert!(login.set_cookie("tarn_csrf").is_none());
}
