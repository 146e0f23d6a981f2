//! `tarn admin create`: with a password on standard input or by invitation, on the test database (SQLite or
//! PostgreSQL), with or without a server running on it; bad input is exit 2, an unreachable database exit 1.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use tarn::store::Backend;

use super::{PASSWORD, PortalUser};
use crate::support::{TestDb, TestServer};

fn url(backend: &Backend) -> String {
    match backend {
        Backend::Sqlite(path) => format!("sqlite://{path}"),
        Backend::Postgres(url) => url.clone(),
    }
}

fn tarn_admin(db_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarn"));
    cmd.arg("admin")
        .arg("create")
        .args(args)
        .current_dir(dir.path());
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TARN_")) {
        cmd.env_remove(name);
    }
    cmd.env("TARN_DATABASE_URL", db_url)
        .env("TARN_ADMIN_TOKEN", "cli-test-token-0123456789")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_password_on_stdin_makes_an_administrator_and_closes_the_setup_page() {
    let db = TestDb::fresh();
    let out = tarn_admin(
        &url(&db.backend()),
        &["--email", "Root@Example.com", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Created administrator"));
    let again = tarn_admin(
        &url(&db.backend()),
        &["--email", "root@example.com", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(
        again.status.code(),
        Some(2),
        "a duplicate is bad input: {}",
        text(&again.stderr)
    );
    assert_eq!(text(&again.stderr).trim().lines().count(), 1);
}

#[actix_web::test]
async fn it_works_beside_a_running_server_and_the_administrator_signs_in() {
    let (srv, _) = TestServer::start().await;
    let user = PortalUser::new(&srv);
    assert_eq!(
        user.get("/admin").await.status,
        StatusCode::OK,
        "setup offered"
    );
    let db_url = url(&srv.state.config.database);
    let out = tarn_admin(
        &db_url,
        &["--email", "ops@example.com", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        user.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "setup closed"
    );
    let page = user.sign_in("ops@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

#[actix_web::test]
async fn an_invitation_prints_a_single_use_link_valid_a_day() {
    let (srv, admin) = TestServer::start().await;
    let db_url = url(&srv.state.config.database);
    let out = tarn_admin(&db_url, &["--email", "new@example.com", "--invite"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let link = text(&out.stdout).trim().to_owned();
    assert!(link.contains("/invitations/"), "{link}");
    let (_, users) = admin
        .get("/admin/pools/administrators/users?identifier=new@example.com")
        .await;
    let user = &users["items"][0];
    assert_eq!(user["status"], "invited");
    let (_, invitation) = admin
        .get(&format!(
            "/admin/pools/administrators/users/{}/invitation",
            user["id"].as_str().unwrap()
        ))
        .await;
    let lifetime =
        invitation["expires_at"].as_i64().unwrap() - invitation["created_at"].as_i64().unwrap();
    assert_eq!(lifetime, 24 * 3600, "{invitation}");
    let page = crate::support::browser::Browser::default()
        .get(&link.replace("localhost:8080", &srv.base[7..]))
        .await;
    assert_eq!(page.status, StatusCode::OK, "the link opens: {}", page.body);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let db = TestDb::fresh();
    let db_url = url(&db.backend());
    let cases: [(&[&str], Option<&str>); 5] = [
        (
            &["--email", "not-an-email", "--password-stdin"],
            Some(PASSWORD),
        ),
        (
            &["--email", "a@example.com", "--password-stdin"],
            Some("short\n"),
        ),
        (&["--email", "a@example.com", "--password-stdin"], Some("")),
        (&["--email", "a@example.com"], None),
        (
            &["--email", "a@example.com", "--invite", "--password-stdin"],
            Some(PASSWORD),
        ),
    ];
    for (args, stdin) in cases {
        let out = tarn_admin(&db_url, args, stdin);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("panicked"));
    }
}

#[test]
fn an_unreachable_database_is_exit_1() {
    let out = tarn_admin(
        "postgres://nobody@127.0.0.1:1/tarn",
        &["--email", "a@example.com", "--invite"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("cannot open the database"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
