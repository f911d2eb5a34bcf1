//! The checks built on trusted origins: the cookie CSRF rule, the Sec-Fetch rule on sign-in and
//! sign-up, and callback URLs.

use actix_web::HttpRequest;
use actix_web::http::header;
use url::Url;

use crate::config::TrustedOrigins;
use crate::error::ApiError;

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A request must show a trusted `Origin`, or without one a `Referer` on a trusted origin.
fn require_trusted_origin(req: &HttpRequest, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null").trim();
        if origin.is_empty() || origin.eq_ignore_ascii_case("null") {
            return Err(ApiError::MissingOrNullOrigin);
        }
        return if trusted.is_trusted_origin(origin) {
            Ok(())
        } else {
            Err(ApiError::InvalidOrigin)
        };
    }
    match header_str(req, header::REFERER).map(str::trim) {
        None | Some("") => Err(ApiError::MissingOrNullOrigin),
        Some(referer) if referer.eq_ignore_ascii_case("null") => Err(ApiError::MissingOrNullOrigin),
        Some(referer) => match Url::parse(referer) {
            Ok(url) if trusted.is_trusted_url(&url) => Ok(()),
            _ => Err(ApiError::InvalidOrigin),
        },
    }
}

/// A state-changing request that carries a `Cookie` header must come from a trusted origin.
/// Requests without cookies (bearer clients, servers) pass.
pub fn check_cookie_csrf(req: &HttpRequest, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    if req.headers().contains_key(header::COOKIE) {
        require_trusted_origin(req, trusted)
    } else {
        Ok(())
    }
}

/// For sign-up and sign-in: a cross-site navigation never signs anyone in, and a request that
/// shows any browser header must show a trusted origin.
pub fn check_sign_in_csrf(req: &HttpRequest, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    let site = header_str(req, header::HeaderName::from_static("sec-fetch-site"));
    let mode = header_str(req, header::HeaderName::from_static("sec-fetch-mode"));
    if site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site"))
        && mode.is_some_and(|m| m.eq_ignore_ascii_case("navigate"))
    {
        return Err(ApiError::CrossSiteNavigationLoginBlocked);
    }
    let browser_headers = req.headers().keys().any(|name| {
        name.as_str().starts_with("sec-fetch-") || name == header::ORIGIN || name == header::REFERER
    });
    if browser_headers || req.headers().contains_key(header::COOKIE) {
        require_trusted_origin(req, trusted)
    } else {
        Ok(())
    }
}

/// The redirect rule every `callbackURL`, `redirectTo` and the like follows, as in Better Auth
/// 1.7.25: a relative path that starts with `/`, not `//`, with no backslash, `%2F` or `%5C`
/// (any case) before its `?` or `#`; or an absolute http(s) URL on a trusted origin. No control
/// character anywhere: the value ends up in a `Location` header.
pub fn is_allowed_redirect(target: &str, trusted: &TrustedOrigins) -> bool {
    if target.chars().any(char::is_control) {
        return false;
    }
    if target.starts_with('/') {
        let path = target.split(['?', '#']).next().unwrap_or_default();
        let lower = path.to_ascii_lowercase();
        return !target.starts_with("//")
            && !path.contains('\\')
            && !lower.contains("%2f")
            && !lower.contains("%5c");
    }
    Url::parse(target).is_ok_and(|url| trusted.is_trusted_url(&url))
}

/// A `callbackURL` that fails [`is_allowed_redirect`] is 403 `INVALID_CALLBACK_URL`; checked in
/// full before anything is written.
pub fn check_callback_url(callback: &str, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    if is_allowed_redirect(callback, trusted) {
        Ok(())
    } else {
        Err(ApiError::InvalidCallbackUrl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(entries: &[&str]) -> TrustedOrigins {
        TrustedOrigins::parse(entries.iter().map(|e| (*e).to_owned())).unwrap()
    }

    #[test]
    fn callback_urls_must_be_relative_or_trusted() {
        let trusted = origins(&["https://app.example.com"]);

        assert!(check_callback_url("/dashboard?x=1", &trusted).is_ok());
        assert!(check_callback_url("https://app.example.com/welcome", &trusted).is_ok());
        assert!(check_callback_url("//evil.example.net/x", &trusted).is_err());
        assert!(check_callback_url("/\\evil.example.net", &trusted).is_err());
        assert!(check_callback_url("https://evil.example.net/", &trusted).is_err());
        assert!(check_callback_url("https://app.example.com@evil.example.net/", &trusted).is_err());
        assert!(check_callback_url("javascript:alert(1)", &trusted).is_err());
        assert!(check_callback_url("dashboard", &trusted).is_err());
    }

    #[test]
    fn relative_paths_cannot_smuggle_another_host() {
        let trusted = origins(&["https://app.example.com"]);

        for refused in [
            "/a\\b",
            "/%2F%2Fevil.example.net",
            "/%2fevil",
            "/x%5Cevil",
            "/x%5cevil",
        ] {
            assert!(!is_allowed_redirect(refused, &trusted), "{refused}");
        }
        for allowed in ["/reset?next=%2Fhome", "/reset#a\\b", "/", "/a/b?c=d"] {
            assert!(is_allowed_redirect(allowed, &trusted), "{allowed}");
        }
    }

    #[test]
    fn control_characters_are_refused_in_any_callback_url() {
        let trusted = origins(&["https://app.example.com"]);

        for callback in [
            "https://app.example.com/a\u{1}",
            "/a\r\nSet-Cookie: x=1",
            "/a\u{7f}",
            "https://app.example.com/\u{85}",
        ] {
            assert!(
                check_callback_url(callback, &trusted).is_err(),
                "{callback:?}"
            );
        }
    }
}
