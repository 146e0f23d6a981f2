//! Two real `tarn serve` processes started at the same moment on one fresh database, behind one public URL (a
//! load balancer without sticky sessions): a sign-in, its tokens and their revocation hop between them, a replayed
//! code is caught across them, failures add up to one lockout, and admin changes and key rotations made on one are
//! in force on the other within the cache bound.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::process::{Process, database_url, free_port};
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, REDIRECT, Setup, VERIFIER, http};
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

/// A form's action sent to instance `p`.
fn action_on(page: &Page, a: &Process, p: &Process) -> String {
    let action = page.form_action();
    match action.strip_prefix('/') {
        Some(path) => format!("{}/{path}", p.base),
        None => action.replacen(&a.base, &p.base, 1),
    }
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
