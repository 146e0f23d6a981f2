//! `GET /metrics`: each family moves after its action, the exposition parses (Prometheus text and OpenMetrics),
//! requests are labelled by route pattern so a scan of unknown paths adds no series, the admin token and
//! `TARN_METRICS_TOKEN` both open it and nothing else does, and `TARN_METRICS_LISTEN` serves it without a token.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

use super::process::free_port;
use crate::notify::servers::SmtpServer;
use crate::pages::code::{ask_code, code_only, enter_code};
use crate::support::oidc::{ALICE, Browser, Setup, http};
use crate::support::{ADMIN_TOKEN, TestServer};

/// One sample line: name, labels and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses a text exposition strictly enough to catch a malformed one: every line is a `# HELP`/`# TYPE`/`# UNIT`
/// comment, `# EOF`, or `name{label="value",…} number`; every sample belongs to a family declared by `# TYPE`.
fn parse(text: &str) -> Vec<Sample> {
    let mut families: Vec<(String, String)> = Vec::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(
                ["counter", "gauge", "histogram", "info"].contains(&kind),
                "{line}"
            );
            families.push((name.to_owned(), kind.to_owned()));
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        assert!(!line.starts_with('#'), "an unknown comment: {line}");
        let sample = parse_sample(line);
        let declared = families.iter().any(|(family, kind)| {
            let suffixes: &[&str] = match kind.as_str() {
                "counter" => &["_total", ""],
                "histogram" => &["_bucket", "_sum", "_count"],
                "info" => &["_info"],
                _ => &[""],
            };
            suffixes
                .iter()
                .any(|s| sample.name == format!("{family}{s}"))
                || (kind == "counter" && family.ends_with("_total") && sample.name == *family)
        });
        assert!(declared, "a sample of no declared family: {line}");
        samples.push(sample);
    }
    samples
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
    let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => (name, rest.strip_suffix('}').expect("labels close")),
        None => (series, ""),
    };
    assert!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && name.starts_with("tarn_"),
        "{line}"
    );
    let mut parsed = BTreeMap::new();
    // Label values here never hold `",` (route patterns, enums, versions), so a plain split suffices.
    for pair in labels.split("\",").filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once("=\"").expect("key=\"value\"");
        parsed.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
    }
    Sample {
        name: name.to_owned(),
        labels: parsed,
        value,
    }
}

/// The sum of the samples named `name` whose labels include `labels`.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

pub async fn scrape(srv: &TestServer) -> Vec<Sample> {
    let res = http()
        .get(srv.url("/metrics"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = res.text().await.unwrap();
    assert!(!text.contains("# EOF"), "Prometheus text has no EOF marker");
    parse(&text)
}

/// Signs in with a wrong password once.
async fn wrong_password(setup: &Setup) {
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = browser.submit_login(&login, ALICE, "wrong password").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

#[actix_web::test]
async fn each_family_moves_after_its_action() {
    let (srv, admin) = TestServer::start().await;
    let grants =
        json!({"grant_types": ["authorization_code", "refresh_token", "client_credentials"]});
    let setup = Setup::new(&srv, &admin, grants).await;
    let before = scrape(&srv).await;
    let moved = |after: &[Sample], name: &str, labels: &[(&str, &str)]| {
        let (was, is) = (value(&before, name, labels), value(after, name, labels));
        assert!(is > was, "{name}{labels:?}: {was} → {is}");
    };

    let tokens = setup.tokens(&[]).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(setup.refresh(refresh).await.status, StatusCode::OK);
    setup
        .refresh(refresh)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let issued = setup
        .post("/oauth2/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.json);
    for _ in 0..5 {
        wrong_password(&setup).await;
    }
    wrong_password(&setup).await;
    let after = scrape(&srv).await;

    let token_route = "/{tenant}/{workspace}/oauth2/token";
    moved(
        &after,
        "tarn_http_requests_total",
        &[
            ("method", "POST"),
            ("route", token_route),
            ("status", "2xx"),
        ],
    );
    moved(
        &after,
        "tarn_http_request_duration_seconds_count",
        &[("route", token_route)],
    );
    moved(
        &after,
        "tarn_sign_in_attempts_total",
        &[("method", "password"), ("outcome", "success")],
    );
    moved(
        &after,
        "tarn_sign_in_attempts_total",
        &[("method", "password"), ("outcome", "failure")],
    );
    moved(
        &after,
        "tarn_sign_in_attempts_total",
        &[("method", "password"), ("outcome", "locked")],
    );
    moved(&after, "tarn_lockouts_total", &[]);
    for grant in ["authorization_code", "refresh_token", "client_credentials"] {
        moved(&after, "tarn_tokens_issued_total", &[("grant_type", grant)]);
    }
    moved(
        &after,
        "tarn_token_errors_total",
        &[("error", "invalid_grant")],
    );
    moved(&after, "tarn_refresh_token_reuse_detections_total", &[]);
    moved(&after, "tarn_password_hash_duration_seconds_count", &[]);
    for cache in ["provider", "client"] {
        let lookups = |s: &[Sample]| {
            value(
                s,
                "tarn_cache_lookups_total",
                &[("cache", cache), ("result", "hit")],
            ) + value(
                s,
                "tarn_cache_lookups_total",
                &[("cache", cache), ("result", "miss")],
            )
        };
        assert!(lookups(&after) > lookups(&before), "{cache} cache lookups");
    }
    assert!(value(&after, "tarn_signing_key_age_seconds", &[("alg", "RS256")]) >= 0.0);
    assert!(
        after
            .iter()
            .any(|s| s.name == "tarn_signing_key_age_seconds")
    );
    let connections = value(&after, "tarn_db_pool_connections", &[("state", "idle")])
        + value(&after, "tarn_db_pool_connections", &[("state", "in_use")]);
    assert!(connections >= 1.0, "{connections}");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        value(&after, "tarn_build_info", &[("version", version)]),
        1.0
    );
    assert!(value(&after, "tarn_process_resident_memory_bytes", &[]) > 0.0);
    assert!(
        after
            .iter()
            .any(|s| s.name == "tarn_process_cpu_seconds_total")
    );
    // No label ever holds a user, a client or a token.
    let forbidden = [ALICE, setup.client_id.as_str(), refresh];
    for sample in &after {
        for value in sample.labels.values() {
            assert!(!forbidden.contains(&value.as_str()), "{sample:?}");
        }
    }
}

#[actix_web::test]
async fn messages_codes_and_rate_limits_are_counted() {
    let smtp = SmtpServer::start().await;
    smtp.fail_next(1);
    let smtp_url = smtp.url.clone();
    let (srv, admin) = TestServer::start_with(|c| c.smtp_url = Some(smtp_url)).await;
    let setup = code_only(&srv, &admin).await;
    let before = scrape(&srv).await;
    let browser = Browser::default();
    let login = browser.login_page(&setup.authorize_url(&[])).await;
    let page = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let again = ask_code(&browser, &login, ALICE, "email_code").await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let wrong = enter_code(&browser, &page, "000000").await;
    assert_eq!(wrong.status, StatusCode::OK, "{}", wrong.body);
    smtp.wait_for(1).await;
    // The worker counts after the server took the message.
    let mut after = Vec::new();
    for _ in 0..100 {
        after = scrape(&srv).await;
        if value(&after, "tarn_messages_sent_total", &[("outcome", "sent")]) > 0.0 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let moved = |name: &str, labels: &[(&str, &str)]| {
        let (was, is) = (value(&before, name, labels), value(&after, name, labels));
        assert!(is > was, "{name}{labels:?}: {was} → {is}");
    };
    moved(
        "tarn_messages_sent_total",
        &[("channel", "email"), ("outcome", "sent")],
    );
    moved(
        "tarn_messages_sent_total",
        &[("channel", "email"), ("outcome", "failed")],
    );
    moved("tarn_delivery_failures_total", &[("worker", "outbox")]);
    moved(
        "tarn_rate_limited_requests_total",
        &[("limiter", "code_resend")],
    );
    moved(
        "tarn_sign_in_attempts_total",
        &[("method", "code"), ("outcome", "failure")],
    );
}

#[actix_web::test]
async fn a_scan_of_unknown_paths_adds_no_series() {
    let (srv, _admin) = TestServer::start().await;
    let scan = |round: usize| {
        let srv = &srv;
        async move {
            for i in 0..10 {
                for path in [
                    format!("/scan-{round}-{i}"),
                    format!("/scan-{round}-{i}/wp-admin/setup.php"),
                    format!("/default/scan-{round}-{i}/nothing/here"),
                    format!("/static/scan-{round}-{i}.js"),
                ] {
                    let res = http().get(srv.url(&path)).send().await.unwrap();
                    assert!(res.status().is_client_error(), "{path}: {}", res.status());
                }
            }
        }
    };
    scan(0).await;
    let series = |samples: &[Sample]| {
        samples
            .iter()
            // The scrapes themselves are counted too.
            .filter(|s| s.name == "tarn_http_requests_total" && s.labels["route"] != "/metrics")
            .map(|s| s.labels.clone())
            .collect::<Vec<_>>()
    };
    let first = series(&scrape(&srv).await);
    scan(1).await;
    let second = series(&scrape(&srv).await);
    assert_eq!(first, second, "the second scan added series");
    assert!(first.iter().any(|l| l["route"] == "unmatched"), "{first:?}");
    for labels in &second {
        assert!(
            !labels["route"].contains("scan-"),
            "a raw path as a label: {labels:?}"
        );
    }
}

#[actix_web::test]
async fn the_admin_token_and_the_metrics_token_open_it_and_nothing_else() {
    let metrics_token = "metrics-token-0123456789abcdef";
    let (srv, _admin) = TestServer::start_with(|c| c.set_metrics_token(metrics_token)).await;
    let get = |token: Option<&str>, accept: Option<&str>| {
        let mut req = http().get(srv.url("/metrics"));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        req.send()
    };
    for token in [None, Some("wrong-token"), Some("")] {
        let res = get(token, None).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
    }
    for token in [ADMIN_TOKEN, metrics_token] {
        let res = get(Some(token), None).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        parse(&res.text().await.unwrap());
    }
    let openmetrics = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    let res = get(Some(metrics_token), Some(openmetrics)).await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
    );
    let text = res.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    let samples = parse(&text);
    assert!(samples.iter().any(|s| s.name == "tarn_http_requests_total"));
}

#[actix_web::test]
async fn the_metrics_listener_serves_without_a_token() {
    let port = free_port();
    let at = format!("127.0.0.1:{port}").parse().unwrap();
    let (srv, _admin) = TestServer::start_with(|c| c.metrics_listen = Some(at)).await;
    let res = http()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let samples = parse(&res.text().await.unwrap());
    assert!(samples.iter().any(|s| s.name == "tarn_build_info"));
    // Only the metrics are there, and the main listener still asks for a token.
    let other = http()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let main = http().get(srv.url("/metrics")).send().await.unwrap();
    assert_eq!(main.status(), StatusCode::UNAUTHORIZED);
}
