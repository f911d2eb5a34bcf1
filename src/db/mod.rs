//! One diesel code base over SQLite, PostgreSQL and (with the `mysql` feature) MySQL or MariaDB.
//! The scheme of `DATABASE_URL` picks the backend at start-up; nothing above this module knows
//! which one runs. [`Db::run`] is the only place a pooled connection is taken and the only hop to
//! a blocking thread for database work.

pub mod accounts;
pub mod audit;
pub mod import;
pub mod invalidations;
pub mod models;
pub mod rate_limits;
pub mod revocations;
pub mod schema;
pub mod sessions;
pub mod users;
pub mod verifications;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::ApiError;
use invalidations::Invalidation;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
#[cfg(feature = "mysql")]
pub const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

/// Every backend behind one connection type. SQLite stays last: `establish` tries variants in
/// order, and SQLite will open almost anything as a file. (Two definitions because the derive
/// cannot leave out a variant by `cfg`.)
#[cfg(feature = "mysql")]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Mysql(diesel::MysqlConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Every backend behind one connection type (this build has no MySQL).
#[cfg(not(feature = "mysql"))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// `on_backend!(conn, c => expr)`: evaluates `expr` with `c` bound to the backend's own
/// connection, for the statements diesel prepares once per connection only on the concrete type
/// (through `MultiConnection` they are prepared anew each time) and for those that only some
/// backends have.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::db::DbConnection::Mysql($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// How long a request waits for a pooled connection before answering 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);
/// SQLite waits this long for a write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// Key of the PostgreSQL advisory lock that serialises migrations of replicas starting together.
const MIGRATION_LOCK_KEY: i64 = 0x6761_7465_686f_7573; // "gatehous"
/// MySQL's named lock for the same purpose, and how long a replica waits for it (seconds).
#[cfg(feature = "mysql")]
const MYSQL_MIGRATION_LOCK: &str = "gatehouse_migrations";
#[cfg(feature = "mysql")]
const MYSQL_MIGRATION_LOCK_WAIT_S: u32 = 300;
/// What every MySQL connection sets for its session, whatever the server's defaults: strict
/// mode (a value that does not fit is an error, never silently cut), no zero dates, standard
/// string literals (a backslash is an ordinary character, as on the other backends), UTC, and
/// READ COMMITTED, the isolation PostgreSQL gives by default and the code is written for (no gap
/// locks: concurrent inserts of different keys never wait for each other), and lock waits of at
/// most 5 s (the server's default is 50), like SQLite's busy timeout. `PIPES_AS_CONCAT` is what
/// diesel's own connection set-up adds.
#[cfg(feature = "mysql")]
const MYSQL_SESSION: &str = "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES,PIPES_AS_CONCAT'; \
     SET SESSION time_zone = '+00:00'; \
     SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED; \
     SET SESSION innodb_lock_wait_timeout = 5";

/// A pooled connection that remembers whether it saw its server go away, so the pool drops it
/// and the service recovers by itself when the database is back, without pinging on every
/// checkout.
pub struct PooledConnection {
    connection: DbConnection,
    is_broken: bool,
}

/// Opens connections for the pool, choosing the backend from the URL and applying SQLite's
/// PRAGMAs to each new connection.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ManageConnection for ConnectionManager {
    type Connection = PooledConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledConnection, r2d2::Error> {
        Ok(PooledConnection {
            connection: establish(&self.url)?,
            is_broken: false,
        })
    }

    fn is_valid(&self, conn: &mut PooledConnection) -> Result<(), r2d2::Error> {
        conn.connection.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PooledConnection) -> bool {
        conn.is_broken || std::thread::panicking() || conn.connection.is_broken()
    }
}

/// Opens one connection of the configured backend, with SQLite's per-connection PRAGMAs: the busy
/// timeout first (so nothing after it fails on a lock at once), then `synchronous=FULL`, which
/// makes every acknowledged commit survive a crash or power loss, and foreign keys, which are off
/// by default. WAL mode belongs to the file and is set once, by [`Db::open`].
pub fn establish(url: &DatabaseUrl) -> Result<DbConnection, r2d2::Error> {
    match url {
        DatabaseUrl::Postgres(raw) => Ok(DbConnection::Postgres(postgres_connect(raw)?)),
        #[cfg(feature = "mysql")]
        DatabaseUrl::Mysql(raw) => Ok(DbConnection::Mysql(mysql_connect(raw)?)),
        #[cfg(not(feature = "mysql"))]
        DatabaseUrl::Mysql(_) => Err(r2d2::Error::ConnectionError(
            diesel::ConnectionError::BadConnection(
                "this gatehouse was built without the `mysql` feature".to_owned(),
            ),
        )),
        DatabaseUrl::Sqlite(path) => {
            let mut conn =
                diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;"
            ))
            .map_err(r2d2::Error::QueryError)?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// Connects to PostgreSQL, first initialising the OpenSSL built into libpq without its `atexit`
/// clean-up: that handler frees OpenSSL's global state when the process exits, while the pool's
/// threads may still be in a TLS handshake, and crashed the process at exit now and then
/// ("double free or corruption", SIGSEGV). The first initialisation decides, so this runs before
/// any connection; later calls cost nothing.
pub fn postgres_connect(url: &str) -> Result<diesel::PgConnection, r2d2::Error> {
    openssl_sys::init();
    diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)
}

/// Connects to MySQL or MariaDB and sets the session up ([`MYSQL_SESSION`]). The client library
/// is built against the same OpenSSL as libpq, so the same early initialisation applies.
#[cfg(feature = "mysql")]
pub fn mysql_connect(url: &str) -> Result<diesel::MysqlConnection, r2d2::Error> {
    openssl_sys::init();
    let mut conn = diesel::MysqlConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
    conn.batch_execute(MYSQL_SESSION)
        .map_err(r2d2::Error::QueryError)?;
    Ok(conn)
}

/// Whether an error means the connection itself is unusable.
fn is_connection_lost(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

/// Where the keys a piece of work published go once it is done: this instance's session cache.
pub type InvalidationSink = Arc<dyn Fn(Vec<Invalidation>) + Send + Sync>;

/// Runs work on a pooled connection, marking the connection broken when its server went away.
/// What the work published (see [`invalidations`]) goes to `sink` afterwards, after its commit.
fn run_on<T>(
    pooled: &mut r2d2::PooledConnection<ConnectionManager>,
    sink: Option<&InvalidationSink>,
    work: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> Result<T, ApiError> {
    invalidations::begin(sink.is_some());
    let result = work(&mut pooled.connection);
    let published = invalidations::take();
    if let Some(sink) = sink
        && !published.is_empty()
    {
        sink(published);
    }
    if let Err(error) = &result
        && is_connection_lost(error)
    {
        pooled.is_broken = true;
    }
    result.map_err(ApiError::from)
}

/// The connection pool and the ways to use it: [`Db::run`] for requests, [`Db::read`] for the
/// session lookup on the hot path, [`Db::run_blocking`] at start-up.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    is_sqlite: bool,
    /// Set when writes publish session-cache invalidations (the database strategy).
    sink: Arc<OnceLock<InvalidationSink>>,
}

impl Db {
    /// Builds the pool without connecting: a database that goes away later is answered with 503
    /// until it returns. [`Db::open`] has set the database up by then.
    fn build_pool(url: &DatabaseUrl) -> Self {
        let in_memory = url.is_in_memory();
        let max_size = match url {
            // Each in-memory connection would be a separate database: keep exactly one forever.
            _ if in_memory => 1,
            DatabaseUrl::Sqlite(_) => 8,
            // PostgreSQL does its work in one process per connection: a few per core keep the
            // cores busy without making them take turns. MySQL's threads are cheaper, but the
            // same size keeps `max_connections` budgeting the same (README).
            DatabaseUrl::Postgres(_) | DatabaseUrl::Mysql(_) => {
                let cores = std::thread::available_parallelism().map_or(2, usize::from);
                u32::try_from(cores * 3).unwrap_or(32).clamp(4, 32)
            }
        };
        let builder = Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(CHECKOUT_TIMEOUT)
            .event_handler(Box::new(PoolEvents));
        let builder = if in_memory {
            builder.idle_timeout(None).max_lifetime(None)
        } else {
            builder
        };
        let pool = builder.build_unchecked(ConnectionManager { url: url.clone() });
        Self {
            pool,
            is_sqlite: matches!(url, DatabaseUrl::Sqlite(_)),
            sink: Arc::new(OnceLock::new()),
        }
    }

    /// From now on, writes that end or change sessions or users publish invalidations to every
    /// instance, and this instance's own go to `sink` (see [`invalidations`]). Once; later calls
    /// change nothing.
    pub fn publish_invalidations(&self, sink: InvalidationSink) {
        let _set_before = self.sink.set(sink);
    }

    /// Runs diesel work on a blocking thread; the only place a pooled connection is taken.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, sink) = (self.pool.clone(), self.sink.clone());
        web::block(move || run_on(&mut pool.get()?, sink.get(), work)).await?
    }

    /// A read on the hot path (the session lookup of get-session and `/verify`). A SQLite read in
    /// WAL mode never waits for writers and takes microseconds, about what the hop to a blocking
    /// thread costs, so when a connection is free at once it runs right here; PostgreSQL reads
    /// (network round trips) and SQLite reads on a busy pool go through [`Db::run`].
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.is_sqlite
            && let Some(mut pooled) = self.pool.try_get()
        {
            return run_on(&mut pooled, self.sink.get(), work);
        }
        self.run(work).await
    }

    /// Diesel work on the calling thread, for start-up before serving; requests use [`Db::run`].
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
    ) -> Result<T, ApiError> {
        run_on(&mut self.pool.get()?, self.sink.get(), work)
    }

    /// The pool's connections in use, idle, and its size, for the metrics.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            state.connections.saturating_sub(state.idle_connections),
            state.idle_connections,
            self.pool.max_size(),
        )
    }

    /// Readiness: a `SELECT 1` that gives up after `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), ApiError> {
        let pool = self.pool.clone();
        let ping = web::block(move || {
            let mut pooled = pool.get_timeout(timeout)?;
            let result = pooled.connection.ping();
            if result.is_err() {
                pooled.is_broken = true;
            }
            result.map_err(ApiError::from)
        });
        match tokio::time::timeout(timeout, ping).await {
            Ok(result) => result?,
            Err(_) => Err(ApiError::Unavailable("database ping timed out".to_owned())),
        }
    }
}

/// Counts the pool's waits for the metrics.
#[derive(Debug)]
struct PoolEvents;

impl r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        crate::metrics::db_checkout(event.duration());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        crate::metrics::db_timeout();
    }
}

/// Errors of start-up work (migrations, the first connection).
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// The database could not be opened at start-up: one line, naming `DATABASE_URL` (its password
/// redacted) and the cause.
#[derive(Debug, thiserror::Error)]
#[error("DATABASE_URL={url}: {cause}")]
pub struct OpenError {
    url: DatabaseUrl,
    cause: String,
}

impl OpenError {
    fn boxed(url: &DatabaseUrl, cause: impl std::fmt::Display) -> SetupError {
        // libpq's messages span lines ("... failed: Connection refused\n\tIs the server
        // running ..."): start-up errors are one line.
        let cause = cause
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Box::new(Self {
            url: url.clone(),
            cause,
        })
    }
}

impl Db {
    /// Connects once, sets the database up (SQLite: the file with mode 0600, since it holds
    /// password hashes, and WAL mode) and runs the embedded migrations, all on one connection,
    /// before the pool opens any other: nothing races the set-up. Returns the pool and the
    /// migrations applied. Blocking: call it at start-up, before serving.
    pub fn open(url: &DatabaseUrl) -> Result<(Self, Vec<String>), SetupError> {
        if url.is_in_memory() {
            // Every in-memory connection is its own database: set up the pool's only one.
            let db = Self::build_pool(url);
            let mut pooled = db.pool.get().map_err(|e| OpenError::boxed(url, e))?;
            let applied = migrate(&mut pooled.connection)?;
            drop(pooled);
            return Ok((db, applied));
        }
        if let DatabaseUrl::Sqlite(path) = url {
            create_private_file(path).map_err(|e| OpenError::boxed(url, e))?;
        }
        let mut connection = establish(url).map_err(|e| OpenError::boxed(url, e))?;
        if let DbConnection::Sqlite(conn) = &mut connection {
            // WAL lets readers proceed during a write. It is a property of the file, and setting
            // it needs the file to itself, so it is set here, before any other connection.
            conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        let applied = migrate(&mut connection)?;
        drop(connection);
        Ok((Self::build_pool(url), applied))
    }
}

/// Creates the SQLite file readable and writable by its owner only, unless it exists (then it is
/// left as it is). SQLite gives its `-wal` and `-shm` files the same permissions.
fn create_private_file(path: &str) -> std::io::Result<()> {
    let is_plain_path = !path.starts_with("file:") && !path.contains('?');
    if !is_plain_path {
        return Ok(());
    }
    match crate::config::create_private_file(std::path::Path::new(path)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Runs the embedded migrations of the connection's backend and returns the versions applied.
/// On PostgreSQL an advisory lock, on MySQL a named lock, makes replicas that start together take
/// turns. (MySQL commits each DDL statement by itself: a migration that fails half-way leaves
/// what it did, and says so in its error.)
fn migrate(connection: &mut DbConnection) -> Result<Vec<String>, SetupError> {
    let applied = match connection {
        DbConnection::Postgres(conn) => {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = conn
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect());
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result?
        }
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(conn) => {
            #[derive(QueryableByName)]
            struct Locked {
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
                locked: Option<i32>,
            }
            let locked: Locked = diesel::sql_query("SELECT GET_LOCK(?, ?) AS locked")
                .bind::<diesel::sql_types::Text, _>(MYSQL_MIGRATION_LOCK)
                .bind::<diesel::sql_types::Unsigned<diesel::sql_types::Integer>, _>(
                    MYSQL_MIGRATION_LOCK_WAIT_S,
                )
                .get_result(conn)?;
            if locked.locked != Some(1) {
                return Err(format!(
                    "another instance held the migration lock for {MYSQL_MIGRATION_LOCK_WAIT_S} s"
                )
                .into());
            }
            let result = conn
                .run_pending_migrations(MYSQL_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect());
            let _released: Locked = diesel::sql_query("SELECT RELEASE_LOCK(?) AS locked")
                .bind::<diesel::sql_types::Text, _>(MYSQL_MIGRATION_LOCK)
                .get_result(conn)?;
            result?
        }
        DbConnection::Sqlite(conn) => conn
            .run_pending_migrations(SQLITE_MIGRATIONS)?
            .iter()
            .map(ToString::to_string)
            .collect(),
    };
    Ok(applied)
}
