//! The sending limits of self-registration, against SMS pumping and mail bombing: per hour, per client address,
//! per browser (the form's cookie), per pool, and lower ones for SMS to new numbers. Over a limit the visitor gets
//! the same page as when a code is sent, and nothing is sent; requests for existing identifiers count like others.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::StatusCode;
use serde_json::json;

use super::enumeration::normalised;
use super::register::{enter_code, register_page, submit};
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup};
use crate::support::{Admin, TestServer};
use tarn::config::RegistrationLimits;

/// Limits high enough not to matter, for a test to lower the one it is about.
const HIGH: RegistrationLimits = RegistrationLimits {
    per_address: 100,
    per_browser: 100,
    per_pool: 100,
    new_numbers_per_address: 100,
    new_numbers_per_pool: 100,
};

/// A server with `limits` and a workspace whose password pool is open to registration.
async fn open(limits: RegistrationLimits) -> (TestServer, Admin, Setup) {
    let (srv, admin) = TestServer::start_with(|c| c.registration_limits = limits).await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let patch = json!({"public_registration_allowed": true});
    let (status, body) = admin
        .patch(&format!("/default/pools/{}", setup.pool), patch)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (srv, admin, setup)
}

/// A browser connecting from 127.0.0.`n`.
fn from(n: u8) -> Browser {
    Browser::from_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
}

/// Fills the registration form (opened in `browser`, which then has the form's cookie) for `identifier`.
async fn register(browser: &Browser, setup: &Setup, identifier: &str) -> Page {
    let form = register_page(browser, setup).await;
    post(browser, &form, identifier).await
}

/// Posts the registration form for `identifier` without ever opening it (with the sign-in page's CSRF token):
/// the post carries the CSRF cookie but no browser cookie.
async fn register_without_cookie(browser: &Browser, setup: &Setup, identifier: &str) -> Page {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let (csrf, request) = (
        login.input("csrf_token").unwrap(),
        login.input("request").unwrap(),
    );
    let form = [
        ("csrf_token", csrf.as_str()),
        ("request", request.as_str()),
        ("identifier", identifier),
        ("password", PASSWORD),
    ];
    let page = browser
        .post_form(&format!("{}/register", setup.issuer), &form)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.input("challenge").is_some(), "{}", page.body);
    page
}

async fn post(browser: &Browser, form: &Page, identifier: &str) -> Page {
    let page = submit(
        browser,
        form,
        &[("identifier", identifier), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.input("challenge").is_some(), "{}", page.body);
    page
}

/// The recipients of the dev outbox, oldest first.
async fn sent(admin: &Admin) -> Vec<String> {
    let mut all: Vec<String> = admin
        .list_all("/default/outbox", 100)
        .await
        .iter()
        .map(|m| m["recipient"].as_str().unwrap().to_owned())
        .collect();
    all.reverse();
    all
}

#[actix_web::test]
async fn registration_codes_are_limited_per_browser_and_existing_identifiers_count_too() {
    let (srv, admin, setup) = open(RegistrationLimits {
        per_browser: 2,
        ..HIGH
    })
    .await;
    let browser = Browser::default();
    let first = register(&browser, &setup, "c1@example.com").await;
    register(&browser, &setup, ALICE).await;
    let over = register(&browser, &setup, "c3@example.com").await;
    assert_eq!(sent(&admin).await, ["c1@example.com"]);
    assert_eq!(
        normalised(&over, "c3@example.com"),
        normalised(&first, "c1@example.com"),
        "the same page as a sent code"
    );
    let wrong = enter_code(&browser, &over, "123456").await;
    assert!(
        wrong.alert().unwrap().contains("not right"),
        "{:?}",
        wrong.alert()
    );

    // Another browser at the same address is not held back; the first one is again an hour later.
    register(&Browser::default(), &setup, "c4@example.com").await;
    srv.state.clock.advance(3601);
    register(&browser, &setup, "c5@example.com").await;
    assert_eq!(
        sent(&admin).await,
        ["c1@example.com", "c4@example.com", "c5@example.com"]
    );
}

#[actix_web::test]
async fn registration_codes_are_limited_per_address_which_is_all_a_post_without_the_cookie_counts_against()
 {
    let (_srv, admin, setup) = open(RegistrationLimits {
        per_address: 3,
        per_browser: 1,
        ..HIGH
    })
    .await;
    let cookieless = from(1);
    for n in 1..=4 {
        register_without_cookie(&cookieless, &setup, &format!("e{n}@example.com")).await;
    }
    register(&from(1), &setup, "e5@example.com").await;
    // Another address has its own count; its browser, its own limit of one.
    let other = from(2);
    register(&other, &setup, "e6@example.com").await;
    register(&other, &setup, "e7@example.com").await;
    assert_eq!(
        sent(&admin).await,
        [
            "e1@example.com",
            "e2@example.com",
            "e3@example.com",
            "e6@example.com"
        ]
    );
}

#[actix_web::test]
async fn registration_codes_are_limited_per_pool() {
    let (_srv, admin, setup) = open(RegistrationLimits {
        per_pool: 2,
        ..HIGH
    })
    .await;
    for n in 1..=3 {
        register(&from(n), &setup, &format!("p{n}@example.com")).await;
    }
    assert_eq!(sent(&admin).await, ["p1@example.com", "p2@example.com"]);
}

#[actix_web::test]
async fn sms_to_new_numbers_have_a_lower_limit_per_address() {
    let (srv, admin, setup) = open(RegistrationLimits {
        per_address: 10,
        new_numbers_per_address: 2,
        ..HIGH
    })
    .await;
    for number in ["+14155550131", "+14155550132", "+14155550133"] {
        register(&Browser::default(), &setup, number).await;
    }
    // Mail is not SMS, and a number already sent a code is not new: both still go out.
    register(&Browser::default(), &setup, "f@example.com").await;
    srv.state.clock.advance(31);
    register(&Browser::default(), &setup, "+14155550131").await;
    assert_eq!(
        sent(&admin).await,
        [
            "+14155550131",
            "+14155550132",
            "f@example.com",
            "+14155550131"
        ]
    );
    let outbox = admin.items("/default/outbox").await;
    assert_eq!(outbox[0]["channel"], "sms");
}

#[actix_web::test]
async fn sms_to_new_numbers_have_a_lower_limit_per_pool() {
    let (_srv, admin, setup) = open(RegistrationLimits {
        new_numbers_per_pool: 2,
        ..HIGH
    })
    .await;
    for n in 1..=3 {
        register(&from(n), &setup, &format!("+1415555014{n}")).await;
    }
    register(&from(4), &setup, "g@example.com").await;
    assert_eq!(
        sent(&admin).await,
        ["+14155550141", "+14155550142", "g@example.com"]
    );
}
