//! The signed-in user's account: `POST /api/auth/change-password`, `/verify-password`,
//! `/update-user`, `/delete-user`, and the anonymous `/is-username-available`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::Connection as _;

use crate::auth::{account, origin};
use crate::config::DeleteUser;
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{
    ChangePasswordBody, ChangePasswordResponse, DeleteUserBody, DeleteUserResponse,
    StatusTrueResponse, UpdateUserBody, UsernameAvailableResponse, UsernameBody,
    VerifyPasswordBody,
};
use crate::error::{ApiError, ErrorBody, TokenEndpoint, UsernameProblem};
use crate::extract::{self, Accepts};
use crate::ids::sha256_hex;
use crate::mail::Kind;
use crate::routes::{
    BODY_CODES, ErrorCodes, SignedInPostErrors, auth_base, enc, expire_session_cookies, is_fresh,
    mailed, redirect_with, set_session_cookies, signed_in, start_session,
};
use crate::rules::username_problem;
use crate::session::{ActiveSession, Revocation, WithRevocation};
use crate::state::AppState;

const CSRF_CODES: &[&str] = &["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"];

/// The codes change-password answers with where a status carries several.
pub const CHANGE_PASSWORD_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "PASSWORD_TOO_SHORT",
            "PASSWORD_TOO_LONG",
            "CREDENTIAL_ACCOUNT_NOT_FOUND",
            "INVALID_PASSWORD",
        ],
    ),
    ("403", CSRF_CODES),
];
/// The codes verify-password answers with where a status carries several.
pub const VERIFY_PASSWORD_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "PASSWORD_TOO_LONG",
            "INVALID_PASSWORD",
        ],
    ),
    ("403", CSRF_CODES),
];
/// The codes update-user answers with where a status carries several.
pub const UPDATE_USER_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "EMAIL_CAN_NOT_BE_UPDATED",
            "NO_FIELDS_TO_UPDATE",
            "USERNAME_TOO_SHORT",
            "USERNAME_TOO_LONG",
            "INVALID_USERNAME",
            "INVALID_DISPLAY_USERNAME",
            "USERNAME_IS_ALREADY_TAKEN",
        ],
    ),
    ("403", CSRF_CODES),
];
/// The codes delete-user answers with where a status carries several.
pub const DELETE_USER_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "PASSWORD_TOO_LONG",
            "CREDENTIAL_ACCOUNT_NOT_FOUND",
            "INVALID_PASSWORD",
            "SESSION_EXPIRED",
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
    ("404", &["NOT_FOUND", "INVALID_TOKEN"]),
];
/// The codes the mailed deletion link answers with where a status carries several.
pub const DELETE_CALLBACK_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR"]),
    ("403", &["INVALID_CALLBACK_URL"]),
    (
        "404",
        &["NOT_FOUND", "FAILED_TO_GET_USER_INFO", "INVALID_TOKEN"],
    ),
];
/// The codes is-username-available answers with where a status carries several.
pub const USERNAME_ERROR_CODES: ErrorCodes = &[
    ("400", BODY_CODES),
    (
        "422",
        &[
            "USERNAME_TOO_SHORT",
            "USERNAME_TOO_LONG",
            "INVALID_USERNAME",
        ],
    ),
];

/// Change the signed-in user's password.
///
/// The current password is checked as sign-in checks it (five failures lock the account, and a
/// wrong one answers 400 `INVALID_PASSWORD`). Without `revokeOtherSessions` every session stays
/// and `token` is `null`. With it, the new password and the end of every session of the user
/// commit together, and this device gets a new session: its token in `token`, the cookie and
/// `set-auth-token`, keeping the current session's `rememberMe` choice.
#[utoipa::path(
    operation_id = "changePassword",
    tag = "account",
    request_body(content = ChangePasswordBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Changed; `user` as it was read before the change.", body = ChangePasswordResponse,
            headers(
                ("Set-Cookie" = String, description = "With `revokeOtherSessions`: the new session's cookie."),
                ("set-auth-token" = String, description = "With `revokeOtherSessions`: the new signed token."),
            )),
        (status = 400, description = "A malformed body, a new password outside the rules, no password on the account, or a wrong current password.", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable; nothing changed.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/change-password")]
pub async fn change_password(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let body = extract::change_password_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (response, active) = signed_in(&req, &state).await?;
    let now = state.clock.now();

    let (new_password, current_password) = (body.new_password.0, body.current_password.0);
    account::check_new_password(&new_password)?;
    account::check_given_password(&current_password)?;
    let user_id = active.user.id.clone();
    let Some(hash) = account::password_hash(&state.db, &user_id).await? else {
        return Err(ApiError::CredentialAccountNotFound);
    };
    account::check_not_locked(&state.db, &state.rate_limiter, &user_id, now).await?;
    // The new hash first: a wrong current password then costs what a right one does.
    let new_hash = state.hasher.hash(new_password).await?;
    account::verify_password(
        &state.db,
        &state.hasher,
        &state.rate_limiter,
        &user_id,
        Some(hash),
        current_password,
        now,
    )
    .await?;

    let naive_now = now.naive_utc();
    let store: WithRevocation = {
        let user_id = user_id.clone();
        Box::new(move |conn| {
            // An old reset link must not undo the change.
            verifications::delete_for_user(conn, &user_id, Purpose::ResetPassword)?;
            users::set_password_hash(conn, &user_id, &new_hash, naive_now)
        })
    };
    if body.revoke_other_sessions != Some(true) {
        state
            .db
            .run(move |conn| conn.transaction(|conn| store(conn)))
            .await?;
        let mut response = response;
        return Ok(response.json(ChangePasswordResponse {
            token: None,
            user: active.user,
        }));
    }
    let current = Some(active.session.id.clone());
    state
        .sessions
        .revoke_for_user_with(&state.db, &user_id, Revocation::All { current }, now, store)
        .await?;
    let Some(row) = state
        .db
        .run(move |conn| users::find_by_id(conn, &user_id))
        .await?
    else {
        return Err(ApiError::Unauthorized);
    };
    let remember = !state.cookies.presented(&req).dont_remember;
    let (mut response, token) = start_session(&req, &state, &row, remember, now).await?;
    Ok(response.json(ChangePasswordResponse {
        token: Some(token),
        user: active.user,
    }))
}

/// Check the signed-in user's password.
///
/// For apps that confirm a sensitive step. Throttled like sign-in: five wrong passwords lock the
/// account for 15 minutes, and a right one clears the count.
#[utoipa::path(
    operation_id = "verifyPassword",
    tag = "account",
    request_body(content = VerifyPasswordBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The password is right.", body = StatusTrueResponse),
        (status = 400, description = "A malformed body, or a wrong password (`INVALID_PASSWORD`, also when the user has none).", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/verify-password")]
pub async fn verify_password(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let password = extract::required_string(body.as_ref(), "password")?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (mut response, active) = signed_in(&req, &state).await?;

    account::check_given_password(&password)?;
    let hash = account::password_hash(&state.db, &active.user.id).await?;
    account::verify_password(
        &state.db,
        &state.hasher,
        &state.rate_limiter,
        &active.user.id,
        hash,
        password,
        state.clock.now(),
    )
    .await?;
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// Change the signed-in user's name, image, username or display username.
///
/// Fields are type-checked (a number is a 400, not stored as text); keys other than the four are
/// ignored, but a truthy `email` is refused (change-email changes it). A new `username` carries
/// `displayUsername` along when that was unset or the old username; a custom one is kept.
/// Answers `{"status":true}` and re-sends the session: the same token in the database strategy, a
/// re-issued JWT with the new claims in the jwt strategy. Read the user with get-session.
#[utoipa::path(
    operation_id = "updateUser",
    tag = "account",
    request_body(content = UpdateUserBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated.", body = StatusTrueResponse,
            headers(
                ("Set-Cookie" = String, description = "The session cookie, re-sent."),
                ("set-auth-token" = String, description = "The session's token; in the jwt strategy a re-issued JWT."),
            )),
        (status = 400, description = "A malformed body, an `email`, no field to change, a username or display username outside the rules, or a username another user holds.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing changed.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/update-user")]
pub async fn update_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let (update, email_sent) = extract::update_user_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (_, active) = signed_in(&req, &state).await?;
    if email_sent {
        return Err(ApiError::EmailCanNotBeUpdated);
    }
    if update.is_empty() {
        return Err(ApiError::NoFieldsToUpdate);
    }
    let now = state.clock.now();
    // `signed_in` read the user row (the session's join, or a read in the jwt strategy).
    let changes = account::profile_changes(&state.db, &active.user, update, now).await?;
    let user_id = active.user.id.clone();
    let updated = state
        .db
        .run(move |conn| users::update_profile(conn, &user_id, &changes))
        .await?
        .ok_or(ApiError::Unauthorized)?;

    let remember = !state.cookies.presented(&req).dont_remember;
    let token = state
        .sessions
        .reissue(&state.db, &active, &updated, remember, now)
        .await?;
    let mut response = HttpResponse::Ok();
    set_session_cookies(&mut response, &req, &state, &token, remember)?;
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// Delete the signed-in user (served when `GATEHOUSE_DELETE_USER` is `on` or `confirm`).
///
/// With `password`, the password is checked as sign-in checks it; without one, the session must be
/// fresh (signed in less than `GATEHOUSE_FRESH_AGE` ago), else 400 `SESSION_EXPIRED`. Then `on`
/// deletes at once, and `confirm` mails a link (24 hours, once) that deletes when opened in the
/// user's session, or whose token this endpoint takes as `token`. The user, their password, tokens
/// and every session go in one transaction (jwt sessions are refused by every instance within a
/// second) and the session cookies are expired. Off (the default, as in Better Auth): 404
/// `NOT_FOUND`.
#[utoipa::path(
    operation_id = "deleteUser",
    tag = "account",
    request_body(content = DeleteUserBody, content_type = "application/json", description = "Optional; the Better Auth client sends `{}` without arguments."),
    responses(
        (status = 200, description = "Deleted (`User deleted`), or in `confirm` mode the link is mailed (`Verification email sent`).", body = DeleteUserResponse,
            headers(("Set-Cookie" = String, description = "Once deleted: expires the session cookies."))),
        (status = 400, description = "A malformed body, no password on the account, a wrong password, or a stale session without one.", body = ErrorBody),
        (status = 404, description = "Switched off (`NOT_FOUND`), or a `token` that names no pending deletion (`INVALID_TOKEN`).", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable; nothing was deleted.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/delete-user")]
pub async fn delete_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Read even when off: an unread body closes the connection, and a reset may beat the answer.
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await;
    if state.config.delete_user == DeleteUser::Off {
        return Err(ApiError::NotFound);
    }
    let body = body?;
    let body: DeleteUserBody = extract::delete_user_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    if let Some(callback) = &body.callback_url {
        origin::check_callback_url(callback, &state.config.trusted_origins)?;
    }
    let (mut response, active) = signed_in(&req, &state).await?;
    let now = state.clock.now();
    let user_id = active.user.id.clone();

    if let Some(password) = body.password {
        account::confirm_password(
            &state.db,
            &state.hasher,
            &state.rate_limiter,
            &user_id,
            password.0,
            now,
        )
        .await?;
    } else if let Some(token) = body.token {
        pending_deletion(&state, &user_id, &token, now).await?;
        delete_account(&state, &active, now).await?;
        expire_session_cookies(&mut response, &state)?;
        return Ok(response.json(user_deleted()));
    } else if !is_fresh(&state, &active, now) {
        return Err(ApiError::SessionExpired);
    }

    if state.config.delete_user == DeleteUser::Confirm {
        let lookup = user_id.clone();
        let Some(user) = state
            .db
            .run(move |conn| users::find_by_id(conn, &lookup))
            .await?
        else {
            return Err(ApiError::Unauthorized);
        };
        let issued = mailed::issue(&state, Purpose::DeleteAccount, &user, now).await?;
        let url = format!(
            "{}/delete-user/callback?token={}&callbackURL={}",
            auth_base(&state.config.base_url),
            issued.token,
            enc(body.callback_url.as_deref().unwrap_or("/"))
        );
        mailed::send(&state, Kind::DeleteAccount, &user, url, &issued);
        return Ok(response.json(DeleteUserResponse {
            success: true,
            message: "Verification email sent".to_owned(),
        }));
    }
    delete_account(&state, &active, now).await?;
    expire_session_cookies(&mut response, &state)?;
    Ok(response.json(user_deleted()))
}

fn user_deleted() -> DeleteUserResponse {
    DeleteUserResponse {
        success: true,
        message: "User deleted".to_owned(),
    }
}

/// A mailed deletion token of this user that is unused and unexpired, else 404 `INVALID_TOKEN`.
async fn pending_deletion(
    state: &AppState,
    user_id: &str,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let (hash, naive) = (sha256_hex(token), now.naive_utc());
    let row = state
        .db
        .run(move |conn| verifications::find_usable(conn, Purpose::DeleteAccount, &hash, naive))
        .await?;
    match row {
        Some(row) if row.user_id.as_deref() == Some(user_id) => Ok(()),
        _ => Err(ApiError::InvalidToken(TokenEndpoint::DeleteUser)),
    }
}

/// Deletes the session's user: the user, credential, tokens and every session (jwt: deny-listed)
/// in one transaction.
async fn delete_account(
    state: &AppState,
    active: &ActiveSession,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let user_id = active.user.id.clone();
    let delete: WithRevocation = {
        let user_id = user_id.clone();
        Box::new(move |conn| users::delete(conn, &user_id).map(drop))
    };
    let current = Some(active.session.id.clone());
    state
        .sessions
        .revoke_for_user_with(
            &state.db,
            &user_id,
            Revocation::All { current },
            now,
            delete,
        )
        .await?;
    // An admin's sessions as other users end with the admin.
    state
        .sessions
        .end_impersonations_by(&state.db, &user_id, now)
        .await?;
    log::info!("user {user_id} deleted their account");
    Ok(())
}

/// The mailed deletion link (`GATEHOUSE_DELETE_USER=confirm`).
///
/// Opened in the user's session (else 404 `FAILED_TO_GET_USER_INFO`) with an unused, unexpired
/// deletion token of that user (else 404 `INVALID_TOKEN`): deletes as delete-user does, expires
/// the session cookies, and redirects to `callbackURL` as given, or answers `User deleted`.
#[utoipa::path(
    operation_id = "deleteUserCallback",
    tag = "account",
    params(
        ("token" = String, Query, description = "The mailed token."),
        ("callbackURL" = Option<String>, Query, description = "Where to go once deleted."),
    ),
    responses(
        (status = 200, description = "Deleted.", body = DeleteUserResponse),
        (status = 302, description = "Deleted; to `callbackURL`.",
            headers(("Location" = String, description = "`callbackURL` as given."))),
        (status = 400, description = "No `token`.", body = ErrorBody),
        (status = 403, description = "An untrusted `callbackURL`.", body = ErrorBody),
        (status = 404, description = "Switched off, no session, or no such pending deletion.", body = ErrorBody),
        (status = 429, description = "Too many links opened from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing was deleted.", body = ErrorBody),
    ),
    security(("cookie" = []))
)]
#[get("/delete-user/callback")]
pub async fn delete_user_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.config.delete_user == DeleteUser::Off {
        return Err(ApiError::NotFound);
    }
    let extract::TokenLink {
        token,
        callback_url: callback,
        ..
    } = extract::token_link(req.query_string())?;
    if let Some(callback) = &callback {
        origin::check_callback_url(callback, &state.config.trusted_origins)?;
    }
    let (mut response, active) = match signed_in(&req, &state).await {
        Ok(signed_in) => signed_in,
        Err(ApiError::Unauthorized) => return Err(ApiError::FailedToGetUserInfo),
        Err(error) => return Err(error),
    };
    let now = state.clock.now();
    pending_deletion(&state, &active.user.id, &token, now).await?;
    delete_account(&state, &active, now).await?;
    expire_session_cookies(&mut response, &state)?;
    match callback {
        Some(callback) => redirect_with(response, &callback),
        None => Ok(response.json(user_deleted())),
    }
}

/// Whether a username is free.
///
/// No session needed. The username is checked against the rules first (422 with the rule's code;
/// `""` is `INVALID_USERNAME`), then looked up lower-cased: `BOB_1` is taken when `bob_1` exists.
#[utoipa::path(
    operation_id = "isUsernameAvailable",
    tag = "account",
    request_body(content = UsernameBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Whether the username is free.", body = UsernameAvailableResponse),
        (status = 400, description = "A body without a string `username`.", body = ErrorBody),
        (status = 408, description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB.", body = ErrorBody),
        (status = 415, description = "Not JSON.", body = ErrorBody),
        (status = 422, description = "A username outside the rules.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security(())
)]
#[post("/is-username-available")]
pub async fn is_username_available(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let username = extract::required_string(body.as_ref(), "username")?;
    let problem = if username.is_empty() {
        Some(UsernameProblem::Invalid)
    } else {
        username_problem(&username)
    };
    if let Some(problem) = problem {
        return Err(ApiError::Username {
            problem,
            on_sign_in: true,
        });
    }
    let lowered = username.to_lowercase();
    let taken = state
        .db
        .run(move |conn| users::username_exists(conn, &lowered))
        .await?;
    Ok(HttpResponse::Ok().json(UsernameAvailableResponse { available: !taken }))
}
