//! The portal's second line against cross-site requests, after the CSRF token: an unsafe request (anything but
//! GET, HEAD, OPTIONS) is refused when the browser says it comes from another site (`Sec-Fetch-Site` other than
//! `same-origin` or `none`) or, from browsers that do not send that header, when its `Origin` is not the portal's.

use actix_web::HttpRequest;
use actix_web::http::Method;

/// Whether `req` may change something: safe methods always; unsafe ones unless a browser marks them cross-site.
pub fn is_allowed(req: &HttpRequest, public_url: &str) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match header("origin") {
        Some(origin) => {
            Some(origin.to_owned()) == crate::web::security_headers::origin_of(public_url)
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::is_allowed;

    const PUBLIC: &str = "https://id.example";

    #[test]
    fn reads_are_always_allowed() {
        let req = TestRequest::get()
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert!(is_allowed(&req, PUBLIC));
    }

    #[test]
    fn unsafe_requests_need_the_same_origin() {
        let post = |name: &'static str, value: &'static str| {
            TestRequest::post()
                .insert_header((name, value))
                .to_http_request()
        };
        assert!(is_allowed(&post("sec-fetch-site", "same-origin"), PUBLIC));
        assert!(is_allowed(&post("sec-fetch-site", "none"), PUBLIC));
        assert!(!is_allowed(&post("sec-fetch-site", "same-site"), PUBLIC));
        assert!(!is_allowed(&post("sec-fetch-site", "cross-site"), PUBLIC));
        assert!(is_allowed(&post("origin", "https://id.example"), PUBLIC));
        assert!(!is_allowed(&post("origin", "https://evil.example"), PUBLIC));
        assert!(!is_allowed(&post("origin", "null"), PUBLIC));
        assert!(is_allowed(&TestRequest::post().to_http_request(), PUBLIC));
    }
}
