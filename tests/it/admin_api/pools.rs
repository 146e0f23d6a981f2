//! `/api/admin/{tenant}/pools`.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;

#[actix_web::test]
async fn a_new_pool_has_the_documented_defaults() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin
        .create("/default/pools", json!({"name": "Customers"}))
        .await;
    assert_eq!(pool["name"], "Customers");
    assert_eq!(pool["authentication_mechanisms"], json!(["password"]));
    assert_eq!(pool["preferred_authentication_mechanism"], "password");
    assert_eq!(pool["public_registration_allowed"], false);
    assert_eq!(
        pool["password_policy"],
        json!({"min_length": 8, "max_length": 128, "require_lowercase": false, "require_uppercase": false,
               "require_digit": false, "require_special": false})
    );
    assert_eq!(
        pool["otp_settings"],
        json!({"length": 6, "ttl_seconds": 300, "max_attempts": 5})
    );
    let (status, fetched) = admin
        .get(&format!("/default/pools/{}", pool["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, pool);
}
