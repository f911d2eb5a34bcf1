//! The JWT deny-list: session ids signed out before their tokens expire.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::DbConnection;
use super::models::RevokedSessionRow;
use super::schema::revoked_sessions;

/// Deny-lists a session id until `expires_at`. Revoking twice is not an error. (MultiConnection
/// has no `ON CONFLICT`; a lost race on the primary key means someone else revoked it first.)
pub fn insert(conn: &mut DbConnection, sid: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    let row = RevokedSessionRow {
        sid: sid.to_owned(),
        expires_at,
    };
    match diesel::insert_into(revoked_sessions::table)
        .values(&row)
        .execute(conn)
    {
        Ok(_) | Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(()),
        Err(error) => Err(error),
    }
}

pub fn is_revoked(conn: &mut DbConnection, sid: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(revoked_sessions::table.find(sid))).get_result(conn)
}

/// Forgets revocations whose tokens have all expired.
pub fn prune_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(revoked_sessions::table.filter(revoked_sessions::expires_at.le(now)))
        .execute(conn)
}
