//! `/api/admin/{tenant}/schemas`: JSON Schema documents, their checks, and their use by pools to validate users.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestServer, assert_bad_request, assert_conflict, assert_invalid, assert_no_content,
    assert_not_found, id,
};

fn employee_schema() -> Value {
    json!({
        "type": "object",
        "required": ["employee_id"],
        "properties": {
            "employee_id": {"type": "string", "pattern": "^E[0-9]+$"},
            "name": {"type": "string"},
        },
        "additionalProperties": false,
    })
}

#[actix_web::test]
async fn a_created_schema_is_returned_fetched_and_listed() {
    let (_srv, admin) = TestServer::start().await;
    let schema = admin
        .create(
            "/default/schemas",
            json!({"name": "Employee", "schema": employee_schema()}),
        )
        .await;
    assert_eq!(schema["name"], "Employee");
    assert_eq!(schema["tenant_id"], "default");
    assert_eq!(schema["schema"], employee_schema());
    let (status, fetched) = admin
        .get(&format!("/default/schemas/{}", id(&schema)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, schema);
    let (_, list) = admin.get("/default/schemas").await;
    assert_eq!(list["items"], json!([schema]));
    assert_eq!(list["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn invalid_schema_documents_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    let cases = [
        (json!({"type": "nope"}), "schema.type"),
        (
            json!({"type": "object", "required": "employee_id"}),
            "schema.required",
        ),
        (
            json!({"type": "object", "properties": {"age": {"minimum": "ten"}}}),
            "schema.properties.age.minimum",
        ),
        (json!([{"type": "object"}]), "schema"),
        (json!("object"), "schema"),
    ];
    for (document, field) in cases {
        let res = admin
            .post(
                "/default/schemas",
                json!({"name": "Bad", "schema": document}),
            )
            .await;
        assert_invalid(&res, field);
    }
    assert!(admin.items("/default/schemas").await.is_empty());
}

#[actix_web::test]
async fn remote_refs_are_not_fetched_and_dangling_refs_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    for document in [
        json!({"$ref": "http://127.0.0.1:9/user.json"}),
        json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}),
    ] {
        let body = json!({"name": "Refs", "schema": document});
        assert_invalid(&admin.post("/default/schemas", body).await, "schema");
    }
    assert!(admin.items("/default/schemas").await.is_empty());
}

#[actix_web::test]
async fn bad_schema_requests_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    let res = admin
        .post(
            "/default/schemas",
            json!({"name": " ", "schema": {"type": "object"}}),
        )
        .await;
    assert_invalid(&res, "name");
    for body in [
        json!({"name": "S"}),
        json!({"schema": {"type": "object"}}),
        json!({"name": "S", "schema": {"type": "object"}, "version": 2}),
    ] {
        let res = admin.post("/default/schemas", body).await;
        assert_bad_request(&res);
    }
    let res = admin
        .post(
            "/nope/schemas",
            json!({"name": "S", "schema": {"type": "object"}}),
        )
        .await;
    assert_not_found(&res);
    assert!(admin.items("/default/schemas").await.is_empty());
}

#[actix_web::test]
async fn a_duplicate_schema_name_is_a_conflict() {
    let (_srv, admin) = TestServer::start().await;
    admin
        .create_schema("Employee", json!({"type": "object"}))
        .await;
    let res = admin
        .post(
            "/default/schemas",
            json!({"name": "Employee", "schema": employee_schema()}),
        )
        .await;
    assert_conflict(&res);
    let items = admin.items("/default/schemas").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["schema"], json!({"type": "object"}));
}

#[actix_web::test]
async fn a_pool_payload_schema_validates_its_users() {
    let (_srv, admin) = TestServer::start().await;
    let schema = admin.create_schema("Employee", employee_schema()).await;
    let pool = id(&admin
        .create(
            "/default/pools",
            json!({"name": "Staff", "payload_schema_id": schema}),
        )
        .await);
    assert_eq!(
        admin.get(&format!("/default/pools/{pool}")).await.1["payload_schema_id"],
        json!(schema)
    );
    let users = format!("/default/pools/{pool}/users");
    let user =
        |payload: Value| json!({"email": "ada@example.com", "payload": payload, "mode": "invite"});
    let res = admin.post(&users, user(json!({"name": "Ada"}))).await;
    assert_invalid(&res, "payload.employee_id");
    let res = admin.post(&users, user(json!({"employee_id": "X1"}))).await;
    assert_invalid(&res, "payload.employee_id");
    // The default profile fields are not part of this schema.
    let res = admin
        .post(
            &users,
            user(json!({"employee_id": "E1", "given_name": "Ada"})),
        )
        .await;
    assert_invalid(&res, "payload.given_name");
    assert!(admin.items(&users).await.is_empty());
    let created = admin
        .create(&users, user(json!({"employee_id": "E1", "name": "Ada"})))
        .await;
    assert_eq!(
        created["payload"],
        json!({"employee_id": "E1", "name": "Ada"})
    );
    let res = admin
        .patch(&format!("{users}/{}", id(&created)), json!({"payload": {}}))
        .await;
    assert_invalid(&res, "payload.employee_id");
}

#[actix_web::test]
async fn a_pool_metadata_schema_validates_user_metadata() {
    let (_srv, admin) = TestServer::start().await;
    let schema = admin
        .create_schema(
            "Tier",
            json!({"type": "object", "required": ["tier"], "properties": {"tier": {"enum": ["gold", "silver"]}}}),
        )
        .await;
    let pool = id(&admin
        .create(
            "/default/pools",
            json!({"name": "Members", "metadata_schema_id": schema}),
        )
        .await);
    let users = format!("/default/pools/{pool}/users");
    let user = |metadata: Value| json!({"email": "ada@example.com", "metadata": metadata, "mode": "invite"});
    assert_invalid(&admin.post(&users, user(json!({}))).await, "metadata.tier");
    assert_invalid(
        &admin.post(&users, user(json!({"tier": "bronze"}))).await,
        "metadata.tier",
    );
    assert!(admin.items(&users).await.is_empty());
    let created = admin.create(&users, user(json!({"tier": "gold"}))).await;
    assert_eq!(created["metadata"], json!({"tier": "gold"}));
}

#[actix_web::test]
async fn a_schema_in_use_cannot_be_deleted_until_released() {
    let (_srv, admin) = TestServer::start().await;
    let payload = admin.create_schema("Employee", employee_schema()).await;
    let metadata = admin.create_schema("Meta", json!({"type": "object"})).await;
    let pool = id(&admin
        .create(
            "/default/pools",
            json!({"name": "Staff", "payload_schema_id": payload, "metadata_schema_id": metadata}),
        )
        .await);
    for schema in [&payload, &metadata] {
        let path = format!("/default/schemas/{schema}");
        assert_conflict(&admin.delete(&path).await);
        assert_eq!(admin.get(&path).await.0, StatusCode::OK);
    }
    let (status, released) = admin
        .patch(
            &format!("/default/pools/{pool}"),
            json!({"payload_schema_id": null, "metadata_schema_id": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert_eq!(released["payload_schema_id"], Value::Null);
    assert_eq!(released["metadata_schema_id"], Value::Null);
    for schema in [&payload, &metadata] {
        let path = format!("/default/schemas/{schema}");
        assert_no_content(&admin.delete(&path).await);
        assert_not_found(&admin.get(&path).await);
        assert_not_found(&admin.delete(&path).await);
    }
    assert!(admin.items("/default/schemas").await.is_empty());
}

#[actix_web::test]
async fn a_schema_can_be_assigned_to_an_existing_pool_by_patch() {
    let (_srv, admin) = TestServer::start().await;
    let pool = admin.create_pool("Staff").await;
    let schema = admin.create_schema("Employee", employee_schema()).await;
    let (status, patched) = admin
        .patch(
            &format!("/default/pools/{pool}"),
            json!({"payload_schema_id": schema}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["payload_schema_id"], json!(schema));
    let res = admin
        .post(
            &format!("/default/pools/{pool}/users"),
            json!({"email": "ada@example.com", "payload": {"name": "Ada"}, "mode": "invite"}),
        )
        .await;
    assert_invalid(&res, "payload.employee_id");
    let path = format!("/default/schemas/{schema}");
    assert_conflict(&admin.delete(&path).await);
}

#[actix_web::test]
async fn unknown_schemas_are_not_found_and_the_list_pages() {
    let (_srv, admin) = TestServer::start().await;
    assert_not_found(&admin.get("/default/schemas/nope").await);
    assert_not_found(&admin.delete("/default/schemas/nope").await);
    assert_not_found(&admin.get("/nope/schemas").await);
    for i in 0..3 {
        admin
            .create_schema(&format!("S{i}"), json!({"type": "object"}))
            .await;
    }
    assert_eq!(admin.list_all("/default/schemas", 2).await.len(), 3);
    let res = admin.get("/default/schemas?limit=0").await;
    assert_bad_request(&res);
}

#[actix_web::test]
async fn a_schema_is_renamed_and_replaced_and_bad_changes_change_nothing() {
    let (_srv, admin) = TestServer::start().await;
    let id = admin.create_schema("Employee", employee_schema()).await;
    admin
        .create_schema("Taken", json!({"type": "object"}))
        .await;
    let path = format!("/default/schemas/{id}");
    let (status, renamed) = admin.patch(&path, json!({"name": "Staff"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Staff");
    assert_eq!(renamed["schema"], employee_schema());
    let open = json!({"type": "object"});
    let (status, replaced) = admin.patch(&path, json!({"schema": open})).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["schema"], open);

    assert_invalid(
        &admin
            .patch(&path, json!({"schema": {"type": "nope"}}))
            .await,
        "schema.type",
    );
    assert_invalid(&admin.patch(&path, json!({"name": " "})).await, "name");
    assert_conflict(&admin.patch(&path, json!({"name": "Taken"})).await);
    assert_bad_request(&admin.patch(&path, json!({"version": 2})).await);
    assert_not_found(
        &admin
            .patch("/default/schemas/missing", json!({"name": "X"}))
            .await,
    );
    let (_, stored) = admin.get(&path).await;
    assert_eq!(stored["name"], "Staff");
    assert_eq!(stored["schema"], open);
}
