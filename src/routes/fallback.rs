//! What no route matched: 404 for unknown paths; for known paths, 405 with `Allow` and the CORS
//! preflight for `OPTIONS`.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(allow) = state.known_paths.allow(req.path()) else {
        return ApiError::NotFound.to_response();
    };
    if req.method() == Method::OPTIONS {
        return HttpResponse::NoContent().finish();
    }
    if req.method() == Method::POST && req.path() == "/api/auth/get-session" {
        return ApiError::DeferSessionRequired.to_response();
    }
    ApiError::MethodNotAllowed {
        allow: allow.to_owned(),
    }
    .to_response()
}
