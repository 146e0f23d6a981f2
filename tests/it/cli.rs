//! The `tarn` binary: help and version, configuration errors (exit 2) and an unreachable database (exit 1).

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
