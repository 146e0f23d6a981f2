//! The askama structs of the pages the protocol endpoints show themselves (templates in `templates/pages/`).

use askama::Template;

#[derive(Template)]
#[template(path = "pages/logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    /// What the logout request asked for, carried through the confirmation.
    pub client_id: Option<&'a str>,
    pub post_logout_redirect_uri: Option<&'a str>,
    pub state: Option<&'a str>,
}
