//! Sign-in by mailed link (Better Auth's magicLink plugin wire), served when
//! `GATEHOUSE_MAGIC_LINK=on`: `POST /api/auth/sign-in/magic-link` mails a link that works once
//! for five minutes, and `GET /api/auth/magic-link/verify` (the link) signs in.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::Connection as _;

use crate::auth::origin;
use crate::db::models::UserRow;
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{MagicLinkBody, MagicLinkSessionResponse, StatusTrueResponse, User};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts};
use crate::ids::{random_id, sha256_hex};
use crate::mail::Kind;
use crate::routes::{
    ErrorCodes, MailPostErrors, Targets, auth_base, enc, mailed, redirect, redirect_with,
    resolved_redirect, start_session,
};
use crate::session::cookie::Presented;
use crate::session::{Refresh, Revocation, WithRevocation};
use crate::state::AppState;

/// The codes sign-in/magic-link answers with where a status carries several.
pub const SEND_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR", "BAD_REQUEST"]),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
            "INVALID_CALLBACK_URL",
            "INVALID_NEW_USER_CALLBACK_URL",
            "INVALID_ERROR_CALLBACK_URL",
        ],
    ),
];
/// The codes magic-link/verify answers with where a status carries several.
pub const VERIFY_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR"]),
    (
        "403",
        &[
            "INVALID_CALLBACK_URL",
            "INVALID_NEW_USER_CALLBACK_URL",
            "INVALID_ERROR_CALLBACK_URL",
        ],
    ),
];

/// Mail a sign-in link.
///
/// The answer is the same for every address and comes no sooner than 500 ms: a link goes to an
/// address that has a user, or to any address with `GATEHOUSE_MAGIC_LINK_SIGN_UP`. It works once,
/// for five minutes. Three requests per minute per address and per client. 404 unless
/// `GATEHOUSE_MAGIC_LINK=on`.
#[utoipa::path(
    operation_id = "signInMagicLink",
    tag = "magic link",
    request_body(content = MagicLinkBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Queued if the address may sign in this way; the same answer either way.", body = StatusTrueResponse),
        (status = 400, description = "A malformed body.", body = ErrorBody),
        (status = 403, description = "An untrusted URL, or the sign-in CSRF rules.", body = ErrorBody),
        (status = 404, description = "Magic links are off.", body = ErrorBody),
        MailPostErrors,
    )
)]
#[post("/sign-in/magic-link")]
pub async fn sign_in_magic_link(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let arrived = Instant::now();
    // Read even when off: an unread body closes the connection, and a reset may beat the answer.
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await;
    if !state.config.magic_link {
        return Err(ApiError::NotFound);
    }
    let body = body?;
    let MagicLinkBody {
        email,
        name,
        callback_url,
        new_user_callback_url,
        error_callback_url,
        metadata: _,
    } = extract::magic_link_body(body.as_ref())?;
    origin::check_sign_in_csrf(&req, &state.config.trusted_origins)?;
    let targets = Targets::checked(
        &state,
        Targets {
            callback: callback_url,
            new_user: new_user_callback_url,
            error: error_callback_url,
        },
    )?;
    let now = state.clock.now();
    state
        .rate_limiter
        .count_mail_to(&state.db, &email, now)
        .await?;
    let lookup = email.clone();
    let user = state
        .db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?;
    if user.is_some() || state.config.magic_link_sign_up {
        let user_id = user.as_ref().map(|user| user.id.as_str());
        let issued =
            mailed::issue_for(&state, Purpose::MagicLink, user_id, &email, None, name, now).await?;
        let mut url = format!(
            "{}/magic-link/verify?token={}&callbackURL={}",
            auth_base(&state.config.base_url),
            issued.token,
            enc(targets.callback.as_deref().unwrap_or("/"))
        );
        if let Some(new_user) = &targets.new_user {
            url.push_str(&format!("&newUserCallbackURL={}", enc(new_user)));
        }
        if let Some(error) = &targets.error {
            url.push_str(&format!("&errorCallbackURL={}", enc(error)));
        }
        let to = mailed::Recipient {
            email: &email,
            new_email: None,
            user: user.as_ref(),
        };
        mailed::send_to(&state, Kind::MagicLink, &to, url, &issued);
    }
    mailed::answer_floor(arrived).await;
    Ok(HttpResponse::Ok().json(StatusTrueResponse { status: true }))
}

/// The mailed sign-in link.
///
/// Uses the token (once) and signs in: a new session with its cookie and `set-auth-token`, then a
/// redirect to `callbackURL` (`newUserCallbackURL` for a user the link created), or without
/// `callbackURL` the session as JSON. A user whose address was unverified loses its password and
/// sessions first (whoever set that password never proved the address) and becomes verified.
/// Failures redirect to `errorCallbackURL` (else `callbackURL`, else `/`) with `?error=`:
/// `INVALID_TOKEN`, or `new_user_signup_disabled`.
#[utoipa::path(
    operation_id = "magicLinkVerify",
    tag = "magic link",
    params(
        ("token" = String, Query, description = "The mailed token."),
        ("callbackURL" = Option<String>, Query, description = "Where to go once signed in."),
        ("newUserCallbackURL" = Option<String>, Query, description = "Where to take a user the link created."),
        ("errorCallbackURL" = Option<String>, Query, description = "Where to go when the link fails."),
    ),
    responses(
        (status = 200, description = "Signed in (no `callbackURL`).", body = MagicLinkSessionResponse),
        (status = 302, description = "Signed in, or failed with `?error=`.",
            headers(("Location" = String, description = "The target, resolved against gatehouse's base URL."))),
        (status = 400, description = "No `token`.", body = ErrorBody),
        (status = 403, description = "An untrusted URL.", body = ErrorBody),
        (status = 404, description = "Magic links are off.", body = ErrorBody),
        (status = 429, description = "Too many links opened from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[get("/magic-link/verify")]
pub async fn magic_link_verify(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.config.magic_link {
        return Err(ApiError::NotFound);
    }
    let link = extract::token_link(req.query_string())?;
    let token = link.token;
    let targets = Targets::checked(
        &state,
        Targets {
            callback: link.callback_url,
            new_user: link.new_user_callback_url,
            error: link.error_callback_url,
        },
    )?;
    let base = auth_base(&state.config.base_url);
    let failed = |error: &str| {
        let target = targets
            .error
            .as_deref()
            .or(targets.callback.as_deref())
            .unwrap_or("/");
        redirect(&resolved_redirect(&base, target, &[("error", error)])?)
    };
    let now = state.clock.now();
    let Some((user, is_new)) = sign_in_with(&state, &token, now).await? else {
        return failed("INVALID_TOKEN");
    };
    let Some(user) = user else {
        return failed("new_user_signup_disabled");
    };
    let (mut response, session_token) = start_session(&req, &state, &user, true, now).await?;
    match &targets.callback {
        Some(callback) => {
            let target = match &targets.new_user {
                Some(new_user) if is_new => new_user,
                _ => callback,
            };
            redirect_with(response, &resolved_redirect(&base, target, &[])?)
        }
        None => {
            let presented = Presented {
                bearer_sent: true,
                bearer: Some(session_token.clone()),
                ..Presented::default()
            };
            let active = state
                .sessions
                .current(&state.db, &presented, now, Refresh::Never)
                .await?
                .ok_or_else(|| ApiError::Internal("the new session is gone".to_owned()))?;
            Ok(response.json(MagicLinkSessionResponse {
                token: session_token,
                user: User::of(user, state.config.admin),
                session: active.session,
            }))
        }
    }
}

/// Uses a magic-link token: `None` when it is unknown, expired or used; else the user to sign in
/// (`None` inside when the address has none and sign-up by link is off) and whether the link
/// created it. An unverified user loses its password and sessions and becomes verified, unless
/// banned (403 `BANNED_USER`, nothing changed).
async fn sign_in_with(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Option<UserRow>, bool)>, ApiError> {
    let (hash, naive) = (sha256_hex(token), now.naive_utc());
    let Some(row) = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                let Some(row) = verifications::find_usable(conn, Purpose::MagicLink, &hash, naive)?
                else {
                    return Ok(None);
                };
                Ok(verifications::mark_used(conn, &row.id, naive)?.then_some(row))
            })
        })
        .await?
    else {
        return Ok(None);
    };
    let email = row.email.clone();
    let found = state
        .db
        .run(move |conn| users::find_by_email(conn, &email))
        .await?;
    let user = match found {
        Some(user) => user,
        None if state.config.magic_link_sign_up => {
            let user = UserRow::new(
                random_id(),
                row.name.unwrap_or_default(),
                row.email,
                true,
                naive,
            );
            let stored = user.clone();
            state
                .db
                .run(move |conn| users::insert(conn, &stored))
                .await?;
            return Ok(Some((Some(user), true)));
        }
        None => return Ok(Some((None, false))),
    };
    if user.email_verified {
        return Ok(Some((Some(user), false)));
    }
    // Refused before the account is touched: a banned user's link changes nothing (the session
    // start would refuse it anyway, after the password and sessions were gone).
    if user.is_banned(naive) {
        return Err(ApiError::BannedUser);
    }
    let user_id = user.id.clone();
    let work: WithRevocation = {
        let user_id = user_id.clone();
        Box::new(move |conn| {
            users::delete_credential(conn, &user_id)?;
            users::mark_email_verified(conn, &user_id, naive).map(drop)
        })
    };
    state
        .sessions
        .revoke_for_user_with(
            &state.db,
            &user_id,
            Revocation::All { current: None },
            now,
            work,
        )
        .await?;
    let verified = UserRow {
        email_verified: true,
        updated_at: naive,
        ..user
    };
    Ok(Some((Some(verified), false)))
}
