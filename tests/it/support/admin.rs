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

    /// POSTs and insists on `201 Created`; returns the created object.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.post(path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
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
        let body = json!({
            "email": email,
            "payload": {"given_name": "Test", "family_name": "User", "name": "Test User"},
            "mode": "set_credentials",
            "password": "correct horse battery",
        });
        self.create(&format!("/default/pools/{pool}/users"), body)
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
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
