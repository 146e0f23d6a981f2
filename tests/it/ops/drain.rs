//! SIGTERM on the real binary: `/readyz` turns 503 at once, requests in flight and new connections are still
//! served through `TARN_SHUTDOWN_GRACE`, no request sent is left unanswered, and the process exits 0.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use super::process::{Process, database_url, free_port};
use crate::support::{ADMIN_TOKEN, TestDb, user_body};

#[actix_web::test]
async fn sigterm_drains_then_exits_0() {
    let db = TestDb::fresh();
    let port = free_port();
    let public = format!("http://localhost:{port}");
    let url = database_url(&db.backend());
    let mut tarn = Process::spawn(port, &url, &public, &[("TARN_SHUTDOWN_GRACE", "2")]);
    tarn.ready().await;
    let base = format!("http://127.0.0.1:{port}");
    let kept = reqwest::Client::new();
    let fresh = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
    let health = format!("{base}/healthz");
    assert_eq!(
        kept.get(&health).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (status, pool) = {
        let res = kept
            .post(format!("{base}/api/admin/default/pools"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"name": "staff"}))
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<serde_json::Value>().await.unwrap())
    };
    assert!(status.is_success(), "{pool}");

    // A write in flight (a password to hash) when the signal arrives.
    let create = kept
        .post(format!(
            "{base}/api/admin/default/pools/{}/users",
            pool["id"].as_str().unwrap()
        ))
        .bearer_auth(ADMIN_TOKEN)
        .json(&user_body("late@example.com"))
        .send();
    let in_flight = actix_web::rt::spawn(create);
    tarn.terminate();

    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let ready = fresh().get(format!("{base}/readyz")).send().await.unwrap();
        if ready.status() == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz still {}",
            ready.status()
        );
    }
    let served = fresh().get(&health).send().await.unwrap();
    assert_eq!(
        served.status(),
        StatusCode::OK,
        "a new connection is served while draining"
    );
    assert_eq!(served.headers().get("connection").unwrap(), "close");
    let created = in_flight.await.unwrap().unwrap();
    assert!(
        created.status().is_success(),
        "the request in flight finished: {}",
        created.status()
    );

    // Until the listener closes, every request sent is answered; after it, connecting fails.
    let (mut answered, deadline) = (0, Instant::now() + Duration::from_secs(20));
    loop {
        match kept.get(&health).send().await {
            Ok(res) => {
                assert_eq!(res.status(), StatusCode::OK);
                answered += 1;
            }
            // A connection the kernel accepted into the backlog just as the listener closed is reset, never
            // served: that is the close, not a dropped request, when the next attempt cannot connect at all.
            Err(e) => {
                if !e.is_connect() {
                    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
                    let next = kept.get(&health).send().await;
                    assert!(
                        next.as_ref().is_err_and(|n| n.is_connect()),
                        "a request was dropped instead of answered: {e}; then {next:?}"
                    );
                }
                break;
            }
        }
        assert!(Instant::now() < deadline, "the server never closed");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered > 0);
    let status = tarn.exited_within(Duration::from_secs(20)).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "exit 0: {status:?}\n{}",
        tarn.log()
    );
}
