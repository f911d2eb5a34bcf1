//! The only place routes are registered, and so documented: utoipa-actix-web collects each
//! `.service(...)` into the OpenAPI document (`startup` serves them, `openapi` documents them).
//! The helpers below build the parts of answers that several endpoints share.

pub mod account;
pub mod admin;
pub mod answers;
pub mod change_email;
pub mod docs;
pub mod email_verification;
pub mod fallback;
pub mod health;
pub mod jwks;
pub mod magic_link;
pub mod mailed;
pub mod password_reset;
pub mod reset_page;
pub mod session;
pub mod session_management;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;
pub mod social;
pub mod verify;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::client_ip;
use crate::db::models::UserRow;
use crate::error::{ApiError, header_value};
use crate::session::cookie::EXPOSED_HEADERS;
use crate::session::{ActiveSession, NewSession, Renewal};
use crate::state::AppState;

/// Where the auth API lives; `startup` wraps this scope in CORS and the abuse limits.
pub const AUTH_SCOPE: &str = "/api/auth";

/// The routes under [`AUTH_SCOPE`]. Only `.service(...)` is used, so nothing is served
/// undocumented.
pub fn auth_routes(config: &mut ServiceConfig) {
    config
        .service(sign_up::sign_up)
        .service(sign_up::sign_up_email)
        .service(sign_in::sign_in)
        .service(sign_in::sign_in_email)
        .service(sign_in::sign_in_username)
        .service(sign_out::sign_out)
        .service(session::get_session)
        .service(session::auth_js_session)
        .service(session::ok)
        .service(session_management::list_sessions)
        .service(session_management::revoke_session)
        .service(session_management::revoke_sessions)
        .service(session_management::revoke_other_sessions)
        .service(account::change_password)
        .service(account::verify_password)
        .service(account::update_user)
        .service(account::delete_user)
        .service(account::delete_user_callback)
        .service(account::is_username_available)
        .service(password_reset::request_password_reset)
        .service(password_reset::reset_password_link)
        .service(password_reset::reset_password)
        .service(reset_page::show)
        .service(reset_page::submit)
        .service(email_verification::send_verification_email)
        .service(email_verification::verify_email)
        .service(magic_link::sign_in_magic_link)
        .service(magic_link::magic_link_verify)
        .service(change_email::change_email)
        .service(social::sign_in_social)
        .service(social::callback)
        .service(social::callback_post)
        .service(social::error_page)
        .service(social::list_accounts)
        .service(social::unlink_account)
        .service(social::link_social)
        .service(admin::list_users)
        .service(admin::get_user)
        .service(admin::create_user)
        .service(admin::update_user)
        .service(admin::set_role)
        .service(admin::set_user_password)
        .service(admin::ban_user)
        .service(admin::unban_user)
        .service(admin::list_user_sessions)
        .service(admin::revoke_user_session)
        .service(admin::revoke_user_sessions)
        .service(admin::remove_user)
        .service(admin::impersonate_user)
        .service(admin::stop_impersonating)
        .service(admin::has_permission)
        .service(jwks::jwks)
        .service(verify::verify);
}

/// The operational routes at the root: health, readiness and the API document.
pub fn operational_routes(config: &mut ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(docs::openapi_json);
}

/// The codes an operation answers a status with, where a status carries several, as each
/// handler declares them: the OpenAPI document lists them so generated clients get typed errors.
pub type ErrorCodes = &'static [(&'static str, &'static [&'static str])];

/// The codes of the origin checks (CSRF, the Sec-Fetch rule) and the callback URL rule.
pub const ORIGIN_CODES: &[&str] = &[
    "MISSING_OR_NULL_ORIGIN",
    "INVALID_ORIGIN",
    "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
    "INVALID_CALLBACK_URL",
];
/// The answers every POST that acts for the signed-in user shares, declared once: `responses(...,
/// SignedInPostErrors)` in an operation adds 401, 403 (the cookie CSRF rule), 408, 413 and 415.
pub struct SignedInPostErrors;

impl utoipa::IntoResponses for SignedInPostErrors {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        error_responses(&[
            ("401", "No valid session."),
            (
                "403",
                "A cookie-carrying request from an untrusted or missing origin.",
            ),
            (
                "408",
                "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.",
            ),
            ("413", "Body over 64 KiB."),
            ("415", "Not JSON."),
        ])
    }
}

/// The answers the anonymous POSTs that mail someone share (request-password-reset,
/// send-verification-email, sign-in/magic-link): 408, 413, 415 and 503.
pub struct MailPostErrors;

impl utoipa::IntoResponses for MailPostErrors {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        error_responses(&[
            (
                "408",
                "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.",
            ),
            ("413", "Body over 64 KiB."),
            ("415", "Not JSON."),
            ("503", "Database unavailable."),
        ])
    }
}

/// Error responses with the shared error body, by status and description.
fn error_responses(
    answers: &[(&str, &str)],
) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>>
{
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    answers
        .iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", content)
                .build();
            ((*status).to_owned(), response.into())
        })
        .collect()
}

/// The codes of a body that is not JSON, or not the right shape.
pub const BODY_CODES: &[&str] = &["VALIDATION_ERROR", "BAD_REQUEST"];

/// Each operation's [`ErrorCodes`], by operation id.
pub fn error_codes(operation_id: &str) -> ErrorCodes {
    match operation_id {
        "signUp" | "signUpEmail" => sign_up::ERROR_CODES,
        "signIn" => sign_in::ERROR_CODES,
        "signInEmail" => sign_in::EMAIL_ERROR_CODES,
        "signInUsername" => sign_in::USERNAME_ERROR_CODES,
        "signOut" => sign_out::ERROR_CODES,
        "listSessions" => session_management::LIST_ERROR_CODES,
        "changePassword" => account::CHANGE_PASSWORD_ERROR_CODES,
        "verifyPassword" => account::VERIFY_PASSWORD_ERROR_CODES,
        "updateUser" => account::UPDATE_USER_ERROR_CODES,
        "deleteUser" => account::DELETE_USER_ERROR_CODES,
        "deleteUserCallback" => account::DELETE_CALLBACK_ERROR_CODES,
        "isUsernameAvailable" => account::USERNAME_ERROR_CODES,
        "requestPasswordReset" => password_reset::REQUEST_ERROR_CODES,
        "resetPassword" => password_reset::RESET_ERROR_CODES,
        "resetPasswordCallback" => password_reset::LINK_ERROR_CODES,
        "resetPasswordPageSubmit" => reset_page::SUBMIT_ERROR_CODES,
        "sendVerificationEmail" => email_verification::SEND_ERROR_CODES,
        "verifyEmail" => email_verification::VERIFY_ERROR_CODES,
        "signInMagicLink" => magic_link::SEND_ERROR_CODES,
        "magicLinkVerify" => magic_link::VERIFY_ERROR_CODES,
        "changeEmail" => change_email::ERROR_CODES,
        "signInSocial" => social::SIGN_IN_ERROR_CODES,
        "oauthCallback" | "oauthCallbackPost" => social::CALLBACK_ERROR_CODES,
        "unlinkAccount" => social::UNLINK_ERROR_CODES,
        "linkSocialAccount" => social::LINK_ERROR_CODES,
        "revokeSession" | "revokeSessions" | "revokeOtherSessions" => {
            session_management::REVOKE_ERROR_CODES
        }
        admin if admin.starts_with("admin") => admin::error_codes(admin),
        _ => &[],
    }
}

/// Longest `User-Agent` a session records; real ones are a few hundred bytes.
pub const MAX_USER_AGENT_BYTES: usize = 512;
/// Longest client address a session records (an IPv6 address takes at most 45 characters).
const MAX_IP_ADDRESS_BYTES: usize = 64;

/// What a new session records: the client address (behind trusted proxies, the forwarded one)
/// and its user agent, both bounded.
pub(crate) fn new_session(req: &HttpRequest, state: &AppState, remember: bool) -> NewSession {
    let ip_address = client_ip::of_request(req, &state.config.trusted_proxies)
        .map(|ip| truncated(&ip.to_string(), MAX_IP_ADDRESS_BYTES).to_owned())
        .unwrap_or_default();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .map(|v| truncated(&String::from_utf8_lossy(v.as_bytes()), MAX_USER_AGENT_BYTES).to_owned())
        .unwrap_or_default();
    NewSession {
        ip_address,
        user_agent,
        remember,
        impersonated_by: None,
        along: Default::default(),
    }
}

/// At most `max_bytes` of `text`, cut on a character boundary.
fn truncated(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What a `Location` header may carry of a callback URL that passed the callback rule (no control
/// characters): the URL with non-ASCII characters and spaces percent-encoded, as browsers send
/// them. Built before any write, so a sign-in that cannot answer never starts a session.
pub fn location_header(callback_url: &str) -> Result<HeaderValue, ApiError> {
    const ENCODED: &AsciiSet = &CONTROLS.add(b' ');
    header_value(&utf8_percent_encode(callback_url, ENCODED).to_string())
}

/// The three URLs a sign-in may lead to (magic link, social sign-in), each checked by the redirect
/// rule with its own code.
pub struct Targets {
    pub callback: Option<String>,
    pub new_user: Option<String>,
    pub error: Option<String>,
}

impl Targets {
    pub fn checked(state: &AppState, targets: Self) -> Result<Self, ApiError> {
        let trusted = &state.config.trusted_origins;
        for (url, refusal) in [
            (&targets.callback, ApiError::InvalidCallbackUrl),
            (&targets.new_user, ApiError::InvalidNewUserCallbackUrl),
            (&targets.error, ApiError::InvalidErrorCallbackUrl),
        ] {
            if let Some(url) = url
                && !crate::auth::origin::is_allowed_redirect(url, trusted)
            {
                return Err(refusal);
            }
        }
        Ok(targets)
    }
}

/// `<base>`: `GATEHOUSE_BASE_URL` plus `/api/auth`, where mailed links start.
pub fn auth_base(base_url: &Url) -> String {
    format!("{}{AUTH_SCOPE}", base_url.as_str().trim_end_matches('/'))
}

/// JavaScript's `encodeURIComponent`, for values put into mailed links.
pub fn enc(value: &str) -> String {
    const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    utf8_percent_encode(value, URI_COMPONENT).to_string()
}

/// A redirect target that passed the redirect rule, resolved against `base` (a relative path
/// lands on gatehouse's origin), with `params` set, replacing same-named ones.
pub fn resolved_redirect(
    base: &str,
    target: &str,
    params: &[(&str, &str)],
) -> Result<String, ApiError> {
    let mut url = Url::parse(&format!("{base}/"))
        .and_then(|base| base.join(target))
        .map_err(|e| ApiError::Internal(format!("unresolvable redirect: {e}")))?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !params.iter().any(|(set, _)| set == name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() && params.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .extend_pairs(params);
    }
    Ok(url.into())
}

/// `302 Found` to `location`, empty, never cached, and sending no `Referer` on (the URL may carry
/// a token).
pub fn redirect(location: &str) -> Result<HttpResponse, ApiError> {
    redirect_with(HttpResponse::Found(), location)
}

/// [`redirect`] from a builder that may already carry headers (the cookies of a new session).
pub fn redirect_with(
    mut response: HttpResponseBuilder,
    location: &str,
) -> Result<HttpResponse, ApiError> {
    Ok(response
        .status(actix_web::http::StatusCode::FOUND)
        .insert_header((header::LOCATION, location_header(location)?))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish())
}

/// Starts a session for a user who just signed up or in, and the 200 answer that carries it:
/// the session cookie and `set-auth-token` are set; the token is returned for the body.
pub async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    user: &UserRow,
    remember: bool,
    now: DateTime<Utc>,
) -> Result<(HttpResponseBuilder, String), ApiError> {
    start_new_session(req, state, user, new_session(req, state, remember), now).await
}

/// [`start_session`] for a session described by the caller.
pub async fn start_new_session(
    req: &HttpRequest,
    state: &AppState,
    user: &UserRow,
    new: NewSession,
    now: DateTime<Utc>,
) -> Result<(HttpResponseBuilder, String), ApiError> {
    let remember = new.remember;
    let token = state.sessions.create(&state.db, user, new, now).await?;
    let mut response = HttpResponse::Ok();
    set_session_cookies(&mut response, req, state, &token, remember)?;
    Ok((response, token))
}

/// The session of a request to an endpoint that acts for its user, or 401 `UNAUTHORIZED`. The
/// response builder carries `Cache-Control: no-store` and, after a sliding refresh, the re-sent
/// cookie and `set-auth-token`.
pub async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(HttpResponseBuilder, ActiveSession), ApiError> {
    let (response, active) = maybe_signed_in(req, state).await?;
    Ok((response, active.ok_or(ApiError::Unauthorized)?))
}

/// Whether a session's sign-in is younger than `GATEHOUSE_FRESH_AGE` (zero: always), as
/// list-sessions, delete-user and change-email ask.
pub fn is_fresh(state: &AppState, active: &ActiveSession, now: DateTime<Utc>) -> bool {
    let fresh_age = state.config.fresh_age;
    fresh_age.is_zero() || now - active.session.created_at < fresh_age
}

/// As [`signed_in`], for endpoints a session changes but does not gate: `None` without one.
pub async fn maybe_signed_in(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(HttpResponseBuilder, Option<ActiveSession>), ApiError> {
    let presented = state.cookies.presented(req);
    let active = state
        .sessions
        .signed_in(&state.db, &presented, state.clock.now())
        .await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(ActiveSession {
        renewal: Renewal::Reissue(token),
        ..
    }) = &active
    {
        set_session_cookies(&mut response, req, state, token, true)?;
    }
    Ok((response, active))
}

/// A redirect target "as given": the value unchanged, with `params` added after `?` or `&`
/// (before any `#`); a relative value stays relative.
pub fn as_given(target: &str, params: &[(&str, &str)]) -> String {
    let (before, fragment) = match target.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (target, None),
    };
    let mut out = before.to_owned();
    for (name, value) in params {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&format!("{}={}", enc(name), enc(value)));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Sets the session cookie, `set-auth-token` and the expose header for a live session. With
/// `remember == false` the cookie has no `Max-Age` and `dont_remember` marks it; otherwise a
/// leftover `dont_remember` cookie is expired.
pub fn set_session_cookies(
    response: &mut HttpResponseBuilder,
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    remember: bool,
) -> Result<(), ApiError> {
    let cookies = &state.cookies;
    let max_age = remember.then(|| state.sessions.ttl_secs());
    response.append_header((
        header::SET_COOKIE,
        header_value(&cookies.session(token, max_age))?,
    ));
    if !remember {
        response.append_header((header::SET_COOKIE, header_value(&cookies.dont_remember())?));
    } else if cookies.presented(req).dont_remember {
        let [_, _, dont_remember] = cookies.expire_all();
        response.append_header((header::SET_COOKIE, header_value(&dont_remember)?));
    }
    response.insert_header(("set-auth-token", header_value(&cookies.sign(token))?));
    response.insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS));
    Ok(())
}

/// Expires the session, session-data and dont-remember cookies.
pub fn expire_session_cookies(
    response: &mut HttpResponseBuilder,
    state: &AppState,
) -> Result<(), ApiError> {
    for cookie in state.cookies.expire_all() {
        response.append_header((header::SET_COOKIE, header_value(&cookie)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncated("abc", 5), "abc");
        assert_eq!(truncated("abcdef", 3), "abc");
        assert_eq!(truncated("aé", 2), "a");
        assert_eq!(truncated("aé", 3), "aé");
        assert_eq!(truncated("😀😀", 5), "😀");
    }

    #[test]
    fn as_given_adds_parameters_and_keeps_the_rest() {
        assert_eq!(
            as_given("/done", &[("error", "INVALID_TOKEN")]),
            "/done?error=INVALID_TOKEN"
        );
        assert_eq!(
            as_given(
                "https://app.example.com/v?a=1#top",
                &[("error", "TOKEN_EXPIRED")]
            ),
            "https://app.example.com/v?a=1&error=TOKEN_EXPIRED#top"
        );
    }

    #[test]
    fn resolved_redirects_land_on_the_base_origin_and_replace_parameters() {
        let base = "https://auth.example.com/api/auth";

        assert_eq!(
            resolved_redirect(base, "/reset?a=1&token=old", &[("token", "t")]).unwrap(),
            "https://auth.example.com/reset?a=1&token=t"
        );
        assert_eq!(
            resolved_redirect(base, "/welcome", &[]).unwrap(),
            "https://auth.example.com/welcome"
        );
        assert_eq!(
            resolved_redirect(base, "reset-password-page", &[("token", "t")]).unwrap(),
            "https://auth.example.com/api/auth/reset-password-page?token=t"
        );
        assert_eq!(
            resolved_redirect(
                base,
                "https://app.example.com/r",
                &[("error", "INVALID_TOKEN")]
            )
            .unwrap(),
            "https://app.example.com/r?error=INVALID_TOKEN"
        );
    }

    #[test]
    fn a_location_header_carries_any_callback_url_that_passed_the_rule() {
        assert_eq!(
            location_header("/café au lait?q=1").unwrap(),
            "/caf%C3%A9%20au%20lait?q=1"
        );
        assert_eq!(
            location_header("https://app.example.com/x").unwrap(),
            "https://app.example.com/x"
        );
    }
}
