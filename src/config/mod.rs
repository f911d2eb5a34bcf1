//! Typed configuration read once from the environment. Every value is checked here, before
//! anything touches the disk or the network; a bad one stops start-up with one line naming the
//! variable.

mod database_url;
pub mod keys;
mod mail;
mod oauth;
mod origins;
mod parse;
mod secret;

use chrono::Duration;
use ed25519_dalek::VerifyingKey;
use ipnet::IpNet;
use std::borrow::Cow;
use url::Url;

pub use self::parse::parse_duration;
use self::parse::{
    duration, is_loopback, list, on_off, parse_bind, parse_cidr, parse_http_url, read_key_file,
};

pub use database_url::DatabaseUrl;
pub use keys::JwtSigningKey;
pub use mail::{MAIL_CA_FILE, MAIL_TEMPLATES, MailConfig, MailTransport, SmtpConfig, SmtpTls};
pub use oauth::{OAuthProvider, ProviderKind, provider_variable};
pub use origins::TrustedOrigins;
pub use secret::{Secret, SecretSource, create_private_file};

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {reason}")]
pub struct ConfigError {
    /// A fixed name, or one made from a provider's id (`GATEHOUSE_OAUTH_CORP_ISSUER`).
    pub variable: Cow<'static, str>,
    pub reason: String,
}

impl ConfigError {
    pub fn new(variable: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            reason: reason.into(),
        }
    }
}

fn invalid(variable: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::new(variable, reason)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStrategy {
    Database,
    Jwt,
}

impl SessionStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::Jwt => "jwt",
        }
    }
}

/// `GATEHOUSE_LOG_FORMAT`: lines for people, or one JSON object per line for collectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Whether, and how, users may delete themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteUser {
    /// 404, as Better Auth without the option.
    Off,
    /// A password or a fresh session deletes at once.
    On,
    /// The same, then a mailed link confirms.
    Confirm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lax => "Lax",
            Self::Strict => "Strict",
            Self::None => "None",
        }
    }
}

/// Everything the service reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    /// `host:port` to listen on.
    pub bind: String,
    pub base_url: Url,
    pub secret: Secret,
    pub old_secrets: Vec<Secret>,
    /// Where the secret came from, for the start-up log.
    pub secret_source: SecretSource,
    pub session_strategy: SessionStrategy,
    pub session_ttl: Duration,
    pub session_update_age: Duration,
    /// Database strategy: keep sessions read from the database in memory this long at most
    /// (`GATEHOUSE_SESSION_CACHE_TTL`); `None` with `GATEHOUSE_SESSION_CACHE=off`.
    pub session_cache_ttl: Option<Duration>,
    /// How long after its sign-in a session may list sessions (and later delete the user);
    /// zero: always.
    pub fresh_age: Duration,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// The Ed25519 key that signs JWTs (EdDSA); `None` signs with the secret (HS256).
    pub jwt_private_key: Option<JwtSigningKey>,
    /// Earlier Ed25519 keys: still verified and published, never used to sign.
    pub jwt_keys_old: Vec<VerifyingKey>,
    pub bcrypt_cost: u32,
    pub cookie_prefix: String,
    pub cookie_domain: Option<String>,
    pub cookie_same_site: SameSite,
    pub trusted_origins: TrustedOrigins,
    pub trusted_proxies: Vec<IpNet>,
    pub rate_limit: bool,
    /// Serve `POST /api/auth/delete-user` (off: 404, as in Better Auth), and how.
    pub delete_user: DeleteUser,
    /// Where mail goes; `None`: the mail features answer as Better Auth's unconfigured ones.
    pub mail: Option<MailConfig>,
    /// The OAuth / OpenID Connect providers users may sign in with.
    pub oauth_providers: Vec<OAuthProvider>,
    /// A password reset ends every session of the user.
    pub revoke_sessions_on_password_reset: bool,
    /// Unverified users cannot sign in; sign-up starts no session.
    pub require_email_verification: bool,
    /// Sign-up mails a verification link (only with a mail transport).
    pub send_verification_on_sign_up: bool,
    /// A verification link signs its user in.
    pub auto_sign_in_after_verification: bool,
    /// Serve the magic-link sign-in (off: 404, as without Better Auth's plugin).
    pub magic_link: bool,
    /// A magic link to an unknown address creates the user.
    pub magic_link_sign_up: bool,
    /// Serve the admin API, and the admin fields on users and sessions (Better Auth's admin
    /// plugin); off: 404, and the default shapes.
    pub admin: bool,
    pub sign_in_url: Option<Url>,
    /// Serve Prometheus metrics on `metrics_bind`.
    pub metrics: bool,
    /// Where `/metrics` listens: never the public listener.
    pub metrics_bind: String,
    /// How log lines look.
    pub log_format: LogFormat,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: usize,
    /// How long in-flight requests may run after SIGTERM.
    pub shutdown_timeout: Duration,
    /// After SIGTERM, how long to go on serving (readiness 503, connections closed after each
    /// answer) before the graceful stop begins.
    pub drain_delay: Duration,
    /// How long a client may take to send a request body.
    pub request_timeout: Duration,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the environment.
    /// Reads key and secret files but writes nothing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://gatehouse.db".to_owned()),
        )?;
        let bind = parse_bind("GATEHOUSE_BIND", get("GATEHOUSE_BIND"), "127.0.0.1:8080")?;
        let base_url = match get("GATEHOUSE_BASE_URL") {
            Some(raw) => parse_http_url("GATEHOUSE_BASE_URL", &raw)?,
            None => parse_http_url("GATEHOUSE_BIND", &format!("http://{bind}"))?,
        };
        let base_origin = base_url.origin().ascii_serialization();

        let explicit_secret = match (get("GATEHOUSE_SECRET"), get("BETTER_AUTH_SECRET")) {
            (Some(secret), _) => Some((
                secret::checked_secret("GATEHOUSE_SECRET", secret)?,
                SecretSource::Environment("GATEHOUSE_SECRET"),
            )),
            (None, Some(secret)) => Some((
                secret::checked_secret("BETTER_AUTH_SECRET", secret)?,
                SecretSource::Environment("BETTER_AUTH_SECRET"),
            )),
            (None, None) => None,
        };
        let old_secrets = list(get("GATEHOUSE_SECRETS_OLD"))
            .map(|old| secret::checked_secret("GATEHOUSE_SECRETS_OLD", old))
            .collect::<Result<Vec<_>, _>>()?;

        let session_strategy = match get("GATEHOUSE_SESSION_STRATEGY").as_deref() {
            None | Some("database") => SessionStrategy::Database,
            Some("jwt") => SessionStrategy::Jwt,
            Some(other) => {
                return Err(invalid(
                    "GATEHOUSE_SESSION_STRATEGY",
                    format!("expected database or jwt, got {other:?}"),
                ));
            }
        };
        let session_ttl = duration(
            "GATEHOUSE_SESSION_TTL",
            get("GATEHOUSE_SESSION_TTL"),
            7 * 86_400,
        )?;
        if session_ttl > Duration::days(400) {
            return Err(invalid("GATEHOUSE_SESSION_TTL", "at most 400 days"));
        }
        let session_update_age = duration(
            "GATEHOUSE_SESSION_UPDATE_AGE",
            get("GATEHOUSE_SESSION_UPDATE_AGE"),
            86_400,
        )?;
        if session_update_age >= session_ttl {
            return Err(invalid(
                "GATEHOUSE_SESSION_UPDATE_AGE",
                "must be below GATEHOUSE_SESSION_TTL",
            ));
        }

        let session_cache_ttl = duration(
            "GATEHOUSE_SESSION_CACHE_TTL",
            get("GATEHOUSE_SESSION_CACHE_TTL"),
            60,
        )?;
        if session_cache_ttl > Duration::hours(1) {
            return Err(invalid("GATEHOUSE_SESSION_CACHE_TTL", "at most 1h"));
        }
        let session_cache_ttl = on_off(
            "GATEHOUSE_SESSION_CACHE",
            get("GATEHOUSE_SESSION_CACHE"),
            true,
        )?
        .then_some(session_cache_ttl);

        let fresh_age = match get("GATEHOUSE_FRESH_AGE") {
            Some(raw) if raw.trim() == "0" => Duration::zero(),
            raw => duration("GATEHOUSE_FRESH_AGE", raw, 86_400)?,
        };

        let jwt_private_key = get("GATEHOUSE_JWT_PRIVATE_KEY")
            .map(|path| {
                let pem = read_key_file("GATEHOUSE_JWT_PRIVATE_KEY", &path)?;
                keys::parse_private_key(&pem)
                    .map(JwtSigningKey)
                    .map_err(|reason| {
                        invalid("GATEHOUSE_JWT_PRIVATE_KEY", format!("{path}: {reason}"))
                    })
            })
            .transpose()?;
        let jwt_keys_old = list(get("GATEHOUSE_JWT_KEYS_OLD"))
            .map(|path| {
                let pem = read_key_file("GATEHOUSE_JWT_KEYS_OLD", &path)?;
                keys::parse_public_key(&pem).map_err(|reason| {
                    invalid("GATEHOUSE_JWT_KEYS_OLD", format!("{path}: {reason}"))
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if !jwt_keys_old.is_empty() && jwt_private_key.is_none() {
            return Err(invalid(
                "GATEHOUSE_JWT_KEYS_OLD",
                "needs GATEHOUSE_JWT_PRIVATE_KEY (old keys are only used with EdDSA)",
            ));
        }

        let bcrypt_cost = match get("GATEHOUSE_BCRYPT_COST") {
            None => 12,
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(cost) if (10..=31).contains(&cost) => cost,
                _ => {
                    return Err(invalid(
                        "GATEHOUSE_BCRYPT_COST",
                        "expected a whole number from 10 to 31",
                    ));
                }
            },
        };

        let cookie_prefix =
            get("GATEHOUSE_COOKIE_PREFIX").unwrap_or_else(|| "gatehouse".to_owned());
        if !cookie_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(invalid(
                "GATEHOUSE_COOKIE_PREFIX",
                "only letters, digits, '-', '_' and '.' are allowed",
            ));
        }
        let cookie_domain = get("GATEHOUSE_COOKIE_DOMAIN").map(|d| d.trim().to_ascii_lowercase());
        if let Some(domain) = &cookie_domain {
            let valid = domain.trim_start_matches('.').split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if !valid {
                return Err(invalid("GATEHOUSE_COOKIE_DOMAIN", "not a domain name"));
            }
        }
        let cookie_same_site = match get("GATEHOUSE_COOKIE_SAMESITE")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("lax") => SameSite::Lax,
            Some("strict") => SameSite::Strict,
            Some("none") => SameSite::None,
            Some(other) => {
                return Err(invalid(
                    "GATEHOUSE_COOKIE_SAMESITE",
                    format!("expected lax, strict or none, got {other:?}"),
                ));
            }
        };
        if cookie_same_site == SameSite::None
            && base_url.scheme() == "http"
            && !is_loopback(&base_url)
        {
            return Err(invalid(
                "GATEHOUSE_COOKIE_SAMESITE",
                format!(
                    "none needs an https GATEHOUSE_BASE_URL (browsers keep SameSite=None cookies only when Secure, and drop Secure cookies sent over http to {base_origin})"
                ),
            ));
        }

        let mut trusted_origins = TrustedOrigins::parse(list(get("GATEHOUSE_TRUSTED_ORIGINS")))
            .map_err(|reason| invalid("GATEHOUSE_TRUSTED_ORIGINS", reason))?;
        trusted_origins.add(&base_url);

        let trusted_proxies = list(get("GATEHOUSE_TRUSTED_PROXIES"))
            .map(|entry| parse_cidr(&entry))
            .collect::<Result<Vec<_>, _>>()?;

        let rate_limit = on_off("GATEHOUSE_RATE_LIMIT", get("GATEHOUSE_RATE_LIMIT"), true)?;
        let metrics = on_off("GATEHOUSE_METRICS", get("GATEHOUSE_METRICS"), false)?;
        let metrics_bind = parse_bind(
            "GATEHOUSE_METRICS_BIND",
            get("GATEHOUSE_METRICS_BIND"),
            "127.0.0.1:9464",
        )?;
        if metrics && metrics_bind == bind {
            return Err(invalid(
                "GATEHOUSE_METRICS_BIND",
                "must differ from GATEHOUSE_BIND: /metrics is never served on the public listener",
            ));
        }
        let log_format = match get("GATEHOUSE_LOG_FORMAT").map(|v| v.trim().to_ascii_lowercase()) {
            None => LogFormat::Text,
            Some(raw) if raw == "text" => LogFormat::Text,
            Some(raw) if raw == "json" => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "GATEHOUSE_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ));
            }
        };
        let mail = mail::mail_config(get)?;
        let oauth_providers = oauth::oauth_providers(get)?;
        let delete_user = match get("GATEHOUSE_DELETE_USER") {
            Some(raw) if raw.trim().eq_ignore_ascii_case("confirm") => {
                if mail.is_none() {
                    return Err(invalid(
                        "GATEHOUSE_DELETE_USER",
                        "confirm mails a confirmation link: it needs a mail transport (GATEHOUSE_SMTP_URL or GATEHOUSE_MAIL_WEBHOOK)",
                    ));
                }
                DeleteUser::Confirm
            }
            raw => {
                if on_off("GATEHOUSE_DELETE_USER", raw, false)? {
                    DeleteUser::On
                } else {
                    DeleteUser::Off
                }
            }
        };
        let revoke_sessions_on_password_reset = on_off(
            "GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET",
            get("GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET"),
            true,
        )?;
        let require_email_verification = on_off(
            "GATEHOUSE_REQUIRE_EMAIL_VERIFICATION",
            get("GATEHOUSE_REQUIRE_EMAIL_VERIFICATION"),
            false,
        )?;
        if require_email_verification && mail.is_none() {
            return Err(invalid(
                "GATEHOUSE_REQUIRE_EMAIL_VERIFICATION",
                "needs a mail transport (GATEHOUSE_SMTP_URL or GATEHOUSE_MAIL_WEBHOOK): nobody could ever verify",
            ));
        }
        let send_verification_on_sign_up = on_off(
            "GATEHOUSE_SEND_VERIFICATION_ON_SIGN_UP",
            get("GATEHOUSE_SEND_VERIFICATION_ON_SIGN_UP"),
            true,
        )? && mail.is_some();
        let auto_sign_in_after_verification = on_off(
            "GATEHOUSE_AUTO_SIGN_IN_AFTER_VERIFICATION",
            get("GATEHOUSE_AUTO_SIGN_IN_AFTER_VERIFICATION"),
            false,
        )?;
        let magic_link = on_off("GATEHOUSE_MAGIC_LINK", get("GATEHOUSE_MAGIC_LINK"), false)?;
        if magic_link && mail.is_none() {
            return Err(invalid(
                "GATEHOUSE_MAGIC_LINK",
                "needs a mail transport (GATEHOUSE_SMTP_URL or GATEHOUSE_MAIL_WEBHOOK) to send the links",
            ));
        }
        let magic_link_sign_up = on_off(
            "GATEHOUSE_MAGIC_LINK_SIGN_UP",
            get("GATEHOUSE_MAGIC_LINK_SIGN_UP"),
            false,
        )?;
        let admin = on_off("GATEHOUSE_ADMIN", get("GATEHOUSE_ADMIN"), false)?;
        let sign_in_url = get("GATEHOUSE_SIGN_IN_URL")
            .map(|raw| parse_http_url("GATEHOUSE_SIGN_IN_URL", &raw))
            .transpose()?;

        let workers = match get("GATEHOUSE_WORKERS") {
            None => std::thread::available_parallelism().map_or(2, usize::from),
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=256).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "GATEHOUSE_WORKERS",
                        "expected a whole number from 1 to 256",
                    ));
                }
            },
        };
        let shutdown_timeout = duration(
            "GATEHOUSE_SHUTDOWN_TIMEOUT",
            get("GATEHOUSE_SHUTDOWN_TIMEOUT"),
            30,
        )?;
        let drain_delay = match get("GATEHOUSE_DRAIN_DELAY") {
            Some(raw) if raw.trim() == "0" => Duration::zero(),
            raw => duration("GATEHOUSE_DRAIN_DELAY", raw, 0)?,
        };
        if drain_delay > Duration::minutes(5) {
            return Err(invalid("GATEHOUSE_DRAIN_DELAY", "at most 5 minutes"));
        }
        let request_timeout = duration(
            "GATEHOUSE_REQUEST_TIMEOUT",
            get("GATEHOUSE_REQUEST_TIMEOUT"),
            10,
        )?;
        if request_timeout > Duration::minutes(10) {
            return Err(invalid("GATEHOUSE_REQUEST_TIMEOUT", "at most 10 minutes"));
        }

        // Last, once every other value is known good: the generated secret is only read here;
        // `persist_generated_secret` writes it.
        let (secret, secret_source) = match explicit_secret {
            Some(explicit) => explicit,
            None => secret::generated_secret(&database_url)?,
        };

        Ok(Self {
            jwt_issuer: get("GATEHOUSE_JWT_ISSUER").unwrap_or_else(|| base_origin.clone()),
            jwt_audience: get("GATEHOUSE_JWT_AUDIENCE").unwrap_or(base_origin),
            jwt_private_key,
            jwt_keys_old,
            database_url,
            bind,
            base_url,
            secret,
            old_secrets,
            secret_source,
            session_strategy,
            session_ttl,
            session_update_age,
            session_cache_ttl,
            fresh_age,
            bcrypt_cost,
            cookie_prefix,
            cookie_domain,
            cookie_same_site,
            trusted_origins,
            trusted_proxies,
            rate_limit,
            delete_user,
            mail,
            oauth_providers,
            revoke_sessions_on_password_reset,
            require_email_verification,
            send_verification_on_sign_up,
            auto_sign_in_after_verification,
            magic_link,
            admin,
            magic_link_sign_up,
            sign_in_url,
            metrics,
            metrics_bind,
            log_format,
            workers,
            shutdown_timeout,
            drain_delay,
            request_timeout,
        })
    }

    /// Stores a secret generated for this SQLite database (mode 0600) so it outlives the
    /// process; if another process stored one first, uses that one. Call once start-up is past
    /// every check that could fail, so a refused start leaves no file behind.
    pub fn persist_generated_secret(&mut self) -> Result<(), ConfigError> {
        let SecretSource::Generated(path) = &self.secret_source else {
            return Ok(());
        };
        let path = path.clone();
        let stored = secret::store_secret(&path, &self.secret).map_err(|e| {
            invalid(
                "GATEHOUSE_SECRET",
                format!("unset, and {}: {e}", path.display()),
            )
        })?;
        if let Some(theirs) = stored {
            self.secret = theirs;
        }
        self.secret_source = SecretSource::File(path);
        Ok(())
    }

    /// Cookies are `Secure` (and `__Secure-` prefixed) behind https.
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// What deserves a warning at start-up: settings that are valid but unsafe or surprising.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        match &self.secret_source {
            SecretSource::File(path) | SecretSource::Generated(path) => warnings.push(format!(
                "no GATEHOUSE_SECRET set: using the generated secret in {} (set GATEHOUSE_SECRET in production)",
                path.display()
            )),
            SecretSource::Ephemeral => warnings.push(
                "no GATEHOUSE_SECRET set: using a random secret for this in-memory database; sessions end with the process"
                    .to_owned(),
            ),
            SecretSource::Environment(_) => {}
        }
        if !self.rate_limit {
            warnings.push("GATEHOUSE_RATE_LIMIT=off: abuse limits are disabled".to_owned());
        }
        if self.cookie_same_site == SameSite::None && !self.is_https() {
            warnings.push(format!(
                "GATEHOUSE_COOKIE_SAMESITE=none over http works only on this machine ({}); browsers elsewhere drop the cookie",
                self.base_url.origin().ascii_serialization()
            ));
        }
        warnings
    }
}

#[cfg(test)]
mod tests;
