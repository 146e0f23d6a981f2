//! `GET /healthz` (the process serves) and `GET /readyz` (the database answers within a short bound, migrations ran
//! before serving, and no shutdown has begun).

use actix_web::{HttpResponse, web};

use super::methods;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", methods::get().to(healthz))
        .route("/readyz", methods::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Well inside the 2 s a load balancer's check may allow.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(1500);

async fn readyz(app: web::Data<AppState>) -> HttpResponse {
    if app.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "reason": "shutting down"}));
    }
    if app.db.is_ready(READY_WITHIN).await {
        HttpResponse::Ok().json(serde_json::json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "reason": "database unreachable"}))
    }
}
