//! Changing a client through the admin API: `PATCH …/clients/{client}` (merge patch, then the validation of a
//! registration; a refusal changes nothing) and `POST …/clients/{client}/secret` (a new secret, shown once; the
//! old one stops working at once), each with its `client.updated` event.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{Reply, http};
use crate::support::{
    Admin, TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_not_found,
};

const CLIENTS: &str = "/default/workspaces/default/clients";

async fn updated_events(admin: &Admin) -> Vec<Value> {
    admin
        .list_all("/default/audit-events?type=client.updated", 50)
        .await
}

/// A `client_credentials` request at the token endpoint with HTTP Basic.
async fn client_credentials(srv: &TestServer, client_id: &str, secret: &str) -> Reply {
    let req = http()
        .post(srv.url("/default/default/oauth2/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")]);
    Reply::read(req.send().await.unwrap()).await
}

#[actix_web::test]
async fn patch_replaces_the_fields_given_keeps_the_others_and_validates_the_result() {
    let (_srv, admin) = TestServer::start().await;
    let client = admin
        .create(
            CLIENTS,
            json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"],
                   "logo_uri": "https://shop.example/logo.png"}),
        )
        .await;
    let path = format!("{CLIENTS}/{}", client["id"].as_str().unwrap());
    let (status, patched) = admin
        .patch(
            &path,
            json!({"client_name": "Shop 2", "scope": "openid email", "require_consent": true,
                   "logo_uri": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["client_name"], "Shop 2");
    assert_eq!(patched["scope"], "openid email");
    assert_eq!(patched["require_consent"], true);
    assert_eq!(patched["redirect_uris"], json!(["https://shop.example/cb"]));
    assert!(patched.get("logo_uri").is_none(), "{patched}");
    assert!(patched.get("client_secret").is_none(), "{patched}");
    let (_, shown) = admin.get(&path).await;
    assert_eq!(shown["client_name"], "Shop 2");

    let events = updated_events(&admin).await;
    assert_eq!(events.len(), 1);
    let changes = &events[0]["details"]["changes"];
    assert_eq!(
        changes["client_name"],
        json!({"old": "Shop", "new": "Shop 2"})
    );
    assert_eq!(
        changes["logo_uri"],
        json!({"old": "https://shop.example/logo.png", "new": null})
    );
    assert_eq!(events[0]["actor"]["type"], "admin");

    // Refusals change nothing and write nothing.
    let refusals = [
        (
            json!({"redirect_uris": ["http://shop.example/cb"]}),
            "redirect_uris",
        ),
        (json!({"redirect_uris": []}), "redirect_uris"),
        (json!({"grant_types": ["implicit"]}), "grant_types"),
        (json!({"scope": 7}), "scope"),
    ];
    for (body, field) in refusals {
        assert_invalid(&admin.patch(&path, body).await, field);
    }
    assert_bad_request(&admin.patch(&path, json!({"client_id": "other"})).await);
    let (_, after) = admin.get(&path).await;
    assert_eq!(after, shown);
    assert_eq!(updated_events(&admin).await.len(), 1);
    assert_not_found(&admin.patch(&format!("{CLIENTS}/nope"), json!({})).await);
}

#[actix_web::test]
async fn switching_to_a_secret_method_issues_a_secret_and_back_removes_it() {
    let (srv, admin) = TestServer::start().await;
    let client = admin
        .create(
            CLIENTS,
            json!({"redirect_uris": ["http://localhost:9999/cb"], "token_endpoint_auth_method": "none"}),
        )
        .await;
    assert!(client.get("client_secret").is_none());
    let id = client["id"].as_str().unwrap();
    let path = format!("{CLIENTS}/{id}");
    let (status, confidential) = admin
        .patch(
            &path,
            json!({"token_endpoint_auth_method": "client_secret_basic",
                   "grant_types": ["authorization_code", "client_credentials"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confidential}");
    let secret = confidential["client_secret"].as_str().unwrap();
    let reply = client_credentials(&srv, id, secret).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let events = updated_events(&admin).await;
    assert_eq!(events[0]["details"]["changes"]["client_secret"], json!({}));
    assert!(!events[0].to_string().contains(secret));

    let (status, public) = admin
        .patch(
            &path,
            json!({"token_endpoint_auth_method": "none", "grant_types": ["authorization_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert!(public.get("client_secret_expires_at").is_none(), "{public}");
}

#[actix_web::test]
async fn a_rotated_secret_replaces_the_old_one_at_once() {
    let (srv, admin) = TestServer::start().await;
    let client = admin
        .create(CLIENTS, json!({"grant_types": ["client_credentials"]}))
        .await;
    let id = client["id"].as_str().unwrap();
    let old = client["client_secret"].as_str().unwrap();
    // A token request first, so the client sits in the client cache when the secret changes.
    let reply = client_credentials(&srv, id, old).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    let (status, rotated) = admin
        .post(&format!("{CLIENTS}/{id}/secret"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(rotated["client_secret_expires_at"], 0);
    client_credentials(&srv, id, old)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let reply = client_credentials(&srv, id, new).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let (_, shown) = admin.get(&format!("{CLIENTS}/{id}")).await;
    assert!(shown.get("client_secret").is_none());

    let events = updated_events(&admin).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["details"],
        json!({"changes": {"client_secret": {}}})
    );
    assert!(!events[0].to_string().contains(new));

    let public = admin
        .create(
            CLIENTS,
            json!({"redirect_uris": ["http://localhost:9999/cb"], "token_endpoint_auth_method": "none"}),
        )
        .await;
    let public_path = format!("{CLIENTS}/{}/secret", public["id"].as_str().unwrap());
    assert_conflict(&admin.post(&public_path, json!({})).await);
    assert_not_found(
        &admin
            .post(&format!("{CLIENTS}/nope/secret"), json!({}))
            .await,
    );
}
