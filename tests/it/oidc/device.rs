//! The device authorization grant (RFC 8628): the device authorization endpoint, the user page at `/device`
//! (code, sign-in, Allow / Deny) driven like a browser, and polling at the token endpoint: pending, slow_down,
//! simultaneous polls, denied, expired, single redemption, DPoP; limits on typing codes; clients that may not use
//! the grant.

use futures_util::future::join_all;
use openidconnect::Nonce;
use openidconnect::core::CoreIdToken;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::dpop::DpopKey;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Reply, Setup, http, jwt_claims};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const DEVICE_AUTHORIZATION: &str = "/oauth2/device_authorization";
const TOKEN: &str = "/oauth2/token";

/// A public client registered for the device grant and refresh tokens.
async fn device_setup(srv: &TestServer, admin: &crate::support::Admin) -> Setup {
    let client =
        json!({"grant_types": [GRANT, "refresh_token"], "token_endpoint_auth_method": "none"});
    Setup::new(srv, admin, client).await
}

/// A successful device authorization response for `scope`.
async fn start(setup: &Setup, scope: &str) -> Value {
    let reply = setup.post(DEVICE_AUTHORIZATION, &[("scope", scope)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.json
}

async fn poll(setup: &Setup, device_code: &str) -> Reply {
    poll_with(setup, device_code, &[]).await
}

async fn poll_with(setup: &Setup, device_code: &str, headers: &[(&str, &str)]) -> Reply {
    let form = [("grant_type", GRANT), ("device_code", device_code)];
    setup.post_with(TOKEN, &form, headers).await
}

/// Types `user_code` on the device page (opened at `verification_uri`) and presses Continue.
async fn enter(browser: &Browser, started: &Value, user_code: &str) -> Page {
    let page = browser
        .get(started["verification_uri"].as_str().unwrap())
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.input("csrf_token").unwrap();
    let form = [("csrf_token", csrf.as_str()), ("user_code", user_code)];
    browser.post_form(&page.form_action(), &form).await
}

/// From the page opened at `verification_uri_complete` (the code filled in) through Continue and the password
/// sign-in to the approval page.
async fn sign_in_to_approval(browser: &Browser, started: &Value) -> Page {
    let page = browser
        .get(started["verification_uri_complete"].as_str().unwrap())
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = page.input("user_code").unwrap();
    assert_eq!(code, started["user_code"].as_str().unwrap());
    let csrf = page.input("csrf_token").unwrap();
    let form = [("csrf_token", csrf.as_str()), ("user_code", code.as_str())];
    let to_login = browser.post_form(&page.form_action(), &form).await;
    assert_eq!(to_login.status, StatusCode::SEE_OTHER, "{}", to_login.body);
    let location = to_login.location.unwrap();
    assert!(location.contains("/login?request="), "{location}");
    let login = browser.get(&location).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let back = browser.submit_login(&login, ALICE, PASSWORD).await;
    let back = browser.not_now(back).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let location = back.location.unwrap();
    assert!(location.contains("/device/approve?device="), "{location}");
    let approval = browser.get(&location).await;
    assert_eq!(approval.status, StatusCode::OK, "{}", approval.body);
    approval
}

/// Presses `decision` (`allow` or `deny`) on the approval page.
async fn decide(browser: &Browser, approval: &Page, decision: &str) -> Page {
    let (csrf, device) = (
        approval.input("csrf_token").unwrap(),
        approval.input("device").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("device", device.as_str()),
        ("decision", decision),
    ];
    browser.post_form(&approval.form_action(), &form).await
}

async fn approved(setup: &Setup, scope: &str) -> Value {
    let started = start(setup, scope).await;
    let browser = Browser::default();
    let approval = sign_in_to_approval(&browser, &started).await;
    let done = decide(&browser, &approval, "allow").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    started
}

#[actix_web::test]
async fn the_whole_dance_gives_tokens_verified_as_usual_once() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid email offline_access").await;
    let user_code = started["user_code"].as_str().unwrap();
    let shape = user_code.bytes().enumerate().all(|(i, b)| {
        if i == 4 {
            b == b'-'
        } else {
            b"BCDFGHJKLMNPQRSTVWXZ".contains(&b)
        }
    });
    assert!(user_code.len() == 9 && shape, "{user_code}");
    assert_eq!(
        started["verification_uri"],
        setup.endpoint("/device").as_str()
    );
    assert_eq!(
        started["verification_uri_complete"],
        format!("{}?user_code={user_code}", setup.endpoint("/device")).as_str()
    );
    assert_eq!(
        (started["expires_in"].as_i64(), started["interval"].as_i64()),
        (Some(600), Some(5))
    );
    let device_code = started["device_code"].as_str().unwrap();
    assert!(device_code.len() >= 22, "{device_code}");

    let browser = Browser::default();
    let approval = sign_in_to_approval(&browser, &started).await;
    assert!(approval.header("content-security-policy").is_some());
    assert!(approval.body.contains("Test app"), "{}", approval.body);
    assert!(
        approval.body.contains("See your email address"),
        "{}",
        approval.body
    );
    let done = decide(&browser, &approval, "allow").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("return to your device"), "{}", done.body);

    let tokens = poll(&setup, device_code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(tokens.json["token_type"], "Bearer");
    let (rp, _) = setup.rp().await;
    let id_token: CoreIdToken = serde_json::from_value(tokens.json["id_token"].clone()).unwrap();
    let no_nonce = |n: Option<&Nonce>| match n {
        None => Ok(()),
        Some(_) => Err("no nonce was sent".to_owned()),
    };
    let claims = id_token.claims(&rp.id_token_verifier(), no_nonce).unwrap();
    assert_eq!(claims.subject().as_str(), setup.user);
    assert_eq!(claims.email().map(|e| e.as_str()), Some(ALICE));
    let raw = jwt_claims(tokens.json["id_token"].as_str().unwrap());
    assert!(raw["sid"].is_string(), "{raw}");
    let access = tokens.json["access_token"].as_str().unwrap();
    let info = setup.userinfo(access).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.json);
    assert_eq!(info.json["sub"], setup.user.as_str());
    let refresh = tokens.json["refresh_token"].as_str().unwrap();
    let refreshed = setup.refresh(refresh).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);

    // Redeemed once; presented again, it revokes what it issued, as a replayed code does.
    poll(&setup, device_code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let rotated = refreshed.json["refresh_token"].as_str().unwrap();
    setup
        .refresh(rotated)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // A decided code cannot be typed again.
    let again = enter(&browser, &started, user_code).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
}

#[actix_web::test]
async fn polling_before_approval_is_pending_and_too_fast_slows_down_with_a_longer_interval() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid").await;
    let code = started["device_code"].as_str().unwrap();
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "authorization_pending");
    let fast = poll(&setup, code).await;
    fast.assert_error(StatusCode::BAD_REQUEST, "slow_down");
    assert_eq!(fast.json["interval"], 10);
    srv.state.clock.advance(11);
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "authorization_pending");
    let fast = poll(&setup, code).await;
    fast.assert_error(StatusCode::BAD_REQUEST, "slow_down");
    assert_eq!(fast.json["interval"], 15);
    poll(&setup, "not-a-device-code")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    setup
        .post(TOKEN, &[("grant_type", GRANT)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[actix_web::test]
async fn of_simultaneous_polls_only_one_is_on_time() {
    const POLLS: i64 = 8;
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid").await;
    let code = started["device_code"].as_str().unwrap();
    let replies = join_all((0..POLLS).map(|_| poll(&setup, code))).await;
    let errors: Vec<&str> = replies
        .iter()
        .map(|r| r.json["error"].as_str().unwrap_or_default())
        .collect();
    let pending = errors
        .iter()
        .filter(|e| **e == "authorization_pending")
        .count();
    let slowed = errors.iter().filter(|e| **e == "slow_down").count();
    assert_eq!((pending, slowed), (1, POLLS as usize - 1), "{errors:?}");
    // Every poll that came too soon added its five seconds.
    let next = poll(&setup, code).await;
    next.assert_error(StatusCode::BAD_REQUEST, "slow_down");
    assert_eq!(next.json["interval"], 5 + 5 * POLLS, "{}", next.json);
}

#[actix_web::test]
async fn deny_gives_access_denied() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid").await;
    let browser = Browser::default();
    let approval = sign_in_to_approval(&browser, &started).await;
    let done = decide(&browser, &approval, "deny").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let code = started["device_code"].as_str().unwrap();
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "access_denied");
    // Decided once: a second press changes nothing.
    let again = decide(&browser, &approval, "allow").await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.body);
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "access_denied");
}

#[actix_web::test]
async fn an_expired_code_gives_expired_token_and_is_purged() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid").await;
    let browser = Browser::default();
    let approval = sign_in_to_approval(&browser, &started).await;
    srv.state.clock.advance(601);
    let late = decide(&browser, &approval, "allow").await;
    assert_eq!(late.status, StatusCode::GONE, "{}", late.body);
    let code = started["device_code"].as_str().unwrap();
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "expired_token");
    // An expired code reads as any wrong code on the page.
    let typed = enter(&browser, &started, started["user_code"].as_str().unwrap()).await;
    assert_eq!(typed.status, StatusCode::BAD_REQUEST, "{}", typed.body);
    let wrong = enter(&browser, &started, "BCDF-GHJK").await;
    assert_eq!(typed.alert(), wrong.alert());

    let now = srv.state.clock.now() + 1;
    let purged = srv
        .state
        .db
        .run(move |c| tarn::store::maintenance::purge_expired(c, now))
        .await
        .unwrap();
    assert!(purged >= 1);
    poll(&setup, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[actix_web::test]
async fn an_approved_code_polled_with_a_dpop_proof_gives_bound_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let started = approved(&setup, "openid").await;
    let key = DpopKey::default();
    let proof = key.proof("POST", &setup.endpoint(TOKEN)).sign();
    let code = started["device_code"].as_str().unwrap();
    let tokens = poll_with(&setup, code, &[("DPoP", &proof)]).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(tokens.json["token_type"], "DPoP");
    let access = tokens.json["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(access)["cnf"]["jkt"], key.thumbprint().as_str());
}

#[actix_web::test]
async fn wrong_codes_are_limited_per_address_and_per_workspace() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = device_setup(&srv, &admin).await;
    let started = start(&setup, "openid").await;
    let right = started["user_code"].as_str().unwrap();
    let guesser = Browser::forwarded_for("203.0.113.7");
    for _ in 0..10 {
        let wrong = enter(&guesser, &started, "BCDF-GHJK").await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
        assert!(wrong.alert().unwrap().contains("not valid"));
    }
    let limited = enter(&guesser, &started, right).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(limited.alert().unwrap().contains("Too many"));
    let owner = Browser::forwarded_for("198.51.100.1");
    let fine = enter(&owner, &started, &right.to_lowercase().replace('-', "")).await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER, "{}", fine.body);

    // Many addresses together: 100 wrong codes (10 already) pause entry at the workspace.
    for i in 0..9 {
        let other = Browser::forwarded_for(&format!("203.0.114.{i}"));
        for _ in 0..10 {
            let wrong = enter(&other, &started, "BCDF-GHJK").await;
            assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
        }
    }
    let paused = enter(&Browser::forwarded_for("198.51.100.2"), &started, right).await;
    assert_eq!(
        paused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        paused.body
    );
}

#[actix_web::test]
async fn clients_that_may_not_use_the_grant_are_refused() {
    let (srv, admin) = TestServer::start().await;
    // A confidential device client must authenticate.
    let grants = json!([GRANT, "authorization_code"]);
    let confidential = Setup::new(&srv, &admin, json!({"grant_types": grants})).await;
    assert_eq!(confidential.auth_method, "client_secret_basic");
    let bare = http()
        .post(confidential.endpoint(DEVICE_AUTHORIZATION))
        .form(&[("client_id", confidential.client_id.as_str())])
        .send()
        .await
        .unwrap();
    Reply::read(bare)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let with_secret = start(&confidential, "openid").await;
    assert!(with_secret["device_code"].is_string());

    // A client not registered for the grant gets neither codes nor tokens.
    let code_only = confidential.another_client(&admin, json!({})).await;
    code_only
        .post(DEVICE_AUTHORIZATION, &[("scope", "openid")])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unauthorized_client");
    let code = with_secret["device_code"].as_str().unwrap();
    poll(&code_only, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unauthorized_client");
    // Another device client cannot redeem this client's code.
    let other = device_setup_again(&confidential, &admin).await;
    poll(&other, code)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

async fn device_setup_again(setup: &Setup, admin: &crate::support::Admin) -> Setup {
    let client = json!({"grant_types": [GRANT], "token_endpoint_auth_method": "none"});
    setup.another_client(admin, client).await
}

#[actix_web::test]
async fn a_signed_in_browser_goes_straight_to_the_approval() {
    let (srv, admin) = TestServer::start().await;
    let setup = device_setup(&srv, &admin).await;
    let browser = Browser::default();
    let first = start(&setup, "openid").await;
    let approval = sign_in_to_approval(&browser, &first).await;
    decide(&browser, &approval, "allow").await;
    let second = start(&setup, "openid profile").await;
    let next = enter(&browser, &second, second["user_code"].as_str().unwrap()).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    assert!(next.location.unwrap().contains("/device/approve?device="));
    // Without a session, the approval page is not for anyone.
    let stranger = Browser::default().get(&approval_url(&setup)).await;
    assert_eq!(
        stranger.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        stranger.body
    );
}

fn approval_url(setup: &Setup) -> String {
    setup.endpoint("/device/approve?device=x")
}
