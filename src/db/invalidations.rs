//! What the session cache must forget: every write that ends or changes a database-strategy
//! session or a user calls [`publish`] on its connection. On PostgreSQL that is a `NOTIFY` on
//! [`CHANNEL`] (delivered when the writing transaction commits, to every instance's [`Listener`]);
//! on SQLite and MySQL a row in `session_invalidations`, which the instances sharing the database
//! read with [`since`] (a polled change log: MySQL has no `NOTIFY`). The writing instance itself
//! forgets at once: [`publish`] also notes the key for the current thread, and [`super::Db`] hands
//! the keys to its sink when the work is done (after the commit), so a client that changes its
//! user and reads its session again never reads the old one.

use std::cell::RefCell;

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConnection;
use super::schema::session_invalidations;

/// The PostgreSQL channel the invalidations travel on.
pub const CHANNEL: &str = "gatehouse_session_cache";

/// One thing to forget.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Invalidation {
    /// The session with this token hash.
    Session(String),
    /// Every session of this user (the user changed or is gone, or sessions were revoked).
    User(String),
}

impl Invalidation {
    /// The wire form: `s:<token hash>` or `u:<user id>`.
    pub fn key(&self) -> String {
        match self {
            Self::Session(hash) => format!("s:{hash}"),
            Self::User(id) => format!("u:{id}"),
        }
    }

    /// Reads [`Invalidation::key`]'s form; `None` for anything else.
    pub fn parse(key: &str) -> Option<Self> {
        match key.split_once(':')? {
            ("s", hash) if !hash.is_empty() => Some(Self::Session(hash.to_owned())),
            ("u", id) if !id.is_empty() => Some(Self::User(id.to_owned())),
            _ => None,
        }
    }
}

thread_local! {
    /// Whether the work running on this thread publishes (set by `Db` around each piece of work:
    /// only the database strategy caches sessions), and the keys it published.
    static PUBLISHED: RefCell<(bool, Vec<Invalidation>)> = const { RefCell::new((false, Vec::new())) };
}

/// Makes the work about to run on this thread publish or not, forgetting anything noted before.
pub(super) fn begin(publishing: bool) {
    PUBLISHED.with(|published| *published.borrow_mut() = (publishing, Vec::new()));
}

/// The keys the work on this thread published since [`begin`].
pub(super) fn take() -> Vec<Invalidation> {
    PUBLISHED.with(|published| {
        let mut published = published.borrow_mut();
        published.0 = false;
        std::mem::take(&mut published.1)
    })
}

/// Tells every instance's session cache to forget `what` (see the module's comment). In the
/// caller's transaction, if it has one: a rolled-back write publishes nothing to the others.
pub fn publish(conn: &mut DbConnection, what: Invalidation) -> QueryResult<()> {
    if !PUBLISHED.with(|published| published.borrow().0) {
        return Ok(());
    }
    let key = what.key();
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<Text, _>(CHANNEL)
                .bind::<Text, _>(&key)
                .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            diesel::insert_or_ignore_into(session_invalidations::table)
                .values((
                    session_invalidations::at.eq(wall_clock_ms()),
                    session_invalidations::key.eq(&key),
                ))
                .execute(sqlite)?;
        }
        // Stamped with the server's clock, which every instance reads the log by ([`clock_ms`]):
        // instances on different hosts need not agree on the time.
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(mysql) => {
            diesel::sql_query(format!(
                "INSERT IGNORE INTO session_invalidations (at, `key`) VALUES ({MYSQL_NOW_MS}, ?)"
            ))
            .bind::<Text, _>(&key)
            .execute(mysql)?;
        }
    }
    PUBLISHED.with(|published| published.borrow_mut().1.push(what));
    Ok(())
}

/// MySQL's clock in epoch milliseconds.
#[cfg(feature = "mysql")]
const MYSQL_NOW_MS: &str = "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)";

/// The clock the log's rows are stamped by, in epoch milliseconds: the database server's on
/// MySQL, this host's on SQLite (every instance of a SQLite file runs on its host) and PostgreSQL
/// (which keeps no log).
pub fn clock_ms(conn: &mut DbConnection) -> QueryResult<i64> {
    match conn {
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(mysql) => {
            #[derive(QueryableByName)]
            struct Now {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                now_ms: i64,
            }
            let now: Now =
                diesel::sql_query(format!("SELECT {MYSQL_NOW_MS} AS now_ms")).get_result(mysql)?;
            Ok(now.now_ms)
        }
        _ => Ok(wall_clock_ms()),
    }
}

/// SQLite and MySQL: the keys recorded at or after `from_ms` ([`clock_ms`]), oldest first.
pub fn since(conn: &mut DbConnection, from_ms: i64) -> QueryResult<Vec<(i64, String)>> {
    session_invalidations::table
        .filter(session_invalidations::at.ge(from_ms))
        .order(session_invalidations::at)
        .select((session_invalidations::at, session_invalidations::key))
        .load(conn)
}

/// Forgets keys recorded more than `age_ms` ago by [`clock_ms`]; returns how many.
pub fn prune(conn: &mut DbConnection, age_ms: i64) -> QueryResult<usize> {
    let before_ms = clock_ms(conn)? - age_ms;
    diesel::delete(session_invalidations::table.filter(session_invalidations::at.lt(before_ms)))
        .execute(conn)
}

/// The machine's wall clock in epoch milliseconds: what orders the writes of instances that
/// share one SQLite file (the application clock can be moved in tests; this one is the host's).
pub fn wall_clock_ms() -> i64 {
    crate::clock::Clock::system().now().timestamp_millis()
}

/// PostgreSQL: a connection of its own that listens on [`CHANNEL`]. Reading what arrived never
/// waits (libpq reads what the socket holds), so its owner polls it.
pub struct Listener {
    connection: diesel::PgConnection,
}

impl Listener {
    /// Connects to `url` and starts listening; named `gatehouse-listener` in `pg_stat_activity`.
    pub fn connect(url: &str) -> Result<Self, String> {
        let mut connection = super::postgres_connect(url).map_err(|e| e.to_string())?;
        diesel::connection::SimpleConnection::batch_execute(
            &mut connection,
            &format!("SET application_name = 'gatehouse-listener'; LISTEN {CHANNEL}"),
        )
        .map_err(|e| e.to_string())?;
        Ok(Self { connection })
    }

    /// What arrived since the last call, without waiting; an error when the connection is gone.
    pub fn received(&mut self) -> QueryResult<Vec<Invalidation>> {
        let mut keys = Vec::new();
        for notification in self.connection.notifications_iter() {
            if let Some(what) = Invalidation::parse(&notification?.payload) {
                keys.push(what);
            }
        }
        Ok(keys)
    }

    /// A round trip, to find a connection that died without a word (a network partition).
    pub fn check(&mut self) -> QueryResult<()> {
        diesel::connection::SimpleConnection::batch_execute(&mut self.connection, "SELECT 1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_and_nothing_else_parses() {
        for what in [
            Invalidation::Session("ab12".to_owned()),
            Invalidation::User("u1".to_owned()),
        ] {
            assert_eq!(Invalidation::parse(&what.key()), Some(what));
        }
        for odd in ["", "s:", "u:", "x:1", "s", "session"] {
            assert_eq!(Invalidation::parse(odd), None, "{odd:?}");
        }
    }
}
