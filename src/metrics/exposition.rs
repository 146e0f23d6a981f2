//! The two text expositions: OpenMetrics (what `prometheus-client` writes) and the classic Prometheus text format
//! 0.0.4, derived from it. They differ only where a counter's `# HELP`/`# TYPE` lines name the family (OpenMetrics:
//! `x`, Prometheus: the sample name `x_total`), in `# UNIT` lines and in the closing `# EOF`.

use prometheus_client::registry::Registry;

pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";
pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The registry in the OpenMetrics text format.
pub fn openmetrics(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut text = String::with_capacity(16 * 1024);
    prometheus_client::encoding::text::encode(&mut text, registry)?;
    Ok(text)
}

/// OpenMetrics text rewritten as Prometheus text 0.0.4.
pub fn prometheus_text(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    // A family's `# HELP` line waits for its `# TYPE` line, which tells whether the name takes `_total`.
    let mut help: Option<(&str, &str)> = None;
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help = rest.split_once(' ').or(Some((rest, "")));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let name = match kind {
                "counter" => format!("{name}_total"),
                _ => name.to_owned(),
            };
            let kind = if kind == "info" { "gauge" } else { kind };
            if let Some((_, text)) = help.take() {
                out.push_str(&format!("# HELP {name} {text}\n"));
            }
            out.push_str(&format!("# TYPE {name} {kind}\n"));
            continue;
        }
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Whether an `Accept` header asks for OpenMetrics (Prometheus sends it first when it scrapes with it enabled).
pub fn wants_openmetrics(accept: &str) -> bool {
    accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or_default().trim())
        .any(|media| media.eq_ignore_ascii_case("application/openmetrics-text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_take_their_total_name_in_prometheus_text() {
        let om = "# HELP tarn_x Things.\n# TYPE tarn_x counter\ntarn_x_total{a=\"b\"} 1\n\
                  # HELP tarn_g Level.\n# TYPE tarn_g gauge\ntarn_g 2\n# EOF\n";
        assert_eq!(
            prometheus_text(om),
            "# HELP tarn_x_total Things.\n# TYPE tarn_x_total counter\ntarn_x_total{a=\"b\"} 1\n\
             # HELP tarn_g Level.\n# TYPE tarn_g gauge\ntarn_g 2\n"
        );
    }

    #[test]
    fn openmetrics_is_chosen_by_the_accept_header() {
        assert!(wants_openmetrics(
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        ));
        assert!(!wants_openmetrics("text/plain"));
        assert!(!wants_openmetrics("*/*"));
    }
}
