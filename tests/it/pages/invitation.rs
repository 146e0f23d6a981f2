//! Invitations end to end: the link in the message opens the activation page, the user sets a password and can
//! sign in; used, expired, revoked and replaced links are refused with a clear page; the admin sees the status.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{Browser, Page, Setup};
use crate::support::{Admin, TestServer};

pub const BOB: &str = "bob@example.com";
const NEW_PASSWORD: &str = "a much better passphrase";

/// Invites Bob into the setup's pool; returns his user id.
pub async fn invite_bob(admin: &Admin, setup: &Setup) -> String {
    let body = json!({"email": BOB, "mode": "invite", "payload": {"given_name": "Bob"}});
    let user = admin
        .create(&format!("/default/pools/{}/users", setup.pool), body)
        .await;
    assert_eq!(user["status"], "invited");
    user["id"].as_str().unwrap().to_owned()
}

/// The activation link of the newest message in the dev outbox.
pub async fn last_link(admin: &Admin) -> String {
    let messages = admin.items("/default/outbox").await;
    let body = messages[0]["body_text"].as_str().unwrap();
    body.split_whitespace()
        .find(|w| w.contains("/invitations/"))
        .unwrap()
        .to_owned()
}

pub async fn activate(browser: &Browser, link: &str, password: &str) -> Page {
    let page = browser.get(link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.input("csrf_token").unwrap();
    browser
        .post_form(
            &page.form_action(),
            &[("csrf_token", csrf.as_str()), ("new_password", password)],
        )
        .await
}

pub fn invitation_path(setup: &Setup, user: &str) -> String {
    format!("/default/pools/{}/users/{user}/invitation", setup.pool)
}

#[actix_web::test]
async fn an_invited_user_activates_the_account_and_signs_in() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let bob = invite_bob(&admin, &setup).await;
    let (_, status) = admin.get(&invitation_path(&setup, &bob)).await;
    assert_eq!(status["status"], "pending");
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    assert_eq!(page.input_type("new_password").as_deref(), Some("password"));
    assert!(page.body.contains(BOB));

    let weak = activate(&browser, &link, "short").await;
    assert_eq!(weak.status, StatusCode::OK);
    assert!(
        weak.alert().unwrap().contains("at least 8 characters"),
        "{:?}",
        weak.alert()
    );
    let done = activate(&browser, &link, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your account is ready"));

    let (_, user) = admin
        .get(&format!("/default/pools/{}/users/{bob}", setup.pool))
        .await;
    assert_eq!(user["status"], "active");
    assert_eq!(user["email_verified"], true);
    assert_eq!(
        admin.get(&invitation_path(&setup, &bob)).await.1["status"],
        "accepted"
    );
    let back = Browser::default()
        .sign_in(&setup.authorize_url(&[]), BOB, NEW_PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.redirect_param("code").is_some());

    let reused = browser.get(&link).await;
    assert_eq!(reused.status, StatusCode::GONE);
    assert!(
        reused
            .alert()
            .unwrap()
            .contains("expired, was already used")
    );
}

#[actix_web::test]
async fn expired_revoked_and_replaced_links_are_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let bob = invite_bob(&admin, &setup).await;
    let first = last_link(&admin).await;
    let browser = Browser::default();

    let resent = admin
        .create(&invitation_path(&setup, &bob), json!(null))
        .await;
    assert_eq!(resent["status"], "pending");
    let second = last_link(&admin).await;
    assert_ne!(first, second);
    assert_eq!(
        browser.get(&first).await.status,
        StatusCode::GONE,
        "a resend replaces the old link"
    );

    let (status, _) = admin.delete(&invitation_path(&setup, &bob)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        admin.get(&invitation_path(&setup, &bob)).await.1["status"],
        "revoked"
    );
    assert_eq!(browser.get(&second).await.status, StatusCode::GONE);
    assert_eq!(
        admin.delete(&invitation_path(&setup, &bob)).await.0,
        StatusCode::CONFLICT
    );

    admin
        .create(&invitation_path(&setup, &bob), json!(null))
        .await;
    let third = last_link(&admin).await;
    srv.state.clock.advance(7 * 24 * 3600 + 1);
    assert_eq!(
        admin.get(&invitation_path(&setup, &bob)).await.1["status"],
        "expired"
    );
    assert_eq!(browser.get(&third).await.status, StatusCode::GONE);
    let (_, user) = admin
        .get(&format!("/default/pools/{}/users/{bob}", setup.pool))
        .await;
    assert_eq!(user["status"], "invited", "nothing was activated");
}

#[actix_web::test]
async fn invitation_management_refuses_what_makes_no_sense() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    // Alice was created with credentials: no invitation, nothing to resend.
    assert_eq!(
        admin.get(&invitation_path(&setup, &setup.user)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .post(&invitation_path(&setup, &setup.user), json!(null))
            .await
            .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        admin.get(&invitation_path(&setup, "no-such-user")).await.0,
        StatusCode::NOT_FOUND
    );
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    let forged = browser
        .post_form(
            &page.form_action(),
            &[("csrf_token", "forged"), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        admin.get(&invitation_path(&setup, &bob)).await.1["status"],
        "pending"
    );
    assert_eq!(
        browser
            .get(&format!(
                "{}/invitations/not-a-token",
                srv.state.config.public_url()
            ))
            .await
            .status,
        StatusCode::GONE
    );
}

#[actix_web::test]
async fn deactivating_an_invited_user_revokes_the_invitation() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);

    let user = format!("/default/pools/{}/users/{bob}", setup.pool);
    let (status, _) = admin.patch(&user, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        admin.get(&invitation_path(&setup, &bob)).await.1["status"],
        "revoked"
    );
    // The page opened before still posts: it is refused, and the user stays inactive.
    let csrf = page.input("csrf_token").unwrap();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("new_password", NEW_PASSWORD),
    ];
    let refused = browser.post_form(&page.form_action(), &fields).await;
    assert_eq!(refused.status, StatusCode::GONE, "{}", refused.body);
    assert_eq!(browser.get(&link).await.status, StatusCode::GONE);
    assert_eq!(admin.get(&user).await.1["status"], "inactive");
}
