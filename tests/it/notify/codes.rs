//! Sign-in codes through the real channels: read from the mail the in-test SMTP server received and from the
//! JSON the in-test SMS webhook received (the worker delivers them after the answer), then used to finish the
//! OIDC flow.

use reqwest::StatusCode;
use serde_json::json;

use super::servers::{SmsWebhook, SmtpServer};
use crate::pages::code::{ask_code, code_only, enter_code};
use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser};

fn six_digits(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

#[actix_web::test]
async fn a_sign_in_code_arrives_by_smtp_and_signs_the_user_in() {
    let smtp = SmtpServer::start().await;
    let smtp_url = smtp.url.clone();
    let (srv, admin) = TestServer::start_with(|c| c.smtp_url = Some(smtp_url)).await;
    let setup = code_only(&srv, &admin).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec![ALICE.to_owned()]);
    let back = enter_code(&browser, &page, &six_digits(&mails[0].data)).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    assert!(
        admin.items("/default/outbox").await.is_empty(),
        "a configured channel does not use the outbox"
    );
}

#[actix_web::test]
async fn a_sign_in_code_arrives_by_sms_and_signs_the_user_in() {
    let webhook = SmsWebhook::start().await;
    let sms_url = webhook.url.clone();
    let (srv, admin) = TestServer::start_with(|c| c.sms_webhook_url = Some(sms_url)).await;
    let setup = code_only(&srv, &admin).await;
    let body = json!({"mobile": "+1 415 555 0132", "mode": "set_credentials"});
    admin
        .create(&format!("/default/pools/{}/users", setup.pool), body)
        .await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, "+14155550132", "text_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let received = webhook.wait_for(1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["to"], "+14155550132");
    let back = enter_code(
        &browser,
        &page,
        &six_digits(received[0]["body"].as_str().unwrap()),
    )
    .await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
}
