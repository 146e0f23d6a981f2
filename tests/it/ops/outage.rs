//! A PostgreSQL outage (the connection cut by a proxy): `/readyz` says so within its own short bound, every
//! request, pages included, answers 503 with a clear body instead of hanging or failing with 500, and Tarn
//! recovers by itself when the database is back.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::oidc::{Setup, http};
use crate::support::proxy::TcpProxy;
use crate::support::{TestDb, TestServer};

async fn status_within(
    client: &reqwest::Client,
    url: &str,
    limit: Duration,
) -> (StatusCode, String) {
    let res = client.get(url).timeout(limit).send().await;
    let res = res.unwrap_or_else(|e| panic!("{url} answered nothing within {limit:?}: {e}"));
    (res.status(), res.text().await.unwrap())
}

#[actix_web::test]
async fn a_database_outage_answers_503_quickly_and_recovers() {
    let Ok(base) = std::env::var("TARN_TEST_POSTGRES_URL") else {
        eprintln!("skipped: needs TARN_TEST_POSTGRES_URL");
        return;
    };
    let url = url::Url::parse(&base).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = TcpProxy::start(target.parse().unwrap()).await;
    let db = TestDb::fresh();
    let tarn::store::Backend::Postgres(direct) = db.backend() else {
        unreachable!("a PostgreSQL test database")
    };
    let proxied = direct.replace(&target, &proxy.addr.to_string());
    let (srv, admin) =
        TestServer::start_with(|c| c.database = tarn::store::Backend::Postgres(proxied)).await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = http();
    let authorize = setup.authorize_url(&[]);
    let login = browser.get(&authorize).send().await.unwrap();
    let login_url = login.headers()["location"].to_str().unwrap().to_owned();

    proxy.cut();
    // Readiness has its own short check; everything else sheds within the pool's checkout bound.
    let (status, _) = status_within(&browser, &srv.url("/readyz"), Duration::from_secs(2)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let quick = Duration::from_secs(8);
    for page in [
        authorize.as_str(),
        login_url.as_str(),
        &srv.url("/api/admin/default/pools"),
    ] {
        let res = browser
            .get(page)
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .timeout(quick)
            .send()
            .await;
        let res = res.unwrap_or_else(|e| panic!("{page} answered nothing: {e}"));
        let status = res.status();
        let body = res.text().await.unwrap().to_lowercase();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{page}: {body}");
        assert!(body.contains("unavailable"), "{page}: a clear body: {body}");
    }
    let token = setup
        .post(
            "/oauth2/token",
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!(
        token.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        token.json
    );

    proxy.restore().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while status_within(&browser, &srv.url("/readyz"), Duration::from_secs(2))
        .await
        .0
        != StatusCode::OK
    {
        assert!(Instant::now() < deadline, "Tarn did not recover");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = admin.get("/default/pools").await;
    assert_eq!(status, StatusCode::OK);
}
