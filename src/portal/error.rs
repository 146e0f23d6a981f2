//! `PortalError`: why a portal request gets a page other than the one asked for (a sign-in, a refusal, a missing
//! object). Handlers use `?`; [`as_portal_page`] renders the page with the application state, like the hosted
//! pages' errors.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::Data;
use actix_web::{HttpResponse, ResponseError};

use super::layout::{Layout, MessagePage};
use crate::error::ErrorKind;
use crate::state::AppState;
use crate::web::csrf::{CsrfRejected, FormRejected};

/// Why the portal answers with another page.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// No live portal session: sign in, then come back to `return_to`.
    #[error("not signed in to the portal")]
    SignInRequired { return_to: String },
    /// Signed in, but neither an administrator nor an auditor.
    #[error("not an administrator or auditor")]
    NotAnAdministrator,
    /// An auditor tried to change something.
    #[error("auditors may not change anything")]
    ReadOnly,
    /// An unsafe request from another site (`Sec-Fetch-Site` or `Origin`).
    #[error("cross-site request refused")]
    CrossSite,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input a page could not show at its field (a malformed link, say).
    #[error("{0}")]
    Invalid(String),
    /// A change refused by a rule (the message says which).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Form(#[from] FormRejected),
    #[error("the server is busy")]
    Busy,
    /// A message the action depends on was not delivered, so the domain undid the action (its words say what).
    #[error("{0}")]
    NotSent(String),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl PortalError {
    pub fn internal(e: impl Into<anyhow::Error>) -> PortalError {
        PortalError::Internal(e.into())
    }

    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            PortalError::SignInRequired { .. } => ("Sign in", "Please sign in.".into()),
            PortalError::NotAnAdministrator => (
                "No access to the portal",
                "You are signed in, but you are not a member of the groups administrators or auditors of the \
                 Administrators pool. Ask an administrator to add you."
                    .into(),
            ),
            PortalError::ReadOnly => (
                "Auditors cannot make changes",
                "You are an auditor: you can look at every page, but nothing can be changed with your account."
                    .into(),
            ),
            PortalError::CrossSite => (
                "Request refused",
                "This request came from another site, so it was refused. Submit the form from the portal itself."
                    .into(),
            ),
            PortalError::NotFound(what) => ("Not found", format!("There is no such {what}.")),
            PortalError::Invalid(message) => ("This cannot be done", message.clone()),
            PortalError::Conflict(message) => ("This cannot be done", message.clone()),
            PortalError::Form(FormRejected::Forged) => (
                "The form has expired",
                "The form has expired. Go back, reload the page and submit it again.".into(),
            ),
            PortalError::Form(FormRejected::Unreadable) => {
                ("The form could not be read", "The form could not be read.".into())
            }
            PortalError::Busy => ("Busy", "The server is busy. Please try again in a moment.".into()),
            PortalError::NotSent(what) => (
                "The message could not be sent",
                format!(
                    "{}. The mail or SMS service did not take it: try again later, or check the delivery \
                     settings (the server log says why).",
                    capitalised(what)
                ),
            ),
            PortalError::Internal(_) => (
                crate::web::html::FAILURE_TITLE,
                "Please try again in a moment.".into(),
            ),
        }
    }

    fn render(&self, req: &actix_web::HttpRequest, app: &AppState) -> HttpResponse {
        if let PortalError::SignInRequired { return_to } = self {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", return_to)
                .finish();
            let location = format!("{}/admin/-/sign-in?{query}", app.config.public_url());
            return HttpResponse::SeeOther()
                .insert_header((LOCATION, location))
                .finish();
        }
        if let PortalError::Internal(cause) = self {
            tracing::error!(error = %cause, "a portal page could not be served");
        }
        let (title, message) = self.title_and_message();
        // The refusals of a signed-in user keep their Sign out button.
        let signed_in = matches!(
            self,
            PortalError::NotAnAdministrator | PortalError::ReadOnly
        );
        let (layout, cookies) = Layout::bare(req, app, signed_in);
        let page = MessagePage {
            layout,
            title,
            message: &message,
            is_error: true,
        };
        super::layout::respond(self.status_code(), &page, cookies)
    }
}

impl ResponseError for PortalError {
    fn status_code(&self) -> StatusCode {
        match self {
            PortalError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            PortalError::NotAnAdministrator | PortalError::ReadOnly | PortalError::CrossSite => {
                StatusCode::FORBIDDEN
            }
            PortalError::NotFound(_) => StatusCode::NOT_FOUND,
            PortalError::Invalid(_) => StatusCode::BAD_REQUEST,
            PortalError::Conflict(_) => StatusCode::CONFLICT,
            PortalError::Form(_) => StatusCode::BAD_REQUEST,
            PortalError::Busy | PortalError::NotSent(_) => StatusCode::SERVICE_UNAVAILABLE,
            PortalError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::new(self.status_code())
    }
}

/// Renders a portal error (or a refused form) found on a response as its portal page.
pub fn as_portal_page(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let Some(error) = res.response().error() else {
        return res;
    };
    let Some(app) = res.request().app_data::<Data<AppState>>().cloned() else {
        return res;
    };
    if let Some(e) = error.as_error::<PortalError>() {
        let page = e.render(res.request(), &app);
        return res.into_response(page);
    }
    if let Some(rejected) = error.as_error::<FormRejected>() {
        let page = PortalError::Form(*rejected).render(res.request(), &app);
        return res.into_response(page);
    }
    res
}

/// `text` with its first letter in upper case (the domain's messages are lower-case clauses).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl<T> From<CsrfRejected<T>> for PortalError {
    fn from(rejected: CsrfRejected<T>) -> Self {
        PortalError::Form(rejected.into())
    }
}

impl From<crate::identity::Error> for PortalError {
    fn from(e: crate::identity::Error) -> Self {
        match e {
            crate::identity::Error::NotFound(what) => PortalError::NotFound(what),
            crate::identity::Error::Conflict(message) => PortalError::Conflict(message),
            crate::identity::Error::Invalid { message, .. } => PortalError::Invalid(message),
            crate::identity::Error::InvitationNotSent(ref cause)
            | crate::identity::Error::MessageNotSent(ref cause) => {
                tracing::warn!(error = %cause, "portal: a message was not delivered");
                PortalError::NotSent(e.to_string())
            }
            e => match e.kind() {
                ErrorKind::Overloaded => PortalError::Busy,
                _ => PortalError::internal(e),
            },
        }
    }
}

impl From<crate::authn::portal::sign_in::SignInError> for PortalError {
    fn from(e: crate::authn::portal::sign_in::SignInError) -> Self {
        PortalError::internal(e)
    }
}

impl From<crate::tokens::error::TokenError> for PortalError {
    fn from(e: crate::tokens::error::TokenError) -> Self {
        match e.kind() {
            ErrorKind::Overloaded => PortalError::Busy,
            _ => PortalError::internal(e),
        }
    }
}

impl From<crate::notify::NotifyError> for PortalError {
    fn from(e: crate::notify::NotifyError) -> Self {
        match e {
            crate::notify::NotifyError::UnknownTenant => PortalError::NotFound("tenant"),
            e => PortalError::internal(e),
        }
    }
}
