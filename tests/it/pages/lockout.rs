//! The password lockout as the sign-in page shows it: failures lock the address that fails for the identifier it
//! fails, never someone else's correct sign-in; the client address comes from trusted proxies only; counts are
//! per user across workspaces and exact when attempts arrive at once. (The basic five-failures lock is in
//! `oidc::login_page`.)

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use tarn::testing::lockout::{Attempt, counts};

use super::code::{ask_code, enter_code, last_code};
use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup};

const WRONG: &str = "wrong password";

/// What a sign-in attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    SignedIn,
    /// The page again with the wrong-credentials message.
    Refused,
    /// The page again with the lockout message.
    Locked,
}

/// Reads a sign-in answer; anything but a redirect with a code or the page again (200, an alert) fails the test.
#[track_caller]
fn outcome(page: &Page) -> Outcome {
    if page.redirect_param("code").is_some() {
        return Outcome::SignedIn;
    }
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.input_type("password").is_some(), "the form again");
    let alert = page.alert().expect("an alert");
    if alert.to_lowercase().contains("too many") {
        Outcome::Locked
    } else {
        Outcome::Refused
    }
}

/// One sign-in through a fresh login page of `setup`'s workspace.
async fn sign_in(browser: &Browser, setup: &Setup, identifier: &str, password: &str) -> Outcome {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    outcome(&browser.submit_login(&login, identifier, password).await)
}

/// `n` wrong passwords for `identifier` from `browser`, one after another; their outcomes.
async fn fail(browser: &Browser, setup: &Setup, identifier: &str, n: usize) -> Vec<Outcome> {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let mut outcomes = Vec::new();
    for _ in 0..n {
        let page = browser.submit_login(&login, identifier, WRONG).await;
        outcomes.push(outcome(&page));
    }
    outcomes
}

#[actix_web::test]
async fn failures_for_other_identifiers_never_stop_a_correct_sign_in_from_the_same_address() {
    // No trusted proxy: every browser is 127.0.0.1, as every user is behind a TLS proxy Tarn does not trust.
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let attacker = Browser::default();
    let login = attacker.login_page(&setup.authorize_url(&[])).await;
    // Past the address's slow-down point (50), one guess for each of many identifiers.
    for i in 0..55 {
        let page = attacker
            .submit_login(&login, &format!("user{i}@example.com"), WRONG)
            .await;
        assert_eq!(outcome(&page), Outcome::Refused, "attempt {i}");
    }
    // The failing address is slowed: an identifier that failed from it is locked now …
    let again = attacker
        .submit_login(&login, "user0@example.com", WRONG)
        .await;
    assert_eq!(outcome(&again), Outcome::Locked);
    // … but a user whose identifier did not fail from it signs in at once.
    let colleague = Browser::default();
    assert_eq!(
        sign_in(&colleague, &setup, ALICE, PASSWORD).await,
        Outcome::SignedIn
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_their_forwarded_address() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let attacker = Browser::forwarded_for("198.51.100.7");
    fail(&attacker, &setup, ALICE, 5).await;
    assert_eq!(
        sign_in(&attacker, &setup, ALICE, PASSWORD).await,
        Outcome::Locked
    );
    // Forging hops to the left changes nothing: the right-most one the proxy added is the client.
    let forging = Browser::forwarded_for("203.0.113.1, 198.51.100.7");
    assert_eq!(
        sign_in(&forging, &setup, ALICE, PASSWORD).await,
        Outcome::Locked
    );
    // Alice at her own addresses, forwarded by X-Forwarded-For or by RFC 7239 Forwarded (IPv6, with a port).
    for alice in [
        Browser::forwarded_for("198.51.100.8"),
        Browser::forwarded("forwarded", "for=\"[2001:db8::8]:4711\";proto=https"),
    ] {
        assert_eq!(
            sign_in(&alice, &setup, ALICE, PASSWORD).await,
            Outcome::SignedIn
        );
    }
}

#[actix_web::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    fail(&Browser::forwarded_for("198.51.100.7"), &setup, ALICE, 5).await;
    // A new forged address does not buy new attempts: the peer (127.0.0.1) is the client, and it is locked.
    for browser in [Browser::forwarded_for("198.51.100.8"), Browser::default()] {
        assert_eq!(
            sign_in(&browser, &setup, ALICE, PASSWORD).await,
            Outcome::Locked
        );
    }
}

#[actix_web::test]
async fn failing_a_victims_password_never_locks_the_victim_out() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let attacker = Browser::forwarded_for("198.51.100.66");
    // The attacker keeps at it for ten hours, trying again whenever a lock may have run out.
    for _ in 0..40 {
        srv.state.clock.advance(15 * 60);
        fail(&attacker, &setup, ALICE, 3).await;
    }
    assert_eq!(
        sign_in(&attacker, &setup, ALICE, PASSWORD).await,
        Outcome::Locked,
        "the attacker's own address stays locked"
    );
    let alice = Browser::forwarded_for("192.0.2.10");
    assert_eq!(
        sign_in(&alice, &setup, ALICE, PASSWORD).await,
        Outcome::SignedIn
    );
}

#[actix_web::test]
async fn a_password_failing_from_many_addresses_is_slowed_not_locked() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    // Past the identifier's slow-down point (20), from many addresses.
    for i in 0..21 {
        let bot = Browser::forwarded_for(&format!("198.51.100.{i}"));
        assert_eq!(fail(&bot, &setup, ALICE, 1).await, [Outcome::Refused]);
    }
    // Slowed: a new address gets one free attempt instead of five …
    let bot = Browser::forwarded_for("203.0.113.99");
    assert_eq!(
        fail(&bot, &setup, ALICE, 2).await,
        [Outcome::Refused, Outcome::Locked]
    );
    // … and alice, at an address that did not fail, signs in at once.
    let alice = Browser::forwarded_for("192.0.2.10");
    assert_eq!(
        sign_in(&alice, &setup, ALICE, PASSWORD).await,
        Outcome::SignedIn
    );
    // Her own typo costs her a bounded wait (30 s), not the attacker's lock.
    let travelling = Browser::forwarded_for("192.0.2.11");
    assert_eq!(
        fail(&travelling, &setup, ALICE, 1).await,
        [Outcome::Refused]
    );
    assert_eq!(
        sign_in(&travelling, &setup, ALICE, PASSWORD).await,
        Outcome::Locked
    );
    srv.state.clock.advance(31);
    assert_eq!(
        sign_in(&travelling, &setup, ALICE, PASSWORD).await,
        Outcome::SignedIn
    );
}

#[actix_web::test]
async fn a_locked_password_leaves_sign_in_by_code_working() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let (status, body) = admin
        .patch(
            &format!("/default/pools/{}", setup.pool),
            json!({"authentication_mechanisms": ["password", "otp"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let browser = Browser::default();
    fail(&browser, &setup, ALICE, 5).await;
    assert_eq!(
        sign_in(&browser, &setup, ALICE, PASSWORD).await,
        Outcome::Locked
    );
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let back = enter_code(&browser, &page, &last_code(&admin).await).await;
    assert!(back.redirect_param("code").is_some(), "{}", back.body);
}

#[actix_web::test]
async fn wrong_passwords_count_per_user_across_workspaces() {
    let (srv, admin) = TestServer::start().await;
    let default = Setup::new(&srv, &admin, json!({})).await;
    let shop = default.also_at(&srv, &admin, "shop").await;
    let browser = Browser::default();
    assert_eq!(
        fail(&browser, &default, ALICE, 3).await,
        [Outcome::Refused; 3]
    );
    assert_eq!(fail(&browser, &shop, ALICE, 2).await, [Outcome::Refused; 2]);
    for setup in [&default, &shop] {
        assert_eq!(
            sign_in(&browser, setup, ALICE, PASSWORD).await,
            Outcome::Locked,
            "{}",
            setup.issuer
        );
    }
}

/// The counts the server keeps for `identifier` from `address` right now.
async fn counts_for(
    srv: &TestServer,
    identifier: &str,
    address: &str,
) -> tarn::testing::lockout::Counts {
    let attempt = Attempt::new("default", identifier, address.parse().ok());
    let now = srv.state.clock.now();
    srv.state
        .db
        .run(move |c| counts(c, &attempt, now))
        .await
        .unwrap()
}

#[actix_web::test]
async fn simultaneous_wrong_passwords_from_many_addresses_are_each_counted() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let mut ready = Vec::new();
    for i in 1..=16 {
        let browser = Browser::forwarded_for(&format!("198.51.100.{i}"));
        let login = browser.login_page(&setup.authorize_url(&[])).await;
        ready.push((browser, login));
    }
    let pages = join_all(
        ready
            .iter()
            .map(|(browser, login)| browser.submit_login(login, ALICE, WRONG)),
    )
    .await;
    let outcomes: Vec<Outcome> = pages.iter().map(outcome).collect();
    assert_eq!(outcomes, [Outcome::Refused; 16], "no 500, none lost");
    let counted = counts_for(&srv, ALICE, "198.51.100.1").await;
    assert_eq!(counted.identifier, 16, "{counted:?}");
    assert_eq!(counted.pair, 1, "{counted:?}");
}

#[actix_web::test]
async fn simultaneous_wrong_passwords_from_one_address_get_five_checks_and_lock_it() {
    let (srv, admin) = TestServer::behind_proxy().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let attacker = Browser::forwarded_for("203.0.113.9");
    let login = attacker.login_page(&setup.authorize_url(&[])).await;
    let pages = join_all((0..16).map(|_| attacker.submit_login(&login, ALICE, WRONG))).await;
    let outcomes: Vec<Outcome> = pages.iter().map(outcome).collect();
    let refused = outcomes.iter().filter(|o| **o == Outcome::Refused).count();
    let locked = outcomes.iter().filter(|o| **o == Outcome::Locked).count();
    assert_eq!((refused, locked), (5, 11), "{outcomes:?}");
    let counted = counts_for(&srv, ALICE, "203.0.113.9").await;
    assert_eq!((counted.pair, counted.identifier), (5, 5), "{counted:?}");
    assert!(counted.pair_locked_until > srv.state.clock.now());
    assert_eq!(
        sign_in(&attacker, &setup, ALICE, PASSWORD).await,
        Outcome::Locked
    );
    let alice = Browser::forwarded_for("192.0.2.10");
    assert_eq!(
        sign_in(&alice, &setup, ALICE, PASSWORD).await,
        Outcome::SignedIn
    );
}
