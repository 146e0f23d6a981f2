//! The access log: method, path, status and time. Never the query string, and never the token segment of a
//! link path (`/invitations/{token}`, `/verifications/{token}`): both carry secrets.

use actix_web::middleware::Logger;

/// Path prefixes whose next segment is a secret token.
const SECRET_SEGMENT_AFTER: [&str; 2] = ["/invitations/", "/verifications/"];

/// The request logger every server uses.
pub fn logger() -> Logger {
    Logger::new("%{method}xi %{path}xi %s %Dms")
        .custom_request_replace("method", |req| req.method().to_string())
        .custom_request_replace("path", |req| loggable_path(req.path()))
        .exclude("/healthz")
}

/// `path` with any token segment replaced by `…`.
fn loggable_path(path: &str) -> String {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn link_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/invitations/s3cr3t-token"), "/invitations/…");
        assert_eq!(loggable_path("/verifications/abc/x"), "/verifications/…/x");
        assert_eq!(loggable_path("/default/shop/login"), "/default/shop/login");
    }
}
