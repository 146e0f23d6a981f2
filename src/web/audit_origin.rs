//! The origin of a request as the audit trail records it: the client address (under `TARN_TRUSTED_PROXIES`),
//! the `User-Agent` (cut to a bounded length) and the request id. The web areas pair it with the actor they
//! authenticated to make an `audit::Context`.

use actix_web::http::header::USER_AGENT;
use actix_web::{HttpMessage, HttpRequest};

use super::request_id::RequestId;
use crate::audit::Origin;

/// How much of a `User-Agent` is kept: enough to tell browsers apart, not a place to store a novel.
const MAX_USER_AGENT: usize = 256;

/// The origin of `req`.
pub fn of(req: &HttpRequest) -> Origin {
    let user_agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
    Origin {
        ip: super::client_addr::of(req).map(|ip| ip.to_string()),
        user_agent,
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
    }
}
