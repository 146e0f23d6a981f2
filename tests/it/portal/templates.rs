//! Every template is CSP-clean: no inline `<script>` content, no `on…=` event-handler attribute, no `style=`
//! attribute (the portal and hosted pages run under `default-src 'none'` without `unsafe-inline`).

use std::path::Path;

fn templates(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            templates(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// What in `html` a strict CSP would block.
fn violations(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag = &rest[at..];
        let open_end = tag.find('>').unwrap_or(tag.len());
        let body_end = tag.find("</script>").unwrap_or(open_end);
        if tag[open_end.min(body_end)..body_end]
            .trim_start_matches('>')
            .trim()
            != ""
        {
            found.push("inline <script> content".into());
        }
        if !tag[..open_end].contains("src=") {
            found.push("<script> without src".into());
        }
        rest = &tag[open_end.min(tag.len())..];
    }
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices(" on") {
        let name: String = lower[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let after = i + 3 + name.len();
        if !name.is_empty() && bytes.get(after) == Some(&b'=') {
            found.push(format!("event handler on{name}="));
        }
    }
    if lower.contains(" style=") || lower.contains("<style") {
        found.push("inline style".into());
    }
    found
}

#[test]
fn no_template_holds_inline_script_event_handlers_or_styles() {
    let mut all = Vec::new();
    templates(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &mut all,
    );
    assert!(
        all.iter().any(|(p, _)| p.contains("portal")),
        "the portal's templates are checked"
    );
    let bad: Vec<_> = all
        .iter()
        .flat_map(|(path, html)| {
            violations(html)
                .into_iter()
                .map(move |v| format!("{path}: {v}"))
        })
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_check_finds_what_it_looks_for() {
    assert!(!violations("<script>alert(1)</script>").is_empty());
    assert!(!violations(r#"<button onclick="x()">"#).is_empty());
    assert!(!violations(r#"<p style="color:red">"#).is_empty());
    assert!(!violations("<style>p{}</style>").is_empty());
    assert!(violations(r#"<script src="/static/a.js" defer></script><p class="on">"#).is_empty());
}
