//! What the access log may show of a path: never the query string (it is not passed here), and never the token
//! segment of a link path (`/invitations/{token}`, `/verifications/{token}`): both carry secrets. `/healthz` is
//! polled constantly and not logged at all. The line itself is written by `request_id`, inside the request's span.

/// Path prefixes whose next segment is a secret token.
const SECRET_SEGMENT_AFTER: [&str; 2] = ["/invitations/", "/verifications/"];

/// Paths not logged: polled every few seconds by orchestrators.
const NOT_LOGGED: [&str; 1] = ["/healthz"];

/// The path as the access log shows it, or `None` when the request is not logged.
pub fn loggable(path: &str) -> Option<String> {
    (!NOT_LOGGED.contains(&path)).then(|| loggable_path(path))
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
    use super::{loggable, loggable_path};

    #[test]
    fn link_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/invitations/s3cr3t-token"), "/invitations/…");
        assert_eq!(loggable_path("/verifications/abc/x"), "/verifications/…/x");
        assert_eq!(loggable_path("/default/shop/login"), "/default/shop/login");
        assert_eq!(loggable("/healthz"), None);
    }
}
