//! `/api/admin/{tenant}/workspaces` and their `idps`: issuers, slug rules, conflicts, pool connections and their
//! order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{ALICE, Setup, jwt_claims};
use crate::support::{
    TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_no_content,
    assert_not_found, id,
};

#[actix_web::test]
async fn a_created_workspace_has_its_issuer() {
    let (srv, admin) = TestServer::start().await;
    let base = srv.state.config.public_url().to_owned();
    assert!(base.starts_with("http://localhost:"), "{base}");
    let ws = admin
        .create(
            "/default/workspaces",
            json!({"id": "shop", "name": " Shop "}),
        )
        .await;
    assert_eq!(ws["id"], "shop");
    assert_eq!(ws["name"], "Shop");
    assert_eq!(ws["tenant_id"], "default");
    assert_eq!(ws["issuer"], format!("{base}/default/shop"));
    assert_eq!(
        admin.get("/default/workspaces/shop").await,
        (StatusCode::OK, ws.clone())
    );
    let listed = admin.items("/default/workspaces").await;
    assert_eq!(
        listed.iter().map(id).collect::<Vec<_>>(),
        ["default", "shop"]
    );
    assert_eq!(listed[1], ws);
    assert_eq!(listed[0]["issuer"], format!("{base}/default/default"));
    admin.create_tenant("acme").await;
    let theirs = admin
        .create("/acme/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    assert_eq!(
        theirs["issuer"],
        format!("{base}/acme/shop"),
        "the same id in another tenant"
    );
}

#[actix_web::test]
async fn workspace_ids_must_be_free_slugs() {
    let (_srv, admin) = TestServer::start().await;
    let long = "s".repeat(64);
    for bad in [
        "", "Shop", "-shop", "my_shop", "my shop", "shop/1", &long, "admin", "api", "static",
        "healthz", "readyz", "metrics",
    ] {
        let res = admin
            .post("/default/workspaces", json!({"id": bad, "name": "Shop"}))
            .await;
        assert_invalid(&res, "id");
    }
    let res = admin
        .post("/default/workspaces", json!({"id": "shop", "name": ""}))
        .await;
    assert_invalid(&res, "name");
    for body in [
        json!({"id": "shop"}),
        json!({"name": "Shop"}),
        json!({"id": "shop", "name": "Shop", "issuer": "x"}),
    ] {
        let res = admin.post("/default/workspaces", body).await;
        assert_bad_request(&res);
    }
    admin.create_workspace("shop").await;
    let res = admin
        .post(
            "/default/workspaces",
            json!({"id": "shop", "name": "Other"}),
        )
        .await;
    assert_conflict(&res);
    let res = admin
        .post(
            "/default/workspaces",
            json!({"id": "default", "name": "Again"}),
        )
        .await;
    assert_conflict(&res);
    let listed = admin.items("/default/workspaces").await;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[1]["name"], "shop",
        "the first workspace is untouched"
    );
}

#[actix_web::test]
async fn workspaces_of_unknown_tenants_are_not_found() {
    let (_srv, admin) = TestServer::start().await;
    let res = admin
        .post("/nope/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    assert_not_found(&res);
    assert_not_found(&admin.get("/nope/workspaces").await);
    assert_not_found(&admin.get("/nope/workspaces/default").await);
    assert_not_found(&admin.get("/default/workspaces/nope").await);
    let res = admin.get("/default/workspaces/nope/idps").await;
    assert_not_found(&res);
}

#[actix_web::test]
async fn a_deleted_workspace_is_gone_and_releases_its_pools() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_workspace("shop").await;
    let pool = admin.create_pool("Customers").await;
    admin.connect_pool("shop", &pool).await;
    let client = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"redirect_uris": ["https://shop.example/cb"]}),
        )
        .await;
    assert_no_content(&admin.delete("/default/workspaces/shop").await);
    assert_not_found(&admin.get("/default/workspaces/shop").await);
    assert_not_found(&admin.delete("/default/workspaces/shop").await);
    let res = admin
        .get(&format!("/default/workspaces/shop/clients/{}", id(&client)))
        .await;
    assert_not_found(&res);
    assert_eq!(admin.items("/default/workspaces").await.len(), 1);
    assert_no_content(&admin.delete(&format!("/default/pools/{pool}")).await);
    // A new workspace with the same id starts without the old clients and connections.
    admin.create_workspace("shop").await;
    assert!(
        admin
            .items("/default/workspaces/shop/idps")
            .await
            .is_empty()
    );
    assert!(
        admin
            .items("/default/workspaces/shop/clients")
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn pools_are_connected_in_order_and_disconnected() {
    let (_srv, admin) = TestServer::start().await;
    let pools = [
        admin.create_pool("One").await,
        admin.create_pool("Two").await,
        admin.create_pool("Three").await,
    ];
    let idps = "/default/workspaces/default/idps";
    for (i, pool) in pools.iter().enumerate() {
        let conn = admin.connect_pool("default", pool).await;
        assert_eq!(conn["id"], json!(pool));
        assert_eq!(conn["pool_id"], json!(pool));
        assert_eq!(conn["workspace_id"], "default");
        assert_eq!(conn["position"], json!(i));
    }
    let (status, list) = admin.get(idps).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["next_cursor"], Value::Null);
    let order: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pool_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, pools);
    let res = admin.delete(&format!("{idps}/{}", pools[1])).await;
    assert_no_content(&res);
    let res = admin.delete(&format!("{idps}/{}", pools[1])).await;
    assert_not_found(&res);
    let order: Vec<Value> = admin
        .items(idps)
        .await
        .iter()
        .map(|c| c["pool_id"].clone())
        .collect();
    assert_eq!(order, [json!(pools[0]), json!(pools[2])]);
    let again = admin.connect_pool("default", &pools[1]).await;
    assert_eq!(again["position"], 3, "a reconnected pool goes last");
    let order: Vec<Value> = admin
        .items(idps)
        .await
        .iter()
        .map(|c| c["pool_id"].clone())
        .collect();
    assert_eq!(order, [json!(pools[0]), json!(pools[2]), json!(pools[1])]);
}

#[actix_web::test]
async fn bad_connections_are_refused_and_change_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    admin.create_tenant("acme").await;
    let theirs = id(&admin.create("/acme/pools", json!({"name": "Theirs"})).await);
    let idps = "/default/workspaces/default/idps";
    let first = admin.connect_pool("default", &pool).await;
    let res = admin.post(idps, json!({"pool_id": pool})).await;
    assert_conflict(&res);
    assert_invalid(
        &admin.post(idps, json!({"pool_id": "no-such-pool"})).await,
        "pool_id",
    );
    assert_invalid(
        &admin.post(idps, json!({"pool_id": theirs})).await,
        "pool_id",
    );
    for body in [
        json!({}),
        json!({"pool_id": 5}),
        json!({"pool_id": pool, "position": 0}),
    ] {
        let res = admin.post(idps, body).await;
        assert_bad_request(&res);
    }
    assert_eq!(admin.items(idps).await, [first]);
    let res = admin
        .post("/default/workspaces/nope/idps", json!({"pool_id": pool}))
        .await;
    assert_not_found(&res);
    let res = admin
        .delete(&format!("/default/workspaces/nope/idps/{pool}"))
        .await;
    assert_not_found(&res);
    let res = admin.delete(&format!("{idps}/no-such-pool")).await;
    assert_not_found(&res);
    assert_eq!(admin.items(idps).await.len(), 1);
}

#[actix_web::test]
async fn a_pool_can_serve_several_workspaces() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Customers").await;
    admin.create_workspace("shop").await;
    admin.connect_pool("default", &pool).await;
    let conn = admin.connect_pool("shop", &pool).await;
    assert_eq!(conn["position"], 0);
    admin
        .delete(&format!("/default/workspaces/default/idps/{pool}"))
        .await;
    let res = admin.delete(&format!("/default/pools/{pool}")).await;
    assert_conflict(&res);
    assert_eq!(admin.items("/default/workspaces/shop/idps").await.len(), 1);
}

#[actix_web::test]
async fn the_workspace_list_pages() {
    let (_srv, admin) = TestServer::start().await;
    for ws in ["w1", "w2", "w3", "w4"] {
        admin.create_workspace(ws).await;
    }
    let mut all: Vec<String> = admin
        .list_all("/default/workspaces", 2)
        .await
        .iter()
        .map(id)
        .collect();
    all.sort();
    assert_eq!(all, ["default", "w1", "w2", "w3", "w4"]);
    for query in ["limit=0", "limit=501", "cursor=garbage"] {
        let res = admin.get(&format!("/default/workspaces?{query}")).await;
        assert_bad_request(&res);
    }
}

#[actix_web::test]
async fn identity_providers_are_listed_in_pages_in_connection_order() {
    let (_srv, admin) = TestServer::start().await;
    let mut pools = Vec::new();
    for name in ["a", "b", "c", "d", "e"] {
        let pool = admin.create_pool(name).await;
        admin.connect_pool("default", &pool).await;
        pools.push(pool);
    }
    let listed: Vec<String> = admin
        .list_all("/default/workspaces/default/idps", 2)
        .await
        .iter()
        .map(|c| c["pool_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, pools);
    assert_bad_request(&admin.get("/default/workspaces/default/idps?limit=0").await);
}

#[actix_web::test]
async fn disconnecting_a_pool_revokes_its_users_tokens_in_that_workspace() {
    use crate::support::oidc::Setup;
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = setup.tokens(&[]).await;
    let (access, refresh) = (
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(setup.userinfo(access).await.status, StatusCode::OK);

    let reply = admin
        .delete(&format!("/default/workspaces/default/idps/{}", setup.pool))
        .await;
    assert_no_content(&reply);
    // Refresh would otherwise keep minting for the refresh lifetime, and the access token keep reading claims.
    let refreshed = setup.refresh(refresh).await;
    refreshed.assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        setup.userinfo(access).await.status,
        StatusCode::UNAUTHORIZED
    );
    let introspected = setup.post("/oauth2/introspect", &[("token", access)]).await;
    assert_eq!(introspected.json["active"], false, "{}", introspected.json);
}

#[actix_web::test]
async fn the_published_keys_are_listed_current_first_without_key_material() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_workspace("shop").await;
    let (status, first) = admin.get("/default/workspaces/shop/keys").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let keys = first["items"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "created on first use: {first}");
    assert!(keys.iter().all(|k| k["retired_at"].is_null()));
    assert!(!first.to_string().contains("private"), "{first}");
    let (status, rotated) = admin
        .post("/default/workspaces/shop/keys/rotate", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let (_, after) = admin.get("/default/workspaces/shop/keys").await;
    let after = after["items"].as_array().unwrap();
    assert_eq!(after.len(), 6);
    let current: Vec<&Value> = after[..3].iter().collect();
    let kids: Vec<&str> = current.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(rotated["current_kids"].as_array().unwrap().len(), 3);
    for kid in rotated["current_kids"].as_array().unwrap() {
        assert!(
            kids.contains(&kid.as_str().unwrap()),
            "current first: {after:?}"
        );
    }
    for retiring in &after[3..] {
        let retired_at = retiring["retired_at"].as_i64().unwrap();
        assert_eq!(
            retiring["published_until"].as_i64(),
            Some(retired_at + 3600),
            "the longer token lifetime"
        );
    }
    let (status, _) = admin.get("/default/workspaces/nope/keys").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The pool ids of the default workspace's connections, in resolution order.
async fn idp_order(admin: &crate::support::Admin) -> Vec<String> {
    admin
        .items("/default/workspaces/default/idps")
        .await
        .iter()
        .map(|c| c["pool_id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_connection_is_moved_in_the_order_the_others_keep_theirs_and_the_move_is_audited() {
    let (_srv, admin) = TestServer::start().await;
    let [one, two, three] = [
        admin.create_pool("One").await,
        admin.create_pool("Two").await,
        admin.create_pool("Three").await,
    ];
    for pool in [&one, &two, &three] {
        admin.connect_pool("default", pool).await;
    }
    let idps = "/default/workspaces/default/idps";
    let (status, moved) = admin
        .patch(&format!("{idps}/{three}"), json!({"position": 0}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let answered: Vec<(&str, i64)> = moved
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["pool_id"].as_str().unwrap(),
                c["position"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        answered,
        [(three.as_str(), 0), (one.as_str(), 1), (two.as_str(), 2)]
    );
    assert_eq!(
        idp_order(&admin).await,
        [three.clone(), one.clone(), two.clone()]
    );
    let (_, down) = admin
        .patch(&format!("{idps}/{three}"), json!({"position": 2}))
        .await;
    assert_eq!(down.as_array().unwrap().len(), 3);
    assert_eq!(
        idp_order(&admin).await,
        [one.clone(), two.clone(), three.clone()]
    );

    let events = admin
        .list_all("/default/audit-events?type=workspace.updated", 50)
        .await;
    let changes: Vec<&Value> = events
        .iter()
        .map(|e| &e["details"]["changes"]["identity_providers"])
        .collect();
    assert_eq!(changes.len(), 2, "{events:?}");
    assert!(changes.contains(&&json!({"old": [one, two, three], "new": [three, one, two]})));
    assert!(changes.contains(&&json!({"old": [three, one, two], "new": [one, two, three]})));

    let (status, same) = admin
        .patch(&format!("{idps}/{two}"), json!({"position": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{same}");
    let events = admin
        .list_all("/default/audit-events?type=workspace.updated", 50)
        .await;
    assert_eq!(
        events.len(),
        2,
        "a move to its own place changes and records nothing"
    );
}

#[actix_web::test]
async fn a_bad_move_is_refused_and_changes_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let [one, two] = [
        admin.create_pool("One").await,
        admin.create_pool("Two").await,
    ];
    let unconnected = admin.create_pool("Elsewhere").await;
    for pool in [&one, &two] {
        admin.connect_pool("default", pool).await;
    }
    let idps = "/default/workspaces/default/idps";
    for position in [-1, 2, i64::MAX] {
        let res = admin
            .patch(&format!("{idps}/{two}"), json!({"position": position}))
            .await;
        assert_invalid(&res, "position");
    }
    for body in [
        json!({"position": "0"}),
        json!({}),
        json!({"position": 0, "extra": 1}),
    ] {
        assert_bad_request(&admin.patch(&format!("{idps}/{two}"), body).await);
    }
    let res = admin
        .patch(&format!("{idps}/{unconnected}"), json!({"position": 0}))
        .await;
    assert_not_found(&res);
    let res = admin
        .patch(
            &format!("/default/workspaces/nowhere/idps/{one}"),
            json!({"position": 0}),
        )
        .await;
    assert_not_found(&res);
    assert_eq!(idp_order(&admin).await, [one, two]);
}

#[actix_web::test]
async fn the_first_pool_in_the_order_signs_an_identifier_in_that_two_pools_hold() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let staff = admin.create_pool("staff").await;
    let staff_alice = admin.create_user(&staff, ALICE).await;
    admin.connect_pool("default", &staff).await;
    let sub = |tokens: Value| jwt_claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    assert_eq!(sub(setup.tokens(&[]).await), json!(setup.user));
    let res = admin
        .patch(
            &format!("/default/workspaces/default/idps/{staff}"),
            json!({"position": 0}),
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    assert_eq!(sub(setup.tokens(&[]).await), json!(staff_alice));
}
