//! `POST /api/auth/sign-in` (email or username) and the Better Auth paths `/sign-in/email` and
//! `/sign-in/username`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::auth::{credentials, origin};
use crate::dto::{SignInBody, SignInEmailBody, SignInResponse, SignInUsernameBody, User};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts, SignInPath};
use crate::metrics;
use crate::routes::answers::SignInAnswers;
use crate::routes::email_verification::resend_on_sign_in;
use crate::routes::{ErrorCodes, location_header, new_session, start_new_session};
use crate::state::AppState;

const USERNAME_CODES: &[&str] = &[
    "USERNAME_TOO_SHORT",
    "USERNAME_TOO_LONG",
    "INVALID_USERNAME",
];

/// The codes `/sign-in` answers with where a status carries several.
/// The origin checks, and an unverified address while verification is required.
const FORBIDDEN_CODES: &[&str] = &[
    "MISSING_OR_NULL_ORIGIN",
    "INVALID_ORIGIN",
    "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
    "INVALID_CALLBACK_URL",
    "EMAIL_NOT_VERIFIED",
];

pub const ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "INVALID_EMAIL",
            "PASSWORD_TOO_LONG",
        ],
    ),
    (
        "401",
        &["INVALID_EMAIL_OR_PASSWORD", "INVALID_USERNAME_OR_PASSWORD"],
    ),
    ("403", FORBIDDEN_CODES),
    ("422", USERNAME_CODES),
];
/// The codes `/sign-in/email` answers with where a status carries several.
pub const EMAIL_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "INVALID_EMAIL",
            "PASSWORD_TOO_LONG",
        ],
    ),
    ("401", &["INVALID_EMAIL_OR_PASSWORD"]),
    ("403", FORBIDDEN_CODES),
];
/// The codes `/sign-in/username` answers with where a status carries several.
pub const USERNAME_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &["VALIDATION_ERROR", "BAD_REQUEST", "PASSWORD_TOO_LONG"],
    ),
    ("401", &["INVALID_USERNAME_OR_PASSWORD"]),
    ("403", FORBIDDEN_CODES),
    ("422", USERNAME_CODES),
];

/// Sign in with an email or a username and a password.
///
/// A body with `username` and no `email` takes the username path. Every success creates a new
/// session. An unknown identifier and a wrong password get the same answer in the same time.
#[utoipa::path(
    operation_id = "signIn",
    tag = "auth",
    request_body(content(
        (SignInBody = "application/json"),
        (SignInBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        SignInAnswers,
        (status = 400, description = "Invalid body, email or password.", body = ErrorBody),
        (status = 401, description = "Unknown identifier or wrong password.", body = ErrorBody),
        (status = 422, description = "Malformed username.", body = ErrorBody),
    )
)]
#[post("/sign-in")]
pub async fn sign_in(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, state, SignInPath::Either).await
}

/// Better Auth's email sign-in: as `/sign-in`, by email only.
#[utoipa::path(
    operation_id = "signInEmail",
    tag = "better-auth",
    request_body(content(
        (SignInEmailBody = "application/json"),
        (SignInEmailBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        SignInAnswers,
        (status = 400, description = "Invalid body, email or password.", body = ErrorBody),
        (status = 401, description = "Unknown email or wrong password.", body = ErrorBody),
    )
)]
#[post("/sign-in/email")]
pub async fn sign_in_email(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, state, SignInPath::Email).await
}

/// Better Auth's username sign-in: as `/sign-in`, by username only.
#[utoipa::path(
    operation_id = "signInUsername",
    tag = "better-auth",
    request_body(content(
        (SignInUsernameBody = "application/json"),
        (SignInUsernameBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        SignInAnswers,
        (status = 400, description = "Invalid body or password.", body = ErrorBody),
        (status = 401, description = "Unknown username or wrong password.", body = ErrorBody),
        (status = 422, description = "Malformed username.", body = ErrorBody),
    )
)]
#[post("/sign-in/username")]
pub async fn sign_in_username(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, state, SignInPath::Username).await
}

/// Signs in, and counts the outcome for the metrics (never who).
async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    path: SignInPath,
) -> Result<HttpResponse, ApiError> {
    let result = attempt(req, payload, state, path).await;
    metrics::sign_in(match &result {
        Ok(_) => metrics::SignIn::Success,
        Err(ApiError::InvalidEmailOrPassword | ApiError::InvalidUsernameOrPassword) => {
            metrics::SignIn::InvalidCredentials
        }
        Err(ApiError::EmailNotVerified) => metrics::SignIn::EmailNotVerified,
        Err(ApiError::TooManyRequests { .. }) => metrics::SignIn::Locked,
        Err(_) => metrics::SignIn::Refused,
    });
    result
}

async fn attempt(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    path: SignInPath,
) -> Result<HttpResponse, ApiError> {
    let body =
        extract::read_body(&req, payload, Accepts::JsonOrForm, state.request_timeout()).await?;
    let body = extract::sign_in_body(body.as_ref(), path)?;
    origin::check_sign_in_csrf(&req, &state.config.trusted_origins)?;
    if let Some(callback_url) = &body.callback_url {
        origin::check_callback_url(callback_url, &state.config.trusted_origins)?;
    }
    let location = body
        .callback_url
        .as_deref()
        .map(location_header)
        .transpose()?;
    let remember = body.remember_me.unwrap_or(true);
    let identifier = credentials::sign_in_identifier(body.email, body.username)?;

    let now = state.clock.now();
    let (user, upgrade) = credentials::authenticate(
        &state.db,
        &state.hasher,
        &state.rate_limiter,
        identifier,
        body.password.0,
        state.config.require_email_verification,
        now,
    )
    .await?;
    if state.config.require_email_verification && !user.email_verified {
        resend_on_sign_in(&state, &user, body.callback_url.as_deref(), now).await?;
        return Err(ApiError::EmailNotVerified);
    }
    let mut new = new_session(&req, &state, remember);
    new.along.password_upgrade = upgrade;
    let (mut response, token) = start_new_session(&req, &state, &user, new, now).await?;

    if let Some(location) = location {
        response.insert_header((header::LOCATION, location));
    }
    Ok(response.json(SignInResponse {
        redirect: body.callback_url.is_some(),
        token,
        url: body.callback_url,
        user: User::of(user, state.config.admin),
    }))
}
