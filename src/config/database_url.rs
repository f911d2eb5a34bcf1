//! `DATABASE_URL`: which backend, and the connection string, redacted whenever it is shown.

use std::fmt;

use url::Url;

use super::{ConfigError, invalid};

/// Which database `DATABASE_URL` selects. The URL keeps any password, so its `Debug` and
/// `Display` redact it.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (path as given) or `:memory:`.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
    /// A `mysql://` URL (`mariadb://` is read as `mysql://`), for MySQL or MariaDB. Only a build
    /// with the `mysql` feature accepts one.
    Mysql(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let url = Url::parse(raw)
                .map_err(|e| invalid("DATABASE_URL", format!("not a valid URL: {e}")))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err(invalid("DATABASE_URL", "the PostgreSQL URL names no host"));
            }
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(rest) = raw
            .strip_prefix("mysql://")
            .or_else(|| raw.strip_prefix("mariadb://"))
        {
            let raw = format!("mysql://{rest}");
            let url = Url::parse(&raw)
                .map_err(|e| invalid("DATABASE_URL", format!("not a valid URL: {e}")))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err(invalid("DATABASE_URL", "the MySQL URL names no host"));
            }
            if url.path().trim_start_matches('/').is_empty() {
                return Err(invalid(
                    "DATABASE_URL",
                    "the MySQL URL names no database (mysql://user:password@host:3306/<database>)",
                ));
            }
            if !cfg!(feature = "mysql") {
                return Err(invalid(
                    "DATABASE_URL",
                    "this gatehouse was built without MySQL support: build it with `cargo build --release --features mysql` (needs cmake and a C++ compiler)",
                ));
            }
            return Ok(Self::Mysql(raw));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                invalid(
                    "DATABASE_URL",
                    "expected sqlite://<path>, a postgres:// URL or a mysql:// URL",
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

    /// A short name for logs: `sqlite`, `postgres` or `mysql`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
            Self::Mysql(_) => "mysql",
        }
    }

    /// The connection string itself, password included; never log it.
    pub fn expose(&self) -> &str {
        match self {
            Self::Sqlite(path) | Self::Postgres(path) | Self::Mysql(path) => path,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{path}"),
            Self::Postgres(raw) | Self::Mysql(raw) => match Url::parse(raw) {
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
                Err(_) => write!(f, "{}://<unparseable>", self.kind()),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
