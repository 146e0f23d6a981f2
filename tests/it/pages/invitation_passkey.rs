//! Activating an invited account with a passkey: the activation page offers what the pool does (no password field
//! in a passkey-only pool), the passkey accepts the invitation and then signs in; used, revoked and forged
//! attempts change nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::invitation::{BOB, invitation_path, invite_bob, last_link};
use super::passkey::{offer, sign_in};
use crate::support::chromium::Chromium;
use crate::support::oidc::{Browser, Page, REDIRECT, Setup, VERIFIER, jwt_claims};
use crate::support::passkey::{Authenticator, options};
use crate::support::{Admin, TestServer};

/// The options the activation page's "Create a passkey" button would fetch, with the form token `csrf`.
async fn activation_options(browser: &Browser, page: &Page, csrf: &str) -> (u16, Value) {
    let url = page
        .attr("#passkey-create", "data-options")
        .expect("a Create a passkey button");
    options(browser, &url, &[("csrf_token", csrf)]).await
}

/// Begins a ceremony from the page and lets `authenticator` answer it; returns `(ceremony, credential)`.
async fn create(
    browser: &Browser,
    page: &Page,
    authenticator: &mut Authenticator,
) -> (String, String) {
    let (status, opts) =
        activation_options(browser, page, &page.input("csrf_token").unwrap()).await;
    assert_eq!(status, 200, "{opts}");
    assert_eq!(opts["publicKey"]["user"]["name"], BOB);
    let credential = authenticator.create(&opts).unwrap();
    (opts["ceremony"].as_str().unwrap().to_owned(), credential)
}

async fn finish(
    browser: &Browser,
    page: &Page,
    csrf: &str,
    ceremony: &str,
    credential: &str,
) -> Page {
    let action = page.attr("#passkey-form", "action").unwrap();
    let form = [
        ("csrf_token", csrf),
        ("ceremony", ceremony),
        ("credential", credential),
    ];
    browser.post_form(&action, &form).await
}

async fn user(admin: &Admin, setup: &Setup, id: &str) -> Value {
    admin
        .get(&format!("/default/pools/{}/users/{id}", setup.pool))
        .await
        .1
}

async fn invitation_status(admin: &Admin, setup: &Setup, user: &str) -> Value {
    admin.get(&invitation_path(setup, user)).await.1["status"].clone()
}

async fn passkeys_of(srv: &TestServer, user: &str) -> usize {
    let user = user.to_owned();
    srv.state
        .db
        .run(move |c| tarn::testing::passkey::list(c, &user))
        .await
        .unwrap()
        .len()
}

#[actix_web::test]
async fn an_invited_user_activates_with_a_passkey_and_signs_in_with_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    offer(&admin, &setup, json!(["passkey"])).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.input_type("new_password"),
        None,
        "no password field at all"
    );
    assert!(!page.body.contains("Activate account"));
    assert!(
        page.scripts()[0]
            .0
            .as_deref()
            .unwrap()
            .ends_with("/static/js/passkey.js")
    );

    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;
    assert_eq!(user(&admin, &setup, &bob).await["status"], "invited");
    let done = finish(
        &browser,
        &page,
        &page.input("csrf_token").unwrap(),
        &ceremony,
        &credential,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your account is ready"));

    let activated = user(&admin, &setup, &bob).await;
    assert_eq!(activated["status"], "active");
    assert_eq!(activated["email_verified"], true);
    assert_eq!(invitation_status(&admin, &setup, &bob).await, "accepted");
    assert_eq!(passkeys_of(&srv, &bob).await, 1);
    assert_eq!(browser.get(&link).await.status, StatusCode::GONE);

    let fresh = Browser::default();
    let login = fresh.login_page(&setup.authorize_url(&[])).await;
    let back = sign_in(&fresh, &login, &mut authenticator, BOB).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let reply = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    let claims = jwt_claims(reply.json["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], bob);
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
}

#[actix_web::test]
async fn the_activation_page_offers_what_the_pool_does() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    assert_eq!(
        page.attr("#passkey-create", "data-options"),
        None,
        "a password-only pool"
    );
    assert!(page.scripts().is_empty());

    offer(&admin, &setup, json!(["password", "passkey"])).await;
    let page = browser.get(&link).await;
    assert_eq!(page.input_type("new_password").as_deref(), Some("password"));
    assert!(page.attr("#passkey-create", "data-options").is_some());

    // Where only a passkey signs in, activating without one is refused: it would leave no way in.
    offer(&admin, &setup, json!(["passkey"])).await;
    let page = browser.get(&link).await;
    let csrf = page.input("csrf_token").unwrap();
    let plain = browser
        .post_form(&link, &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST, "{}", plain.body);
    assert!(
        plain.alert().unwrap().contains("Create a passkey"),
        "{:?}",
        plain.alert()
    );
    assert_eq!(invitation_status(&admin, &setup, &bob).await, "pending");
    assert_eq!(user(&admin, &setup, &bob).await["status"], "invited");

    // With codes as well, activating without a passkey is offered (the user signs in with codes).
    offer(&admin, &setup, json!(["otp", "passkey"])).await;
    let page = browser.get(&link).await;
    assert_eq!(page.input_type("new_password"), None);
    assert!(page.body.contains("Activate account"));
    assert!(page.attr("#passkey-create", "data-options").is_some());
}

#[actix_web::test]
async fn the_passkey_endpoints_refuse_a_revoked_invitation_and_change_nothing() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    offer(&admin, &setup, json!(["password", "passkey"])).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    let csrf = page.input("csrf_token").unwrap();
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;

    let (status, _) = admin.delete(&invitation_path(&setup, &bob)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = activation_options(&browser, &page, &csrf).await;
    assert_eq!(status, 410, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("withdrawn")
    );
    let refused = finish(&browser, &page, &csrf, &ceremony, &credential).await;
    assert_eq!(refused.status, StatusCode::GONE, "{}", refused.body);
    assert!(
        refused
            .alert()
            .unwrap()
            .contains("expired, was already used")
    );

    assert_eq!(invitation_status(&admin, &setup, &bob).await, "revoked");
    let unchanged = user(&admin, &setup, &bob).await;
    assert_eq!(unchanged["status"], "invited");
    assert_eq!(unchanged["email_verified"], false);
    assert_eq!(passkeys_of(&srv, &bob).await, 0);
}

#[actix_web::test]
async fn the_invitation_passkey_forms_need_their_csrf_token_and_their_own_ceremony() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    offer(&admin, &setup, json!(["passkey"])).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let browser = Browser::default();
    let page = browser.get(&link).await;
    let csrf = page.input("csrf_token").unwrap();

    let (status, body) = activation_options(&browser, &page, "forged").await;
    assert_eq!(status, 403, "{body}");
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;
    let forged = finish(&browser, &page, "forged", &ceremony, &credential).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
    assert!(
        forged.alert().unwrap().contains("expired"),
        "{:?}",
        forged.alert()
    );

    // A ceremony begun for another invitation does not activate this one.
    let carol = admin
        .create(
            &format!("/default/pools/{}/users", setup.pool),
            json!({"email": "carol@example.com", "mode": "invite"}),
        )
        .await;
    let carols_page = browser.get(&last_link(&admin).await).await;
    let (status, opts) = activation_options(&browser, &carols_page, &csrf).await;
    assert_eq!(status, 200, "{opts}");
    let carols = authenticator.create(&opts).unwrap();
    let crossed = finish(
        &browser,
        &page,
        &csrf,
        opts["ceremony"].as_str().unwrap(),
        &carols,
    )
    .await;
    assert_eq!(crossed.status, StatusCode::OK, "{}", crossed.body);
    assert!(
        crossed.alert().unwrap().contains("expired"),
        "{:?}",
        crossed.alert()
    );
    let malformed = finish(&browser, &page, &csrf, &ceremony, "not json").await;
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.body
    );

    assert_eq!(invitation_status(&admin, &setup, &bob).await, "pending");
    assert_eq!(user(&admin, &setup, &bob).await["status"], "invited");
    assert_eq!(passkeys_of(&srv, &bob).await, 0);
    let carol_id = carol["id"].as_str().unwrap();
    assert_eq!(passkeys_of(&srv, carol_id).await, 0);

    // Nothing was used up by the refusals: the page's own ceremony still activates the account.
    let done = finish(&browser, &page, &csrf, &ceremony, &credential).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your account is ready"), "{}", done.body);
    assert_eq!(invitation_status(&admin, &setup, &bob).await, "accepted");
}

#[actix_web::test]
async fn a_real_browser_activates_with_a_passkey_and_signs_in_with_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    offer(&admin, &setup, json!(["passkey"])).await;
    let bob = invite_bob(&admin, &setup).await;
    let link = last_link(&admin).await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let authenticator = chromium.add_virtual_authenticator().await;
    chromium.goto(&link).await;
    chromium.click("#passkey-create").await;
    chromium.wait_for_url(&format!("{link}/passkey")).await;
    chromium.wait_for("h1").await;
    assert_eq!(user(&admin, &setup, &bob).await["status"], "active");
    assert_eq!(invitation_status(&admin, &setup, &bob).await, "accepted");
    let held = chromium.credentials(&authenticator).await;
    assert_eq!(held.len(), 1, "{held:?}");
    let handle = URL_SAFE_NO_PAD.encode(uuid::Uuid::parse_str(&bob).unwrap().as_bytes());
    assert_eq!(held[0]["userHandle"].as_str(), Some(handle.as_str()));

    // The passkey's user handle is Bob's id: a discoverable sign-in from the login page finds him. (The page's
    // passkey autofill asks as it loads; the virtual authenticator answers it without a click.)
    chromium.goto(&setup.authorize_url(&[])).await;
    let back = chromium.wait_for_url(REDIRECT).await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in {back}"));
    let reply = setup.exchange(&code, VERIFIER).await;
    let claims = jwt_claims(reply.json["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], bob);
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
    chromium.close().await;
}
