//! `PageError`: why a hosted page could not do what was asked, and so which page the browser gets instead.
//! Handlers return `Result<HttpResponse, PageError>` and use `?`; the domain errors' "show a page" cases convert
//! here, in one place. Rendering needs the public URL (the pages link their stylesheet through it), which an error
//! does not have: [`as_page`] renders the page from the error on the response, with the application state.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpResponse, ResponseError};

use super::texts;
use crate::authn::code::CodeError;
use crate::authn::login::LoginError;
use crate::authn::passkey::PasskeyError;
use crate::authn::registration::RegistrationError;
use crate::authn::reset::ResetError;
use crate::error::ErrorKind;
use crate::state::AppState;
use crate::tokens::TokenError;
use crate::web::csrf::{CsrfRejected, FormRejected};
use crate::web::html;

/// Why a hosted page answers with a message page instead of what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("the sign-in request is unknown or expired")]
    RequestExpired,
    #[error("the registration is unknown, expired or finished")]
    RegistrationExpired,
    #[error("self-registration is not offered here")]
    RegistrationNotOffered,
    #[error("no SSO session at this workspace")]
    NotSignedIn,
    #[error("the invitation cannot be used")]
    InvitationUnusable,
    #[error("the verification link cannot be used")]
    LinkUnusable,
    #[error("the passkey was not added: {message}")]
    PasskeyNotAdded {
        message: &'static str,
        status: StatusCode,
        back: String,
    },
    #[error("the device code is unknown, expired or decided")]
    DeviceUnusable,
    /// The consent request is not this browser's: another user's or session's, or not waiting on consent.
    #[error("the consent request belongs to another sign-in")]
    ConsentNotYours,
    #[error("the server is busy")]
    Busy,
    /// A form refused by [`Csrf`](crate::web::csrf::Csrf): forged, or not a form at all.
    #[error(transparent)]
    Form(#[from] FormRejected),
    /// Our fault: logged, shown as "Something went wrong".
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl PageError {
    /// A failure on our side, from any error.
    pub fn internal(e: impl Into<anyhow::Error>) -> PageError {
        PageError::Internal(e.into())
    }

    fn render(&self, public_url: &str) -> HttpResponse {
        let status = self.status_code();
        let (title, message) = match self {
            PageError::RequestExpired => (texts::REQUEST_EXPIRED_TITLE, texts::REQUEST_EXPIRED),
            PageError::RegistrationExpired => (
                texts::REGISTRATION_EXPIRED_TITLE,
                texts::REGISTRATION_EXPIRED,
            ),
            PageError::RegistrationNotOffered => (
                texts::REGISTRATION_NOT_OFFERED_TITLE,
                texts::REGISTRATION_NOT_OFFERED,
            ),
            PageError::NotSignedIn => (texts::NOT_SIGNED_IN_TITLE, texts::NOT_SIGNED_IN),
            PageError::InvitationUnusable => {
                (texts::INVITATION_UNUSABLE_TITLE, texts::INVITATION_UNUSABLE)
            }
            PageError::LinkUnusable => (texts::LINK_UNUSABLE_TITLE, texts::LINK_UNUSABLE),
            PageError::PasskeyNotAdded { message, back, .. } => {
                let link = Some((back.as_str(), texts::BACK));
                let title = texts::PASSKEY_NOT_ADDED_TITLE;
                return html::message_page(public_url, status, title, message, link);
            }
            PageError::DeviceUnusable => (texts::DEVICE_UNUSABLE_TITLE, texts::DEVICE_UNUSABLE),
            PageError::ConsentNotYours => {
                (texts::CONSENT_NOT_YOURS_TITLE, texts::CONSENT_NOT_YOURS)
            }
            PageError::Busy => (html::UNAVAILABLE_TITLE, texts::BUSY),
            PageError::Form(FormRejected::Forged) => {
                (texts::FORM_EXPIRED_TITLE, texts::FORM_EXPIRED)
            }
            PageError::Form(FormRejected::Unreadable) => {
                (texts::FORM_UNREADABLE_TITLE, texts::FORM_UNREADABLE)
            }
            PageError::Internal(cause) => return html::failure(public_url, cause),
        };
        html::message(public_url, status, title, message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::RequestExpired | PageError::RegistrationExpired => StatusCode::BAD_REQUEST,
            PageError::RegistrationNotOffered => StatusCode::NOT_FOUND,
            PageError::NotSignedIn => StatusCode::UNAUTHORIZED,
            PageError::InvitationUnusable | PageError::LinkUnusable | PageError::DeviceUnusable => {
                StatusCode::GONE
            }
            PageError::PasskeyNotAdded { status, .. } => *status,
            PageError::ConsentNotYours => StatusCode::FORBIDDEN,
            PageError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Form(_) => StatusCode::BAD_REQUEST,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bare status: [`as_page`] replaces it with the rendered page.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::new(self.status_code())
    }
}

/// `res` with a hosted-page error (a [`PageError`], or a form [`Csrf`](crate::web::csrf::Csrf) refused) replaced
/// by its rendered page; any other response as it is. Runs on every response, so it only looks at the error.
pub fn as_page(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let Some(error) = res.response().error() else {
        return res;
    };
    let public_url = |res: &ServiceResponse<BoxBody>| {
        res.request()
            .app_data::<Data<AppState>>()
            .map(|app| app.config.public_url().to_owned())
            .unwrap_or_default()
    };
    if let Some(e) = error.as_error::<PageError>() {
        let page = e.render(&public_url(&res));
        return res.into_response(page);
    }
    if let Some(rejected) = error.as_error::<FormRejected>() {
        let page = PageError::Form(*rejected).render(&public_url(&res));
        return res.into_response(page);
    }
    res
}

impl<T> From<CsrfRejected<T>> for PageError {
    fn from(rejected: CsrfRejected<T>) -> Self {
        PageError::Form(rejected.into())
    }
}

impl From<TokenError> for PageError {
    /// A store failure arrives as a `TokenError` too (`TokenError::from`): the web never names the store.
    fn from(e: TokenError) -> Self {
        match e.kind() {
            ErrorKind::Overloaded => PageError::Busy,
            _ => PageError::internal(e),
        }
    }
}

impl From<crate::identity::Error> for PageError {
    fn from(e: crate::identity::Error) -> Self {
        match e {
            crate::identity::Error::Overloaded => PageError::Busy,
            crate::identity::Error::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}

impl From<CodeError> for PageError {
    /// Only the store failure is not the page's to word; the handlers word the rest.
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}

impl From<LoginError> for PageError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Overloaded => PageError::Busy,
            LoginError::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}

impl From<ResetError> for PageError {
    fn from(e: ResetError) -> Self {
        match e {
            ResetError::Overloaded => PageError::Busy,
            ResetError::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}

impl From<RegistrationError> for PageError {
    fn from(e: RegistrationError) -> Self {
        match e {
            RegistrationError::Overloaded => PageError::Busy,
            RegistrationError::NotAllowed => PageError::RegistrationNotOffered,
            RegistrationError::Expired => PageError::RegistrationExpired,
            RegistrationError::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}

impl From<PasskeyError> for PageError {
    fn from(e: PasskeyError) -> Self {
        match e {
            PasskeyError::Store(e) => TokenError::from(e).into(),
            e => PageError::internal(e),
        }
    }
}
