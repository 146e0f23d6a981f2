//! The dev outbox: with neither SMTP nor an SMS webhook configured, messages are kept and listed newest first.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::servers::invitation_link;
use crate::support::{Admin, TestServer, assert_error};

async fn invite(admin: &Admin, pool: &str, body: Value) {
    let user = admin
        .create(&format!("/default/pools/{pool}/users"), body)
        .await;
    assert_eq!(user["status"], "invited");
}

#[actix_web::test]
async fn without_delivery_settings_invitations_land_in_the_outbox_newest_first() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    invite(
        &admin,
        &pool,
        json!({"email": "ada@example.com", "mode": "invite"}),
    )
    .await;
    invite(
        &admin,
        &pool,
        json!({"mobile": "+14155550132", "mode": "invite"}),
    )
    .await;
    invite(
        &admin,
        &pool,
        json!({"email": "bob@example.com", "mode": "invite"}),
    )
    .await;

    let first = admin.get("/default/outbox?limit=2").await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(first.1["items"].as_array().unwrap().len(), 2);
    assert!(first.1["next_cursor"].is_string(), "{}", first.1);
    let all = admin.list_all("/default/outbox", 2).await;
    let recipients: Vec<&str> = all
        .iter()
        .map(|m| m["recipient"].as_str().unwrap())
        .collect();
    assert_eq!(
        recipients,
        ["bob@example.com", "+14155550132", "ada@example.com"],
        "newest first"
    );
    assert_eq!(first.1["items"][0], all[0]);
    assert_eq!(first.1["items"][1], all[1]);

    let (mail, sms) = (&all[0], &all[1]);
    assert_eq!(mail["channel"], "email");
    assert_eq!(mail["subject"], "You are invited");
    let link = invitation_link(mail["body_text"].as_str().unwrap());
    assert!(link.starts_with(&format!("{}/invitations/", srv.state.config.public_url())));
    assert!(mail["body_html"].as_str().unwrap().contains(&link));
    assert!(mail["id"].is_string() && mail["created_at"].is_i64());
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["body_html"], Value::Null);
    assert_ne!(invitation_link(sms["body_text"].as_str().unwrap()), link);
}

#[actix_web::test]
async fn the_outbox_is_per_tenant_and_behind_the_admin_token() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    invite(
        &admin,
        &pool,
        json!({"email": "ada@example.com", "mode": "invite"}),
    )
    .await;
    admin.create_tenant("acme").await;
    assert!(admin.items("/acme/outbox").await.is_empty());
    assert_eq!(admin.items("/default/outbox").await.len(), 1);
    assert_error(
        &admin.get("/nope/outbox").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &admin.get("/default/outbox?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let anonymous = Admin::new(&srv.base, "wrong-token");
    assert_error(
        &anonymous.get("/default/outbox").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}
