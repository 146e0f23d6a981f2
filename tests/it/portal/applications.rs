//! The Applications tab: Create application (the secret shown once on a `no-store` page, and working at the token
//! endpoint; 422 with the input kept and the refusal at its field), an application's page without the secret, and
//! deleting an application after a confirmation; Edit (the admin API's PATCH, 422 changing nothing), Rotate
//! secret (a confirmation, a fresh sign-in, the new secret once; the old one refused), auditors refused.

use reqwest::StatusCode;

use serde_json::json;

use super::workspaces::complete_step_up;
use super::{PASSWORD, PortalUser, admin_signed_in, pool_user, texts};
use crate::support::browser::Page;
use crate::support::oidc::http;

/// The last three breadcrumbs of an application's page: the list, the application, the page itself.
fn last_crumbs(page: &Page) -> Vec<String> {
    let all = texts(page, "nav[aria-label=Breadcrumb] li");
    all[all.len().saturating_sub(3)..].to_vec()
}

const APPS: &str = "/admin/-/tenants/default/workspaces/shop/applications";

#[actix_web::test]
async fn a_created_application_s_secret_is_shown_once_uncached_and_works_at_the_token_endpoint() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let form = user.get(&format!("{APPS}/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(
        form.attr("#grant_authorization_code", "checked").as_deref(),
        Some(""),
        "the code grant by default"
    );
    let created = user
        .post(
            APPS,
            &form,
            &[
                ("client_name", "Shop API"),
                ("redirect_uris", ""),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("grant_client_credentials", "on"),
                ("scope", "openid"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    assert_eq!(
        texts(&created, "[role=status]"),
        ["Created the application Shop API."]
    );
    let secret = created
        .attr("#client_secret", "value")
        .expect("the secret, once");
    let clients = admin.items("/default/workspaces/shop/clients").await;
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["client_name"], "Shop API");
    assert_eq!(
        clients[0]["grant_types"],
        serde_json::json!(["client_credentials"])
    );
    let client_id = clients[0]["client_id"].as_str().unwrap().to_owned();
    assert!(created.body.contains(&client_id));

    let token = http()
        .post(format!("{}/default/shop/oauth2/token", user.public))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    let body: serde_json::Value = token.json().await.unwrap();
    assert!(body["access_token"].is_string(), "{body}");

    let page = user.get(&format!("{APPS}/{client_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(texts(&page, "h1"), ["Shop API"]);
    assert!(page.body.contains(&client_id));
    assert!(!page.body.contains(&secret), "never shown again");
    assert_eq!(page.attr("#client_secret", "value"), None);
    let list = user.get(APPS).await;
    assert_eq!(texts(&list, "tbody th"), ["Shop API"]);
    assert!(!list.body.contains(&secret));
}

#[actix_web::test]
async fn a_public_client_gets_no_secret() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let form = user.get(&format!("{APPS}/new")).await;
    let created = user
        .post(
            APPS,
            &form,
            &[
                ("client_name", "Mobile"),
                (
                    "redirect_uris",
                    "http://localhost:3000/cb\r\n\r\nhttp://127.0.0.1:3000/cb",
                ),
                ("post_logout_redirect_uris", "http://localhost:3000/bye"),
                ("token_endpoint_auth_method", "none"),
                ("grant_authorization_code", "on"),
                ("scope", "openid email"),
                ("require_consent", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.attr("#client_secret", "value"), None);
    let clients = admin.items("/default/workspaces/shop/clients").await;
    assert_eq!(
        clients[0]["redirect_uris"],
        serde_json::json!(["http://localhost:3000/cb", "http://127.0.0.1:3000/cb"])
    );
    assert_eq!(
        clients[0]["post_logout_redirect_uris"],
        serde_json::json!(["http://localhost:3000/bye"])
    );
    assert_eq!(clients[0]["token_endpoint_auth_method"], "none");
    assert_eq!(clients[0]["require_consent"], true);
    assert_eq!(clients[0]["scope"], "openid email");
}

#[actix_web::test]
async fn a_refused_application_is_the_same_page_with_422_the_input_kept_and_nothing_created() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let form = user.get(&format!("{APPS}/new")).await;
    let bad_uri = user
        .post(
            APPS,
            &form,
            &[
                ("client_name", "Shop"),
                ("redirect_uris", "not a uri"),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("grant_authorization_code", "on"),
                ("scope", "openid"),
            ],
        )
        .await;
    assert_eq!(
        bad_uri.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad_uri.body
    );
    assert_eq!(
        bad_uri.attr(".error-summary a", "href").as_deref(),
        Some("#redirect_uris")
    );
    assert_eq!(texts(&bad_uri, "textarea#redirect_uris"), ["not a uri"]);
    assert_eq!(bad_uri.input("client_name").as_deref(), Some("Shop"));
    assert!(texts(&bad_uri, "title")[0].starts_with("Error: "));

    let public_service = user
        .post(
            APPS,
            &form,
            &[
                ("client_name", "Shop"),
                ("token_endpoint_auth_method", "none"),
                ("grant_client_credentials", "on"),
            ],
        )
        .await;
    assert_eq!(public_service.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        public_service.attr(".error-summary a", "href").as_deref(),
        Some("#grant_authorization_code")
    );
    assert_eq!(
        public_service
            .attr("#grant_client_credentials", "checked")
            .as_deref(),
        Some(""),
        "the ticked boxes stay ticked"
    );

    let unknown_method = user
        .post(
            APPS,
            &form,
            &[
                ("client_name", "Shop"),
                ("token_endpoint_auth_method", "private_key_jwt"),
            ],
        )
        .await;
    assert_eq!(unknown_method.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown_method
            .attr("#token_endpoint_auth_method", "aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(
        admin
            .items("/default/workspaces/shop/clients")
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn deleting_an_application_asks_first() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let client = admin
        .create(
            "/default/workspaces/shop/clients",
            serde_json::json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let id = client["client_id"].as_str().unwrap();
    let path = format!("{APPS}/{id}/delete");
    let confirm = user.get(&path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(texts(&confirm, "h1"), ["Delete Shop API?"]);
    assert_eq!(
        last_crumbs(&confirm),
        ["Applications", "Shop API", "Delete"]
    );
    assert_eq!(
        confirm
            .attr("nav[aria-label=Breadcrumb] li:nth-last-child(2) a", "href")
            .as_deref(),
        Some(user.url(&format!("{APPS}/{id}")).as_str())
    );
    assert_eq!(
        admin
            .get(&format!("/default/workspaces/shop/clients/{id}"))
            .await
            .0,
        StatusCode::OK,
        "the confirmation changes nothing"
    );
    let done = user.post(&path, &confirm, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = user.browser.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&list, "[role=status]"),
        ["Deleted the application Shop API."]
    );
    assert_eq!(
        admin
            .get(&format!("/default/workspaces/shop/clients/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        user.get(&format!("{APPS}/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The status of a client_credentials grant with `secret` at the shop workspace's token endpoint.
async fn token_status(public: &str, client_id: &str, secret: &str) -> StatusCode {
    http()
        .post(format!("{public}/default/shop/oauth2/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .status()
}

/// A confidential client_credentials client made through the admin API: (client id, secret).
async fn service_client(admin: &crate::support::Admin) -> (String, String) {
    let made = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop API", "grant_types": ["client_credentials"]}),
        )
        .await;
    let id = made["client_id"].as_str().unwrap().to_owned();
    (id, made["client_secret"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn editing_an_application_is_the_admin_api_s_patch_and_a_bad_uri_changes_nothing() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let made = admin
        .create(
            "/default/workspaces/shop/clients",
            json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"],
                   "backchannel_logout_uri": "https://shop.example/bcl"}),
        )
        .await;
    let id = made["client_id"].as_str().unwrap();
    let edit = format!("{APPS}/{id}/edit");
    let page = user.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.input("client_name").as_deref(), Some("Shop"));
    assert_eq!(last_crumbs(&page), ["Applications", "Shop", "Edit"]);
    assert!(page.body.contains("https://shop.example/cb"), "prefilled");
    assert_eq!(
        page.attr("#grant_authorization_code", "checked").as_deref(),
        Some("")
    );
    assert_eq!(
        page.attr("#require_pushed_authorization_requests", "checked"),
        None
    );
    let fields = |uris: &'static str| {
        [
            ("client_name", "Shop EU"),
            ("redirect_uris", uris),
            ("token_endpoint_auth_method", "client_secret_post"),
            ("grant_authorization_code", "on"),
            ("grant_refresh_token", "on"),
            ("scope", "openid email"),
            ("require_pushed_authorization_requests", "on"),
        ]
    };
    let bad = user.post(&edit, &page, &fields("not a uri")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.attr("#redirect_uris", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(bad.body.contains("not a uri"), "the input kept");
    assert_eq!(bad.input("client_name").as_deref(), Some("Shop EU"));
    let (_, unchanged) = admin
        .get(&format!("/default/workspaces/shop/clients/{id}"))
        .await;
    assert_eq!(unchanged["client_name"], "Shop");
    assert_eq!(
        unchanged["token_endpoint_auth_method"],
        "client_secret_basic"
    );

    let saved = user
        .post(&edit, &page, &fields("https://shop.example/eu/cb"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = user.browser.get(saved.location.as_deref().unwrap()).await;
    assert_eq!(
        texts(&shown, "[role=status]"),
        ["Saved the application Shop EU."]
    );
    let (_, c) = admin
        .get(&format!("/default/workspaces/shop/clients/{id}"))
        .await;
    assert_eq!(c["client_name"], "Shop EU");
    assert_eq!(c["redirect_uris"], json!(["https://shop.example/eu/cb"]));
    assert_eq!(c["token_endpoint_auth_method"], "client_secret_post");
    assert_eq!(
        c["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(c["scope"], "openid email");
    assert_eq!(c["require_pushed_authorization_requests"], true);
    assert_eq!(
        c["backchannel_logout_uri"], "https://shop.example/bcl",
        "a field the form lacks is kept"
    );
}

#[actix_web::test]
async fn rotating_a_secret_asks_first_shows_the_new_one_once_and_the_old_one_stops_working() {
    let (_srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let (id, old) = service_client(&admin).await;
    let app = user.get(&format!("{APPS}/{id}")).await;
    let rotate = format!("{APPS}/{id}/secret");
    assert!(app.body.contains(&rotate), "a Rotate secret link");
    let page = user.get(&rotate).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(last_crumbs(&page)[2], "Rotate secret");
    assert_eq!(token_status(&user.public, &id, &old).await, StatusCode::OK);
    let done = user.post(&rotate, &page, &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.header("cache-control"), Some("no-store"));
    let new = done
        .attr("#client_secret", "value")
        .expect("the new secret");
    assert_ne!(new, old);
    assert_eq!(token_status(&user.public, &id, &new).await, StatusCode::OK);
    assert_eq!(
        token_status(&user.public, &id, &old).await,
        StatusCode::UNAUTHORIZED
    );
    let again = user.get(&format!("{APPS}/{id}")).await;
    assert!(!again.body.contains(&new), "shown once");
}

#[actix_web::test]
async fn after_five_minutes_rotating_a_secret_asks_for_a_fresh_sign_in_first() {
    let (srv, admin, user) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let (id, old) = service_client(&admin).await;
    let rotate = format!("{APPS}/{id}/secret");
    let page = user.get(&rotate).await;
    srv.state.clock.advance(6 * 60);
    let asked = user.post(&rotate, &page, &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        token_status(&user.public, &id, &old).await,
        StatusCode::OK,
        "not before the fresh sign-in"
    );
    let back = complete_step_up(&user, &asked.location.unwrap()).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert!(back.location.as_deref().unwrap().ends_with(&rotate));
    let confirm = user.browser.get(back.location.as_deref().unwrap()).await;
    assert_eq!(token_status(&user.public, &id, &old).await, StatusCode::OK);
    let done = user.post(&rotate, &confirm, &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let new = done
        .attr("#client_secret", "value")
        .expect("the new secret");
    assert_eq!(token_status(&user.public, &id, &new).await, StatusCode::OK);
    assert_eq!(
        token_status(&user.public, &id, &old).await,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn auditors_get_no_edit_or_rotate_form_and_their_posts_are_refused() {
    let (srv, admin, _) = admin_signed_in().await;
    admin.create_workspace("shop").await;
    let (id, old) = service_client(&admin).await;
    pool_user(&admin, "audit@example.com", Some("auditors")).await;
    let auditor = PortalUser::new(&srv);
    auditor.sign_in("audit@example.com", PASSWORD).await;
    for path in [format!("{APPS}/{id}/edit"), format!("{APPS}/{id}/secret")] {
        let page = auditor.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(texts(&page, "main form").is_empty(), "no form on {path}");
    }
    let from = auditor.get(&format!("{APPS}/{id}")).await;
    let edit = auditor
        .post(
            &format!("{APPS}/{id}/edit"),
            &from,
            &[
                ("client_name", "Evil"),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("grant_client_credentials", "on"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    let rotate = auditor
        .post(&format!("{APPS}/{id}/secret"), &from, &[])
        .await;
    assert_eq!(rotate.status, StatusCode::FORBIDDEN);
    let (_, c) = admin
        .get(&format!("/default/workspaces/shop/clients/{id}"))
        .await;
    assert_eq!(c["client_name"], "Shop API");
    assert_eq!(
        token_status(&auditor.public, &id, &old).await,
        StatusCode::OK
    );
}
