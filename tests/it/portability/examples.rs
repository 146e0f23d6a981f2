//! `examples/to_tarn_ndjson.py` on its sample Keycloak realm and Auth0 users: the output imports, and the moved
//! users sign in with their old passwords at the moved client. Skipped (with a note) where python3 is missing.

use std::process::Command;

use reqwest::StatusCode;

use super::import_api;
use crate::support::TestServer;
use crate::support::oidc::{Browser, PASSWORD, Setup, VERIFIER};

fn convert() -> Option<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg(format!("{root}/examples/to_tarn_ndjson.py"))
        .args(["--tenant", "moved", "--name", "Moved"])
        .args([
            "--keycloak",
            &format!("{root}/examples/keycloak-realm.sample.json"),
        ])
        .args([
            "--auth0",
            &format!("{root}/examples/auth0-users.sample.ndjson"),
        ])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[actix_web::test]
async fn keycloak_and_auth0_exports_convert_import_and_sign_in() {
    let Some(ndjson) = convert() else {
        eprintln!("python3 not found: the conversion example is not tested here");
        return;
    };
    let (srv, admin) = TestServer::start().await;
    let (status, summary) = import_api(&admin, &ndjson, false).await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    assert_eq!(summary["counts"]["user"], 4, "{summary}");
    let setup = Setup {
        issuer: format!("{}/moved/main", srv.state.config.public_url()),
        pool: "keycloak".into(),
        user: String::new(),
        client_id: "shop".into(),
        client_secret: Some("keycloak-client-secret-shop".into()),
        auth_method: "client_secret_basic".into(),
    };
    for (who, hash) in [
        ("kim@example.com", "Keycloak PBKDF2"),
        ("max@example.com", "Auth0 bcrypt"),
    ] {
        let browser = Browser::default();
        let back = browser
            .sign_in(&setup.authorize_url(&[]), who, PASSWORD)
            .await;
        let back = browser.not_now(back).await;
        let code = back
            .redirect_param("code")
            .unwrap_or_else(|| panic!("{who} ({hash}) signs in: {}", back.body));
        let tokens = setup.exchange(&code, VERIFIER).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    }
    let refused = Browser::default()
        .sign_in(&setup.authorize_url(&[]), "lou@example.com", PASSWORD)
        .await;
    assert!(refused.location.is_none(), "Lou was disabled in Keycloak");
}
