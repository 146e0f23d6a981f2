//! `kill -9` under load: the real binary takes concurrent admin writes and sign-ins, is killed at a random moment
//! and restarted on the same database, five times. Every write answered 2xx is there and intact, nothing is half
//! written (SQLite's integrity and foreign-key checks, orphan checks on both backends), and tokens issued before a
//! crash still verify. A SIGKILL proves process-crash safety; `synchronous = FULL` is what covers a power loss.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tarn::store::Backend;

use super::process::{Process, database_url, free_port};
use crate::support::oidc::{ALICE, Setup};
use crate::support::{ADMIN_TOKEN, Admin, TestDb};

const KILLS: usize = 5;

/// What the server acknowledged: groups by id with their names, and access tokens.
#[derive(Default)]
struct Acknowledged {
    groups: Vec<(String, String)>,
    tokens: Vec<String>,
}

/// Creates groups one after another until the server stops answering; records each 2xx.
async fn write_groups(base: String, pool: String, worker: usize, acked: Arc<Mutex<Acknowledged>>) {
    let http = reqwest::Client::new();
    for n in 0.. {
        let name = format!("g-{worker}-{n}-{}", uuid::Uuid::new_v4().simple());
        let sent = http
            .post(format!("{base}/api/admin/default/pools/{pool}/groups"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"name": name}))
            .send()
            .await;
        let Ok(res) = sent else { return };
        if !res.status().is_success() {
            continue;
        }
        let Ok(body) = res.json::<Value>().await else {
            return;
        };
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        acked.lock().unwrap().groups.push((id, name));
    }
}

/// Signs in over and over; records each access token issued.
async fn sign_in(setup: Setup, acked: Arc<Mutex<Acknowledged>>) {
    loop {
        // `tokens` panics once the server is gone, which ends this task.
        let tokens = setup.tokens(&[]).await;
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        acked.lock().unwrap().tokens.push(access);
    }
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows whose parent is missing, over the foreign keys a half-written object would break.
const ORPHANS: &str = "SELECT (SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM pools p WHERE p.id = u.pool_id)) \
    + (SELECT COUNT(*) FROM pool_groups g WHERE NOT EXISTS (SELECT 1 FROM pools p WHERE p.id = g.pool_id)) \
    + (SELECT COUNT(*) FROM grants g WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = g.user_id)) \
    + (SELECT COUNT(*) FROM refresh_tokens r WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.id = r.grant_id)) AS n";

fn assert_consistent(backend: &Backend) {
    match backend {
        Backend::Sqlite(path) => {
            let mut c = SqliteConnection::establish(path).unwrap();
            let check: Vec<Line> =
                diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
                    .load(&mut c)
                    .unwrap();
            assert_eq!(
                check.iter().map(|l| l.line.as_str()).collect::<Vec<_>>(),
                ["ok"]
            );
            let broken: Vec<Count> =
                diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
                    .load(&mut c)
                    .unwrap();
            assert_eq!(broken[0].n, 0, "foreign key violations");
            assert_eq!(
                diesel::sql_query(ORPHANS)
                    .get_result::<Count>(&mut c)
                    .unwrap()
                    .n,
                0
            );
        }
        Backend::Postgres(url) => {
            let mut c = diesel::PgConnection::establish(url).unwrap();
            assert_eq!(
                diesel::sql_query(ORPHANS)
                    .get_result::<Count>(&mut c)
                    .unwrap()
                    .n,
                0
            );
        }
    }
}

#[actix_web::test]
async fn every_acknowledged_write_survives_kill_9() {
    let db = TestDb::fresh();
    let backend = db.backend();
    let (port, url) = (free_port(), database_url(&backend));
    let public = format!("http://localhost:{port}");
    let mut tarn = Process::spawn(port, &url, &public, &[]);
    tarn.ready().await;
    let admin = Admin::new(&tarn.base, ADMIN_TOKEN);
    let pool = admin.create_pool("customers").await;
    let user = admin.create_user(&pool, ALICE).await;
    admin
        .create("/default/workspaces/default/idps", json!({"pool_id": pool}))
        .await;
    let bare = Setup {
        issuer: format!("{public}/default/default"),
        pool: pool.clone(),
        user,
        client_id: String::new(),
        client_secret: None,
        auth_method: String::new(),
    };
    let setup = bare.another_client(&admin, json!({})).await;
    let acked = Arc::new(Mutex::new(Acknowledged::default()));

    for round in 0..KILLS {
        // A token issued before this crash, whatever the sign-ins under load manage before the kill.
        let issued = setup.tokens(&[]).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        acked.lock().unwrap().tokens.push(issued);
        let acked_before = acked.lock().unwrap().groups.len();
        let mut tasks = Vec::new();
        for worker in 0..3 {
            let task = write_groups(tarn.base.clone(), pool.clone(), worker, acked.clone());
            tasks.push(actix_web::rt::spawn(task));
        }
        tasks.push(actix_web::rt::spawn(sign_in(setup.clone(), acked.clone())));
        // The kill comes at a random moment once the writes are under way.
        for _ in 0..600 {
            if acked.lock().unwrap().groups.len() > acked_before {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let pause = (uuid::Uuid::new_v4().as_u128() % 1000) as u64;
        actix_web::rt::time::sleep(Duration::from_millis(pause)).await;
        tarn.kill();
        for task in tasks {
            let _ = task.await;
        }
        assert_consistent(&backend);

        tarn = Process::spawn(port, &url, &public, &[]);
        tarn.ready().await;
        let (groups, tokens) = {
            let a = acked.lock().unwrap();
            (a.groups.clone(), a.tokens.clone())
        };
        assert!(
            groups.len() > acked_before,
            "round {round}: some writes were acknowledged"
        );
        for (id, name) in &groups {
            let (status, group) = admin
                .get(&format!("/default/pools/{pool}/groups/{id}"))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "round {round}: acknowledged group {id} lost"
            );
            assert_eq!(group["name"], name.as_str(), "round {round}: {group}");
        }
        for token in &tokens {
            let reply = setup.userinfo(token).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "round {round}: {}",
                reply.json
            );
        }
    }
}
