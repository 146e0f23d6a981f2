//! Two real `tarn serve` processes started at the same moment on one fresh database, behind one public URL (a
//! load balancer without sticky sessions): a sign-in, its tokens and their revocation hop between them, a replayed
//! code is caught across them, failures add up to one lockout, admin changes and key rotations made on one are
//! in force on the other within the cache bound, and codes and passkey ceremonies begun on one finish on the other.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::process::{Process, database_url, free_port};
use crate::pages::code::{ask_code, last_code};
use crate::pages::passkey::sign_in_options;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, REDIRECT, Setup, VERIFIER, http};
use crate::support::passkey::{Authenticator, options};
use crate::support::{ADMIN_TOKEN, Admin, TestDb};

/// Two processes on one fresh database, started together; both must come up.
async fn started_together(db: &TestDb) -> (Process, Process) {
    let (pa, pb) = (free_port(), free_port());
    let public = format!("http://localhost:{pa}");
    let url = database_url(&db.backend());
    let mut a = Process::spawn(pa, &url, &public, &[]);
    let mut b = Process::spawn(pb, &url, &public, &[]);
    a.ready().await;
    b.ready().await;
    (a, b)
}

/// The setup as seen through instance `p` (every endpoint URL points at it).
fn through(setup: &Setup, a: &Process, p: &Process) -> Setup {
    Setup {
        issuer: setup.issuer.replacen(&a.base, &p.base, 1),
        ..setup.clone()
    }
}

/// A URL of instance `a` (or a path) as a URL of instance `p`.
fn on_instance(url: &str, a: &Process, p: &Process) -> String {
    match url.strip_prefix('/') {
        Some(path) => format!("{}/{path}", p.base),
        None => url.replacen(&a.base, &p.base, 1),
    }
}

/// A form's action sent to instance `p`.
fn action_on(page: &Page, a: &Process, p: &Process) -> String {
    on_instance(&page.form_action(), a, p)
}

/// Authorize on A, submit the password on B; the code from the redirect.
async fn code_across(setup: &Setup, a: &Process, b: &Process, password: &str) -> Page {
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let form = [
        ("csrf_token", login.input("csrf_token").unwrap()),
        ("request", login.input("request").unwrap()),
        ("identifier", ALICE.to_owned()),
        ("password", password.to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let back = browser.post_form(&action_on(&login, a, b), &form).await;
    browser.not_now(back).await
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    // The cache bound is 5 s; twice that and more is a failure, not slowness.
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} did not happen within the bound");
}

async fn setup_on(a: &Process, admin: &Admin) -> Setup {
    let pool = admin.create_pool("customers").await;
    let user = admin.create_user(&pool, ALICE).await;
    admin
        .create("/default/workspaces/default/idps", json!({"pool_id": pool}))
        .await;
    let bare = Setup {
        issuer: format!("{}/default/default", a.base),
        pool,
        user,
        client_id: String::new(),
        client_secret: None,
        auth_method: String::new(),
    };
    bare.another_client(admin, json!({})).await
}

#[actix_web::test]
async fn two_processes_on_one_database_behave_as_one_provider() {
    let db = TestDb::fresh();
    let (a, b) = started_together(&db).await;
    let admin = Admin::new(&a.base, ADMIN_TOKEN);
    let setup = setup_on(&a, &admin).await;
    let on_b = through(&setup, &a, &b);

    // Authorize on A, the login form on B, the code redeemed on A, refreshed on B, UserInfo on A.
    let back = code_across(&setup, &a, &b, PASSWORD).await;
    assert!(
        back.location
            .as_deref()
            .unwrap_or_default()
            .starts_with(REDIRECT),
        "{}",
        back.body
    );
    let code = back.redirect_param("code").unwrap();
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let refreshed = on_b
        .refresh(tokens.json["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    let access = refreshed.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(setup.userinfo(&access).await.status, StatusCode::OK);

    // Revoked on B: A refuses it, B's introspection calls it inactive.
    let revoked = on_b.post("/oauth2/revoke", &[("token", &access)]).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    setup
        .userinfo(&access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let seen = on_b.post("/oauth2/introspect", &[("token", &access)]).await;
    assert_eq!(seen.json["active"], json!(false), "{}", seen.json);

    // A code redeemed on A and replayed on B: refused, and what it issued is revoked.
    let code = code_across(&setup, &a, &b, PASSWORD)
        .await
        .redirect_param("code")
        .unwrap();
    let first = setup.exchange(&code, VERIFIER).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    on_b.exchange(&code, VERIFIER)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let issued = first.json["access_token"].as_str().unwrap();
    setup
        .userinfo(issued)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");

    // Keys rotated on A: published by B within the bound, and a token signed before still verifies on B.
    let before = setup.tokens(&[]).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, rotated) = admin
        .post("/default/workspaces/default/keys/rotate", json!({}))
        .await;
    assert!(status.is_success(), "{rotated}");
    let new_kid = rotated["current_kids"][0].as_str().unwrap().to_owned();
    let jwks = on_b.endpoint("/.well-known/jwks.json");
    eventually("the new key in B's JWKS", async || {
        let keys: Value = http()
            .get(&jwks)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == new_kid.as_str())
    })
    .await;
    assert_eq!(on_b.userinfo(&before).await.status, StatusCode::OK);

    // Failed passwords split between A and B reach one lockout.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    for n in 0..5 {
        let target = if n % 2 == 0 { &a } else { &b };
        let form = [
            ("csrf_token", login.input("csrf_token").unwrap()),
            ("request", login.input("request").unwrap()),
            ("identifier", ALICE.to_owned()),
            ("password", "wrong password".to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = browser
            .post_form(&action_on(&login, &a, target), &form)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let locked = code_across(&setup, &a, &b, PASSWORD).await;
    assert!(
        locked.redirect_param("code").is_none(),
        "locked out: {:?}",
        locked.location
    );
    assert!(
        locked
            .alert()
            .unwrap_or_default()
            .to_lowercase()
            .contains("too many"),
        "{}",
        locked.body
    );

    // A client deleted on A stops working on B within the bound.
    let path = format!("/default/workspaces/default/clients/{}", setup.client_id);
    assert!(admin.delete(&path).await.0.is_success());
    eventually("B refusing the deleted client", async || {
        on_b.post("/oauth2/introspect", &[("token", &before)])
            .await
            .status
            == StatusCode::UNAUTHORIZED
    })
    .await;
    drop((a, b));
}

/// Posts the page's passkey form (`#passkey-form`) with `ceremony` and `credential` to instance `p`.
async fn passkey_form_on(
    browser: &Browser,
    page: &Page,
    ceremony: &str,
    credential: &str,
    (a, p): (&Process, &Process),
) -> Page {
    let action = on_instance(&page.attr("#passkey-form", "action").unwrap(), a, p);
    let csrf = page.input("csrf_token").unwrap();
    let request = page.attr("#passkey-form input[name=request]", "value");
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("ceremony", ceremony),
        ("credential", credential),
    ];
    if let Some(request) = request.as_deref() {
        form.push(("request", request));
    }
    browser.post_form(&action, &form).await
}

fn assert_back_with_code(page: &Page) {
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    assert!(page.redirect_param("code").is_some(), "{:?}", page.location);
}

#[actix_web::test]
async fn codes_and_passkey_ceremonies_begun_on_one_process_finish_on_the_other() {
    let db = TestDb::fresh();
    let (a, b) = started_together(&db).await;
    let admin = Admin::new(&a.base, ADMIN_TOKEN);
    let setup = setup_on(&a, &admin).await;
    let methods = json!({
        "authentication_mechanisms": ["password", "otp", "passkey"],
        "preferred_authentication_mechanism": "passkey",
    });
    let (status, body) = admin
        .patch(&format!("/default/pools/{}", setup.pool), methods)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Enrolment: the passkey suggested after a password sign-in on A, its options from A, the credential to B.
    let browser = Browser::default();
    let suggestion = browser
        .sign_in(&setup.authorize_url(&[]), ALICE, PASSWORD)
        .await;
    let url = suggestion
        .attr("#passkey-add", "data-options")
        .expect("the passkey suggestion");
    let csrf = suggestion.input("csrf_token").unwrap();
    let (status, opts) = options(&browser, &url, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, 200, "{opts}");
    let mut authenticator = Authenticator::new(&a.base);
    let credential = authenticator.create(&opts).unwrap();
    let ceremony = opts["ceremony"].as_str().unwrap();
    let added = passkey_form_on(&browser, &suggestion, ceremony, &credential, (&a, &b)).await;
    assert_back_with_code(&added);

    // Sign-in: the login page and the options from A, the assertion to B.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (status, opts) = sign_in_options(&browser, &login, "").await;
    assert_eq!(status, 200, "{opts}");
    let credential = authenticator.get(&opts).unwrap();
    let ceremony = opts["ceremony"].as_str().unwrap();
    let back = passkey_form_on(&browser, &login, ceremony, &credential, (&a, &b)).await;
    assert_back_with_code(&back);
    let tokens = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);

    // A code sent by A (asked for on A's login page) is accepted by B.
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let field = |name: &str| page.input(name).unwrap_or_default();
    let form = [
        ("csrf_token", field("csrf_token")),
        ("request", field("request")),
        ("challenge", field("challenge")),
        ("identifier", field("identifier")),
        ("code", last_code(&admin).await),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let back = browser.post_form(&action_on(&page, &a, &b), &form).await;
    assert_back_with_code(&back);
    drop((a, b));
}
