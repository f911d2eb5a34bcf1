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
use serde_json::Value;
use subtle::ConstantTimeEq as _;

use crate::auth::origin;
use crate::db::accounts::{self, Tokens};
use crate::db::models::{AccountRow, UserRow, VerificationRow};
use crate::db::users;
use crate::db::verifications::{self, Purpose};
use crate::dto::{
    AccountInfo, IdTokenBody, LinkSocialBody, LinkSocialResponse, SocialSessionResponse,
    SocialSignInAnswer, SocialSignInBody, SocialSignInResponse, StatusTrueResponse, User,
};
use crate::error::{ApiError, BANNED_USER_MESSAGE, ErrorBody, TokenEndpoint};
use crate::extract::{self, Accepts};
use crate::ids::{random_id, sha256_hex};
use crate::mail::templates::html_escape;
use crate::oauth::{Failure, Identity, Provider};
use crate::routes::{
    ErrorCodes, SignedInPostErrors, Targets, auth_base, is_fresh, redirect, redirect_with,
    resolved_redirect, signed_in, start_session,
};
use crate::rules::{MAX_IMAGE_CHARS, MAX_NAME_CHARS};
use crate::session::Refresh;
use crate::session::cookie::Presented;
use crate::state::AppState;

/// How long a sign-in may take between sign-in/social and the callback.
const STATE_LIFETIME_SECS: i64 = 600;
/// The longest `error` or `error_description` from a provider carried on to the error page.
const MAX_PROVIDER_ERROR_CHARS: usize = 256;

/// The codes sign-in/social answers with where a status carries several.
pub const SIGN_IN_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR", "BAD_REQUEST"]),
    (
        "401",
        &["INVALID_TOKEN", "USER_EMAIL_NOT_FOUND", "OAUTH_LINK_ERROR"],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
            "INVALID_CALLBACK_URL",
            "INVALID_NEW_USER_CALLBACK_URL",
            "INVALID_ERROR_CALLBACK_URL",
            "EMAIL_NOT_VERIFIED",
        ],
    ),
    ("404", &["PROVIDER_NOT_FOUND", "ID_TOKEN_NOT_SUPPORTED"]),
];
/// The codes link-social answers with where a status carries several.
pub const LINK_ERROR_CODES: ErrorCodes = &[
    ("400", &["VALIDATION_ERROR", "BAD_REQUEST"]),
    (
        "401",
        &[
            "UNAUTHORIZED",
            "INVALID_TOKEN",
            "USER_EMAIL_NOT_FOUND",
            "LINKING_NOT_ALLOWED",
            "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED",
        ],
    ),
    (
        "403",
        &[
            "MISSING_OR_NULL_ORIGIN",
            "INVALID_ORIGIN",
            "INVALID_CALLBACK_URL",
            "INVALID_ERROR_CALLBACK_URL",
        ],
    ),
    ("404", &["PROVIDER_NOT_FOUND", "ID_TOKEN_NOT_SUPPORTED"]),
    ("409", &["SOCIAL_ACCOUNT_ALREADY_LINKED"]),
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
    /// link-social: whose account the provider's is linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link: Option<LinkFor>,
}

/// The user link-social started for, and their session's token, sealed: the link goes ahead only
/// while that session is in force.
#[derive(Serialize, Deserialize)]
struct LinkFor {
    user_id: String,
    sealed_session: String,
}

/// The context under which a link's session token is sealed in the state row.
const LINK_SESSION_CONTEXT: &[u8] = b"oauth-link-session";

/// Start a sign-in with an OAuth / OpenID Connect provider.
///
/// Answers the provider's authorization URL (with PKCE, `state` and `nonce`) and sets the
/// `oauth_state` cookie that binds the sign-in to this browser for ten minutes; the browser goes
/// to `url`, and the provider sends it back to `/api/auth/callback/{provider}`. With
/// `disableRedirect`, `redirect` is `false` and no `Location` is sent.
///
/// With `idToken` (native apps that signed in at the provider themselves), the token is checked
/// (the issuer's signature, `iss`, `aud` this client id or one of `_ID_TOKEN_CLIENT_IDS`, `exp`,
/// and `nonce` when given) and the answer is a session, as sign-in/email answers:
/// `{redirect: false, token, user}` with the session cookie.
#[utoipa::path(
    operation_id = "signInSocial",
    tag = "social sign-in",
    request_body(content = SocialSignInBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Go to `url`; with `idToken`, signed in.", body = SocialSignInAnswer,
            headers(("Location" = String, description = "`url`, unless `disableRedirect` or `idToken`."))),
        (status = 400, description = "A malformed body.", body = ErrorBody),
        (status = 403, description = "An untrusted callback URL, or the sign-in CSRF rules.", body = ErrorBody),
        (status = 401, description = "An `idToken` that fails a check or names no email, or whose address is a local user's the provider may not sign in.", body = ErrorBody),
        (status = 404, description = "No such provider.", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "Not JSON.", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this client.", body = ErrorBody),
        (status = 503, description = "Database, or the provider's keys, unavailable.", body = ErrorBody),
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
    let now = state.clock.now();
    if let Some(id_token) = body.id_token {
        let identity = app_identity(provider, id_token).await?;
        let outcome = match user_for(&state, provider, identity, now).await? {
            Ok(outcome) => outcome,
            Err("email_not_found") => return Err(ApiError::UserEmailNotFound),
            Err(_) => return Err(ApiError::OAuthLinkError),
        };
        if state.config.require_email_verification && !outcome.user.email_verified {
            return Err(ApiError::EmailNotVerified);
        }
        let (mut response, token) = start_session(&req, &state, &outcome.user, true, now).await?;
        return Ok(response.json(SocialSignInAnswer::Session(Box::new(
            SocialSessionResponse {
                redirect: false,
                token,
                user: User::of(outcome.user, state.config.admin),
            },
        ))));
    }
    let pending = Pending {
        provider: provider.id.clone(),
        verifier: String::new(),
        nonce: String::new(),
        callback_url: targets.callback,
        new_user_callback_url: targets.new_user,
        error_callback_url: targets.error,
        link: None,
    };
    let request = AuthorizationRequest {
        scopes: body.scopes.unwrap_or_default(),
        login_hint: body.login_hint,
        disable_redirect: body.disable_redirect.unwrap_or(false),
    };
    redirect_to_provider(&state, provider, pending, request, now).await
}

/// What sign-in/social and link-social ask the provider for.
struct AuthorizationRequest {
    scopes: Vec<String>,
    login_hint: Option<String>,
    disable_redirect: bool,
}

/// Stores the sign-in's state and answers `{url, redirect}` with the state cookie.
async fn redirect_to_provider(
    state: &AppState,
    provider: &Provider,
    mut pending: Pending,
    request: AuthorizationRequest,
    now: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let authorization = provider.authorize(&request.scopes, request.login_hint.as_deref());
    pending.verifier = authorization.verifier;
    pending.nonce = authorization.nonce;
    let row = VerificationRow {
        id: random_id(),
        purpose: Purpose::OAuthState.as_str().to_owned(),
        token_hash: sha256_hex(&authorization.state),
        user_id: pending.link.as_ref().map(|link| link.user_id.clone()),
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
    let redirect = !request.disable_redirect;
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

/// Link a provider account to the signed-in user.
///
/// Without `idToken`, as sign-in/social: answers the provider's authorization URL, and the
/// callback links the account if the session that asked is still in force, the provider asserts
/// the address verified and it is the user's address; then it redirects to `callbackURL`, or to
/// `errorCallbackURL` with `?error=unable_to_link_account`, `email_does_not_match` or
/// `account_already_linked_to_different_user`. With `idToken`, links at once and answers
/// `{url: "", status: true, redirect: false}`.
#[utoipa::path(
    operation_id = "linkSocialAccount",
    tag = "social sign-in",
    request_body(content = LinkSocialBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Go to `url`; or, with `idToken`, linked.", body = LinkSocialResponse,
            headers(("Location" = String, description = "`url`, unless `disableRedirect` or `idToken`."))),
        (status = 400, description = "A malformed body.", body = ErrorBody),
        (status = 401, description = "No session; or an `idToken` that fails a check, names no email, or an address the provider does not assert verified or that is not the user's.", body = ErrorBody),
        (status = 403, description = "An untrusted callback URL, or the origin checks.", body = ErrorBody),
        (status = 404, description = "No such provider.", body = ErrorBody),
        (status = 409, description = "`idToken`: another user holds the provider account.", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "Not JSON.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client.", body = ErrorBody),
        (status = 503, description = "Database or the provider's keys unavailable.", body = ErrorBody),
    )
)]
#[post("/link-social")]
pub async fn link_social(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await?;
    let body = extract::social_sign_in_body(body.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (_, active) = signed_in(&req, &state).await?;
    let targets = Targets::checked(
        &state,
        Targets {
            callback: body.callback_url,
            new_user: None,
            error: body.error_callback_url,
        },
    )?;
    let Some(provider) = state.oauth.get(&body.provider) else {
        return Err(ApiError::ProviderNotFound);
    };
    let now = state.clock.now();
    let user_id = active.user.id.clone();
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, &user_id))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if let Some(id_token) = body.id_token {
        let identity = app_identity(provider, id_token).await?;
        if identity.email.is_none() {
            return Err(ApiError::UserEmailNotFound);
        }
        return match link(&state, provider, &user, &identity, now).await? {
            Ok(()) => Ok(HttpResponse::Ok().json(LinkSocialResponse {
                url: String::new(),
                redirect: false,
                status: Some(true),
            })),
            Err(LinkRefused::OtherUser) => Err(ApiError::SocialAccountAlreadyLinked),
            Err(LinkRefused::NotVerified) => Err(ApiError::LinkingNotAllowed),
            Err(LinkRefused::DifferentEmail) => Err(ApiError::LinkingDifferentEmailsNotAllowed),
        };
    }
    let pending = Pending {
        provider: provider.id.clone(),
        verifier: String::new(),
        nonce: String::new(),
        callback_url: targets.callback,
        new_user_callback_url: None,
        error_callback_url: targets.error,
        link: Some(LinkFor {
            user_id: user.id.clone(),
            sealed_session: state
                .token_sealer
                .seal(active.session.token.as_bytes(), LINK_SESSION_CONTEXT),
        }),
    };
    let request = AuthorizationRequest {
        scopes: body.scopes.unwrap_or_default(),
        login_hint: body.login_hint,
        disable_redirect: body.disable_redirect.unwrap_or(false),
    };
    redirect_to_provider(&state, provider, pending, request, now).await
}

/// Who the ID token an app presents names, or the error to answer: 401 `INVALID_TOKEN` for a
/// token that fails a check, 503 when the provider's keys cannot be fetched.
async fn app_identity(provider: &Provider, id_token: IdTokenBody) -> Result<Identity, ApiError> {
    let identity = provider
        .identity_from_id_token(
            &id_token.token,
            id_token.nonce.as_deref(),
            id_token.access_token,
            id_token.refresh_token,
        )
        .await;
    match identity {
        Ok(identity) => Ok(identity),
        Err(Failure::Unreachable(reason)) => Err(ApiError::Unavailable(format!(
            "oauth provider {}: {reason}",
            provider.id
        ))),
        Err(Failure::IdTokensNotSupported) => Err(ApiError::IdTokenNotSupported),
        Err(failure) => {
            log::info!("ID-token sign-in with {} refused: {failure}", provider.id);
            Err(ApiError::InvalidToken(TokenEndpoint::IdToken))
        }
    }
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

impl CallbackQuery {
    /// The parameters present, by name.
    fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("code", &self.code),
            ("state", &self.state),
            ("error", &self.error),
            ("error_description", &self.error_description),
            ("iss", &self.iss),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|value| (name, value)))
    }
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
/// `email_not_found`, `account_not_linked`, `email_not_verified`, `banned` (with
/// `error_description`).
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
        .is_some_and(|iss| provider.issuer().is_some_and(|issuer| iss != issuer))
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
                    Failure::InvalidIdToken(_) | Failure::IdTokensNotSupported => {
                        "unable_to_get_user_info"
                    }
                },
                None,
            );
        }
    };
    if let Some(link) = &pending.link {
        if let Err(code) = link_after_redirect(&state, provider, link, identity, now).await? {
            return fail(code, None);
        }
        let target = pending
            .callback_url
            .clone()
            .unwrap_or_else(|| state.config.base_url.origin().ascii_serialization());
        let mut response = HttpResponse::Found();
        response.append_header((header::SET_COOKIE, state.cookies.expire_oauth_state()));
        return redirect_with(response, &resolved_redirect(&base, &target, &[])?);
    }
    let outcome = match user_for(&state, provider, identity, now).await? {
        Ok(outcome) => outcome,
        Err(code) => return fail(code, None),
    };
    if state.config.require_email_verification && !outcome.user.email_verified {
        return fail("email_not_verified", None);
    }
    let (mut response, _token) = match start_session(&req, &state, &outcome.user, true, now).await {
        Ok(started) => started,
        // As Better Auth's admin plugin answers a banned user on its callbacks.
        Err(ApiError::BannedUser) => return fail("banned", Some(BANNED_USER_MESSAGE)),
        Err(error) => return Err(error),
    };
    response.append_header((header::SET_COOKIE, state.cookies.expire_oauth_state()));
    let target = match (&pending.new_user_callback_url, &pending.callback_url) {
        (Some(new_user), _) if outcome.is_new => new_user.clone(),
        (_, Some(callback)) => callback.clone(),
        (_, None) => state.config.base_url.origin().ascii_serialization(),
    };
    redirect_with(response, &resolved_redirect(&base, &target, &[])?)
}

/// Where a provider that answers by `form_post` (Apple, or any with `response_mode=form_post`)
/// POSTs the browser back.
///
/// Sends the browser on to the GET callback with the same parameters (the body's, then the
/// query's over them), as Better Auth does: the cross-site POST carries no `SameSite=Lax` state
/// cookie, the top-level GET it leads to does. Nothing is checked or written here. The body is
/// the provider's form (`code`, `state`, `error`, `error_description`, `iss`; other fields are
/// ignored, as providers add their own), or JSON of the same.
#[utoipa::path(
    operation_id = "oauthCallbackPost",
    tag = "social sign-in",
    params(("providerId" = String, Path, description = "The provider's id.")),
    responses(
        (status = 302, description = "On to the GET callback with the same parameters.",
            headers(("Location" = String, description = "`/api/auth/callback/{providerId}?...`"))),
        (status = 400, description = "A parameter that is not a string.", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "Neither a form nor JSON.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client.", body = ErrorBody),
    )
)]
#[post("/callback/{providerId}")]
pub async fn callback_post(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body =
        extract::read_body(&req, payload, Accepts::JsonOrForm, state.request_timeout()).await?;
    let mut params: Vec<(&str, String)> = Vec::new();
    let query = callback_query(req.query_string())?;
    if let Some(body) = &body {
        let Some(fields) = body.as_object() else {
            return Err(ApiError::Validation(
                "[body] Invalid input: expected object".to_owned(),
            ));
        };
        for name in CALLBACK_PARAMS {
            match fields.get(name) {
                None | Some(Value::Null) => {}
                Some(Value::String(value)) => params.push((name, value.clone())),
                Some(_) => {
                    return Err(ApiError::Validation(format!(
                        "[body.{name}] Invalid input: expected string"
                    )));
                }
            }
        }
    }
    for (name, value) in query.pairs() {
        params.retain(|(known, _)| *known != name);
        params.push((name, value.to_owned()));
    }
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let base = auth_base(&state.config.base_url);
    let target = format!("{base}/callback/{}", crate::routes::enc(&path.into_inner()));
    redirect(&resolved_redirect(&base, &target, &pairs)?)
}

/// The parameters a provider's answer may carry.
const CALLBACK_PARAMS: [&str; 5] = ["code", "state", "error", "error_description", "iss"];

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
        let inserted = state
            .db
            .run(move |conn| accounts::insert(conn, &account))
            .await;
        return match inserted {
            Ok(()) => Ok(Ok(Outcome {
                user,
                is_new: false,
            })),
            // The same provider account was linked meanwhile (two callbacks at once): sign in
            // whoever holds it now.
            Err(ApiError::SocialAccountAlreadyLinked) => {
                holder(state, provider, &identity.subject).await
            }
            Err(error) => Err(error),
        };
    }
    let image = identity
        .image
        .clone()
        .filter(|image| image.chars().count() <= MAX_IMAGE_CHARS && image.starts_with("https://"));
    let name = identity
        .name
        .clone()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '\0')
        .take(MAX_NAME_CHARS)
        .collect();
    let user = UserRow {
        image,
        ..UserRow::new(random_id(), name, email, identity.email_verified, naive)
    };
    let account = new_account(state, provider, &user.id, &identity, naive);
    let stored = user.clone();
    let created = state
        .db
        .run(move |conn| users::insert_with_account(conn, &stored, &account))
        .await;
    match created {
        Ok(()) => Ok(Ok(Outcome { user, is_new: true })),
        // The same provider account signed in meanwhile and made the user.
        Err(ApiError::SocialAccountAlreadyLinked) => {
            holder(state, provider, &identity.subject).await
        }
        // The same address signed up meanwhile: as a taken address, it is not linked (unless it
        // was this provider account's own first sign-in, racing this one).
        Err(ApiError::EmailTaken { .. }) => match holder(state, provider, &identity.subject).await?
        {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(_) => Ok(Err("account_not_linked")),
        },
        Err(error) => Err(error),
    }
}

/// The user who holds the provider account `subject` now, after a lost race to create or link
/// it; `Err` when nobody does (it was unlinked meanwhile).
async fn holder(
    state: &AppState,
    provider: &Provider,
    subject: &str,
) -> Result<Result<Outcome, &'static str>, ApiError> {
    let (provider_id, subject) = (provider.id.clone(), subject.to_owned());
    let held = state
        .db
        .run(move |conn| accounts::find_user(conn, &provider_id, &subject))
        .await?;
    Ok(match held {
        Some((_, user)) => Ok(Outcome {
            user,
            is_new: false,
        }),
        None => Err("account_not_linked"),
    })
}

/// Why a provider account could not be linked to a signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkRefused {
    /// The provider does not assert the address verified.
    NotVerified,
    /// The provider's address is not the user's.
    DifferentEmail,
    /// Another user holds the provider account.
    OtherUser,
}

/// Links the provider account `identity` names to `user` (or refreshes its tokens when `user`
/// holds it already), on Better Auth's rules: the provider asserts the address verified, and it
/// is the user's address.
async fn link(
    state: &AppState,
    provider: &Provider,
    user: &UserRow,
    identity: &Identity,
    now: DateTime<Utc>,
) -> Result<Result<(), LinkRefused>, ApiError> {
    let naive = now.naive_utc();
    let (provider_id, subject) = (provider.id.clone(), identity.subject.clone());
    let held = state
        .db
        .run(move |conn| accounts::find_user(conn, &provider_id, &subject))
        .await?;
    if let Some((account_id, holder)) = held {
        if holder.id != user.id {
            return Ok(Err(LinkRefused::OtherUser));
        }
        let tokens = sealed_tokens(state, &account_id, identity);
        state
            .db
            .run(move |conn| accounts::set_tokens(conn, &account_id, &tokens, naive))
            .await?;
        return Ok(Ok(()));
    }
    if !identity.email_verified {
        return Ok(Err(LinkRefused::NotVerified));
    }
    if identity.email.as_deref() != Some(user.email.as_str()) {
        return Ok(Err(LinkRefused::DifferentEmail));
    }
    let account = new_account(state, provider, &user.id, identity, naive);
    match state
        .db
        .run(move |conn| accounts::insert(conn, &account))
        .await
    {
        Ok(()) => Ok(Ok(())),
        Err(ApiError::SocialAccountAlreadyLinked) => Ok(Err(LinkRefused::OtherUser)),
        Err(error) => Err(error),
    }
}

/// The callback of a link-social: the session that started it must still be in force, for the
/// same user; then [`link`]. `Err` is the redirect's error code.
async fn link_after_redirect(
    state: &AppState,
    provider: &Provider,
    link_for: &LinkFor,
    identity: Identity,
    now: DateTime<Utc>,
) -> Result<Result<(), &'static str>, ApiError> {
    let token = state
        .token_sealer
        .open(&link_for.sealed_session, LINK_SESSION_CONTEXT)
        .and_then(|token| String::from_utf8(token).ok());
    let Some(token) = token else {
        return Ok(Err("unable_to_link_account"));
    };
    let presented = Presented {
        bearer_sent: true,
        bearer: Some(token),
        ..Presented::default()
    };
    let active = state
        .sessions
        .current(&state.db, &presented, now, Refresh::Never)
        .await?;
    let user_id = link_for.user_id.clone();
    let user = match active {
        Some(active) if active.user.id == user_id => {
            state
                .db
                .run(move |conn| users::find_by_id(conn, &user_id))
                .await?
        }
        _ => None,
    };
    let Some(user) = user else {
        return Ok(Err("unable_to_link_account"));
    };
    Ok(link(state, provider, &user, &identity, now)
        .await?
        .map_err(|refused| match refused {
            LinkRefused::NotVerified => "unable_to_link_account",
            LinkRefused::DifferentEmail => "email_does_not_match",
            LinkRefused::OtherUser => "account_already_linked_to_different_user",
        }))
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
        access_token: tokens.access_token.as_deref().map(seal),
        refresh_token: tokens.refresh_token.as_deref().map(seal),
        id_token: tokens.id_token.as_deref().map(seal),
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
    let account_id = extract::required_string(body.as_ref(), "accountId")?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (response, active) = signed_in(&req, &state).await?;
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
