//! Export and import of a tenant (CONTRACT "Operating Tarn"): a round trip between backends through the admin API
//! and the CLI, foreign password hashes signing in after an import, and every refusal writing nothing.

mod examples;
mod foreign;
mod refusals;
mod round_trip;

use std::process::{Command, Output};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::ops::process::database_url;
use crate::support::oidc::{ALICE, REDIRECT, Setup};
use crate::support::passkey::Authenticator;
use crate::support::{ADMIN_TOKEN, Admin, TestServer, id, merged, user_body};

pub const TENANT: &str = "acme";
pub const BOB: &str = "bob@example.com";

/// A tenant with a bit of everything, made through the admin API.
pub struct Fixture {
    pub pool: String,
    pub alice: String,
    pub bob: String,
    pub client_id: String,
    pub client_secret: String,
    /// Holds Alice's passkey.
    pub authenticator: Authenticator,
}

/// Tenant `acme`: a schema, a password-and-passkey pool using it, Alice (with a passkey) and Bob, groups `staff` ›
/// `eu-staff` with Alice in `eu-staff`, a second empty pool, workspace `shop` with the pool connected, and a
/// confidential client that may also use client_credentials.
pub async fn populate(srv: &TestServer, admin: &Admin) -> Fixture {
    admin.create_tenant(TENANT).await;
    let schema = json!({
        "type": "object",
        "properties": {"given_name": {"type": "string"}, "family_name": {"type": "string"},
                       "name": {"type": "string"}},
        "additionalProperties": false,
    });
    let schema = id(&admin
        .create(
            "/acme/schemas",
            json!({"name": "profile", "schema": schema}),
        )
        .await);
    let pool = id(&admin
        .create(
            "/acme/pools",
            json!({"name": "customers", "authentication_mechanisms": ["password", "passkey"],
                   "payload_schema_id": schema, "tag_color": "#AABBCC"}),
        )
        .await);
    admin
        .create("/acme/pools", json!({"name": "partners"}))
        .await;
    let users = format!("/acme/pools/{pool}/users");
    let alice = id(&admin
        .create(
            &users,
            merged(
                user_body(ALICE),
                json!({"payload": {"given_name": "Alice"}}),
            ),
        )
        .await);
    let bob = id(&admin
        .create(
            &users,
            merged(user_body(BOB), json!({"payload": {"given_name": "Bob"}})),
        )
        .await);
    let groups = format!("/acme/pools/{pool}/groups");
    let staff = id(&admin.create(&groups, json!({"name": "staff"})).await);
    let eu = id(&admin
        .create(&groups, json!({"name": "eu-staff", "parent_id": staff}))
        .await);
    let (status, body) = admin.put(&format!("{groups}/{eu}/users/{alice}")).await;
    assert!(status.is_success(), "{body}");
    admin
        .create("/acme/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    admin
        .create("/acme/workspaces/shop/idps", json!({"pool_id": pool}))
        .await;
    let client = admin
        .create(
            "/acme/workspaces/shop/clients",
            json!({"client_name": "Shop", "redirect_uris": [REDIRECT],
                   "grant_types": ["authorization_code", "refresh_token", "client_credentials"]}),
        )
        .await;
    let mut authenticator = Authenticator::new(srv.state.config.public_url());
    crate::pages::passkey::enrol(srv, &alice, &mut authenticator).await;
    Fixture {
        pool,
        alice,
        bob,
        client_id: client["client_id"].as_str().unwrap().to_owned(),
        client_secret: client["client_secret"].as_str().unwrap().to_owned(),
        authenticator,
    }
}

/// The fixture's workspace and client as an OIDC setup on `srv`, for Alice.
pub fn setup_at(srv: &TestServer, f: &Fixture) -> Setup {
    Setup {
        issuer: format!("{}/{TENANT}/shop", srv.state.config.public_url()),
        pool: f.pool.clone(),
        user: f.alice.clone(),
        client_id: f.client_id.clone(),
        client_secret: Some(f.client_secret.clone()),
        auth_method: "client_secret_basic".into(),
    }
}

/// `GET /api/admin/{tenant}/export`: the NDJSON body.
pub async fn export_api(srv: &TestServer, tenant: &str) -> String {
    let res = reqwest::Client::new()
        .get(srv.url(&format!("/api/admin/{tenant}/export")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap();
    assert_eq!(content_type, "application/x-ndjson");
    res.text().await.unwrap()
}

/// `POST /api/admin/import[?dry_run=true]` with an NDJSON body.
pub async fn import_api(admin: &Admin, body: &str, dry_run: bool) -> (StatusCode, Value) {
    let path = match dry_run {
        true => "/import?dry_run=true",
        false => "/import",
    };
    admin
        .send_raw(
            Method::POST,
            path,
            Some("application/x-ndjson"),
            body.to_owned(),
        )
        .await
}

/// Runs the `tarn` binary on `srv`'s database as a separate process.
pub fn tarn(srv: &TestServer, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarn"));
    cmd.args(args).current_dir(dir.path());
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TARN_")) {
        cmd.env_remove(name);
    }
    cmd.env(
        "TARN_DATABASE_URL",
        database_url(&srv.state.config.database),
    );
    cmd.output().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The lines of an export in a stable order (rows sort by id, whose order a database's collation may change).
pub fn sorted_lines(ndjson: &str) -> Vec<String> {
    let mut lines: Vec<String> = ndjson.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// Whether `srv` has tenant `tenant`.
pub async fn has_tenant(admin: &Admin, tenant: &str) -> bool {
    let (status, body) = admin.get(&format!("/{tenant}/pools")).await;
    match status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => false,
        other => panic!("{other}: {body}"),
    }
}
