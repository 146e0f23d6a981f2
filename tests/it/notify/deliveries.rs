//! The delivery queue behind the code flows: a code is answered at once and delivered by the background worker,
//! retried while the mail server fails, kept across a restart, sent once by instances sharing the database, and
//! deleted once delivered, given up on or expired (its body holds a live code).

use std::time::Duration;

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::json;

use super::servers::SmtpServer;
use crate::pages::code::{ask_code, code_only, enter_code};
use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, Page, Setup};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many messages wait in the delivery queue.
async fn queued(srv: &TestServer) -> i64 {
    srv.state
        .db
        .run(|c| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM deliveries")
                .get_result::<Count>(c)
                .map(|r| r.n)
                .map_err(tarn::store::StoreError::from)
        })
        .await
        .unwrap()
}

/// Waits (bounded) until the delivery queue is empty.
async fn until_queue_empty(srv: &TestServer) {
    for _ in 0..1000 {
        if queued(srv).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the delivery queue did not empty");
}

fn six_digits(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

/// A server mailing through `smtp`, a code-only pool with Alice, and the code page after "Email me a code".
async fn ask_alice(
    smtp: &SmtpServer,
    edit: impl FnOnce(&mut tarn::config::Config),
) -> (TestServer, Setup, Browser, Page) {
    let smtp_url = smtp.url.clone();
    let (srv, admin) = TestServer::start_with(|c| {
        c.smtp_url = Some(smtp_url);
        edit(c);
    })
    .await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.input("challenge").is_some(), "{}", page.body);
    (srv, setup, browser, page)
}

#[actix_web::test]
async fn a_code_is_answered_at_once_and_retried_until_the_mail_server_takes_it() {
    let smtp = SmtpServer::start().await;
    smtp.fail_next(2);
    let (srv, _setup, browser, page) = ask_alice(&smtp, |_| {}).await;
    // The second attempt comes a second after the first failed: the answer did not wait for either.
    assert!(
        smtp.received().is_empty(),
        "answered before the code went out"
    );
    smtp.wait_for_failures(2).await;
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, [ALICE]);
    let back = enter_code(&browser, &page, &six_digits(&mails[0].data)).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    until_queue_empty(&srv).await;
}

#[actix_web::test]
async fn a_queued_code_survives_a_restart_and_still_signs_in() {
    let down = SmtpServer::start().await;
    down.fail_always();
    let (srv, _setup, browser, page) = ask_alice(&down, |_| {}).await;
    down.wait_for_failures(1).await;
    assert_eq!(queued(&srv).await, 1, "the code waits for a working server");

    let working = SmtpServer::start().await;
    let working_url = working.url.clone();
    let old_base = srv.state.config.public_url().to_owned();
    let (srv, _admin) = srv.restart_with(|c| c.smtp_url = Some(working_url)).await;
    let mails = working.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, [ALICE]);
    assert!(down.received().is_empty());
    until_queue_empty(&srv).await;

    // The sign-in request and the challenge live in the database too: the new instance finishes them.
    let mut moved = page.clone();
    moved.body = page.body.replace(&old_base, srv.state.config.public_url());
    let back = enter_code(&browser, &moved, &six_digits(&mails[0].data)).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}

#[actix_web::test]
async fn instances_sharing_a_database_send_each_queued_code_once() {
    let smtp = SmtpServer::start().await;
    smtp.fail_always();
    smtp.set_delay(Duration::from_millis(100));
    let smtp_url = smtp.url.clone();
    let (first, admin) = TestServer::start_with(|c| c.smtp_url = Some(smtp_url.clone())).await;
    let setup = code_only(&first, &admin).await;
    let users: Vec<String> = (0..6).map(|i| format!("user{i}@example.com")).collect();
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    for user in &users {
        let body = json!({"email": user, "mode": "set_credentials"});
        admin
            .create(&format!("/default/pools/{}/users", setup.pool), body)
            .await;
        let page = ask_code(&browser, &login, user, "email_code").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let (_second, _) = first
        .another_instance(|c| c.smtp_url = Some(smtp_url))
        .await;
    smtp.wait_for_failures(2).await;
    // Both workers now race for the same rows, each due after its pause.
    smtp.recover();
    until_queue_empty(&first).await;
    let mut to: Vec<String> = smtp.received().iter().map(|m| m.to.join(",")).collect();
    to.sort();
    assert_eq!(to, users, "every code exactly once");
}

#[actix_web::test]
async fn a_code_that_expires_before_it_could_be_delivered_is_deleted_unsent() {
    let smtp = SmtpServer::start().await;
    smtp.fail_always();
    let (srv, _setup, _browser, _page) = ask_alice(&smtp, |_| {}).await;
    smtp.wait_for_failures(1).await;
    // The pool's codes live 300 s: a message for a dead code is useless and must not keep it.
    srv.state.clock.advance(301);
    until_queue_empty(&srv).await;
    smtp.recover();
    assert!(smtp.received().is_empty());
}

#[actix_web::test]
async fn a_code_is_given_up_after_the_last_attempt_and_deleted() {
    let smtp = SmtpServer::start().await;
    smtp.fail_always();
    let (srv, _setup, _browser, _page) = ask_alice(&smtp, |c| c.deliveries.max_attempts = 2).await;
    smtp.wait_for_failures(2).await;
    until_queue_empty(&srv).await;
    smtp.recover();
    assert_eq!(smtp.failures(), 2, "no third attempt");
    assert!(smtp.received().is_empty());
}
