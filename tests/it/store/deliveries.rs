//! The delivery queue's lease: a row is taken by one claim at a time, a claim that outlived its lease loses the
//! row to the next, and only the claim holding a row settles it.

use diesel::RunQueryDsl;
use tarn::store::deliveries::{self, DeliveryRow, Queue};
use tarn::store::lease::LeaseQueue;
use tarn::store::{Db, StoreError};

use crate::support::TestDb;

fn row(now: i64) -> DeliveryRow {
    DeliveryRow {
        id: "d1".into(),
        tenant_id: "default".into(),
        channel: "email".into(),
        recipient: "ada@example.com".into(),
        subject: "Your code".into(),
        body_text: "123456".into(),
        body_html: None,
        attempts: 0,
        next_attempt_at: now,
        claimed_by: None,
        claimed_until: None,
        expires_at: now + 300,
        created_at: now,
    }
}

#[actix_web::test]
async fn a_queued_message_is_held_by_one_claim_at_a_time() {
    let test_db = TestDb::fresh();
    // The store alone, without a server (and so without a worker taking the row).
    let db = Db::open(test_db.backend()).unwrap();
    let now = 1_000_000;
    db.run(move |c| {
        diesel::sql_query(
            "INSERT INTO tenants (id, name, created_at) VALUES ('default', 'default', 0)",
        )
        .execute(c)?;
        deliveries::insert(c, &row(now))?;
        assert_eq!(
            Queue::list_due(c, now - 1, 10)?,
            Vec::<String>::new(),
            "not due yet"
        );
        assert_eq!(Queue::list_due(c, now, 10)?, ["d1"]);

        let a = Queue::claim(c, "d1", "a", now, now + 60)?;
        assert_eq!(a.map(|r| r.claimed_by), Some(Some("a".into())));
        assert!(
            Queue::claim(c, "d1", "b", now + 30, now + 90)?.is_none(),
            "held by a"
        );
        assert!(Queue::list_due(c, now + 30, 10)?.is_empty());
        assert_eq!(
            Queue::next_due(c)?,
            Some(now + 60),
            "due again when the lease ends"
        );

        // `a` outlived its lease: `b` takes the row, and `a` can no longer settle it.
        assert!(Queue::claim(c, "d1", "b", now + 60, now + 120)?.is_some());
        assert!(!Queue::retry_later(c, "d1", "a", 1, now + 65)?);
        assert!(!Queue::delete_claimed(c, "d1", "a")?);
        assert!(Queue::retry_later(c, "d1", "b", 1, now + 70)?);
        assert!(
            Queue::list_due(c, now + 69, 10)?.is_empty(),
            "waits for its retry"
        );
        assert!(Queue::claim(c, "d1", "c", now + 70, now + 130)?.is_some());
        assert!(Queue::delete_claimed(c, "d1", "c")?);
        assert_eq!(Queue::next_due(c)?, None);

        // An expired message goes unsent, unless a live lease holds it.
        deliveries::insert(c, &row(now))?;
        assert!(Queue::claim(c, "d1", "d", now, now + 400)?.is_some());
        assert_eq!(Queue::delete_expired(c, now + 300)?, 0, "held");
        assert_eq!(Queue::delete_expired(c, now + 400)?, 1);
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
}
