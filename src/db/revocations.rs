//! The JWT deny-list: session ids signed out before their tokens expire. Instances keep it in
//! memory (`session::deny_list`) and read only what was revoked since they last looked.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::models::RevokedSessionRow;
use super::schema::revoked_sessions;

/// Deny-lists session ids; revoking one twice is not an error. `ON CONFLICT DO NOTHING` rather
/// than catching the unique violation, which would abort an enclosing PostgreSQL transaction.
/// One statement per row (diesel has no batch upsert on SQLite); revocations come a few at a time.
pub fn insert(conn: &mut DbConnection, rows: &[RevokedSessionRow]) -> QueryResult<()> {
    for row in rows {
        let insert = diesel::insert_into(revoked_sessions::table).values(row);
        match conn {
            DbConnection::Postgres(conn) => insert.on_conflict_do_nothing().execute(conn),
            // `INSERT IGNORE`: the table has no other constraint a row could break.
            #[cfg(feature = "mysql")]
            DbConnection::Mysql(conn) => diesel::insert_or_ignore_into(revoked_sessions::table)
                .values(row)
                .execute(conn),
            DbConnection::Sqlite(conn) => insert.on_conflict_do_nothing().execute(conn),
        }?;
    }
    Ok(())
}

/// Whether a session id is deny-listed (read at a sliding refresh, which must not revive a
/// session another instance just revoked).
pub fn is_revoked(conn: &mut DbConnection, sid: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        revoked_sessions::table.filter(revoked_sessions::sid.eq(sid)),
    ))
    .get_result(conn)
}

/// Revocations recorded after `revoked_after_ms` that are still in force at `now`.
pub fn revoked_since(
    conn: &mut DbConnection,
    revoked_after_ms: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<RevokedSessionRow>> {
    revoked_sessions::table
        .filter(revoked_sessions::revoked_at.gt(revoked_after_ms))
        .filter(revoked_sessions::expires_at.gt(now))
        .select(RevokedSessionRow::as_select())
        .load(conn)
}

/// Forgets revocations whose tokens have all expired.
pub fn prune_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(revoked_sessions::table.filter(revoked_sessions::expires_at.le(now)))
        .execute(conn)
}
