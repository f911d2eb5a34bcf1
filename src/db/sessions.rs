//! Database-strategy sessions, found by the hash of their token.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::models::{SessionRow, UserRow};
use super::schema::{sessions, users};

pub fn insert(conn: &mut DbConnection, session: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(drop)
}

/// The session and its user in one round trip: the whole of a get-session read. The columns are
/// named statically (not `as_select()`), so diesel prepares the statement once per connection
/// and reuses it; on the backend's own connection type, because through `MultiConnection` it
/// would be prepared anew on every call. No `LIMIT` (`token_hash` is unique): SQLite recompiles
/// a statement whenever a parameter its plan depends on is bound again, and a `LIMIT ?` is one.
pub fn find_with_user_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(SessionRow, UserRow)>> {
    let query = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((sessions::all_columns, users::all_columns));
    match conn {
        DbConnection::Postgres(conn) => query.get_result(conn).optional(),
        DbConnection::Sqlite(conn) => query.get_result(conn).optional(),
    }
}

/// Sliding refresh.
pub fn extend(
    conn: &mut DbConnection,
    id: &str,
    expires_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::expires_at.eq(expires_at),
            sessions::updated_at.eq(updated_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}

pub fn delete_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Deletes sessions that expired before `now`; returns how many.
pub fn prune_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
