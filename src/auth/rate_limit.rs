//! Abuse-limit counters (README, "Abuse limits"): fixed windows kept in the database, so
//! instances sharing it share the limits. `middleware::rate_limit` counts requests per client
//! address and route; sign-in counts failures per account here.

use chrono::{DateTime, Duration, Utc};

use crate::db::users::Identifier;
use crate::db::{Db, rate_limits};
use crate::error::ApiError;
use crate::ids::sha256_hex;

/// A limit: so many hits per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub hits: i32,
    pub window: Duration,
}

/// From the fifth failure until the window ends, the identifier cannot sign in.
const FAILED_SIGN_INS: Limit = Limit {
    hits: 5,
    window: Duration::minutes(15),
};

/// Mail to one address, whoever asks: per trimmed, lower-cased address, known or not.
pub const MAIL_PER_ADDRESS: Limit = Limit {
    hits: 3,
    window: Duration::seconds(60),
};

/// Whole seconds until a window ends, at least 1.
fn retry_after_secs(window_start_ms: i64, limit: Limit, now_ms: i64) -> u64 {
    let remaining_ms = window_start_ms + limit.window.num_milliseconds() - now_ms;
    u64::try_from((remaining_ms + 999) / 1000)
        .unwrap_or(0)
        .max(1)
}

fn now_ms(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

/// Whose failed sign-ins a counter counts.
#[derive(Debug, Clone, Copy)]
pub enum SignInSubject<'a> {
    /// An account, by its user id, whichever identifier (email or username) named it: five
    /// failures lock the account, not one spelling of it.
    Account(&'a str),
    /// An identifier that names no account; counted alike, so a lock reveals nothing.
    Unknown(&'a Identifier),
}

impl SignInSubject<'_> {
    /// The counter's key. User input is hashed, so no key outgrows an index, whatever was sent.
    fn failure_key(&self) -> String {
        match self {
            Self::Account(user_id) => format!("failed-sign-in:user:{user_id}"),
            Self::Unknown(Identifier::Email(email)) => {
                format!(
                    "failed-sign-in:unknown:{}",
                    sha256_hex(&format!("email:{email}"))
                )
            }
            Self::Unknown(Identifier::Username(username)) => format!(
                "failed-sign-in:unknown:{}",
                sha256_hex(&format!("username:{username}"))
            ),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RateLimiter {
    pub enabled: bool,
}

impl RateLimiter {
    /// Counts a hit for `key` and refuses it past `limit`.
    pub async fn count(
        &self,
        db: &Db,
        key: String,
        limit: Limit,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let (now_ms, window_ms) = (now_ms(now), limit.window.num_milliseconds());
        let window = db
            .run(move |conn| rate_limits::hit(conn, &key, now_ms, window_ms))
            .await?;
        if window.count > limit.hits {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after_secs(window.window_start, limit, now_ms),
            });
        }
        Ok(())
    }

    /// Counts a request that would mail `email` (known or not, so a 429 reveals nothing) and
    /// refuses it past [`MAIL_PER_ADDRESS`]. The key is hashed: no address outgrows an index.
    pub async fn count_mail_to(
        &self,
        db: &Db,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let key = format!("mail:address:{}", sha256_hex(email));
        self.count(db, key, MAIL_PER_ADDRESS, now).await
    }

    /// Refuses a sign-in for an account (or unknown identifier) that has failed too often, before
    /// any password work.
    pub async fn check_sign_in(
        &self,
        db: &Db,
        subject: &SignInSubject<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let (key, now_ms) = (subject.failure_key(), now_ms(now));
        let window_ms = FAILED_SIGN_INS.window.num_milliseconds();
        let current = db
            .run(move |conn| rate_limits::current(conn, &key, now_ms, window_ms))
            .await?;
        match current {
            Some(window) if window.count >= FAILED_SIGN_INS.hits => {
                Err(ApiError::TooManyRequests {
                    retry_after_secs: retry_after_secs(
                        window.window_start,
                        FAILED_SIGN_INS,
                        now_ms,
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// Records a sign-in's outcome: a failure counts (unknown identifiers too, so the throttle
    /// reveals nothing); a success clears the count.
    pub async fn record_sign_in(
        &self,
        db: &Db,
        subject: &SignInSubject<'_>,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let key = subject.failure_key();
        if succeeded {
            return db.run(move |conn| rate_limits::clear(conn, &key)).await;
        }
        let (now_ms, window_ms) = (now_ms(now), FAILED_SIGN_INS.window.num_milliseconds());
        db.run(move |conn| rate_limits::hit(conn, &key, now_ms, window_ms))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_keys_are_bounded_whatever_the_identifier() {
        let long = Identifier::Email(format!("{}@example.com", "a".repeat(5000)));
        let user = SignInSubject::Account("2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY");

        assert_eq!(SignInSubject::Unknown(&long).failure_key().len(), 87);
        assert_ne!(
            SignInSubject::Unknown(&Identifier::Email("al".into())).failure_key(),
            SignInSubject::Unknown(&Identifier::Username("al".into())).failure_key()
        );
        assert_eq!(
            user.failure_key(),
            "failed-sign-in:user:2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY"
        );
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        let minute = Limit {
            hits: 10,
            window: Duration::seconds(60),
        };

        assert_eq!(retry_after_secs(0, minute, 59_001), 1);
        assert_eq!(retry_after_secs(0, minute, 60_000), 1);
        assert_eq!(retry_after_secs(0, minute, 1), 60);
        assert_eq!(retry_after_secs(0, minute, 500), 60);
    }
}
