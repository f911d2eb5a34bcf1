//! Email verification: `POST /api/auth/send-verification-email` mails a link, and
//! `GET /api/auth/verify-email` (the link) marks the address verified. Sign-up and sign-in mail
//! the same link through [`mail_verification`].

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::Connection as _;

use crate::auth::origin;
use crate::auth::rate_limit::Limit;
use crate::db::models::{UserRow, VerificationRow};
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{SendVerificationEmailBody, StatusTrueResponse, User, VerifyEmailResponse};
use crate::error::{ApiError, ErrorBody, TokenEndpoint};
use crate::extract::{self, Accepts};
use crate::ids::sha256_hex;
use crate::mail::Kind;
use crate::routes::change_email::mail_new_address_link;
use crate::routes::{
    ErrorCodes, MailPostErrors, as_given, auth_base, enc, mailed, maybe_signed_in, redirect,
    redirect_with, set_session_cookies, start_session,
};
use crate::session::ActiveSession;
use crate::state::AppState;
use serde_json::json;

/// The codes send-verification-email answers with where a status carries several.
pub const SEND_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "VERIFICATION_EMAIL_NOT_ENABLED",
            "EMAIL_MISMATCH",
            "EMAIL_ALREADY_VERIFIED",
        ],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "INVALID_CALLBACK_URL",
        ],
    ),
];
/// The codes verify-email answers with where a status carries several.
pub const VERIFY_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR"]),
    (
        "401",
        &[
            "INVALID_TOKEN",
            "TOKEN_EXPIRED",
            "USER_NOT_FOUND",
            "INVALID_USER",
        ],
    ),
    ("403", &["INVALID_CALLBACK_URL"]),
];

/// Unrequested verification mail (the resend on a refused sign-in) goes out at most this often
/// per user.
const SIGN_IN_RESEND: Limit = Limit {
    hits: 1,
    window: chrono::Duration::seconds(60),
};

/// Mails `user` a verification link; the link leads to `callback_url`, `/` by default, once used.
pub async fn mail_verification(
    state: &AppState,
    user: &UserRow,
    callback_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let issued = mailed::issue(state, Purpose::VerifyEmail, user, now).await?;
    let url = format!(
        "{}/verify-email?token={}&callbackURL={}",
        auth_base(&state.config.base_url),
        issued.token,
        enc(callback_url.unwrap_or("/"))
    );
    mailed::send(state, Kind::VerifyEmail, user, url, &issued);
    Ok(())
}

/// A sign-in refused because the address is unverified mails a fresh link, at most once a
/// minute per user, so a stranger retrying a sign-in cannot flood the mailbox.
pub async fn resend_on_sign_in(
    state: &AppState,
    user: &UserRow,
    callback_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let key = format!("mail:verify-resend:{}", user.id);
    match state
        .rate_limiter
        .count(&state.db, key, SIGN_IN_RESEND, now)
        .await
    {
        Ok(()) => mail_verification(state, user, callback_url, now).await,
        Err(ApiError::TooManyRequests { .. }) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Mail a verification link.
///
/// Without a session, an unverified user with this address is mailed and the answer is the same
/// for every address, no sooner than 500 ms. With one, the address must be the user's
/// (`EMAIL_MISMATCH`) and unverified (`EMAIL_ALREADY_VERIFIED`). The link works once, for 24
/// hours. Three requests per minute per address and per client.
#[utoipa::path(
    operation_id = "sendVerificationEmail",
    tag = "email verification",
    request_body(content = SendVerificationEmailBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Queued if the address is an unverified user's.", body = StatusTrueResponse),
        (status = 400, description = "A malformed body, no mail transport, or (with a session) another or an already verified address.", body = ErrorBody),
        (status = 403, description = "An untrusted `callbackURL`, or a cookie-carrying request from an untrusted origin.", body = ErrorBody),
        MailPostErrors,
    )
)]
#[post("/send-verification-email")]
pub async fn send_verification_email(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let arrived = Instant::now();
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let SendVerificationEmailBody {
        email,
        callback_url,
    } = extract::send_verification_email_body(body.as_ref())?;
    if !state.mailer.is_enabled() {
        return Err(ApiError::VerificationEmailNotEnabled);
    }
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    if let Some(callback) = &callback_url {
        origin::check_callback_url(callback, &state.config.trusted_origins)?;
    }
    let now = state.clock.now();
    let (mut response, active) = maybe_signed_in(&req, &state).await?;
    if let Some(active) = active {
        if active.user.email != email {
            return Err(ApiError::EmailMismatch);
        }
        if active.user.email_verified {
            return Err(ApiError::EmailAlreadyVerified);
        }
    }
    state
        .rate_limiter
        .count_mail_to(&state.db, &email, now)
        .await?;
    let user = state
        .db
        .run(move |conn| users::find_by_email(conn, &email))
        .await?;
    if let Some(user) = user.filter(|user| !user.email_verified) {
        mail_verification(&state, &user, callback_url.as_deref(), now).await?;
    }
    mailed::answer_floor(arrived).await;
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// The mailed verification link.
///
/// Marks the address verified, once; opening it again, or for a user verified meanwhile,
/// changes nothing and answers the same. With `callbackURL`, the answer is a redirect to it
/// (with `error=<code>` on failure); without, `{"status":true,"user":null}` or 401. With
/// `GATEHOUSE_AUTO_SIGN_IN_AFTER_VERIFICATION`, the first use signs the user in.
#[utoipa::path(
    operation_id = "verifyEmail",
    tag = "email verification",
    params(
        ("token" = String, Query, description = "The mailed token."),
        ("callbackURL" = Option<String>, Query, description = "Where to send the browser afterwards: a relative path or a URL on a trusted origin."),
    ),
    responses(
        (status = 200, description = "Verified (or already verified).", body = VerifyEmailResponse),
        (status = 302, description = "With `callbackURL`: to it, with `error=<code>` on failure.",
            headers(("Location" = String, description = "`callbackURL` as given, plus `error` on failure."))),
        (status = 400, description = "No `token`.", body = ErrorBody),
        (status = 401, description = "Without `callbackURL`: an unknown or expired token, or its user is gone.", body = ErrorBody),
        (status = 403, description = "An untrusted `callbackURL`.", body = ErrorBody),
        (status = 429, description = "Too many links opened from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[get("/verify-email")]
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let extract::TokenLink {
        token,
        callback_url: callback,
        ..
    } = extract::token_link(req.query_string())?;
    if let Some(callback) = &callback {
        origin::check_callback_url(callback, &state.config.trusted_origins)?;
    }
    let (response, signed_in) = maybe_signed_in(&req, &state).await?;
    let verified = verify(
        &req,
        &state,
        &token,
        callback.as_deref(),
        response,
        signed_in,
    )
    .await;
    match verified {
        Ok((response, body)) => match &callback {
            // The session cookies of an auto sign-in or a re-issue ride on the redirect.
            Some(callback) => redirect_with(response, callback),
            None => {
                let mut response = response;
                Ok(response.json(body))
            }
        },
        Err(error) => match &callback {
            Some(callback) if is_token_error(&error) => {
                redirect(&as_given(callback, &[("error", error.code().1)]))
            }
            _ => Err(error),
        },
    }
}

fn is_token_error(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::InvalidToken(_)
            | ApiError::TokenExpired
            | ApiError::UserNotFound(_)
            | ApiError::InvalidUser
    )
}

/// verify-email's work for the three purposes its links serve: the token's checks, then its
/// effect. Returns the success answer's builder and its JSON body.
async fn verify(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    callback: Option<&str>,
    response: actix_web::HttpResponseBuilder,
    signed_in: Option<ActiveSession>,
) -> Result<(actix_web::HttpResponseBuilder, serde_json::Value), ApiError> {
    let now = state.clock.now();
    let hash = sha256_hex(token);
    let purposes = [
        Purpose::VerifyEmail,
        Purpose::ChangeEmailConfirmation,
        Purpose::ChangeEmailVerification,
    ];
    let invalid = || ApiError::InvalidToken(TokenEndpoint::VerifyEmail);
    let Some(row) = state
        .db
        .run(move |conn| verifications::find(conn, &purposes, &hash))
        .await?
    else {
        return Err(invalid());
    };
    if row.expires_at <= now.naive_utc() {
        return Err(ApiError::TokenExpired);
    }
    let user_id = row.user_id.clone().unwrap_or_default();
    let lookup = user_id.clone();
    let Some(user) = state
        .db
        .run(move |conn| users::find_by_id(conn, &lookup))
        .await?
    else {
        return Err(ApiError::UserNotFound(TokenEndpoint::VerifyEmail));
    };
    if user.email != row.email {
        return Err(invalid());
    }
    let purpose = Purpose::parse(&row.purpose).ok_or_else(invalid)?;
    if purpose == Purpose::VerifyEmail {
        let response = verify_address(req, state, row, user, response, signed_in, now).await?;
        return Ok((response, json!({"status": true, "user": null})));
    }
    // A change of email: single use, and only in the user's own session (or none).
    if row.used_at.is_some() {
        return Err(invalid());
    }
    if signed_in
        .as_ref()
        .is_some_and(|active| active.user.id != user.id)
    {
        return Err(ApiError::InvalidUser);
    }
    let new_email = row.new_email.clone().ok_or_else(invalid)?;
    let naive = now.naive_utc();
    if purpose == Purpose::ChangeEmailConfirmation {
        let token_id = row.id;
        if !state
            .db
            .run(move |conn| verifications::mark_used(conn, &token_id, naive))
            .await?
        {
            return Err(invalid());
        }
        mail_new_address_link(state, &user, &new_email, callback, now).await?;
        return Ok((response, json!({"status": true})));
    }
    let (token_id, moved_to) = (row.id, new_email.clone());
    let moved = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                if users::email_exists(conn, &moved_to)?
                    || !verifications::mark_used(conn, &token_id, naive)?
                {
                    return Ok(false);
                }
                users::set_verified_email(conn, &user_id, &moved_to, naive)?;
                Ok(true)
            })
        })
        .await?;
    if !moved {
        return Err(invalid());
    }
    let updated = UserRow {
        email: new_email,
        email_verified: true,
        updated_at: naive,
        ..user
    };
    // The user's own session is re-sent; in the jwt strategy, re-issued with the new address.
    let response = match signed_in {
        Some(active) => resend_session(req, state, &active, &updated, response, now).await?,
        None => response,
    };
    Ok((
        response,
        json!({"status": true, "user": User::of(updated, state.config.admin)}),
    ))
}

/// A `verify-email` token's effect: the address marked verified, once, and on that transition
/// only, the auto sign-in. A used token, or a user verified meanwhile, changes nothing.
async fn verify_address(
    req: &HttpRequest,
    state: &AppState,
    row: VerificationRow,
    user: UserRow,
    response: actix_web::HttpResponseBuilder,
    signed_in: Option<ActiveSession>,
    now: DateTime<Utc>,
) -> Result<actix_web::HttpResponseBuilder, ApiError> {
    if row.used_at.is_some() || user.email_verified {
        return Ok(response);
    }
    let (naive, user_id) = (now.naive_utc(), user.id.clone());
    let verified = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                if !verifications::mark_used(conn, &row.id, naive)? {
                    return Ok(false);
                }
                users::mark_email_verified(conn, &user_id, naive)
            })
        })
        .await?;
    if !verified {
        return Ok(response);
    }
    let verified_user = UserRow {
        email_verified: true,
        updated_at: naive,
        ..user
    };
    match signed_in {
        // The user's own session is re-sent, in the jwt strategy re-issued so that its claims
        // say the address is verified (get-session reads them).
        Some(active) if active.user.id == verified_user.id => {
            resend_session(req, state, &active, &verified_user, response, now).await
        }
        _ if state.config.auto_sign_in_after_verification => {
            Ok(start_session(req, state, &verified_user, true, now)
                .await?
                .0)
        }
        _ => Ok(response),
    }
}

/// Re-sends the user's own session after a change to the user: the same token in the database
/// strategy, a re-issued JWT (same `sid` and `auth_time`) in the jwt strategy.
async fn resend_session(
    req: &HttpRequest,
    state: &AppState,
    active: &ActiveSession,
    user: &UserRow,
    mut response: actix_web::HttpResponseBuilder,
    now: DateTime<Utc>,
) -> Result<actix_web::HttpResponseBuilder, ApiError> {
    let remember = !state.cookies.presented(req).dont_remember;
    let token = state
        .sessions
        .reissue(&state.db, active, user, remember, now)
        .await?;
    set_session_cookies(&mut response, req, state, &token, remember)?;
    Ok(response)
}
