//! `/api/auth/verify` for reverse proxies (nginx `auth_request`, Traefik `forwardAuth`, Caddy
//! `forward_auth`): is the request the proxy forwards signed in? Any method; the body is never
//! read; no CSRF check, no refresh and no `Set-Cookie`. The session is read exactly as
//! get-session reads it, so this is the cheapest authenticated answer gatehouse gives.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, route, web};
use percent_encoding::utf8_percent_encode;

use crate::config::TrustedOrigins;
use crate::error::{ApiError, ErrorBody};
use crate::session::cookie::URI_COMPONENT;
use crate::session::{ActiveSession, Refresh};
use crate::state::AppState;

const USER_ID: &str = "X-Auth-User-Id";
const USER_EMAIL: &str = "X-Auth-User-Email";
const USER_NAME: &str = "X-Auth-User-Name";
const SESSION_ID: &str = "X-Auth-Session-Id";

/// Check the session of a request a reverse proxy forwards.
///
/// 200 with `X-Auth-User-Id`, `X-Auth-User-Email`, `X-Auth-User-Name` and `X-Auth-Session-Id`
/// (always all four) when the cookie or bearer token names a valid session. Otherwise 401 with
/// `WWW-Authenticate`, or, when `GATEHOUSE_SIGN_IN_URL` is set and the request is a browser
/// navigation (or asks with `redirect=1`), a 302 to the sign-in page carrying the original URL
/// when its origin is trusted.
#[utoipa::path(
    method(get, post, put, patch, delete, head, options),
    path = "/verify",
    operation_id = "verify",
    tag = "proxy",
    params(
        ("redirect" = Option<String>, Query, description = "`1`: answer 302 to the sign-in page instead of 401."),
        ("X-Original-URL" = Option<String>, Header, description = "The URL the client asked for (nginx)."),
        ("X-Forwarded-Proto" = Option<String>, Header, description = "With X-Forwarded-Host and X-Forwarded-Uri: the URL the client asked for (Traefik, Caddy)."),
        ("X-Forwarded-Host" = Option<String>, Header),
        ("X-Forwarded-Uri" = Option<String>, Header),
    ),
    responses(
        (status = 200, description = "Signed in; the identity is in the headers. Empty body.",
            headers(
                ("X-Auth-User-Id" = String, description = "The user id."),
                ("X-Auth-User-Email" = String, description = "The user's email."),
                ("X-Auth-User-Name" = String, description = "The user's name (may be empty)."),
                ("X-Auth-Session-Id" = String, description = "The session id."),
                ("Cache-Control" = String, description = "`no-store`"),
            )),
        (status = 302, description = "A browser navigation without a session: go to the sign-in page.",
            headers(("Location" = String, description = "The sign-in URL with `redirect=<original URL>`."))),
        (status = 401, description = "No valid session.", body = ErrorBody,
            headers(
                ("WWW-Authenticate" = String, description = "`Bearer realm=\"gatehouse\"`"),
                ("Location" = String, description = "The sign-in URL, when one is configured."),
            )),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security((), ("bearer" = []), ("cookie" = []))
)]
#[route(
    "/verify",
    method = "GET",
    method = "POST",
    method = "PUT",
    method = "PATCH",
    method = "DELETE",
    method = "HEAD",
    method = "OPTIONS"
)]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let presented = state.cookies.presented(&req);
    let active = state
        .sessions
        .current(&state.db, &presented, state.clock.now(), Refresh::Never)
        .await?;
    let mut response = match active {
        Some(active) => signed_in(&active),
        None => not_signed_in(&req, &state),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn signed_in(active: &ActiveSession) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    for (name, value) in [
        (USER_ID, &active.user.id),
        (USER_EMAIL, &active.user.email),
        (USER_NAME, &active.user.name),
        (SESSION_ID, &active.session.id),
    ] {
        response.insert_header((name, identity_header(value)));
    }
    response.finish()
}

/// UTF-8 as is, with control characters replaced by spaces so no value can split a header.
fn identity_header(value: &str) -> HeaderValue {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    HeaderValue::from_bytes(cleaned.as_bytes()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn not_signed_in(req: &HttpRequest, state: &AppState) -> HttpResponse {
    let sign_in = state
        .config
        .sign_in_url
        .as_ref()
        .map(|url| sign_in_location(url, original_url(req), &state.config.trusted_origins));
    let Some(location) = sign_in else {
        return unauthorized(None);
    };
    if wants_redirect(req) {
        HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish()
    } else {
        unauthorized(Some(location))
    }
}

fn unauthorized(location: Option<String>) -> HttpResponse {
    let mut response = ApiError::Unauthorized.to_response();
    let headers = response.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"gatehouse\""),
    );
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

fn header_str<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `redirect=1`, or what looks like a browser navigation forwarded by Traefik or Caddy. nginx
/// cannot pass a 302 on from `auth_request`, so requests with `X-Original-URL` get the 401 and
/// its `Location`.
fn wants_redirect(req: &HttpRequest) -> bool {
    let asked = url::form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(name, value)| name == "redirect" && value == "1");
    let is_navigation = header_str(req, "accept")
        .is_some_and(|accept| accept.contains("text/html"))
        && req.headers().contains_key("x-forwarded-uri")
        && !req.headers().contains_key("x-original-url")
        && !header_str(req, "x-requested-with")
            .is_some_and(|v| v.eq_ignore_ascii_case("XMLHttpRequest"));
    asked || is_navigation
}

/// The URL the client originally asked for, as the proxy reports it.
fn original_url(req: &HttpRequest) -> Option<String> {
    if let Some(url) = header_str(req, "x-original-url") {
        return Some(url.to_owned());
    }
    let proto = header_str(req, "x-forwarded-proto")?;
    let host = header_str(req, "x-forwarded-host")?;
    let uri = header_str(req, "x-forwarded-uri").unwrap_or("/");
    Some(format!("{proto}://{host}{uri}"))
}

/// The sign-in URL plus `redirect=<original URL>`, leaving the parameter out unless the original
/// URL is an absolute http(s) URL on a trusted origin: no open redirect.
fn sign_in_location(
    sign_in: &url::Url,
    original: Option<String>,
    trusted: &TrustedOrigins,
) -> String {
    let safe_original = original
        .and_then(|raw| url::Url::parse(&raw).ok())
        .filter(|url| trusted.is_trusted_url(url));
    let mut location = sign_in.to_string();
    if let Some(original) = safe_original {
        let separator = if sign_in.query().is_some() { '&' } else { '?' };
        location.push(separator);
        location.push_str("redirect=");
        location.extend(utf8_percent_encode(original.as_str(), URI_COMPONENT));
    }
    location
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> TrustedOrigins {
        TrustedOrigins::parse(["https://app.example.com".to_owned()]).unwrap()
    }

    #[test]
    fn the_original_url_is_carried_only_to_trusted_origins() {
        let sign_in = url::Url::parse("https://app.example.com/sign-in").unwrap();

        let trusted_target = sign_in_location(
            &sign_in,
            Some("https://app.example.com/a?b=1".into()),
            &trusted(),
        );
        let untrusted_target = sign_in_location(
            &sign_in,
            Some("https://evil.example.net/".into()),
            &trusted(),
        );
        let relative_target =
            sign_in_location(&sign_in, Some("//evil.example.net/".into()), &trusted());

        assert_eq!(
            trusted_target,
            "https://app.example.com/sign-in?redirect=https%3A%2F%2Fapp.example.com%2Fa%3Fb%3D1"
        );
        assert_eq!(untrusted_target, "https://app.example.com/sign-in");
        assert_eq!(relative_target, "https://app.example.com/sign-in");
    }

    #[test]
    fn an_existing_query_is_extended_with_an_ampersand() {
        let sign_in = url::Url::parse("https://app.example.com/login?via=proxy").unwrap();

        let location = sign_in_location(
            &sign_in,
            Some("https://app.example.com/".into()),
            &trusted(),
        );

        assert_eq!(
            location,
            "https://app.example.com/login?via=proxy&redirect=https%3A%2F%2Fapp.example.com%2F"
        );
    }

    #[test]
    fn identity_headers_never_carry_control_characters() {
        let value = identity_header("Al\r\nX-Injected: 1\t");

        assert_eq!(value.as_bytes(), b"Al  X-Injected: 1 ");
    }
}
