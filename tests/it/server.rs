//! Start-up, health, readiness, security headers and the admin token, through the real server.

use reqwest::StatusCode;

use crate::support::{Admin, TestServer};

#[actix_web::test]
async fn health_and_readiness_answer() {
    let (srv, _) = TestServer::start().await;
    let health = reqwest::get(srv.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = reqwest::get(srv.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.headers()["x-frame-options"], "DENY");
    assert_eq!(ready.headers()["x-content-type-options"], "nosniff");
    assert_eq!(ready.headers()["referrer-policy"], "no-referrer");
}

#[actix_web::test]
async fn a_fresh_database_has_the_default_tenant_and_workspace() {
    let (_srv, admin) = TestServer::start().await;
    let (status, body) = admin.get("/default/workspaces").await;
    assert_eq!(status, StatusCode::OK);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], "default");
    let (_, pools) = admin.get("/default/pools").await;
    assert_eq!(pools["items"].as_array().unwrap().len(), 0);
    let (_, tenants) = admin.get("/tenants").await;
    let mut ids: Vec<&str> = tenants["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["admin", "default"],
        "the built-in tenant beside the default"
    );
}

#[actix_web::test]
async fn the_admin_api_refuses_missing_and_wrong_tokens() {
    let (srv, _) = TestServer::start().await;
    let res = reqwest::get(srv.url("/api/admin/default/pools"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    let wrong = Admin::new(&srv.base, "not-the-token");
    let (status, body) = wrong.get("/default/pools").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");
    let basic = reqwest::Client::new()
        .get(srv.url("/api/admin/default/pools"))
        .basic_auth("admin", Some(crate::support::ADMIN_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_generated_admin_token_is_stored_only_as_its_hash() {
    let (srv, _) = TestServer::start_with(|c| c.admin_token = None).await;
    let stored: Option<String> = srv
        .state
        .db
        .run(|c| tarn::store::settings::find(c, "admin_token_sha256"))
        .await
        .unwrap();
    let stored = stored.expect("a hash was stored");
    assert_eq!(stored.len(), 64, "a SHA-256 hex digest, not the token");
    assert_eq!(&*srv.state.admin_token_hash, stored.as_str());
}
