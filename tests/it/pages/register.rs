//! "Create account": offered only where a connected pool allows it, a form from the pool's schema, the identifier
//! proved with a code, then an active user signed in to the client; nothing reveals an existing account.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{ALICE, Browser, Page, Setup, VERIFIER, jwt_claims};
use crate::support::{Admin, TestServer};

const CAROL: &str = "carol@example.com";
const PASSWORD: &str = "carol's own passphrase";

/// Lets the setup's pool take registrations, with a schema that requires an employee number.
async fn open_registration(admin: &Admin, setup: &Setup) {
    let schema = json!({"type": "object", "required": ["employee_id"], "properties": {
        "employee_id": {"type": "string", "title": "Employee number", "pattern": "^E[0-9]+$"},
        "given_name": {"type": "string", "title": "Given name"},
        "age": {"type": "integer", "title": "Age"},
    }});
    let schema_id = admin.create_schema("staff", schema).await;
    let patch = json!({"public_registration_allowed": true, "payload_schema_id": schema_id});
    let (status, body) = admin
        .patch(&format!("/default/pools/{}", setup.pool), patch)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub async fn register_page(browser: &Browser, setup: &Setup) -> Page {
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let href = scraper::Html::parse_document(&login.body)
        .select(&scraper::Selector::parse("a").unwrap())
        .find(|a| a.text().collect::<String>() == "Create account")
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a Create account link");
    let page = browser.get(&href).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

pub async fn submit(browser: &Browser, page: &Page, fields: &[(&str, &str)]) -> Page {
    let (csrf, request) = (
        page.input("csrf_token").unwrap(),
        page.input("request").unwrap(),
    );
    let mut form = vec![("csrf_token", csrf.as_str()), ("request", request.as_str())];
    form.extend_from_slice(fields);
    browser.post_form(&page.form_action(), &form).await
}

pub async fn last_code(admin: &Admin) -> String {
    let messages = admin.items("/default/outbox").await;
    let body = messages[0]["body_text"].as_str().unwrap();
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned()
}

pub async fn enter_code(browser: &Browser, page: &Page, code: &str) -> Page {
    let field = |name: &str| page.input(name).unwrap_or_default();
    let values = [
        ("csrf_token", field("csrf_token")),
        ("request", field("request")),
        ("challenge", field("challenge")),
        ("identifier", field("identifier")),
        ("code", code.to_owned()),
    ];
    let form: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(&page.form_action(), &form).await
}

#[actix_web::test]
async fn a_visitor_registers_verifies_the_email_and_is_signed_in() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup).await;
    let browser = Browser::default();
    let page = register_page(&browser, &setup).await;
    assert!(page.body.contains("Employee number") && page.input_type("password").is_some());

    let missing = submit(
        &browser,
        &page,
        &[("identifier", CAROL), ("password", PASSWORD)],
    )
    .await;
    assert!(
        missing.alert().unwrap().contains("employee_id"),
        "{:?}",
        missing.alert()
    );
    let weak = submit(
        &browser,
        &page,
        &[
            ("identifier", CAROL),
            ("password", "short"),
            ("employee_id", "E42"),
        ],
    )
    .await;
    assert!(
        weak.alert().unwrap().contains("at least 8 characters"),
        "{:?}",
        weak.alert()
    );
    assert!(
        admin.items("/default/outbox").await.is_empty(),
        "nothing sent for refused forms"
    );

    let fields = [
        ("identifier", CAROL),
        ("password", PASSWORD),
        ("employee_id", "E42"),
        ("age", "31"),
        ("given_name", "Carol"),
    ];
    let code_page = submit(&browser, &page, &fields).await;
    assert_eq!(code_page.status, StatusCode::OK, "{}", code_page.body);
    let users = format!("/default/pools/{}/users?identifier={CAROL}", setup.pool);
    assert!(
        admin.items(&users).await.is_empty(),
        "no user before the code"
    );
    let back = enter_code(&browser, &code_page, &last_code(&admin).await).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let tokens = setup
        .exchange(&back.redirect_param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);

    let carol = &admin.items(&users).await[0];
    assert_eq!(carol["status"], "active");
    assert_eq!(carol["email_verified"], true);
    assert_eq!(
        carol["payload"],
        json!({"employee_id": "E42", "age": 31, "given_name": "Carol"})
    );
    assert_eq!(
        jwt_claims(tokens.json["id_token"].as_str().unwrap())["sub"],
        carol["id"]
    );
    let again = Browser::default()
        .sign_in(&setup.authorize_url(&[]), CAROL, PASSWORD)
        .await;
    assert_eq!(again.status, StatusCode::FOUND, "the chosen password works");
}

#[actix_web::test]
async fn an_existing_identifier_gets_the_same_page_and_no_second_account() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup).await;
    let browser = Browser::default();
    let page = register_page(&browser, &setup).await;
    let code_page = submit(
        &browser,
        &page,
        &[
            ("identifier", ALICE),
            ("password", PASSWORD),
            ("employee_id", "E1"),
        ],
    )
    .await;
    assert_eq!(code_page.status, StatusCode::OK);
    assert!(code_page.input("challenge").is_some());
    assert!(admin.items("/default/outbox").await.is_empty());
    let refused = enter_code(&browser, &code_page, "123456").await;
    assert_ne!(refused.status, StatusCode::FOUND);
    assert_eq!(
        admin
            .items(&format!("/default/pools/{}/users", setup.pool))
            .await
            .len(),
        1
    );
}

#[actix_web::test]
async fn registration_is_offered_only_where_a_pool_allows_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    assert!(!login.body.contains("Create account"));
    let request = login.input("request").unwrap();
    let direct = browser
        .get(&format!("{}/register?request={request}", setup.issuer))
        .await;
    assert_eq!(direct.status, StatusCode::NOT_FOUND);
    for path in [
        "/register",
        "/register?request=",
        "/register?request=unknown",
    ] {
        let page = browser.get(&format!("{}{path}", setup.issuer)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[actix_web::test]
async fn prompt_create_opens_the_registration_page_where_a_pool_allows_it() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup).await;
    let browser = Browser::default();
    let start = browser
        .get(&setup.authorize_url(&[("prompt", "create")]))
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let location = start.location.unwrap();
    assert!(location.contains("/register?request="), "{location}");
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Employee number"));
}

#[actix_web::test]
async fn prompt_create_opens_the_login_page_where_registration_is_off() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    let login = browser
        .login_page(&setup.authorize_url(&[("prompt", "create")]))
        .await;
    assert!(login.input("identifier").is_some());
}

#[actix_web::test]
async fn prompt_create_skips_a_live_session_and_refuses_none() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    open_registration(&admin, &setup).await;
    let browser = Browser::default();
    setup.code(&browser, &[]).await;
    let again = browser
        .get(&setup.authorize_url(&[("prompt", "create")]))
        .await;
    assert!(again.location.unwrap().contains("/register?request="));
    let combined = browser
        .get(&setup.authorize_url(&[("prompt", "none create")]))
        .await;
    assert_eq!(
        combined.redirect_param("error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        combined.redirect_param("state").as_deref(),
        Some(crate::support::oidc::STATE)
    );
}
