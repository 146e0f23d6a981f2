//! Self-registration with a passkey instead of a password: the optional (or absent) password, the "Create your
//! passkey" page after the code, the user created only with the passkey (or by "Skip for now" where codes sign
//! in), and every refusal (replayed or expired ceremony, another visitor's request, a forged form) creating nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::passkey::sign_in;
use super::register::{enter_code, last_code, register_page, submit};
use crate::support::chromium::Chromium;
use crate::support::oidc::{Browser, Page, REDIRECT, Setup, VERIFIER, jwt_claims};
use crate::support::passkey::{Authenticator, options};
use crate::support::{Admin, TestServer};

const CAROL: &str = "carol@example.com";
const DAVE: &str = "dave@example.com";

/// Lets the setup's pool take registrations and sign in with `mechanisms`.
async fn open_registration(admin: &Admin, setup: &Setup, mechanisms: Value) {
    let patch =
        json!({"public_registration_allowed": true, "authentication_mechanisms": mechanisms});
    let (status, body) = admin
        .patch(&format!("/default/pools/{}", setup.pool), patch)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Fills the registration form with `fields` and enters the code sent; returns the page the code leads to.
async fn register(
    admin: &Admin,
    browser: &Browser,
    setup: &Setup,
    fields: &[(&str, &str)],
) -> Page {
    let form = register_page(browser, setup).await;
    let code_page = submit(browser, &form, fields).await;
    assert_eq!(code_page.status, StatusCode::OK, "{}", code_page.body);
    assert!(code_page.input("challenge").is_some(), "{}", code_page.body);
    enter_code(browser, &code_page, &last_code(admin).await).await
}

/// Registers `identifier` without a password and expects the passkey page.
async fn passkey_page(admin: &Admin, browser: &Browser, setup: &Setup, identifier: &str) -> Page {
    let page = register(admin, browser, setup, &[("identifier", identifier)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Create your passkey"), "{}", page.body);
    page
}

fn field(page: &Page, name: &str) -> String {
    page.input(name)
        .unwrap_or_else(|| panic!("an input {name} in {}", page.body))
}

/// The options the page's "Create a passkey" button would fetch.
async fn passkey_options(browser: &Browser, page: &Page) -> (u16, Value) {
    let url = page
        .attr("#passkey-create", "data-options")
        .expect("a Create a passkey button");
    let (csrf, request, registration) = (
        field(page, "csrf_token"),
        field(page, "request"),
        field(page, "registration"),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("registration", registration.as_str()),
    ];
    options(browser, &url, &form).await
}

/// Begins a ceremony from the page and lets `authenticator` answer it; returns `(ceremony, credential)`.
async fn create(
    browser: &Browser,
    page: &Page,
    authenticator: &mut Authenticator,
) -> (String, String) {
    let (status, opts) = passkey_options(browser, page).await;
    assert_eq!(status, 200, "{opts}");
    let credential = authenticator.create(&opts).unwrap();
    (opts["ceremony"].as_str().unwrap().to_owned(), credential)
}

/// Posts the page's finish form with `ceremony` and `credential`, the page's other fields replaced by `overrides`.
async fn finish(
    browser: &Browser,
    page: &Page,
    ceremony: &str,
    credential: &str,
    overrides: &[(&str, &str)],
) -> Page {
    let action = page.attr("#passkey-form", "action").unwrap();
    let mut form: Vec<(&str, String)> = vec![
        ("csrf_token", field(page, "csrf_token")),
        ("request", field(page, "request")),
        ("registration", field(page, "registration")),
        ("ceremony", ceremony.to_owned()),
        ("credential", credential.to_owned()),
    ];
    for (name, value) in overrides {
        form.retain(|(n, _)| n != name);
        form.push((name, (*value).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(&action, &form).await
}

/// Posts "Skip for now" to `action` with the page's fields.
async fn skip(browser: &Browser, page: &Page, action: &str, csrf: &str) -> Page {
    let (request, registration) = (field(page, "request"), field(page, "registration"));
    let form = [
        ("csrf_token", csrf),
        ("request", request.as_str()),
        ("registration", registration.as_str()),
    ];
    browser.post_form(action, &form).await
}

async fn users_named(admin: &Admin, setup: &Setup, identifier: &str) -> Vec<Value> {
    admin
        .items(&format!(
            "/default/pools/{}/users?identifier={identifier}",
            setup.pool
        ))
        .await
}

async fn user_count(admin: &Admin, setup: &Setup) -> usize {
    admin
        .items(&format!("/default/pools/{}/users", setup.pool))
        .await
        .len()
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

fn amr(reply: &crate::support::oidc::Reply) -> Value {
    jwt_claims(reply.json["id_token"].as_str().unwrap())["amr"].clone()
}

#[actix_web::test]
async fn a_passkey_only_pool_registers_with_a_passkey_that_then_signs_in() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let browser = Browser::default();
    let form = register_page(&browser, &setup).await;
    assert_eq!(form.input_type("password"), None, "no password to choose");

    let page = passkey_page(&admin, &browser, &setup, CAROL).await;
    assert_eq!(page.input_type("password"), None);
    assert!(page.body.contains(CAROL));
    assert_eq!(
        page.attr("#passkey-skip", "action"),
        None,
        "no codes to fall back on"
    );
    let scripts = page.scripts();
    assert_eq!(scripts.len(), 1);
    assert!(
        scripts[0]
            .0
            .as_deref()
            .unwrap()
            .ends_with("/static/js/passkey.js")
    );
    assert!(
        users_named(&admin, &setup, CAROL).await.is_empty(),
        "no user before the passkey"
    );

    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (status, opts) = passkey_options(&browser, &page).await;
    assert_eq!(status, 200, "{opts}");
    assert_eq!(opts["publicKey"]["user"]["name"], CAROL);
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert!(
        users_named(&admin, &setup, CAROL).await.is_empty(),
        "still none while the passkey is being made"
    );
    let credential = authenticator.create(&opts).unwrap();
    let back = finish(
        &browser,
        &page,
        opts["ceremony"].as_str().unwrap(),
        &credential,
        &[],
    )
    .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);

    let carol = users_named(&admin, &setup, CAROL).await;
    assert_eq!(carol.len(), 1);
    let carol_id = carol[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(carol[0]["status"], "active");
    assert_eq!(carol[0]["email_verified"], true);
    assert_eq!(passkeys_of(&srv, &carol_id).await, 1);
    let tokens = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(amr(&tokens), json!(["hwk", "user"]));
    assert_eq!(
        jwt_claims(tokens.json["id_token"].as_str().unwrap())["sub"],
        carol_id
    );

    // Later, in another browser: the passkey signs in, for the typed identifier and discoverably (its user
    // handle is the new user's id).
    for identifier in [CAROL, ""] {
        let fresh = Browser::default();
        let login = fresh.login_page(&setup.authorize_url(&[])).await;
        let signed = sign_in(&fresh, &login, &mut authenticator, identifier).await;
        assert_eq!(signed.status, StatusCode::FOUND, "{}", signed.body);
        let reply = setup
            .exchange(&signed.redirect_param("code").unwrap(), VERIFIER)
            .await;
        assert_eq!(
            jwt_claims(reply.json["id_token"].as_str().unwrap())["sub"],
            carol_id
        );
    }
}

#[actix_web::test]
async fn with_passwords_too_an_empty_password_leads_to_the_passkey_page() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["password"])).await;
    let browser = Browser::default();
    let form = register_page(&browser, &setup).await;
    assert!(
        form.attr("#password", "required").is_some(),
        "required without passkeys"
    );
    assert!(!form.body.contains("use a passkey instead"));

    open_registration(&admin, &setup, json!(["password", "passkey"])).await;
    let form = register_page(&browser, &setup).await;
    assert_eq!(form.input_type("password").as_deref(), Some("password"));
    assert_eq!(form.attr("#password", "required"), None);
    assert!(form.body.contains("Leave empty to use a passkey instead"));

    let with_password = register(
        &admin,
        &browser,
        &setup,
        &[
            ("identifier", CAROL),
            ("password", "carol's own passphrase"),
        ],
    )
    .await;
    // With a password, today's behaviour: the user exists as soon as the code is entered and goes back to the
    // client signed in (the pool prefers passwords, so no passkey is suggested either).
    assert_eq!(
        with_password.status,
        StatusCode::FOUND,
        "{}",
        with_password.body
    );
    assert!(with_password.redirect_param("code").is_some());
    let carol = &users_named(&admin, &setup, CAROL).await[0];
    assert_eq!(carol["status"], "active");
    assert_eq!(passkeys_of(&srv, carol["id"].as_str().unwrap()).await, 0);

    let other = Browser::default();
    let page = register(
        &admin,
        &other,
        &setup,
        &[("identifier", DAVE), ("password", "")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Create your passkey"), "{}", page.body);
    assert_eq!(page.attr("#passkey-skip", "action"), None);
    assert!(users_named(&admin, &setup, DAVE).await.is_empty());
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&other, &page, &mut authenticator).await;
    let back = finish(&other, &page, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let dave = &users_named(&admin, &setup, DAVE).await[0];
    assert_eq!(passkeys_of(&srv, dave["id"].as_str().unwrap()).await, 1);
}

#[actix_web::test]
async fn skip_for_now_creates_the_user_without_a_passkey_where_codes_sign_in() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["otp", "passkey"])).await;
    let browser = Browser::default();
    let page = passkey_page(&admin, &browser, &setup, CAROL).await;
    let action = page
        .attr("#passkey-skip", "action")
        .expect("a Skip for now form");
    // A ceremony begun (and answered) before skipping can no longer create a passkey afterwards.
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;

    let back = skip(&browser, &page, &action, &field(&page, "csrf_token")).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let tokens = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(amr(&tokens), json!(["otp"]));
    let carol = users_named(&admin, &setup, CAROL).await;
    assert_eq!(carol.len(), 1);
    let carol_id = carol[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(carol[0]["status"], "active");

    let late = finish(&browser, &page, &ceremony, &credential, &[]).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.body);
    assert!(
        late.alert().unwrap().contains("expired"),
        "{:?}",
        late.alert()
    );
    let again = skip(&browser, &page, &action, &field(&page, "csrf_token")).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(passkeys_of(&srv, &carol_id).await, 0);
    assert_eq!(users_named(&admin, &setup, CAROL).await.len(), 1);
}

#[actix_web::test]
async fn skipping_is_refused_where_a_passkey_is_the_only_way_in() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let browser = Browser::default();
    let page = passkey_page(&admin, &browser, &setup, CAROL).await;
    let action = format!("{}/register/passkey/skip", setup.issuer);
    let refused = skip(&browser, &page, &action, &field(&page, "csrf_token")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.alert().unwrap().contains("Create a passkey"),
        "{:?}",
        refused.alert()
    );
    assert!(users_named(&admin, &setup, CAROL).await.is_empty());
    // The registration still waits: the passkey finishes it.
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &refused, &mut authenticator).await;
    let back = finish(&browser, &refused, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}

#[actix_web::test]
async fn an_expired_or_replayed_registration_ceremony_is_refused() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let browser = Browser::default();
    let page = passkey_page(&admin, &browser, &setup, CAROL).await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());

    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;
    srv.state.clock.advance(301);
    let expired = finish(&browser, &page, &ceremony, &credential, &[]).await;
    assert_eq!(expired.status, StatusCode::OK, "{}", expired.body);
    assert!(expired.location.is_none());
    assert!(
        expired.alert().unwrap().contains("expired"),
        "{:?}",
        expired.alert()
    );
    assert!(users_named(&admin, &setup, CAROL).await.is_empty());

    // The registration itself still waits; a new ceremony finishes it, once.
    let (ceremony, credential) = create(&browser, &expired, &mut authenticator).await;
    let back = finish(&browser, &expired, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let replay = finish(&browser, &expired, &ceremony, &credential, &[]).await;
    assert_ne!(replay.status, StatusCode::FOUND, "{}", replay.body);
    assert!(replay.location.is_none());
    let carol = users_named(&admin, &setup, CAROL).await;
    assert_eq!(carol.len(), 1);
    assert_eq!(passkeys_of(&srv, carol[0]["id"].as_str().unwrap()).await, 1);
}

#[actix_web::test]
async fn another_visitor_cannot_finish_someone_elses_registration() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let victim = Browser::default();
    let page = passkey_page(&admin, &victim, &setup, CAROL).await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&victim, &page, &mut authenticator).await;

    // The intruder holds the ceremony, the registration id and even the answer, but has their own sign-in
    // request and form token: the registration is bound to the request of the browser that entered the code.
    let intruder = Browser::default();
    let login = intruder.login_page(&setup.authorize_url(&[])).await;
    let theirs = [
        ("csrf_token", field(&login, "csrf_token")),
        ("request", field(&login, "request")),
    ];
    let overrides: Vec<(&str, &str)> = theirs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = finish(&intruder, &page, &ceremony, &credential, &overrides).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.location.is_none());
    assert!(refused.set_cookie("tarn_session").is_none());
    let url = page.attr("#passkey-create", "data-options").unwrap();
    let registration = field(&page, "registration");
    let mut form = overrides.clone();
    form.push(("registration", &registration));
    let (status, body) = options(&intruder, &url, &form).await;
    assert_eq!(status, 400, "{body}");
    let skipped = intruder
        .post_form(&format!("{}/register/passkey/skip", setup.issuer), &form)
        .await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST, "{}", skipped.body);
    assert!(
        skipped.alert().unwrap().contains("expired"),
        "{:?}",
        skipped.alert()
    );
    assert!(users_named(&admin, &setup, CAROL).await.is_empty());

    // The attempts used nothing up: the victim's ceremony still finishes the registration.
    let back = finish(&victim, &page, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert_eq!(users_named(&admin, &setup, CAROL).await.len(), 1);
}

#[actix_web::test]
async fn registration_passkey_forms_need_their_csrf_token() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["otp", "passkey"])).await;
    let browser = Browser::default();
    let page = passkey_page(&admin, &browser, &setup, CAROL).await;
    let url = page.attr("#passkey-create", "data-options").unwrap();
    let (request, registration) = (field(&page, "request"), field(&page, "registration"));
    let forged = [
        ("csrf_token", "forged"),
        ("request", request.as_str()),
        ("registration", registration.as_str()),
    ];
    let (status, body) = options(&browser, &url, &forged).await;
    assert_eq!(status, 403, "{body}");

    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&browser, &page, &mut authenticator).await;
    let refused = finish(
        &browser,
        &page,
        &ceremony,
        &credential,
        &[("csrf_token", "forged")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.alert().unwrap().contains("expired"),
        "{:?}",
        refused.alert()
    );
    let action = page.attr("#passkey-skip", "action").unwrap();
    let refused = skip(&browser, &page, &action, "forged").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.alert().unwrap().contains("expired"),
        "{:?}",
        refused.alert()
    );
    assert!(users_named(&admin, &setup, CAROL).await.is_empty());
    assert_eq!(user_count(&admin, &setup).await, 1, "only Alice");

    // The forged attempts used nothing up: the real form still finishes.
    let back = finish(&browser, &page, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}

#[actix_web::test]
async fn a_real_browser_registers_with_a_passkey_through_the_pages_script() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let authenticator = chromium.add_virtual_authenticator().await;
    chromium.goto(&setup.authorize_url(&[])).await;
    chromium.click("a[href*='/register?request=']").await;
    chromium.fill("#identifier", CAROL).await;
    chromium.click("button[type=submit]").await;
    chromium.wait_for("#code").await;
    chromium.fill("#code", &last_code(&admin).await).await;
    chromium.click("button[type=submit]").await;
    // passkey.js shows the button; clicking it fetches the options, creates the passkey and posts it.
    chromium.click("#passkey-create").await;
    let back = chromium.wait_for_url(REDIRECT).await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in {back}"));
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(amr(&tokens), json!(["hwk", "user"]));

    let carol = users_named(&admin, &setup, CAROL).await;
    assert_eq!(carol.len(), 1);
    let carol_id = carol[0]["id"].as_str().unwrap();
    assert_eq!(passkeys_of(&srv, carol_id).await, 1);
    let held = chromium.credentials(&authenticator).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["isResidentCredential"], true);
    let handle = URL_SAFE_NO_PAD.encode(uuid::Uuid::parse_str(carol_id).unwrap().as_bytes());
    assert_eq!(held[0]["userHandle"].as_str(), Some(handle.as_str()));
    chromium.close().await;
}

#[actix_web::test]
async fn a_waiting_registration_is_bound_to_the_browser_not_only_to_its_request() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup, json!(["passkey"])).await;
    let victim = Browser::default();
    let page = passkey_page(&admin, &victim, &setup, CAROL).await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    let (ceremony, credential) = create(&victim, &page, &mut authenticator).await;

    // The victim's request id travelled (a shared link, a screenshot); the intruder has only their own CSRF pair.
    let intruder = Browser::default();
    let login = intruder.login_page(&setup.authorize_url(&[])).await;
    let csrf = field(&login, "csrf_token");
    let overrides = [("csrf_token", csrf.as_str())];
    let refused = finish(&intruder, &page, &ceremony, &credential, &overrides).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.set_cookie("tarn_session").is_none());
    let url = page.attr("#passkey-create", "data-options").unwrap();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", &field(&page, "request")),
        ("registration", &field(&page, "registration")),
    ];
    let (status, body) = options(&intruder, &url, &form).await;
    assert_eq!(status, 400, "{body}");
    let skipped = intruder
        .post_form(&format!("{}/register/passkey/skip", setup.issuer), &form)
        .await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST, "{}", skipped.body);
    assert!(users_named(&admin, &setup, CAROL).await.is_empty());

    let back = finish(&victim, &page, &ceremony, &credential, &[]).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}
