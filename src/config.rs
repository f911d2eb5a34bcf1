//! Typed configuration read once from the environment (section 9 of the contract). Every value is
//! checked here; a bad one stops start-up with one message naming the variable.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::Duration;
use ipnet::IpNet;
use url::Url;

use crate::auth::origin::TrustedOrigins;

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

fn invalid(variable: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        reason: reason.into(),
    }
}

/// A secret value. Its `Debug` and `Display` print nothing of it, so a config can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is used as key material.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which database `DATABASE_URL` selects. The URL keeps any password, so its `Debug` and
/// `Display` redact it.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (path as given) or `:memory:`.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Url::parse(raw)
                .map_err(|e| invalid("DATABASE_URL", format!("not a valid URL: {e}")))?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                invalid(
                    "DATABASE_URL",
                    "expected sqlite://<path> or a postgres:// URL",
                )
            })?;
        if path.is_empty() {
            return Err(invalid("DATABASE_URL", "the SQLite path is empty"));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn is_in_memory(&self) -> bool {
        matches!(self, Self::Sqlite(path) if path == ":memory:")
    }

    /// A short name for logs: `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The connection string itself, password included; never log it.
    pub fn expose(&self) -> &str {
        match self {
            Self::Sqlite(path) | Self::Postgres(path) => path,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{path}"),
            Self::Postgres(raw) => match Url::parse(raw) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ignored = url.set_password(Some("***"));
                    }
                    let query: Vec<(String, String)> = url
                        .query_pairs()
                        .map(|(k, v)| {
                            let v = if k.eq_ignore_ascii_case("password") {
                                "***".to_owned()
                            } else {
                                v.into_owned()
                            };
                            (k.into_owned(), v)
                        })
                        .collect();
                    if !query.is_empty() {
                        url.query_pairs_mut().clear().extend_pairs(query);
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://<unparseable>"),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
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
    pub bind: String,
    pub base_url: Url,
    pub secret: Secret,
    pub old_secrets: Vec<Secret>,
    /// Where the secret came from, for the start-up log.
    pub secret_source: SecretSource,
    pub session_strategy: SessionStrategy,
    pub session_ttl: Duration,
    pub session_update_age: Duration,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// PEM of the Ed25519 key that signs JWTs (EdDSA); `None` signs with the secret (HS256).
    pub jwt_private_key: Option<Secret>,
    /// PEMs of earlier Ed25519 keys: still verified and published, never used to sign.
    pub jwt_keys_old: Vec<String>,
    pub bcrypt_cost: u32,
    pub cookie_prefix: String,
    pub cookie_domain: Option<String>,
    pub cookie_same_site: SameSite,
    pub trusted_origins: TrustedOrigins,
    pub trusted_proxies: Vec<IpNet>,
    pub rate_limit: bool,
    pub sign_in_url: Option<Url>,
    pub metrics: bool,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: usize,
    /// How long in-flight requests may run after SIGTERM.
    pub shutdown_timeout: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Environment(&'static str),
    /// Generated on first start and kept in this file.
    File(PathBuf),
    /// Generated for an in-memory database; gone at exit.
    Ephemeral,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://gatehouse.db".to_owned()),
        )?;
        let bind = get("GATEHOUSE_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let base_url = match get("GATEHOUSE_BASE_URL") {
            Some(raw) => parse_http_url("GATEHOUSE_BASE_URL", &raw)?,
            None => parse_http_url("GATEHOUSE_BIND", &format!("http://{bind}"))?,
        };
        let base_origin = base_url.origin().ascii_serialization();

        let (secret, secret_source) = match (get("GATEHOUSE_SECRET"), get("BETTER_AUTH_SECRET")) {
            (Some(secret), _) => (
                checked_secret("GATEHOUSE_SECRET", secret)?,
                SecretSource::Environment("GATEHOUSE_SECRET"),
            ),
            (None, Some(secret)) => (
                checked_secret("BETTER_AUTH_SECRET", secret)?,
                SecretSource::Environment("BETTER_AUTH_SECRET"),
            ),
            (None, None) => generated_secret(&database_url)?,
        };
        let old_secrets = list(get("GATEHOUSE_SECRETS_OLD"))
            .map(|old| checked_secret("GATEHOUSE_SECRETS_OLD", old))
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

        let jwt_private_key = get("GATEHOUSE_JWT_PRIVATE_KEY")
            .map(|path| {
                let pem = read_key_file("GATEHOUSE_JWT_PRIVATE_KEY", &path)?;
                crate::session::jwt::parse_private_key(&pem).map_err(|reason| {
                    invalid("GATEHOUSE_JWT_PRIVATE_KEY", format!("{path}: {reason}"))
                })?;
                Ok(Secret::new(pem))
            })
            .transpose()?;
        let jwt_keys_old = list(get("GATEHOUSE_JWT_KEYS_OLD"))
            .map(|path| {
                let pem = read_key_file("GATEHOUSE_JWT_KEYS_OLD", &path)?;
                crate::session::jwt::parse_public_key(&pem).map_err(|reason| {
                    invalid("GATEHOUSE_JWT_KEYS_OLD", format!("{path}: {reason}"))
                })?;
                Ok(pem)
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

        let mut trusted_origins = TrustedOrigins::parse(list(get("GATEHOUSE_TRUSTED_ORIGINS")))
            .map_err(|reason| invalid("GATEHOUSE_TRUSTED_ORIGINS", reason))?;
        trusted_origins.add_exact(&base_origin);

        let trusted_proxies = list(get("GATEHOUSE_TRUSTED_PROXIES"))
            .map(|entry| parse_cidr(&entry))
            .collect::<Result<Vec<_>, _>>()?;

        let rate_limit = on_off("GATEHOUSE_RATE_LIMIT", get("GATEHOUSE_RATE_LIMIT"), true)?;
        let metrics = on_off("GATEHOUSE_METRICS", get("GATEHOUSE_METRICS"), false)?;
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
            bcrypt_cost,
            cookie_prefix,
            cookie_domain,
            cookie_same_site,
            trusted_origins,
            trusted_proxies,
            rate_limit,
            sign_in_url,
            metrics,
            workers,
            shutdown_timeout,
        })
    }

    /// Cookies are `Secure` (and `__Secure-` prefixed) behind https.
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

fn read_key_file(variable: &'static str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| invalid(variable, format!("cannot read {path}: {e}")))
}

fn list(value: Option<String>) -> impl Iterator<Item = String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

fn checked_secret(variable: &'static str, value: String) -> Result<Secret, ConfigError> {
    if value.len() < 32 {
        return Err(invalid(variable, "must be at least 32 bytes long"));
    }
    Ok(Secret::new(value))
}

/// With no secret configured: SQLite keeps a generated one beside its file; PostgreSQL, which
/// several instances may share, must be told one.
fn generated_secret(database_url: &DatabaseUrl) -> Result<(Secret, SecretSource), ConfigError> {
    match database_url {
        DatabaseUrl::Postgres(_) => Err(invalid(
            "GATEHOUSE_SECRET",
            "required with PostgreSQL (every instance must share it); generate one with `openssl rand -hex 32`",
        )),
        DatabaseUrl::Sqlite(path) if path == ":memory:" => {
            Ok((Secret::new(random_secret()), SecretSource::Ephemeral))
        }
        DatabaseUrl::Sqlite(path) => {
            let secret_path = PathBuf::from(format!("{path}.secret"));
            let secret = load_or_create_secret(&secret_path).map_err(|e| {
                invalid(
                    "GATEHOUSE_SECRET",
                    format!("unset, and {}: {e}", secret_path.display()),
                )
            })?;
            Ok((secret, SecretSource::File(secret_path)))
        }
    }
}

fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn load_or_create_secret(path: &Path) -> std::io::Result<Secret> {
    match std::fs::read_to_string(path) {
        Ok(content) => {
            let secret = content.trim().to_owned();
            if secret.len() < 32 {
                return Err(std::io::Error::other(
                    "the stored secret is shorter than 32 bytes",
                ));
            }
            Ok(Secret::new(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random_secret();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(secret.as_bytes())?;
                    file.sync_all()?;
                    Ok(Secret::new(secret))
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_or_create_secret(path)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Whole seconds, or a number with `s`, `m`, `h` or `d`.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (number, unit_secs) = match raw.char_indices().last()? {
        (i, 's') => (&raw[..i], 1),
        (i, 'm') => (&raw[..i], 60),
        (i, 'h') => (&raw[..i], 3_600),
        (i, 'd') => (&raw[..i], 86_400),
        _ => (raw, 1),
    };
    let value: i64 = number.trim().parse().ok()?;
    if value <= 0 {
        return None;
    }
    Duration::try_seconds(value.checked_mul(unit_secs)?)
}

fn duration(
    variable: &'static str,
    raw: Option<String>,
    default_secs: i64,
) -> Result<Duration, ConfigError> {
    match raw {
        None => Ok(Duration::seconds(default_secs)),
        Some(raw) => parse_duration(&raw).ok_or_else(|| {
            invalid(
                variable,
                "expected a positive duration: seconds, or a number with s, m, h or d",
            )
        }),
    }
}

fn on_off(variable: &'static str, raw: Option<String>, default: bool) -> Result<bool, ConfigError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(invalid(
            variable,
            format!("expected on or off, got {other:?}"),
        )),
    }
}

fn parse_http_url(variable: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| invalid(variable, format!("not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            variable,
            "expected an absolute http:// or https:// URL",
        ));
    }
    Ok(url)
}

fn parse_cidr(entry: &str) -> Result<IpNet, ConfigError> {
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| {
            invalid(
                "GATEHOUSE_TRUSTED_PROXIES",
                format!("{entry:?} is not an IP address or CIDR"),
            )
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    const SECRET: (&str, &str) = ("GATEHOUSE_SECRET", "0123456789abcdef0123456789abcdef");

    #[test]
    fn a_secret_never_appears_in_debug_output() {
        let config = config(&[
            SECRET,
            (
                "DATABASE_URL",
                "postgres://u:hunter2hunter2@db/x?password=pw2",
            ),
        ])
        .unwrap();

        let printed = format!("{config:?}");

        assert!(!printed.contains(SECRET.1));
        assert!(!printed.contains("hunter2hunter2"));
        assert!(!printed.contains("pw2"));
        assert!(printed.contains("postgres://u:***@db/x"), "{printed}");
    }

    #[test]
    fn a_short_secret_is_refused_naming_the_variable() {
        let error = config(&[("GATEHOUSE_SECRET", "short")]).unwrap_err();

        assert_eq!(error.variable, "GATEHOUSE_SECRET");
    }

    #[test]
    fn better_auth_secret_is_read_when_gatehouse_secret_is_unset() {
        let config = config(&[
            ("BETTER_AUTH_SECRET", "0123456789abcdef0123456789abcdef-ba"),
            ("DATABASE_URL", "sqlite://:memory:"),
        ])
        .unwrap();

        assert_eq!(
            config.secret.expose(),
            "0123456789abcdef0123456789abcdef-ba"
        );
    }

    #[test]
    fn postgres_requires_an_explicit_secret() {
        let error = config(&[("DATABASE_URL", "postgres://localhost/x")]).unwrap_err();

        assert_eq!(error.variable, "GATEHOUSE_SECRET");
    }

    #[test]
    fn a_generated_secret_is_stored_with_owner_only_permissions_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.db");
        let url = format!("sqlite://{}", db.display());

        let first = config(&[("DATABASE_URL", &url)]).unwrap();
        let second = config(&[("DATABASE_URL", &url)]).unwrap();

        assert_eq!(first.secret, second.secret);
        assert_eq!(first.secret.expose().len(), 64);
        let secret_file = dir.path().join("g.db.secret");
        assert_eq!(first.secret_source, SecretSource::File(secret_file.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&secret_file)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn bcrypt_cost_below_ten_is_refused() {
        let error = config(&[SECRET, ("GATEHOUSE_BCRYPT_COST", "9")]).unwrap_err();

        assert_eq!(error.variable, "GATEHOUSE_BCRYPT_COST");
    }

    #[test]
    fn the_update_age_must_be_below_the_ttl() {
        let error = config(&[
            SECRET,
            ("GATEHOUSE_SESSION_TTL", "1h"),
            ("GATEHOUSE_SESSION_UPDATE_AGE", "1h"),
        ])
        .unwrap_err();

        assert_eq!(error.variable, "GATEHOUSE_SESSION_UPDATE_AGE");
    }

    #[test]
    fn durations_take_seconds_or_a_unit() {
        assert_eq!(parse_duration("604800"), Some(Duration::days(7)));
        assert_eq!(parse_duration("7d"), Some(Duration::days(7)));
        assert_eq!(parse_duration("90m"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("2h"), Some(Duration::hours(2)));
        assert_eq!(parse_duration("30s"), Some(Duration::seconds(30)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("-1d"), None);
        assert_eq!(parse_duration("7w"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = config(&[SECRET]).unwrap();

        assert_eq!(
            config.database_url,
            DatabaseUrl::Sqlite("gatehouse.db".to_owned())
        );
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(config.session_strategy, SessionStrategy::Database);
        assert_eq!(config.session_ttl, Duration::days(7));
        assert_eq!(config.session_update_age, Duration::days(1));
        assert_eq!(config.bcrypt_cost, 12);
        assert_eq!(config.cookie_prefix, "gatehouse");
        assert_eq!(config.jwt_issuer, "http://127.0.0.1:8080");
        assert_eq!(config.jwt_audience, "http://127.0.0.1:8080");
        assert!(config.trusted_origins.is_trusted("http://127.0.0.1:8080"));
        assert!(config.rate_limit);
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (variable, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("GATEHOUSE_BASE_URL", "not a url"),
            ("GATEHOUSE_SESSION_STRATEGY", "cookies"),
            ("GATEHOUSE_TRUSTED_ORIGINS", "example.com"),
            ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/99"),
            ("GATEHOUSE_COOKIE_SAMESITE", "sometimes"),
            ("GATEHOUSE_SIGN_IN_URL", "/relative"),
            ("GATEHOUSE_SECRETS_OLD", "short"),
            ("GATEHOUSE_JWT_PRIVATE_KEY", "/nonexistent/key.pem"),
            ("GATEHOUSE_JWT_PRIVATE_KEY", "/etc/hostname"),
        ] {
            let error = config(&[SECRET, (variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
        }
    }
}
