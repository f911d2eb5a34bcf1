//! Operational endpoints outside `/api/auth`: liveness, readiness, and the metrics (on their own
//! listener).

use std::time::Duration;

use actix_web::{HttpResponse, get, web};

use crate::dto::StatusResponse;
use crate::error::ErrorBody;
use crate::state::AppState;

/// Liveness: the process serves HTTP. Never touches the database, so a database outage does not
/// get the process restarted.
#[utoipa::path(
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(StatusResponse {
        status: "ok".to_owned(),
        session_cache: None,
    })
}

/// Readiness: the database answers `SELECT 1` within one second and, in the jwt strategy, the
/// revocation list is current. In the database strategy with the session cache on, the answer
/// also says whether the cache is in use (`sessionCache`).
#[utoipa::path(
    operation_id = "readyz",
    tag = "operations",
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`, with `\"sessionCache\": \"on\"` or `\"bypassed\"` in the database strategy when the session cache is on", body = StatusResponse),
        (status = 503, description = "The database did not answer in time, or the service is draining before it stops (after SIGTERM, `GATEHOUSE_DRAIN_DELAY`).", body = ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.is_draining() {
        return HttpResponse::ServiceUnavailable().json(ErrorBody {
            message: "Shutting down".to_owned(),
            code: "SERVICE_UNAVAILABLE".to_owned(),
        });
    }
    let ready = match state.db.ping(Duration::from_secs(1)).await {
        Ok(()) => state.sessions.ready(&state.db, state.clock.now()).await,
        Err(error) => Err(error),
    };
    match ready {
        Ok(()) => HttpResponse::Ok().json(StatusResponse {
            status: "ok".to_owned(),
            session_cache: state
                .sessions
                .cache_live()
                .map(|live| (if live { "on" } else { "bypassed" }).to_owned()),
        }),
        Err(error) => {
            log::warn!("readiness check failed: {error:?}");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "1"))
                .json(ErrorBody {
                    message: "Database unavailable".to_owned(),
                    code: "SERVICE_UNAVAILABLE".to_owned(),
                })
        }
    }
}

/// Prometheus metrics, served only on `GATEHOUSE_METRICS_BIND` (never on the public listener, so
/// not in the OpenAPI document).
pub async fn metrics(
    state: web::Data<AppState>,
    handle: web::Data<metrics_exporter_prometheus::PrometheusHandle>,
) -> HttpResponse {
    let (db_in_use, db_idle, db_max) = state.db.pool_state();
    let mut gauges = crate::metrics::Gauges {
        db_in_use,
        db_idle,
        db_max,
        ..Default::default()
    };
    state.sessions.read_gauges(&mut gauges);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::metrics::render(&handle, &gauges))
}
