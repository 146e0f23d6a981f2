//! Invitations through each channel: SMTP, the SMS webhook, and SMTP down (503, nothing created).

use reqwest::StatusCode;
use serde_json::json;

use super::servers::{SmsWebhook, SmtpServer, invitation_link, unused_smtp_url};
use crate::support::{TestServer, assert_error, id};

fn users(pool: &str) -> String {
    format!("/default/pools/{pool}/users")
}

#[actix_web::test]
async fn an_email_invitation_is_mailed_through_smtp_with_an_activation_link() {
    let smtp = SmtpServer::start().await;
    let smtp_url = smtp.url.clone();
    let (srv, admin) = TestServer::start_with(|c| {
        c.smtp_url = Some(smtp_url);
        c.mail_from = "idp@tarn.test".into();
    })
    .await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"email": "Ada@Example.com", "mode": "invite"});
    let user = admin.create(&users(&pool), body).await;
    assert_eq!(user["status"], "invited");

    let received = smtp.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail.from, "idp@tarn.test");
    assert_eq!(mail.to, ["ada@example.com"]);
    assert!(
        mail.data.contains("Subject: You are invited"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("text/plain") && mail.data.contains("text/html"));
    let link = invitation_link(&mail.data);
    let token = link
        .strip_prefix(&format!("{}/invitations/", srv.state.config.public_url()))
        .unwrap_or_else(|| panic!("{link} is not under the public URL"));
    assert_eq!(token.len(), 43, "a 32-byte base64url token: {link}");
    assert!(
        mail.data.contains(&format!("href=\"{link}\"")),
        "the HTML part links too"
    );
    assert!(admin.items("/default/outbox").await.is_empty());

    // A second invitation goes out too (over the pooled connection), with a link of its own.
    let body = json!({"email": "bob@example.com", "mode": "invite"});
    admin.create(&users(&pool), body).await;
    let received = smtp.received();
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[1].to, ["bob@example.com"]);
    assert_ne!(invitation_link(&received[1].data), link);
}

#[actix_web::test]
async fn a_mobile_invitation_is_posted_to_the_sms_webhook() {
    let sms = SmsWebhook::start().await;
    let sms_url = sms.url.clone();
    let (srv, admin) = TestServer::start_with(|c| c.sms_webhook_url = Some(sms_url)).await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"mobile": "+1 415 555 0132", "mode": "invite"});
    let user = admin.create(&users(&pool), body).await;
    assert_eq!(user["status"], "invited");

    let received = sms.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let sent = received[0].as_object().unwrap();
    assert_eq!(sent.len(), 2, "only to and body: {sent:?}");
    assert_eq!(sent["to"], "+14155550132");
    let text = sent["body"].as_str().unwrap();
    let link = invitation_link(text);
    assert!(link.starts_with(&format!("{}/invitations/", srv.state.config.public_url())));
    assert!(admin.items("/default/outbox").await.is_empty());
}

#[actix_web::test]
async fn when_smtp_is_down_the_invite_fails_with_503_and_leaves_no_user() {
    let down = unused_smtp_url();
    let (_srv, admin) = TestServer::start_with(|c| c.smtp_url = Some(down)).await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"email": "ada@example.com", "mode": "invite"});
    let res = admin.post(&users(&pool), body.clone()).await;
    assert_error(
        &res,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
    );
    assert_eq!(
        res.1,
        json!({
            "error": "temporarily_unavailable",
            "error_description": "the invitation could not be sent; nothing was created",
        })
    );
    let found = admin
        .items(&format!("{}?identifier=ada@example.com", users(&pool)))
        .await;
    assert!(found.is_empty(), "the invited user was removed: {found:?}");
    assert!(admin.items(&users(&pool)).await.is_empty());
    assert!(admin.items("/default/outbox").await.is_empty());

    // Nothing half-done blocks the identifier: with credentials set (no message), the same user can be created.
    let body = json!({"email": "ada@example.com", "mode": "set_credentials",
        "password": "correct horse battery"});
    let user = admin.create(&users(&pool), body).await;
    assert_eq!(user["status"], "active");
    assert_eq!(admin.items(&users(&pool)).await.len(), 1);
    assert_eq!(id(&admin.items(&users(&pool)).await[0]), id(&user));
}

#[actix_web::test]
async fn an_sms_gateway_that_keeps_failing_is_retried_then_the_invite_is_undone() {
    let sms = SmsWebhook::start_answering("503 Service Unavailable").await;
    let sms_url = sms.url.clone();
    let (_srv, admin) = TestServer::start_with(|c| c.sms_webhook_url = Some(sms_url)).await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"mobile": "+14155550132", "mode": "invite"});
    let res = admin.post(&users(&pool), body).await;
    assert_error(
        &res,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
    );
    assert_eq!(sms.received().len(), 3, "three attempts");
    let found = admin
        .items(&format!("{}?identifier=%2B14155550132", users(&pool)))
        .await;
    assert!(found.is_empty(), "the invited user was removed: {found:?}");
}

#[actix_web::test]
async fn a_recipient_the_mail_server_refuses_is_not_retried_and_the_invite_is_undone() {
    let smtp = SmtpServer::start_refusing_recipients().await;
    let smtp_url = smtp.url.clone();
    let (_srv, admin) = TestServer::start_with(|c| c.smtp_url = Some(smtp_url)).await;
    let pool = admin.create_pool("Customers").await;
    let body = json!({"email": "ada@example.com", "mode": "invite"});
    let res = admin.post(&users(&pool), body).await;
    assert_error(
        &res,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
    );
    assert_eq!(smtp.refused(), 1, "a permanent refusal (5xx) is final");
    assert!(smtp.received().is_empty());
    assert!(admin.items(&users(&pool)).await.is_empty());
}
