//! What an import refuses, and that a refusal or a dry run writes nothing: the error names the line.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::foreign::legacy_file;
use super::{has_tenant, import_api, stderr, tarn};
use crate::pages::foreign_hashes::foreign_hashes;
use crate::support::TestServer;

/// `file` with line `number` (1-based) replaced by `line`.
fn with_line(file: &str, number: usize, line: &str) -> String {
    let mut lines: Vec<&str> = file.lines().collect();
    lines[number - 1] = line;
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[actix_web::test]
async fn a_bad_line_in_the_middle_writes_nothing_and_names_its_line() {
    let (_srv, admin) = TestServer::start().await;
    let good = legacy_file(&foreign_hashes());
    let user = r#"{"kind":"user","id":"x","pool_id":"p1","email":"x@example.com"}"#;
    let cases = [
        (
            r#"{"kind":"user","id":"u9","pool_"#.to_owned(),
            "is not valid JSON",
        ),
        (
            r#"{"kind":"robot","id":"r1"}"#.to_owned(),
            "unknown variant",
        ),
        (
            user.replace("x@example.com", "not an email"),
            "user: email: ",
        ),
        (user.replace("p1", "p2"), "user: pool_id: no pool"),
        (
            user.replace(r#""id":"x""#, r#""id":"u0""#),
            "user: id is already used",
        ),
        (
            user.replace("x@example.com", "user0@example.com"),
            "email (in this pool) is already used",
        ),
        (
            r#"{"kind":"tarn-export","version":1,"tenant":{"id":"other","name":"Other"}}"#.into(),
            "only the first line may be a header",
        ),
    ];
    for (line, says) in cases {
        let file = with_line(&good, 6, &line);
        let (status, body) = import_api(&admin, &file, false).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{line}: {body}");
        assert_eq!(body["line"], 6, "{line}: {body}");
        let description = body["error_description"].as_str().unwrap();
        assert!(description.starts_with("line 6: "), "{description}");
        assert!(description.contains(says), "{line}: {description}");
        assert!(!has_tenant(&admin, "legacy").await, "{line}");
    }
    // A reference checked at the end (a group's parent) names the group's line.
    let orphan =
        r#"{"kind":"group","id":"g1","pool_id":"p1","name":"staff","parent_id":"nowhere"}"#;
    let file = with_line(&good, 3, orphan);
    let (status, body) = import_api(&admin, &file, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["line"], 3, "{body}");
    assert!(!has_tenant(&admin, "legacy").await);
}

#[actix_web::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let (srv, admin) = TestServer::start().await;
    let file = legacy_file(&foreign_hashes());
    let (status, summary) = import_api(&admin, &file, true).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["counts"]["user"], foreign_hashes().len());
    assert_eq!(summary["counts"]["client"], 1);
    assert!(!has_tenant(&admin, "legacy").await);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.ndjson");
    std::fs::write(&path, &file).unwrap();
    let out = tarn(&srv, &["import", path.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dry run, nothing written"),
        "{}",
        stderr(&out)
    );
    assert!(!has_tenant(&admin, "legacy").await);

    // A dry run still finds a bad line.
    let bad = with_line(&file, 4, r#"{"kind":"user","id":"u0","pool_id":"p1"}"#);
    let (status, body) = import_api(&admin, &bad, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["line"], 4, "{body}");
}

#[actix_web::test]
async fn a_tenant_that_exists_is_refused_by_the_api_and_the_cli() {
    let (srv, admin) = TestServer::start().await;
    let file = legacy_file(&foreign_hashes()[..1]);
    let (status, body) = import_api(&admin, &file, false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = import_api(&admin, &file, false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("tenant legacy already exists"),
        "{body}"
    );
    let (status, _) = import_api(&admin, &file, true).await;
    assert_eq!(status, StatusCode::CONFLICT, "a dry run says so too");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.ndjson");
    std::fs::write(&path, &file).unwrap();
    let out = tarn(&srv, &["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));

    let default = super::export_api(&srv, "default").await;
    let (status, _) = import_api(&admin, &default, false).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "every database has tenant default"
    );
}

#[actix_web::test]
async fn only_ndjson_is_accepted_and_a_missing_tenant_has_no_export() {
    let (srv, admin) = TestServer::start().await;
    let file = legacy_file(&[]);
    for content_type in [Some("application/json"), Some("text/plain"), None] {
        let (status, body) = admin
            .send_raw(Method::POST, "/import", content_type, file.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {body}"
        );
    }
    let (status, body) = admin
        .send_raw(
            Method::POST,
            "/import",
            Some("application/x-ndjson; charset=utf-8"),
            file,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = admin.get("/nobody/export").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let out = tarn(&srv, &["export", "--tenant", "nobody"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let (status, body) = admin.post("/import", json!({})).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
}
