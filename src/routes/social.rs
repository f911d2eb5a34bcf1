//! Sign-in with OAuth 2.0 / OpenID Connect providers, on Better Auth 1.7.25's wire:
//! `POST /sign-in/social` answers the provider's authorization URL and binds the sign-in to the
//! browser (a signed `oauth_state` cookie, and a single-use row keyed by the hash of `state`);
//! the provider sends the browser back to `GET /callback/{providerId}`, which checks the state,
//! exchanges the code (PKCE), checks the ID token, finds, links or creates the user, starts a
//! session and redirects. Every failure after the state check redirects to `errorCallbackURL`
//! (else `/api/auth/error`) with `?error=<code>`, never a 500.
//!
//! Also here: `GET /error` (the page those redirects land on without an `errorCallbackURL`),
//! `GET /list-accounts` and `POST /unlink-account`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;

use crate::auth::origin;
use crate::db::accounts::{self, Tokens};
use crate::db::models::{AccountRow, UserRow, VerificationRow};
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{AccountInfo, SocialSignInBody, SocialSignInResponse, StatusTrueResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{self, Accepts};
use crate::ids::{random_id, sha256_hex};
use crate::mail::templates::html_escape;
use crate::oauth::{Failure, Identity, Provider};
use crate::routes::{
    ErrorCodes, SignedInPostErrors, Targets, auth_base, is_fresh, redirect, redirect_with,
    resolved_redirect, signed_in, start_session,
};
use crate::rules::{MAX_IMAGE_CHARS, MAX_NAME_CHARS};
use crate::state::AppState;

/// How long a sign-in may take between sign-in/social and the callback.
const STATE_LIFETIME_SECS: i64 = 600;
/// The longest `error` or `error_description` from a provider carried on to the error page.
const MAX_PROVIDER_ERROR_CHARS: usize = 256;

/// The codes sign-in/social answers with where a status carries several.
pub const SIGN_IN_ERROR_CODES: ErrorCodes = &[
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
    ("404", &["PROVIDER_NOT_FOUND", "ID_TOKEN_NOT_SUPPORTED"]),
];
/// The callback's only JSON error: a parameter given twice.
pub const CALLBACK_ERROR_CODES: ErrorCodes = &[("400", &["VALIDATION_ERROR"])];
/// The codes unlink-account answers with where a status carries several.
pub const UNLINK_ERROR_CODES: ErrorCodes = &[
    (
        "400",
        &[
            "VALIDATION_ERROR",
            "BAD_REQUEST",
            "FAILED_TO_UNLINK_LAST_ACCOUNT",
            "ACCOUNT_NOT_FOUND",
        ],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "SESSION_NOT_FRESH",
        ],
    ),
];

/// What the callback needs, stored with the state.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    verifier: String,
    nonce: String,
    callback_url: Option<String>,
    new_user_callback_url: Option<String>,
    error_callback_url: Option<String>,
}

/// Start a sign-in with an OAuth / OpenID Connect provider.
///
/// Answers the provider's authorization URL (with PKCE, `state` and `nonce`) and sets the
/// `oauth_state` cookie that binds the sign-in to this browser for ten minutes; the browser goes
/// to `url`, and the provider sends it back to `/api/auth/callback/{provider}`. With
/// `disableRedirect`, `redirect` is `false` and no `Location` is sent. `idToken` sign-in (mobile
/// apps) is not built yet: 404 `ID_TOKEN_NOT_SUPPORTED`.
#[utoipa::path(
    operation_id = "signInSocial",
    tag = "social sign-in",
    request_body(content = SocialSignInBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Go to `url`.", body = SocialSignInResponse,
            headers(("Location" = String, description = "`url`, unless `disableRedirect`."))),
        (status = 400, description = "A malformed body.", body = ErrorBody),
        (status = 403, description = "An untrusted callback URL, or the sign-in CSRF rules.", body = ErrorBody),
        (status = 404, description = "No such provider, or `idToken` sign-in.", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "Not JSON.", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[post("/sign-in/social")]
pub async fn sign_in_social(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let body = extract::social_sign_in_body(body.as_ref())?;
    origin::check_sign_in_csrf(&req, &state.config.trusted_origins)?;
    let targets = Targets::checked(
        &state,
        Targets {
            callback: body.callback_url,
            new_user: body.new_user_callback_url,
            error: body.error_callback_url,
        },
    )?;
    let Some(provider) = state.oauth.get(&body.provider) else {
        return Err(ApiError::ProviderNotFound);
    };
    if body.id_token.is_some() {
        return Err(ApiError::IdTokenNotSupported);
    }
    let authorization =
        provider.authorize(&body.scopes.unwrap_or_default(), body.login_hint.as_deref());
    let pending = Pending {
        provider: provider.id.clone(),
        verifier: authorization.verifier,
        nonce: authorization.nonce,
        callback_url: targets.callback,
        new_user_callback_url: targets.new_user,
        error_callback_url: targets.error,
    };
    let now = state.clock.now();
    let row = VerificationRow {
        id: random_id(),
        purpose: Purpose::OAuthState.as_str().to_owned(),
        token_hash: sha256_hex(&authorization.state),
        user_id: None,
        email: String::new(),
        new_email: None,
        name: None,
        expires_at: (now + chrono::Duration::seconds(STATE_LIFETIME_SECS)).naive_utc(),
        created_at: now.naive_utc(),
        used_at: None,
        payload: Some(
            serde_json::to_string(&pending).map_err(|e| ApiError::Internal(e.to_string()))?,
        ),
    };
    state
        .db
        .run(move |conn| verifications::insert(conn, &row))
        .await?;
    let url = authorization.url.to_string();
    let redirect = !body.disable_redirect.unwrap_or(false);
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .append_header((
            header::SET_COOKIE,
            state
                .cookies
                .oauth_state(&authorization.state, STATE_LIFETIME_SECS),
        ));
    if redirect {
        response.insert_header((header::LOCATION, url.as_str()));
    }
    Ok(response.json(SocialSignInResponse { url, redirect }))
}

/// What a provider's redirect carries.
#[derive(Default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// The callback's query: each parameter at most once (a repeated one is 400, as Better Auth's
/// validation answers); unknown ones are ignored.
fn callback_query(raw: &str) -> Result<CallbackQuery, ApiError> {
    let mut query = CallbackQuery::default();
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut query.code,
            "state" => &mut query.state,
            "error" => &mut query.error,
            "error_description" => &mut query.error_description,
            "iss" => &mut query.iss,
            _ => continue,
        };
        if slot.is_some() {
            return Err(ApiError::Validation(format!(
                "[query.{key}] Invalid input: expected string, received array"
            )));
        }
        *slot = Some(value.into_owned());
    }
    Ok(query)
}

/// Where the provider sends the browser back.
///
/// Checks the state (present, known, unused, unexpired, and the one this browser's
/// `oauth_state` cookie carries), then the provider's answer: an `error` from it, no `code`, an
/// `iss` (RFC 9207) that is not the provider's, a code the token endpoint refuses, an ID token
/// that fails a check. A user is found by the provider account, else linked by address only when
/// both the provider and gatehouse hold it verified, else created. Success starts a session and
/// redirects to `callbackURL` (`newUserCallbackURL` for a new user); every failure redirects to
/// `errorCallbackURL`, else `/api/auth/error`, with `?error=`: `state_not_found`,
/// `state_mismatch`, `oauth_provider_not_found`, the provider's own `error` (with
/// `error_description`), `no_code`, `issuer_mismatch`, `invalid_code`, `unable_to_get_user_info`,
/// `email_not_found`, `account_not_linked`, `email_not_verified`.
#[utoipa::path(
    operation_id = "oauthCallback",
    tag = "social sign-in",
    params(
        ("providerId" = String, Path, description = "The provider's id."),
        ("code" = Option<String>, Query, description = "The authorization code."),
        ("state" = Option<String>, Query, description = "The `state` of the sign-in."),
        ("error" = Option<String>, Query, description = "The provider's error code."),
        ("error_description" = Option<String>, Query, description = "The provider's error text."),
        ("iss" = Option<String>, Query, description = "The issuer (RFC 9207)."),
    ),
    responses(
        (status = 302, description = "Signed in, or failed with `?error=`.",
            headers(("Location" = String, description = "The target."))),
        (status = 400, description = "A parameter given twice.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[get("/callback/{providerId}")]
pub async fn callback(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = callback_query(req.query_string())?;
    let base = auth_base(&state.config.base_url);
    let error_url = format!("{base}/error");
    let now = state.clock.now();
    let Some(state_value) = query.state.clone().filter(|s| !s.is_empty()) else {
        return redirect(&resolved_redirect(
            &base,
            &error_url,
            &[("error", "state_not_found")],
        )?);
    };
    let hash = sha256_hex(&state_value);
    let row = state
        .db
        .run(move |conn| {
            verifications::find_usable(conn, Purpose::OAuthState, &hash, now.naive_utc())
        })
        .await?;
    let pending = row
        .as_ref()
        .and_then(|row| row.payload.as_deref())
        .and_then(|payload| serde_json::from_str::<Pending>(payload).ok());
    let (Some(row), Some(pending)) = (row, pending) else {
        return redirect(&resolved_redirect(
            &base,
            &error_url,
            &[("error", "state_mismatch")],
        )?);
    };
    let error_target = pending
        .error_callback_url
        .clone()
        .unwrap_or_else(|| error_url.clone());
    let fail = |code: &str, description: Option<&str>| -> Result<HttpResponse, ApiError> {
        let mut params = vec![("error", code)];
        if let Some(description) = description {
            params.push(("error_description", description));
        }
        let mut response = HttpResponse::Found();
        response.append_header((header::SET_COOKIE, state.cookies.expire_oauth_state()));
        redirect_with(response, &resolved_redirect(&base, &error_target, &params)?)
    };
    let bound = state
        .cookies
        .presented_oauth_state(&req)
        .is_some_and(|cookie| bool::from(cookie.as_bytes().ct_eq(state_value.as_bytes())));
    if !bound {
        // Not this browser's sign-in: the row stays for the browser that started it.
        return fail("state_mismatch", None);
    }
    let row_id = row.id.clone();
    let used = state
        .db
        .run(move |conn| verifications::mark_used(conn, &row_id, now.naive_utc()))
        .await?;
    if !used {
        return fail("state_mismatch", None);
    }
    let provider_id = path.into_inner();
    if pending.provider != provider_id {
        // A response for one provider delivered to another's callback (mix-up).
        return fail("state_mismatch", None);
    }
    let Some(provider) = state.oauth.get(&provider_id) else {
        return fail("oauth_provider_not_found", None);
    };
    if let Some(error) = &query.error {
        let error = bounded(error);
        let description = query.error_description.as_deref().map(bounded);
        return fail(&error, description.as_deref());
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        return fail("no_code", None);
    };
    if query
        .iss
        .as_deref()
        .is_some_and(|iss| iss != provider.issuer())
    {
        return fail("issuer_mismatch", None);
    }
    let identity = match provider
        .finish(code, pending.verifier, &pending.nonce)
        .await
    {
        Ok(identity) => identity,
        Err(failure) => {
            log::warn!("oauth sign-in with {provider_id} failed: {failure}");
            return fail(
                match failure {
                    Failure::InvalidCode(_) | Failure::Unreachable(_) => "invalid_code",
                    Failure::InvalidIdToken(_) => "unable_to_get_user_info",
                },
                None,
            );
        }
    };
    let outcome = match user_for(&state, provider, identity, now).await? {
        Ok(outcome) => outcome,
        Err(code) => return fail(code, None),
    };
    if state.config.require_email_verification && !outcome.user.email_verified {
        return fail("email_not_verified", None);
    }
    let (mut response, _token) = start_session(&req, &state, &outcome.user, true, now).await?;
    response.append_header((header::SET_COOKIE, state.cookies.expire_oauth_state()));
    let target = match (&pending.new_user_callback_url, &pending.callback_url) {
        (Some(new_user), _) if outcome.is_new => new_user.clone(),
        (_, Some(callback)) => callback.clone(),
        (_, None) => state.config.base_url.origin().ascii_serialization(),
    };
    redirect_with(response, &resolved_redirect(&base, &target, &[])?)
}

/// A provider's value, bounded and on one line, before it goes into a redirect.
fn bounded(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_PROVIDER_ERROR_CHARS)
        .collect()
}

/// Who signs in.
struct Outcome {
    user: UserRow,
    is_new: bool,
}

/// The user the provider's identity signs in: the owner of the provider account; else a user
/// with the same address, linked only when the provider and gatehouse both hold the address
/// verified (otherwise anyone who can make a provider account with an unverified address, or
/// who signed up with someone else's, would take over the account); else a new user. `Err` is
/// the redirect's error code.
async fn user_for(
    state: &AppState,
    provider: &Provider,
    identity: Identity,
    now: DateTime<Utc>,
) -> Result<Result<Outcome, &'static str>, ApiError> {
    let naive = now.naive_utc();
    let (provider_id, subject) = (provider.id.clone(), identity.subject.clone());
    let linked = state
        .db
        .run(move |conn| accounts::find_user(conn, &provider_id, &subject))
        .await?;
    if let Some((account_id, mut user)) = linked {
        let tokens = sealed_tokens(state, &account_id, &identity);
        let verify = identity.email_verified
            && !user.email_verified
            && identity.email.as_deref() == Some(user.email.as_str());
        let (id, user_id) = (account_id.clone(), user.id.clone());
        state
            .db
            .run(move |conn| {
                accounts::set_tokens(conn, &id, &tokens, naive)?;
                if verify {
                    users::mark_email_verified(conn, &user_id, naive)?;
                }
                Ok(())
            })
            .await?;
        if verify {
            user.email_verified = true;
        }
        return Ok(Ok(Outcome {
            user,
            is_new: false,
        }));
    }
    let Some(email) = identity.email.clone().filter(|e| crate::rules::is_email(e)) else {
        return Ok(Err("email_not_found"));
    };
    let lookup = email.clone();
    let existing = state
        .db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?;
    if let Some(user) = existing {
        if !(identity.email_verified && user.email_verified) {
            log::info!(
                "oauth sign-in with {}: not linked to the existing account of the same address (verified: provider {}, gatehouse {})",
                provider.id,
                identity.email_verified,
                user.email_verified
            );
            return Ok(Err("account_not_linked"));
        }
        let account = new_account(state, provider, &user.id, &identity, naive);
        state
            .db
            .run(move |conn| accounts::insert(conn, &account))
            .await?;
        return Ok(Ok(Outcome {
            user,
            is_new: false,
        }));
    }
    let image = identity
        .image
        .clone()
        .filter(|image| image.chars().count() <= MAX_IMAGE_CHARS && image.starts_with("https://"));
    let user = UserRow {
        id: random_id(),
        name: identity
            .name
            .clone()
            .unwrap_or_default()
            .chars()
            .filter(|c| *c != '\0')
            .take(MAX_NAME_CHARS)
            .collect(),
        email,
        email_verified: identity.email_verified,
        image,
        username: None,
        display_username: None,
        created_at: naive,
        updated_at: naive,
    };
    let account = new_account(state, provider, &user.id, &identity, naive);
    let stored = user.clone();
    let created = state
        .db
        .run(move |conn| users::insert_with_account(conn, &stored, &account))
        .await;
    match created {
        Ok(()) => Ok(Ok(Outcome { user, is_new: true })),
        // The same address signed up meanwhile: as a taken address, it is not linked.
        Err(ApiError::EmailTaken) => Ok(Err("account_not_linked")),
        Err(error) => Err(error),
    }
}

/// The provider's tokens, sealed for the account row `account_id`.
fn sealed_tokens(state: &AppState, account_id: &str, identity: &Identity) -> Tokens {
    let seal = |value: &str| {
        state
            .token_sealer
            .seal(value.as_bytes(), account_id.as_bytes())
    };
    let tokens = &identity.tokens;
    Tokens {
        access_token: Some(seal(&tokens.access_token)),
        refresh_token: tokens.refresh_token.as_deref().map(seal),
        id_token: Some(seal(&tokens.id_token)),
        access_token_expires_at: tokens.access_token_expires_at.map(|at| at.naive_utc()),
        scope: tokens.scope.clone(),
    }
}

fn new_account(
    state: &AppState,
    provider: &Provider,
    user_id: &str,
    identity: &Identity,
    now: chrono::NaiveDateTime,
) -> AccountRow {
    let id = random_id();
    let tokens = sealed_tokens(state, &id, identity);
    AccountRow {
        id,
        user_id: user_id.to_owned(),
        provider_id: provider.id.clone(),
        account_id: identity.subject.clone(),
        password_hash: None,
        created_at: now,
        updated_at: now,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
        access_token_expires_at: tokens.access_token_expires_at,
        scope: tokens.scope,
    }
}

/// The query of the error page.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorPageQuery {
    /// A code such as `state_mismatch`; anything but letters, digits, `_`, `-` and `'` shows as
    /// `UNKNOWN`.
    pub error: Option<String>,
    /// The provider's text, shown escaped.
    pub error_description: Option<String>,
}

/// The page a failed social sign-in lands on without an `errorCallbackURL`.
///
/// Plain HTML: the code and the description, escaped, with a CSP that allows nothing else.
#[utoipa::path(
    operation_id = "errorPage",
    tag = "social sign-in",
    params(ErrorPageQuery),
    responses((status = 200, description = "The page.", content_type = "text/html", body = String))
)]
#[get("/error")]
pub async fn error_page(req: HttpRequest) -> HttpResponse {
    // A query that does not parse shows the page for an unknown error rather than a non-JSON 400.
    let query = web::Query::<ErrorPageQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or(ErrorPageQuery {
            error: None,
            error_description: None,
        });
    let code = query
        .error
        .as_deref()
        .filter(|code| {
            !code.is_empty()
                && code.len() <= MAX_PROVIDER_ERROR_CHARS
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'\''))
        })
        .unwrap_or("UNKNOWN");
    let description = query
        .error_description
        .as_deref()
        .map(bounded)
        .map(|text| format!("<p>{}</p>\n", html_escape(&text)))
        .unwrap_or_default();
    crate::routes::reset_page::page(
        actix_web::http::StatusCode::OK,
        "Sign-in failed",
        &format!(
            "<p>The sign-in could not be completed: <code>{}</code>.</p>\n{description}\
             <p>Go back to the application and try again.</p>\n",
            html_escape(code)
        ),
    )
}

/// The signed-in user's accounts: the password credential and each provider.
///
/// Never a token: `scopes` are what the provider granted.
#[utoipa::path(
    operation_id = "listUserAccounts",
    tag = "social sign-in",
    responses(
        (status = 200, description = "The accounts, oldest first.", body = Vec<AccountInfo>),
        (status = 401, description = "No session.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[get("/list-accounts")]
pub async fn list_accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = signed_in(&req, &state).await?;
    let user_id = active.user.id.clone();
    let rows = state
        .db
        .run(move |conn| accounts::list_for_user(conn, &user_id))
        .await?;
    let accounts: Vec<AccountInfo> = rows.into_iter().map(AccountInfo::from).collect();
    Ok(response.json(accounts))
}

/// Unlink one of the signed-in user's accounts (by its `id` in list-accounts).
///
/// Needs a fresh session. The last account cannot go: 400 `FAILED_TO_UNLINK_LAST_ACCOUNT`
/// (checked first, as Better Auth does); an id that is not one of the user's accounts: 400
/// `ACCOUNT_NOT_FOUND`.
#[utoipa::path(
    operation_id = "unlinkAccount",
    tag = "social sign-in",
    request_body(content = crate::dto::UnlinkAccountBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Unlinked.", body = StatusTrueResponse),
        (status = 400, description = "The last account, an unknown one, or a malformed body.", body = ErrorBody),
        SignedInPostErrors,
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    )
)]
#[post("/unlink-account")]
pub async fn unlink_account(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let (response, active) = signed_in(&req, &state).await?;
    let account_id = extract::required_string(body.as_ref(), "accountId")?;
    let now = state.clock.now();
    if !is_fresh(&state, &active, now) {
        return Err(ApiError::SessionNotFresh);
    }
    let user_id = active.user.id.clone();
    let removed = state
        .db
        .run(move |conn| accounts::unlink(conn, &user_id, &account_id))
        .await?;
    match removed {
        accounts::Unlinked::Done => {
            let mut response = response;
            Ok(response.json(StatusTrueResponse { status: true }))
        }
        accounts::Unlinked::LastAccount => Err(ApiError::FailedToUnlinkLastAccount),
        accounts::Unlinked::NotFound => Err(ApiError::AccountNotFound),
    }
}
