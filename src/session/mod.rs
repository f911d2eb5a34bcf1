//! Sessions behind one interface over both strategies. Routes call only [`Sessions`]; the enum is
//! matched inside its three methods.

pub mod cookie;
pub mod database;
pub mod deny_list;
pub mod jwt;

use chrono::{DateTime, Utc};

use crate::config::{Config, SessionStrategy};
use crate::db::Db;
use crate::db::models::UserRow;
use crate::dto;
use crate::error::ApiError;

use self::database::DatabaseSessions;
use self::jwt::JwtSessions;

/// What a new session records about its creation.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub ip_address: String,
    pub user_agent: String,
    /// `rememberMe`: `false` makes a one-day session with a browser-session cookie.
    pub remember: bool,
}

/// What the response to a session read must re-send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewal {
    /// Nothing changed.
    None,
    /// The session was extended: send this token's cookie and `set-auth-token` again (the same
    /// token for database sessions, a re-issued one for JWTs).
    Reissue(String),
}

/// A valid session and its user, as get-session returns them.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub session: dto::Session,
    pub user: dto::User,
    pub renewal: Renewal,
    /// jwt strategy: the current JWT, sent as `set-auth-jwt` (Better Auth's JWT-plugin header).
    pub jwt: Option<String>,
}

#[derive(Debug)]
pub enum Sessions {
    Database(DatabaseSessions),
    Jwt(Box<JwtSessions>),
}

impl Sessions {
    pub fn new(config: &Config) -> Result<Self, String> {
        Ok(match config.session_strategy {
            SessionStrategy::Database => Self::Database(DatabaseSessions {
                ttl: config.session_ttl,
                update_age: config.session_update_age,
            }),
            SessionStrategy::Jwt => Self::Jwt(Box::new(JwtSessions::new(config)?)),
        })
    }

    /// The in-memory JWT deny-list, which the service keeps in step with the database.
    pub fn deny_list(&self) -> Option<&deny_list::DenyList> {
        match self {
            Self::Database(_) => None,
            Self::Jwt(sessions) => Some(sessions.deny_list()),
        }
    }

    /// The JWKS document when tokens are signed with a published key; `None` otherwise.
    pub fn jwks(&self) -> Option<serde_json::Value> {
        match self {
            Self::Database(_) => None,
            Self::Jwt(sessions) => sessions.jwks(),
        }
    }

    /// Starts a session for `user` and returns its token (the value the cookie signs).
    pub async fn create(
        &self,
        db: &Db,
        user: &UserRow,
        new: NewSession,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        match self {
            Self::Database(sessions) => sessions.create(db, user, new, now).await,
            Self::Jwt(sessions) => sessions.create(user, &new, now),
        }
    }

    /// The session a token stands for, refreshed when due and allowed; `None` when the token is
    /// unknown, expired, revoked or forged.
    pub async fn resolve(
        &self,
        db: &Db,
        token: &str,
        now: DateTime<Utc>,
        may_refresh: bool,
    ) -> Result<Option<ActiveSession>, ApiError> {
        match self {
            Self::Database(sessions) => sessions.resolve(db, token, now, may_refresh).await,
            Self::Jwt(sessions) => sessions.resolve(db, token, now, may_refresh).await,
        }
    }

    /// Ends the session a token stands for; a token that stands for none is not an error.
    pub async fn revoke(&self, db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        match self {
            Self::Database(sessions) => sessions.revoke(db, token).await,
            Self::Jwt(sessions) => sessions.revoke(db, token, now).await,
        }
    }

    /// The lifetime of a remembered session, in seconds: the cookie's `Max-Age`.
    pub fn ttl_secs(&self) -> i64 {
        match self {
            Self::Database(sessions) => sessions.ttl.num_seconds(),
            Self::Jwt(sessions) => sessions.ttl().num_seconds(),
        }
    }
}
