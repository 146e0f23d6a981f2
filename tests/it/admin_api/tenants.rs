//! `/api/admin/tenants`: creation, slug and name rules, conflicts, listing, and isolation between tenants.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_not_found, id,
    user_body,
};

#[actix_web::test]
async fn a_created_tenant_is_returned_and_listed() {
    let (_srv, admin) = TestServer::start().await;
    let tenant = admin
        .create("/tenants", json!({"id": "acme", "name": "  Acme Inc.  "}))
        .await;
    assert_eq!(tenant["id"], "acme");
    assert_eq!(tenant["name"], "Acme Inc.", "names are trimmed");
    assert!(tenant["created_at"].as_i64().unwrap() > 0);
    let (status, list) = admin.get("/tenants").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["next_cursor"], Value::Null);
    let ids: Vec<String> = list["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids.len(), 3, "default, the built-in admin and acme");
    assert!(ids.contains(&"default".to_owned()) && ids.contains(&"acme".to_owned()));
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "acme")
        .unwrap();
    assert_eq!(listed, &tenant);
}

#[actix_web::test]
async fn a_new_tenant_is_empty_and_usable() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_tenant("acme").await;
    assert!(admin.items("/acme/pools").await.is_empty());
    assert!(admin.items("/acme/schemas").await.is_empty());
    let pool = admin.create("/acme/pools", json!({"name": "Staff"})).await;
    assert_eq!(pool["tenant_id"], "acme");
    let ws = admin
        .create("/acme/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    assert_eq!(ws["tenant_id"], "acme");
}

#[actix_web::test]
async fn valid_slugs_are_accepted() {
    let (_srv, admin) = TestServer::start().await;
    for slug in ["a", "0", "0-shop", "acme-2", "x-", &"a".repeat(63)] {
        let tenant = admin
            .create("/tenants", json!({"id": slug, "name": "T"}))
            .await;
        assert_eq!(tenant["id"], slug);
    }
}

#[actix_web::test]
async fn ids_that_are_not_slugs_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    let long = "a".repeat(64);
    for bad in [
        "", "-acme", "Acme", "ACME", "ac_me", "ac me", "acme.", "ac/me", "é", " acme", &long,
    ] {
        let res = admin
            .post("/tenants", json!({"id": bad, "name": "T"}))
            .await;
        assert_invalid(&res, "id");
    }
    assert_eq!(
        admin.items("/tenants").await.len(),
        2,
        "only `default` and the built-in `admin` exist"
    );
}

#[actix_web::test]
async fn reserved_words_are_refused_as_tenant_ids() {
    let (_srv, admin) = TestServer::start().await;
    for reserved in ["admin", "api", "static", "healthz", "readyz", "metrics"] {
        let res = admin
            .post("/tenants", json!({"id": reserved, "name": "T"}))
            .await;
        assert_invalid(&res, "id");
        let description = res.1["error_description"].as_str().unwrap();
        assert!(description.contains("reserved"), "{description}");
    }
    admin.create_tenant("admins").await;
    assert_eq!(admin.items("/tenants").await.len(), 3);
}

#[actix_web::test]
async fn tenant_names_must_be_one_to_two_hundred_characters() {
    let (_srv, admin) = TestServer::start().await;
    for bad in [String::new(), "   ".to_owned(), "n".repeat(201)] {
        let res = admin
            .post("/tenants", json!({"id": "acme", "name": bad}))
            .await;
        assert_invalid(&res, "name");
    }
    assert_eq!(admin.items("/tenants").await.len(), 2);
    let tenant = admin
        .create("/tenants", json!({"id": "acme", "name": "n".repeat(200)}))
        .await;
    assert_eq!(tenant["name"].as_str().unwrap().len(), 200);
}

#[actix_web::test]
async fn a_duplicate_tenant_id_is_a_conflict() {
    let (_srv, admin) = TestServer::start().await;
    admin
        .create("/tenants", json!({"id": "acme", "name": "Acme"}))
        .await;
    let res = admin
        .post("/tenants", json!({"id": "acme", "name": "Other"}))
        .await;
    assert_conflict(&res);
    let res = admin
        .post("/tenants", json!({"id": "default", "name": "Again"}))
        .await;
    assert_conflict(&res);
    let tenants = admin.items("/tenants").await;
    assert_eq!(tenants.len(), 3);
    let acme = tenants.iter().find(|t| t["id"] == "acme").unwrap();
    assert_eq!(acme["name"], "Acme", "the first tenant is untouched");
}

#[actix_web::test]
async fn malformed_tenant_requests_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    for body in [
        json!({"id": "acme"}),
        json!({"name": "Acme"}),
        json!({"id": 7, "name": "Acme"}),
        json!({"id": "acme", "name": "Acme", "plan": "gold"}),
        json!(["acme"]),
    ] {
        let res = admin.post("/tenants", body).await;
        assert_bad_request(&res);
    }
    assert_eq!(admin.items("/tenants").await.len(), 2);
}

#[actix_web::test]
async fn the_tenant_list_pages() {
    let (_srv, admin) = TestServer::start().await;
    for t in ["t1", "t2", "t3", "t4"] {
        admin.create_tenant(t).await;
    }
    let all = admin.list_all("/tenants", 2).await;
    let mut ids: Vec<String> = all.iter().map(id).collect();
    ids.sort();
    assert_eq!(ids, ["admin", "default", "t1", "t2", "t3", "t4"]);
    for query in ["limit=0", "limit=501", "cursor=garbage"] {
        let res = admin.get(&format!("/tenants?{query}")).await;
        assert_bad_request(&res);
    }
}

#[actix_web::test]
async fn objects_of_one_tenant_are_invisible_from_another() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_tenant("acme").await;
    let pool = id(&admin.create("/acme/pools", json!({"name": "Staff"})).await);
    let schema = id(&admin
        .create(
            "/acme/schemas",
            json!({"name": "S", "schema": {"type": "object"}}),
        )
        .await);
    assert!(admin.items("/default/pools").await.is_empty());
    assert!(admin.items("/default/schemas").await.is_empty());
    let res = admin.get(&format!("/default/pools/{pool}")).await;
    assert_not_found(&res);
    let res = admin.get(&format!("/default/schemas/{schema}")).await;
    assert_not_found(&res);
    let res = admin
        .post(
            "/default/pools",
            json!({"name": "Mine", "payload_schema_id": schema}),
        )
        .await;
    assert_invalid(&res, "payload_schema_id");
    let theirs = format!("/acme/pools/{pool}");
    let user = id(&admin
        .create(&format!("{theirs}/users"), user_body("ada@example.com"))
        .await);
    let group = id(&admin
        .create(&format!("{theirs}/groups"), json!({"name": "g"}))
        .await);
    let mine = format!("/default/pools/{pool}");
    for path in [
        format!("{mine}/users"),
        format!("{mine}/groups"),
        format!("{mine}/users/{user}"),
        format!("{mine}/users/{user}/groups"),
        format!("{mine}/groups/{group}"),
        format!("{mine}/groups/{group}/users"),
    ] {
        assert_not_found(&admin.get(&path).await);
    }
    assert_not_found(
        &admin
            .patch(
                &format!("{mine}/users/{user}"),
                json!({"status": "inactive"}),
            )
            .await,
    );
    assert_not_found(
        &admin
            .patch(&format!("{mine}/groups/{group}"), json!({"name": "x"}))
            .await,
    );
    assert_not_found(
        &admin
            .put(&format!("{mine}/groups/{group}/users/{user}"))
            .await,
    );
    assert_not_found(&admin.delete(&format!("{mine}/users/{user}")).await);
    assert_not_found(&admin.delete(&format!("{mine}/groups/{group}")).await);
    let (_, still) = admin.get(&format!("{theirs}/users/{user}")).await;
    assert_eq!(still["status"], "active");
    assert!(
        admin
            .items(&format!("{theirs}/groups/{group}/users"))
            .await
            .is_empty()
    );
    assert_eq!(
        admin.items(&format!("{theirs}/groups")).await[0]["name"],
        "g"
    );
    // The same pool name may exist in both tenants.
    admin.create_pool("Staff").await;
}
