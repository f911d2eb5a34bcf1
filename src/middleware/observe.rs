//! The outermost layer: gives every request an id (`X-Request-Id`, taken from a trusted proxy or
//! made here, and echoed in the answer), writes the access log line and counts the request for
//! the metrics. Both name the route's template (`/api/auth/reset-password/{token}`), never the
//! path or query a client sent, so no token reaches a log or a label.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::auth::client_ip;
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The access log's target: `RUST_LOG=gatehouse::access=off` silences it alone.
pub const ACCESS_TARGET: &str = "gatehouse::access";
/// The longest request id taken from a proxy.
const MAX_ID_LEN: usize = 128;

/// A proxy's request id, if it is one a log line and a header can carry as they are.
fn acceptable_id(value: &HeaderValue) -> Option<&str> {
    let id = value.to_str().ok()?;
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@~".contains(&b));
    valid.then_some(id)
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let trusted = state
        .as_ref()
        .map_or(&[][..], |state| &state.config.trusted_proxies[..]);
    let peer_is_trusted = req
        .peer_addr()
        .is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer.ip())));
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|_| peer_is_trusted)
        .and_then(acceptable_id)
        .map_or_else(crate::ids::random_id, str::to_owned);
    let metrics_on = crate::metrics::handle().is_some();
    let logging = log::log_enabled!(target: ACCESS_TARGET, log::Level::Info);
    // Read before the call: the request must not be cloned while the router works on it.
    let seen = (metrics_on || logging).then(|| Seen {
        route: req
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned()),
        method: match req.method().as_str() {
            "GET" => "GET",
            "HEAD" => "HEAD",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "OPTIONS" => "OPTIONS",
            _ => "other",
        },
        client: client_ip::of_request(req.request(), trusted)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
    });

    let result = next.call(req).await;
    let status = match &result {
        Ok(response) => response.status(),
        // An error that escaped every handler (a panic caught below us): actix renders it.
        Err(error) => error.as_response_error().status_code(),
    };
    if let Some(seen) = seen {
        seen.record(&id, status.as_u16(), started.elapsed(), logging);
    }
    let mut response = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    // Draining before a stop: the client opens its next request on a new connection, which
    // the load balancer gives to another instance once this one's readiness has failed.
    if state.is_some_and(|state| state.is_draining()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// What the log line and the metrics say of a request, read before it is handled.
struct Seen {
    route: String,
    method: &'static str,
    client: String,
}

impl Seen {
    fn record(&self, id: &str, status: u16, elapsed: std::time::Duration, logging: bool) {
        let Self {
            route,
            method,
            client,
        } = self;
        crate::metrics::request(route, method, status, elapsed);
        if logging {
            let latency_ms = (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0;
            log::info!(
                target: ACCESS_TARGET,
                request_id = id,
                method = *method,
                route = route.as_str(),
                status,
                latency_ms,
                client = client.as_str();
                "request"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_id_is_taken_only_when_it_is_short_and_plain() {
        for good in ["abc", "0f8e-11aa", "req:1/2+3=4@x~_.", &"a".repeat(128)] {
            let value = HeaderValue::from_str(good).unwrap();
            assert_eq!(acceptable_id(&value), Some(good), "{good}");
        }
        for bad in [
            "",
            "has space",
            "quote\"",
            "new\\line",
            "ünï",
            &"a".repeat(129),
        ] {
            if let Ok(value) = HeaderValue::from_str(bad) {
                assert_eq!(acceptable_id(&value), None, "{bad}");
            }
        }
    }
}
