//! Headers every response carries unless a handler sets its own, and the one builder of the CSP that pages carry.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::DefaultHeaders;

/// Deny framing, sniffing and referrers, and allow nothing to load by default.
pub fn strict() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .add((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .add((
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .add((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .add((
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

/// The CSP of pages whose forms post only to Tarn: `page_csp(None)`, kept as a constant for the common case.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The CSP of a page: only Tarn's own styles, scripts and images, never framed; its forms may post to Tarn and,
/// when given, to `also_post_to` (an origin: browsers apply `form-action` to the redirects a submission follows,
/// and a sign-in that finishes redirects to the client).
pub fn page_csp(also_post_to: Option<&str>) -> String {
    page_csp_with_images(also_post_to, None)
}

/// [`page_csp`] that also lets the page show images from `images_from` (an origin: the consent page shows the
/// client's registered logo).
pub fn page_csp_with_images(also_post_to: Option<&str>, images_from: Option<&str>) -> String {
    let form_action = match also_post_to {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let img_src = match images_from {
        Some(origin) => format!("'self' data: {origin}"),
        None => "'self' data:".to_owned(),
    };
    format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src {img_src}; \
         form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The CSP of the form-post response page (OAuth 2.0 Form Post Response Mode): its one form posts to the client's
/// origin and nowhere else, and it needs no connections or images.
pub fn form_post_csp(origin: &str) -> String {
    format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; form-action {origin}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The origin (`scheme://host[:port]`) of an absolute URL, if it has one a CSP can name.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constant_is_the_policy_without_extra_form_targets() {
        assert_eq!(page_csp(None), PAGE_CSP);
    }

    #[test]
    fn an_extra_form_target_is_added_after_self_and_nothing_else_changes() {
        let csp = page_csp(Some("https://app.example"));
        assert!(
            csp.contains("; form-action 'self' https://app.example; "),
            "{csp}"
        );
        assert_eq!(
            csp.replace(" https://app.example", ""),
            PAGE_CSP,
            "only form-action differs"
        );
    }

    #[test]
    fn the_form_post_page_may_post_only_to_the_client() {
        let csp = form_post_csp("https://rp.example:8443");
        assert!(
            csp.contains("form-action https://rp.example:8443;"),
            "{csp}"
        );
        assert!(!csp.contains("form-action 'self'"), "{csp}");
        assert!(!csp.contains("connect-src"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }

    #[test]
    fn origins_come_only_from_absolute_urls_with_a_host() {
        assert_eq!(
            origin_of("https://app.example/cb?x=1").as_deref(),
            Some("https://app.example")
        );
        assert_eq!(
            origin_of("http://localhost:3000/cb").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(origin_of("com.example.app:/cb"), None);
        assert_eq!(origin_of("not a url"), None);
    }
}
