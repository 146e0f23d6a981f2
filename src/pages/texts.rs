//! Every sentence the hosted pages show a person, once. Pages and the portal use these constants, so a wording
//! is changed in one place and reviewed as one diff.

// Sign-in, shared by the sign-in, code, reset and registration pages.
pub const REQUEST_EXPIRED_TITLE: &str = "Sign-in link expired";
pub const REQUEST_EXPIRED: &str =
    "This sign-in request is unknown or has expired. Go back to the application and sign in again.";
pub const CHOOSE_OFFERED_METHOD: &str = "Choose one of the ways to sign in offered here.";
pub const WRONG_CREDENTIALS: &str = "Incorrect email, mobile number or password.";
pub const LOCKED: &str = "Too many failed attempts. Please wait a few minutes and try again.";
pub const BUSY: &str = "The service is busy. Please try again in a moment.";

// Forms.
pub const FORM_EXPIRED_TITLE: &str = "Form expired";
pub const FORM_EXPIRED: &str = "This form has expired. Please try again.";
pub const FORM_UNREADABLE_TITLE: &str = "Form not understood";
pub const FORM_UNREADABLE: &str =
    "The page sent something this address does not accept. Go back and try again.";

// Verification codes.
pub const CODE_THROTTLED: &str =
    "A code was sent moments ago. Please wait a little before asking for another.";
pub const CODE_WRONG: &str = "That code is not right. Check it and try again.";
pub const CODE_SPENT: &str = "This code can no longer be used. Ask for a new one.";
pub const REGISTRATION_CODE_SPENT: &str =
    "This code can no longer be used. Start again to get a new one.";

// Password reset.
pub const PASSWORD_CHANGED_TITLE: &str = "Your password was changed";
pub const PASSWORD_CHANGED: &str =
    "Every earlier sign-in has been ended. Sign in with your new password.";
pub const CONTINUE_TO_SIGN_IN: &str = "Continue to sign in";

// Registration.
pub const REGISTRATION_NOT_OFFERED_TITLE: &str = "Not available";
pub const REGISTRATION_NOT_OFFERED: &str =
    "This application does not offer creating an account here.";
pub const ACCOUNT_EXISTS: &str = "An account with this identifier already exists. Sign in instead.";
pub const REGISTRATION_EXPIRED_TITLE: &str = "Registration expired";
pub const REGISTRATION_EXPIRED: &str =
    "This registration has expired or was already finished. Start again to create your account.";
pub const PASSKEY_REQUIRED_TO_FINISH: &str =
    "Create a passkey to finish: this account has no other way to sign in.";

// Passkeys.
pub const PASSKEYS_NOT_OFFERED: &str =
    "Passkeys are not offered here. Choose another way to sign in.";
pub const PASSKEYS_NOT_OFFERED_FOR_ACCOUNT: &str = "Passkeys are not offered for this account.";
pub const PASSKEYS_UNAVAILABLE: &str = "Passkeys are not available on this server.";
pub const PASSKEYS_FAILING: &str =
    "Passkeys are unavailable at the moment. Please try again shortly.";
pub const PASSKEY_EXPIRED: &str = "The passkey request expired. Please try again.";
pub const PASSKEY_REFUSED: &str =
    "That passkey was not accepted. Try again, or choose another way.";
pub const PASSKEY_MALFORMED: &str =
    "The browser's passkey answer could not be read. Please try again.";
pub const PASSKEY_NOT_ADDED_TITLE: &str = "Passkey not added";
pub const PASSKEY_MISSING: &str = "That passkey does not exist (any more).";
pub const PASSKEY_ADDED: &str = "Passkey added.";
pub const PASSKEY_REMOVED: &str = "Passkey removed.";
pub const PASSKEY_RENAMED: &str = "Passkey renamed.";
pub const BACK: &str = "Back";

// The account page.
pub const NOT_SIGNED_IN_TITLE: &str = "Not signed in";
pub const NOT_SIGNED_IN: &str = "You are not signed in here. Sign in through one of the applications of this site, then come back to this page.";
pub const SIGNED_OUT: &str = "You are no longer signed in. Sign in again to manage your passkeys.";

// Invitations and verification links.
pub const INVITATION_UNUSABLE_TITLE: &str = "This invitation cannot be used";
pub const INVITATION_UNUSABLE: &str = "The link has expired, was already used, or was withdrawn. Ask your administrator for a new invitation.";
pub const INVITATION_NEEDS_PASSKEY: &str = "Create a passkey to activate your account.";
pub const ACCOUNT_READY_TITLE: &str = "Your account is ready";
pub const ACCOUNT_READY: &str = "You can now sign in to the application that invited you.";
pub const LINK_UNUSABLE_TITLE: &str = "This link cannot be used";
pub const LINK_UNUSABLE: &str = "It has expired or was already used. Ask for a new one.";
pub const CONFIRMED_TITLE: &str = "Confirmed";
pub const CONFIRMED: &str = "Thank you. You can close this window.";

// The device page (RFC 8628).
pub const DEVICE_CODE_WRONG: &str =
    "That code is not valid, or it has expired. Check the code shown on your device and try again.";
pub const DEVICE_CODE_LIMITED: &str =
    "Too many codes were tried. Please wait a few minutes and try again.";
pub const DEVICE_UNUSABLE_TITLE: &str = "Code no longer valid";
pub const DEVICE_UNUSABLE: &str = "This device code has expired or was already used. Start again on your device to get a new one.";
pub const DEVICE_APPROVED_TITLE: &str = "Device connected";
pub const DEVICE_APPROVED: &str = "You can return to your device.";
pub const DEVICE_DENIED_TITLE: &str = "Access denied";
pub const DEVICE_DENIED: &str = "The device was not given access. You can return to your device.";

// The consent page and the account page's apps.
pub const CONSENT_NOT_YOURS_TITLE: &str = "Not your request";
pub const CONSENT_NOT_YOURS: &str = "This request belongs to another sign-in. Go back to the application and sign in again in this browser.";
pub const ACCESS_REMOVED: &str = "Access removed.";
pub const APP_MISSING: &str = "That application has no access (any more).";

/// What a scope lets an application see or do, in plain words; `None` for a scope without a description.
pub fn scope_in_words(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => "Know who you are",
        "profile" => "See your name and profile",
        "email" => "See your email address",
        "phone" => "See your mobile number",
        "groups" => "See the groups you belong to",
        "offline_access" => "Stay signed in while you are not using it",
        _ => return None,
    })
}

/// What a scope gives an application, in the words of the consent page ("… wants access to:"); `None` for a
/// scope without a description (shown by name).
pub fn scope_on_consent(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => "Who you are",
        "profile" => "Your profile",
        "email" => "Your email address",
        "phone" => "Your phone number",
        "groups" => "Your groups",
        "offline_access" => "Stay signed in",
        _ => return None,
    })
}
