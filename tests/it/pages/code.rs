//! Sign-in with a verification code: the buttons follow the pool's methods, codes arrive through the notifier
//! (here the dev outbox), are single use, expire, allow a limited number of attempts and cannot be re-sent at once.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{ALICE, Browser, Page, Setup, VERIFIER, jwt_claims};
use crate::support::{Admin, TestServer};

/// A setup whose pool offers only verification codes.
pub async fn code_only(srv: &TestServer, admin: &Admin) -> Setup {
    let setup = Setup::new(srv, admin, json!({})).await;
    let (status, body) = admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({"authentication_mechanisms": ["otp"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    setup
}

/// Presses "Email me a code" (or "Text me a code") on the login page.
pub async fn ask_code(browser: &Browser, login: &Page, identifier: &str, action: &str) -> Page {
    let (csrf, request) = (
        login.input("csrf_token").unwrap(),
        login.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("identifier", identifier),
        ("action", action),
    ];
    browser.post_form(&login.form_action(), &form).await
}

pub async fn enter_code(browser: &Browser, page: &Page, code: &str) -> Page {
    let field = |name: &str| page.input(name).unwrap_or_default();
    let form = [
        ("csrf_token", field("csrf_token")),
        ("request", field("request")),
        ("challenge", field("challenge")),
        ("identifier", field("identifier")),
        ("code", code.to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(&page.form_action(), &form).await
}

/// The digits of the newest message in the dev outbox.
pub async fn last_code(admin: &Admin) -> String {
    let messages = admin.items("/default/outbox").await;
    let body = messages[0]["body_text"].as_str().unwrap();
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_code_by_email_signs_the_user_in_with_amr_otp() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(login.body.contains("Email me a code") && login.body.contains("Text me a code"));
    assert_eq!(
        login.input_type("password"),
        None,
        "a code-only pool never asks for a password"
    );
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.input("code").is_some() || page.body.contains("name=\"code\""));
    let messages = admin.items("/default/outbox").await;
    assert_eq!(messages[0]["recipient"], ALICE);
    let back = enter_code(&browser, &page, &last_code(&admin).await).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let tokens = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let claims = jwt_claims(tokens.json["id_token"].as_str().unwrap());
    assert_eq!(claims["amr"], json!(["otp"]));
    assert_eq!(claims["sub"], setup.user.as_str());
}

#[actix_web::test]
async fn a_wrong_code_is_refused_and_the_right_one_still_works_once() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    let code = last_code(&admin).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = enter_code(&browser, &page, wrong).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.alert().unwrap().contains("not right"),
        "{:?}",
        again.alert()
    );
    let back = enter_code(&browser, &again, &code).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    // Single use: the same challenge and code are refused afterwards (a new pending request, same challenge).
    let login = browser
        .login_page(&setup.authorize_url(&[("prompt", "login")]))
        .await;
    let mut replay = page.clone();
    replay.body = replay.body.replace(
        &page.input("request").unwrap(),
        &login.input("request").unwrap(),
    );
    let refused = enter_code(&browser, &replay, &code).await;
    assert_ne!(refused.status, StatusCode::FOUND);
    assert!(
        refused.alert().unwrap().contains("can no longer be used"),
        "{:?}",
        refused.alert()
    );
}

#[actix_web::test]
async fn codes_expire_and_allow_five_attempts() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    let code = last_code(&admin).await;
    srv.state.clock.advance(301);
    let late = enter_code(&browser, &page, &code).await;
    assert_ne!(
        late.status,
        StatusCode::FOUND,
        "expired after the pool's 300 s"
    );
    assert!(late.alert().unwrap().contains("can no longer be used"));

    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    let code = last_code(&admin).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut current = page;
    for _ in 0..5 {
        current = enter_code(&browser, &current, wrong).await;
    }
    let after = enter_code(&browser, &current, &code).await;
    assert_ne!(
        after.status,
        StatusCode::FOUND,
        "the right code after five wrong ones is refused"
    );
}

#[actix_web::test]
async fn codes_cannot_be_resent_within_thirty_seconds() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert_eq!(
        ask_code(&browser, &login, ALICE, "email_code").await.status,
        StatusCode::OK
    );
    let throttled = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.alert().unwrap().contains("wait"));
    assert_eq!(admin.items("/default/outbox").await.len(), 1);
    srv.state.clock.advance(31);
    assert_eq!(
        ask_code(&browser, &login, ALICE, "email_code").await.status,
        StatusCode::OK
    );
    assert_eq!(admin.items("/default/outbox").await.len(), 2);
}

#[actix_web::test]
async fn code_sends_count_per_identifier_across_workspaces() {
    let (srv, admin) = TestServer::start().await;
    let default = code_only(&srv, &admin).await;
    let shop = default.also_at(&srv, &admin, "shop").await;
    let browser = Browser::default();
    let ask = |setup: &Setup| {
        let (browser, url) = (&browser, setup.authorize_url(&[]));
        async move {
            let login = browser.login_page(&url).await;
            ask_code(browser, &login, ALICE, "email_code").await.status
        }
    };
    assert_eq!(ask(&default).await, StatusCode::OK);
    assert_eq!(
        ask(&shop).await,
        StatusCode::TOO_MANY_REQUESTS,
        "one send per 30 s, wherever asked"
    );
    // Five an hour in all, alternating between the workspaces.
    for setup in [&shop, &default, &shop, &default] {
        srv.state.clock.advance(31);
        assert_eq!(ask(setup).await, StatusCode::OK, "{}", setup.issuer);
    }
    srv.state.clock.advance(31);
    assert_eq!(ask(&shop).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ask(&default).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(admin.items("/default/outbox").await.len(), 5);
}

#[actix_web::test]
async fn an_unknown_identifier_gets_the_same_page_and_no_message() {
    let (srv, admin) = TestServer::start().await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, "nobody@example.com", "email_code").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.input("challenge").is_some());
    assert!(admin.items("/default/outbox").await.is_empty());
    let refused = enter_code(&browser, &page, "123456").await;
    assert_ne!(refused.status, StatusCode::FOUND);
    // Alice has no mobile number: "Text me a code" sends nothing either, on the same page.
    let sms = ask_code(&browser, &login, ALICE, "text_code").await;
    assert_eq!(sms.status, StatusCode::OK);
    assert!(admin.items("/default/outbox").await.is_empty());
}

#[actix_web::test]
async fn the_buttons_follow_the_pools_methods() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(
        !login.body.contains("Email me a code"),
        "a password-only pool offers no codes"
    );
    let refused = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(admin.items("/default/outbox").await.is_empty());
    admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({"authentication_mechanisms": ["password", "otp"]}),
        )
        .await;
    let both = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(both.body.contains("Email me a code"));
    assert_eq!(both.input_type("password").as_deref(), Some("password"));
}
