//! The database strategy's session cache: token hash → the session row and its user, so a
//! get-session of a session read recently needs no database round trip. Bounded in memory
//! ([`MAX_BYTES`], entries weighed by their size) and in time (`GATEHOUSE_SESSION_CACHE_TTL`, and
//! never past the session's own expiry); `moka` does the bookkeeping.
//!
//! Correctness comes first. Every write that ends or changes a session or a user publishes an
//! invalidation ([`crate::db::invalidations`]): this instance forgets at once, after the commit,
//! and other instances forget when it reaches them: PostgreSQL `LISTEN` on a connection of its own
//! (read every [`LISTEN_POLL`]), or, on SQLite and MySQL, the `session_invalidations` rows read
//! every [`LOG_POLL`]. While invalidations cannot arrive (the listener's connection is gone, the
//! poll fails) the cache is emptied and bypassed, and it is emptied again when they can: what
//! was missed meanwhile is never served. A read that began before an invalidation never fills
//! the cache with what it read (the generation check), so a sign-out racing a get-session cannot
//! leave the old session behind.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crate::config::DatabaseUrl;
use crate::db::invalidations::{self, Invalidation, Listener};
use crate::db::models::{SessionRow, UserRow};
use crate::db::{Db, InvalidationSink};

/// The most memory the cached entries may take (their estimated size).
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// How often the PostgreSQL listener reads what arrived (no query: libpq reads its socket).
const LISTEN_POLL: Duration = Duration::from_millis(5);
/// How often the listener's connection is proven alive with a round trip.
const LISTEN_CHECK: Duration = Duration::from_secs(1);
/// How long to wait before connecting the listener again.
const RECONNECT_DELAY: Duration = Duration::from_millis(250);
/// How long start-up waits for the cache to hear from the database.
const START_WAIT: Duration = Duration::from_secs(3);
/// How often instances sharing a SQLite file or a MySQL database read its invalidations.
const LOG_POLL: Duration = Duration::from_millis(200);
/// How far back each read looks past the previous one: longer than a writer can wait for a lock
/// (SQLite's busy timeout, MySQL's `innodb_lock_wait_timeout`, both 5 s) between stamping its key
/// and committing it.
const LOG_OVERLAP_MS: i64 = 10_000;

/// A session as the database last showed it.
#[derive(Debug, Clone)]
pub struct Cached {
    pub row: SessionRow,
    pub user: UserRow,
    /// When this entry goes (moka's per-entry expiry).
    until: Instant,
}

impl Cached {
    fn weight(&self, key: &str) -> u32 {
        let row = &self.row;
        let user = &self.user;
        let strings = [
            key.len(),
            row.id.len(),
            row.user_id.len(),
            row.ip_address.len(),
            row.user_agent.len(),
            row.token_hash.as_ref().map_or(0, String::len),
            user.id.len(),
            user.name.len(),
            user.email.len(),
            user.image.as_ref().map_or(0, String::len),
            user.username.as_ref().map_or(0, String::len),
            user.display_username.as_ref().map_or(0, String::len),
        ];
        // The strings, plus the two rows, the map's node and moka's bookkeeping: about 1.2 KiB
        // (measured: 100 000 distinct sessions read through a full 16 MiB cache raised the
        // resident memory by about what the weights add up to).
        u32::try_from(strings.iter().sum::<usize>() + 1200).unwrap_or(u32::MAX)
    }
}

struct PerEntryExpiry;

impl moka::Expiry<String, Arc<Cached>> for PerEntryExpiry {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Arc<Cached>,
        created_at: Instant,
    ) -> Option<Duration> {
        Some(value.until.saturating_duration_since(created_at))
    }
}

pub struct SessionCache {
    entries: moka::sync::Cache<String, Arc<Cached>>,
    /// Counts invalidations: a read that saw another value before it began fills nothing.
    generation: AtomicU64,
    /// Whether other instances' invalidations are arriving; while not, the cache is unused.
    live: AtomicBool,
    ttl: Duration,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("entries", &self.entries.entry_count())
            .field("live", &self.is_live())
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl SessionCache {
    /// An empty cache, not live until [`SessionCache::start`] hears from the database.
    pub fn new(ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|key: &String, value: &Arc<Cached>| value.weight(key))
                .expire_after(PerEntryExpiry)
                .support_invalidation_closures()
                .eviction_listener(|_key, _value, cause| {
                    crate::metrics::cache_eviction(match cause {
                        moka::notification::RemovalCause::Explicit => "invalidated",
                        moka::notification::RemovalCause::Expired => "expired",
                        moka::notification::RemovalCause::Size => "size",
                        moka::notification::RemovalCause::Replaced => "replaced",
                    });
                })
                .build(),
            generation: AtomicU64::new(0),
            live: AtomicBool::new(false),
            ttl,
        })
    }

    /// Whether the cache is in use (invalidations are arriving).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::SeqCst)
    }

    /// The session whose token hashes to `token_hash`, if cached and the cache is in use.
    pub fn get(&self, token_hash: &str) -> Option<Arc<Cached>> {
        if !self.is_live() {
            crate::metrics::cache_lookup("bypassed");
            return None;
        }
        let found = self.entries.get(token_hash);
        crate::metrics::cache_lookup(if found.is_some() { "hit" } else { "miss" });
        found
    }

    /// How many sessions it holds, once moka has caught up with its pending work.
    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// To take before a database read whose result may fill the cache.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps what a read found, unless an invalidation came since `seen` (see
    /// [`SessionCache::generation`]) or the cache is not in use; for the cache's TTL at most,
    /// and never past `valid_for` (what is left of the session).
    pub fn fill(
        &self,
        token_hash: String,
        row: SessionRow,
        user: UserRow,
        seen: u64,
        valid_for: Duration,
    ) {
        if !self.is_live() || self.generation() != seen {
            return;
        }
        let until = Instant::now() + self.ttl.min(valid_for);
        self.entries
            .insert(token_hash.clone(), Arc::new(Cached { row, user, until }));
        // An invalidation between the check above and the insert: forget what was put.
        if self.generation() != seen {
            self.entries.invalidate(&token_hash);
        }
    }

    /// Forgets what `invalidated` names.
    pub fn forget(&self, invalidated: &[Invalidation]) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        for what in invalidated {
            match what {
                Invalidation::Session(hash) => self.entries.invalidate(hash),
                Invalidation::User(id) => {
                    let id = id.clone();
                    if self
                        .entries
                        .invalidate_entries_if(move |_, cached| cached.user.id == id)
                        .is_err()
                    {
                        self.entries.invalidate_all();
                    }
                }
            }
        }
    }

    /// In use or not; either way the cache starts empty.
    fn set_live(&self, live: bool) {
        if self.live.swap(live, Ordering::SeqCst) != live || live {
            self.generation.fetch_add(1, Ordering::SeqCst);
            self.entries.invalidate_all();
        }
    }

    /// Where this instance's own writes send their invalidations.
    pub fn sink(self: &Arc<Self>) -> InvalidationSink {
        let cache = Arc::downgrade(self);
        Arc::new(move |invalidated: Vec<Invalidation>| {
            if let Some(cache) = cache.upgrade() {
                cache.forget(&invalidated);
            }
        })
    }

    /// Starts the thread that brings other instances' invalidations (it ends when the cache is
    /// dropped), and waits a little for it to hear from the database, so a new instance serves
    /// from its cache at once (else it starts bypassed, and says so).
    pub fn start(self: &Arc<Self>, db: &Db, url: &DatabaseUrl) -> std::io::Result<()> {
        self.spawn(db, url)?;
        let started = Instant::now();
        while !self.is_live() && started.elapsed() < START_WAIT {
            std::thread::sleep(Duration::from_millis(2));
        }
        if !self.is_live() {
            log::warn!("session cache: no invalidations yet; bypassing the cache until they come");
        }
        Ok(())
    }

    fn spawn(self: &Arc<Self>, db: &Db, url: &DatabaseUrl) -> std::io::Result<()> {
        let cache = Arc::downgrade(self);
        let name = "gatehouse-session-cache".to_owned();
        match url {
            DatabaseUrl::Postgres(raw) => {
                let raw = raw.clone();
                std::thread::Builder::new()
                    .name(name)
                    .spawn(move || listen(&cache, &raw))?;
            }
            DatabaseUrl::Sqlite(_) | DatabaseUrl::Mysql(_) => {
                let db = db.clone();
                std::thread::Builder::new()
                    .name(name)
                    .spawn(move || poll_log(&cache, &db))?;
            }
        }
        Ok(())
    }
}

/// PostgreSQL: listens, forgets what arrives, and reconnects when the connection goes; the cache
/// is live only while listening.
fn listen(cache: &Weak<SessionCache>, url: &str) {
    let mut was_down = false;
    loop {
        let Some(strong) = cache.upgrade() else {
            return;
        };
        let mut listener = match Listener::connect(url) {
            Ok(listener) => listener,
            Err(error) => {
                if !was_down {
                    log::warn!("session cache: cannot listen for invalidations: {error}");
                }
                was_down = true;
                strong.set_live(false);
                drop(strong);
                std::thread::sleep(RECONNECT_DELAY);
                continue;
            }
        };
        if was_down {
            log::info!("session cache: listening again");
        }
        strong.set_live(true);
        drop(strong);
        let mut checked = Instant::now();
        let lost = loop {
            std::thread::sleep(LISTEN_POLL);
            let Some(strong) = cache.upgrade() else {
                return;
            };
            match listener.received() {
                Ok(invalidated) if !invalidated.is_empty() => strong.forget(&invalidated),
                Ok(_) => {}
                Err(error) => break error,
            }
            if checked.elapsed() >= LISTEN_CHECK {
                if let Err(error) = listener.check() {
                    break error;
                }
                checked = Instant::now();
            }
        };
        log::warn!(
            "session cache: the listener's connection is gone ({lost}); bypassing the cache"
        );
        was_down = true;
        if let Some(strong) = cache.upgrade() {
            strong.set_live(false);
        }
    }
}

/// SQLite and MySQL: reads the invalidations every instance recorded since a little before the
/// last read, by the clock the rows are stamped with (the database server's, on MySQL).
fn poll_log(cache: &Weak<SessionCache>, db: &Db) {
    let mut from = None;
    loop {
        let Some(strong) = cache.upgrade() else {
            return;
        };
        let read = db.run_blocking(move |conn| {
            let started = invalidations::clock_ms(conn)?;
            let from = from.unwrap_or(started - LOG_OVERLAP_MS);
            Ok((started, invalidations::since(conn, from)?))
        });
        match read {
            Ok((started, rows)) => {
                let invalidated: Vec<Invalidation> = rows
                    .iter()
                    .filter_map(|(_, key)| Invalidation::parse(key))
                    .collect();
                if !invalidated.is_empty() {
                    strong.forget(&invalidated);
                }
                if !strong.is_live() {
                    strong.set_live(true);
                }
                from = Some(started - LOG_OVERLAP_MS);
            }
            Err(error) => {
                if strong.is_live() {
                    log::warn!(
                        "session cache: cannot read invalidations ({error}); bypassing the cache"
                    );
                    strong.set_live(false);
                }
            }
        }
        drop(strong);
        std::thread::sleep(LOG_POLL);
    }
}
