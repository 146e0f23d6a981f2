//! `/api/admin/{tenant}/pools`: settings, their validation, updates, name conflicts, deletion and pagination.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Admin, TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_no_content,
    assert_not_found, id, merged,
};

#[actix_web::test]
async fn a_new_pool_has_the_documented_defaults() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin
        .create("/default/pools", json!({"name": "Customers"}))
        .await;
    assert_eq!(pool["name"], "Customers");
    assert_eq!(pool["tenant_id"], "default");
    assert_eq!(pool["description"], "");
    assert_eq!(pool["tag_color"], Value::Null);
    assert_eq!(pool["payload_schema_id"], Value::Null);
    assert_eq!(pool["metadata_schema_id"], Value::Null);
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

#[actix_web::test]
async fn every_setting_given_at_creation_is_kept() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin
        .create(
            "/default/pools",
            json!({
                "name": "  Staff  ",
                "description": "Employees",
                "tag_color": "#1A2B3C",
                "authentication_mechanisms": ["password", "otp", "passkey"],
                "preferred_authentication_mechanism": "passkey",
                "public_registration_allowed": true,
                "password_policy": {"min_length": 12, "require_digit": true},
                "otp_settings": {"length": 8, "ttl_seconds": 600, "max_attempts": 3},
            }),
        )
        .await;
    assert_eq!(pool["name"], "Staff", "names are trimmed");
    assert_eq!(pool["description"], "Employees");
    assert_eq!(pool["tag_color"], "#1a2b3c", "colours are lower-cased");
    assert_eq!(
        pool["authentication_mechanisms"],
        json!(["password", "otp", "passkey"])
    );
    assert_eq!(pool["preferred_authentication_mechanism"], "passkey");
    assert_eq!(pool["public_registration_allowed"], true);
    assert_eq!(
        pool["password_policy"],
        json!({"min_length": 12, "max_length": 128, "require_lowercase": false, "require_uppercase": false,
               "require_digit": true, "require_special": false})
    );
    assert_eq!(
        pool["otp_settings"],
        json!({"length": 8, "ttl_seconds": 600, "max_attempts": 3})
    );
    let (_, fetched) = admin.get(&format!("/default/pools/{}", id(&pool))).await;
    assert_eq!(fetched, pool);
}

#[actix_web::test]
async fn the_preferred_mechanism_defaults_to_the_first_listed() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin
        .create(
            "/default/pools",
            json!({"name": "Codes", "authentication_mechanisms": ["otp", "passkey"]}),
        )
        .await;
    assert_eq!(pool["preferred_authentication_mechanism"], "otp");
}

/// POSTs a pool named `Pool` with the given settings and expects a 400 naming `field`.
async fn assert_refused(admin: &Admin, settings: Value, field: &str) {
    let body = merged(json!({"name": "Pool"}), settings);
    assert_invalid(&admin.post("/default/pools", body).await, field);
}

#[actix_web::test]
async fn invalid_settings_are_refused_naming_the_field_and_nothing_is_created() {
    let (_srv, admin) = TestServer::start().await;
    for name in ["", "   ", &"x".repeat(201)] {
        assert_refused(&admin, json!({"name": name}), "name").await;
    }
    let description = "x".repeat(1001);
    assert_refused(&admin, json!({"description": description}), "description").await;
    for color in ["1a2b3c", "#1a2b3", "#1a2b3c4", "#gg0000", "red", ""] {
        assert_refused(&admin, json!({"tag_color": color}), "tag_color").await;
    }
    let field = "authentication_mechanisms";
    for mechanisms in [json!([]), json!(["otp", "password", "otp"])] {
        assert_refused(&admin, json!({field: mechanisms}), field).await;
    }
    let field = "preferred_authentication_mechanism";
    assert_refused(&admin, json!({field: "passkey"}), field).await;
    let body = json!({"authentication_mechanisms": ["otp"], field: "password"});
    assert_refused(&admin, body, field).await;
    for policy in [
        json!({"min_length": 20, "max_length": 10}),
        json!({"min_length": 0}),
        json!({"max_length": 100_000}),
    ] {
        let body = json!({"password_policy": policy});
        assert_refused(&admin, body, "password_policy").await;
    }
    for (setting, bad) in [
        ("length", [3, 11]),
        ("ttl_seconds", [29, 86_401]),
        ("max_attempts", [0, 21]),
    ] {
        for value in bad {
            let body = json!({"otp_settings": {setting: value}});
            assert_refused(&admin, body, &format!("otp_settings.{setting}")).await;
        }
    }
    for field in ["payload_schema_id", "metadata_schema_id"] {
        assert_refused(&admin, json!({field: "no-such-schema"}), field).await;
    }
    assert!(admin.items("/default/pools").await.is_empty());
}

#[actix_web::test]
async fn unknown_mechanisms_and_unknown_setting_fields_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    for body in [
        json!({"name": "P", "authentication_mechanisms": ["password", "sms"]}),
        json!({"name": "P", "preferred_authentication_mechanism": "magic"}),
        json!({"name": "P", "password_policy": {"min_len": 3}}),
        json!({"name": "P", "otp_settings": {"digits": 6}}),
        json!({"name": "P", "colour": "#000000"}),
        json!({"name": "P", "public_registration_allowed": "yes"}),
        json!({"description": "no name"}),
    ] {
        let res = admin.post("/default/pools", body.clone()).await;
        assert_bad_request(&res);
    }
    let (_, res) = admin
        .post(
            "/default/pools",
            json!({"name": "P", "authentication_mechanisms": ["sms"]}),
        )
        .await;
    assert!(res["error_description"].as_str().unwrap().contains("sms"));
    assert!(admin.items("/default/pools").await.is_empty());
}

async fn patch_ok(admin: &Admin, pool: &str, patch: Value) -> Value {
    let (status, body) = admin.patch(&format!("/default/pools/{pool}"), patch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, fetched) = admin.get(&format!("/default/pools/{pool}")).await;
    assert_eq!(fetched, body, "the PATCH response is what GET returns");
    body
}

#[actix_web::test]
async fn every_setting_can_be_patched_and_absent_fields_are_kept() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let p = patch_ok(&admin, &pool, json!({"name": "Clients"})).await;
    assert_eq!(p["name"], "Clients");
    let p = patch_ok(&admin, &pool, json!({"description": "Buyers"})).await;
    assert_eq!(
        (&p["name"], &p["description"]),
        (&json!("Clients"), &json!("Buyers"))
    );
    let p = patch_ok(&admin, &pool, json!({"tag_color": "#ABCDEF"})).await;
    assert_eq!(p["tag_color"], "#abcdef");
    let p = patch_ok(&admin, &pool, json!({"authentication_mechanisms": ["password", "passkey"], "preferred_authentication_mechanism": "passkey"})).await;
    assert_eq!(
        p["authentication_mechanisms"],
        json!(["password", "passkey"])
    );
    assert_eq!(p["preferred_authentication_mechanism"], "passkey");
    let p = patch_ok(&admin, &pool, json!({"public_registration_allowed": true})).await;
    assert_eq!(p["public_registration_allowed"], true);
    let p = patch_ok(
        &admin,
        &pool,
        json!({"password_policy": {"min_length": 10, "require_special": true}}),
    )
    .await;
    assert_eq!(p["password_policy"]["min_length"], 10);
    assert_eq!(p["password_policy"]["require_special"], true);
    let p = patch_ok(
        &admin,
        &pool,
        json!({"otp_settings": {"length": 4, "ttl_seconds": 30, "max_attempts": 20}}),
    )
    .await;
    assert_eq!(
        p["otp_settings"],
        json!({"length": 4, "ttl_seconds": 30, "max_attempts": 20})
    );
    assert_eq!(p["description"], "Buyers");
    assert_eq!(p["tag_color"], "#abcdef");
    let p = patch_ok(&admin, &pool, json!({"tag_color": null})).await;
    assert_eq!(p["tag_color"], Value::Null, "null clears the colour");
    assert_eq!(p["name"], "Clients");
    assert!(p["updated_at"].as_i64().unwrap() >= p["created_at"].as_i64().unwrap());
}

#[actix_web::test]
async fn dropping_the_preferred_mechanism_moves_the_preference_to_the_first_remaining() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let p = patch_ok(
        &admin,
        &pool,
        json!({"authentication_mechanisms": ["otp", "passkey"]}),
    )
    .await;
    assert_eq!(p["preferred_authentication_mechanism"], "otp");
}

#[actix_web::test]
async fn an_invalid_patch_is_refused_and_changes_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let path = format!("/default/pools/{pool}");
    let (_, before) = admin.get(&path).await;
    let cases = [
        (json!({"name": ""}), "name"),
        (json!({"name": "Renamed", "tag_color": "#12"}), "tag_color"),
        (
            json!({"authentication_mechanisms": []}),
            "authentication_mechanisms",
        ),
        (
            json!({"authentication_mechanisms": ["otp", "otp"]}),
            "authentication_mechanisms",
        ),
        (
            json!({"preferred_authentication_mechanism": "otp"}),
            "preferred_authentication_mechanism",
        ),
        (
            json!({"description": "ok", "password_policy": {"min_length": 9, "max_length": 8}}),
            "password_policy",
        ),
        (
            json!({"otp_settings": {"length": 12}}),
            "otp_settings.length",
        ),
        (json!({"payload_schema_id": "nope"}), "payload_schema_id"),
    ];
    for (patch, field) in cases {
        assert_invalid(&admin.patch(&path, patch).await, field);
    }
    let res = admin
        .patch(&path, json!({"name": "Renamed", "unknown": 1}))
        .await;
    assert_bad_request(&res);
    assert!(
        res.1["error_description"]
            .as_str()
            .unwrap()
            .contains("unknown")
    );
    let (_, after) = admin.get(&path).await;
    assert_eq!(after, before);
}

#[actix_web::test]
async fn a_duplicate_pool_name_is_a_conflict() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_pool("Customers").await;
    let other = admin.create_pool("Staff").await;
    let res = admin
        .post("/default/pools", json!({"name": "Customers"}))
        .await;
    assert_conflict(&res);
    let res = admin
        .patch(
            &format!("/default/pools/{other}"),
            json!({"name": "Customers"}),
        )
        .await;
    assert_conflict(&res);
    let names: Vec<Value> = admin
        .items("/default/pools")
        .await
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&json!("Staff")));
    admin.create_tenant("acme").await;
    admin
        .create("/acme/pools", json!({"name": "Customers"}))
        .await;
}

#[actix_web::test]
async fn a_deleted_pool_is_gone_and_its_name_is_free_again() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    let path = format!("/default/pools/{pool}");
    assert_no_content(&admin.delete(&path).await);
    assert_not_found(&admin.get(&path).await);
    assert_not_found(&admin.delete(&path).await);
    assert_not_found(&admin.get(&format!("{path}/users")).await);
    assert!(admin.items("/default/pools").await.is_empty());
    admin.create_pool("Customers").await;
}

#[actix_web::test]
async fn a_pool_connected_to_a_workspace_cannot_be_deleted_until_disconnected() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    admin.connect_pool("default", &pool).await;
    let path = format!("/default/pools/{pool}");
    assert_conflict(&admin.delete(&path).await);
    assert_eq!(admin.get(&path).await.0, StatusCode::OK);
    let (status, _) = admin
        .delete(&format!("/default/workspaces/default/idps/{pool}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_no_content(&admin.delete(&path).await);
    assert_eq!(admin.get(&path).await.0, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn unknown_pools_and_pools_of_other_tenants_are_not_found() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_tenant("acme").await;
    let theirs = id(&admin.create("/acme/pools", json!({"name": "Theirs"})).await);
    for path in [
        "/default/pools/no-such-pool".to_owned(),
        format!("/default/pools/{theirs}"),
    ] {
        assert_not_found(&admin.get(&path).await);
        let res = admin.patch(&path, json!({"name": "Mine"})).await;
        assert_not_found(&res);
        assert_not_found(&admin.delete(&path).await);
    }
    let (_, still) = admin.get(&format!("/acme/pools/{theirs}")).await;
    assert_eq!(still["name"], "Theirs");
    assert!(admin.items("/default/pools").await.is_empty());
    let res = admin.post("/nope/pools", json!({"name": "P"})).await;
    assert_not_found(&res);
    assert_not_found(&admin.get("/nope/pools").await);
}

#[actix_web::test]
async fn the_pool_list_pages_through_every_pool_exactly_once() {
    let (_srv, admin) = TestServer::start().await;
    let mut created = HashSet::new();
    for i in 0..5 {
        created.insert(admin.create_pool(&format!("Pool {i}")).await);
    }
    let mut seen = Vec::new();
    let mut url = "/default/pools?limit=2".to_owned();
    let mut sizes = Vec::new();
    loop {
        let (status, page) = admin.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        sizes.push(items.len());
        seen.extend(items.iter().map(id));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/default/pools?limit=2&cursor={cursor}"),
            None => {
                assert_eq!(page["next_cursor"], Value::Null);
                break;
            }
        }
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);
    let (_, whole) = admin.get("/default/pools?limit=5").await;
    assert_eq!(whole["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        whole["next_cursor"],
        Value::Null,
        "an exactly full page is the last"
    );
    let (_, default) = admin.get("/default/pools").await;
    assert_eq!(default["items"].as_array().unwrap().len(), 5);
    assert_eq!(admin.list_all("/default/pools", 3).await.len(), 5);
}

#[actix_web::test]
async fn patching_some_policy_keys_keeps_the_others() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin
        .create(
            "/default/pools",
            json!({"name": "p", "password_policy": {"min_length": 12, "require_digit": true}}),
        )
        .await;
    let path = format!("/default/pools/{}", pool["id"].as_str().unwrap());
    let (status, patched) = admin
        .patch(&path, json!({"password_policy": {"require_upper": true}}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown policy keys are refused: {patched}"
    );
    let (status, patched) = admin
        .patch(
            &path,
            json!({"password_policy": {"require_uppercase": true}, "otp_settings": {"length": 8}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["password_policy"]["min_length"], 12);
    assert_eq!(patched["password_policy"]["require_digit"], true);
    assert_eq!(patched["password_policy"]["require_uppercase"], true);
    assert_eq!(
        patched["otp_settings"],
        json!({"length": 8, "ttl_seconds": 300, "max_attempts": 5})
    );
}

#[actix_web::test]
async fn pools_are_listed_in_creation_order() {
    let (_srv, admin) = TestServer::start().await;
    let mut created = Vec::new();
    for name in ["zulu", "alpha", "mike", "bravo", "yankee", "charlie"] {
        created.push(admin.create_pool(name).await);
    }
    let listed: Vec<String> = admin
        .list_all("/default/pools", 4)
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, created);
}
