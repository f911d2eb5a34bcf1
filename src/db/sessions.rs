//! Session rows: database-strategy sessions, found by the hash of their token, and the jwt
//! strategy's registry (rows without a token hash, keyed by the tokens' `sid`). Listing and
//! revoking read and delete both kinds alike.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::invalidations::{Invalidation, publish};
use super::models::{AuditRow, SessionRow, UserRow};
use super::schema::{sessions, users};

/// What a new session's transaction writes besides the session, so both happen or neither does.
#[derive(Debug, Clone, Default)]
pub struct Along {
    /// The audit record of an impersonation.
    pub audit: Option<AuditRow>,
    /// A foreign password hash replaced by bcrypt at the sign-in it verified for.
    pub password_upgrade: Option<super::users::PasswordUpgrade>,
}

/// Whether a new session may start for its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Inserted.
    Admitted,
    /// The user is banned; nothing was written.
    Banned,
    /// The user is gone; nothing was written.
    NoUser,
}

/// Inserts a new session unless its user is banned, in one transaction: the session is written
/// first, then the user's ban read (locked: `FOR SHARE` on PostgreSQL, `FOR UPDATE` on MySQL,
/// where MariaDB has no `FOR SHARE`), and a ban rolls the insert back.
/// Writing first makes the transaction a writer from its first statement, so SQLite never has to
/// upgrade a read snapshot that a concurrent commit made stale (which fails at once instead of
/// waiting). A ban that commits meanwhile either waits for this insert, and its revocation sweep
/// afterwards ends the session, or is read here. An expired ban is lifted (its fields cleared)
/// and the session starts. What comes `along` is written with the session or not at all.
pub fn insert_unless_banned(
    conn: &mut DbConnection,
    session: &SessionRow,
    along: &Along,
    now: NaiveDateTime,
) -> QueryResult<Admission> {
    let outcome = conn.transaction(|conn| {
        diesel::insert_into(sessions::table)
            .values(session)
            .execute(conn)?;
        if let Some(audit) = &along.audit {
            super::audit::insert(conn, audit)?;
        }
        if let Some(upgrade) = &along.password_upgrade {
            super::users::upgrade_password_hash(conn, upgrade, now)?;
        }
        let ban = users::table
            .find(&session.user_id)
            .select((users::banned, users::ban_expires));
        let ban: (bool, Option<NaiveDateTime>) = match conn {
            DbConnection::Postgres(pg) => ban.for_share().get_result(pg)?,
            #[cfg(feature = "mysql")]
            DbConnection::Mysql(mysql) => ban.for_update().get_result(mysql)?,
            DbConnection::Sqlite(sqlite) => ban.get_result(sqlite)?,
        };
        match ban {
            (true, expires) if expires.is_none_or(|expires| expires > now) => {
                Err(diesel::result::Error::RollbackTransaction)
            }
            (true, _) => super::users::lift_ban(conn, &session.user_id, now),
            (false, _) => Ok(()),
        }
    });
    match outcome {
        Ok(()) => Ok(Admission::Admitted),
        Err(diesel::result::Error::RollbackTransaction) => Ok(Admission::Banned),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(Admission::NoUser),
        Err(error) => Err(error),
    }
}

/// The users an admin (a user id) is acting as: those with a session the admin started.
pub fn impersonated_by(conn: &mut DbConnection, admin_id: &str) -> QueryResult<Vec<String>> {
    sessions::table
        .filter(sessions::impersonated_by.eq(admin_id))
        .select(sessions::user_id)
        .distinct()
        .load(conn)
}

/// The user of the session with this id or token hash.
pub fn owner(conn: &mut DbConnection, id: &str, token_hash: &str) -> QueryResult<Option<String>> {
    sessions::table
        .filter(sessions::id.eq(id).or(sessions::token_hash.eq(token_hash)))
        .select(sessions::user_id)
        .first(conn)
        .optional()
}

/// The sessions an admin sees for a user: every row, expired ones not yet pruned included,
/// oldest first.
pub fn all_for_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order((sessions::created_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)
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
    super::on_backend!(conn, c => query.get_result(c).optional())
}

/// Sliding refresh of the database-strategy session whose token hashes to `token_hash`.
pub fn extend(
    conn: &mut DbConnection,
    token_hash: &str,
    expires_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(token_hash)))
        .set((
            sessions::expires_at.eq(expires_at),
            sessions::updated_at.eq(updated_at),
        ))
        .execute(conn)?;
    publish(conn, Invalidation::Session(token_hash.to_owned()))
}

/// jwt strategy: records a refreshed session's new expiry, or adds the row of a token issued
/// before the registry existed.
pub fn upsert_registry(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    let changes = (
        sessions::expires_at.eq(row.expires_at),
        sessions::updated_at.eq(row.updated_at),
    );
    let insert = diesel::insert_into(sessions::table).values(row);
    match conn {
        DbConnection::Postgres(conn) => insert
            .on_conflict(sessions::id)
            .do_update()
            .set(changes)
            .execute(conn),
        // `ON DUPLICATE KEY UPDATE`: the id is the only unique key a registry row can repeat.
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(conn) => insert
            .on_conflict(diesel::dsl::DuplicatedKeys)
            .do_update()
            .set(changes)
            .execute(conn),
        DbConnection::Sqlite(conn) => insert
            .on_conflict(sessions::id)
            .do_update()
            .set(changes)
            .execute(conn),
    }
    .map(drop)
}

/// A user's sessions in force at `now`, oldest first.
pub fn list_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order((sessions::created_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)
}

/// Which of a user's sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    All,
    AllBut(&'a str),
    Id(&'a str),
    TokenHash(&'a str),
    /// The sessions this admin (a user id) started as the user.
    ImpersonatedBy(&'a str),
}

/// Deletes the selected sessions of `user_id` and returns their ids. The ids are read first and
/// then deleted by id, so in the caller's transaction exactly the sessions that existed when it
/// looked are ended and reported (a session created meanwhile is neither).
pub fn delete_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    selection: Selection<'_>,
) -> QueryResult<Vec<String>> {
    let mut query = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::id)
        .into_boxed();
    query = match selection {
        Selection::All => query,
        Selection::AllBut(id) => query.filter(sessions::id.ne(id)),
        Selection::Id(id) => query.filter(sessions::id.eq(id)),
        Selection::TokenHash(hash) => query.filter(sessions::token_hash.eq(hash)),
        Selection::ImpersonatedBy(admin) => query.filter(sessions::impersonated_by.eq(admin)),
    };
    let ids: Vec<String> = query.load(conn)?;
    if !ids.is_empty() {
        diesel::delete(sessions::table.filter(sessions::id.eq_any(&ids))).execute(conn)?;
        publish(conn, Invalidation::User(user_id.to_owned()))?;
    }
    Ok(ids)
}

pub fn delete_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    let deleted = diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash)))
        .execute(conn)?;
    publish(conn, Invalidation::Session(token_hash.to_owned()))?;
    Ok(deleted)
}

pub fn delete_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Deletes sessions that expired before `now`; returns how many.
pub fn prune_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
