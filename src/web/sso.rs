//! The SSO session cookie of a workspace: its name, its path (the issuer's), its flags, and how it is read, set and
//! cleared, in one place. The session it names lives in the database (`authn::session`).

use actix_web::{HttpRequest, HttpResponse};

use super::cookies;

/// The SSO session cookie (its value is a session secret: never logged).
pub struct SsoCookie;

impl SsoCookie {
    const NAME: &'static str = "tarn_session";

    /// The cookie value on this request.
    pub fn read(req: &HttpRequest) -> Option<String> {
        req.cookie(Self::NAME).map(|c| c.value().to_owned())
    }

    /// Sets the session cookie for the workspace at `issuer`.
    pub fn set(res: &mut HttpResponse, issuer: &str, value: String, public_url: &str) {
        let _ = res.add_cookie(&cookies::build(Self::NAME, value, path(issuer), public_url));
    }

    /// Deletes the session cookie of the workspace at `issuer`.
    pub fn clear(res: &mut HttpResponse, issuer: &str, public_url: &str) {
        let _ = res.add_cookie(&cookies::removal(Self::NAME, path(issuer), public_url));
    }
}

/// The cookie's path: the issuer's, so each workspace has its own session.
fn path(issuer: &str) -> String {
    url::Url::parse(issuer)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| "/".into())
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn the_cookie_is_scoped_to_the_workspace() {
        assert_eq!(path("https://id.example/acme/shop"), "/acme/shop");
        assert_eq!(path("not a url"), "/");
    }
}
