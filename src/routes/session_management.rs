//! A user's view of their sessions: `GET /api/auth/list-sessions`, `POST /revoke-session`,
//! `/revoke-sessions` and `/revoke-other-sessions`. Both strategies list and revoke alike: the
//! jwt strategy keeps a registry row per session, and revoking one deny-lists it everywhere.

use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, post, web};

use crate::auth::origin;
use crate::dto::{RevokeSessionBody, Session, StatusTrueResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts};
use crate::routes::{
    BODY_CODES, ErrorCodes, SignedInPostErrors, expire_session_cookies, is_fresh, signed_in,
};
use crate::session::{ActiveSession, Revocation};
use crate::state::AppState;

/// The codes list-sessions answers with where a status carries several.
pub const LIST_ERROR_CODES: ErrorCodes = &[("403", &["SESSION_NOT_FRESH"])];

/// The codes the revoke endpoints answer with where a status carries several.
pub const REVOKE_ERROR_CODES: ErrorCodes = &[
    ("400", BODY_CODES),
    ("403", &["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"]),
];

/// List the signed-in user's sessions.
///
/// Every session of the user still in force, the current one included, oldest first. Each
/// item's `token` is the session's `id`: a handle to give revoke-session, never a credential (a
/// list must not hand out a bearer token for every device). Needs a fresh session: one signed
/// in less than `GATEHOUSE_FRESH_AGE` ago.
#[utoipa::path(
    operation_id = "listSessions",
    tag = "sessions",
    responses(
        (status = 200, description = "The user's sessions, oldest first.", body = Vec<Session>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, description = "No valid session.", body = ErrorBody),
        (status = 403, description = "The session's sign-in is older than GATEHOUSE_FRESH_AGE (`SESSION_NOT_FRESH`).", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/list-sessions")]
pub async fn list_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let (mut response, active) = signed_in(&req, &state).await?;
    if !is_fresh(&state, &active, now) {
        return Err(ApiError::SessionNotFresh);
    }
    let sessions = state.sessions.list(&state.db, &active.user.id, now).await?;
    Ok(response.json(sessions))
}

/// For the endpoints whose body is ignored: reads it (an object, if any), applies the cookie
/// CSRF rule and finds the caller's session.
async fn revoking(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<(HttpResponseBuilder, ActiveSession), ApiError> {
    let body = extract::read_body(req, payload, Accepts::Json, state.request_timeout()).await?;
    extract::optional_object(body.as_ref())?;
    origin::check_cookie_csrf(req, &state.config.trusted_origins)?;
    signed_in(req, state).await
}

/// Sign out one of the user's sessions.
///
/// `token` names the session: a list item's `token` (the session's id), or one of its tokens in
/// any form a bearer header takes. Only the caller's own sessions are ended; an unknown or
/// another user's session also gets 200, so nothing is learnt about it. Naming the current
/// session expires the session cookies.
#[utoipa::path(
    operation_id = "revokeSession",
    tag = "sessions",
    request_body(content = RevokeSessionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Done (or there was no such session of the user's).", body = StatusTrueResponse,
            headers(("Set-Cookie" = String, description = "Expires the session cookies when the current session was named."))),
        (status = 400, description = "A body without a string `token`.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing was revoked.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/revoke-session")]
pub async fn revoke_session(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let named = extract::revoke_session_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (mut response, active) = signed_in(&req, &state).await?;

    // A signed value is read as the bearer header would be; anything else may be an id.
    let named = state.cookies.read_bearer(&named).unwrap_or(named);
    let ended = state
        .sessions
        .revoke_for_user(
            &state.db,
            &active.user.id,
            Revocation::One(named),
            state.clock.now(),
        )
        .await?;
    if ended.contains(&active.session.id) {
        expire_session_cookies(&mut response, &state)?;
    }
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// Sign out every session of the user, this one included.
///
/// The body is ignored (the Better Auth client sends `{}`). The session cookies are expired. In
/// the jwt strategy every instance refuses the sessions' tokens within a second.
#[utoipa::path(
    operation_id = "revokeSessions",
    tag = "sessions",
    request_body(content((Object = "application/json")), description = "Optional and ignored."),
    responses(
        (status = 200, description = "Every session of the user ended.", body = StatusTrueResponse,
            headers(("Set-Cookie" = String, description = "Expires the session cookies."))),
        (status = 400, description = "A body that is not a JSON object.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing was revoked.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/revoke-sessions")]
pub async fn revoke_sessions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = revoking(&req, payload, &state).await?;
    let current = Some(active.session.id.clone());
    state
        .sessions
        .revoke_for_user(
            &state.db,
            &active.user.id,
            Revocation::All { current },
            state.clock.now(),
        )
        .await?;
    expire_session_cookies(&mut response, &state)?;
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// Sign out every other session of the user.
///
/// Every session but the one making the request. The body is ignored (the Better Auth client
/// sends `{}`).
#[utoipa::path(
    operation_id = "revokeOtherSessions",
    tag = "sessions",
    request_body(content((Object = "application/json")), description = "Optional and ignored."),
    responses(
        (status = 200, description = "Every other session of the user ended.", body = StatusTrueResponse),
        (status = 400, description = "A body that is not a JSON object.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing was revoked.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/revoke-other-sessions")]
pub async fn revoke_other_sessions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = revoking(&req, payload, &state).await?;
    state
        .sessions
        .revoke_for_user(
            &state.db,
            &active.user.id,
            Revocation::AllBut(active.session.id.clone()),
            state.clock.now(),
        )
        .await?;
    Ok(response.json(StatusTrueResponse { status: true }))
}
