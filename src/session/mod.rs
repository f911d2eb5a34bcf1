//! Sessions behind one interface over both strategies. Routes call only [`Sessions`], whose
//! methods match on the strategy; what a strategy keeps (rows, a deny-list) stays inside this
//! module.

pub mod cache;
pub mod cookie;
pub mod database;
mod deny_list;
pub mod jwt;

use chrono::{DateTime, Duration, Utc};

use crate::config::{Config, SessionStrategy};
use crate::db::models::UserRow;
use crate::db::sessions::Selection;
use crate::db::{Db, DbConnection, sessions, users};
use crate::dto;
use crate::error::ApiError;

use self::cookie::Presented;
use self::database::DatabaseSessions;
use self::jwt::JwtSessions;

/// How long a `rememberMe: false` session lasts, in both strategies.
pub const FORGETFUL_SESSION_LIFETIME: Duration = Duration::days(1);
/// How long a session an admin starts as another user lasts; it is never extended.
pub const IMPERSONATION_LIFETIME: Duration = Duration::hours(1);

/// What a new session records about its creation.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub ip_address: String,
    pub user_agent: String,
    /// `rememberMe`: `false` makes a one-day session with a browser-session cookie.
    pub remember: bool,
    /// The admin's user id, for a session an admin starts as its user.
    pub impersonated_by: Option<String>,
    /// Written in the session's transaction: an impersonation's audit record, a password hash
    /// upgrade.
    pub along: sessions::Along,
}

/// A new session's insert, as the caller answers it: a banned user gets 403 `BANNED_USER` (only
/// ever after their password, or whatever proved who they are, was checked); a user deleted
/// meanwhile has no session to start.
fn admitted(admission: sessions::Admission) -> Result<(), ApiError> {
    match admission {
        sessions::Admission::Admitted => Ok(()),
        sessions::Admission::Banned => Err(ApiError::BannedUser),
        sessions::Admission::NoUser => Err(ApiError::Unauthorized),
    }
}

/// A session's lifetime: the configured TTL, or one day for `rememberMe: false`.
pub fn lifetime(remember: bool, ttl: Duration) -> Duration {
    if remember {
        ttl
    } else {
        FORGETFUL_SESSION_LIFETIME
    }
}

impl NewSession {
    /// The new session's [`lifetime`]; an hour for an impersonation.
    pub fn lifetime(&self, ttl: Duration) -> Duration {
        if self.impersonated_by.is_some() {
            IMPERSONATION_LIFETIME
        } else {
            lifetime(self.remember, ttl)
        }
    }
}

/// Whether reading a session may extend it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Extend it when the update age has passed (get-session), unless the request carries the
    /// `dont_remember` mark of a `rememberMe: false` session.
    WhenDue,
    /// Never (`/verify`, `disableRefresh=true`).
    Never,
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

/// Database work that commits or rolls back with a revocation: the password change that ends the
/// other sessions, the deletion of the user whose sessions end.
pub type WithRevocation =
    Box<dyn FnOnce(&mut DbConnection) -> diesel::QueryResult<()> + Send + 'static>;

/// Which of a user's sessions a revocation ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// Every session of the user; `current` is the caller's, if any, ended even if it has no row
    /// (a JWT issued before the registry).
    All { current: Option<String> },
    /// Every session but the caller's (this id).
    AllBut(String),
    /// Every session this admin (a user id) started as the user.
    ImpersonatedBy(String),
    /// One session, named by its id (a list item's handle) or by one of its tokens.
    One(String),
}

impl Revocation {
    pub(crate) fn selection(&self) -> Selection<'_> {
        match self {
            Self::All { .. } => Selection::All,
            Self::AllBut(current) => Selection::AllBut(current),
            Self::One(id) => Selection::Id(id),
            Self::ImpersonatedBy(admin) => Selection::ImpersonatedBy(admin),
        }
    }
}

/// A valid session and its user, as get-session returns them.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub session: dto::Session,
    pub user: dto::User,
    pub renewal: Renewal,
    /// jwt strategy: the current JWT, sent as `set-auth-jwt` (Better Auth's JWT-plugin header).
    pub jwt: Option<String>,
    /// The admin's user id when an admin started this session as its user, whether or not
    /// answers show it (`session.impersonatedBy` only with `GATEHOUSE_ADMIN=on`).
    pub impersonated_by: Option<String>,
}

impl ActiveSession {
    /// The session's token as it stands after this request: a re-issued one after a refresh.
    pub fn current_token(&self) -> &str {
        match &self.renewal {
            Renewal::Reissue(token) => token,
            Renewal::None => &self.session.token,
        }
    }
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
                admin: config.admin,
                ttl: config.session_ttl,
                update_age: config.session_update_age,
                cache: config
                    .session_cache_ttl
                    .and_then(|ttl| ttl.to_std().ok())
                    .map(cache::SessionCache::new),
            }),
            SessionStrategy::Jwt => Self::Jwt(Box::new(JwtSessions::new(config)?)),
        })
    }

    /// Whether answers carry the admin fields (`GATEHOUSE_ADMIN=on`).
    pub fn admin(&self) -> bool {
        match self {
            Self::Database(sessions) => sessions.admin,
            Self::Jwt(sessions) => sessions.admin,
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
            Self::Jwt(sessions) => sessions.create(db, user, new, now).await,
        }
    }

    /// The session a request presents (its bearer token, else its cookie), refreshed if
    /// `refresh` allows and it is due; `None` when the token is missing, unknown, expired,
    /// revoked or forged. Every route that reads the current session reads it here.
    pub async fn current(
        &self,
        db: &Db,
        presented: &Presented,
        now: DateTime<Utc>,
        refresh: Refresh,
    ) -> Result<Option<ActiveSession>, ApiError> {
        self.resolve(db, presented, now, refresh, true).await
    }

    /// [`Sessions::current`], from the session cache when `cached` allows.
    async fn resolve(
        &self,
        db: &Db,
        presented: &Presented,
        now: DateTime<Utc>,
        refresh: Refresh,
        cached: bool,
    ) -> Result<Option<ActiveSession>, ApiError> {
        let Some(token) = presented.token() else {
            return Ok(None);
        };
        let may_refresh = refresh == Refresh::WhenDue && !presented.dont_remember;
        match self {
            Self::Database(sessions) => sessions.resolve(db, token, now, may_refresh, cached).await,
            Self::Jwt(sessions) => sessions.resolve(db, token, now, may_refresh).await,
        }
    }

    /// The current session, as [`Sessions::current`] resolves it, for an endpoint that acts for
    /// its user: the session (database strategy, past the session cache) and the user row are
    /// read from the database in both strategies, so neither a JWT's claims nor a cached entry
    /// another instance's write has not yet reached decides, and a user deleted meanwhile has no
    /// session.
    pub async fn signed_in(
        &self,
        db: &Db,
        presented: &Presented,
        now: DateTime<Utc>,
    ) -> Result<Option<ActiveSession>, ApiError> {
        let Some(mut active) = self
            .resolve(db, presented, now, Refresh::WhenDue, false)
            .await?
        else {
            return Ok(None);
        };
        if let Self::Jwt(_) = self {
            let user_id = active.user.id.clone();
            let Some(row) = db
                .run(move |conn| users::find_by_id(conn, &user_id))
                .await?
            else {
                return Ok(None);
            };
            active.user = dto::User::of(row, self.admin());
        }
        Ok(Some(active))
    }

    /// The user's sessions in force, oldest first, each with its id as `token`: a handle that
    /// names the session to revoke-session and is no credential.
    pub async fn list(
        &self,
        db: &Db,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<dto::Session>, ApiError> {
        let (user_id, now) = (user_id.to_owned(), now.naive_utc());
        let rows = db
            .run(move |conn| sessions::list_for_user(conn, &user_id, now))
            .await?;
        // As Better Auth's admin plugin: the user does not see an admin acting as them.
        Ok(rows
            .into_iter()
            .filter(|row| !(self.admin() && row.impersonated_by.is_some()))
            .map(|row| {
                let handle = row.id.clone();
                dto::Session::from_row(row, handle, self.admin())
            })
            .collect())
    }

    /// The user whose session `named` is: a session's id, or one of its tokens (a JWT by its
    /// claims, if it verifies); `None` for none.
    pub async fn owner(
        &self,
        db: &Db,
        named: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, ApiError> {
        if let Self::Jwt(sessions) = self
            && let Some(claims) = sessions.verify(named, now)
        {
            return Ok(Some(claims.sub));
        }
        let (id, hash) = (named.to_owned(), database::hash_session_token(named));
        db.run(move |conn| sessions::owner(conn, &id, &hash)).await
    }

    /// Ends sessions of `user_id` and returns the ids of those ended. Another user's session is
    /// never touched, whatever is named.
    pub async fn revoke_for_user(
        &self,
        db: &Db,
        user_id: &str,
        revocation: Revocation,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ApiError> {
        self.revoke_for_user_with(db, user_id, revocation, now, Box::new(|_| Ok(())))
            .await
    }

    /// [`Sessions::revoke_for_user`], with `work` done in the same transaction after the
    /// sessions are ended: both happen or neither does.
    pub async fn revoke_for_user_with(
        &self,
        db: &Db,
        user_id: &str,
        revocation: Revocation,
        now: DateTime<Utc>,
        work: WithRevocation,
    ) -> Result<Vec<String>, ApiError> {
        match self {
            Self::Database(sessions) => {
                sessions
                    .revoke_for_user(db, user_id, revocation, work)
                    .await
            }
            Self::Jwt(sessions) => {
                sessions
                    .revoke_for_user(db, user_id, revocation, now, work)
                    .await
            }
        }
    }

    /// Ends every session `admin_id` started as another user (the admin is deleted, banned or no
    /// longer an admin); returns how many ended.
    pub async fn end_impersonations_by(
        &self,
        db: &Db,
        admin_id: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, ApiError> {
        let admin = admin_id.to_owned();
        let users = db
            .run(move |conn| sessions::impersonated_by(conn, &admin))
            .await?;
        let mut ended = 0;
        for user in users {
            let which = Revocation::ImpersonatedBy(admin_id.to_owned());
            ended += self.revoke_for_user(db, &user, which, now).await?.len();
        }
        Ok(ended)
    }

    /// The token that carries a session after its user changed (update-user): the same one in
    /// the database strategy; in the jwt strategy a new JWT with the same `sid` and `auth_time`
    /// whose claims hold `user` as it is now.
    pub async fn reissue(
        &self,
        db: &Db,
        active: &ActiveSession,
        user: &UserRow,
        remember: bool,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        match self {
            Self::Database(_) => Ok(active.session.token.clone()),
            Self::Jwt(sessions) => sessions.reissue(db, active, user, remember, now).await,
        }
    }

    /// Ends every session the request presents (a bearer token's and a cookie's); a token that
    /// stands for none is not an error.
    pub async fn end_presented(
        &self,
        db: &Db,
        presented: &Presented,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        for token in presented.all_tokens() {
            match self {
                Self::Database(sessions) => sessions.revoke(db, token).await?,
                Self::Jwt(sessions) => sessions.revoke(db, token, now).await?,
            }
        }
        Ok(())
    }

    /// How often [`Sessions::sync`] should run: the jwt strategy keeps revocations in memory and
    /// reads other instances' from the database; the database strategy keeps nothing.
    pub fn sync_interval(&self) -> Option<std::time::Duration> {
        match self {
            Self::Database(_) => None,
            Self::Jwt(_) => Some(deny_list::SYNC_INTERVAL),
        }
    }

    /// Reads revocations recorded by any instance since the last read (jwt strategy).
    pub async fn sync(&self, db: &Db, now: DateTime<Utc>) -> Result<(), ApiError> {
        match self {
            Self::Database(_) => Ok(()),
            Self::Jwt(sessions) => sessions.deny_list().sync(db, now).await,
        }
    }

    /// [`Sessions::sync`] on the calling thread, for start-up before serving.
    pub fn sync_blocking(&self, db: &Db, now: DateTime<Utc>) -> Result<(), ApiError> {
        match self {
            Self::Database(_) => Ok(()),
            Self::Jwt(sessions) => sessions.deny_list().sync_blocking(db, now),
        }
    }

    /// Whether sessions can be answered for now (`/readyz`, after the database answered): in the
    /// jwt strategy the in-memory revocations must be current, so after an outage they are read
    /// again first rather than reported ready while get-session would answer 503.
    pub async fn ready(&self, db: &Db, now: DateTime<Utc>) -> Result<(), ApiError> {
        match self {
            Self::Jwt(sessions) if !sessions.deny_list().is_fresh() => {
                sessions.deny_list().sync(db, now).await
            }
            _ => Ok(()),
        }
    }

    /// Database strategy: makes writes publish session-cache invalidations to every instance
    /// (whether or not this one caches), and starts this instance's cache, which takes others'
    /// invalidations. The jwt strategy caches nothing and publishes nothing.
    pub fn connect_cache(&self, db: &Db, url: &crate::config::DatabaseUrl) -> std::io::Result<()> {
        let Self::Database(sessions) = self else {
            return Ok(());
        };
        match &sessions.cache {
            Some(cache) => {
                db.publish_invalidations(cache.sink());
                cache.start(db, url)
            }
            None => {
                db.publish_invalidations(std::sync::Arc::new(|_| {}));
                Ok(())
            }
        }
    }

    /// The session cache's state for `/readyz`: `None` without a cache, else whether it is in use
    /// (`false` while invalidations cannot arrive, when it is bypassed).
    pub fn cache_live(&self) -> Option<bool> {
        match self {
            Self::Database(DatabaseSessions {
                cache: Some(cache), ..
            }) => Some(cache.is_live()),
            _ => None,
        }
    }

    /// What the metrics read of the session cache (entries, in use) and of the JWT deny-list
    /// (size, seconds since it was read), each when this strategy has one.
    pub fn read_gauges(&self, gauges: &mut crate::metrics::Gauges) {
        match self {
            Self::Database(DatabaseSessions {
                cache: Some(cache), ..
            }) => gauges.cache = Some((cache.entry_count(), cache.is_live())),
            Self::Database(_) => {}
            Self::Jwt(sessions) => {
                let (size, since) = sessions.deny_list().stats();
                let lag = since.map_or(f64::INFINITY, |since| since.as_secs_f64());
                gauges.deny_list = Some((size, lag));
            }
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
