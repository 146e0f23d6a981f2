//! Redirect URIs of a client (`redirect_uris`, `post_logout_redirect_uris`): what may be registered, and how a
//! requested URI is matched against the registered ones. Domain rules only; no HTTP.
//!
//! Registration keeps a URI only if the WHATWG URL parser (the `url` crate, as browsers parse) writes it back
//! exactly as given. The endpoints compare strings, then redirect to the parsed URL, so a URI the parser would
//! rewrite (`https:/a.example/cb`, `/cb/../x`, upper case, `:443`, IDN, `https://a.example` without its `/`)
//! would send the browser somewhere else than was registered (RFC 6749 §3.1.2, RFC 9700 §4.1.3).

use url::{Host, Url};

use super::error::{Error, Result};

/// Most URIs a client may register per field.
const MAX_URIS: usize = 50;
/// Longest URI accepted.
const MAX_LEN: usize = 2048;

/// Checks every URI of `field`: canonical, absolute, no fragment or credentials, `https` unless loopback.
pub fn check_all(field: &str, uris: &[String]) -> Result<()> {
    if uris.len() > MAX_URIS {
        return Err(Error::invalid(field, format!("at most {MAX_URIS} URIs")));
    }
    uris.iter().try_for_each(|uri| check(field, uri))
}

fn check(field: &str, uri: &str) -> Result<()> {
    // `escape_debug` keeps CR, LF and NUL out of the error text (and so out of logs and responses).
    let bad = |why: &str| Error::invalid(field, format!("`{}` {why}", uri.escape_debug()));
    if uri.chars().any(char::is_control) {
        return Err(bad("contains a control character"));
    }
    if uri.len() > MAX_LEN {
        return Err(bad("is longer than 2048 characters"));
    }
    let parsed = Url::parse(uri).map_err(|_| bad("is not an absolute URI"))?;
    if parsed.as_str() != uri {
        return Err(bad(&format!(
            "is not written as a URL parser writes it; register `{parsed}` if that is what is meant"
        )));
    }
    // RFC 6749 §3.1.2: no fragment.
    if parsed.fragment().is_some() {
        return Err(bad("must not contain a fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        // RFC 8252 §7.3 (and §8.3 for `localhost`, kept for development servers).
        "http" if is_loopback(&parsed) || parsed.host_str() == Some("localhost") => Ok(()),
        _ => Err(bad(
            "must use https (http is allowed only for localhost, 127.0.0.1 and [::1])",
        )),
    }
}

/// `http://127.0.0.1…` or `http://[::1]…`: an RFC 8252 §7.3 loopback IP literal (not the name `localhost`).
fn is_loopback(url: &Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
            Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
            _ => false,
        }
}

/// Whether `requested` is one of the `registered` URIs: the same string, or, when `any_loopback_port` (a
/// native app, RFC 8252 §7.3), a loopback IP URI that differs from a registered one only by a port the
/// registration leaves out.
pub fn is_registered(registered: &[String], requested: &str, any_loopback_port: bool) -> bool {
    if registered.iter().any(|r| r == requested) {
        return true;
    }
    any_loopback_port && without_loopback_port(requested).is_some_and(|r| registered.contains(&r))
}

/// `uri` without its port, if it is a canonical loopback IP URI with one.
fn without_loopback_port(uri: &str) -> Option<String> {
    let mut url = Url::parse(uri).ok()?;
    // Only a URI that is already in its parsed form, so what was matched is what the browser is sent to.
    if url.as_str() != uri || !is_loopback(&url) || url.port().is_none() {
        return None;
    }
    url.set_port(None).ok()?;
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(uri: &str) -> bool {
        check("redirect_uris", uri).is_ok()
    }

    #[test]
    fn only_uris_a_parser_writes_back_unchanged_are_kept() {
        for good in [
            "https://a.example/",
            "https://a.example/cb?x=1",
            "http://127.0.0.1/cb",
            "http://[::1]:8/cb",
            "http://localhost:3000/cb",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "https://a.example",
            "https:/a.example/cb",
            "https://a.example/cb/../x",
            "HTTPS://a.example/cb",
            "https://A.example/cb",
            "https://a.example:443/cb",
            "https://a.example/\r\nX: y",
            "https://a.example/cb#x",
            "https://u:p@a.example/cb",
            "http://a.example/cb",
            "ftp://a.example/",
            "/cb",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_ip_uris_of_native_apps_match_any_port() {
        let registered = vec![
            "http://127.0.0.1/cb".to_owned(),
            "http://[::1]/cb".to_owned(),
        ];
        assert!(is_registered(&registered, "http://127.0.0.1:5000/cb", true));
        assert!(is_registered(&registered, "http://[::1]:5000/cb", true));
        assert!(is_registered(&registered, "http://127.0.0.1/cb", false));
        assert!(!is_registered(
            &registered,
            "http://127.0.0.1:5000/cb",
            false
        ));
        assert!(!is_registered(&registered, "http://127.0.0.1:5000/x", true));
        assert!(!is_registered(
            &registered,
            "http://127.0.0.1:5000/cb/../cb",
            true
        ));
        let named = vec!["http://localhost/cb".to_owned()];
        assert!(!is_registered(&named, "http://localhost:5000/cb", true));
        let pinned = vec!["http://127.0.0.1:4000/cb".to_owned()];
        assert!(!is_registered(&pinned, "http://127.0.0.1:4001/cb", true));
    }
}
