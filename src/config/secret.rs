//! The signing secret and where it comes from. With SQLite and no secret configured, gatehouse
//! generates one and keeps it beside the database file; reading the configuration never writes
//! that file: [`Config::persist_generated_secret`](super::Config::persist_generated_secret) does,
//! once every value has been checked.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ConfigError, DatabaseUrl, invalid};

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Environment(&'static str),
    /// Read from this file, generated on an earlier first start.
    File(PathBuf),
    /// Generated now; to be stored in this file before serving.
    Generated(PathBuf),
    /// Generated for an in-memory database; gone at exit.
    Ephemeral,
}

pub(super) fn checked_secret(variable: &'static str, value: String) -> Result<Secret, ConfigError> {
    if value.len() < 32 {
        return Err(invalid(variable, "must be at least 32 bytes long"));
    }
    Ok(Secret::new(value))
}

/// With no secret configured: SQLite keeps a generated one beside its file; PostgreSQL and MySQL,
/// which several instances may share, must be told one. Reads, never writes.
pub(super) fn generated_secret(
    database_url: &DatabaseUrl,
) -> Result<(Secret, SecretSource), ConfigError> {
    match database_url {
        DatabaseUrl::Postgres(_) => Err(invalid(
            "GATEHOUSE_SECRET",
            "required with PostgreSQL (every instance must share it); generate one with `openssl rand -hex 32`",
        )),
        DatabaseUrl::Mysql(_) => Err(invalid(
            "GATEHOUSE_SECRET",
            "required with MySQL (every instance must share it); generate one with `openssl rand -hex 32`",
        )),
        DatabaseUrl::Sqlite(path) if path == ":memory:" => {
            Ok((Secret::new(random_secret()), SecretSource::Ephemeral))
        }
        DatabaseUrl::Sqlite(path) => {
            let secret_path = PathBuf::from(format!("{path}.secret"));
            match read_secret(&secret_path) {
                Ok(Some(secret)) => Ok((secret, SecretSource::File(secret_path))),
                Ok(None) => Ok((
                    Secret::new(random_secret()),
                    SecretSource::Generated(secret_path),
                )),
                Err(e) => Err(invalid(
                    "GATEHOUSE_SECRET",
                    format!("unset, and {}: {e}", secret_path.display()),
                )),
            }
        }
    }
}

fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored secret, or `None` when the file does not exist yet.
fn read_secret(path: &Path) -> std::io::Result<Option<Secret>> {
    match std::fs::read_to_string(path) {
        Ok(content) => {
            let secret = content.trim().to_owned();
            if secret.len() < 32 {
                return Err(std::io::Error::other(
                    "the stored secret is shorter than 32 bytes",
                ));
            }
            Ok(Some(Secret::new(secret)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes a generated secret with mode 0600, unless another process stored one first, in which
/// case that one is returned and used.
pub(super) fn store_secret(path: &Path, secret: &Secret) -> std::io::Result<Option<Secret>> {
    match create_private_file(path) {
        Ok(mut file) => {
            file.write_all(secret.expose().as_bytes())?;
            file.sync_all()?;
            Ok(None)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_secret(path),
        Err(e) => Err(e),
    }
}

/// Creates a new file only its owner can read and write; fails if it exists.
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
