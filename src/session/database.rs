//! The database strategy: an opaque token whose SHA-256 is the only thing stored, read through
//! the session cache ([`super::cache`]) unless `GATEHOUSE_SESSION_CACHE=off`.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;

use crate::db::models::{SessionRow, UserRow};
use crate::db::{Db, sessions};
use crate::dto;
use crate::error::ApiError;
use crate::ids::{random_id, sha256_hex};

use super::cache::SessionCache;
use super::{ActiveSession, NewSession, Renewal, Revocation, WithRevocation};
use crate::db::sessions::Selection;

/// Hex SHA-256 of a token: what the sessions table is keyed by.
pub fn hash_session_token(token: &str) -> String {
    sha256_hex(token)
}

#[derive(Debug, Clone)]
pub struct DatabaseSessions {
    /// Answers carry the admin fields (`GATEHOUSE_ADMIN=on`).
    pub admin: bool,
    pub ttl: Duration,
    pub update_age: Duration,
    pub cache: Option<Arc<SessionCache>>,
}

impl DatabaseSessions {
    pub async fn create(
        &self,
        db: &Db,
        user: &UserRow,
        new: NewSession,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let token = random_id();
        let lifetime = new.lifetime(self.ttl);
        let row = SessionRow {
            id: random_id(),
            token_hash: Some(hash_session_token(&token)),
            user_id: user.id.clone(),
            expires_at: (now + lifetime).naive_utc(),
            ip_address: new.ip_address,
            user_agent: new.user_agent,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            impersonated_by: new.impersonated_by,
        };
        let along = new.along;
        let at = now.naive_utc();
        super::admitted(
            db.run(move |conn| sessions::insert_unless_banned(conn, &row, &along, at))
                .await?,
        )?;
        Ok(token)
    }

    /// The session and its user from the cache (when `cached` allows), else in one round trip
    /// (which fills the cache); an expired row is deleted when met. A cached session that looks
    /// expired is read again (another instance may have extended it).
    pub async fn resolve(
        &self,
        db: &Db,
        token: &str,
        now: DateTime<Utc>,
        may_refresh: bool,
        cached: bool,
    ) -> Result<Option<ActiveSession>, ApiError> {
        let token_hash = hash_session_token(token);
        let now_naive = now.naive_utc();
        let cache = self.cache.as_deref();
        let cached = cache
            .filter(|_| cached)
            .and_then(|cache| cache.get(&token_hash))
            .filter(|hit| hit.row.expires_at > now_naive);
        let (mut row, user) = match cached {
            Some(hit) => (hit.row.clone(), hit.user.clone()),
            None => {
                let seen = cache.map(SessionCache::generation);
                let hash = token_hash.clone();
                let Some((row, user)) = db
                    .read(move |conn| sessions::find_with_user_by_token_hash(conn, &hash))
                    .await?
                else {
                    return Ok(None);
                };
                if row.expires_at <= now_naive {
                    let id = row.id;
                    db.run(move |conn| sessions::delete_by_id(conn, &id))
                        .await?;
                    return Ok(None);
                }
                if let (Some(cache), Some(seen)) = (cache, seen) {
                    let left = (row.expires_at - now_naive).to_std().unwrap_or_default();
                    cache.fill(token_hash.clone(), row.clone(), user.clone(), seen, left);
                }
                (row, user)
            }
        };
        let mut renewal = Renewal::None;
        if may_refresh
            && row.impersonated_by.is_none()
            && now_naive >= row.expires_at - self.ttl + self.update_age
        {
            let expires_at = (now + self.ttl).naive_utc();
            db.run(move |conn| sessions::extend(conn, &token_hash, expires_at, now_naive))
                .await?;
            row.expires_at = expires_at;
            row.updated_at = now_naive;
            renewal = Renewal::Reissue(token.to_owned());
        }
        Ok(Some(ActiveSession {
            impersonated_by: row.impersonated_by.clone(),
            session: dto::Session::from_row(row, token.to_owned(), self.admin),
            user: dto::User::of(user, self.admin),
            renewal,
            jwt: None,
        }))
    }

    pub async fn revoke(&self, db: &Db, token: &str) -> Result<(), ApiError> {
        let token_hash = hash_session_token(token);
        db.run(move |conn| sessions::delete_by_token_hash(conn, &token_hash))
            .await?;
        Ok(())
    }

    /// Deletes sessions of `user_id`, then does `work`, in one transaction; a session named by
    /// a token is found by the token's hash.
    pub async fn revoke_for_user(
        &self,
        db: &Db,
        user_id: &str,
        revocation: Revocation,
        work: WithRevocation,
    ) -> Result<Vec<String>, ApiError> {
        let user_id = user_id.to_owned();
        db.run(move |conn| {
            conn.transaction(|conn| {
                let mut ids = sessions::delete_for_user(conn, &user_id, revocation.selection())?;
                if let Revocation::One(token) = &revocation
                    && ids.is_empty()
                {
                    let hash = hash_session_token(token);
                    ids = sessions::delete_for_user(conn, &user_id, Selection::TokenHash(&hash))?;
                }
                work(conn)?;
                Ok(ids)
            })
        })
        .await
    }
}
