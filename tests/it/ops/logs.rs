//! `TARN_LOG_FORMAT=json` on the real binary: the main flows (password sign-in, code grant, refresh,
//! client_credentials, admin calls, a failed sign-in) leave only JSON lines, each line of a request carries its
//! request id, and none holds a secret used on the way. Plus the `X-Request-Id` round trip.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::process::{Process, database_url, free_port};
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup, VERIFIER, http};
use crate::support::{ADMIN_TOKEN, Admin, TestDb, TestServer};

/// A pool with Alice connected to the default workspace, and a confidential client allowed every grant.
async fn setup_on(base: &str, admin: &Admin) -> Setup {
    let pool = admin.create_pool("customers").await;
    let user = admin.create_user(&pool, ALICE).await;
    admin
        .create("/default/workspaces/default/idps", json!({"pool_id": pool}))
        .await;
    let bare = Setup {
        issuer: format!("{base}/default/default"),
        pool,
        user,
        client_id: String::new(),
        client_secret: None,
        auth_method: String::new(),
    };
    let grants = ["authorization_code", "refresh_token", "client_credentials"];
    bare.another_client(admin, json!({"grant_types": grants}))
        .await
}

#[actix_web::test]
async fn json_logs_carry_request_ids_and_no_secrets() {
    let db = TestDb::fresh();
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let url = database_url(&db.backend());
    let mut tarn = Process::spawn(port, &url, &base, &[("TARN_LOG_FORMAT", "json")]);
    tarn.ready().await;
    let admin = Admin::new(&base, ADMIN_TOKEN);
    let setup = setup_on(&base, &admin).await;

    let browser = Browser::default();
    let code = setup.code(&browser, &[]).await;
    let tokens = setup.exchange(&code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    let refresh = tokens.json["refresh_token"].as_str().unwrap();
    let refreshed = setup.refresh(refresh).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    let machine = setup
        .post("/oauth2/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(machine.status, StatusCode::OK, "{}", machine.json);
    let stranger = Browser::default();
    let login = stranger.login_page(&setup.authorize_url(&[])).await;
    let failed = stranger
        .submit_login(&login, ALICE, "a wrong password")
        .await;
    assert_eq!(failed.status, StatusCode::OK);
    let traced = http()
        .get(format!("{base}/api/admin/tenants"))
        .bearer_auth(ADMIN_TOKEN)
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-request-id"], "trace-me-42");

    let log = tarn.log();
    let mut secrets = vec![
        PASSWORD.to_owned(),
        "a wrong password".to_owned(),
        code.clone(),
        ADMIN_TOKEN.to_owned(),
        setup.client_secret.clone().unwrap(),
    ];
    for reply in [&tokens.json, &refreshed.json, &machine.json] {
        for field in ["access_token", "refresh_token", "id_token"] {
            if let Some(token) = reply[field].as_str() {
                secrets.push(token.to_owned());
            }
        }
    }
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret in the log: {secret}"
        );
    }
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request_id = |line: &Value| line["span"]["request_id"].as_str().map(str::to_owned);
    for line in &lines {
        for key in ["timestamp", "level", "target", "fields"] {
            assert!(line.get(key).is_some(), "no {key}: {line}");
        }
        if line.get("span").is_some() {
            assert!(request_id(line).is_some_and(|id| !id.is_empty()), "{line}");
        }
    }
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "tarn::access")
        .collect();
    assert!(access.len() >= 10, "{log}");
    for line in &access {
        assert!(
            request_id(line).is_some(),
            "an access line without a request id: {line}"
        );
    }
    assert!(
        access
            .iter()
            .any(|l| request_id(l).as_deref() == Some("trace-me-42")),
        "{log}"
    );
    let token_route = access
        .iter()
        .filter(|l| l["fields"]["path"] == "/default/default/oauth2/token")
        .count();
    assert_eq!(token_route, 3, "{log}");
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed_and_others_are_replaced() {
    let (srv, _admin) = TestServer::start().await;
    let with = |id: Option<&str>, path: &str| {
        let mut req = http().get(srv.url(path));
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        req.send()
    };
    let echoed = with(Some("abc-123.DEF_456"), "/healthz").await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123.DEF_456");
    let long = "x".repeat(129);
    for insane in [long.as_str(), "has spaces in it", "tab\there"] {
        let res = with(Some(insane), "/healthz").await.unwrap();
        let given = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(given, insane);
        assert_eq!(given.len(), 32, "{given}");
    }
    let (a, b) = (
        with(None, "/healthz").await.unwrap(),
        with(None, "/no/such/page").await.unwrap(),
    );
    assert_eq!(b.status(), StatusCode::NOT_FOUND);
    let (a, b) = (&a.headers()["x-request-id"], &b.headers()["x-request-id"]);
    assert_ne!(a, b, "each request gets its own id");
}
