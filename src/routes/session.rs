//! Session reads: `GET /api/auth/get-session` (Better Auth shape), `GET /api/auth/session`
//! (Auth.js shape) and `GET /api/auth/ok`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, web};

use crate::dto::{AuthJsSession, AuthJsUser, OkResponse, SessionResponse};
use crate::error::{ApiError, ErrorBody, header_value};
use crate::routes::{expire_session_cookies, set_session_cookies};
use crate::session::{ActiveSession, Refresh, Renewal};
use crate::state::AppState;

/// The session a request presents, refreshed when due, and a response builder already carrying
/// the headers every session read sends: no caching, a re-sent cookie after a refresh, expired
/// cookies when a cookie named no session.
async fn read_session(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(HttpResponseBuilder, Option<ActiveSession>), ApiError> {
    let presented = state.cookies.presented(req);
    let disable_refresh = url::form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(name, value)| name == "disableRefresh" && value == "true");
    let refresh = if disable_refresh {
        Refresh::Never
    } else {
        Refresh::WhenDue
    };
    let active = state
        .sessions
        .current(&state.db, &presented, state.clock.now(), refresh)
        .await?;

    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    response.insert_header((header::PRAGMA, "no-cache"));
    match &active {
        Some(active) => {
            if let Renewal::Reissue(token) = &active.renewal {
                set_session_cookies(&mut response, req, state, token, true)?;
            }
            if let Some(jwt) = &active.jwt {
                response.insert_header(("set-auth-jwt", header_value(jwt)?));
            }
        }
        None if presented.cookie_sent => expire_session_cookies(&mut response, state)?,
        None => {}
    }
    Ok((response, active))
}

fn null(mut response: HttpResponseBuilder) -> HttpResponse {
    response.content_type("application/json").body("null")
}

/// Read the session of the presented cookie or bearer token.
///
/// 200 with the session and its user, or 200 with the body `null` when there is no valid
/// session: never 401. A session due for its sliding refresh is extended and its cookie re-sent
/// (unless `disableRefresh=true`).
#[utoipa::path(
    operation_id = "getSession",
    tag = "auth",
    params(
        ("disableCookieCache" = Option<String>, Query, description = "Accepted, whatever its value; gatehouse has no cookie cache."),
        ("disableRefresh" = Option<String>, Query, description = "`true` skips the sliding refresh; any other value is ignored, as Better Auth coerces it."),
    ),
    responses(
        (status = 200, description = "The session and its user, or `null` without a valid session.", body = Option<SessionResponse>,
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Set-Cookie" = String, description = "A refreshed session cookie, or expired cookies when the cookie named no session."),
                ("set-auth-token" = String, description = "After a refresh: the signed token."),
                ("set-auth-jwt" = String, description = "jwt strategy: the current JWT."),
            )),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("cookie" = []))
)]
#[get("/get-session")]
pub async fn get_session(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = read_session(&req, &state).await?;
    Ok(match active {
        Some(active) => response.json(SessionResponse {
            session: active.session,
            user: active.user,
        }),
        None => null(response),
    })
}

/// The session in Auth.js's shape, for apps migrating from it.
///
/// Reads the session exactly as get-session does, refresh and cache headers included.
#[utoipa::path(
    operation_id = "getAuthJsSession",
    tag = "compatibility",
    responses(
        (status = 200, description = "`{user: {name, email, image}, expires}`, or `null` without a valid session.", body = Option<AuthJsSession>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("cookie" = []))
)]
#[get("/session")]
pub async fn auth_js_session(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = read_session(&req, &state).await?;
    Ok(match active {
        Some(active) => response.json(AuthJsSession {
            user: AuthJsUser {
                name: active.user.name,
                email: active.user.email,
                image: active.user.image,
            },
            expires: active.session.expires_at,
        }),
        None => null(response),
    })
}

/// Liveness of the auth API, as Better Auth's `/ok`; touches no database.
#[utoipa::path(
    operation_id = "ok",
    tag = "auth",
    responses((status = 200, description = "Always `{\"ok\":true}`.", body = OkResponse))
)]
#[get("/ok")]
pub async fn ok() -> HttpResponse {
    HttpResponse::Ok().json(OkResponse { ok: true })
}
