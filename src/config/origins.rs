//! Trusted origins: `GATEHOUSE_TRUSTED_ORIGINS` plus the origin of the base URL. They decide the
//! CSRF checks, CORS, callback URLs and the `/verify` redirect, so both sides are parsed strictly:
//! a configured entry is exactly `scheme://host[:port]` (or `scheme://*.domain[:port]`), and an
//! incoming `Origin` header must be exactly the serialisation a browser sends.

use url::Url;

/// A `scheme://*.domain[:port]` entry: any subdomain of `domain`, never `domain` itself.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wildcard {
    scheme: String,
    /// `.domain`, with its leading dot.
    suffix: String,
    port: Option<u16>,
}

/// The origins gatehouse trusts, normalised (lower-case scheme and host, default port dropped).
#[derive(Clone, Debug, Default)]
pub struct TrustedOrigins {
    exact: Vec<String>,
    wildcards: Vec<Wildcard>,
}

impl TrustedOrigins {
    /// Parses configured entries. A wildcard over a public suffix (`https://*.com`,
    /// `https://*.co.uk`, `https://*.github.io`) or a bare `*` would trust sites anyone can
    /// register, and an entry with a path, query, fragment or userinfo is not an origin: all are
    /// refused rather than trimmed.
    pub fn parse(entries: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut origins = Self::default();
        for entry in entries {
            match entry.split_once("://*") {
                Some((scheme, rest)) => origins.wildcards.push(wildcard(&entry, scheme, rest)?),
                None if entry.contains('*') => {
                    return Err(format!(
                        "{entry:?}: a wildcard must be a whole leading label, as in https://*.example.com"
                    ));
                }
                None => {
                    let origin = strict_origin(&entry)?;
                    origins.add(&origin);
                }
            }
        }
        Ok(origins)
    }

    /// Trusts one more origin (the base URL's).
    pub fn add(&mut self, url: &Url) {
        let origin = url.origin();
        if origin.is_tuple() {
            let serialised = origin.ascii_serialization();
            if !self.exact.contains(&serialised) {
                self.exact.push(serialised);
            }
        }
    }

    /// Whether an `Origin` header value is trusted. The value must be exactly what a browser
    /// sends, `scheme://host[:port]`: userinfo, a path, a percent-encoded or otherwise unusual
    /// host, or `null` make it untrusted.
    pub fn is_trusted_origin(&self, header: &str) -> bool {
        let Ok(url) = Url::parse(header) else {
            return false;
        };
        let origin = url.origin();
        origin.is_tuple()
            && origin.ascii_serialization().eq_ignore_ascii_case(header)
            && self.matches(&url)
    }

    /// Whether an absolute http(s) URL (a `Referer`, a callback URL) is on a trusted origin.
    /// A URL with userinfo never is: `https://app.example.com@evil.example` is a classic trick.
    pub fn is_trusted_url(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && url.username().is_empty()
            && url.password().is_none()
            && self.matches(url)
    }

    fn matches(&self, url: &Url) -> bool {
        let origin = url.origin();
        if !origin.is_tuple() {
            return false;
        }
        if self.exact.contains(&origin.ascii_serialization()) {
            return true;
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        self.wildcards.iter().any(|wildcard| {
            url.scheme() == wildcard.scheme
                && host.len() > wildcard.suffix.len()
                && host.ends_with(&wildcard.suffix)
                && url.port() == wildcard.port
        })
    }
}

/// An entry that must be exactly `scheme://host[:port]` (a trailing `/` is tolerated).
fn strict_origin(entry: &str) -> Result<Url, String> {
    let url = Url::parse(entry)
        .map_err(|_| format!("{entry:?} is not an origin (expected scheme://host[:port])"))?;
    if !url.origin().is_tuple() || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{entry:?} is not an origin (expected scheme://host[:port])"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{entry:?} has userinfo; an origin has none"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{entry:?} has a path, query or fragment; an origin is scheme://host[:port]"
        ));
    }
    Ok(url)
}

fn wildcard(entry: &str, scheme: &str, rest: &str) -> Result<Wildcard, String> {
    let Some(domain_and_port) = rest.strip_prefix('.') else {
        return Err(format!(
            "{entry:?} trusts every site; name a domain, as in {scheme}://*.example.com"
        ));
    };
    if domain_and_port.contains('*') {
        return Err(format!(
            "{entry:?}: only one leading wildcard label is allowed"
        ));
    }
    let base = strict_origin(&format!("{scheme}://{domain_and_port}")).map_err(|_| {
        format!("{entry:?} is not an origin pattern (expected scheme://*.domain[:port])")
    })?;
    let domain = match base.host() {
        Some(url::Host::Domain(domain)) => domain.trim_end_matches('.').to_owned(),
        _ => {
            return Err(format!(
                "{entry:?}: a wildcard needs a domain name, not an address"
            ));
        }
    };
    if is_public_suffix(&domain) {
        return Err(format!(
            "{entry:?} would trust every site under the public suffix {domain:?}; name your own domain"
        ));
    }
    Ok(Wildcard {
        scheme: base.scheme().to_owned(),
        suffix: format!(".{domain}"),
        port: base.port(),
    })
}

/// Whether anyone can register names directly under `domain` (`com`, `co.uk`, `github.io`),
/// by the Public Suffix List compiled into the `psl` crate (ICANN and private sections).
fn is_public_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == domain.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(entries: &[&str]) -> TrustedOrigins {
        TrustedOrigins::parse(entries.iter().map(|e| (*e).to_owned())).unwrap()
    }

    #[test]
    fn exact_origins_match_after_normalisation() {
        let trusted = origins(&["https://App.Example.com:443", "http://localhost:3000/"]);

        assert!(trusted.is_trusted_origin("https://app.example.com"));
        assert!(trusted.is_trusted_origin("http://localhost:3000"));
        assert!(!trusted.is_trusted_origin("http://localhost:3001"));
        assert!(!trusted.is_trusted_origin("http://app.example.com"));
        assert!(!trusted.is_trusted_origin("null"));
        assert!(!trusted.is_trusted_origin(""));
    }

    #[test]
    fn a_wildcard_matches_subdomains_but_not_the_domain_itself() {
        let trusted = origins(&["https://*.example.com"]);

        assert!(trusted.is_trusted_origin("https://app.example.com"));
        assert!(trusted.is_trusted_origin("https://a.b.example.com"));
        assert!(!trusted.is_trusted_origin("https://example.com"));
        assert!(!trusted.is_trusted_origin("https://evilexample.com"));
        assert!(!trusted.is_trusted_origin("http://app.example.com"));
        assert!(!trusted.is_trusted_origin("https://app.example.com:8443"));
        assert!(!trusted.is_trusted_origin("https://app.example.com."));
    }

    #[test]
    fn wildcards_over_public_suffixes_or_everything_are_refused() {
        for entry in [
            "https://*.com",
            "https://*.co.uk",
            "https://*.github.io",
            "https://*.COM",
            "https://*",
            "*",
            "https://*example.com",
            "https://*.*.example.com",
            "https://app.*.example.com",
            "https://*.127.0.0.1",
        ] {
            assert!(
                TrustedOrigins::parse([entry.to_owned()]).is_err(),
                "{entry} was accepted"
            );
        }
        assert!(TrustedOrigins::parse(["https://*.example.co.uk".to_owned()]).is_ok());
        assert!(TrustedOrigins::parse(["http://*.localhost:5173".to_owned()]).is_ok());
    }

    #[test]
    fn entries_that_are_not_exactly_origins_are_refused() {
        for entry in [
            "example.com",
            "https://",
            "not a url",
            "mailto:x@example.com",
            "https://app.example.com/path",
            "https://app.example.com/?q=1",
            "https://app.example.com#top",
            "https://user@app.example.com",
            "https://user:pw@app.example.com",
            "https://*.example.com/path",
            "https://*.user@example.com",
        ] {
            assert!(
                TrustedOrigins::parse([entry.to_owned()]).is_err(),
                "{entry} was accepted"
            );
        }
    }

    #[test]
    fn an_origin_header_must_be_exactly_a_serialised_origin() {
        let trusted = origins(&["https://app.example.com", "https://*.example.org"]);

        for forged in [
            "https://user@app.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?x",
            "https://app.example.com:443",
            "https://%61pp.example.com",
            "https://app.example.com@evil.example.net",
            "https://evil.example.net#@app.example.com",
            "https://x.example.org/",
            " https://app.example.com",
        ] {
            assert!(!trusted.is_trusted_origin(forged), "{forged} was trusted");
        }
        assert!(trusted.is_trusted_origin("https://app.example.com"));
        assert!(trusted.is_trusted_origin("https://x.example.org"));
    }

    #[test]
    fn urls_with_userinfo_are_never_trusted() {
        let trusted = origins(&["https://app.example.com"]);
        let parse = |s: &str| Url::parse(s).unwrap();

        assert!(trusted.is_trusted_url(&parse("https://app.example.com/welcome?x=1")));
        assert!(!trusted.is_trusted_url(&parse("https://u@app.example.com/")));
        assert!(!trusted.is_trusted_url(&parse("https://u:p@app.example.com/")));
        assert!(!trusted.is_trusted_url(&parse("ftp://app.example.com/")));
    }
}
