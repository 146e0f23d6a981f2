//! Graceful shutdown: the signals that start a drain, and the middleware that stops keeping connections alive
//! once it began, so clients move to another instance before this one closes its listener.

use std::sync::atomic::Ordering;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::web::Data;

use crate::state::AppState;

/// Resolves at the first SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_requested() {
    let interrupt = std::pin::pin!(async {
        // Without a signal handler there is nothing to wait for; the other signal may still come.
        if actix_web::rt::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    let terminate = std::pin::pin!(terminated());
    futures_util::future::select(interrupt, terminate).await;
}

#[cfg(unix)]
async fn terminated() {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut signals) => {
            signals.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}

/// Whether the server `req` reached is draining; read before the request is handed on.
pub fn is_draining(req: &ServiceRequest) -> bool {
    req.app_data::<Data<AppState>>()
        .is_some_and(|app| app.draining.load(Ordering::Relaxed))
}

/// While draining, each response closes its connection, so no request is left waiting on a kept-alive connection
/// when the listener closes.
pub fn close_if<B>(draining: bool, mut res: ServiceResponse<B>) -> ServiceResponse<B> {
    if draining {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    res
}
