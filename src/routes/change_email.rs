//! `POST /api/auth/change-email`: a change of address, completed only when a link mailed to the
//! new address is opened (`GET /api/auth/verify-email`, in `email_verification`). A verified
//! current address confirms first, so a stolen session cannot move the account away.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};

use crate::auth::{account, origin};
use crate::db::models::UserRow;
use crate::db::users;
use crate::db::verifications::Purpose;
use crate::dto::{ChangeEmailBody, StatusTrueResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts};
use crate::mail::Kind;
use crate::routes::{ErrorCodes, SignedInPostErrors, auth_base, enc, is_fresh, mailed, signed_in};
use crate::state::AppState;

/// The codes change-email answers with where a status carries several.
pub const ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "CHANGE_EMAIL_DISABLED",
            "EMAIL_IS_THE_SAME",
            "PASSWORD_TOO_LONG",
            "CREDENTIAL_ACCOUNT_NOT_FOUND",
            "INVALID_PASSWORD",
        ],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "INVALID_CALLBACK_URL",
            "SESSION_NOT_FRESH",
        ],
    ),
];

/// Mails the link that completes a change of email to the new address.
pub async fn mail_new_address_link(
    state: &AppState,
    user: &UserRow,
    new_email: &str,
    callback_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let purpose = Purpose::ChangeEmailVerification;
    let issued = mailed::issue_for(
        state,
        purpose,
        Some(&user.id),
        &user.email,
        Some(new_email.to_owned()),
        None,
        now,
    )
    .await?;
    let url = verify_link(state, &issued.token, callback_url);
    let to = mailed::Recipient {
        email: new_email,
        new_email: Some(new_email),
        user: Some(user),
    };
    mailed::send_to(state, Kind::ChangeEmailVerification, &to, url, &issued);
    Ok(())
}

fn verify_link(state: &AppState, token: &str, callback_url: Option<&str>) -> String {
    format!(
        "{}/verify-email?token={token}&callbackURL={}",
        auth_base(&state.config.base_url),
        enc(callback_url.unwrap_or("/"))
    )
}

/// Change the signed-in user's email address.
///
/// Needs a fresh session (signed in less than `GATEHOUSE_FRESH_AGE` ago) or `currentPassword`.
/// A verified current address first gets a link to confirm the change; opening it mails a link to
/// the new address, and only that one changes the address (verified). An unverified current
/// address skips the confirmation. An address someone already has gets the same answer and no
/// mail.
#[utoipa::path(
    operation_id = "changeEmail",
    tag = "account",
    request_body(content = ChangeEmailBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Mailed (or, for a taken address, not; the same answer).", body = StatusTrueResponse),
        (status = 400, description = "A malformed body, no mail transport, the same address, or a wrong password.", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable; nothing changed.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/change-email")]
pub async fn change_email(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let ChangeEmailBody {
        new_email,
        callback_url,
        current_password,
    } = extract::change_email_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    if let Some(callback) = &callback_url {
        origin::check_callback_url(callback, &state.config.trusted_origins)?;
    }
    let (mut response, active) = signed_in(&req, &state).await?;
    let now = state.clock.now();
    if !state.mailer.is_enabled() {
        return Err(ApiError::ChangeEmailDisabled);
    }
    if new_email == active.user.email {
        return Err(ApiError::EmailIsTheSame);
    }
    let user_id = active.user.id.clone();
    match current_password {
        Some(password) => {
            account::confirm_password(
                &state.db,
                &state.hasher,
                &state.rate_limiter,
                &user_id,
                password.0,
                now,
            )
            .await?;
        }
        None if !is_fresh(&state, &active, now) => return Err(ApiError::SessionNotFresh),
        None => {}
    }
    let (lookup, wanted) = (user_id.clone(), new_email.clone());
    let (user, taken) = state
        .db
        .run(move |conn| {
            Ok((
                users::find_by_id(conn, &lookup)?,
                users::email_exists(conn, &wanted)?,
            ))
        })
        .await?;
    let Some(user) = user else {
        return Err(ApiError::Unauthorized);
    };
    if taken {
        return Ok(response.json(StatusTrueResponse { status: true }));
    }
    if user.email_verified {
        let purpose = Purpose::ChangeEmailConfirmation;
        let issued = mailed::issue_for(
            &state,
            purpose,
            Some(&user.id),
            &user.email,
            Some(new_email.clone()),
            None,
            now,
        )
        .await?;
        let url = verify_link(&state, &issued.token, callback_url.as_deref());
        let to = mailed::Recipient {
            email: &user.email,
            new_email: Some(&new_email),
            user: Some(&user),
        };
        mailed::send_to(&state, Kind::ChangeEmailConfirmation, &to, url, &issued);
    } else {
        mail_new_address_link(&state, &user, &new_email, callback_url.as_deref(), now).await?;
    }
    Ok(response.json(StatusTrueResponse { status: true }))
}
