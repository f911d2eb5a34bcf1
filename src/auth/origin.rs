//! Trusted origins (contract 5.1) and the checks built on them: the cookie CSRF rule and the
//! Sec-Fetch rule (5.2) and callback URLs (5.3).

use actix_web::HttpRequest;
use actix_web::http::header;
use url::Url;

use crate::error::ApiError;

/// `GATEHOUSE_TRUSTED_ORIGINS` plus the base URL's origin, normalised.
#[derive(Clone, Debug, Default)]
pub struct TrustedOrigins {
    /// Normalised `scheme://host[:port]` strings.
    exact: Vec<String>,
    /// `https://*.example.com` entries: scheme, host suffix with its leading dot, port.
    wildcards: Vec<(String, String, Option<u16>)>,
}

impl TrustedOrigins {
    /// Parses entries of the form `scheme://host[:port]` or `scheme://*.domain[:port]`.
    pub fn parse(entries: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut origins = Self::default();
        for entry in entries {
            if let Some((scheme, rest)) = entry.split_once("://*.") {
                // Parse with a placeholder label so the URL parser validates the rest.
                let probe = format!("{scheme}://wildcard.{rest}");
                let url = Url::parse(&probe).map_err(|_| format!("{entry:?} is not an origin"))?;
                let host = url
                    .host_str()
                    .ok_or_else(|| format!("{entry:?} has no host"))?;
                if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
                    return Err(format!("{entry:?} is not an origin"));
                }
                let suffix = host.trim_start_matches("wildcard").to_owned();
                origins
                    .wildcards
                    .push((url.scheme().to_owned(), suffix, url.port()));
            } else {
                let normalised = normalise(&entry).ok_or_else(|| {
                    format!("{entry:?} is not an origin (expected scheme://host[:port])")
                })?;
                origins.add_exact(&normalised);
            }
        }
        Ok(origins)
    }

    pub fn add_exact(&mut self, origin: &str) {
        if let Some(normalised) = normalise(origin)
            && !self.exact.contains(&normalised)
        {
            self.exact.push(normalised);
        }
    }

    /// Whether an `Origin` value (or any URL's origin) is trusted. `null` never is.
    pub fn is_trusted(&self, origin: &str) -> bool {
        let Some(normalised) = normalise(origin) else {
            return false;
        };
        if self.exact.contains(&normalised) {
            return true;
        }
        let Ok(url) = Url::parse(&normalised) else {
            return false;
        };
        let Some(host) = url.host_str() else {
            return false;
        };
        self.wildcards.iter().any(|(scheme, suffix, port)| {
            url.scheme() == scheme
                && host.len() > suffix.len()
                && host.ends_with(suffix.as_str())
                && url.port() == *port
        })
    }
}

/// `scheme://host[:port]` with lower-case scheme and host and the default port dropped; `None`
/// for `null`, opaque origins and anything that is not a URL with a host.
pub fn normalise(origin: &str) -> Option<String> {
    let origin = origin.trim();
    if origin.eq_ignore_ascii_case("null") {
        return None;
    }
    let url = Url::parse(origin).ok()?;
    url.host_str()?;
    match url.origin() {
        url::Origin::Tuple(..) => Some(url.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The origin a request claims: `Origin`, or else the origin of `Referer`.
enum Claimed<'a> {
    Origin(&'a str),
    Referer(&'a str),
    Neither,
}

fn claimed(req: &HttpRequest) -> Claimed<'_> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        return Claimed::Origin(origin.to_str().unwrap_or("null"));
    }
    match header_str(req, header::REFERER) {
        Some(referer) => Claimed::Referer(referer),
        None => Claimed::Neither,
    }
}

fn require_trusted_origin(req: &HttpRequest, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    let value = match claimed(req) {
        Claimed::Origin(value) | Claimed::Referer(value) => value,
        Claimed::Neither => return Err(ApiError::MissingOrNullOrigin),
    };
    if value.trim().eq_ignore_ascii_case("null") || value.trim().is_empty() {
        return Err(ApiError::MissingOrNullOrigin);
    }
    if trusted.is_trusted(value) {
        Ok(())
    } else {
        Err(ApiError::InvalidOrigin)
    }
}

/// Rule 5.2.1: a state-changing request that carries a `Cookie` header must come from a trusted
/// origin. Requests without cookies (bearer clients, servers) pass.
pub fn check_cookie_csrf(req: &HttpRequest, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    if req.headers().contains_key(header::COOKIE) {
        require_trusted_origin(req, trusted)
    } else {
        Ok(())
    }
}

/// Rules 5.2.1 and 5.2.2 for sign-up and sign-in: a cross-site navigation never signs anyone in,
/// and a request that shows any browser header must show a trusted origin.
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

/// Rule 5.3: a relative path, or an absolute URL whose origin is trusted.
pub fn check_callback_url(callback: &str, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    let is_relative_path = callback.starts_with('/')
        && !callback.starts_with("//")
        && !callback.starts_with("/\\")
        && !callback.chars().any(|c| c.is_control());
    if is_relative_path {
        return Ok(());
    }
    let absolute = Url::parse(callback)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    match absolute {
        Some(url) if trusted.is_trusted(&url.origin().ascii_serialization()) => Ok(()),
        _ => Err(ApiError::InvalidCallbackUrl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(entries: &[&str]) -> TrustedOrigins {
        TrustedOrigins::parse(entries.iter().map(|e| (*e).to_owned())).unwrap()
    }

    #[test]
    fn exact_origins_match_after_normalisation() {
        let trusted = origins(&["https://App.Example.com:443", "http://localhost:3000"]);

        assert!(trusted.is_trusted("https://app.example.com"));
        assert!(trusted.is_trusted("http://localhost:3000"));
        assert!(!trusted.is_trusted("http://localhost:3001"));
        assert!(!trusted.is_trusted("http://app.example.com"));
        assert!(!trusted.is_trusted("null"));
    }

    #[test]
    fn a_wildcard_matches_subdomains_but_not_the_domain_itself() {
        let trusted = origins(&["https://*.example.com"]);

        assert!(trusted.is_trusted("https://app.example.com"));
        assert!(trusted.is_trusted("https://a.b.example.com"));
        assert!(!trusted.is_trusted("https://example.com"));
        assert!(!trusted.is_trusted("https://evilexample.com"));
        assert!(!trusted.is_trusted("http://app.example.com"));
        assert!(!trusted.is_trusted("https://app.example.com:8443"));
    }

    #[test]
    fn entries_that_are_not_origins_are_refused() {
        for entry in [
            "example.com",
            "https://",
            "not a url",
            "mailto:x@example.com",
        ] {
            assert!(
                TrustedOrigins::parse([entry.to_owned()]).is_err(),
                "{entry}"
            );
        }
    }

    #[test]
    fn callback_urls_must_be_relative_or_trusted() {
        let trusted = origins(&["https://app.example.com"]);

        assert!(check_callback_url("/dashboard?x=1", &trusted).is_ok());
        assert!(check_callback_url("https://app.example.com/welcome", &trusted).is_ok());
        assert!(check_callback_url("//evil.example.net/x", &trusted).is_err());
        assert!(check_callback_url("/\\evil.example.net", &trusted).is_err());
        assert!(check_callback_url("https://evil.example.net/", &trusted).is_err());
        assert!(check_callback_url("javascript:alert(1)", &trusted).is_err());
        assert!(check_callback_url("dashboard", &trusted).is_err());
    }
}
