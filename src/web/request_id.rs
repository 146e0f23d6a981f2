//! Request ids and the access log: every request runs inside a `request` span carrying its `request_id` (so every
//! log line it causes names it), every response carries `X-Request-Id`, and one access line is logged per request.
//! The caller's `X-Request-Id` is kept when it is sane (1–128 visible ASCII characters), else one is generated.

use std::future::Future;
use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use super::access_log;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being answered, in the request's extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// The caller's id when it is sane, else a new random one.
    pub fn of(given: Option<&HeaderValue>) -> RequestId {
        let sane = given
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_sane(v))
            .map(str::to_owned);
        RequestId(sane.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()))
    }
}

/// 1 to 128 visible ASCII characters: safe to echo in a header and to write into a log line.
fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Runs the request in its span, logs its access line and sets `X-Request-Id` on the response.
///
/// Handlers' and extractors' errors reach this layer as responses already (actix renders them at the resource), so
/// every answer passes here. An `Err` could only come from a middleware below, and none of ours returns one; it
/// is passed on unchanged because the request cannot be held here to build a response (a clone of it would stop
/// the router from recording the matched path).
pub fn traced<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let id = RequestId::of(req.headers().get(HEADER));
    let span = tracing::info_span!("request", request_id = %id.0);
    let header = HeaderValue::from_str(&id.0).ok();
    req.extensions_mut().insert(id);
    let (started, method) = (Instant::now(), req.method().clone());
    let path = access_log::loggable(req.path());
    let answer = span.in_scope(|| srv.call(req));
    async move {
        let mut res = answer.await?;
        if let Some(header) = header {
            res.headers_mut().insert(HEADER, header);
        }
        if let Some(path) = path {
            let status = res.status().as_u16();
            let ms = started.elapsed().as_millis() as u64;
            tracing::info!(target: "tarn::access", %method, path, status, ms, "{method} {path} {status} {ms}ms");
        }
        Ok(res)
    }
    .instrument(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_id_is_kept_and_others_are_replaced() {
        let kept = RequestId::of(Some(&HeaderValue::from_static("abc-123_X.y")));
        assert_eq!(kept.0, "abc-123_X.y");
        for insane in ["", "with space", &"x".repeat(129)] {
            let value = HeaderValue::from_str(insane).unwrap();
            let replaced = RequestId::of(Some(&value));
            assert_ne!(replaced.0, insane);
            assert_eq!(replaced.0.len(), 32);
        }
        let latin1 = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert_eq!(RequestId::of(Some(&latin1)).0.len(), 32);
        assert_eq!(RequestId::of(None).0.len(), 32);
    }
}
