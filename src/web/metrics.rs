//! `GET /metrics` (Prometheus text, or OpenMetrics when the `Accept` header asks for it) behind a bearer token (the
//! admin token, or `TARN_METRICS_TOKEN`), the same without authentication on `TARN_METRICS_LISTEN`, and the
//! middleware that counts every request by its matched route pattern (never its raw path).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, ServerHandle, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use actix_web::web::{self, Data};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};

use super::{auth_header, methods};
use crate::metrics::Metrics;
use crate::metrics::exposition;
use crate::metrics::labels::{HttpLabels, Method, StatusClass};
use crate::state::AppState;

pub const PATH: &str = "/metrics";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, methods::get().to(authenticated));
}

/// Counts one request: method, matched route pattern (`unmatched` when none matched) and status class, and its
/// duration until the response head is ready.
pub fn count_request<S, B>(
    metrics: &Arc<Metrics>,
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let (started, metrics) = (Instant::now(), metrics.clone());
    let method = Method::of(req.method().as_str());
    let answer = srv.call(req);
    async move {
        let res = answer.await;
        let (status, route) = match &res {
            Ok(res) => (
                res.status(),
                metrics.route(res.request().match_pattern().as_deref()),
            ),
            Err(e) => (e.as_response_error().status_code(), metrics.route(None)),
        };
        let labels = HttpLabels {
            method,
            route,
            status: StatusClass::of(status.as_u16()),
        };
        metrics.http_request(&labels, started.elapsed().as_secs_f64());
        res
    }
}

/// The metrics, for a bearer of the admin token or of the metrics token; otherwise 401.
async fn authenticated(req: HttpRequest, app: Data<AppState>) -> HttpResponse {
    let Some(token) = auth_header::bearer(&req) else {
        return unauthorized();
    };
    // Both compared, each in constant time, so the answer's timing does not tell which token was close.
    let admin = crate::secret::matches(token, &app.admin_token_hash);
    let metrics = app
        .config
        .metrics_token_hash
        .as_deref()
        .is_some_and(|hash| crate::secret::matches(token, hash));
    if !(admin | metrics) {
        return unauthorized();
    }
    exposed(&req, &app).await
}

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((WWW_AUTHENTICATE, "Bearer"))
        .json(serde_json::json!({"error": "unauthorized", "error_description": "a valid bearer token is required"}))
}

/// The exposition in the format the `Accept` header asks for, after reading the values known only at scrape time.
async fn exposed(req: &HttpRequest, app: &AppState) -> HttpResponse {
    read_at_scrape(app).await;
    let Ok(text) = exposition::openmetrics(app.metrics.registry()) else {
        tracing::error!("the metrics could not be encoded");
        return HttpResponse::InternalServerError().finish();
    };
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let (content_type, body) = match accept.is_some_and(exposition::wants_openmetrics) {
        true => (exposition::OPENMETRICS_CONTENT_TYPE, text),
        false => (
            exposition::PROMETHEUS_CONTENT_TYPE,
            exposition::prometheus_text(&text),
        ),
    };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .body(body)
}

/// The database pool's connections and the signing keys' ages, which nothing counts as it happens.
async fn read_at_scrape(app: &AppState) {
    let (in_use, idle) = app.db.connections();
    app.metrics.set_connections(in_use, idle);
    let now = app.clock.now();
    let ages = app
        .db
        .run(move |c| crate::tokens::keys::oldest_current_ages(c, now))
        .await;
    match ages {
        Ok(ages) => app.metrics.set_key_ages(&ages),
        Err(e) => tracing::warn!(error = %e, "signing key ages could not be read for the metrics"),
    }
}

async fn unauthenticated(req: HttpRequest, app: Data<AppState>) -> HttpResponse {
    exposed(&req, &app).await
}

/// The `TARN_METRICS_LISTEN` server, serving `/metrics` only and without authentication, on its own task.
pub struct MetricsListener {
    handle: ServerHandle,
    task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
}

impl MetricsListener {
    /// Stops it (after the main server stopped) and waits for it to end.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        // An error means the task already ended; either way nothing is left to wait for.
        let _ = self.task.await;
    }
}

/// Binds `at` and starts serving the metrics of `state` there.
pub fn listener(at: SocketAddr, state: AppState) -> std::io::Result<MetricsListener> {
    let workers = state.config.workers.unwrap_or(1);
    let server: Server = HttpServer::new(move || {
        App::new()
            .app_data(Data::new(state.clone()))
            .route(PATH, methods::get().to(unauthenticated))
    })
    .workers(workers)
    .disable_signals()
    .bind(at)?
    .run();
    let handle = server.handle();
    let task = actix_web::rt::spawn(server);
    Ok(MetricsListener { handle, task })
}
