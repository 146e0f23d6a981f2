//! `Admin`: an HTTP client for the admin API, with builders that return created objects.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct Admin {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Admin {
    pub fn new(base: &str, token: &str) -> Admin {
        Admin {
            base: format!("{base}/api/admin"),
            token: token.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request; returns the status and the JSON body (`Value::Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body read");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::PUT, path, None).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Sends `body` as is, with the given `Content-Type` (none when `None`); for requests `call` cannot build.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .body(body);
        if let Some(content_type) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body read");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, body)
    }

    /// Every item of a list, following `next_cursor` with pages of `limit`; checks each page's size.
    pub async fn list_all(&self, path: &str, limit: usize) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                None => format!("{path}{sep}limit={limit}"),
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            };
            let (status, page) = self.get(&url).await;
            assert_eq!(status, StatusCode::OK, "GET {url}: {page}");
            let page_items = page["items"].as_array().expect("items array");
            assert!(page_items.len() <= limit, "GET {url}: page too long");
            items.extend(page_items.iter().cloned());
            match &page["next_cursor"] {
                Value::Null => return items,
                Value::String(next) => {
                    assert!(
                        !page_items.is_empty(),
                        "GET {url}: empty page with a cursor"
                    );
                    cursor = Some(next.clone());
                }
                other => panic!("GET {url}: next_cursor is {other}"),
            }
        }
    }

    /// The items of one (first) page of a list, insisting on `200 OK`.
    pub async fn items(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body["items"].as_array().expect("items array").clone()
    }

    /// POSTs and insists on `201 Created`; returns the created object.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.post(path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
    }

    /// A tenant with the given id (named after it); returns the created object.
    pub async fn create_tenant(&self, id: &str) -> Value {
        self.create("/tenants", json!({"id": id, "name": id})).await
    }

    /// A schema in tenant `default`; returns its id.
    pub async fn create_schema(&self, name: &str, schema: Value) -> String {
        id(&self
            .create("/default/schemas", json!({"name": name, "schema": schema}))
            .await)
    }

    /// A workspace in tenant `default` with the given id (named after it); returns the created object.
    pub async fn create_workspace(&self, ws: &str) -> Value {
        self.create("/default/workspaces", json!({"id": ws, "name": ws}))
            .await
    }

    /// Connects a pool to a workspace of tenant `default` as an identity provider.
    pub async fn connect_pool(&self, ws: &str, pool: &str) -> Value {
        self.create(
            &format!("/default/workspaces/{ws}/idps"),
            json!({"pool_id": pool}),
        )
        .await
    }

    /// A pool in tenant `default` with the given name and default settings; returns its id.
    pub async fn create_pool(&self, name: &str) -> String {
        self.create("/default/pools", json!({"name": name})).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An active user with a password in the pool; returns its id.
    pub async fn create_user(&self, pool: &str, email: &str) -> String {
        id(&self
            .create(&format!("/default/pools/{pool}/users"), user_body(email))
            .await)
    }

    /// A group in the pool, optionally under a parent; returns its id.
    pub async fn create_group(&self, pool: &str, name: &str, parent: Option<&str>) -> String {
        self.create(
            &format!("/default/pools/{pool}/groups"),
            json!({"name": name, "parent_id": parent}),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// The body that creates an active user with the given email and password `correct horse battery`.
pub fn user_body(email: &str) -> Value {
    json!({
        "email": email,
        "payload": {"given_name": "Test", "family_name": "User", "name": "Test User"},
        "mode": "set_credentials",
        "password": "correct horse battery",
    })
}

/// `base` with the fields of `extra` set on it (both JSON objects).
pub fn merged(mut base: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().expect("extra is an object") {
        base[key] = value.clone();
    }
    base
}

/// The `id` of a created object.
pub fn id(object: &Value) -> String {
    object["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {object}"))
        .to_owned()
}

/// Asserts an admin API error: the status, the JSON `error` code and a non-empty `error_description`.
pub fn assert_error(res: &(StatusCode, Value), status: StatusCode, code: &str) {
    let (actual, body) = res;
    assert_eq!(*actual, status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(!description.is_empty(), "no error_description: {body}");
}

/// Asserts a `204 No Content` with an empty body.
pub fn assert_no_content(res: &(StatusCode, Value)) {
    assert_eq!(res.0, StatusCode::NO_CONTENT, "{}", res.1);
    assert_eq!(res.1, Value::Null);
}

/// Asserts a JSON 404 `not_found`.
pub fn assert_not_found(res: &(StatusCode, Value)) {
    assert_error(res, StatusCode::NOT_FOUND, "not_found");
}

/// Asserts a JSON 409 `conflict`.
pub fn assert_conflict(res: &(StatusCode, Value)) {
    assert_error(res, StatusCode::CONFLICT, "conflict");
}

/// Asserts a JSON 400 `invalid_request`, whatever the field.
pub fn assert_bad_request(res: &(StatusCode, Value)) {
    assert_error(res, StatusCode::BAD_REQUEST, "invalid_request");
}

/// Asserts a 400 whose description names the offending `field` (`field: message`).
pub fn assert_invalid(res: &(StatusCode, Value), field: &str) {
    assert_error(res, StatusCode::BAD_REQUEST, "invalid_request");
    let description = res.1["error_description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with(&format!("{field}:")),
        "expected the description to name `{field}`: {description}"
    );
}
