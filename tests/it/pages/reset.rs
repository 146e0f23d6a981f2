//! "Forgot password?": a code to the identifier, a new password under the pool's policy, and every earlier
//! session and refresh token revoked; nothing reveals whether an identifier exists.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup};
use crate::support::{Admin, TestServer};

const NEW_PASSWORD: &str = "an entirely new passphrase";

/// From the login page to the confirmation page, asking for a code for `identifier`.
async fn ask_reset(browser: &Browser, setup: &Setup, identifier: &str) -> Page {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let link = scraper::Html::parse_document(&login.body)
        .select(&scraper::Selector::parse("a").unwrap())
        .find(|a| a.text().collect::<String>() == "Forgot password?")
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a Forgot password? link");
    let start = browser.get(&link).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    let (csrf, request) = (
        start.input("csrf_token").unwrap(),
        start.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("identifier", identifier),
        ("action", "email_code"),
    ];
    let confirm = browser.post_form(&start.form_action(), &form).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    confirm
}

async fn confirm(browser: &Browser, page: &Page, code: &str, password: &str) -> Page {
    let field = |name: &str| page.input(name).unwrap_or_default();
    let values = [
        ("csrf_token", field("csrf_token")),
        ("request", field("request")),
        ("challenge", field("challenge")),
        ("identifier", field("identifier")),
        ("code", code.to_owned()),
        ("new_password", password.to_owned()),
    ];
    let form: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(&page.form_action(), &form).await
}

async fn last_code(admin: &Admin) -> String {
    let messages = admin.items("/default/outbox").await;
    assert!(
        messages[0]["subject"]
            .as_str()
            .unwrap()
            .contains("password reset"),
        "{}",
        messages[0]
    );
    let body = messages[0]["body_text"].as_str().unwrap();
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

/// A whole "Forgot password?" for `identifier`: asks for the code, sets `NEW_PASSWORD` with it.
pub async fn reset_password(admin: &Admin, setup: &Setup, identifier: &str) {
    let browser = Browser::default();
    let page = ask_reset(&browser, setup, identifier).await;
    let done = confirm(&browser, &page, &last_code(admin).await, NEW_PASSWORD).await;
    assert!(
        done.body.contains("Your password was changed"),
        "{}",
        done.body
    );
}

#[actix_web::test]
async fn a_reset_changes_the_password_and_revokes_every_earlier_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let before = setup.tokens(&[]).await;
    let old_refresh = before["refresh_token"].as_str().unwrap().to_owned();
    // Used once before the reset, so the server has it verified and cached.
    let used = setup
        .userinfo(before["access_token"].as_str().unwrap())
        .await;
    assert_eq!(used.status, StatusCode::OK);

    let browser = Browser::default();
    let page = ask_reset(&browser, &setup, ALICE).await;
    let code = last_code(&admin).await;
    let weak = confirm(&browser, &page, &code, "password").await;
    assert!(
        weak.alert().unwrap().contains("new password"),
        "{:?}",
        weak.alert()
    );
    let done = confirm(&browser, &weak, &code, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Your password was changed"),
        "a policy failure does not spend the code"
    );

    setup
        .refresh(&old_refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    setup
        .userinfo(before["access_token"].as_str().unwrap())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let old = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(
        old.status,
        StatusCode::OK,
        "the old password no longer works"
    );
    let new = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, NEW_PASSWORD)
        .await;
    assert_eq!(new.status, StatusCode::FOUND, "{}", new.body);
}

#[actix_web::test]
async fn unknown_identifiers_and_wrong_codes_change_nothing() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let page = ask_reset(&browser, &setup, "nobody@example.com").await;
    assert!(
        page.body
            .contains("If <strong>nobody@example.com</strong> belongs to an account")
    );
    assert!(
        admin.items("/default/outbox").await.is_empty(),
        "nothing is sent for an unknown identifier"
    );
    let refused = confirm(&browser, &page, "123456", NEW_PASSWORD).await;
    assert!(refused.alert().is_some());

    srv.state.clock.advance(31);
    let page = ask_reset(&browser, &setup, ALICE).await;
    let code = last_code(&admin).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = confirm(&browser, &page, wrong, NEW_PASSWORD).await;
    assert!(
        again.alert().unwrap().contains("not right"),
        "{:?}",
        again.alert()
    );
    let still = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(still.status, StatusCode::FOUND, "the password is unchanged");
}
