//! Writing what `gatehouse import` read: each user with its password, provider links and sessions
//! in one transaction per batch, so an interrupted import leaves whole users or none, and a
//! re-run updates rather than duplicates (users are keyed by their source id).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::invalidations::{Invalidation, publish};
use super::models::{AccountRow, CREDENTIAL_PROVIDER, SessionRow, UserRow};
use super::schema::{accounts, sessions, users};

/// A user as the source holds them, ready to write.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    /// Role and ban fields hold gatehouse's defaults when the source has none; see `has_admin`.
    pub user: UserRow,
    /// Whether the source has the admin fields (role, ban): without them, a re-run keeps what
    /// gatehouse holds.
    pub has_admin: bool,
    /// Whether `user.updated_at` came from the source (else it is the import's time).
    pub has_updated_at: bool,
    /// Whether `user.created_at` came from the source (else it is the import's time, and a
    /// re-run keeps the first import's).
    pub has_created_at: bool,
    /// A hash `crate::auth::foreign_hash::kind` knows, in the form gatehouse stores.
    pub password: Option<String>,
    /// Links to OAuth providers (tokens are not imported).
    pub accounts: Vec<AccountRow>,
    /// Sessions that stay valid (Better Auth's), token hashed.
    pub sessions: Vec<SessionRow>,
}

/// What happened to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// Gatehouse's row changed after the source's (`updated_at`): kept as it is.
    NewerHere,
    /// The address belongs to another user here (their id).
    EmailTaken(String),
    /// The username belongs to another user here (their id).
    UsernameTaken(String),
}

impl UserOutcome {
    pub fn is_written(&self) -> bool {
        matches!(
            self,
            Self::Inserted | Self::Updated | Self::Unchanged | Self::NewerHere
        )
    }
}

/// What a batch wrote besides the users.
#[derive(Debug, Clone, Default)]
pub struct BatchOutcome {
    pub users: Vec<UserOutcome>,
    pub passwords_set: usize,
    /// The user holds a bcrypt hash here (a sign-in replaced the imported one, or the password
    /// was changed here): the source's is not written over it.
    pub passwords_kept: usize,
    pub accounts_written: usize,
    /// `(user id, provider, account id, the user here who holds that link)`.
    pub accounts_taken: Vec<(String, String, String, String)>,
    pub sessions_written: usize,
}

/// Writes a batch in one transaction. With `dry_run`, the same statements run and are rolled
/// back, so the outcome is exactly what the import would do.
pub fn write_batch(
    conn: &mut DbConnection,
    batch: &[ImportedUser],
    now: NaiveDateTime,
    dry_run: bool,
) -> QueryResult<BatchOutcome> {
    let mut outcome = BatchOutcome::default();
    let result = conn.transaction(|conn| {
        for imported in batch {
            let written = write_user(conn, imported, &mut outcome, now)?;
            outcome.users.push(written);
        }
        if dry_run {
            Err(diesel::result::Error::RollbackTransaction)
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) | Err(diesel::result::Error::RollbackTransaction) => Ok(outcome),
        Err(error) => Err(error),
    }
}

fn write_user(
    conn: &mut DbConnection,
    imported: &ImportedUser,
    outcome: &mut BatchOutcome,
    now: NaiveDateTime,
) -> QueryResult<UserOutcome> {
    let new = &imported.user;
    let email_holder: Option<String> = users::table
        .filter(users::email.eq(&new.email))
        .filter(users::id.ne(&new.id))
        .select(users::id)
        .first(conn)
        .optional()?;
    if let Some(holder) = email_holder {
        return Ok(UserOutcome::EmailTaken(holder));
    }
    if let Some(username) = &new.username {
        let holder: Option<String> = users::table
            .filter(users::username.eq(username))
            .filter(users::id.ne(&new.id))
            .select(users::id)
            .first(conn)
            .optional()?;
        if let Some(holder) = holder {
            return Ok(UserOutcome::UsernameTaken(holder));
        }
    }
    let existing = super::users::find_by_id(conn, &new.id)?;
    let written = match existing {
        None => {
            diesel::insert_into(users::table)
                .values(new)
                .execute(conn)?;
            UserOutcome::Inserted
        }
        Some(old) if imported.has_updated_at && old.updated_at > new.updated_at => {
            UserOutcome::NewerHere
        }
        Some(old) => {
            let mut wanted = new.clone();
            if !imported.has_admin {
                wanted.role = old.role.clone();
                wanted.banned = old.banned;
                wanted.ban_reason = old.ban_reason.clone();
                wanted.ban_expires = old.ban_expires;
            }
            if !imported.has_updated_at {
                wanted.updated_at = old.updated_at;
            }
            if !imported.has_created_at {
                wanted.created_at = old.created_at;
            }
            if same_profile(&old, &wanted) {
                UserOutcome::Unchanged
            } else {
                if !imported.has_updated_at {
                    wanted.updated_at = now;
                }
                diesel::update(users::table.find(&new.id))
                    .set((
                        users::name.eq(&wanted.name),
                        users::email.eq(&wanted.email),
                        users::email_verified.eq(wanted.email_verified),
                        users::image.eq(&wanted.image),
                        users::username.eq(&wanted.username),
                        users::display_username.eq(&wanted.display_username),
                        users::created_at.eq(wanted.created_at),
                        users::updated_at.eq(wanted.updated_at),
                        users::role.eq(&wanted.role),
                        users::banned.eq(wanted.banned),
                        users::ban_reason.eq(&wanted.ban_reason),
                        users::ban_expires.eq(wanted.ban_expires),
                    ))
                    .execute(conn)?;
                publish(conn, Invalidation::User(new.id.clone()))?;
                UserOutcome::Updated
            }
        }
    };
    if let Some(hash) = &imported.password {
        write_password(conn, &new.id, hash, outcome, now)?;
    }
    for account in &imported.accounts {
        let holder: Option<String> = accounts::table
            .filter(accounts::provider_id.eq(&account.provider_id))
            .filter(accounts::account_id.eq(&account.account_id))
            .select(accounts::user_id)
            .first(conn)
            .optional()?;
        match holder {
            Some(holder) if holder != new.id => outcome.accounts_taken.push((
                new.id.clone(),
                account.provider_id.clone(),
                account.account_id.clone(),
                holder,
            )),
            Some(_) => {}
            None => {
                diesel::insert_into(accounts::table)
                    .values(account)
                    .execute(conn)?;
                outcome.accounts_written += 1;
            }
        }
    }
    for session in &imported.sessions {
        let taken = sessions::table
            .filter(
                sessions::id
                    .eq(&session.id)
                    .or(sessions::token_hash.eq(&session.token_hash)),
            )
            .select(sessions::id)
            .first::<String>(conn)
            .optional()?
            .is_some();
        if !taken {
            diesel::insert_into(sessions::table)
                .values(session)
                .execute(conn)?;
            outcome.sessions_written += 1;
        }
    }
    Ok(written)
}

/// Sets the user's password credential to the source's hash unless gatehouse holds a bcrypt hash
/// of its own making (a sign-in upgraded the imported one, or the password was changed here).
fn write_password(
    conn: &mut DbConnection,
    user_id: &str,
    hash: &str,
    outcome: &mut BatchOutcome,
    now: NaiveDateTime,
) -> QueryResult<()> {
    match super::users::find_password_hash(conn, user_id)? {
        Some(Some(current)) if current == hash => {}
        Some(Some(current)) if is_bcrypt(&current) => {
            outcome.passwords_kept += 1;
        }
        Some(_) => {
            diesel::update(
                accounts::table
                    .filter(accounts::user_id.eq(user_id))
                    .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER)),
            )
            .set((
                accounts::password_hash.eq(hash),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
            outcome.passwords_set += 1;
        }
        None => {
            let account =
                AccountRow::credential(crate::ids::random_id(), user_id, hash.to_owned(), now);
            diesel::insert_into(accounts::table)
                .values(&account)
                .execute(conn)?;
            outcome.passwords_set += 1;
        }
    }
    Ok(())
}

/// Gatehouse makes only bcrypt hashes; an import leaves one it finds alone.
fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|prefix| hash.starts_with(prefix))
}

fn same_profile(old: &UserRow, new: &UserRow) -> bool {
    old.name == new.name
        && old.email == new.email
        && old.email_verified == new.email_verified
        && old.image == new.image
        && old.username == new.username
        && old.display_username == new.display_username
        && old.created_at == new.created_at
        && old.updated_at == new.updated_at
        && old.role == new.role
        && old.banned == new.banned
        && old.ban_reason == new.ban_reason
        && old.ban_expires == new.ban_expires
}
