//! Why a token operation was refused, in the vocabulary of RFC 6749 §5.2 and RFC 6750 §3.1.

use crate::error::ErrorKind;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The grant (code, refresh token, credentials) is invalid, expired, revoked or issued to another client.
    #[error("{0}")]
    InvalidGrant(String),
    /// A refresh token presented again after it was rotated: a theft signal, and the family is now revoked.
    #[error("the refresh token was already used; its family is revoked")]
    RefreshReused,
    /// The client is not allowed to do this (e.g. revoke another client's token).
    #[error("{0}")]
    UnauthorizedClient(String),
    /// Client authentication failed (RFC 6749 §5.2: 401 with basic auth).
    #[error("{0}")]
    InvalidClient(String),
    /// The requested scope exceeds what may be granted.
    #[error("{0}")]
    InvalidScope(String),
    /// The request is malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// A request object (RFC 9101 §6.3) is malformed, encrypted, or its signature or claims do not pass.
    #[error("{0}")]
    InvalidRequestObject(String),
    /// A pushed `request_uri` (RFC 9126 §4) is unknown, expired, used, or another client's.
    #[error("{0}")]
    InvalidRequestUri(String),
    /// An access token is invalid, expired or revoked.
    #[error("{0}")]
    InvalidToken(String),
    /// A DPoP proof is missing, malformed, or does not match the request or the token (RFC 9449 §4.3).
    #[error("{0}")]
    InvalidDpopProof(String),
    /// The proof needs a nonce this server issued; the response carries a fresh one (RFC 9449 §8).
    #[error("the DPoP proof must carry the nonce this server provides")]
    UseDpopNonce { nonce: String },
    /// RFC 8628 §3.5: the user has not yet approved or denied the device's request.
    #[error("the user has not yet approved the request")]
    AuthorizationPending,
    /// RFC 8628 §3.5: the device polls too fast; it must wait `interval` seconds between polls from now on.
    #[error("polling too fast: wait {interval} seconds between requests")]
    SlowDown { interval: i64 },
    /// RFC 8628 §3.5: the user denied the device's request.
    #[error("the user denied the request")]
    AccessDenied,
    /// RFC 8628 §3.5: the device code expired before the user approved it.
    #[error("the device code has expired")]
    ExpiredToken,
    /// Our fault; the message is for the log.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TokenError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            TokenError::InvalidGrant(_)
            | TokenError::RefreshReused
            | TokenError::InvalidRequest(_)
            | TokenError::InvalidRequestObject(_)
            | TokenError::InvalidRequestUri(_)
            | TokenError::InvalidScope(_)
            | TokenError::UnauthorizedClient(_)
            | TokenError::InvalidDpopProof(_)
            | TokenError::UseDpopNonce { .. }
            | TokenError::AuthorizationPending
            | TokenError::SlowDown { .. }
            | TokenError::AccessDenied
            | TokenError::ExpiredToken => ErrorKind::Invalid,
            TokenError::InvalidToken(_) | TokenError::InvalidClient(_) => {
                ErrorKind::Unauthenticated
            }
            TokenError::Internal(_) => ErrorKind::Internal,
            TokenError::Store(e) => e.kind(),
        }
    }
}

impl TokenError {
    /// The RFC 6749 §5.2 / RFC 6750 §3.1 error code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidGrant(_) | TokenError::RefreshReused => "invalid_grant",
            TokenError::UnauthorizedClient(_) => "unauthorized_client",
            TokenError::InvalidClient(_) => "invalid_client",
            TokenError::InvalidScope(_) => "invalid_scope",
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::InvalidRequestObject(_) => "invalid_request_object",
            TokenError::InvalidRequestUri(_) => "invalid_request_uri",
            TokenError::InvalidToken(_) => "invalid_token",
            TokenError::InvalidDpopProof(_) => "invalid_dpop_proof",
            TokenError::UseDpopNonce { .. } => "use_dpop_nonce",
            TokenError::AuthorizationPending => "authorization_pending",
            TokenError::SlowDown { .. } => "slow_down",
            TokenError::AccessDenied => "access_denied",
            TokenError::ExpiredToken => "expired_token",
            TokenError::Internal(_) | TokenError::Store(_) => "server_error",
        }
    }
}

impl From<crate::identity::Error> for TokenError {
    fn from(e: crate::identity::Error) -> Self {
        match e {
            crate::identity::Error::Store(s) => TokenError::Store(s),
            other => TokenError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for TokenError {
    fn from(e: diesel::result::Error) -> Self {
        TokenError::Store(StoreError::from(e))
    }
}
