//! The Outbox page: the dev outbox's messages newest first (their text hidden from auditors), or, with both
//! channels configured, a page saying where messages go.

use reqwest::StatusCode;
use serde_json::json;

use super::{ADMIN_EMAIL, PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::{ADMIN_TOKEN, TestServer};

const OUTBOX: &str = "/admin/-/tenants/default/outbox";

#[actix_web::test]
async fn the_outbox_lists_kept_messages_newest_first_and_shows_auditors_no_text() {
    let (srv, admin, user) = admin_signed_in().await;
    let empty = user.get(OUTBOX).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("No message has been kept"));
    let pool = admin.create_pool("Staff").await;
    for email in ["first@example.com", "second@example.com"] {
        let (status, body) = admin
            .post(
                &format!("/default/pools/{pool}/users"),
                json!({"email": email, "mode": "invite"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let kept = admin.items("/default/outbox").await;
    assert_eq!(kept.len(), 2);
    let page = user.get(OUTBOX).await;
    let recipients: Vec<String> = texts(&page, "tbody td:nth-of-type(2)");
    let api_order: Vec<String> = kept
        .iter()
        .map(|m| m["recipient"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recipients, api_order, "newest first, as the admin API");
    assert_eq!(
        texts(&page, "pre.message")[0],
        kept[0]["body_text"].as_str().unwrap().trim()
    );

    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", PASSWORD).await;
    let seen = auditor.get(OUTBOX).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(texts(&seen, "tbody td:nth-of-type(2)"), api_order);
    assert!(texts(&seen, "pre.message").is_empty());
    let link = kept[0]["body_text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .expect("an invitation link in the message");
    assert!(!seen.body.contains(link), "no single-use link for auditors");
}

#[actix_web::test]
async fn with_both_channels_configured_the_page_says_where_messages_go() {
    let (srv, _admin) = TestServer::start_with(|c| {
        c.smtp_url = Some("smtp://127.0.0.1:1".parse().unwrap());
        c.sms_webhook_url = Some("http://127.0.0.1:1/sms".parse().unwrap());
    })
    .await;
    let user = PortalUser::new(&srv);
    let done = user.set_up(ADMIN_EMAIL, PASSWORD, ADMIN_TOKEN).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    user.sign_in(ADMIN_EMAIL, PASSWORD).await;
    let page = user.get(OUTBOX).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("The dev outbox is not in use"));
    assert!(texts(&page, "table").is_empty());
}
