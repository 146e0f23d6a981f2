//! The askama structs of the pages the protocol endpoints show themselves (templates in `templates/pages/`).

use askama::Template;

#[derive(Template)]
#[template(path = "pages/logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
}
