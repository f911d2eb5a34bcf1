//! Documented answers that several operations share, written once: an alias documents exactly
//! what its canonical path answers. These types are never built; the handlers build the answers.
//! (The bodies they name are registered in `openapi::BaseDocument`, since utoipa-actix-web
//! collects schemas from path attributes, not from these.)

use utoipa::IntoResponses;

use crate::dto::{SignInResponse, SignUpResponse};
use crate::error::ErrorBody;

/// Both sign-up paths.
#[derive(IntoResponses)]
#[expect(clippy::large_enum_variant, reason = "documentation only, never built")]
pub enum SignUpAnswers {
    #[response(
        status = 200,
        description = "The user was created and signed in.",
        headers(
            ("Set-Cookie" = String, description = "The signed session cookie."),
            ("set-auth-token" = String, description = "`<token>.<signature>`: a bearer credential."),
        )
    )]
    SignedUp(SignUpResponse),
    #[response(
        status = 400,
        description = "Invalid body, password or username, or the username is taken."
    )]
    Invalid(ErrorBody),
    #[response(status = 403, description = "Untrusted origin or callback URL.")]
    Forbidden(ErrorBody),
    #[response(
        status = 408,
        description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT."
    )]
    Timeout(ErrorBody),
    #[response(status = 413, description = "Body over 64 KiB.")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Unsupported content type.")]
    UnsupportedType(ErrorBody),
    #[response(status = 422, description = "The email is already in use.")]
    EmailTaken(ErrorBody),
    #[response(status = 503, description = "Database or hashing queue unavailable.")]
    Unavailable(ErrorBody),
}

/// What the three sign-in paths answer alike; each adds its own 400, 401 and 422.
#[derive(IntoResponses)]
#[expect(clippy::large_enum_variant, reason = "documentation only, never built")]
pub enum SignInAnswers {
    #[response(
        status = 200,
        description = "Signed in. With a `callbackURL`, `redirect` is true and `url` and `Location` name it.",
        headers(
            ("Set-Cookie" = String, description = "The signed session cookie."),
            ("set-auth-token" = String, description = "`<token>.<signature>`: a bearer credential."),
            ("Location" = String, description = "The `callbackURL`, when one was given."),
        )
    )]
    SignedIn(SignInResponse),
    #[response(status = 403, description = "Untrusted origin or callback URL.")]
    Forbidden(ErrorBody),
    #[response(
        status = 408,
        description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT."
    )]
    Timeout(ErrorBody),
    #[response(status = 413, description = "Body over 64 KiB.")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Unsupported content type.")]
    UnsupportedType(ErrorBody),
    #[response(status = 503, description = "Database or hashing queue unavailable.")]
    Unavailable(ErrorBody),
}
