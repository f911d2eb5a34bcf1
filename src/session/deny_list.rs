//! The JWT deny-list, in memory. A get-session with a valid JWT asks only this set, so it makes no
//! database query. Each instance reads the revocations other instances recorded every
//! [`SYNC_INTERVAL`], so a sign-out anywhere reaches every instance within a second; if the
//! instance cannot read them for longer than [`MAX_STALENESS`], it stops trusting its copy and
//! answers 503, as it would if it had to ask the database.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::db::models::RevokedSessionRow;
use crate::db::{Db, revocations};
use crate::error::ApiError;

/// How often revocations made elsewhere are read.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(400);
/// How old the copy may get before it is not trusted.
const MAX_STALENESS: Duration = Duration::from_secs(3);
/// Rows are read again for this long after their `revoked_at`, in case a commit lands late or an
/// instance's clock lags.
const OVERLAP_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Default)]
struct State {
    /// Revoked session id → when its last token expires (epoch ms).
    revoked: HashMap<String, i64>,
    /// The latest `revoked_at` read.
    high_water_ms: i64,
    /// When the database was last read successfully (real elapsed time, whatever the clock that
    /// dates tokens says); `None` before the first read.
    synced_at: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct DenyList {
    state: RwLock<State>,
}

impl DenyList {
    /// Whether a session id is revoked, or 503 when the copy is too old to answer for.
    pub fn is_revoked(&self, sid: &str) -> Result<bool, ApiError> {
        let state = self
            .state
            .read()
            .map_err(|_| ApiError::Internal("the deny-list lock is poisoned".to_owned()))?;
        if state
            .synced_at
            .is_none_or(|at| at.elapsed() > MAX_STALENESS)
        {
            return Err(ApiError::Unavailable(
                "the revocation list could not be read from the database".to_owned(),
            ));
        }
        Ok(state.revoked.contains_key(sid))
    }

    /// Whether the copy is recent enough to answer for.
    pub fn is_fresh(&self) -> bool {
        self.state.read().is_ok_and(|state| {
            state
                .synced_at
                .is_some_and(|at| at.elapsed() <= MAX_STALENESS)
        })
    }

    /// How many revoked sessions it holds, and how long ago it was last read (`None` before the
    /// first read).
    pub fn stats(&self) -> (usize, Option<Duration>) {
        self.state.read().map_or((0, None), |state| {
            (state.revoked.len(), state.synced_at.map(|at| at.elapsed()))
        })
    }

    /// Records a revocation made here, without waiting for the next read.
    pub fn insert(&self, row: &RevokedSessionRow) {
        if let Ok(mut state) = self.state.write() {
            state
                .revoked
                .insert(row.sid.clone(), row.expires_at.and_utc().timestamp_millis());
        }
    }

    /// Reads the revocations recorded since the last read and forgets expired ones.
    pub async fn sync(&self, db: &Db, now: DateTime<Utc>) -> Result<(), ApiError> {
        let since = self
            .state
            .read()
            .map(|state| state.high_water_ms - OVERLAP_MS)
            .unwrap_or(0);
        let naive = now.naive_utc();
        let rows = db
            .run(move |conn| revocations::revoked_since(conn, since, naive))
            .await?;
        self.apply(rows, now);
        Ok(())
    }

    /// The same read on the calling thread, for start-up before serving.
    pub fn sync_blocking(&self, db: &Db, now: DateTime<Utc>) -> Result<(), ApiError> {
        let naive = now.naive_utc();
        let rows =
            db.run_blocking(move |conn| revocations::revoked_since(conn, i64::MIN, naive))?;
        self.apply(rows, now);
        Ok(())
    }

    fn apply(&self, rows: Vec<RevokedSessionRow>, now: DateTime<Utc>) {
        let now_ms = now.timestamp_millis();
        if let Ok(mut state) = self.state.write() {
            for row in rows {
                state.high_water_ms = state.high_water_ms.max(row.revoked_at);
                state
                    .revoked
                    .insert(row.sid, row.expires_at.and_utc().timestamp_millis());
            }
            state.revoked.retain(|_, expires_ms| *expires_ms > now_ms);
            state.synced_at = Some(Instant::now());
        }
    }
}
