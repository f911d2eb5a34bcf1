//! `POST /api/auth/sign-up` and its Better Auth alias `/sign-up/email`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};

use crate::auth::rate_limit::Limit;
use crate::auth::{credentials, origin};
use crate::db::models::UserRow;
use crate::db::users;
use crate::dto::{SignUpBody, SignUpResponse, User};
use crate::error::ApiError;
use crate::extract::{self, Accepts};
use crate::ids::{random_id, sha256_hex};
use crate::mail::Kind;
use crate::routes::answers::SignUpAnswers;
use crate::routes::email_verification::mail_verification;
use crate::routes::{
    ErrorCodes, ORIGIN_CODES, auth_base, mailed, resolved_redirect, start_session,
};
use crate::state::AppState;

/// The codes sign-up answers with where a status carries several.
pub const ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "PASSWORD_TOO_SHORT",
            "PASSWORD_TOO_LONG",
            "USERNAME_TOO_SHORT",
            "USERNAME_TOO_LONG",
            "INVALID_USERNAME",
            "USERNAME_IS_ALREADY_TAKEN",
        ],
    ),
    ("403", ORIGIN_CODES),
    ("422", &["USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"]),
];

/// Create a user with an email and password, and sign them in.
///
/// Answers with the session token in the body, in the session cookie and (signed) in
/// `set-auth-token`.
#[utoipa::path(
    operation_id = "signUp",
    tag = "auth",
    request_body(content(
        (SignUpBody = "application/json"),
        (SignUpBody = "application/x-www-form-urlencoded"),
    )),
    responses(SignUpAnswers)
)]
#[post("/sign-up")]
pub async fn sign_up(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, state).await
}

/// Better Auth's path for `/sign-up`: same handler, same answers.
#[utoipa::path(
    operation_id = "signUpEmail",
    tag = "better-auth",
    request_body(content(
        (SignUpBody = "application/json"),
        (SignUpBody = "application/x-www-form-urlencoded"),
    )),
    responses(SignUpAnswers)
)]
#[post("/sign-up/email")]
pub async fn sign_up_email(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, state).await
}

async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body =
        extract::read_body(&req, payload, Accepts::JsonOrForm, state.request_timeout()).await?;
    let body = extract::sign_up_body(body.as_ref())?;
    origin::check_sign_in_csrf(&req, &state.config.trusted_origins)?;
    if let Some(callback_url) = &body.callback_url {
        origin::check_callback_url(callback_url, &state.config.trusted_origins)?;
    }
    let remember = body.remember_me.unwrap_or(true);
    let now = state.clock.now();
    let callback_url = body.callback_url.clone();
    let require_verification = state.config.require_email_verification;
    let attempt = require_verification.then(|| body.clone());

    let user = match credentials::register(&state.db, &state.hasher, body, now).await {
        Ok(user) => user,
        Err(ApiError::EmailTaken { .. }) if require_verification => {
            let attempt = attempt.ok_or_else(|| ApiError::Internal("no sign-up body".into()))?;
            return taken_while_verification_is_required(&state, attempt, now).await;
        }
        Err(error) => return Err(error),
    };
    if state.config.send_verification_on_sign_up {
        mail_verification(&state, &user, callback_url.as_deref(), now).await?;
    }
    if require_verification {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(SignUpResponse {
                token: None,
                user: User::of(user, state.config.admin),
            }));
    }
    let (mut response, token) = start_session(&req, &state, &user, remember, now).await?;

    Ok(response.json(SignUpResponse {
        token: Some(token),
        user: User::of(user, state.config.admin),
    }))
}

/// How often the owner of a taken address hears of a sign-up attempt with it.
const EXISTING_ACCOUNT_NOTICE: Limit = Limit {
    hits: 1,
    window: chrono::Duration::hours(1),
};

/// A sign-up with a taken address while verification is required answers exactly as a new one
/// does (a user who must verify, no session), so the answer reveals nothing: the password is
/// hashed anyway, a synthetic user is returned, nothing is stored, and the owner is told, at most
/// once an hour.
async fn taken_while_verification_is_required(
    state: &AppState,
    attempt: SignUpBody,
    now: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let _same_time = state.hasher.hash(attempt.password.0.clone()).await?;
    let email = attempt.email.clone();
    let owner = state
        .db
        .run(move |conn| users::find_by_email(conn, &email))
        .await?;
    let key = format!("mail:existing-account:{}", sha256_hex(&attempt.email));
    if let Some(owner) = owner
        && state
            .rate_limiter
            .count(&state.db, key, EXISTING_ACCOUNT_NOTICE, now)
            .await
            .is_ok()
    {
        let url = match &attempt.callback_url {
            Some(callback) => resolved_redirect(&auth_base(&state.config.base_url), callback, &[])?,
            None => String::new(),
        };
        let notice = mailed::Issued {
            token: String::new(),
            expires_at: now + chrono::Duration::hours(1),
            expires_in: "",
        };
        mailed::send(state, Kind::ExistingAccount, &owner, url, &notice);
    }
    let username = attempt.username.as_deref().map(str::to_lowercase);
    let display_username = username.as_ref().map(|_| {
        attempt
            .display_username
            .or(attempt.username)
            .unwrap_or_default()
    });
    let synthetic = UserRow {
        image: attempt.image,
        username,
        display_username,
        ..UserRow::new(
            random_id(),
            attempt.name,
            attempt.email,
            false,
            now.naive_utc(),
        )
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SignUpResponse {
            token: None,
            user: User::of(synthetic, state.config.admin),
        }))
}
