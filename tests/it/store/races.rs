//! `insert_unless_present` and the inserts built on it: a duplicate is "already there", never an error, also when
//! it comes from a concurrent twin or inside a caller's transaction. A find-then-insert loses these races on
//! PostgreSQL (READ COMMITTED) and on SQLite outside a transaction (two autocommit statements).

use std::sync::{Arc, Barrier};

use diesel::{ExpressionMethods, QueryResult, RunQueryDsl};
use tarn::store::schema::{group_members, settings as settings_table};
use tarn::store::{Db, DbConn, StoreError, insert_unless_present, settings};

use crate::support::TestDb;

/// At most the SQLite pool's size: every task holds a connection while it waits at the barrier.
const RACERS: usize = 8;

#[actix_web::test]
async fn concurrent_inserts_of_one_setting_store_exactly_one_value() {
    let test_db = TestDb::fresh();
    let db = Db::open(test_db.backend()).unwrap();
    let start = Arc::new(Barrier::new(RACERS));
    let racers = (0..RACERS).map(|i| {
        let start = start.clone();
        db.run(move |c| {
            start.wait();
            settings::insert_if_absent(c, "race", &format!("value-{i}")).map(|won| (i, won))
        })
    });
    let results: Vec<Result<(usize, bool), _>> = futures_util::future::join_all(racers).await;
    let winners: Vec<usize> = results
        .iter()
        .map(|r| r.as_ref().map_err(ToString::to_string))
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .iter()
        .filter(|(_, won)| *won)
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let stored = db.run(|c| settings::find(c, "race")).await.unwrap();
    assert_eq!(stored, Some(format!("value-{}", winners[0])));
}

fn insert_setting<'a>(
    key: &'a str,
    value: &'a str,
) -> impl FnOnce(&mut DbConn) -> QueryResult<usize> + 'a {
    move |c| {
        diesel::insert_into(settings_table::table)
            .values((settings_table::key.eq(key), settings_table::value.eq(value)))
            .execute(c)
    }
}

/// On PostgreSQL a failed statement aborts the transaction it is in; the savepoint keeps the caller's alive.
#[actix_web::test]
async fn a_duplicate_inside_a_transaction_leaves_the_transaction_usable() {
    let test_db = TestDb::fresh();
    let db = Db::open(test_db.backend()).unwrap();
    let inserted = db
        .transaction(|c| {
            let first = insert_unless_present(c, insert_setting("a", "first"))?;
            let again = insert_unless_present(c, insert_setting("a", "second"))?;
            // A plain statement after the refused insert, in the same transaction.
            insert_setting("b", "after")(c).map_err(StoreError::from)?;
            Ok::<_, StoreError>((first, again))
        })
        .await
        .unwrap();
    assert_eq!(inserted, (true, false));
    let stored = db
        .run(|c| Ok::<_, StoreError>((settings::find(c, "a")?, settings::find(c, "b")?)))
        .await
        .unwrap();
    assert_eq!(stored, (Some("first".into()), Some("after".into())));
}

#[actix_web::test]
async fn only_a_unique_violation_counts_as_already_present() {
    let test_db = TestDb::fresh();
    let db = Db::open(test_db.backend()).unwrap();
    let result = db
        .run(|c| {
            insert_unless_present(c, |c| {
                diesel::insert_into(group_members::table)
                    .values((
                        group_members::group_id.eq("no-such-group"),
                        group_members::user_id.eq("no-such-user"),
                        group_members::created_at.eq(0_i64),
                    ))
                    .execute(c)
            })
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::ForeignKey(_))),
        "{result:?}"
    );
}
