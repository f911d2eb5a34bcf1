//! The JWT deny-list: session ids signed out before their tokens expire. Instances keep it in
//! memory (`session::deny_list`) and read only what was revoked since they last looked.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::DbConnection;
use super::models::RevokedSessionRow;
use super::schema::revoked_sessions;

/// Deny-lists a session id. Revoking twice is not an error. (MultiConnection has no
/// `ON CONFLICT`; a lost race on the primary key means someone else revoked it first.)
pub fn insert(conn: &mut DbConnection, row: &RevokedSessionRow) -> QueryResult<()> {
    match diesel::insert_into(revoked_sessions::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) | Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(()),
        Err(error) => Err(error),
    }
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
