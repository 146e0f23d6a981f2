//! Admin actions on a user: force a password reset (password gone, every token revoked, user told) and send a
//! verification link (the hosted page confirms the identifier).

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup};

#[actix_web::test]
async fn a_forced_password_reset_removes_the_password_and_every_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let path = format!(
        "/default/pools/{}/users/{}/password-reset",
        setup.pool, setup.user
    );
    let (status, body) = admin.post(&path, json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let message = &admin.items("/default/outbox").await[0];
    assert_eq!(message["recipient"], ALICE);
    assert!(
        message["body_text"]
            .as_str()
            .unwrap()
            .contains("Forgot password?")
    );
    setup
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let old = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(
        old.status,
        StatusCode::OK,
        "the old password no longer signs in"
    );
    let (_, user) = admin
        .get(&format!(
            "/default/pools/{}/users/{}",
            setup.pool, setup.user
        ))
        .await;
    assert_eq!(user["password_set"], false);

    admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({"authentication_mechanisms": ["otp"]}),
        )
        .await;
    assert_eq!(
        admin.post(&path, json!(null)).await.0,
        StatusCode::CONFLICT,
        "a pool without passwords has none to reset"
    );
}

#[actix_web::test]
async fn a_verification_link_confirms_the_email_once() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let user_path = format!("/default/pools/{}/users/{}", setup.pool, setup.user);
    assert_eq!(admin.get(&user_path).await.1["email_verified"], false);
    let (status, body) = admin
        .post(
            &format!("{user_path}/verification"),
            json!({"identifier": "mobile"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "alice has no mobile: {body}"
    );
    let (status, _) = admin
        .post(
            &format!("{user_path}/verification"),
            json!({"identifier": "email"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let body = admin.items("/default/outbox").await[0]["body_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/verifications/"))
        .unwrap()
        .to_owned();

    let browser = Browser::default();
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(ALICE));
    assert_eq!(
        admin.get(&user_path).await.1["email_verified"],
        false,
        "opening the link alone changes nothing"
    );
    let csrf = page.input("csrf_token").unwrap();
    let done = browser
        .post_form(&page.form_action(), &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(admin.get(&user_path).await.1["email_verified"], true);
    assert_eq!(
        browser.get(&link).await.status,
        StatusCode::GONE,
        "single use"
    );
}
