//! Turns at periodic background work: of the instances asking, exactly one runs a job per period.

use crate::support::TestServer;

async fn take_turn(srv: &TestServer, now: i64, next: i64) -> bool {
    srv.state
        .db
        .transaction(move |c| tarn::store::jobs::take_turn(c, "test.job", now, next))
        .await
        .unwrap()
}

#[actix_web::test]
async fn one_instance_gets_each_turn_and_the_next_comes_when_due() {
    let (a, _) = TestServer::start().await;
    let (b, _) = a.another_instance(|_| {}).await;
    let now = a.state.clock.now();
    let (first, second) =
        tokio::join!(take_turn(&a, now, now + 600), take_turn(&b, now, now + 600));
    assert!(
        first ^ second,
        "exactly one takes the first turn: {first} {second}"
    );
    assert!(!take_turn(&a, now + 599, now + 1200).await, "not due yet");
    assert!(take_turn(&b, now + 600, now + 1200).await, "due");
    assert!(!take_turn(&a, now + 600, now + 1200).await, "already taken");
}
