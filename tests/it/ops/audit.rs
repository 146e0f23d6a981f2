//! The audit trail through the admin API: each change writes its event in its own transaction and only then, sign-ins
//! record method and reason (an unknown identifier only as an HMAC), the filters, paging and NDJSON export,
//! tenant isolation, retention, and no secret in any stored event.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup, VERIFIER};
use crate::support::{ADMIN_TOKEN, Admin, TestServer, user_body};

/// Every event of tenant `default` matching `query` (a query string without `?`, may be empty), newest first.
pub async fn events(admin: &Admin, query: &str) -> Vec<Value> {
    admin
        .list_all(&format!("/default/audit-events?{query}"), 500)
        .await
}

/// The types of `events`, in their order.
pub fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// The NDJSON export of `path` (`?…` included), as raw text and the status.
async fn export(srv: &TestServer, path: &str) -> (StatusCode, String, Option<String>) {
    let res = reqwest::Client::new()
        .get(srv.url(&format!("/api/admin{path}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, res.text().await.unwrap(), content_type)
}

#[actix_web::test]
async fn user_changes_write_their_events_with_the_admin_token_as_actor() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("customers").await;
    let users = format!("/default/pools/{pool}/users");
    let user = admin.create(&users, user_body("ada@example.com")).await;
    let id = user["id"].as_str().unwrap();

    let all = events(&admin, "").await;
    assert_eq!(
        types(&all),
        ["user.created", "pool.created"],
        "newest first"
    );
    let created = &all[0];
    assert_eq!(created["outcome"], "success");
    assert_eq!(created["actor"], json!({"type": "admin", "id": "token"}));
    assert_eq!(created["subject"], json!({"type": "user", "id": id}));
    assert_eq!(created["pool_id"], json!(pool));
    assert_eq!(created["details"]["email"], "ada@example.com");
    assert_eq!(created["ip"], "127.0.0.1");
    assert!(
        created["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(
        created["occurred_at"].as_i64().unwrap() > 1_000_000_000_000,
        "milliseconds"
    );

    let patch = json!({"status": "inactive", "metadata": {"crm": 7}});
    let (status, _) = admin.patch(&format!("{users}/{id}"), patch).await;
    assert_eq!(status, StatusCode::OK);
    let updated = &events(&admin, "type=user.updated").await[0];
    assert_eq!(
        updated["details"]["changes"],
        json!({
            "status": {"old": "active", "new": "inactive"},
            "metadata": {"old": {}, "new": {"crm": 7}},
        })
    );

    let (status, _) = admin.delete(&format!("{users}/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let about = admin
        .list_all(&format!("/default/users/{id}/audit-events"), 10)
        .await;
    assert_eq!(
        types(&about),
        ["user.deleted", "user.updated", "user.created"],
        "the user's history outlives the user"
    );
}

#[actix_web::test]
async fn a_refused_change_writes_no_event_and_a_rolled_back_one_leaves_none() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("customers").await;
    let users = format!("/default/pools/{pool}/users");
    let (status, _) = admin
        .post(&users, json!({"mode": "set_credentials", "password": "x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no identifier");
    admin.create_user(&pool, "ada@example.com").await;
    let (status, _) = admin.post(&users, user_body("ada@example.com")).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a duplicate fails at the insert"
    );
    let (status, _) = admin
        .patch(&format!("{users}/nobody"), json!({"status": "inactive"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        types(&events(&admin, "type=user.*").await),
        ["user.created"],
        "only the user that was created"
    );

    let now = srv.state.clock.now();
    let failed = tarn::testing::audit::record_then_fail(&srv.state.db, "default", "ghost", now);
    assert!(failed.await.is_err());
    assert!(events(&admin, "subject_id=ghost").await.is_empty());
}

#[actix_web::test]
async fn admin_changes_to_pools_groups_workspaces_and_clients_are_recorded() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("staff").await;
    let (status, _) = admin
        .patch(
            &format!("/default/pools/{pool}"),
            json!({"description": "Our staff"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let user = admin.create_user(&pool, "bo@example.com").await;
    let group = admin.create_group(&pool, "ops", None).await;
    let member = format!("/default/pools/{pool}/groups/{group}/users/{user}");
    assert_eq!(admin.put(&member).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        admin.put(&member).await.0,
        StatusCode::NO_CONTENT,
        "idempotent"
    );
    assert_eq!(admin.delete(&member).await.0, StatusCode::NO_CONTENT);
    admin.create_workspace("intranet").await;
    admin.connect_pool("intranet", &pool).await;
    let client = admin
        .create(
            "/default/workspaces/intranet/clients",
            json!({"client_name": "Wiki", "redirect_uris": ["https://wiki.example/cb"]}),
        )
        .await;
    let client_id = client["client_id"].as_str().unwrap();
    let (status, _) = admin
        .delete(&format!("/default/workspaces/intranet/clients/{client_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let all = events(&admin, "").await;
    assert_eq!(
        types(&all),
        [
            "client.deleted",
            "client.created",
            "idp.connected",
            "workspace.created",
            "group.member_removed",
            "group.member_added",
            "group.created",
            "user.created",
            "pool.updated",
            "pool.created",
        ],
        "one event per change, none for the repeated PUT"
    );
    let pool_updated = &all[8];
    assert_eq!(
        pool_updated["details"]["changes"],
        json!({"description": {"old": "", "new": "Our staff"}})
    );
    assert_eq!(all[5]["subject"], json!({"type": "user", "id": user}));
    assert_eq!(all[5]["details"]["group_id"], json!(group));
}

#[actix_web::test]
async fn sign_ins_record_method_and_reason_and_unknown_identifiers_only_as_an_hmac() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    browser
        .submit_login(&login, ALICE, "not the password")
        .await;
    let typed = "Hunter2-typed-as-identifier@example.com";
    browser.submit_login(&login, typed, PASSWORD).await;
    setup.code(&Browser::default(), &[]).await;

    let signins = events(&admin, "type=authn.*").await;
    assert_eq!(
        types(&signins),
        [
            "authn.password.succeeded",
            "authn.password.failed",
            "authn.password.failed",
        ]
    );
    let (ok, unknown, wrong) = (&signins[0], &signins[1], &signins[2]);
    assert_eq!(ok["actor"], json!({"type": "user", "id": setup.user}));
    assert_eq!(ok["subject"], json!({"type": "user", "id": setup.user}));
    assert_eq!(ok["details"]["method"], "password");
    assert_eq!(ok["workspace_id"], "default");
    assert_eq!(wrong["outcome"], "failure");
    assert_eq!(wrong["reason"], "wrong_password");
    assert_eq!(wrong["subject"]["id"], json!(setup.user));
    assert_eq!(unknown["reason"], "unknown_identifier");
    assert_eq!(unknown["actor"], json!({"type": "anonymous"}));
    assert!(unknown.get("subject").is_none());
    let hmac = unknown["details"]["identifier_hmac"].as_str().unwrap();
    assert_eq!(hmac.len(), 64);
    let (_, raw, _) = export(&srv, "/default/audit-events?format=ndjson").await;
    assert!(!raw.to_lowercase().contains("hunter2"), "{raw}");

    let outcome = events(&admin, "outcome=failure").await;
    assert_eq!(outcome.len(), 2);
    assert_eq!(
        events(&admin, "outcome=success&type=authn.*").await.len(),
        1
    );
    let (status, _) = admin.get("/default/audit-events?outcome=maybe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn filters_page_and_export_as_ndjson() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("customers").await;
    let start = srv.state.clock.now();
    let mut ids = Vec::new();
    for n in 0..5 {
        srv.state.clock.advance(10);
        ids.push(admin.create_user(&pool, &format!("u{n}@example.com")).await);
    }
    let all = events(&admin, "").await;
    assert_eq!(all.len(), 6);

    let paged = admin.list_all("/default/audit-events", 2).await;
    assert_eq!(
        paged, all,
        "pages of two make up the whole list, newest first"
    );
    assert_eq!(types(&events(&admin, "type=user.created").await).len(), 5);
    assert_eq!(types(&events(&admin, "type=user.*").await).len(), 5);
    assert_eq!(
        types(&events(&admin, "type=pool.*").await),
        ["pool.created"]
    );
    assert!(
        events(&admin, "type=user").await.is_empty(),
        "exact unless *"
    );
    let about = events(&admin, &format!("subject_id={}", ids[2])).await;
    assert_eq!(about.len(), 1);
    assert_eq!(events(&admin, "actor_id=token").await.len(), 6);
    assert!(events(&admin, "actor_id=someone").await.is_empty());
    // The clock runs on between the steps: bounds halfway between them.
    let window = format!("since={}&until={}", start + 15, start + 45);
    let within = events(&admin, &window).await;
    let subjects: Vec<_> = within.iter().map(|e| e["subject"]["id"].clone()).collect();
    assert_eq!(subjects, [json!(ids[3]), json!(ids[2]), json!(ids[1])]);
    let (status, _) = admin.get("/default/audit-events?type=a*b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, raw, content_type) = export(&srv, "/default/audit-events?format=ndjson").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/x-ndjson"));
    let lines: Vec<Value> = raw
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, all);
    let (_, raw, _) = export(&srv, "/default/audit-events?format=ndjson&type=pool.*").await;
    assert_eq!(raw.lines().count(), 1);
}

#[actix_web::test]
async fn events_stay_with_their_tenant() {
    let (srv, admin) = TestServer::start().await;
    admin.create_pool("here").await;
    admin.create_tenant("acme").await;
    admin.create("/acme/pools", json!({"name": "there"})).await;
    let ours = events(&admin, "").await;
    assert_eq!(types(&ours), ["pool.created"]);
    assert_eq!(ours[0]["details"]["name"], "here");
    let theirs = admin.list_all("/acme/audit-events", 10).await;
    assert_eq!(types(&theirs), ["pool.created", "tenant.created"]);
    assert_eq!(theirs[0]["details"]["name"], "there");
    let (status, _) = admin.get("/nowhere/audit-events").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = export(&srv, "/nowhere/audit-events?format=ndjson").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = reqwest::Client::new()
        .get(srv.url("/api/admin/default/audit-events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_new_tenant_s_first_event_is_its_creation_and_a_refused_one_writes_none() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_tenant("acme").await;
    let (status, _) = admin
        .post("/tenants", json!({"id": "acme", "name": "Again"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = admin
        .post("/tenants", json!({"id": "Not A Slug", "name": "Bad"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let acme = admin.list_all("/acme/audit-events", 10).await;
    assert_eq!(types(&acme), ["tenant.created"], "{acme:?}");
    assert_eq!(acme[0]["actor"], json!({"type": "admin", "id": "token"}));
    assert_eq!(acme[0]["subject"], json!({"type": "tenant", "id": "acme"}));
    assert_eq!(acme[0]["details"]["name"], "acme");
    assert!(
        types(&events(&admin, "").await).is_empty(),
        "nothing in the other tenants"
    );
}

#[actix_web::test]
async fn the_export_streams_many_chunks_and_retention_purges_in_batches() {
    let (srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("old").await;
    let group = admin.create_group(&pool, "g", None).await;
    let path = format!("/default/pools/{pool}/groups/{group}");
    // More events than a purge batch (1,000) and than two chunks of the export (500 each).
    for n in 0..(tarn::testing::audit::BATCH + 5) {
        let (status, _) = admin
            .patch(&path, json!({"description": format!("v{n}")}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, raw, _) = export(&srv, "/default/audit-events?format=ndjson").await;
    assert_eq!(status, StatusCode::OK);
    let ids: std::collections::HashSet<_> = raw
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(
        ids.len() as i64,
        tarn::testing::audit::BATCH + 7,
        "every event, once"
    );

    srv.state.clock.advance(91 * 24 * 3600);
    admin.create_pool("new").await;
    let db = &srv.state.db;
    let now = srv.state.clock.now();
    let purged = tarn::testing::audit::purge_expired_events(db, now, 90)
        .await
        .unwrap();
    assert_eq!(
        purged as i64,
        tarn::testing::audit::BATCH + 7,
        "all the old events, over two batches"
    );
    let left = events(&admin, "").await;
    assert_eq!(types(&left), ["pool.created"]);
    assert_eq!(left[0]["details"]["name"], "new");
    assert_eq!(
        tarn::testing::audit::purge_expired_events(db, now, 90)
            .await
            .unwrap(),
        0
    );
}

#[actix_web::test]
async fn no_stored_event_holds_a_secret_it_was_given() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let users = format!("/default/pools/{}/users", setup.pool);
    let sentinel_password = "Sentinel-Password-71f3!";
    let mut body = user_body("carol@example.com");
    body["password"] = json!(sentinel_password);
    let carol = admin.create(&users, body).await;
    let carol = carol["id"].as_str().unwrap();
    admin
        .patch(&format!("{users}/{carol}"), json!({"email_verified": true}))
        .await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let typed_password = "Sentinel-Typed-5b2e";
    browser.submit_login(&login, ALICE, typed_password).await;
    browser
        .submit_login(&login, typed_password, typed_password)
        .await;
    let code = setup.code(&Browser::default(), &[]).await;
    let tokens = setup.exchange(&code, VERIFIER).await.json;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = setup.refresh(&refresh).await.json;
    setup.refresh(&refresh).await; // a replay
    let revoke = [("token", refreshed["refresh_token"].as_str().unwrap())];
    setup.post("/oauth2/revoke", &revoke).await;

    let secrets = [
        sentinel_password.to_owned(),
        typed_password.to_owned(),
        typed_password.to_lowercase(),
        PASSWORD.to_owned(),
        ADMIN_TOKEN.to_owned(),
        setup.client_secret.clone().unwrap(),
        code,
        refresh,
        tokens["access_token"].as_str().unwrap().to_owned(),
        tokens["id_token"].as_str().unwrap().to_owned(),
        refreshed["access_token"].as_str().unwrap().to_owned(),
        refreshed["refresh_token"].as_str().unwrap().to_owned(),
    ];
    let (status, raw, _) = export(&srv, "/default/audit-events?format=ndjson").await;
    assert_eq!(status, StatusCode::OK);
    assert!(raw.lines().count() >= 8, "the actions were recorded: {raw}");
    for secret in &secrets {
        assert!(
            !raw.contains(secret.as_str()),
            "an event holds {secret}: {raw}"
        );
    }
}

#[actix_web::test]
async fn token_events_record_exchanges_a_reuse_and_each_kind_of_revocation() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let tokens = |code: String| {
        let setup = &setup;
        async move { setup.exchange(&code, VERIFIER).await.json }
    };
    let first = tokens(setup.code(&Browser::default(), &[]).await).await;
    let refresh = first["refresh_token"].as_str().unwrap();
    assert_eq!(setup.refresh(refresh).await.status, StatusCode::OK);
    setup.refresh(refresh).await; // a replay: reuse detected
    let second = tokens(setup.code(&Browser::default(), &[]).await).await;
    let access = [("token", second["access_token"].as_str().unwrap())];
    assert_eq!(
        setup.post("/oauth2/revoke", &access).await.status,
        StatusCode::OK
    );
    let third = tokens(setup.code(&Browser::default(), &[]).await).await;
    let refresh = [("token", third["refresh_token"].as_str().unwrap())];
    assert_eq!(
        setup.post("/oauth2/revoke", &refresh).await.status,
        StatusCode::OK
    );

    assert_eq!(events(&admin, "type=token.code_exchanged").await.len(), 3);
    assert_eq!(
        events(&admin, "type=token.refresh_reuse_detected")
            .await
            .len(),
        1
    );
    let revoked = events(&admin, "type=token.revoked").await;
    let reasons: Vec<&str> = revoked
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["refresh_token", "access_token"], "{revoked:?}");
    for event in &revoked {
        assert_eq!(event["actor"]["type"], "client", "{event}");
        assert_eq!(event["actor"]["id"], setup.client_id.as_str(), "{event}");
        assert_eq!(event["subject"]["id"], setup.user.as_str(), "{event}");
    }
}
