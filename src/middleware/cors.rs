//! CORS for `/api/auth`: trusted origins get their exact origin echoed with
//! credentials and the session headers exposed; preflights get 204 with the allowed methods,
//! headers and a ten-minute max age; untrusted origins get no CORS headers at all (a preflight
//! is still 204). Every response carries `Vary: Origin`.
//!
//! This is a small middleware rather than actix-cors: actix-cors 0.7 answers untrusted preflights
//! with 400 and trusted ones with 200, and adds `Access-Control-Allow-Credentials` and
//! `Access-Control-Expose-Headers` for any origin, none of which gatehouse wants (README, Decisions).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::session::cookie::EXPOSED_HEADERS;
use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const ALLOWED_HEADERS: &str = "content-type, authorization";
const MAX_AGE_SECS: &str = "600";

/// The request's `Origin`, when it is trusted.
fn trusted_origin(req: &ServiceRequest) -> Option<HeaderValue> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let origin = req.headers().get(header::ORIGIN)?;
    state
        .config
        .trusted_origins
        .is_trusted_origin(origin.to_str().ok()?)
        .then(|| origin.clone())
}

fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        && req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|state| state.known_paths.allow(req.path()).is_some())
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let origin = trusted_origin(&req);
    if is_preflight(&req) {
        let mut response = HttpResponse::NoContent();
        if let Some(origin) = origin {
            response
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                .insert_header((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECS));
        }
        response.insert_header((header::VARY, "Origin"));
        return Ok(req.into_response(response.finish()).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    Ok(response.map_into_left_body())
}
