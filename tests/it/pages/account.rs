//! Adding passkeys as a signed-in user: the suggestion right after a password sign-in (add one, or "Not now"),
//! and the account page (list, rename, remove, add), each needing the session and the form's CSRF token.

use reqwest::StatusCode;
use serde_json::json;

use super::passkey::{assert_refused, offer, prefer_passkeys, sign_in};
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, REDIRECT, Setup, VERIFIER, jwt_claims};
use crate::support::passkey::{Authenticator, options};
use crate::support::{Admin, TestServer};

/// A pool offering passwords and preferring passkeys, Alice without a passkey yet.
async fn passkey_pool(srv: &TestServer, admin: &Admin) -> Setup {
    let setup = Setup::new(srv, admin, json!({})).await;
    prefer_passkeys(admin, &setup).await;
    setup
}

/// Runs the "Add a passkey" button of `page` with `authenticator`; returns the server's answer.
async fn add_passkey(browser: &Browser, page: &Page, authenticator: &mut Authenticator) -> Page {
    let url = page
        .attr("#passkey-add", "data-options")
        .expect("an add button");
    let csrf = page.input("csrf_token").unwrap();
    let (status, opts) = options(browser, &url, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, 200, "{opts}");
    let credential = authenticator.create(&opts).unwrap();
    finish_form(
        browser,
        page,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await
}

async fn finish_form(browser: &Browser, page: &Page, ceremony: &str, credential: &str) -> Page {
    let action = page.attr("#passkey-form", "action").unwrap();
    let csrf = page.input("csrf_token").unwrap();
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("ceremony", ceremony),
        ("credential", credential),
    ];
    let request = page.attr("#passkey-form input[name=request]", "value");
    if let Some(request) = request.as_deref() {
        form.push(("request", request));
    }
    browser.post_form(&action, &form).await
}

/// Signs Alice in with her password, adds the suggested passkey, and returns the authenticator holding it.
async fn signed_in_with_a_passkey(
    browser: &Browser,
    setup: &Setup,
    srv: &TestServer,
) -> Authenticator {
    let suggestion = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let back = add_passkey(browser, &suggestion, &mut authenticator).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    authenticator
}

fn account_url(setup: &Setup) -> String {
    format!("{}/account", setup.issuer)
}

#[actix_web::test]
async fn a_password_sign_in_suggests_a_passkey_and_not_now_goes_on_to_the_client() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    let browser = Browser::default();
    let page = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::OK, "a page, not yet the redirect");
    assert!(page.body.contains("Add a passkey") && page.body.contains("Not now"));
    assert!(
        page.set_cookie("tarn_session").is_some(),
        "signed in already"
    );
    let form = [
        ("csrf_token", page.input("csrf_token").unwrap()),
        ("request", page.input("request").unwrap()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let back = browser.post_form(&page.form_action(), &form).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    let reply = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(
        jwt_claims(reply.json["id_token"].as_str().unwrap())["amr"],
        json!(["pwd"])
    );
    // The request is used up: continuing it again does not issue a second code.
    let again = browser.post_form(&page.form_action(), &form).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn the_suggested_passkey_is_added_and_signs_in_next_time() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    let mut authenticator = signed_in_with_a_passkey(&Browser::default(), &setup, &srv).await;
    // Next time: a fresh browser, no identifier typed.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let back = sign_in(&browser, &login, &mut authenticator, "").await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    // Having a passkey, a password sign-in goes straight back to the client.
    let back = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}

#[actix_web::test]
async fn pools_that_do_not_prefer_passkeys_suggest_none() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let back = Browser::default()
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    // Passkeys allowed but passwords preferred: straight back to the application too.
    offer(&admin, &setup, json!(["password", "passkey"])).await;
    let browser = Browser::default();
    let back = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    // The account page is where such users add one.
    let account = browser.get(&account_url(&setup)).await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let added = add_passkey(&browser, &account, &mut authenticator).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
}

#[actix_web::test]
async fn the_account_page_lists_renames_and_removes_passkeys() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    let browser = Browser::default();
    let mut authenticator = signed_in_with_a_passkey(&browser, &setup, &srv).await;
    let account = browser.get(&account_url(&setup)).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(account.body.contains(ALICE));
    assert!(account.body.contains("Passkey 1") && account.body.contains("never used"));

    let rename = account.attr("form[action$=\"/rename\"]", "action").unwrap();
    let csrf = account.input("csrf_token").unwrap();
    let done = browser
        .post_form(&rename, &[("csrf_token", &csrf), ("name", "Work laptop")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let account = browser.get(done.location.as_deref().unwrap()).await;
    assert!(account.body.contains("Work laptop") && account.body.contains("Passkey renamed."));

    let too_long = "x".repeat(65);
    for bad in ["  ", too_long.as_str()] {
        let refused = browser
            .post_form(&rename, &[("csrf_token", &csrf), ("name", bad)])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.alert().unwrap().contains("name"));
        assert!(refused.body.contains("Work laptop"), "unchanged");
    }

    let remove = account.attr("form[action$=\"/remove\"]", "action").unwrap();
    let done = browser.post_form(&remove, &[("csrf_token", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let account = browser.get(done.location.as_deref().unwrap()).await;
    assert!(account.body.contains("You have no passkeys yet."));
    let gone = browser.post_form(&remove, &[("csrf_token", &csrf)]).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let login = Browser::default();
    let page = login.login_page(&setup.authorize_url(&[])).await;
    let refused = sign_in(&login, &page, &mut authenticator, "").await;
    assert_refused(&refused, "not accepted");
}

#[actix_web::test]
async fn the_account_page_adds_a_passkey() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    let browser = Browser::default();
    let _first = signed_in_with_a_passkey(&browser, &setup, &srv).await;
    let account = browser.get(&account_url(&setup)).await;
    let mut second = Authenticator::new(srv.state.config.public_url());
    let added = add_passkey(&browser, &account, &mut second).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let account = browser.get(added.location.as_deref().unwrap()).await;
    assert!(account.body.contains("Passkey 2") && account.body.contains("Passkey added."));
    // The first authenticator's credential is excluded from a new ceremony: the same device twice is refused.
    let url = account.attr("#passkey-add", "data-options").unwrap();
    let csrf = account.input("csrf_token").unwrap();
    let (_, opts) = options(&browser, &url, &[("csrf_token", &csrf)]).await;
    assert_eq!(
        opts["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    // The authenticator names the site after the tenant (the organisation); the RP ID is the host.
    let tenants = admin.items("/tenants").await;
    let tenant = tenants.iter().find(|t| t["id"] == "default").unwrap();
    assert_eq!(opts["publicKey"]["rp"]["name"], tenant["name"]);
    assert_eq!(opts["publicKey"]["rp"]["id"], "localhost");
}

#[actix_web::test]
async fn account_pages_need_a_session_and_the_forms_csrf_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    let stranger = Browser::default();
    let page = stranger.get(&account_url(&setup)).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.alert().unwrap().contains("not signed in"));

    let browser = Browser::default();
    signed_in_with_a_passkey(&browser, &setup, &srv).await;
    let account = browser.get(&account_url(&setup)).await;
    let url = account.attr("#passkey-add", "data-options").unwrap();
    let (status, _) = options(&browser, &url, &[("csrf_token", "forged")]).await;
    assert_eq!(status, 403);
    let rename = account.attr("form[action$=\"/rename\"]", "action").unwrap();
    let refused = browser
        .post_form(&rename, &[("csrf_token", "forged"), ("name", "Hijacked")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        !browser
            .get(&account_url(&setup))
            .await
            .body
            .contains("Hijacked")
    );
    // A stranger with a CSRF pair of their own (from any page with a form) still has no session: refused.
    let login = stranger.login_page(&setup.authorize_url(&[])).await;
    let csrf = login.input("csrf_token").unwrap();
    let (status, _) = options(&stranger, &url, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn an_enrolment_begun_by_one_user_cannot_be_finished_by_another() {
    let (srv, admin) = TestServer::start().await;
    let setup = passkey_pool(&srv, &admin).await;
    admin.create_user(&setup.pool, "bob@example.com").await;
    let alice = Browser::default();
    signed_in_with_a_passkey(&alice, &setup, &srv).await;
    let account = alice.get(&account_url(&setup)).await;
    let url = account.attr("#passkey-add", "data-options").unwrap();
    let csrf = account.input("csrf_token").unwrap();
    let (_, opts) = options(&alice, &url, &[("csrf_token", &csrf)]).await;
    let credential = Authenticator::new(srv.state.config.public_url())
        .create(&opts)
        .unwrap();

    let bob = Browser::default();
    let suggestion = bob
        .sign_in(&setup.authorize_url(&[]), "bob@example.com", PASSWORD)
        .await;
    let refused = finish_form(
        &bob,
        &suggestion,
        opts["ceremony"].as_str().unwrap(),
        &credential,
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.alert().unwrap().contains("expired"));
    // Bob's attempt did not spoil Alice's ceremony.
    let ceremony = opts["ceremony"].as_str().unwrap();
    let added = finish_form(&alice, &account, ceremony, &credential).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
}
