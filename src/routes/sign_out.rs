//! `POST /api/auth/sign-out`.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::auth::origin;
use crate::dto::SuccessResponse;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts};
use crate::routes::{BODY_CODES, ErrorCodes, expire_session_cookies};
use crate::state::AppState;

/// The codes sign-out answers with where a status carries several.
pub const ERROR_CODES: ErrorCodes = &[
    ("400", BODY_CODES),
    ("403", &["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"]),
];

/// End every session the request presents.
///
/// Both the bearer token's and the cookie's, when a request carries both. Always 200 `{"success":true}` with any session or none, so callers learn nothing about the
/// session; the cookies are always expired. Only the cookie CSRF rule (403) and an unreachable
/// database (503, nothing revoked) answer otherwise.
#[utoipa::path(
    operation_id = "signOut",
    tag = "auth",
    request_body(content((Object = "application/json")), description = "Optional and ignored; the Better Auth client sends `{}`."),
    responses(
        (status = 200, description = "Signed out (or there was nothing to sign out).", body = SuccessResponse,
            headers(("Set-Cookie" = String, description = "Expires the session cookies."))),
        (status = 400, description = "A body that is not a JSON object.", body = ErrorBody),
        (status = 403, description = "A cookie-carrying request from an untrusted or missing origin.", body = ErrorBody),
        (status = 408, description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB.", body = ErrorBody),
        (status = 415, description = "Unsupported content type.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing was revoked.", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("cookie" = []))
)]
#[post("/sign-out")]
pub async fn sign_out(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    extract::optional_object(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;

    let presented = state.cookies.presented(&req);
    state
        .sessions
        .end_presented(&state.db, &presented, state.clock.now())
        .await?;

    let mut response = HttpResponse::Ok();
    expire_session_cookies(&mut response, &state)?;
    Ok(response.json(SuccessResponse { success: true }))
}
