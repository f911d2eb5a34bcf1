//! `POST /api/auth/sign-up` and its Better Auth alias `/sign-up/email`.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::auth::{credentials, origin};
use crate::dto::{SignUpBody, SignUpResponse, User};
use crate::error::ApiError;
use crate::extract::{self, Accepts};
use crate::routes::answers::SignUpAnswers;
use crate::routes::{new_session, set_session_cookies};
use crate::startup::AppState;

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
    let token = state
        .sessions
        .create(&state.db, &user, new_session(&req, &state, remember), now)
        .await?;

    let mut response = HttpResponse::Ok();
    set_session_cookies(&mut response, &req, &state, &token, remember)?;
    Ok(response.json(SignUpResponse {
        token,
        user: User::from(user),
    }))
}
