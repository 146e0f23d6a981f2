//! `GET …/deletion-impact` of pools, workspaces and groups: the counts the confirmation page shows are what the
//! deletion then removes.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Admin, TestServer, assert_no_content, assert_not_found};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `SELECT COUNT(*)` of a query's `FROM …` part, straight from the database.
async fn rows(srv: &TestServer, from: &str) -> i64 {
    let query = format!("SELECT COUNT(*) AS n FROM {from}");
    srv.state
        .db
        .run(move |c| {
            diesel::sql_query(query)
                .get_result::<Count>(c)
                .map(|r| r.n)
                .map_err(tarn::store::StoreError::from)
        })
        .await
        .unwrap()
}

async fn impact(admin: &Admin, path: &str) -> Value {
    let (status, body) = admin.get(&format!("{path}/deletion-impact")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[actix_web::test]
async fn a_pools_impact_counts_what_its_deletion_removes() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Doomed").await;
    let kept = admin.create_pool("Kept").await;
    admin.create_user(&kept, "kept@example.com").await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    let bob = admin.create_user(&pool, "bob@example.com").await;
    admin
        .create(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "inv@example.com", "mode": "invite"}),
        )
        .await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu", Some(&staff)).await;
    for (g, u) in [(&staff, &ada), (&eu, &ada), (&eu, &bob)] {
        assert_no_content(
            &admin
                .put(&format!("/default/pools/{pool}/groups/{g}/users/{u}"))
                .await,
        );
    }
    admin.connect_pool("default", &pool).await;
    let path = format!("/default/pools/{pool}");
    let body = impact(&admin, &path).await;
    assert_eq!(
        body,
        json!({
            "deletable": false,
            "users": 3, "groups": 2, "memberships": 3, "invitations": 1, "passkeys": 0,
            "connected_workspaces": [{"id": "default", "name": body["connected_workspaces"][0]["name"]}],
        })
    );
    let (status, _) = admin.delete(&path).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the impact said it is not deletable"
    );
    assert_no_content(
        &admin
            .delete(&format!("/default/workspaces/default/idps/{pool}"))
            .await,
    );
    assert_eq!(impact(&admin, &path).await["deletable"], true);

    let users_before = rows(&srv, "users").await;
    let groups_before = rows(&srv, "pool_groups").await;
    let members_before = rows(&srv, "group_members").await;
    let invitations_before = rows(&srv, "invitations").await;
    assert_no_content(&admin.delete(&path).await);
    assert_eq!(users_before - rows(&srv, "users").await, 3);
    assert_eq!(groups_before - rows(&srv, "pool_groups").await, 2);
    assert_eq!(members_before - rows(&srv, "group_members").await, 3);
    assert_eq!(invitations_before - rows(&srv, "invitations").await, 1);
    assert_not_found(&admin.get(&format!("{path}/deletion-impact")).await);
    admin.create_tenant("acme").await;
    assert_not_found(
        &admin
            .get(&format!("/acme/pools/{kept}/deletion-impact"))
            .await,
    );
}

#[actix_web::test]
async fn a_workspaces_impact_counts_its_clients_keys_and_connections() {
    let (srv, admin) = TestServer::start().await;
    admin.create_workspace("shop").await;
    let pool = admin.create_pool("Customers").await;
    admin.connect_pool("shop", &pool).await;
    for name in ["web", "mobile"] {
        admin
            .create(
                "/default/workspaces/shop/clients",
                json!({"client_name": name, "redirect_uris": ["https://app.example/cb"]}),
            )
            .await;
    }
    let (status, body) = admin
        .post("/default/workspaces/shop/keys/rotate", json!({}))
        .await;
    assert!(status.is_success(), "{body}");
    let path = "/default/workspaces/shop";
    let body = impact(&admin, path).await;
    let keys = rows(&srv, "signing_keys WHERE workspace_id = 'shop'").await;
    assert!(keys > 0);
    assert_eq!(
        body,
        json!({"clients": 2, "signing_keys": keys, "disconnected_pools": 1})
    );
    let clients_before = rows(&srv, "clients").await;
    assert_no_content(&admin.delete(path).await);
    assert_eq!(clients_before - rows(&srv, "clients").await, 2);
    assert_eq!(
        rows(&srv, "signing_keys WHERE workspace_id = 'shop'").await,
        0
    );
    assert_eq!(
        rows(&srv, "idp_connections WHERE workspace_id = 'shop'").await,
        0
    );
    assert_eq!(
        admin.get(&format!("/default/pools/{pool}")).await.0,
        StatusCode::OK,
        "the pool stays"
    );
    assert_not_found(&admin.get("/default/workspaces/nope/deletion-impact").await);
}

#[actix_web::test]
async fn a_groups_impact_names_the_sub_groups_that_move_to_the_top() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Staff").await;
    let staff = admin.create_group(&pool, "staff", None).await;
    let eu = admin.create_group(&pool, "eu", Some(&staff)).await;
    let us = admin.create_group(&pool, "us", Some(&staff)).await;
    admin.create_group(&pool, "paris", Some(&eu)).await;
    let ada = admin.create_user(&pool, "ada@example.com").await;
    assert_no_content(
        &admin
            .put(&format!("/default/pools/{pool}/groups/{staff}/users/{ada}"))
            .await,
    );
    assert_no_content(
        &admin
            .put(&format!("/default/pools/{pool}/groups/{eu}/users/{ada}"))
            .await,
    );
    let path = format!("/default/pools/{pool}/groups/{staff}");
    let body = impact(&admin, &path).await;
    assert_eq!(
        body,
        json!({"memberships": 1, "subgroups_to_top_level": [{"id": eu, "name": "eu"}, {"id": us, "name": "us"}]})
    );
    let members_before = rows(&srv, "group_members").await;
    assert_no_content(&admin.delete(&path).await);
    assert_eq!(members_before - rows(&srv, "group_members").await, 1);
    let top = rows(
        &srv,
        &format!("pool_groups WHERE pool_id = '{pool}' AND parent_id IS NULL"),
    )
    .await;
    assert_eq!(top, 2, "eu and us are top-level now");
    let other = admin.create_pool("Other").await;
    assert_not_found(
        &admin
            .get(&format!(
                "/default/pools/{other}/groups/{eu}/deletion-impact"
            ))
            .await,
    );
}
