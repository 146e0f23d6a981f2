//! `OAuthError`: RFC 6749 §5.2 / RFC 6750 §3 error responses as JSON, never cached.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ErrorKind;
use crate::tokens::TokenError;

#[derive(Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    /// `WWW-Authenticate` value (401 from basic client auth, RFC 6750 bearer errors).
    pub challenge: Option<String>,
    /// A fresh server nonce for the client's next DPoP proof (`DPoP-Nonce`, RFC 9449 §8).
    pub dpop_nonce: Option<String>,
    /// The polling interval a `slow_down` raised (RFC 8628 §3.5), so the device need not count itself.
    pub interval: Option<i64>,
}

impl OAuthError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        description: impl Into<String>,
    ) -> OAuthError {
        OAuthError {
            status,
            code,
            description: description.into(),
            challenge: None,
            dpop_nonce: None,
            interval: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub fn not_found() -> OAuthError {
        OAuthError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such tenant or workspace",
        )
    }

    /// An RFC 6750 error for a bearer-token request.
    pub fn bearer(
        status: StatusCode,
        code: &'static str,
        description: impl Into<String>,
    ) -> OAuthError {
        let description = description.into();
        let challenge = format!(
            "Bearer error=\"{code}\", error_description=\"{}\"",
            description.replace('"', "'")
        );
        OAuthError {
            status,
            code,
            description,
            challenge: Some(challenge),
            dpop_nonce: None,
            interval: None,
        }
    }

    /// An RFC 9449 §7.1 error for a request with a DPoP-bound access token (`WWW-Authenticate: DPoP …`).
    pub fn dpop(
        status: StatusCode,
        code: &'static str,
        description: impl Into<String>,
    ) -> OAuthError {
        let mut e = OAuthError::bearer(status, code, description);
        e.challenge = e.challenge.map(|c| {
            let algs = crate::tokens::dpop::SIGNING_ALGS.join(" ");
            format!("DPoP{}, algs=\"{algs}\"", &c["Bearer".len()..])
        });
        e
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_client_error() {
            // The client's mistake, not ours: INFO, enough to diagnose an integration, never ERROR (which is
            // for failures on our side, logged where they become `server_error`). Debug-formatted, because
            // descriptions quote what the client sent and a line break must not forge a log line.
            tracing::info!(
                status = self.status.as_u16(),
                error = self.code,
                description = ?self.description,
                "OAuth request refused"
            );
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header((CACHE_CONTROL, "no-store"))
            .insert_header((PRAGMA, "no-cache"));
        if let Some(challenge) = &self.challenge {
            res.insert_header((WWW_AUTHENTICATE, challenge.as_str()));
        }
        if let Some(nonce) = &self.dpop_nonce {
            res.insert_header(("DPoP-Nonce", nonce.as_str()));
        }
        let mut body =
            serde_json::json!({"error": self.code, "error_description": self.description});
        if let Some(interval) = self.interval {
            body["interval"] = interval.into();
        }
        res.json(body)
    }
}

impl From<TokenError> for OAuthError {
    fn from(e: TokenError) -> Self {
        let status = match e.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "OAuth request failed");
            return OAuthError::new(status, "server_error", "internal error; see the server log");
        }
        // A store failure's text is the driver's (SQL, the database's host and port): the log gets it.
        if let TokenError::Store(cause) = &e {
            tracing::warn!(error = %cause, "OAuth request: the database is unavailable");
            let description = "the service is temporarily unavailable; try again shortly";
            return OAuthError::new(status, "temporarily_unavailable", description);
        }
        let mut err = OAuthError::new(status, e.code(), e.to_string());
        if matches!(e, TokenError::InvalidClient(_)) {
            err.challenge = Some("Basic realm=\"tarn\"".into());
        }
        if let TokenError::UseDpopNonce { nonce } = e {
            err.dpop_nonce = Some(nonce);
        } else if let TokenError::SlowDown { interval } = e {
            err.interval = Some(interval);
        }
        err
    }
}

/// Form bodies that cannot be read are `invalid_request`.
pub fn form_error(
    err: actix_web::error::UrlencodedError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    OAuthError::invalid_request(format!("invalid form body: {err}")).into()
}

/// Query strings that cannot be read are `invalid_request`.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    OAuthError::invalid_request(format!("invalid query string: {err}")).into()
}

/// `res` with a request body the endpoint could not read (too large, cut off) answered as OAuth JSON
/// (`invalid_request`, with the body error's status, e.g. 413) instead of actix's plain text.
pub fn as_json(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let Some(e) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PayloadError>())
    else {
        return res;
    };
    let error = OAuthError::new(
        e.status_code(),
        "invalid_request",
        format!("the request body cannot be read: {e}"),
    );
    let response = error.error_response();
    res.into_response(response)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::Level;
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    use super::*;

    /// Collects the level of every event.
    #[derive(Clone, Default)]
    struct Levels(Arc<Mutex<Vec<Level>>>);

    impl<S: tracing::Subscriber> Layer<S> for Levels {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            self.0.lock().unwrap().push(*event.metadata().level());
        }
    }

    fn levels_of(respond: impl FnOnce()) -> Vec<Level> {
        let levels = Levels::default();
        let subscriber = tracing_subscriber::registry().with(levels.clone());
        tracing::subscriber::with_default(subscriber, respond);
        levels.0.lock().unwrap().clone()
    }

    #[test]
    fn a_clients_mistake_is_logged_at_info_and_ours_at_error() {
        let refused = levels_of(|| {
            OAuthError::invalid_request("parameter `scope` is repeated").error_response();
            OAuthError::from(TokenError::InvalidClient("unknown client".into())).error_response();
        });
        assert_eq!(refused, [Level::INFO, Level::INFO]);
        let failed = levels_of(|| {
            OAuthError::from(TokenError::Internal("disk on fire".into())).error_response();
        });
        assert_eq!(failed, [Level::ERROR]);
    }
}
