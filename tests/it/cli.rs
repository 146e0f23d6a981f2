//! The `tarn` binary: help and version, configuration errors (exit 2), an unreachable database (exit 1), and
//! private signing keys encrypted at rest under `TARN_KEY_ENCRYPTION_KEYS` (`tarn keys rewrap`).

use std::process::{Command, Output};

fn tarn(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarn"));
    cmd.args(args).current_dir(dir.path());
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TARN_")) {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_and_version() {
    let help = tarn(&["--help"], &[]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("serve"));
    let version = tarn(&["--version"], &[]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("tarn "));
}

#[test]
fn a_bad_value_names_its_key_and_exits_2() {
    for (name, value) in [
        ("TARN_LISTEN", "not-an-address"),
        ("TARN_DATABASE_URL", "mysql://db/tarn"),
        ("TARN_PUBLIC_URL", "ftp://example.com"),
        ("TARN_SMTP_URL", "http://mail"),
        ("TARN_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("TARN_KEY_ENCRYPTION_KEYS", "one-without-a-key"),
        ("TARN_KEY_ENCRYPTION_KEYS", "one:dG9vLXNob3J0"),
        ("TARN_LOG_FORMAT", "yaml"),
        ("TARN_METRICS_LISTEN", "nowhere"),
        ("TARN_METRICS_TOKEN", "short"),
    ] {
        let out = tarn(&["serve"], &[(name, value)]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}={value}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(name), "{name} named in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_unknown_key_in_the_config_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tarn.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlisen_typo = 1\n").unwrap();
    let out = tarn(&["serve", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("lisen_typo"), "{}", stderr(&out));
    let missing = tarn(&["serve", "--config", "/nonexistent/tarn.toml"], &[]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn an_unreachable_database_is_one_line_and_exit_1() {
    let out = tarn(
        &["serve"],
        &[
            ("TARN_DATABASE_URL", "postgres://nobody@127.0.0.1:1/tarn"),
            ("TARN_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("cannot open the database"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let unwritable = tarn(
        &["serve"],
        &[
            ("TARN_DATABASE_URL", "sqlite:///nonexistent-dir/x/tarn.db"),
            ("TARN_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(unwritable.status.code(), Some(1), "{}", stderr(&unwritable));
}

fn keyring_key(byte: u8) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([byte; 32])
}

#[derive(diesel::QueryableByName)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Text)]
    private_der: String,
}

/// The stored form of every private signing key.
fn stored_private_keys(backend: &tarn::store::Backend) -> Vec<String> {
    use diesel::{Connection, RunQueryDsl};
    let query = diesel::sql_query("SELECT private_der FROM signing_keys ORDER BY kid");
    let rows: Vec<Stored> = match backend {
        tarn::store::Backend::Sqlite(path) => {
            query.load(&mut diesel::SqliteConnection::establish(path).unwrap())
        }
        tarn::store::Backend::Postgres(url) => {
            query.load(&mut diesel::PgConnection::establish(url).unwrap())
        }
    }
    .unwrap();
    rows.into_iter().map(|r| r.private_der).collect()
}

/// Starts the binary with `keyring` (if any), fetches the default workspace's JWKS, stops it; the `kid`s.
async fn published_kids(db: &str, port: u16, keyring: Option<&str>) -> (Vec<String>, String) {
    use crate::ops::process::Process;
    let env: Vec<(&str, &str)> = keyring
        .map(|k| ("TARN_KEY_ENCRYPTION_KEYS", k))
        .into_iter()
        .collect();
    let public = format!("http://localhost:{port}");
    let mut tarn = Process::spawn(port, db, &public, &env);
    tarn.ready().await;
    let url = format!("http://127.0.0.1:{port}/default/default/.well-known/jwks.json");
    let jwks: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    tarn.kill();
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    kids.sort();
    (kids, tarn.log())
}

#[actix_web::test]
async fn signing_keys_are_encrypted_at_rest_and_rewrapped_and_a_wrong_keyring_stops_the_start() {
    use crate::ops::process::{database_url, free_port};
    let db = crate::support::TestDb::fresh();
    let backend = db.backend();
    let (url, port) = (database_url(&backend), free_port());
    let (first, second) = (keyring_key(1), keyring_key(2));

    // Without a keyring: plaintext, and one warning at start.
    let (kids, log) = published_kids(&url, port, None).await;
    assert_eq!(kids.len(), 3);
    assert_eq!(log.matches("stored unencrypted").count(), 1, "{log}");
    assert!(
        stored_private_keys(&backend)
            .iter()
            .all(|k| !k.starts_with("enc:"))
    );

    // The first start with a keyring encrypts them; the same keys stay published.
    let one = format!("one:{first}");
    let (again, log) = published_kids(&url, port, Some(&one)).await;
    assert_eq!(again, kids);
    assert!(!log.contains("stored unencrypted"), "{log}");
    let stored = stored_private_keys(&backend);
    assert!(
        stored.iter().all(|k| k.starts_with("enc:v1:one:")),
        "{stored:?}"
    );

    // A wrong key, a keyring without the key id, or none at all: one line naming the variable, exit 2.
    let wrong = format!("one:{second}");
    let other_id = format!("two:{first}");
    for env in [
        vec![("TARN_KEY_ENCRYPTION_KEYS", wrong.as_str())],
        vec![("TARN_KEY_ENCRYPTION_KEYS", other_id.as_str())],
        vec![],
    ] {
        let mut env = env;
        env.push(("TARN_DATABASE_URL", url.as_str()));
        env.push(("TARN_LISTEN", "127.0.0.1:0"));
        let out = tarn(&["serve"], &env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains("TARN_KEY_ENCRYPTION_KEYS"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    // Rewrap moves everything under the first key; the old key can then go.
    let rotated = format!("two:{second},one:{first}");
    let env = [
        ("TARN_KEY_ENCRYPTION_KEYS", rotated.as_str()),
        ("TARN_DATABASE_URL", url.as_str()),
    ];
    let out = tarn(&["keys", "rewrap"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Re-encrypted 3"),
        "{:?}",
        out
    );
    let stored = stored_private_keys(&backend);
    assert!(
        stored.iter().all(|k| k.starts_with("enc:v1:two:")),
        "{stored:?}"
    );
    let two = format!("two:{second}");
    let (after, _) = published_kids(&url, port, Some(&two)).await;
    assert_eq!(after, kids);

    let out = tarn(&["keys", "rewrap"], &[("TARN_DATABASE_URL", url.as_str())]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "rewrap needs a keyring: {}",
        stderr(&out)
    );
}
