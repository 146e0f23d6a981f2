//! The askama structs of the hosted pages, one per template in `templates/pages/`.

use askama::Template;

#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub client_name: &'a str,
    pub identifier: &'a str,
    pub error: Option<&'a str>,
    pub offers_password: bool,
    pub offers_otp: bool,
    pub offers_passkey: bool,
    /// Where the passkey script gets its options and posts the credential.
    pub passkey_options: &'a str,
    pub passkey_finish: &'a str,
    /// The password-reset page for this request.
    pub reset: &'a str,
    /// The registration page, where a connected pool allows self-registration.
    pub register: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/code.html")]
pub struct CodePage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub back: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub challenge: &'a str,
    pub identifier: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/activate.html")]
pub struct ActivatePage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub identifier: &'a str,
    pub needs_password: bool,
    /// Whether the password form (or, without passwords, the plain "Activate account") is offered: not in a pool
    /// that signs in only with passkeys.
    pub offers_plain: bool,
    /// Where the passkey script gets its options and posts the credential, when the pool offers passkeys.
    pub passkey: Option<PasskeyUrls>,
    pub min_length: u32,
    pub max_length: u32,
    pub rules: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/reset_start.html")]
pub struct ResetStartPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub back: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub identifier: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/reset_confirm.html")]
pub struct ResetConfirmPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub back: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub challenge: &'a str,
    pub identifier: &'a str,
    pub error: Option<&'a str>,
}

/// A registration form field with the value entered so far.
pub struct FormField {
    pub name: String,
    pub label: String,
    pub input: &'static str,
    pub required: bool,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/register.html")]
pub struct RegisterPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub back: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub client_name: &'a str,
    pub identifier: &'a str,
    pub fields: Vec<FormField>,
    pub needs_password: bool,
    /// Whether the password may be left empty to create a passkey instead.
    pub password_optional: bool,
    pub rules: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/verify.html")]
pub struct VerifyPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub what: &'a str,
    pub identifier: &'a str,
}

#[derive(Template)]
#[template(path = "pages/passkey_suggest.html")]
pub struct PasskeySuggestPage<'a> {
    pub public_url: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    /// What the passkey would replace: "password" or "code".
    pub instead: &'a str,
    pub options: &'a str,
    pub finish: &'a str,
    pub continue_action: &'a str,
}

/// One passkey as the account page lists it.
pub struct PasskeyItem {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub rename: String,
    pub remove: String,
}

#[derive(Template)]
#[template(path = "pages/account.html")]
pub struct AccountPage<'a> {
    pub public_url: &'a str,
    pub csrf: &'a str,
    pub identifier: &'a str,
    pub passkeys: Vec<PasskeyItem>,
    pub offers_passkey: bool,
    pub options: &'a str,
    pub finish: &'a str,
    pub sign_out: &'a str,
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
    /// "Apps with access": the user's consents to this workspace's clients.
    pub apps: Vec<AppItem>,
}

/// An application the user consented to, on the account page.
pub struct AppItem {
    pub client_name: String,
    /// What it may see, in plain words.
    pub scopes: String,
    pub since: String,
    /// Where **Remove access** posts.
    pub remove: String,
}

/// The two URLs of a passkey ceremony page: its options (JSON) and where the credential is posted.
pub struct PasskeyUrls {
    pub options: String,
    pub finish: String,
}

#[derive(Template)]
#[template(path = "pages/register_passkey.html")]
pub struct RegisterPasskeyPage<'a> {
    pub public_url: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub registration: &'a str,
    pub client_name: &'a str,
    pub identifier: &'a str,
    pub passkey: PasskeyUrls,
    /// Where "Skip for now" posts, where the pool also signs in with codes.
    pub skip: Option<String>,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/device.html")]
pub struct DevicePage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub user_code: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "pages/device_approve.html")]
pub struct DeviceApprovePage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub device: &'a str,
    pub client_name: &'a str,
    /// Who is signed in (their email or mobile number), so a shared browser's user notices.
    pub user: &'a str,
    /// What the scopes allow, in plain words.
    pub scopes: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/consent.html")]
pub struct ConsentPage<'a> {
    pub public_url: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub request_id: &'a str,
    pub client_name: &'a str,
    pub logo_uri: Option<&'a str>,
    pub policy_uri: Option<&'a str>,
    pub tos_uri: Option<&'a str>,
    /// Who is signed in (their email or mobile number), so a shared browser's user notices.
    pub user: &'a str,
    /// What the scopes give, in plain words.
    pub scopes: Vec<String>,
}
