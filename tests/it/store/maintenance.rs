//! Purging expired state: pending requests, codes and sessions go once their time is up, live ones stay.

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::json;

use crate::support::TestServer;
use crate::support::oidc::{Browser, Setup};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(srv: &TestServer, table: &'static str) -> i64 {
    srv.state
        .db
        .run(move |c| {
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result::<Count>(c)
                .map(|r| r.n)
                .map_err(tarn::store::StoreError::from)
        })
        .await
        .unwrap()
}

async fn purge(srv: &TestServer) -> usize {
    let now = srv.state.clock.now();
    srv.state
        .db
        .run(move |c| tarn::store::maintenance::purge_expired(c, now))
        .await
        .unwrap()
}

#[actix_web::test]
async fn expired_requests_codes_and_sessions_are_purged_and_live_ones_kept() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let browser = Browser::default();
    setup.code(&browser, &[]).await; // a session, a code (unredeemed)
    let pending = browser
        .get(&setup.authorize_url(&[("prompt", "login")]))
        .await; // a pending request
    assert!(pending.location.unwrap().contains("/login?request="));
    assert_eq!(count(&srv, "authorization_requests").await, 1);
    assert_eq!(count(&srv, "sessions").await, 1);
    assert_eq!(count(&srv, "authorization_codes").await, 1);

    assert_eq!(purge(&srv).await, 0, "nothing has expired yet");
    srv.state.clock.advance(31 * 60);
    assert_eq!(
        purge(&srv).await,
        1,
        "the pending request expired after 30 minutes"
    );
    assert_eq!(count(&srv, "authorization_requests").await, 0);
    assert_eq!(count(&srv, "sessions").await, 1);
    srv.state.clock.advance(13 * 3600);
    purge(&srv).await;
    assert_eq!(
        count(&srv, "sessions").await,
        0,
        "the 12-hour session expired"
    );
    assert_eq!(
        count(&srv, "authorization_codes").await,
        1,
        "codes are kept a day past expiry (late replays)"
    );
    srv.state.clock.advance(11 * 3600);
    purge(&srv).await;
    assert_eq!(
        count(&srv, "authorization_codes").await,
        0,
        "the code is a day past its expiry"
    );
}

#[actix_web::test]
async fn registration_sends_are_purged_once_the_hour_they_count_for_is_over() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let patch = json!({"public_registration_allowed": true});
    admin
        .patch(&format!("/default/pools/{}", setup.pool), patch)
        .await;
    let browser = Browser::default();
    let form = crate::pages::register::register_page(&browser, &setup).await;
    let fields = [
        ("identifier", "carol@example.com"),
        ("password", "carol's own passphrase"),
    ];
    crate::pages::register::submit(&browser, &form, &fields).await;
    assert_eq!(count(&srv, "registration_sends").await, 1);
    srv.state.clock.advance(3599);
    purge(&srv).await;
    assert_eq!(count(&srv, "registration_sends").await, 1, "still counted");
    srv.state.clock.advance(2);
    purge(&srv).await;
    assert_eq!(count(&srv, "registration_sends").await, 0);
}
