//! The one error type. Every failure a handler can produce is an `ApiError`; each variant maps to
//! exactly one status and one stable `code` (section 3.6 of the contract) in [`ApiError::code`],
//! a `match` without a wildcard, so a new variant cannot ship without a code. Internal variants
//! carry their cause for the log only: clients see an opaque message.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable; exact wording per code is part of the contract.
    pub message: String,
    /// Stable, upper-snake machine code.
    pub code: String,
}

/// Which of the three username rules failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameProblem {
    TooShort,
    TooLong,
    Invalid,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or wrong-typed fields; the message lists every issue in schema order.
    #[error("{0}")]
    Validation(String),
    /// The body is not parseable JSON (or form data).
    #[error("Invalid JSON in request body")]
    MalformedBody,
    #[error("Invalid email")]
    InvalidEmail,
    #[error("Password too short")]
    PasswordTooShort,
    #[error("Password too long")]
    PasswordTooLong,
    /// Username format; 400 on sign-up, 422 on sign-in, as Better Auth answers.
    #[error("{}", username_message(*.problem))]
    Username {
        problem: UsernameProblem,
        on_sign_in: bool,
    },
    #[error("Username is already taken. Please try another.")]
    UsernameTaken,
    #[error("User already exists. Use another email.")]
    EmailTaken,
    #[error("Invalid email or password")]
    InvalidEmailOrPassword,
    #[error("Invalid username or password")]
    InvalidUsernameOrPassword,
    #[error("Unauthorized")]
    Unauthorized,
    #[error("Missing or null Origin")]
    MissingOrNullOrigin,
    #[error("Invalid origin")]
    InvalidOrigin,
    #[error("Cross-site navigation login blocked. This request appears to be a CSRF attack.")]
    CrossSiteNavigationLoginBlocked,
    #[error("Invalid callbackURL")]
    InvalidCallbackUrl,
    #[error("Not found")]
    NotFound,
    /// `allow` is the value of the `Allow` header.
    #[error("Method not allowed")]
    MethodNotAllowed { allow: String },
    /// POST on get-session, which Better Auth reserves for deferred refresh.
    #[error("POST method requires deferSessionRefresh to be enabled in session config")]
    DeferSessionRequired,
    #[error("Request body is too large")]
    PayloadTooLarge,
    #[error("Content-Type \"{content_type}\" is not allowed. Allowed types: {allowed}")]
    UnsupportedMediaType {
        content_type: String,
        allowed: &'static str,
    },
    #[error("Too many requests. Please try again later.")]
    TooManyRequests { retry_after_secs: u64 },
    /// A bug or an unexpected failure; the cause is logged, never sent.
    #[error("Internal server error")]
    Internal(String),
    /// The database (or the hashing queue) cannot serve now; the client may retry.
    #[error("Service temporarily unavailable")]
    Unavailable(String),
}

fn username_message(problem: UsernameProblem) -> &'static str {
    match problem {
        UsernameProblem::TooShort => "Username is too short",
        UsernameProblem::TooLong => "Username is too long",
        UsernameProblem::Invalid => "Username is invalid",
    }
}

impl ApiError {
    /// The status and the stable code of each variant.
    pub fn code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Validation(_) => (StatusCode::BAD_REQUEST, "VALIDATION_ERROR"),
            Self::MalformedBody => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            Self::InvalidEmail => (StatusCode::BAD_REQUEST, "INVALID_EMAIL"),
            Self::PasswordTooShort => (StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT"),
            Self::PasswordTooLong => (StatusCode::BAD_REQUEST, "PASSWORD_TOO_LONG"),
            Self::Username {
                problem,
                on_sign_in,
            } => {
                let status = if *on_sign_in {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::BAD_REQUEST
                };
                let code = match problem {
                    UsernameProblem::TooShort => "USERNAME_TOO_SHORT",
                    UsernameProblem::TooLong => "USERNAME_TOO_LONG",
                    UsernameProblem::Invalid => "INVALID_USERNAME",
                };
                (status, code)
            }
            Self::UsernameTaken => (StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN"),
            Self::EmailTaken => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            ),
            Self::InvalidEmailOrPassword => (StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD"),
            Self::InvalidUsernameOrPassword => {
                (StatusCode::UNAUTHORIZED, "INVALID_USERNAME_OR_PASSWORD")
            }
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            Self::MissingOrNullOrigin => (StatusCode::FORBIDDEN, "MISSING_OR_NULL_ORIGIN"),
            Self::InvalidOrigin => (StatusCode::FORBIDDEN, "INVALID_ORIGIN"),
            Self::CrossSiteNavigationLoginBlocked => {
                (StatusCode::FORBIDDEN, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED")
            }
            Self::InvalidCallbackUrl => (StatusCode::FORBIDDEN, "INVALID_CALLBACK_URL"),
            Self::NotFound => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            Self::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"),
            Self::DeferSessionRequired => (
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
            ),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
            Self::UnsupportedMediaType { .. } => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
            }
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
        }
    }

    /// Builds the JSON error response; used for errors raised outside handlers too.
    pub fn to_response(&self) -> HttpResponse {
        let (status, code) = self.code();
        match self {
            Self::Internal(cause) => log::error!("internal error: {cause}"),
            Self::Unavailable(cause) => log::warn!("service unavailable: {cause}"),
            _ => {}
        }
        let mut builder = HttpResponse::build(status);
        match self {
            Self::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::DeferSessionRequired => {
                builder.insert_header((header::ALLOW, "GET"));
                builder.insert_header((header::CACHE_CONTROL, "no-store"));
                builder.insert_header((header::PRAGMA, "no-cache"));
            }
            Self::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
                builder.insert_header(("X-Retry-After", retry_after_secs.to_string()));
            }
            Self::Unavailable(_) => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        let body = ErrorBody {
            message: self.to_string(),
            code: code.to_owned(),
        };
        let mut response = builder.json(body);
        set_reason(&mut response, status);
        response
    }
}

/// Error responses carry the upper-snake status name as their reason phrase, which the
/// Better Auth client exposes as `error.statusText`.
pub fn set_reason(response: &mut HttpResponse, status: StatusCode) {
    let reason = match status {
        StatusCode::BAD_REQUEST => "BAD_REQUEST",
        StatusCode::UNAUTHORIZED => "UNAUTHORIZED",
        StatusCode::FORBIDDEN => "FORBIDDEN",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
        StatusCode::UNPROCESSABLE_ENTITY => "UNPROCESSABLE_ENTITY",
        StatusCode::TOO_MANY_REQUESTS => "TOO_MANY_REQUESTS",
        StatusCode::INTERNAL_SERVER_ERROR => "INTERNAL_SERVER_ERROR",
        StatusCode::SERVICE_UNAVAILABLE => "SERVICE_UNAVAILABLE",
        _ => return,
    };
    response.head_mut().reason = Some(reason);
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().0
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response()
    }
}

impl From<DieselError> for ApiError {
    /// Unique violations are lost races on sign-up (both backends report them alike); a
    /// dropped connection is the database going away, which the client may retry.
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let what = info.constraint_name().unwrap_or_else(|| info.message());
                if what.contains("username") {
                    Self::UsernameTaken
                } else if what.contains("email") {
                    Self::EmailTaken
                } else {
                    Self::Internal(format!("unexpected unique violation: {error}"))
                }
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable(format!("database connection lost: {error}")),
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if is_sqlite_busy(info.message()) =>
            {
                Self::Unavailable(format!("database busy: {error}"))
            }
            _ => Self::Internal(format!("database error: {error}")),
        }
    }
}

fn is_sqlite_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("no database connection: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking task failed: {error}"))
    }
}

/// A header value built from text the service produced itself.
pub fn header_value(value: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(value).map_err(|e| ApiError::Internal(format!("bad header value: {e}")))
}
