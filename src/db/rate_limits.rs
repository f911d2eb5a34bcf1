//! Fixed-window hit counters shared by every instance on the database. The upsert is the one
//! statement whose SQL differs by backend: MultiConnection has no `ON CONFLICT` in the DSL, so
//! each variant gets its statement as text (PostgreSQL and SQLite differ in placeholders only;
//! MySQL has `ON DUPLICATE KEY UPDATE` and no `RETURNING`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::DbConnection;
use super::schema::rate_limits;

/// A key's count in its current window, and when that window began (epoch ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Window {
    #[diesel(sql_type = Integer)]
    pub count: i32,
    #[diesel(sql_type = BigInt)]
    pub window_start: i64,
}

const HIT_POSTGRES: &str = "INSERT INTO rate_limits (key, count, window_start) VALUES ($1, 1, $2) \
    ON CONFLICT (key) DO UPDATE SET \
    count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END, \
    window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
    RETURNING count, window_start";

const HIT_SQLITE: &str = "INSERT INTO rate_limits (key, count, window_start) VALUES (?1, 1, ?2) \
    ON CONFLICT (key) DO UPDATE SET \
    count = CASE WHEN rate_limits.window_start <= ?3 THEN 1 ELSE rate_limits.count + 1 END, \
    window_start = CASE WHEN rate_limits.window_start <= ?3 THEN ?2 ELSE rate_limits.window_start END \
    RETURNING count, window_start";

/// MySQL: the same upsert. Assignments run left to right, so `window_start` is tested before it
/// is moved, and the count's test reads the old `window_start` too.
#[cfg(feature = "mysql")]
const HIT_MYSQL: &str = "INSERT INTO rate_limits (`key`, count, window_start) VALUES (?, 1, ?) \
    ON DUPLICATE KEY UPDATE \
    count = CASE WHEN window_start <= ? THEN 1 ELSE count + 1 END, \
    window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END";

/// Counts one hit for `key` at `now_ms` in a window of `window_ms`, starting a new window when the
/// old one is over, in one atomic statement; returns the window after the hit.
pub fn hit(conn: &mut DbConnection, key: &str, now_ms: i64, window_ms: i64) -> QueryResult<Window> {
    let expired_before = now_ms - window_ms;
    match conn {
        DbConnection::Postgres(conn) => diesel::sql_query(HIT_POSTGRES)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now_ms)
            .bind::<BigInt, _>(expired_before)
            .get_result(conn),
        DbConnection::Sqlite(conn) => diesel::sql_query(HIT_SQLITE)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(now_ms)
            .bind::<BigInt, _>(expired_before)
            .get_result(conn),
        // No RETURNING: the upsert, then a read of the row in the same transaction, which holds
        // the row's lock from the upsert to the commit, so no other hit comes between.
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(conn) => conn.transaction(|conn| {
            diesel::sql_query(HIT_MYSQL)
                .bind::<Text, _>(key)
                .bind::<BigInt, _>(now_ms)
                .bind::<BigInt, _>(expired_before)
                .bind::<BigInt, _>(expired_before)
                .bind::<BigInt, _>(now_ms)
                .execute(conn)?;
            rate_limits::table
                .find(key)
                .select((rate_limits::count, rate_limits::window_start))
                .first::<(i32, i64)>(conn)
                .map(|(count, window_start)| Window {
                    count,
                    window_start,
                })
        }),
    }
}

/// The current window of `key`, if one is open at `now_ms`.
pub fn current(
    conn: &mut DbConnection,
    key: &str,
    now_ms: i64,
    window_ms: i64,
) -> QueryResult<Option<Window>> {
    rate_limits::table
        .find(key)
        .filter(rate_limits::window_start.gt(now_ms - window_ms))
        .select((rate_limits::count, rate_limits::window_start))
        .first::<(i32, i64)>(conn)
        .optional()
        .map(|found| {
            found.map(|(count, window_start)| Window {
                count,
                window_start,
            })
        })
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(key))
        .execute(conn)
        .map(drop)
}

/// Deletes counters whose windows began before `before_ms`.
pub fn prune(conn: &mut DbConnection, before_ms: i64) -> QueryResult<usize> {
    diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before_ms))).execute(conn)
}
