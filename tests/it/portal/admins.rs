//! The built-in administration through the admin API: what exists after start (idempotently, also with two
//! instances), what cannot be deleted or renamed, and the last-administrator rule.

use reqwest::StatusCode;
use serde_json::json;

use super::{admin_signed_in, pool_user};
use crate::support::{Admin, TestServer, assert_conflict};

#[actix_web::test]
async fn a_fresh_database_has_the_built_in_tenant_pool_groups_workspace_and_portal_client() {
    let (srv, admin) = TestServer::start().await;
    let (status, pool) = admin.get("/admin/pools/administrators").await;
    assert_eq!(status, StatusCode::OK, "{pool}");
    assert_eq!(pool["name"], "Administrators");
    assert_eq!(
        pool["authentication_mechanisms"],
        json!(["password", "passkey"])
    );
    let (_, groups) = admin.get("/admin/pools/administrators/groups").await;
    let names: Vec<_> = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    assert_eq!(names, [json!("administrators"), json!("auditors")]);
    let (status, ws) = admin.get("/admin/workspaces/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ws["issuer"],
        format!("{}/admin/admin", srv.state.config.public_url())
    );
    let (_, client) = admin
        .get("/admin/workspaces/admin/clients/tarn-portal")
        .await;
    assert_eq!(
        client["redirect_uris"],
        json!([format!(
            "{}/admin/-/callback",
            srv.state.config.public_url()
        )])
    );
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_basic");
    // A second instance starting on the same database creates nothing twice.
    let (_other, _) = srv.another_instance(|_| {}).await;
    let (_, groups) = admin.get("/admin/pools/administrators/groups").await;
    assert_eq!(groups["items"].as_array().unwrap().len(), 2);
    let (_, clients) = admin.get("/admin/workspaces/admin/clients").await;
    assert_eq!(clients["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn no_workspace_can_take_the_built_in_path_or_the_portal_s() {
    let (_srv, admin) = TestServer::start().await;
    for id in ["admin", "-", "-tenants"] {
        let (status, body) = admin
            .post("/admin/workspaces", json!({"id": id, "name": "X"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {body}");
    }
    let (status, _) = admin
        .post("/tenants", json!({"id": "admin", "name": "Mine"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn the_built_in_objects_cannot_be_deleted_or_renamed() {
    let (_srv, admin) = TestServer::start().await;
    assert_conflict(&admin.delete("/admin/pools/administrators").await);
    assert_conflict(
        &admin
            .patch("/admin/pools/administrators", json!({"name": "Ops"}))
            .await,
    );
    assert_conflict(&admin.delete("/admin/workspaces/admin").await);
    assert_conflict(
        &admin
            .patch("/admin/workspaces/admin", json!({"name": "Ops"}))
            .await,
    );
    for group in ["administrators", "auditors"] {
        let path = format!("/admin/pools/administrators/groups/{group}");
        assert_conflict(&admin.delete(&path).await);
        assert_conflict(&admin.patch(&path, json!({"name": "renamed"})).await);
    }
    // Registered clients could sign administrators in to sites of their own: the built-in workspace stays closed.
    for mode in ["open", "initial_access_token"] {
        let (status, body) = admin
            .patch(
                "/admin/workspaces/admin",
                json!({"dynamic_registration": mode}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    // Other settings may change: administrators may want codes too.
    let (status, body) = admin
        .patch(
            "/admin/pools/administrators",
            json!({"authentication_mechanisms": ["password", "otp", "passkey"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn only_administrator(admin: &Admin) -> String {
    let (_, users) = admin.get("/admin/pools/administrators/users").await;
    users["items"][0]["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_last_active_administrator_cannot_be_removed_deactivated_or_deleted() {
    let (_srv, admin, _user) = admin_signed_in().await;
    let id = only_administrator(&admin).await;
    let user = format!("/admin/pools/administrators/users/{id}");
    let membership = format!("/admin/pools/administrators/groups/administrators/users/{id}");
    let (status, body) = admin.delete(&membership).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("last active administrator"),
        "{body}"
    );
    assert_conflict(&admin.patch(&user, json!({"status": "inactive"})).await);
    assert_conflict(&admin.delete(&user).await);
    // With a second active administrator, the first may go.
    pool_user(&admin, "second@example.com", Some("administrators")).await;
    let (status, body) = admin.patch(&user, json!({"status": "inactive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = {
        let (_, users) = admin
            .get("/admin/pools/administrators/users?identifier=second@example.com")
            .await;
        users["items"][0]["id"].as_str().unwrap().to_owned()
    };
    // Now the second is the last active one (the first is inactive).
    let second_path = format!("/admin/pools/administrators/users/{second}");
    assert_conflict(&admin.delete(&second_path).await);
    // An inactive member can be removed; that is not the last active one.
    assert_eq!(admin.delete(&membership).await.0, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn two_administrators_removed_at_once_leave_one() {
    let (_srv, admin, _user) = admin_signed_in().await;
    let first = only_administrator(&admin).await;
    let second = pool_user(&admin, "second@example.com", Some("administrators")).await;
    let path = |id: &str| format!("/admin/pools/administrators/groups/administrators/users/{id}");
    let (pa, pb) = (path(&first), path(&second));
    let (a, b) = tokio::join!(admin.delete(&pa), admin.delete(&pb));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::NO_CONTENT, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let (_, members) = admin
        .get("/admin/pools/administrators/groups/administrators/users")
        .await;
    assert_eq!(members["items"].as_array().unwrap().len(), 1, "{members}");
}

#[actix_web::test]
async fn other_pools_users_are_not_bound_by_the_rule() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("staff").await;
    let (_, user) = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "a@example.com", "mode": "set_credentials", "password": "longenough1"}),
        )
        .await;
    let path = format!(
        "/default/pools/{pool}/users/{}",
        user["id"].as_str().unwrap()
    );
    assert_eq!(admin.delete(&path).await.0, StatusCode::NO_CONTENT);
}
