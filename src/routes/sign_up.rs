//! `POST /api/auth/sign-up` and its Better Auth alias `/sign-up/email`.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::auth::{credentials, origin};
use crate::dto::{SignUpBody, SignUpResponse, User};
use crate::error::ApiError;
use crate::extract::{self, Accepts};
use crate::routes::answers::SignUpAnswers;
use crate::routes::{ErrorCodes, ORIGIN_CODES, start_session};
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

    let user = credentials::register(&state.db, &state.hasher, body, now).await?;
    let (mut response, token) = start_session(&req, &state, &user, remember, now).await?;

    Ok(response.json(SignUpResponse {
        token,
        user: User::from(user),
    }))
}
