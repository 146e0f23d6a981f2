//! Users imported with the password hashes of another system: each accepted format signs in through the login
//! page, and that first sign-in rehashes the password to Tarn's argon2id.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{import_api, stderr, tarn};
use crate::pages::foreign_hashes::{foreign_hashes, stored_hash};
use crate::support::TestServer;
use crate::support::oidc::{Browser, PASSWORD, REDIRECT, Setup, VERIFIER};

pub const SECRET: &str = "a-client-secret-from-before";

/// Tenant `legacy` as a hand-written import: one password pool, a user per hash, workspace `app` with a client
/// whose secret is `SECRET`.
pub fn legacy_file(hashes: &[String]) -> String {
    let secret_hash: String = Sha256::digest(SECRET.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut lines: Vec<Value> = vec![
        json!({"kind": "tarn-export", "version": 1, "tenant": {"id": "legacy", "name": "Legacy"}}),
        json!({"kind": "pool", "id": "p1", "name": "migrated", "authentication_mechanisms": ["password"]}),
    ];
    for (i, hash) in hashes.iter().enumerate() {
        lines.push(
            json!({"kind": "user", "id": format!("u{i}"), "pool_id": "p1",
                          "email": format!("user{i}@example.com"), "password_hash": hash}),
        );
    }
    lines.extend([
        json!({"kind": "workspace", "id": "app", "name": "App"}),
        json!({"kind": "idp", "workspace_id": "app", "pool_id": "p1"}),
        json!({"kind": "client", "id": "legacy-client", "workspace_id": "app", "secret_hash": secret_hash,
               "metadata": {"client_name": "Legacy", "redirect_uris": [REDIRECT]}}),
    ]);
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[actix_web::test]
async fn every_imported_hash_format_signs_in_and_is_rehashed_to_argon2id() {
    let (srv, admin) = TestServer::start().await;
    let hashes = foreign_hashes();
    let (status, body) = import_api(&admin, &legacy_file(&hashes), false).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let setup = Setup {
        issuer: format!("{}/legacy/app", srv.state.config.public_url()),
        pool: "p1".into(),
        user: String::new(),
        client_id: "legacy-client".into(),
        client_secret: Some(SECRET.into()),
        auth_method: "client_secret_basic".into(),
    };
    for (i, foreign) in hashes.iter().enumerate() {
        let user = format!("u{i}");
        assert_eq!(&stored_hash(&srv, &user).await, foreign, "stored as given");
        let browser = Browser::default();
        let back = browser
            .sign_in(
                &setup.authorize_url(&[]),
                &format!("user{i}@example.com"),
                PASSWORD,
            )
            .await;
        let code = back
            .redirect_param("code")
            .unwrap_or_else(|| panic!("{foreign} signs in: {}", back.body));
        let tokens = setup.exchange(&code, VERIFIER).await;
        assert_eq!(tokens.status, reqwest::StatusCode::OK, "{}", tokens.json);
        let rehashed = stored_hash(&srv, &user).await;
        assert!(rehashed.starts_with("$argon2id$v=19$"), "{rehashed}");
        assert_ne!(&rehashed, foreign);
    }
}

#[actix_web::test]
async fn an_absurd_cost_is_refused_with_its_line_and_nothing_is_written() {
    let (srv, admin) = TestServer::start().await;
    let salt = "TmFDbE5hQ2xOYUNsTmFDbA";
    let hash = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
    let absurd = [
        format!("$scrypt$ln=31,r=8,p=1${salt}${hash}"),
        format!("$pbkdf2-sha256$i=10000001${salt}${hash}"),
        format!("$2b$17${}", "a".repeat(53)),
        format!("$argon2id$v=19$m=1048576,t=2,p=1${salt}${hash}"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("legacy.ndjson");
    for bad in absurd {
        let mut hashes = foreign_hashes();
        hashes.insert(1, bad.clone());
        std::fs::write(&file, legacy_file(&hashes)).unwrap();
        let out = tarn(&srv, &["import", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        // The header, the pool, the first user, then the absurd one: line 4.
        let err = stderr(&out);
        assert!(
            err.contains("line 4: user: password_hash: "),
            "{bad}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!super::has_tenant(&admin, "legacy").await, "{bad}");
    }
}
