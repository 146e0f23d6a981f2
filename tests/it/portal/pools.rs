//! The Tenants and Identity Pools pages: listing, creating (303 with a flash, or 422 with the input kept and the
//! errors at their fields), a pool's Settings tab, deletion with type-to-confirm and step-up, auditors refused,
//! other tenants' pools not found.

use reqwest::StatusCode;
use serde_json::json;

use super::{ADMIN_EMAIL, PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::Admin;

async fn create_pool(
    user: &PortalUser,
    tenant: &str,
    fields: &[(&str, &str)],
) -> crate::support::browser::Page {
    let path = format!("/admin/-/tenants/{tenant}/pools/new");
    let form = user.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut all: Vec<(&str, &str)> = vec![
        ("min_length", "8"),
        ("max_length", "128"),
        ("otp_length", "6"),
        ("otp_ttl_seconds", "300"),
        ("otp_max_attempts", "5"),
        ("preferred_authentication_mechanism", "password"),
    ];
    all.extend_from_slice(fields);
    user.post(&format!("/admin/-/tenants/{tenant}/pools"), &form, &all)
        .await
}

#[actix_web::test]
async fn tenants_are_listed_created_and_lead_to_their_pools() {
    let (_srv, _admin, user) = admin_signed_in().await;
    let list = user.get("/admin/-/tenants").await;
    assert_eq!(texts(&list, "h1"), ["Tenants"]);
    assert!(texts(&list, "tbody th").contains(&"Default".to_owned()));
    let form = user.get("/admin/-/tenants/new").await;
    let bad = user
        .post(
            "/admin/-/tenants",
            &form,
            &[("id", "Not A Slug"), ("name", "Acme")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.input("id").as_deref(), Some("Not A Slug"));
    assert_eq!(bad.input("name").as_deref(), Some("Acme"));
    assert_eq!(bad.attr("#id", "aria-invalid").as_deref(), Some("true"));
    assert!(texts(&bad, "title")[0].starts_with("Error: "));
    let made = user
        .post(
            "/admin/-/tenants",
            &form,
            &[("id", "acme"), ("name", "Acme")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let pools = user.browser.get(made.location.as_deref().unwrap()).await;
    assert_eq!(texts(&pools, "[role=status]"), ["Created the tenant Acme."]);
    assert!(
        pools.body.contains("This tenant has none yet"),
        "an empty list says what to do"
    );
    let dup = user
        .post(
            "/admin/-/tenants",
            &form,
            &[("id", "acme"), ("name", "Again")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&dup, "#id-error")[0].contains("already exists"));
}

#[actix_web::test]
async fn create_new_makes_a_pool_listed_with_its_colour_named_users_and_methods() {
    let (_srv, admin, user) = admin_signed_in().await;
    let done = create_pool(
        &user,
        "default",
        &[
            ("name", "Customers"),
            ("description", "Shop"),
            ("tag_color", "#1F6FEB"),
            ("method_password", "on"),
            ("method_passkey", "on"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, pools) = admin.get("/default/pools").await;
    let pool = &pools["items"][0];
    assert_eq!(pool["tag_color"], "#1f6feb");
    assert_eq!(
        pool["authentication_mechanisms"],
        json!(["password", "passkey"])
    );
    let list = user.get("/admin/-/tenants/default/pools").await;
    assert_eq!(
        list.attr("tbody svg rect", "fill").as_deref(),
        Some("#1f6feb")
    );
    let row = texts(&list, "tbody tr")[0].clone();
    assert!(
        row.contains("#1f6feb") && row.contains("Password, Passkey"),
        "{row}"
    );
    assert_eq!(texts(&list, "tbody td")[1], "0", "no users yet");
}

#[actix_web::test]
async fn a_refused_pool_is_the_same_page_with_422_and_the_input_kept() {
    let (_srv, admin, user) = admin_signed_in().await;
    let page = create_pool(
        &user,
        "default",
        &[
            ("name", "Customers"),
            ("tag_color", "blue"),
            ("method_otp", "on"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.input("name").as_deref(), Some("Customers"));
    assert_eq!(page.input("tag_color").as_deref(), Some("blue"));
    assert_eq!(page.attr("#method_otp", "checked").as_deref(), Some(""));
    assert_eq!(
        page.attr(".error-summary a", "href").as_deref(),
        Some("#tag_color")
    );
    assert_eq!(
        page.attr("#tag_color", "aria-invalid").as_deref(),
        Some("true")
    );
    let none = create_pool(&user, "default", &[("name", "NoMethods")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        none.attr(".error-summary a", "href").as_deref(),
        Some("#method_password")
    );
    let (_, pools) = admin.get("/default/pools").await;
    assert!(
        pools["items"].as_array().unwrap().is_empty(),
        "nothing was created"
    );
}

async fn a_pool(admin: &Admin, name: &str) -> String {
    admin.create_pool(name).await
}

#[actix_web::test]
async fn the_settings_tab_shows_and_saves_every_setting() {
    let (_srv, admin, user) = admin_signed_in().await;
    let id = a_pool(&admin, "Staff").await;
    let path = format!("/admin/-/tenants/default/pools/{id}");
    let page = user.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        texts(&page, "nav.tabs li"),
        ["Users", "Groups", "Settings", "History"]
    );
    assert_eq!(page.input("name").as_deref(), Some("Staff"));
    assert_eq!(page.input("min_length").as_deref(), Some("8"));
    assert!(page.body.contains("Not connected to any workspace"));
    let bad = user
        .post(
            &path,
            &page,
            &[
                ("name", "Staff"),
                ("method_password", "on"),
                ("preferred_authentication_mechanism", "password"),
                ("min_length", "abc"),
                ("max_length", "128"),
                ("otp_length", "6"),
                ("otp_ttl_seconds", "300"),
                ("otp_max_attempts", "5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.input("min_length").as_deref(), Some("abc"));
    assert_eq!(texts(&bad, "#min_length-error"), ["Enter a whole number"]);
    let saved = user
        .post(
            &path,
            &page,
            &[
                ("name", "Staff EU"),
                ("method_password", "on"),
                ("method_otp", "on"),
                ("preferred_authentication_mechanism", "otp"),
                ("min_length", "10"),
                ("max_length", "64"),
                ("require_digit", "on"),
                ("otp_length", "8"),
                ("otp_ttl_seconds", "600"),
                ("otp_max_attempts", "3"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, pool) = admin.get(&format!("/default/pools/{id}")).await;
    assert_eq!(pool["name"], "Staff EU");
    assert_eq!(pool["preferred_authentication_mechanism"], "otp");
    assert_eq!(pool["password_policy"]["min_length"], 10);
    assert_eq!(pool["password_policy"]["require_digit"], true);
    assert_eq!(
        pool["otp_settings"],
        json!({"length": 8, "ttl_seconds": 600, "max_attempts": 3})
    );
    let out_of_range = user
        .post(
            &path,
            &page,
            &[
                ("name", "Staff EU"),
                ("method_password", "on"),
                ("preferred_authentication_mechanism", "password"),
                ("min_length", "10"),
                ("max_length", "64"),
                ("otp_length", "99"),
                ("otp_ttl_seconds", "600"),
                ("otp_max_attempts", "3"),
            ],
        )
        .await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        out_of_range.attr("#otp_length", "aria-invalid").as_deref(),
        Some("true")
    );
}

#[actix_web::test]
async fn another_tenant_s_pool_is_not_found_under_this_tenant() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin
        .post("/tenants", json!({"id": "acme", "name": "Acme"}))
        .await;
    let id = a_pool(&admin, "Staff").await;
    for path in [
        format!("/admin/-/tenants/acme/pools/{id}"),
        format!("/admin/-/tenants/acme/pools/{id}/delete"),
    ] {
        assert_eq!(
            user.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        user.get("/admin/-/tenants/nope/pools").await.status,
        StatusCode::NOT_FOUND
    );
    let page = user.get("/admin/-/tenants/acme/pools").await;
    let refused = user
        .post(
            &format!("/admin/-/tenants/acme/pools/{id}/delete"),
            &page,
            &[("confirm_name", "Staff")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin.get(&format!("/default/pools/{id}")).await.0,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn auditors_see_the_pool_pages_and_cannot_change_them() {
    let (srv, admin, _) = admin_signed_in().await;
    let id = a_pool(&admin, "Staff").await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let user = PortalUser::new(&srv);
    user.sign_in("audit@example.com", PASSWORD).await;
    let path = format!("/admin/-/tenants/default/pools/{id}");
    for page in [
        "/admin/-/tenants/default/pools",
        "/admin/-/tenants/default/pools/new",
        &path,
        &format!("{path}/delete"),
    ] {
        assert_eq!(user.get(page).await.status, StatusCode::OK, "{page}");
    }
    let page = user.get(&path).await;
    let posts = [
        (
            "/admin/-/tenants/default/pools".to_owned(),
            vec![("name", "X"), ("method_password", "on")],
        ),
        (
            path.clone(),
            vec![("name", "Renamed"), ("method_password", "on")],
        ),
        (format!("{path}/delete"), vec![("confirm_name", "Staff")]),
    ];
    for (to, form) in posts {
        let res = user.post(&to, &page, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{to}");
    }
    let (_, pool) = admin.get(&format!("/default/pools/{id}")).await;
    assert_eq!(pool["name"], "Staff");
}

#[actix_web::test]
async fn deleting_a_pool_asks_for_its_name_and_says_what_goes_with_it() {
    let (_srv, admin, user) = admin_signed_in().await;
    let id = a_pool(&admin, "Staff").await;
    let path = format!("/admin/-/tenants/default/pools/{id}/delete");
    let page = user.get(&path).await;
    assert!(page.body.contains("removes its 0 users"), "{}", page.body);
    let wrong = user.post(&path, &page, &[("confirm_name", "staff")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.attr("#confirm_name", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        admin.get(&format!("/default/pools/{id}")).await.0,
        StatusCode::OK
    );
    let done = user.post(&path, &page, &[("confirm_name", "Staff")]).await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "a fresh sign-in deletes at once: {}",
        done.body
    );
    let list = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(texts(&list, "[role=status]"), ["Deleted the pool Staff."]);
    assert_eq!(
        admin.get(&format!("/default/pools/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn after_five_minutes_deleting_asks_for_a_fresh_sign_in_and_then_completes() {
    let (srv, admin, user) = admin_signed_in().await;
    let id = a_pool(&admin, "Staff").await;
    let path = format!("/admin/-/tenants/default/pools/{id}/delete");
    let page = user.get(&path).await;
    srv.state.clock.advance(6 * 60);
    let asked = user.post(&path, &page, &[("confirm_name", "Staff")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let authorize = asked.location.unwrap();
    assert!(
        authorize.contains("/admin/admin/oauth2/authorize?") && authorize.contains("max_age=0"),
        "{authorize}"
    );
    assert_eq!(
        admin.get(&format!("/default/pools/{id}")).await.0,
        StatusCode::OK,
        "not yet"
    );
    let to_login = user.browser.get(&authorize).await;
    let login_url = to_login.location.unwrap();
    assert!(
        login_url.contains("/login?request="),
        "max_age=0 asks for the password again: {login_url}"
    );
    let login = user.browser.get(&login_url).await;
    let back = user
        .browser
        .submit_login(&login, ADMIN_EMAIL, PASSWORD)
        .await;
    let back = user.browser.not_now(back).await;
    let done = user.browser.get(back.location.as_deref().unwrap()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        done.location
            .as_deref()
            .unwrap()
            .ends_with("/admin/-/tenants/default/pools")
    );
    assert_eq!(
        admin.get(&format!("/default/pools/{id}")).await.0,
        StatusCode::NOT_FOUND,
        "completed"
    );
    let list = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(texts(&list, "[role=status]"), ["Deleted the pool Staff."]);
}

#[actix_web::test]
async fn the_built_in_pool_cannot_be_deleted_from_the_portal_either() {
    let (_srv, admin, user) = admin_signed_in().await;
    let path = "/admin/-/tenants/admin/pools/administrators/delete";
    let page = user.get(path).await;
    let res = user
        .post(path, &page, &[("confirm_name", "Administrators")])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.alert().unwrap().contains("cannot be deleted"));
    assert_eq!(
        admin.get("/admin/pools/administrators").await.0,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_schema_settings_offer_the_tenant_s_schemas_and_keep_the_chosen_one() {
    let (_srv, admin, user) = admin_signed_in().await;
    let document = json!({"type": "object", "properties": {"employee_id": {"type": "string"}}});
    let (status, schema) = admin
        .post(
            "/default/schemas",
            json!({"name": "Employees", "schema": document}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{schema}");
    let schema = schema["id"].as_str().unwrap().to_owned();
    let form = user.get("/admin/-/tenants/default/pools/new").await;
    assert_eq!(
        texts(&form, "#payload_schema_id option"),
        [
            "Built-in user schema (given_name, family_name, name)".to_owned(),
            format!("Employees ({schema})")
        ]
    );
    assert_eq!(
        form.attr("#payload_schema_id option[selected]", "value")
            .as_deref(),
        Some("")
    );
    assert_eq!(texts(&form, "#metadata_schema_id option").len(), 2);

    let done = create_pool(
        &user,
        "default",
        &[
            ("name", "Staff"),
            ("method_password", "on"),
            ("payload_schema_id", &schema),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let settings = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        settings
            .attr("#payload_schema_id option[selected]", "value")
            .as_deref(),
        Some(schema.as_str())
    );
    let pools = admin.items("/default/pools").await;
    let staff = pools.iter().find(|p| p["name"] == "Staff").unwrap();
    assert_eq!(staff["payload_schema_id"], json!(schema));
    assert_eq!(staff["metadata_schema_id"], json!(null));

    let refused = create_pool(
        &user,
        "default",
        &[
            ("name", "Partners"),
            ("method_password", "on"),
            ("metadata_schema_id", "no-such-schema"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused
            .attr("#metadata_schema_id option[selected]", "value")
            .as_deref(),
        Some("no-such-schema"),
        "the refused value is kept, listed as unknown"
    );
    assert_eq!(
        refused
            .attr("#metadata_schema_id", "aria-invalid")
            .as_deref(),
        Some("true")
    );
}
