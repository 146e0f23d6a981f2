//! `GET /api/admin/openapi.json`: served without a token, OpenAPI 3.1, describing every route the admin API mounts,
//! and real answers of the API conform to the schemas it gives.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Admin, TestServer};

async fn document(srv: &TestServer) -> Value {
    let res = reqwest::get(srv.url("/api/admin/openapi.json"))
        .await
        .expect("openapi.json fetched");
    assert_eq!(res.status(), StatusCode::OK, "served without a token");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    res.json().await.expect("the document is JSON")
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_and_needs_no_token() {
    let (srv, _admin) = TestServer::start().await;
    let doc = document(&srv).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert_eq!(doc["info"]["title"], "Tarn admin API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        doc["components"]["securitySchemes"]["admin_token"],
        json!({"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer {TARN_ADMIN_TOKEN}`"})
    );
    assert_eq!(doc["security"], json!([{"admin_token": []}]));
    assert_eq!(
        doc["paths"]["/api/admin/openapi.json"]["get"]["security"],
        json!([{}]),
        "the document itself needs no token"
    );
}

/// Every `(method, path)` the admin API's `configure` functions mount, read from their source: each
/// `resource("…")` followed by its `.route(web::post()…)` / `.route(methods::get()…)` calls.
fn mounted_routes() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/admin_api");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/admin_api readable") {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut resource: Option<String> = None;
        let mut rest = source.as_str();
        while let Some((at, token)) = next_token(rest) {
            rest = &rest[at + token.len()..];
            if token == "resource(\"" {
                let end = rest.find('"').expect("closing quote");
                resource = Some(rest[..end].to_owned());
            } else {
                let method = token.split("::").nth(1).unwrap().trim_end_matches("()");
                let path = resource.clone().expect("a route inside a resource");
                routes.insert((method.to_owned(), format!("/api/admin{path}")));
            }
        }
    }
    routes
}

const TOKENS: [&str; 7] = [
    "resource(\"",
    "methods::get()",
    "web::get()",
    "web::post()",
    "web::put()",
    "web::patch()",
    "web::delete()",
];

fn next_token(s: &str) -> Option<(usize, &'static str)> {
    TOKENS
        .iter()
        .filter_map(|t| s.find(t).map(|at| (at, *t)))
        .min_by_key(|(at, _)| *at)
}

fn described_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

#[actix_web::test]
async fn every_mounted_admin_route_is_described_and_nothing_else() {
    let (srv, _admin) = TestServer::start().await;
    let doc = document(&srv).await;
    let mounted = mounted_routes();
    assert!(
        mounted.len() > 50,
        "the source scan found the routes: {mounted:?}"
    );
    let described = described_routes(&doc);
    let undescribed: Vec<_> = mounted.difference(&described).collect();
    assert!(
        undescribed.is_empty(),
        "mounted but not described: {undescribed:?}"
    );
    let unmounted: Vec<_> = described.difference(&mounted).collect();
    assert!(
        unmounted.is_empty(),
        "described but not mounted: {unmounted:?}"
    );
}

#[actix_web::test]
async fn every_operation_requires_the_admin_token_except_the_document() {
    let (srv, _admin) = TestServer::start().await;
    let doc = document(&srv).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if path == "/api/admin/openapi.json" {
                continue;
            }
            assert_eq!(
                op.get("security"),
                None,
                "{method} {path} overrides the global security"
            );
            assert!(
                op["responses"].get("401").is_some(),
                "{method} {path} documents its 401"
            );
        }
    }
}

/// Validates `body` against the response schema that `doc` gives for `method path` and `status`.
fn assert_conforms(doc: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let response = &doc["paths"][path][method]["responses"][status.as_str()];
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} documents {status}");
    // The schema's `$ref`s point into the document's components: validate with them at the root.
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:?} in {body}"
    );
}

#[actix_web::test]
async fn real_answers_conform_to_their_schemas() {
    let (srv, admin) = TestServer::start().await;
    let doc = document(&srv).await;
    let res = admin
        .post(
            "/default/pools",
            json!({"name": "Staff", "tag_color": "#112233"}),
        )
        .await;
    assert_eq!(res.0, StatusCode::CREATED);
    assert_conforms(&doc, "post", "/api/admin/{tenant}/pools", res.0, &res.1);
    let pool = res.1["id"].as_str().unwrap().to_owned();
    let users = format!("/default/pools/{pool}/users");
    admin
        .create(&users, crate::support::user_body("ada@example.com"))
        .await;
    let res = admin.get(&users).await;
    assert_eq!(res.0, StatusCode::OK);
    assert_conforms(
        &doc,
        "get",
        "/api/admin/{tenant}/pools/{pool}/users",
        res.0,
        &res.1,
    );
    assert_eq!(res.1["items"].as_array().unwrap().len(), 1);
    let res = admin.get(&format!("{users}/no-such-user")).await;
    assert_eq!(res.0, StatusCode::NOT_FOUND);
    assert_conforms(
        &doc,
        "get",
        "/api/admin/{tenant}/pools/{pool}/users/{user}",
        res.0,
        &res.1,
    );
    let res = admin.post("/default/pools", json!({"name": 7})).await;
    assert_eq!(res.0, StatusCode::BAD_REQUEST);
    assert_conforms(&doc, "post", "/api/admin/{tenant}/pools", res.0, &res.1);
    let res = admin.get("/default/workspaces").await;
    assert_conforms(&doc, "get", "/api/admin/{tenant}/workspaces", res.0, &res.1);
    let no_token = Admin::new(&srv.base, "wrong-token");
    let res = no_token.get("/tenants").await;
    assert_eq!(res.0, StatusCode::UNAUTHORIZED);
    assert_conforms(&doc, "get", "/api/admin/tenants", res.0, &res.1);
}

#[actix_web::test]
async fn a_schema_refuses_what_the_server_refuses() {
    let (srv, _admin) = TestServer::start().await;
    let doc = document(&srv).await;
    // `deny_unknown_fields` on the body type becomes `additionalProperties: false`.
    assert_eq!(
        doc["components"]["schemas"]["NewPool"]["additionalProperties"],
        false
    );
    assert_eq!(
        doc["components"]["schemas"]["NewPool"]["required"],
        json!(["name"])
    );
    let export = &doc["paths"]["/api/admin/{tenant}/export"]["get"]["responses"]["200"]["content"];
    assert!(export.get("application/x-ndjson").is_some());
}
