//! No account enumeration through the code flows: "Email me a code", "Forgot password?" and "Create account"
//! answer an existing and an unknown identifier with the same status, the same page and (coarsely) the same time,
//! with a slow mail server and with none at all; the code is delivered after the answer.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use super::code::{ask_code, code_only};
use super::register::{register_page, submit};
use crate::notify::servers::{SmtpServer, unused_smtp_url};
use crate::support::oidc::{ALICE, Browser, PASSWORD, Page, Setup};
use crate::support::{Admin, TestServer};

/// What the slow mail server waits before it takes a message.
const SMTP_DELAY: Duration = Duration::from_millis(250);
/// Samples per identifier kind and flow.
const SAMPLES: usize = 5;
/// How far apart the median answer times of the two kinds may be: half the mail server's delay, so that sending
/// in the request (which adds all of it to one kind) fails, and scheduling noise on a loaded machine does not.
const MARGIN: Duration = Duration::from_millis(125);

/// The three flows that send a code to an identifier.
#[derive(Clone, Copy, Debug)]
enum Flow {
    SignIn,
    Reset,
    Register,
}

/// A pool offering passwords and codes, open to registration, with `SAMPLES` users besides Alice.
async fn open_pool(srv: &TestServer, admin: &Admin) -> Setup {
    let setup = code_only(srv, admin).await;
    let patch = json!({"authentication_mechanisms": ["password", "otp"],
        "public_registration_allowed": true});
    let (status, body) = admin
        .patch(&format!("/default/pools/{}", setup.pool), patch)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for i in 0..SAMPLES {
        admin
            .create_user(&setup.pool, &format!("user{i}@example.com"))
            .await;
    }
    setup
}

/// The form page each flow starts from.
async fn start_page(browser: &Browser, setup: &Setup, flow: Flow) -> Page {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    match flow {
        Flow::SignIn => login,
        Flow::Reset => {
            let request = login.input("request").unwrap();
            let url = format!("{}/password-reset?request={request}", setup.issuer);
            browser.get(&url).await
        }
        Flow::Register => register_page(browser, setup).await,
    }
}

/// Asks `flow` for a code for `identifier` from its form page; returns the answer and how long it took.
async fn ask(browser: &Browser, form: &Page, flow: Flow, identifier: &str) -> (Page, Duration) {
    let started = Instant::now();
    let page = match flow {
        Flow::SignIn => ask_code(browser, form, identifier, "email_code").await,
        Flow::Reset => {
            let fields = [("identifier", identifier), ("action", "email_code")];
            submit(browser, form, &fields).await
        }
        Flow::Register => {
            let fields = [("identifier", identifier), ("password", PASSWORD)];
            submit(browser, form, &fields).await
        }
    };
    (page, started.elapsed())
}

/// The page with what differs per answer or per identifier taken out: the CSRF token, the challenge id, the
/// sign-in request's id, and the identifier echoed in the form.
pub fn normalised(page: &Page, identifier: &str) -> String {
    let mut body = page.body.replace(identifier, "IDENTIFIER");
    for name in ["csrf_token", "challenge", "request"] {
        if let Some(value) = page.input(name).filter(|v| !v.is_empty()) {
            body = body.replace(&value, &name.to_uppercase());
        }
    }
    body
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Asks `flow` for codes for existing and unknown identifiers in turn; asserts that every answer is the same
/// page with the same status, and returns the times `(existing, unknown)`.
async fn sample(setup: &Setup, flow: Flow) -> (Vec<Duration>, Vec<Duration>) {
    let browser = Browser::default();
    let form = start_page(&browser, setup, flow).await;
    let (mut existing, mut unknown) = (Vec::new(), Vec::new());
    let mut first: Option<(StatusCode, String)> = None;
    for i in 0..SAMPLES {
        let pairs = [
            (format!("user{i}@example.com"), &mut existing),
            (format!("nobody{i}@example.com"), &mut unknown),
        ];
        for (identifier, times) in pairs {
            let (page, took) = ask(&browser, &form, flow, &identifier).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{flow:?} {identifier}: {}",
                page.body
            );
            assert!(page.input("challenge").is_some(), "{flow:?}: {}", page.body);
            let seen = (page.status, normalised(&page, &identifier));
            let expected = first.get_or_insert_with(|| seen.clone());
            assert_eq!(
                *expected, seen,
                "{flow:?}: the answer for {identifier} differs"
            );
            times.push(took);
        }
    }
    (existing, unknown)
}

#[actix_web::test]
async fn code_flows_answer_existing_and_unknown_identifiers_alike_with_a_slow_mail_server() {
    let smtp = SmtpServer::start().await;
    smtp.set_delay(SMTP_DELAY);
    let smtp_url = smtp.url.clone();
    let (srv, admin) = TestServer::start_with(|c| {
        c.smtp_url = Some(smtp_url);
        // Ten registrations from one browser in a few seconds: lift the sending limits out of the way.
        c.registration_limits.per_browser = 100;
        c.registration_limits.per_address = 100;
    })
    .await;
    let setup = open_pool(&srv, &admin).await;
    for flow in [Flow::SignIn, Flow::Reset, Flow::Register] {
        // Each flow sends a code to the same identifiers: past the resend throttle (one per 30 s) first.
        srv.state.clock.advance(31);
        let (existing, unknown) = sample(&setup, flow).await;
        let (e, u) = (median(&existing), median(&unknown));
        eprintln!(
            "{flow:?}: existing {existing:?} (median {e:?}), unknown {unknown:?} (median {u:?})"
        );
        assert!(
            e < u + MARGIN && u < e + MARGIN,
            "{flow:?}: existing identifiers answered in {existing:?}, unknown ones in {unknown:?}"
        );
    }
    // The codes do go out, after the answers: sign-in and reset codes to the existing users, registration codes
    // to the new identifiers.
    let mails = smtp.wait_for(3 * SAMPLES).await;
    let mut to: Vec<String> = mails.iter().map(|m| m.to.join(",")).collect();
    to.sort();
    let mut expected: Vec<String> = (0..SAMPLES)
        .flat_map(|i| {
            let user = format!("user{i}@example.com");
            [user.clone(), user, format!("nobody{i}@example.com")]
        })
        .collect();
    expected.sort();
    assert_eq!(to, expected);
}

#[actix_web::test]
async fn with_the_mail_server_down_existing_and_unknown_identifiers_get_the_same_page() {
    let down = unused_smtp_url();
    let (srv, admin) = TestServer::start_with(|c| c.smtp_url = Some(down)).await;
    let setup = open_pool(&srv, &admin).await;
    for flow in [Flow::SignIn, Flow::Reset, Flow::Register] {
        srv.state.clock.advance(31);
        let browser = Browser::default();
        let form = start_page(&browser, &setup, flow).await;
        let (known, _) = ask(&browser, &form, flow, ALICE).await;
        let (unknown, _) = ask(&browser, &form, flow, "nobody@example.com").await;
        assert_eq!(known.status, StatusCode::OK, "{flow:?}: {}", known.body);
        assert_eq!(unknown.status, StatusCode::OK, "{flow:?}: {}", unknown.body);
        assert_eq!(known.alert(), None, "{flow:?}");
        assert_eq!(
            normalised(&known, ALICE),
            normalised(&unknown, "nobody@example.com"),
            "{flow:?}"
        );
        assert!(!known.body.contains("could not send"), "{flow:?}");
    }
}
