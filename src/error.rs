//! The one error type. Every failure a handler can produce is an `ApiError`; each variant maps to
//! exactly one status and one stable `code` (the README's error-code table) in [`ApiError::code`],
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
    /// Human-readable; Better Auth's wording where Better Auth has the code.
    pub message: String,
    /// Stable, upper-snake machine code.
    pub code: String,
}

/// Where an unusable token was presented, which decides the status Better Auth answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEndpoint {
    /// reset-password and the reset page: 400.
    ResetPassword,
    /// verify-email: 401.
    VerifyEmail,
    /// The admin API and `gatehouse user`, naming a user who does not exist: 404.
    Admin,
    /// sign-in/social and link-social with an `idToken` that fails a check: 401.
    IdToken,
    /// delete-user: 404.
    DeleteUser,
}

impl TokenEndpoint {
    fn status(self) -> StatusCode {
        match self {
            Self::ResetPassword => StatusCode::BAD_REQUEST,
            Self::VerifyEmail | Self::IdToken => StatusCode::UNAUTHORIZED,
            Self::DeleteUser | Self::Admin => StatusCode::NOT_FOUND,
        }
    }
}

/// Which of the three username rules (`rules::username_problem`) failed.
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
    /// The address belongs to another user: 422 on sign-up, 400 from the admin API (as Better
    /// Auth answers each).
    #[error("User already exists. Use another email.")]
    EmailTaken { by_admin: bool },
    #[error("Invalid email or password")]
    InvalidEmailOrPassword,
    #[error("Invalid username or password")]
    InvalidUsernameOrPassword,
    #[error("Unauthorized")]
    Unauthorized,
    /// A session for a banned user (sign-in after the password, magic link, OAuth, impersonation).
    #[error("{BANNED_USER_MESSAGE}")]
    BannedUser,
    /// A role other than `user` and `admin`.
    #[error("You are not allowed to set a non-existent role value")]
    NonExistentRole,
    /// An admin route called by a user whose roles do not include `admin`.
    #[error("{}", .0.message())]
    NotAllowed(Permission),
    /// has-permission with `permission` (singular) or without `permissions`.
    #[error("invalid permission check. no permission(s) were passed.")]
    InvalidPermissionCheck,
    #[error("You cannot ban yourself")]
    CannotBanYourself,
    #[error("You cannot remove yourself")]
    CannotRemoveYourself,
    /// admin/impersonate-user naming a user whose roles include `admin`.
    #[error("You cannot impersonate admins")]
    CannotImpersonateAdmins,
    /// admin/stop-impersonating from a session that is not an impersonation.
    #[error("You are not impersonating anyone")]
    NotImpersonating,
    /// admin/stop-impersonating without an `admin_session` cookie naming a live session of the
    /// admin who started the impersonation.
    #[error("Failed to find admin session")]
    AdminSessionNotFound,
    /// admin/update-user with a `role` that is not a string (or strings).
    #[error("Invalid role type")]
    InvalidRoleType,
    /// admin/update-user with an empty `data`.
    #[error("No data to update")]
    NoDataToUpdate,
    /// admin/update-user with a `password` in `data`.
    #[error(
        "Password cannot be updated through update-user. Use the set-user-password endpoint instead"
    )]
    PasswordCannotBeUpdatedViaUpdateUser,
    /// admin/update-user with an `id` in `data`.
    #[error("User id cannot be updated")]
    UserIdCannotBeUpdated,
    /// The session's sign-in is older than `GATEHOUSE_FRESH_AGE`.
    #[error("Session is not fresh")]
    SessionNotFresh,
    /// delete-user without a password from a session older than `GATEHOUSE_FRESH_AGE`.
    #[error("Session expired. Re-authenticate to perform this action.")]
    SessionExpired,
    /// A password check for a user who has no password (no credential account).
    #[error("Credential account not found")]
    CredentialAccountNotFound,
    /// A password check failed (change-password, verify-password, delete-user).
    #[error("Invalid password")]
    InvalidPassword,
    #[error("Email can not be updated")]
    EmailCanNotBeUpdated,
    #[error("No fields to update")]
    NoFieldsToUpdate,
    #[error("Display username is invalid")]
    InvalidDisplayUsername,
    /// A mailed token that is unknown, expired, used or made for another purpose; the status
    /// depends on the endpoint, as in Better Auth.
    #[error("Invalid token")]
    InvalidToken(TokenEndpoint),
    /// The token's user is gone.
    #[error("User not found")]
    UserNotFound(TokenEndpoint),
    /// verify-email: the token is past its expiry.
    #[error("Token expired")]
    TokenExpired,
    /// send-verification-email without a mail transport.
    #[error("Verification email isn't enabled")]
    VerificationEmailNotEnabled,
    /// send-verification-email from a session, for another address than its user's.
    #[error("Email mismatch")]
    EmailMismatch,
    #[error("Email is already verified")]
    EmailAlreadyVerified,
    /// Sign-in of an unverified user while verification is required.
    #[error("Email not verified")]
    EmailNotVerified,
    /// request-password-reset without a mail transport.
    #[error("Reset password isn't enabled")]
    ResetPasswordDisabled,
    /// change-email without a mail transport.
    #[error("Change email is disabled")]
    ChangeEmailDisabled,
    #[error("Email is the same")]
    EmailIsTheSame,
    /// delete-user/callback without a session.
    #[error("Failed to get user info")]
    FailedToGetUserInfo,
    /// verify-email: a change-of-email link opened in another user's session.
    #[error("Invalid user")]
    InvalidUser,
    #[error("Invalid newUserCallbackURL")]
    InvalidNewUserCallbackUrl,
    #[error("Invalid errorCallbackURL")]
    InvalidErrorCallbackUrl,
    /// sign-in/social for a provider that is not configured.
    #[error("Provider not found")]
    ProviderNotFound,
    /// sign-in/social or link-social with `idToken` for a provider whose ID tokens gatehouse
    /// cannot check.
    #[error("id_token not supported")]
    IdTokenNotSupported,
    /// ID-token sign-in or link: the token names no email.
    #[error("User email not found")]
    UserEmailNotFound,
    /// ID-token sign-in: the address belongs to a user the provider may not sign in (not both
    /// verified).
    #[error("account not linked")]
    OAuthLinkError,
    /// link-social with `idToken`: the provider account belongs to another user (or a race
    /// linked it meanwhile).
    #[error("Social account already linked")]
    SocialAccountAlreadyLinked,
    /// link-social with `idToken`: the provider does not assert the address verified.
    #[error("Account not linked - linking not allowed")]
    LinkingNotAllowed,
    /// link-social with `idToken`: the provider's address is not the user's.
    #[error("Account not linked - different emails not allowed")]
    LinkingDifferentEmailsNotAllowed,
    /// unlink-account of the user's only account.
    #[error("You can't unlink your last account")]
    FailedToUnlinkLastAccount,
    /// unlink-account of an id that is not one of the user's accounts.
    #[error("Account not found")]
    AccountNotFound,
    /// A `redirectTo` that is neither a relative path nor on a trusted origin.
    #[error("Invalid redirectURL")]
    InvalidRedirectUrl,
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
    /// The body did not arrive within `GATEHOUSE_REQUEST_TIMEOUT`; the connection is closed.
    #[error("Request body took too long to arrive")]
    RequestTimeout,
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

/// What a banned user is told, as Better Auth's admin plugin words it.
pub const BANNED_USER_MESSAGE: &str = "You have been banned from this application. Please contact support if you believe this is an error.";

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
            Self::EmailTaken { by_admin: true } => (
                StatusCode::BAD_REQUEST,
                "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            ),
            Self::EmailTaken { by_admin: false } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            ),
            Self::InvalidEmailOrPassword => (StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD"),
            Self::InvalidUsernameOrPassword => {
                (StatusCode::UNAUTHORIZED, "INVALID_USERNAME_OR_PASSWORD")
            }
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            Self::BannedUser => (StatusCode::FORBIDDEN, "BANNED_USER"),
            Self::NotAllowed(permission) => (StatusCode::FORBIDDEN, permission.code()),
            Self::InvalidPermissionCheck => (StatusCode::BAD_REQUEST, "INVALID_PERMISSION_CHECK"),
            Self::CannotBanYourself => (StatusCode::BAD_REQUEST, "YOU_CANNOT_BAN_YOURSELF"),
            Self::CannotRemoveYourself => (StatusCode::BAD_REQUEST, "YOU_CANNOT_REMOVE_YOURSELF"),
            Self::CannotImpersonateAdmins => {
                (StatusCode::FORBIDDEN, "YOU_CANNOT_IMPERSONATE_ADMINS")
            }
            Self::NotImpersonating => (StatusCode::BAD_REQUEST, "NOT_IMPERSONATING"),
            Self::AdminSessionNotFound => (StatusCode::BAD_REQUEST, "ADMIN_SESSION_NOT_FOUND"),
            Self::InvalidRoleType => (StatusCode::BAD_REQUEST, "INVALID_ROLE_TYPE"),
            Self::NoDataToUpdate => (StatusCode::BAD_REQUEST, "NO_DATA_TO_UPDATE"),
            Self::PasswordCannotBeUpdatedViaUpdateUser => (
                StatusCode::BAD_REQUEST,
                "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER",
            ),
            Self::UserIdCannotBeUpdated => (StatusCode::BAD_REQUEST, "USER_ID_CANNOT_BE_UPDATED"),
            Self::NonExistentRole => (
                StatusCode::BAD_REQUEST,
                "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
            ),
            Self::SessionNotFresh => (StatusCode::FORBIDDEN, "SESSION_NOT_FRESH"),
            Self::SessionExpired => (StatusCode::BAD_REQUEST, "SESSION_EXPIRED"),
            Self::CredentialAccountNotFound => {
                (StatusCode::BAD_REQUEST, "CREDENTIAL_ACCOUNT_NOT_FOUND")
            }
            Self::InvalidPassword => (StatusCode::BAD_REQUEST, "INVALID_PASSWORD"),
            Self::EmailCanNotBeUpdated => (StatusCode::BAD_REQUEST, "EMAIL_CAN_NOT_BE_UPDATED"),
            Self::NoFieldsToUpdate => (StatusCode::BAD_REQUEST, "NO_FIELDS_TO_UPDATE"),
            Self::InvalidDisplayUsername => (StatusCode::BAD_REQUEST, "INVALID_DISPLAY_USERNAME"),
            Self::InvalidToken(endpoint) => (endpoint.status(), "INVALID_TOKEN"),
            Self::UserNotFound(endpoint) => (endpoint.status(), "USER_NOT_FOUND"),
            Self::TokenExpired => (StatusCode::UNAUTHORIZED, "TOKEN_EXPIRED"),
            Self::VerificationEmailNotEnabled => {
                (StatusCode::BAD_REQUEST, "VERIFICATION_EMAIL_NOT_ENABLED")
            }
            Self::EmailMismatch => (StatusCode::BAD_REQUEST, "EMAIL_MISMATCH"),
            Self::EmailAlreadyVerified => (StatusCode::BAD_REQUEST, "EMAIL_ALREADY_VERIFIED"),
            Self::EmailNotVerified => (StatusCode::FORBIDDEN, "EMAIL_NOT_VERIFIED"),
            Self::ResetPasswordDisabled => (StatusCode::BAD_REQUEST, "RESET_PASSWORD_DISABLED"),
            Self::InvalidRedirectUrl => (StatusCode::FORBIDDEN, "INVALID_REDIRECT_URL"),
            Self::ChangeEmailDisabled => (StatusCode::BAD_REQUEST, "CHANGE_EMAIL_DISABLED"),
            Self::EmailIsTheSame => (StatusCode::BAD_REQUEST, "EMAIL_IS_THE_SAME"),
            Self::InvalidUser => (StatusCode::UNAUTHORIZED, "INVALID_USER"),
            Self::FailedToGetUserInfo => (StatusCode::NOT_FOUND, "FAILED_TO_GET_USER_INFO"),
            Self::InvalidNewUserCallbackUrl => {
                (StatusCode::FORBIDDEN, "INVALID_NEW_USER_CALLBACK_URL")
            }
            Self::InvalidErrorCallbackUrl => (StatusCode::FORBIDDEN, "INVALID_ERROR_CALLBACK_URL"),
            Self::ProviderNotFound => (StatusCode::NOT_FOUND, "PROVIDER_NOT_FOUND"),
            Self::IdTokenNotSupported => (StatusCode::NOT_FOUND, "ID_TOKEN_NOT_SUPPORTED"),
            Self::UserEmailNotFound => (StatusCode::UNAUTHORIZED, "USER_EMAIL_NOT_FOUND"),
            Self::OAuthLinkError => (StatusCode::UNAUTHORIZED, "OAUTH_LINK_ERROR"),
            Self::SocialAccountAlreadyLinked => {
                (StatusCode::CONFLICT, "SOCIAL_ACCOUNT_ALREADY_LINKED")
            }
            Self::LinkingNotAllowed => (StatusCode::UNAUTHORIZED, "LINKING_NOT_ALLOWED"),
            Self::LinkingDifferentEmailsNotAllowed => (
                StatusCode::UNAUTHORIZED,
                "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED",
            ),
            Self::FailedToUnlinkLastAccount => {
                (StatusCode::BAD_REQUEST, "FAILED_TO_UNLINK_LAST_ACCOUNT")
            }
            Self::AccountNotFound => (StatusCode::BAD_REQUEST, "ACCOUNT_NOT_FOUND"),
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
            Self::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT"),
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
            Self::RequestTimeout => {
                builder.force_close();
            }
            _ => {}
        }
        let body = ErrorBody {
            message: self.to_string(),
            code: code.to_owned(),
        };
        builder.json(body)
    }
}

/// One row of the error-code table in the README: an example of the error and when it happens.
pub struct DocumentedError {
    pub example: ApiError,
    pub when: &'static str,
}

/// Every code gatehouse answers with, one example each, in the README's order. The README's
/// table is rendered from this list ([`error_table_markdown`]) and a test compares the two.
pub fn documented_errors() -> Vec<DocumentedError> {
    use UsernameProblem::{Invalid, TooLong, TooShort};
    let row = |example, when| DocumentedError { example, when };
    vec![
        row(
            ApiError::Validation("[body.email] Invalid email address".to_owned()),
            "A missing or wrong-typed field, a body that is not an object, a malformed email on sign-up, a field over its length (`[body.<field>] <reason>`; several issues joined with `; `).",
        ),
        row(
            ApiError::MalformedBody,
            "The body is not JSON (or not a form).",
        ),
        row(
            ApiError::InvalidEmail,
            "Sign-in: a malformed email, or one over 254 characters.",
        ),
        row(
            ApiError::PasswordTooShort,
            "Sign-up and change-password (the new one): fewer than 8 characters.",
        ),
        row(
            ApiError::PasswordTooLong,
            "More than 128 characters, or (sign-up, a new password) more than 72 UTF-8 bytes.",
        ),
        row(
            ApiError::Username {
                problem: TooShort,
                on_sign_in: false,
            },
            "A username under 3 characters (422 on sign-in and is-username-available).",
        ),
        row(
            ApiError::Username {
                problem: TooLong,
                on_sign_in: false,
            },
            "A username over 30 characters (422 on sign-in and is-username-available).",
        ),
        row(
            ApiError::Username {
                problem: Invalid,
                on_sign_in: false,
            },
            "A username outside `[A-Za-z0-9_.]`, or empty (422 on sign-in and is-username-available).",
        ),
        row(
            ApiError::UsernameTaken,
            "Sign-up, update-user: the username is in use, in any case.",
        ),
        row(
            ApiError::EmailTaken { by_admin: false },
            "Sign-up: the email is in use (400 from the admin API's create-user and update-user).",
        ),
        row(
            ApiError::InvalidEmailOrPassword,
            "Sign-in by email: unknown email or wrong password.",
        ),
        row(
            ApiError::InvalidUsernameOrPassword,
            "Sign-in by username: unknown username or wrong password.",
        ),
        row(
            ApiError::Unauthorized,
            "`/verify`, and the endpoints that act for the signed-in user: no valid session.",
        ),
        row(
            ApiError::BannedUser,
            "Sign-in (after the password is checked), magic link, social sign-in by ID token, auto sign-in after verification: the user is banned (`gatehouse user ban`). The OAuth callback redirects with `?error=banned` instead.",
        ),
        row(
            ApiError::NotAllowed(Permission::ListUsers),
            "An admin route called by a user whose roles do not include `admin`; each route has its own: `YOU_ARE_NOT_ALLOWED_TO_GET_USER`, `_CREATE_USERS`, `_UPDATE_USERS`, `_CHANGE_USERS_ROLE`, `_SET_USERS_EMAIL`, `_SET_USERS_PASSWORD`, `_BAN_USERS`, `_DELETE_USERS`, `_IMPERSONATE_USERS`, `_LIST_USERS_SESSIONS`, `_REVOKE_USERS_SESSIONS`. A session an admin started as another user holds none.",
        ),
        row(
            ApiError::InvalidPermissionCheck,
            "admin/has-permission without `permissions` (or with `permission`).",
        ),
        row(
            ApiError::CannotBanYourself,
            "admin/ban-user (or update-user with `banned: true`) naming the caller.",
        ),
        row(
            ApiError::CannotRemoveYourself,
            "admin/remove-user naming the caller.",
        ),
        row(
            ApiError::CannotImpersonateAdmins,
            "admin/impersonate-user naming a user whose roles include `admin`.",
        ),
        row(
            ApiError::NotImpersonating,
            "admin/stop-impersonating from a session an admin did not start as its user.",
        ),
        row(
            ApiError::AdminSessionNotFound,
            "admin/stop-impersonating without the `admin_session` cookie of a live session of the admin who started the impersonation; nothing changes.",
        ),
        row(
            ApiError::InvalidRoleType,
            "admin/update-user with a `role` that is neither a string nor an array of strings.",
        ),
        row(
            ApiError::NoDataToUpdate,
            "admin/update-user with an empty `data`.",
        ),
        row(
            ApiError::PasswordCannotBeUpdatedViaUpdateUser,
            "admin/update-user with `password` in `data`: use set-user-password.",
        ),
        row(
            ApiError::UserIdCannotBeUpdated,
            "admin/update-user with `id` in `data`.",
        ),
        row(
            ApiError::NonExistentRole,
            "A role other than `user` and `admin` (admin set-role, create-user; `gatehouse user set-role`, `create --role`).",
        ),
        row(
            ApiError::SessionNotFresh,
            "list-sessions, and change-email without `currentPassword`: the sign-in is older than `GATEHOUSE_FRESH_AGE`; sign in again.",
        ),
        row(
            ApiError::SessionExpired,
            "delete-user without a password, from a session signed in longer than `GATEHOUSE_FRESH_AGE` ago.",
        ),
        row(
            ApiError::CredentialAccountNotFound,
            "change-password, delete-user: the user has no password to check.",
        ),
        row(
            ApiError::InvalidPassword,
            "change-password, verify-password, delete-user: the password is wrong (it counts as a failed sign-in).",
        ),
        row(
            ApiError::EmailCanNotBeUpdated,
            "update-user with an `email`: the address changes only through change-email.",
        ),
        row(
            ApiError::NoFieldsToUpdate,
            "update-user with none of `name`, `image`, `username`, `displayUsername`.",
        ),
        row(
            ApiError::InvalidDisplayUsername,
            "update-user: a `displayUsername` over 100 characters or with a control character.",
        ),
        row(
            ApiError::InvalidToken(TokenEndpoint::ResetPassword),
            "reset-password: no token, or one that is unknown, expired, used or made for something else; 401 on verify-email (unknown, or the address changed since) and on sign-in/social and link-social (an `idToken` that fails a check: signature, issuer, audience, expiry, nonce); 404 on delete-user (a `token` that names no pending deletion).",
        ),
        row(
            ApiError::UserNotFound(TokenEndpoint::ResetPassword),
            "reset-password: the token's user was deleted meanwhile (401 on verify-email; 404 from the admin API, and `gatehouse user` exits 3, for a user who does not exist).",
        ),
        row(
            ApiError::TokenExpired,
            "verify-email: the link is older than 24 hours.",
        ),
        row(
            ApiError::VerificationEmailNotEnabled,
            "send-verification-email without a mail transport (`GATEHOUSE_SMTP_URL`).",
        ),
        row(
            ApiError::EmailMismatch,
            "send-verification-email from a session, for another address than its user's.",
        ),
        row(
            ApiError::EmailAlreadyVerified,
            "send-verification-email from a session whose user is verified.",
        ),
        row(
            ApiError::EmailNotVerified,
            "Sign-in with the right password while `GATEHOUSE_REQUIRE_EMAIL_VERIFICATION` is on and the address is unverified (a new link is mailed, at most once a minute).",
        ),
        row(
            ApiError::ResetPasswordDisabled,
            "request-password-reset without a mail transport (`GATEHOUSE_SMTP_URL`).",
        ),
        row(
            ApiError::ChangeEmailDisabled,
            "change-email without a mail transport (`GATEHOUSE_SMTP_URL`).",
        ),
        row(
            ApiError::EmailIsTheSame,
            "change-email to the address the user has.",
        ),
        row(
            ApiError::FailedToGetUserInfo,
            "delete-user/callback (the mailed deletion link) opened without the user's session.",
        ),
        row(
            ApiError::InvalidUser,
            "verify-email: a change-of-email link opened while another user is signed in.",
        ),
        row(
            ApiError::InvalidNewUserCallbackUrl,
            "Magic link: a `newUserCallbackURL` that is neither a relative path nor on a trusted origin.",
        ),
        row(
            ApiError::InvalidErrorCallbackUrl,
            "Magic link: an `errorCallbackURL` that is neither a relative path nor on a trusted origin.",
        ),
        row(
            ApiError::ProviderNotFound,
            "sign-in/social for a provider that is not in `GATEHOUSE_OAUTH_PROVIDERS`.",
        ),
        row(
            ApiError::IdTokenNotSupported,
            "sign-in/social or link-social with `idToken` for a provider without ID tokens gatehouse can check.",
        ),
        row(
            ApiError::UserEmailNotFound,
            "sign-in/social or link-social with an `idToken` that names no email.",
        ),
        row(
            ApiError::OAuthLinkError,
            "sign-in/social with an `idToken` whose address is a local user's, unless the provider and gatehouse both hold it verified.",
        ),
        row(
            ApiError::SocialAccountAlreadyLinked,
            "link-social with an `idToken` for a provider account another user holds.",
        ),
        row(
            ApiError::LinkingNotAllowed,
            "link-social with an `idToken` whose address the provider does not assert verified.",
        ),
        row(
            ApiError::LinkingDifferentEmailsNotAllowed,
            "link-social with an `idToken` for another address than the user's.",
        ),
        row(
            ApiError::FailedToUnlinkLastAccount,
            "unlink-account of the user's only account (password or provider).",
        ),
        row(
            ApiError::AccountNotFound,
            "unlink-account of an `accountId` that is not one of the user's accounts.",
        ),
        row(
            ApiError::InvalidRedirectUrl,
            "request-password-reset: a `redirectTo` that is neither a relative path nor on a trusted origin.",
        ),
        row(
            ApiError::MissingOrNullOrigin,
            "A cookie-carrying request (or a sign-in with browser headers) without `Origin` or `Referer`, or with `Origin: null`.",
        ),
        row(
            ApiError::InvalidOrigin,
            "The same, from an origin that is not trusted.",
        ),
        row(
            ApiError::CrossSiteNavigationLoginBlocked,
            "Sign-up or sign-in as a cross-site navigation (`Sec-Fetch-Site: cross-site`, `Sec-Fetch-Mode: navigate`).",
        ),
        row(
            ApiError::InvalidCallbackUrl,
            "A `callbackURL` that is neither a relative path nor on a trusted origin, or holds a control character.",
        ),
        row(
            ApiError::NotFound,
            "An unknown path; delete-user while `GATEHOUSE_DELETE_USER` is off; the magic-link routes while `GATEHOUSE_MAGIC_LINK` is off.",
        ),
        row(
            ApiError::MethodNotAllowed {
                allow: "POST".to_owned(),
            },
            "A known path with another method; `Allow` lists the methods.",
        ),
        row(
            ApiError::DeferSessionRequired,
            "`POST /api/auth/get-session` (`Allow: GET`).",
        ),
        row(
            ApiError::RequestTimeout,
            "The body did not arrive within `GATEHOUSE_REQUEST_TIMEOUT`; the connection is closed.",
        ),
        row(ApiError::PayloadTooLarge, "A body over 64 KiB."),
        row(
            ApiError::UnsupportedMediaType {
                content_type: "text/plain".to_owned(),
                allowed: "application/json",
            },
            "A body of another content type (sign-up and sign-in also take `application/x-www-form-urlencoded`).",
        ),
        row(
            ApiError::TooManyRequests {
                retry_after_secs: 60,
            },
            "An abuse limit; `Retry-After` and `X-Retry-After` say when to try again.",
        ),
        row(
            ApiError::Internal(String::new()),
            "A bug; the cause is logged, never sent.",
        ),
        row(
            ApiError::Unavailable(String::new()),
            "The database or the hashing queue cannot serve now (`Retry-After: 1`).",
        ),
    ]
}

/// The README's error-code table.
pub fn error_table_markdown() -> String {
    let mut table = String::from("| status | code | message | when |\n|---|---|---|---|\n");
    for DocumentedError { example, when } in documented_errors() {
        let (status, code) = example.code();
        table.push_str(&format!(
            "| {} | `{code}` | {} | {when} |\n",
            status.as_u16(),
            example.to_string().replace('|', "\\|")
        ));
    }
    table
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
                } else if what.contains("provider") {
                    Self::SocialAccountAlreadyLinked
                } else if what.contains("email") {
                    Self::EmailTaken { by_admin: false }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Numbers every variant. The match has no wildcard, so a new variant does not compile until
    /// it is numbered here; raise `VARIANTS` with it, and the test below fails until the variant
    /// is documented.
    fn variant_index(error: &ApiError) -> usize {
        match error {
            ApiError::Validation(_) => 0,
            ApiError::MalformedBody => 1,
            ApiError::InvalidEmail => 2,
            ApiError::PasswordTooShort => 3,
            ApiError::PasswordTooLong => 4,
            ApiError::Username { .. } => 5,
            ApiError::UsernameTaken => 6,
            ApiError::EmailTaken { .. } => 7,
            ApiError::InvalidEmailOrPassword => 8,
            ApiError::InvalidUsernameOrPassword => 9,
            ApiError::Unauthorized => 10,
            ApiError::MissingOrNullOrigin => 11,
            ApiError::InvalidOrigin => 12,
            ApiError::CrossSiteNavigationLoginBlocked => 13,
            ApiError::InvalidCallbackUrl => 14,
            ApiError::NotFound => 15,
            ApiError::MethodNotAllowed { .. } => 16,
            ApiError::DeferSessionRequired => 17,
            ApiError::PayloadTooLarge => 18,
            ApiError::RequestTimeout => 19,
            ApiError::UnsupportedMediaType { .. } => 20,
            ApiError::TooManyRequests { .. } => 21,
            ApiError::Internal(_) => 22,
            ApiError::Unavailable(_) => 23,
            ApiError::SessionNotFresh => 24,
            ApiError::SessionExpired => 25,
            ApiError::CredentialAccountNotFound => 26,
            ApiError::InvalidPassword => 27,
            ApiError::EmailCanNotBeUpdated => 28,
            ApiError::NoFieldsToUpdate => 29,
            ApiError::InvalidDisplayUsername => 30,
            ApiError::InvalidToken(_) => 31,
            ApiError::UserNotFound(_) => 32,
            ApiError::TokenExpired => 35,
            ApiError::VerificationEmailNotEnabled => 36,
            ApiError::EmailMismatch => 37,
            ApiError::EmailAlreadyVerified => 38,
            ApiError::EmailNotVerified => 39,
            ApiError::InvalidNewUserCallbackUrl => 40,
            ApiError::InvalidErrorCallbackUrl => 41,
            ApiError::ProviderNotFound => 46,
            ApiError::IdTokenNotSupported => 47,
            ApiError::FailedToUnlinkLastAccount => 48,
            ApiError::AccountNotFound => 49,
            ApiError::UserEmailNotFound => 50,
            ApiError::OAuthLinkError => 51,
            ApiError::SocialAccountAlreadyLinked => 52,
            ApiError::LinkingNotAllowed => 53,
            ApiError::LinkingDifferentEmailsNotAllowed => 54,
            ApiError::ChangeEmailDisabled => 42,
            ApiError::EmailIsTheSame => 43,
            ApiError::InvalidUser => 44,
            ApiError::FailedToGetUserInfo => 45,
            ApiError::ResetPasswordDisabled => 33,
            ApiError::InvalidRedirectUrl => 34,
            ApiError::BannedUser => 55,
            ApiError::NonExistentRole => 56,
            ApiError::NotAllowed(_) => 57,
            ApiError::InvalidPermissionCheck => 58,
            ApiError::CannotBanYourself => 59,
            ApiError::CannotRemoveYourself => 60,
            ApiError::CannotImpersonateAdmins => 61,
            ApiError::NotImpersonating => 62,
            ApiError::AdminSessionNotFound => 63,
            ApiError::InvalidRoleType => 64,
            ApiError::NoDataToUpdate => 65,
            ApiError::PasswordCannotBeUpdatedViaUpdateUser => 66,
            ApiError::UserIdCannotBeUpdated => 67,
        }
    }
    const VARIANTS: usize = 68;

    #[test]
    fn every_variant_and_every_code_is_documented_once() {
        let documented = documented_errors();

        let variants: BTreeSet<usize> = documented
            .iter()
            .map(|row| variant_index(&row.example))
            .collect();
        let codes: BTreeSet<&str> = documented.iter().map(|row| row.example.code().1).collect();

        assert_eq!(variants, (0..VARIANTS).collect());
        assert_eq!(codes.len(), documented.len(), "a code is documented twice");
    }

    #[test]
    fn internal_causes_never_reach_the_client() {
        let error = ApiError::Internal("SELECT * FROM users: syntax error".to_owned());

        assert_eq!(error.to_string(), "Internal server error");
    }
}

/// What an admin action needs, as Better Auth's admin plugin names its checks: a user whose roles
/// include `admin` holds every one; others hold none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ListUsers,
    GetUser,
    CreateUsers,
    UpdateUsers,
    ChangeUsersRole,
    SetUsersEmail,
    SetUsersPassword,
    BanUsers,
    DeleteUsers,
    ImpersonateUsers,
    ListUsersSessions,
    RevokeUsersSessions,
}

impl Permission {
    /// The code of the 403 a user without it gets.
    pub fn code(self) -> &'static str {
        match self {
            Self::ListUsers => "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS",
            Self::GetUser => "YOU_ARE_NOT_ALLOWED_TO_GET_USER",
            Self::CreateUsers => "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
            Self::UpdateUsers => "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS",
            Self::ChangeUsersRole => "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
            Self::SetUsersEmail => "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL",
            Self::ImpersonateUsers => "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
            Self::SetUsersPassword => "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
            Self::BanUsers => "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
            Self::DeleteUsers => "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS",
            Self::ListUsersSessions => "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
            Self::RevokeUsersSessions => "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
        }
    }

    /// Its message: `You are not allowed to <what>`.
    pub fn message(self) -> &'static str {
        match self {
            Self::ListUsers => "You are not allowed to list users",
            Self::GetUser => "You are not allowed to get user",
            Self::CreateUsers => "You are not allowed to create users",
            Self::UpdateUsers => "You are not allowed to update users",
            Self::ChangeUsersRole => "You are not allowed to change users role",
            Self::SetUsersEmail => "You are not allowed to update users email",
            Self::ImpersonateUsers => "You are not allowed to impersonate users",
            Self::SetUsersPassword => "You are not allowed to set users password",
            Self::BanUsers => "You are not allowed to ban users",
            Self::DeleteUsers => "You are not allowed to delete users",
            Self::ListUsersSessions => "You are not allowed to list users sessions",
            Self::RevokeUsersSessions => "You are not allowed to revoke users sessions",
        }
    }
}
