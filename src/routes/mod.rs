//! [`configure`] is the only place routes are registered, and so documented: utoipa-actix-web
//! collects each `.service(...)` into the OpenAPI document. The helpers below build the parts of
//! responses that several endpoints share.

pub mod answers;
pub mod docs;
pub mod fallback;
pub mod health;
pub mod jwks;
pub mod session;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;
pub mod verify;

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponseBuilder};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::client_ip::client_ip;
use crate::error::{ApiError, header_value};
use crate::session::NewSession;
use crate::startup::AppState;

/// Registers every route. Only `.service(...)` is used, so nothing is served undocumented.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(
            scope::scope("/api/auth")
                // Outermost last: CORS headers reach every answer, 429s included.
                .wrap(from_fn(crate::auth::rate_limit::limit_requests))
                .wrap(from_fn(crate::cors::cors))
                .service(sign_up::sign_up)
                .service(sign_up::sign_up_email)
                .service(sign_in::sign_in)
                .service(sign_in::sign_in_email)
                .service(sign_in::sign_in_username)
                .service(sign_out::sign_out)
                .service(session::get_session)
                .service(session::auth_js_session)
                .service(session::ok)
                .service(jwks::jwks)
                .service(verify::verify),
        )
        .service(health::healthz)
        .service(health::readyz)
        .service(crate::openapi::openapi_json)
        .service(docs::docs)
        .service(docs::docs_script)
        .service(docs::docs_init)
        .service(docs::docs_styles);
}

/// Header names that responses setting a session expose to scripts on other origins.
pub const EXPOSED_HEADERS: &str = "set-auth-token, set-auth-jwt";

/// Longest `User-Agent` a session records; real ones are a few hundred bytes.
pub const MAX_USER_AGENT_BYTES: usize = 512;
/// Longest client address a session records (an IPv6 address takes at most 45 characters).
const MAX_IP_ADDRESS_BYTES: usize = 64;

/// What a new session records: the client address (behind trusted proxies, the forwarded one)
/// and its user agent, both bounded.
pub fn new_session(req: &HttpRequest, state: &AppState, remember: bool) -> NewSession {
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    let ip_address = client_ip(
        req.peer_addr().map(|addr| addr.ip()),
        forwarded,
        &state.config.trusted_proxies,
    )
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
