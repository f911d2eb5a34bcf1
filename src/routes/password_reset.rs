//! Password reset by mail: `POST /api/auth/request-password-reset` mails a link,
//! `GET /api/auth/reset-password/{token}` (the link) leads to the app's page or the built-in one,
//! and `POST /api/auth/reset-password` sets the new password.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::Connection as _;

use crate::auth::rate_limit::SignInSubject;
use crate::auth::{account, origin};
use crate::db::models::VerificationRow;
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{
    RequestPasswordResetBody, RequestPasswordResetResponse, ResetPasswordBody, StatusTrueResponse,
};
use crate::error::{ApiError, ErrorBody, TokenEndpoint};
use crate::extract::{self, Accepts};
use crate::ids::{random_id, sha256_hex};
use crate::mail::Kind;
use crate::routes::{
    ErrorCodes, MailPostErrors, auth_base, enc, mailed, redirect, resolved_redirect,
};
use crate::session::{Revocation, WithRevocation};
use crate::state::AppState;

const RESET_ANSWER: &str =
    "If this email exists in our system, check your email for the reset link";

/// The codes request-password-reset answers with where a status carries several.
pub const REQUEST_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &["VALIDATION_ERROR", "BAD_REQUEST", "RESET_PASSWORD_DISABLED"],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "INVALID_REDIRECT_URL",
        ],
    ),
];
/// The codes reset-password answers with where a status carries several.
pub const RESET_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "INVALID_TOKEN",
            "PASSWORD_TOO_SHORT",
            "PASSWORD_TOO_LONG",
            "USER_NOT_FOUND",
        ],
    ),
    ("403", &["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"]),
];
/// The codes the link answers with where a status carries several.
pub const LINK_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR"]),
    ("403", &["INVALID_CALLBACK_URL"]),
];

/// Mail a password-reset link.
///
/// The answer is the same for every well-formed address, known or not, and comes no sooner than
/// 500 ms after the request: only a known address gets a link, valid for an hour and once. The
/// link leads to `redirectTo` with `?token=` (or `?error=INVALID_TOKEN`), or without
/// `redirectTo` to the built-in reset page. Three requests per minute per address and per client.
#[utoipa::path(
    operation_id = "requestPasswordReset",
    tag = "password reset",
    request_body(content = RequestPasswordResetBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Queued if the address is known; the same answer either way.", body = RequestPasswordResetResponse),
        (status = 400, description = "A malformed body, or no mail transport (`RESET_PASSWORD_DISABLED`).", body = ErrorBody),
        (status = 403, description = "An untrusted `redirectTo`, or a cookie-carrying request from an untrusted origin.", body = ErrorBody),
        (status = 429, description = "Three requests a minute for this address, or from this client.", body = ErrorBody),
        MailPostErrors,
    )
)]
#[post("/request-password-reset")]
pub async fn request_password_reset(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let arrived = Instant::now();
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let RequestPasswordResetBody { email, redirect_to } =
        extract::request_password_reset_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    if let Some(target) = &redirect_to
        && !origin::is_allowed_redirect(target, &state.config.trusted_origins)
    {
        return Err(ApiError::InvalidRedirectUrl);
    }
    if !state.mailer.is_enabled() {
        return Err(ApiError::ResetPasswordDisabled);
    }
    let now = state.clock.now();
    state
        .rate_limiter
        .count_mail_to(&state.db, &email, now)
        .await?;
    let lookup = email.clone();
    let user = state
        .db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?;
    if let Some(user) = user {
        let issued = mailed::issue(&state, Purpose::ResetPassword, &user, now).await?;
        let url = format!(
            "{}/reset-password/{}?callbackURL={}",
            auth_base(&state.config.base_url),
            issued.token,
            enc(redirect_to.as_deref().unwrap_or_default())
        );
        mailed::send(&state, Kind::ResetPassword, &user, url, &issued);
    }
    mailed::answer_floor(arrived).await;
    Ok(HttpResponse::Ok().json(RequestPasswordResetResponse {
        status: true,
        message: RESET_ANSWER.to_owned(),
    }))
}

#[derive(serde::Deserialize)]
pub struct LinkQuery {
    #[serde(rename = "callbackURL")]
    pub callback_url: Option<String>,
}

/// The mailed reset link.
///
/// Leads the browser on without using the token: to `callbackURL` with `token=` set, or with
/// `error=INVALID_TOKEN` for an unknown, expired or used token; with an empty `callbackURL`, to
/// the built-in reset page.
#[utoipa::path(
    operation_id = "resetPasswordCallback",
    tag = "password reset",
    params(
        ("token" = String, Path, description = "The mailed token."),
        ("callbackURL" = String, Query, description = "Where to send the browser: the request's `redirectTo`, or empty for the built-in page."),
    ),
    responses(
        (status = 302, description = "To the page that asks for the new password.",
            headers(("Location" = String, description = "The target with `token` or `error`."))),
        (status = 400, description = "No `callbackURL` (`VALIDATION_ERROR`).", body = ErrorBody),
        (status = 403, description = "An untrusted `callbackURL`.", body = ErrorBody),
        (status = 429, description = "Too many links opened from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[get("/reset-password/{token}")]
pub async fn reset_password_link(
    req: HttpRequest,
    token: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<LinkQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::Validation("[query] Invalid query".to_owned()))?
        .into_inner();
    let Some(callback) = query.callback_url else {
        return Err(ApiError::Validation(
            "[query.callbackURL] Invalid input: expected string, received undefined".to_owned(),
        ));
    };
    if !callback.is_empty()
        && !origin::is_allowed_redirect(&callback, &state.config.trusted_origins)
    {
        return Err(ApiError::InvalidCallbackUrl);
    }
    let token = token.into_inner();
    let valid = usable_reset_token(&state, &token, state.clock.now())
        .await?
        .is_some();
    let base = auth_base(&state.config.base_url);
    let (target, param) = if valid {
        ("token", token.as_str())
    } else {
        ("error", "INVALID_TOKEN")
    };
    let location = if callback.is_empty() {
        resolved_redirect(&base, "reset-password-page", &[(target, param)])?
    } else {
        resolved_redirect(&base, &callback, &[(target, param)])?
    };
    redirect(&location)
}

/// A reset token's row, if the token is unused, unexpired, made for a reset and its user's
/// address has not changed since.
pub async fn usable_reset_token(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<VerificationRow>, ApiError> {
    let hash = sha256_hex(token);
    let naive = now.naive_utc();
    state
        .db
        .run(move |conn| {
            let Some(row) = verifications::find_usable(conn, Purpose::ResetPassword, &hash, naive)?
            else {
                return Ok(None);
            };
            let Some(user_id) = row.user_id.as_deref() else {
                return Ok(None);
            };
            Ok(match users::find_by_id(conn, user_id)? {
                Some(user) if user.email != row.email => None,
                _ => Some(row),
            })
        })
        .await
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// Set a new password with a mailed token.
///
/// The token works once. In one transaction the password is set (or created, for a user who had
/// none), the user's other reset links stop working and, unless
/// `GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET=false`, every session of the user ends. Nobody
/// is signed in; a lock from failed sign-ins is lifted.
#[utoipa::path(
    operation_id = "resetPassword",
    tag = "password reset",
    request_body(content = ResetPasswordBody, content_type = "application/json"),
    params(("token" = Option<String>, Query, description = "The mailed token, when the body has none.")),
    responses(
        (status = 200, description = "The password is set.", body = StatusTrueResponse),
        (status = 400, description = "A malformed body, a password outside the rules, or no usable token.", body = ErrorBody),
        (status = 403, description = "A cookie-carrying request from an untrusted origin.", body = ErrorBody),
        (status = 408, description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB.", body = ErrorBody),
        (status = 415, description = "Not JSON.", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable; nothing changed.", body = ErrorBody),
    )
)]
#[post("/reset-password")]
pub async fn reset_password(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let ResetPasswordBody {
        new_password,
        token,
    } = extract::reset_password_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let token = token.or_else(|| {
        web::Query::<TokenQuery>::from_query(req.query_string())
            .ok()
            .and_then(|query| query.into_inner().token)
    });
    reset_with_token(&state, token.unwrap_or_default(), new_password.0).await?;
    Ok(HttpResponse::Ok().json(StatusTrueResponse { status: true }))
}

/// reset-password's work, shared with the built-in page, in the contract's order: token present,
/// password rules, token usable, user present, hash, then one transaction.
pub async fn reset_with_token(
    state: &AppState,
    token: String,
    new_password: String,
) -> Result<(), ApiError> {
    let invalid = ApiError::InvalidToken(TokenEndpoint::ResetPassword);
    if token.is_empty() {
        return Err(invalid);
    }
    account::check_new_password(&new_password)?;
    let now = state.clock.now();
    let Some(row) = usable_reset_token(state, &token, now).await? else {
        return Err(invalid);
    };
    let user_id = row.user_id.clone().unwrap_or_default();
    let lookup = user_id.clone();
    if state
        .db
        .run(move |conn| users::find_by_id(conn, &lookup))
        .await?
        .is_none()
    {
        return Err(ApiError::UserNotFound(TokenEndpoint::ResetPassword));
    }
    let hash = state.hasher.hash(new_password).await?;
    // Two uses racing: the second finds the token used and undoes its whole transaction.
    let lost_race = Arc::new(AtomicBool::new(false));
    let work: WithRevocation = {
        let (naive, token_id, owner, lost_race) =
            (now.naive_utc(), row.id, user_id.clone(), lost_race.clone());
        Box::new(move |conn| {
            if !verifications::mark_used(conn, &token_id, naive)? {
                lost_race.store(true, Ordering::SeqCst);
                return Err(diesel::result::Error::RollbackTransaction);
            }
            verifications::delete_for_user(conn, &owner, Purpose::ResetPassword)?;
            users::set_or_create_password(conn, &owner, &hash, random_id(), naive)
        })
    };
    let done = if state.config.revoke_sessions_on_password_reset {
        let everyone = Revocation::All { current: None };
        state
            .sessions
            .revoke_for_user_with(&state.db, &user_id, everyone, now, work)
            .await
            .map(drop)
    } else {
        state
            .db
            .run(move |conn| conn.transaction(|conn| work(conn)))
            .await
    };
    if lost_race.load(Ordering::SeqCst) {
        return Err(invalid);
    }
    done?;
    state
        .rate_limiter
        .record_sign_in(&state.db, &SignInSubject::Account(&user_id), true, now)
        .await
}
