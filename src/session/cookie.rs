//! The session cookie and the bearer header (README, "Sessions and cookies"): HMAC-SHA256-signed values as
//! Better Auth writes them, verified in constant time against the current secret and then each
//! old one.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;

use crate::config::{Config, SameSite};

type HmacSha256 = Hmac<Sha256>;

/// Header names that answers setting a session expose to scripts on other origins.
pub const EXPOSED_HEADERS: &str = "set-auth-token, set-auth-jwt";

/// Length of a standard-base64, padded HMAC-SHA256 signature.
const SIGNATURE_LEN: usize = 44;

/// What `encodeURIComponent` leaves alone.
pub const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Signs with the current secret; verifies with it and the old ones.
#[derive(Clone)]
struct Signer {
    keys: Vec<Vec<u8>>,
}

impl Signer {
    fn mac(key: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    fn signature(&self, value: &str) -> String {
        let key = self.keys.first().map_or(&[][..], Vec::as_slice);
        let mut mac = Self::mac(key);
        mac.update(value.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn verifies(&self, value: &str, signature: &str) -> bool {
        let Ok(expected) = STANDARD.decode(signature) else {
            return false;
        };
        self.keys.iter().any(|key| {
            let mut mac = Self::mac(key);
            mac.update(value.as_bytes());
            mac.verify_slice(&expected).is_ok()
        })
    }
}

/// Whether a value has the shape `<value>.<44-character signature ending in '='>`.
fn split_signed(signed: &str) -> Option<(&str, &str)> {
    let (value, signature) = signed.rsplit_once('.')?;
    (signature.len() == SIGNATURE_LEN && signature.ends_with('=')).then_some((value, signature))
}

/// The credentials a request presented, in the bearer header and in the cookie.
#[derive(Debug, Default)]
pub struct Presented {
    /// An `Authorization: Bearer` header was sent, valid or not.
    pub bearer_sent: bool,
    /// The bearer value's token (opaque token or JWT), when a signed value verified or the value
    /// was a raw token.
    pub bearer: Option<String>,
    /// The session cookie's token, when its signature verified.
    pub cookie: Option<String>,
    /// A `<prefix>.session_token` cookie was sent, valid or not.
    pub cookie_sent: bool,
    /// A valid `<prefix>.dont_remember` cookie was sent: no sliding refresh.
    pub dont_remember: bool,
}

impl Presented {
    /// The token that names the request's session: the bearer header's when one was sent (even
    /// an invalid one, which then names none), else the cookie's.
    pub fn token(&self) -> Option<&str> {
        if self.bearer_sent {
            self.bearer.as_deref()
        } else {
            self.cookie.as_deref()
        }
    }

    /// Every session token the request carries, each once: sign-out ends them all.
    pub fn all_tokens(&self) -> Vec<&str> {
        let mut tokens: Vec<&str> = self.bearer.iter().map(String::as_str).collect();
        if let Some(cookie) = self.cookie.as_deref()
            && !tokens.contains(&cookie)
        {
            tokens.push(cookie);
        }
        tokens
    }
}

/// Cookie names, attributes and signing, built once from the configuration.
#[derive(Clone)]
pub struct Cookies {
    signer: Signer,
    session_token: String,
    session_data: String,
    dont_remember: String,
    /// The OAuth sign-in in progress in this browser (its `state`, signed).
    oauth_state: String,
    /// While an admin acts as another user: the admin's own session (signed), restored by
    /// admin/stop-impersonating.
    admin_session: String,
    /// `[Domain=..; ]Path=/; HttpOnly; [Secure; ]SameSite=..`
    attributes: String,
    /// The same with `SameSite=Lax` whatever the configuration: the OAuth state cookie must come
    /// back on the provider's redirect, a cross-site navigation.
    lax_attributes: String,
}

impl std::fmt::Debug for Cookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cookies")
            .field("session_token", &self.session_token)
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

impl Cookies {
    pub fn new(config: &Config) -> Self {
        let keys = std::iter::once(&config.secret)
            .chain(&config.old_secrets)
            .map(|secret| secret.expose().as_bytes().to_vec())
            .collect();
        let secure = config.is_https() || config.cookie_same_site == SameSite::None;
        let prefix = if config.is_https() {
            format!("__Secure-{}", config.cookie_prefix)
        } else {
            config.cookie_prefix.clone()
        };
        let mut attributes = String::new();
        if let Some(domain) = &config.cookie_domain {
            attributes.push_str(&format!("Domain={domain}; "));
        }
        attributes.push_str("Path=/; HttpOnly; ");
        if secure {
            attributes.push_str("Secure; ");
        }
        let lax_attributes = format!("{attributes}SameSite=Lax");
        attributes.push_str(&format!("SameSite={}", config.cookie_same_site.as_str()));
        Self {
            signer: Signer { keys },
            session_token: format!("{prefix}.session_token"),
            session_data: format!("{prefix}.session_data"),
            dont_remember: format!("{prefix}.dont_remember"),
            oauth_state: format!("{prefix}.oauth_state"),
            admin_session: format!("{prefix}.admin_session"),
            attributes,
            lax_attributes,
        }
    }

    pub fn session_cookie_name(&self) -> &str {
        &self.session_token
    }

    /// `<value>.<signature>`, the form of the cookie value and of `set-auth-token`.
    pub fn sign(&self, value: &str) -> String {
        format!("{value}.{}", self.signer.signature(value))
    }

    /// The value inside a signed string, if its signature verifies under any known secret.
    pub fn verify<'a>(&self, signed: &'a str) -> Option<&'a str> {
        let (value, signature) = split_signed(signed)?;
        self.signer.verifies(value, signature).then_some(value)
    }

    /// `Set-Cookie` for a live session; `max_age_secs` is `None` for a browser-session cookie
    /// (`rememberMe: false`).
    pub fn session(&self, token: &str, max_age_secs: Option<i64>) -> String {
        let value = utf8_percent_encode(&self.sign(token), URI_COMPONENT).to_string();
        match max_age_secs {
            Some(max_age) => format!(
                "{}={value}; Max-Age={max_age}; {}",
                self.session_token, self.attributes
            ),
            None => format!("{}={value}; {}", self.session_token, self.attributes),
        }
    }

    /// `Set-Cookie` marking a `rememberMe: false` session; lives as long as the browser session.
    pub fn dont_remember(&self) -> String {
        let value = utf8_percent_encode(&self.sign("true"), URI_COMPONENT).to_string();
        format!("{}={value}; {}", self.dont_remember, self.attributes)
    }

    /// `Set-Cookie` values that delete all three cookies.
    pub fn expire_all(&self) -> [String; 3] {
        [&self.session_token, &self.session_data, &self.dont_remember]
            .map(|name| format!("{name}=; Max-Age=0; {}", self.attributes))
    }

    /// `Set-Cookie` keeping an admin's session while they act as another user: the signed
    /// `<admin's token>:<"true" for a rememberMe:false session, else empty>`, as Better Auth's
    /// admin plugin writes it, for `max_age_secs` (the session TTL).
    pub fn admin_session(&self, token: &str, dont_remember: bool, max_age_secs: i64) -> String {
        let inner = format!("{token}:{}", if dont_remember { "true" } else { "" });
        let value = utf8_percent_encode(&self.sign(&inner), URI_COMPONENT).to_string();
        format!(
            "{}={value}; Max-Age={max_age_secs}; {}",
            self.admin_session, self.attributes
        )
    }

    /// `Set-Cookie` deleting the admin-session cookie.
    pub fn expire_admin_session(&self) -> String {
        format!("{}=; Max-Age=0; {}", self.admin_session, self.attributes)
    }

    /// The admin's token and whether their session was `rememberMe: false`, from a verified
    /// admin-session cookie.
    pub fn presented_admin_session(&self, req: &HttpRequest) -> Option<(String, bool)> {
        let value = cookie_pairs(req)
            .filter(|(name, _)| *name == self.admin_session)
            .find_map(|(_, value)| self.verify_encoded(value))?;
        let (token, dont_remember) = value.rsplit_once(':')?;
        (!token.is_empty()).then(|| (token.to_owned(), !dont_remember.is_empty()))
    }

    /// `Set-Cookie` binding an OAuth sign-in's `state` to this browser for `max_age_secs`.
    pub fn oauth_state(&self, state: &str, max_age_secs: i64) -> String {
        let value = utf8_percent_encode(&self.sign(state), URI_COMPONENT).to_string();
        format!(
            "{}={value}; Max-Age={max_age_secs}; {}",
            self.oauth_state, self.lax_attributes
        )
    }

    /// `Set-Cookie` deleting the OAuth state cookie.
    pub fn expire_oauth_state(&self) -> String {
        format!("{}=; Max-Age=0; {}", self.oauth_state, self.lax_attributes)
    }

    /// The `state` this browser's OAuth state cookie carries, if its signature verifies.
    pub fn presented_oauth_state(&self, req: &HttpRequest) -> Option<String> {
        cookie_pairs(req)
            .filter(|(name, _)| *name == self.oauth_state)
            .find_map(|(_, value)| self.verify_encoded(value))
    }

    /// Reads the bearer header and the session cookie (the first that verifies, if several are
    /// sent).
    pub fn presented(&self, req: &HttpRequest) -> Presented {
        let mut presented = Presented::default();
        if let Some(bearer) = bearer_value(req) {
            presented.bearer_sent = true;
            presented.bearer = self.read_bearer(bearer);
        }
        for (name, value) in cookie_pairs(req) {
            if name == self.session_token {
                if presented.cookie.is_none() {
                    presented.cookie = self.verify_encoded(value);
                }
                presented.cookie_sent = true;
            } else if name == self.dont_remember
                && self.verify_encoded(value).as_deref() == Some("true")
            {
                presented.dont_remember = true;
            }
        }
        presented
    }

    /// Percent-decodes a cookie value and verifies it.
    fn verify_encoded(&self, value: &str) -> Option<String> {
        let decoded = percent_decode_str(value).decode_utf8().ok()?;
        self.verify(&decoded).map(str::to_owned)
    }

    /// A bearer value is the signed form (verified like a cookie) when its last segment looks
    /// like a signature, else the raw token.
    pub fn read_bearer(&self, value: &str) -> Option<String> {
        let value = if value.contains('%') {
            decode(value)
        } else {
            value.to_owned()
        };
        if value.is_empty() {
            return None;
        }
        if split_signed(&value).is_some() {
            self.verify(&value).map(str::to_owned)
        } else {
            Some(value)
        }
    }
}

fn decode(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}

/// `(name, raw value)` of every cookie in every `Cookie` header, in order. Header values are
/// read as UTF-8, not only as visible ASCII, so a cookie with non-ASCII bytes still counts as
/// sent (and, invalid, gets expired).
fn cookie_pairs(req: &HttpRequest) -> impl Iterator<Item = (&str, &str)> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name.trim(), value.trim().trim_matches('"')))
        })
}

/// The value of `Authorization: Bearer <value>`, scheme case-insensitive.
fn bearer_value(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use actix_web::test::TestRequest;

    use super::*;

    fn cookies(extra: &[(&str, &str)]) -> Cookies {
        let mut vars: HashMap<String, String> = [
            ("GATEHOUSE_SECRET", "better-auth-secret-123456789012345678"),
            ("DATABASE_URL", "sqlite://:memory:"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        vars.entry("GATEHOUSE_BIND".to_owned())
            .or_insert_with(|| "127.0.0.1:8080".to_owned());
        Cookies::new(&Config::from_lookup(|name| vars.get(name).cloned()).unwrap())
    }

    #[test]
    fn signatures_are_what_better_auth_computes() {
        // HMAC-SHA256(key = "better-auth-secret-123456789012345678", msg = token), base64.
        let signed = cookies(&[]).sign("abc");

        let expected_mac = {
            let mut mac =
                <HmacSha256 as Mac>::new_from_slice(b"better-auth-secret-123456789012345678")
                    .unwrap();
            mac.update(b"abc");
            STANDARD.encode(mac.finalize().into_bytes())
        };
        assert_eq!(signed, format!("abc.{expected_mac}"));
        assert_eq!(expected_mac.len(), 44);
    }

    #[test]
    fn a_cookie_is_percent_encoded_with_the_documented_attributes() {
        let header = cookies(&[]).session("tok", Some(604_800));

        assert!(header.starts_with("gatehouse.session_token=tok."));
        assert!(
            header.ends_with("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"),
            "{header}"
        );
        let value = header.split(';').next().unwrap().split_once('=').unwrap().1;
        assert!(!value.contains('+') && !value.contains('/') && value.ends_with("%3D"));
    }

    #[test]
    fn https_adds_the_secure_prefix_and_attribute_and_a_domain_is_kept() {
        let cookies = cookies(&[
            ("GATEHOUSE_BASE_URL", "https://auth.example.com"),
            ("GATEHOUSE_COOKIE_DOMAIN", "example.com"),
        ]);

        let header = cookies.session("tok", None);

        assert!(header.starts_with("__Secure-gatehouse.session_token=tok."));
        assert!(
            header.ends_with("; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax"),
            "{header}"
        );
        assert_eq!(
            cookies.expire_all()[0],
            "__Secure-gatehouse.session_token=; Max-Age=0; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn same_site_none_forces_secure() {
        let header = cookies(&[("GATEHOUSE_COOKIE_SAMESITE", "none")]).session("tok", None);

        assert!(
            header.ends_with("; Path=/; HttpOnly; Secure; SameSite=None"),
            "{header}"
        );
    }

    #[test]
    fn a_tampered_or_malformed_value_never_verifies() {
        let cookies = cookies(&[]);
        let signed = cookies.sign("token123");

        assert_eq!(cookies.verify(&signed), Some("token123"));
        assert_eq!(
            cookies.verify(&signed.replace("token123", "token124")),
            None
        );
        assert_eq!(
            cookies.verify(&format!("{}A=", &signed[..signed.len() - 2])),
            None
        );
        assert_eq!(cookies.verify("token123"), None);
        assert_eq!(cookies.verify(""), None);
        assert_eq!(cookies.verify("."), None);
    }

    #[test]
    fn an_old_secret_still_verifies_but_never_signs() {
        let old = cookies(&[]);
        let rotated = cookies(&[
            (
                "GATEHOUSE_SECRET",
                "a-brand-new-secret-of-sufficient-length",
            ),
            (
                "GATEHOUSE_SECRETS_OLD",
                "better-auth-secret-123456789012345678",
            ),
        ]);
        let signed_before = old.sign("tok");

        assert_eq!(rotated.verify(&signed_before), Some("tok"));
        assert_ne!(rotated.sign("tok"), signed_before);
    }

    #[test]
    fn the_bearer_header_wins_over_the_cookie() {
        let cookies = cookies(&[]);
        let cookie = cookies.session("from-cookie", Some(1));
        let cookie_pair = cookie.split(';').next().unwrap();
        let req = TestRequest::default()
            .insert_header(("cookie", cookie_pair))
            .insert_header(("authorization", "bEaReR from-bearer"))
            .to_http_request();

        let presented = cookies.presented(&req);

        assert_eq!(presented.token(), Some("from-bearer"));
        assert!(presented.cookie_sent);
        assert_eq!(presented.all_tokens(), ["from-bearer", "from-cookie"]);
    }

    #[test]
    fn a_signed_bearer_value_is_verified_and_may_be_percent_encoded() {
        let cookies = cookies(&[]);
        let signed = cookies.sign("tok");
        let encoded = utf8_percent_encode(&signed, URI_COMPONENT).to_string();

        for value in [signed.clone(), encoded] {
            let req = TestRequest::default()
                .insert_header(("authorization", format!("Bearer {value}")))
                .to_http_request();
            assert_eq!(cookies.presented(&req).token(), Some("tok"));
        }
        let forged = format!("tok.{}", "A".repeat(43) + "=");
        let req = TestRequest::default()
            .insert_header(("authorization", format!("Bearer {forged}")))
            .to_http_request();
        assert_eq!(cookies.presented(&req).token(), None);
    }

    #[test]
    fn an_invalid_bearer_header_names_no_session_even_with_a_valid_cookie() {
        let cookies = cookies(&[]);
        let cookie = cookies.session("from-cookie", Some(1));
        let forged = format!("tok.{}", "A".repeat(43) + "=");
        let req = TestRequest::default()
            .insert_header(("cookie", cookie.split(';').next().unwrap()))
            .insert_header(("authorization", format!("Bearer {forged}")))
            .to_http_request();

        let presented = cookies.presented(&req);

        assert_eq!(presented.token(), None);
        assert_eq!(presented.all_tokens(), ["from-cookie"]);
    }

    mod properties {
        use actix_web::http::header::HeaderValue;
        use proptest::prelude::*;

        use super::*;

        /// Bytes a header value may hold (visible ASCII, space, tab and obs-text), so every
        /// generated case reaches the code under test.
        fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
            proptest::collection::vec(
                prop_oneof![0x20_u8..=0x7e, 0x80_u8..=0xff, Just(b'\t')],
                0..300,
            )
        }

        /// Header bytes, half the time after a `Bearer ` scheme.
        fn authorization_bytes() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                header_bytes(),
                header_bytes().prop_map(|rest| [b"Bearer ".as_slice(), &rest].concat()),
            ]
        }

        proptest! {
            #[test]
            fn no_cookie_header_authenticates(raw in header_bytes()) {
                let cookies = cookies(&[]);
                let value = HeaderValue::from_bytes(&raw).unwrap();
                let req = TestRequest::default().insert_header(("cookie", value)).to_http_request();

                let presented = cookies.presented(&req);

                prop_assert_eq!(presented.token(), None);
                prop_assert!(!presented.bearer_sent);
            }

            #[test]
            fn no_named_cookie_value_authenticates(value in "\\PC{0,200}") {
                let cookies = cookies(&[]);
                let req = TestRequest::default()
                    .insert_header(("cookie", format!("gatehouse.session_token={value}")))
                    .to_http_request();

                let presented = cookies.presented(&req);

                prop_assert_eq!(presented.token(), None);
                prop_assert!(presented.cookie_sent);
            }

            #[test]
            fn a_forged_signed_bearer_never_verifies(token in "[A-Za-z0-9]{1,40}", signature in "[A-Za-z0-9+/]{43}") {
                let cookies = cookies(&[]);
                let forged = format!("{token}.{signature}=");
                let req = TestRequest::default()
                    .insert_header(("authorization", format!("Bearer {forged}")))
                    .to_http_request();

                let presented = cookies.presented(&req);

                prop_assert_eq!(cookies.verify(&forged), None);
                prop_assert_eq!(presented.token(), None);
            }

            #[test]
            fn any_authorization_header_yields_at_most_an_unsigned_candidate(raw in authorization_bytes()) {
                let cookies = cookies(&[]);
                let value = HeaderValue::from_bytes(&raw).unwrap();
                let req = TestRequest::default().insert_header(("authorization", value)).to_http_request();

                let presented = cookies.presented(&req);

                prop_assert!(presented.cookie.is_none());
                // A raw token is only a candidate; a signed-looking one would have had to verify.
                if let Some(token) = presented.token() {
                    prop_assert!(!token.is_empty());
                    prop_assert!(split_signed(token).is_none());
                }
            }
        }
    }
}
