//! The Schemas pages: the list, Create schema (pre-filled with the built-in user schema; bad JSON and a document
//! that is no JSON Schema refused at the field with the input kept), a schema's page with the pools using it,
//! Edit (in force for the next user write, recorded as `schema.updated`), Delete (refused while a pool uses it),
//! auditors refused, CSRF refused, another tenant's schema not found.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{PortalUser, admin_signed_in, pool_user, texts};
use crate::ops::audit::events;
use crate::support::Admin;

const LIST: &str = "/admin/-/tenants/default/schemas";

fn schema_page(id: &str) -> String {
    format!("{LIST}/{id}")
}

/// A document requiring `employee_id`.
fn employees() -> Value {
    json!({
        "type": "object",
        "properties": {"employee_id": {"type": "string", "title": "Employee id"}},
        "required": ["employee_id"],
    })
}

async fn pool_with_schema(admin: &Admin, name: &str, schema: &str) -> String {
    let (status, pool) = admin
        .post(
            "/default/pools",
            json!({"name": name, "payload_schema_id": schema}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pool}");
    pool["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_schema_is_created_shown_with_its_pools_and_listed() {
    let (_srv, admin, user) = admin_signed_in().await;
    let empty = user.get(LIST).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(texts(&empty, "h1"), ["Schemas"]);
    assert!(empty.body.contains("This tenant has no schemas yet"));

    let form = user.get(&format!("{LIST}/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let start: Value = serde_json::from_str(&texts(&form, "textarea#schema")[0]).unwrap();
    assert_eq!(start["properties"]["given_name"]["title"], "Given name");

    let document = employees().to_string();
    let done = user
        .post(LIST, &form, &[("name", "employees"), ("schema", &document)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let to = done.location.clone().unwrap();
    let id = to.rsplit('/').next().unwrap().to_owned();
    let shown = user.browser.get(&to).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(texts(&shown, "h1"), ["employees"]);
    assert_eq!(
        texts(&shown, "[role=status]"),
        ["Created the schema employees."]
    );
    assert!(shown.body.contains("No pool uses this schema."));
    let (status, stored) = admin.get(&format!("/default/schemas/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["schema"], employees());

    let pool = pool_with_schema(&admin, "Staff", &id).await;
    let shown = user.get(&schema_page(&id)).await;
    assert_eq!(texts(&shown, "main ul a"), ["Staff"]);
    assert!(shown.body.contains(&format!("/pools/{pool}\"")));
    let list = user.get(LIST).await;
    assert_eq!(texts(&list, "tbody th a"), ["employees"]);
    let created = events(&admin, "type=schema.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["subject"], json!({"type": "schema", "id": id}));
    assert_eq!(created[0]["actor"]["type"], "admin", "{}", created[0]);
}

#[actix_web::test]
async fn bad_documents_are_refused_at_the_field_with_the_input_kept() {
    let (_srv, admin, user) = admin_signed_in().await;
    let form = user.get(&format!("{LIST}/new")).await;
    for (document, message) in [
        ("{\"type\": ", "is not valid JSON"),
        ("[1, 2]", "must be a JSON Schema object"),
        ("{\"type\": \"nonsense\"}", "at type"),
    ] {
        let refused = user
            .post(LIST, &form, &[("name", "broken"), ("schema", document)])
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{document}"
        );
        let error = texts(&refused, "#schema-error");
        assert!(error[0].contains(message), "{document}: {error:?}");
        assert_eq!(texts(&refused, "textarea#schema"), [document.trim()]);
        assert_eq!(refused.input("name").as_deref(), Some("broken"));
        assert!(texts(&refused, "title")[0].starts_with("Error: "));
    }
    let unnamed = user
        .post(LIST, &form, &[("name", ""), ("schema", "{}")])
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&unnamed, "#name-error").len(), 1);
    admin
        .create_schema("taken", json!({"type": "object"}))
        .await;
    let twice = user
        .post(LIST, &form, &[("name", "taken"), ("schema", "{}")])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&twice, "#name-error"),
        ["a schema with this name already exists"]
    );
    let (_, all) = admin.get("/default/schemas").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "{all}");
}

#[actix_web::test]
async fn an_edit_applies_to_the_next_user_write_and_is_recorded() {
    let (_srv, admin, user) = admin_signed_in().await;
    let id = admin.create_schema("employees", employees()).await;
    let pool = pool_with_schema(&admin, "Staff", &id).await;
    let without = json!({"email": "ada@example.com", "payload": {}, "mode": "set_credentials", "password": "correct horse battery"});
    let users = format!("/default/pools/{pool}/users");
    assert_eq!(
        admin.post(&users, without.clone()).await.0,
        StatusCode::BAD_REQUEST
    );

    let edit = user.get(&format!("{}/edit", schema_page(&id))).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert_eq!(edit.input("name").as_deref(), Some("employees"));
    let kept: Value = serde_json::from_str(&texts(&edit, "textarea#schema")[0]).unwrap();
    assert_eq!(kept, employees());
    let relaxed = json!({"type": "object", "properties": {"employee_id": {"type": "string"}}});
    let saved = user
        .post(
            &schema_page(&id),
            &edit,
            &[("name", "staff-profile"), ("schema", &relaxed.to_string())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (status, created) = admin.post(&users, without).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    let updated = events(&admin, "type=schema.updated").await;
    assert_eq!(updated.len(), 1);
    let changes = &updated[0]["details"]["changes"];
    assert_eq!(
        changes["name"],
        json!({"old": "employees", "new": "staff-profile"})
    );
    assert_eq!(changes["schema"]["new"], relaxed);

    let broken = user
        .post(
            &schema_page(&id),
            &edit,
            &[("name", "x"), ("schema", "nope")],
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, stored) = admin.get(&format!("/default/schemas/{id}")).await;
    assert_eq!(stored["name"], "staff-profile");
}

#[actix_web::test]
async fn a_schema_in_use_is_not_deleted_and_an_unused_one_is() {
    let (_srv, admin, user) = admin_signed_in().await;
    let used = admin.create_schema("employees", employees()).await;
    let unused = admin
        .create_schema("spare", json!({"type": "object"}))
        .await;
    pool_with_schema(&admin, "Staff", &used).await;

    let confirm = user.get(&format!("{}/delete", schema_page(&used))).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("cannot be deleted while pools use it")
    );
    assert!(texts(&confirm, "button.danger").is_empty());
    let refused = user
        .post(&format!("{}/delete", schema_page(&used)), &confirm, &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(
        admin.get(&format!("/default/schemas/{used}")).await.0,
        StatusCode::OK
    );

    let confirm = user.get(&format!("{}/delete", schema_page(&unused))).await;
    assert_eq!(texts(&confirm, "button.danger"), ["Delete schema"]);
    let gone = user
        .post(&format!("{}/delete", schema_page(&unused)), &confirm, &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    let (status, _) = admin.get(&format!("/default/schemas/{unused}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(events(&admin, "type=schema.deleted").await.len(), 1);
}

#[actix_web::test]
async fn auditors_see_schemas_and_change_nothing_and_tenants_keep_theirs_apart() {
    let (srv, admin, user) = admin_signed_in().await;
    let id = admin.create_schema("employees", employees()).await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", super::PASSWORD).await;
    let mut last = None;
    for to in [
        LIST.to_owned(),
        format!("{LIST}/new"),
        schema_page(&id),
        format!("{}/edit", schema_page(&id)),
        format!("{}/delete", schema_page(&id)),
    ] {
        let page = auditor.get(&to).await;
        assert_eq!(page.status, StatusCode::OK, "{to}: {}", page.body);
        assert_eq!(
            texts(&page, "form[method=post] button"),
            ["Sign out"],
            "{to}"
        );
        assert!(texts(&page, "a.button").is_empty(), "{to}");
        last = Some(page);
    }
    let page = last.unwrap();
    let document = json!({"type": "object"}).to_string();
    for (to, form) in [
        (
            LIST.to_owned(),
            vec![("name", "new"), ("schema", document.as_str())],
        ),
        (
            schema_page(&id),
            vec![("name", "renamed"), ("schema", document.as_str())],
        ),
        (format!("{}/delete", schema_page(&id)), vec![]),
    ] {
        assert_eq!(
            auditor.post(&to, &page, &form).await.status,
            StatusCode::FORBIDDEN,
            "{to}"
        );
    }
    let (_, stored) = admin.get(&format!("/default/schemas/{id}")).await;
    assert_eq!(stored["name"], "employees");
    assert_eq!(stored["schema"], employees());

    let missing = user
        .browser
        .post_form(&user.url(LIST), &[("name", "forged"), ("schema", "{}")])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);

    admin.create_tenant("acme").await;
    let foreign = user
        .get(&format!("/admin/-/tenants/acme/schemas/{id}"))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let nowhere = user.get("/admin/-/tenants/nowhere/schemas/new").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
}
