//! `/api/admin/{tenant}/pools/{pool}/users/{user}/consents`: a user's consents, listed (paged) and withdrawn;
//! the client metadata behind them (`require_consent`, `logo_uri`, `policy_uri`, `tos_uri`).

use reqwest::StatusCode;
use serde_json::json;

use crate::oidc::consent::{assert_code, consent_page, consenting, decide};
use crate::support::oidc::{Browser, Setup};
use crate::support::{TestServer, assert_invalid, assert_no_content, assert_not_found};

#[actix_web::test]
async fn require_consent_defaults_to_false_and_the_page_links_are_checked() {
    let (_srv, admin) = TestServer::start().await;
    let clients = "/default/workspaces/default/clients";
    let base = json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"]});
    let plain = admin.create(clients, base.clone()).await;
    assert_eq!(plain["require_consent"], false);
    assert!(plain.get("logo_uri").is_none());
    let mut full = base.clone();
    full["require_consent"] = json!(true);
    full["logo_uri"] = json!("https://shop.example/logo.png");
    full["policy_uri"] = json!("https://shop.example/privacy");
    full["tos_uri"] = json!("http://127.0.0.1:8080/terms");
    let created = admin.create(clients, full).await;
    let id = created["client_id"].as_str().unwrap();
    let (status, read) = admin.get(&format!("{clients}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["require_consent"], true);
    assert_eq!(read["logo_uri"], "https://shop.example/logo.png");
    assert_eq!(read["policy_uri"], "https://shop.example/privacy");
    assert_eq!(read["tos_uri"], "http://127.0.0.1:8080/terms");
    for (field, bad) in [
        ("logo_uri", "http://shop.example/logo.png"),
        ("policy_uri", "javascript:alert(1)"),
        ("tos_uri", "terms.html"),
    ] {
        let mut body = base.clone();
        body[field] = json!(bad);
        assert_invalid(&admin.post(clients, body).await, field);
    }
    let mut body = base;
    body["require_consent"] = json!("yes");
    assert_eq!(admin.post(clients, body).await.0, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn a_users_consents_are_listed_and_withdrawn() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({"client_name": "First"})).await;
    let second = setup
        .another_client(
            &admin,
            json!({"require_consent": true, "client_name": "Second"}),
        )
        .await;
    let consents = format!(
        "/default/pools/{}/users/{}/consents",
        setup.pool, setup.user
    );
    assert!(admin.items(&consents).await.is_empty());
    let browser = Browser::default();
    for (s, scope) in [(&setup, "openid email"), (&second, "openid")] {
        let page = consent_page(&browser, &s.authorize_url(&[("scope", scope)])).await;
        assert_code(&decide(&browser, &page, "allow").await, s);
    }
    let listed = admin.list_all(&consents, 1).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let first = listed
        .iter()
        .find(|c| c["client_id"] == setup.client_id.as_str())
        .expect("the first client's consent");
    assert_eq!(first["client_name"], "First");
    assert_eq!(first["workspace_id"], "default");
    assert_eq!(first["scopes"], json!(["openid", "email"]));
    assert!(first["created_at"].is_i64() && first["updated_at"].is_i64());
    let second_listed = listed
        .iter()
        .find(|c| c["client_id"] == second.client_id.as_str())
        .expect("the second client's consent");
    assert_eq!(second_listed["client_name"], "Second");
    assert_eq!(second_listed["scopes"], json!(["openid"]));

    let one = format!("{consents}/{}", setup.client_id);
    assert_no_content(&admin.delete(&one).await);
    assert_not_found(&admin.delete(&one).await);
    let left = admin.items(&consents).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["client_id"], second.client_id.as_str());
    // Withdrawn: the client asks again.
    consent_page(&browser, &setup.authorize_url(&[("scope", "openid email")])).await;

    let other_pool = admin.create_pool("other").await;
    let elsewhere = format!("/default/pools/{other_pool}/users/{}/consents", setup.user);
    assert_not_found(&admin.get(&elsewhere).await);
    assert_not_found(
        &admin
            .delete(&format!("{elsewhere}/{}", second.client_id))
            .await,
    );
    assert_not_found(&admin.delete(&format!("{consents}/no-such-client")).await);
    assert_eq!(admin.items(&consents).await.len(), 1);
}

/// Withdrawing a consent through the admin API revokes that client's refresh tokens for the user, and only
/// that client's.
#[actix_web::test]
async fn withdrawing_revokes_only_that_clients_refresh_tokens() {
    let (srv, admin) = TestServer::start().await;
    let setup = consenting(&srv, &admin, json!({})).await;
    let other: Setup = setup
        .another_client(&admin, json!({"require_consent": true}))
        .await;
    let browser = Browser::default();
    let mut refresh = Vec::new();
    for s in [&setup, &other] {
        let url = s.authorize_url(&[("scope", "openid offline_access")]);
        let page = consent_page(&browser, &url).await;
        let code = assert_code(&decide(&browser, &page, "allow").await, s);
        let tokens = s.exchange(&code, crate::support::oidc::VERIFIER).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
        refresh.push(tokens.json["refresh_token"].as_str().unwrap().to_owned());
    }
    let path = format!(
        "/default/pools/{}/users/{}/consents/{}",
        setup.pool, setup.user, setup.client_id
    );
    assert_no_content(&admin.delete(&path).await);
    setup
        .refresh(&refresh[0])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(other.refresh(&refresh[1]).await.status, StatusCode::OK);
}
