//! Administration: the operations behind `gatehouse user` (and the admin API), each checked
//! as the user-facing endpoints check the same fields, and each written to the audit log in the
//! transaction that does it, so a refused or failed action leaves neither an effect nor a record.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::Connection as _;

use crate::auth::account::check_new_password;
use crate::auth::password::Hasher;
use crate::db::models::{AccountRow, AuditRow, SessionRow, UserChanges, UserRow};
use crate::db::verifications::{self, Purpose};
use crate::db::{Db, DbConnection, audit, sessions, users};
pub use crate::dto::NewUser;
pub use crate::error::Permission;
use crate::error::{ApiError, TokenEndpoint};
use crate::ids::random_id;
pub use crate::rules::MAX_BAN_REASON_CHARS;
use crate::rules::{MAX_EMAIL_CHARS, MAX_NAME_CHARS, is_email, username_problem};
use crate::session::{NewSession, Revocation, Sessions, WithRevocation};

/// The roles there are. A user holds one or several, comma-joined.
pub const ROLES: [&str; 2] = ["user", "admin"];
/// The role that holds every admin permission.
pub const ADMIN_ROLE: &str = "admin";
/// A ban's reason when none is given, as Better Auth's.
pub const DEFAULT_BAN_REASON: &str = "No reason";
/// The longest timed ban: anything longer is a ban for ever.
pub const MAX_BAN_SECONDS: i64 = 100 * 366 * 24 * 3600;
/// The most users one listing returns.
pub const MAX_PAGE: i64 = 1000;

/// Checks roles given as a list (each may itself be comma-joined) and joins them with `,`:
/// each must be one of [`ROLES`]; repeats are dropped, the order kept.
pub fn join_roles<S: AsRef<str>>(given: &[S]) -> Result<String, ApiError> {
    let mut roles: Vec<&str> = Vec::new();
    for role in given.iter().flat_map(|role| role.as_ref().split(',')) {
        let role = role.trim();
        if !ROLES.contains(&role) {
            return Err(ApiError::NonExistentRole);
        }
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(ApiError::NonExistentRole);
    }
    Ok(roles.join(","))
}

/// Whether a user's roles include `admin`.
pub fn is_admin(role: &str) -> bool {
    role.split(',').any(|role| role.trim() == ADMIN_ROLE)
}

/// Who acts: an admin's session, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The admin's user id; `None` for the command line.
    pub id: Option<String>,
    /// The admin's email, or `cli:<operating-system user>`.
    pub name: String,
    /// The admin's client address; empty for the command line.
    pub ip_address: String,
}

impl Actor {
    /// The command line, named by the operating-system user who ran it.
    pub fn command_line() -> Self {
        let user = std::env::var("SUDO_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| format!("uid {}", rustix::process::getuid().as_raw()));
        Self {
            id: None,
            name: format!("cli:{user}"),
            ip_address: String::new(),
        }
    }
}

/// The operations, for one actor.
pub struct Admin<'a> {
    pub db: &'a Db,
    pub sessions: &'a Sessions,
    pub hasher: &'a Hasher,
    /// `GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET`: a password set by an admin ends every
    /// session of the user.
    pub revoke_on_password_set: bool,
    pub actor: Actor,
}

impl Admin<'_> {
    /// The audit row of an action on `target` at `now`.
    fn record(
        &self,
        action: &str,
        target: Option<&UserRow>,
        detail: Option<String>,
        now: DateTime<Utc>,
    ) -> AuditRow {
        AuditRow {
            id: random_id(),
            at: now.naive_utc(),
            actor_id: self.actor.id.clone(),
            actor: self.actor.name.clone(),
            action: action.to_owned(),
            target_id: target.map(|user| user.id.clone()),
            target: target.map(|user| user.email.clone()),
            ip_address: self.actor.ip_address.clone(),
            detail,
        }
    }

    /// A user named by id, email (any case) or username; 404 `USER_NOT_FOUND` for none.
    pub async fn find(&self, who: &str) -> Result<UserRow, ApiError> {
        let who = who.trim().to_owned();
        let found = self
            .db
            .run(move |conn| {
                if let Some(user) = users::find_by_id(conn, &who)? {
                    return Ok(Some(user));
                }
                let lower = who.to_lowercase();
                if who.contains('@') {
                    users::find_by_email(conn, &lower)
                } else {
                    users::find_by_username(conn, &lower)
                }
            })
            .await?;
        found.ok_or(ApiError::UserNotFound(TokenEndpoint::Admin))
    }

    /// A page of users and how many match; the page size is capped at [`MAX_PAGE`].
    pub async fn list(&self, mut listing: users::Listing) -> Result<(Vec<UserRow>, i64), ApiError> {
        listing.limit = listing.limit.clamp(0, MAX_PAGE);
        listing.offset = listing.offset.max(0);
        listing.search = listing.search.map(|search| search.to_lowercase());
        self.db.run(move |conn| users::list(conn, &listing)).await
    }

    /// Creates a user with sign-up's rules for the address, the password and the username.
    pub async fn create(&self, new: NewUser, now: DateTime<Utc>) -> Result<UserRow, ApiError> {
        let email = new.email.trim().to_lowercase();
        if email.chars().count() > MAX_EMAIL_CHARS || !is_email(&email) {
            return Err(ApiError::InvalidEmail);
        }
        if new.name.chars().count() > MAX_NAME_CHARS || new.name.chars().any(char::is_control) {
            return Err(ApiError::Validation(format!(
                "[body.name] at most {MAX_NAME_CHARS} characters, without control characters"
            )));
        }
        if let Some(password) = &new.password {
            check_new_password(password)?;
        }
        if let Some(username) = &new.username
            && let Some(problem) = username_problem(username)
        {
            return Err(ApiError::Username {
                problem,
                on_sign_in: false,
            });
        }
        let role = if new.roles.is_empty() {
            crate::db::models::DEFAULT_ROLE.to_owned()
        } else {
            join_roles(&new.roles)?
        };
        let hash = match new.password {
            Some(password) => Some(self.hasher.hash(password).await?),
            None => None,
        };
        let naive = now.naive_utc();
        let user = UserRow {
            image: new.image,
            display_username: new.username.clone(),
            username: new.username.map(|username| username.to_lowercase()),
            role,
            ..UserRow::new(random_id(), new.name, email, new.email_verified, naive)
        };
        let detail = format!(
            "role={}; emailVerified={}; password={}",
            user.role,
            user.email_verified,
            if hash.is_some() { "set" } else { "none" }
        );
        let record = self.record("create-user", Some(&user), Some(detail), now);
        let stored = user.clone();
        self.db
            .run(move |conn| {
                conn.transaction(|conn| {
                    match hash {
                        Some(hash) => {
                            let account =
                                AccountRow::credential(random_id(), &stored.id, hash, naive);
                            users::insert_with_account(conn, &stored, &account)?;
                        }
                        None => users::insert(conn, &stored)?,
                    }
                    audit::insert(conn, &record)
                })
            })
            .await
            .map_err(|error| match error {
                ApiError::EmailTaken { .. } => ApiError::EmailTaken { by_admin: true },
                other => other,
            })?;
        log::info!("user {} created by {}", user.id, self.actor.name);
        Ok(user)
    }

    /// Replaces the user's roles.
    pub async fn set_role<S: AsRef<str>>(
        &self,
        target: &UserRow,
        roles: &[S],
        now: DateTime<Utc>,
    ) -> Result<UserRow, ApiError> {
        let role = join_roles(roles)?;
        let record = self.record(
            "set-role",
            Some(target),
            Some(format!("{} -> {role}", target.role)),
            now,
        );
        let (id, naive) = (target.id.clone(), now.naive_utc());
        let demoted = !is_admin(&role);
        let changed = self
            .changed(target, move |conn| {
                let found = users::set_role(conn, &id, &role, naive)? == 1;
                if found {
                    audit::insert(conn, &record)?;
                }
                Ok(found)
            })
            .await?;
        if demoted {
            // Whoever is no longer an admin stops acting as anyone else.
            self.sessions
                .end_impersonations_by(self.db, &target.id, now)
                .await?;
        }
        Ok(changed)
    }

    /// Changes the fields `update` gives, in one transaction with the audit row; `banned: true`
    /// also ends every session of the user (and any the user started as someone else), as
    /// ban does. Fields are checked by the caller ([`crate::extract::admin_update_body`]) except
    /// the address's owner, checked here.
    pub async fn update(
        &self,
        target: &UserRow,
        mut changes: UserChanges,
        now: DateTime<Utc>,
    ) -> Result<UserRow, ApiError> {
        if changes.banned == Some(true) && self.actor.id.as_deref() == Some(target.id.as_str()) {
            return Err(ApiError::CannotBanYourself);
        }
        if let Some(Some(username)) = &changes.username {
            let (username, id) = (username.clone(), target.id.clone());
            if self
                .db
                .run(move |conn| users::username_held_by_other(conn, &username, &id))
                .await?
            {
                return Err(ApiError::UsernameTaken);
            }
        }
        if let Some(email) = &changes.email
            && *email != target.email
        {
            // A new address is not proven unless the admin says so.
            changes.email_verified = changes.email_verified.or(Some(false));
        }
        changes.updated_at = Some(now.naive_utc());
        let record = self.record("update-user", Some(target), Some(describe(&changes)), now);
        let id = target.id.clone();
        let new_email = changes.email.clone().filter(|email| *email != target.email);
        let banning = changes.banned == Some(true);
        let demoted = changes.role.as_deref().is_some_and(|role| !is_admin(role));
        let store: WithRevocation = Box::new(move |conn| {
            if users::update_profile(conn, &id, &changes)?.is_some() {
                if new_email.is_some() {
                    // Links mailed to the old address, or to prove another, no longer apply.
                    for purpose in [
                        Purpose::VerifyEmail,
                        Purpose::ChangeEmailConfirmation,
                        Purpose::ChangeEmailVerification,
                        Purpose::ResetPassword,
                        Purpose::MagicLink,
                    ] {
                        verifications::delete_for_user(conn, &id, purpose)?;
                    }
                }
                audit::insert(conn, &record)?;
            }
            Ok(())
        });
        let result = if banning {
            self.end_sessions_with(target, now, store).await.map(drop)
        } else {
            self.db
                .run(move |conn| conn.transaction(|conn| store(conn)))
                .await
        };
        result.map_err(|error| match error {
            ApiError::EmailTaken { .. } => ApiError::EmailTaken { by_admin: true },
            other => other,
        })?;
        if banning {
            self.end_sessions_with(target, now, Box::new(|_| Ok(())))
                .await?;
        }
        if banning || demoted {
            self.sessions
                .end_impersonations_by(self.db, &target.id, now)
                .await?;
        }
        self.reload(&target.id).await
    }

    /// Starts a session for `target` marked as the admin's (an hour, never extended), with the
    /// audit row in its transaction; returns its token. Refused for admins and banned users.
    pub async fn impersonate(
        &self,
        target: &UserRow,
        mut new: NewSession,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let Some(admin_id) = self.actor.id.clone() else {
            return Err(ApiError::NotAllowed(Permission::ImpersonateUsers));
        };
        if is_admin(&target.role) {
            return Err(ApiError::CannotImpersonateAdmins);
        }
        new.impersonated_by = Some(admin_id);
        new.remember = false;
        new.along.audit = Some(self.record("impersonate-user", Some(target), None, now));
        let token = self.sessions.create(self.db, target, new, now).await?;
        log::info!("user {} impersonated by {}", target.id, self.actor.name);
        Ok(token)
    }

    /// Ends the impersonation session `session` (an id) of `target`, with the audit row.
    pub async fn stop_impersonating(
        &self,
        target: &UserRow,
        session: String,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let record = self.record("stop-impersonating", Some(target), None, now);
        let log: WithRevocation = Box::new(move |conn| audit::insert(conn, &record));
        self.sessions
            .revoke_for_user_with(self.db, &target.id, Revocation::One(session), now, log)
            .await?;
        Ok(())
    }

    /// Sets the user's password (sign-up's rules), creating the credential if the user has none;
    /// deletes their reset tokens, and with `revoke_on_password_set` ends every session. Returns
    /// how many sessions ended.
    pub async fn set_password(
        &self,
        target: &UserRow,
        password: String,
        now: DateTime<Utc>,
    ) -> Result<usize, ApiError> {
        check_new_password(&password)?;
        let hash = self.hasher.hash(password).await?;
        let detail = self
            .revoke_on_password_set
            .then(|| "sessions revoked".to_owned());
        let record = self.record("set-user-password", Some(target), detail, now);
        let (id, naive) = (target.id.clone(), now.naive_utc());
        let store: WithRevocation = Box::new(move |conn| {
            // An old reset link must not undo the change.
            verifications::delete_for_user(conn, &id, Purpose::ResetPassword)?;
            users::set_or_create_password(conn, &id, &hash, random_id(), naive)?;
            audit::insert(conn, &record)
        });
        if !self.revoke_on_password_set {
            self.db
                .run(move |conn| conn.transaction(|conn| store(conn)))
                .await?;
            return Ok(0);
        }
        self.end_sessions_with(target, now, store).await
    }

    /// Ends every session of the user and does `work`, in one transaction; returns how many
    /// sessions ended.
    async fn end_sessions_with(
        &self,
        target: &UserRow,
        now: DateTime<Utc>,
        work: WithRevocation,
    ) -> Result<usize, ApiError> {
        let all = Revocation::All { current: None };
        let ended = self
            .sessions
            .revoke_for_user_with(self.db, &target.id, all, now, work)
            .await?;
        Ok(ended.len())
    }

    /// Bans the user (`expires_in` `None`: for ever) and ends every session of theirs, in one
    /// transaction. A session whose start was deciding at that instant is ended by a second sweep
    /// once the ban is committed: every session start after it reads the ban.
    pub async fn ban(
        &self,
        target: &UserRow,
        reason: Option<String>,
        expires_in: Option<Duration>,
        now: DateTime<Utc>,
    ) -> Result<UserRow, ApiError> {
        if self.actor.id.as_deref() == Some(target.id.as_str()) {
            return Err(ApiError::CannotBanYourself);
        }
        let reason = reason
            .filter(|reason| !reason.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_BAN_REASON.to_owned());
        if reason.chars().count() > MAX_BAN_REASON_CHARS || reason.contains('\0') {
            return Err(ApiError::Validation(format!(
                "[body.banReason] at most {MAX_BAN_REASON_CHARS} characters"
            )));
        }
        let expires = match expires_in {
            None => None,
            Some(length) if length <= Duration::zero() => {
                return Err(ApiError::Validation(
                    "[body.banExpiresIn] must be positive".to_owned(),
                ));
            }
            Some(length) if length.num_seconds() > MAX_BAN_SECONDS => None,
            Some(length) => Some((now + length).naive_utc()),
        };
        let detail = format!("reason={reason}; expires={}", ban_end(expires));
        let record = self.record("ban-user", Some(target), Some(detail), now);
        let (id, naive) = (target.id.clone(), now.naive_utc());
        let ban: WithRevocation = Box::new(move |conn| {
            if users::set_ban(conn, &id, Some((&reason, expires)), naive)? == 1 {
                audit::insert(conn, &record)?;
            }
            Ok(())
        });
        self.end_sessions_with(target, now, ban).await?;
        self.end_sessions_with(target, now, Box::new(|_| Ok(())))
            .await?;
        self.sessions
            .end_impersonations_by(self.db, &target.id, now)
            .await?;
        self.reload(&target.id).await
    }

    /// Lifts the user's ban.
    pub async fn unban(&self, target: &UserRow, now: DateTime<Utc>) -> Result<UserRow, ApiError> {
        let record = self.record("unban-user", Some(target), None, now);
        let (id, naive) = (target.id.clone(), now.naive_utc());
        self.changed(target, move |conn| {
            let found = users::set_ban(conn, &id, None, naive)? == 1;
            if found {
                audit::insert(conn, &record)?;
            }
            Ok(found)
        })
        .await
    }

    /// The user's sessions, expired ones not yet pruned included, oldest first.
    pub async fn sessions_of(&self, target: &UserRow) -> Result<Vec<SessionRow>, ApiError> {
        let id = target.id.clone();
        self.db
            .run(move |conn| sessions::all_for_user(conn, &id))
            .await
    }

    /// Ends every session of the user; returns how many ended.
    pub async fn revoke_sessions(
        &self,
        target: &UserRow,
        now: DateTime<Utc>,
    ) -> Result<usize, ApiError> {
        self.revoke(target, Revocation::All { current: None }, now)
            .await
    }

    /// Ends one session of the user, named by its id or one of its tokens; returns whether one
    /// ended.
    pub async fn revoke_session(
        &self,
        target: &UserRow,
        session: String,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        Ok(self.revoke(target, Revocation::One(session), now).await? > 0)
    }

    async fn revoke(
        &self,
        target: &UserRow,
        which: Revocation,
        now: DateTime<Utc>,
    ) -> Result<usize, ApiError> {
        let action = match which {
            Revocation::One(_) => "revoke-user-session",
            _ => "revoke-user-sessions",
        };
        let record = self.record(action, Some(target), None, now);
        let log: WithRevocation = Box::new(move |conn| audit::insert(conn, &record));
        let ended = self
            .sessions
            .revoke_for_user_with(self.db, &target.id, which, now, log)
            .await?;
        Ok(ended.len())
    }

    /// Deletes the user, their accounts, tokens and sessions (jwt: deny-listed), as delete-user
    /// does, in one transaction with the audit row.
    pub async fn remove(&self, target: &UserRow, now: DateTime<Utc>) -> Result<(), ApiError> {
        if self.actor.id.as_deref() == Some(target.id.as_str()) {
            return Err(ApiError::CannotRemoveYourself);
        }
        let record = self.record("remove-user", Some(target), None, now);
        let id = target.id.clone();
        let delete: WithRevocation = Box::new(move |conn| {
            if users::delete(conn, &id)? == 1 {
                audit::insert(conn, &record)?;
            }
            Ok(())
        });
        self.end_sessions_with(target, now, delete).await?;
        self.sessions
            .end_impersonations_by(self.db, &target.id, now)
            .await?;
        log::info!("user {} removed by {}", target.id, self.actor.name);
        Ok(())
    }

    /// The latest audit rows, newest first; only those about `target` when given.
    pub async fn audit(
        &self,
        target: Option<&UserRow>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, ApiError> {
        let target_id = target.map(|user| user.id.clone());
        let limit = limit.clamp(1, MAX_PAGE * 10);
        self.db
            .run(move |conn| audit::latest(conn, target_id.as_deref(), limit))
            .await
    }

    /// Runs `work` (which says whether it found the user) in a transaction, then reads the
    /// user back; 404 if they went meanwhile.
    async fn changed(
        &self,
        target: &UserRow,
        work: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<bool> + Send + 'static,
    ) -> Result<UserRow, ApiError> {
        let found = self
            .db
            .run(move |conn| conn.transaction(|conn| work(conn)))
            .await?;
        if !found {
            return Err(ApiError::UserNotFound(TokenEndpoint::Admin));
        }
        self.reload(&target.id).await
    }

    async fn reload(&self, id: &str) -> Result<UserRow, ApiError> {
        let id = id.to_owned();
        self.db
            .run(move |conn| users::find_by_id(conn, &id))
            .await?
            .ok_or(ApiError::UserNotFound(TokenEndpoint::Admin))
    }
}

/// What changes, for the audit log: the names of the fields, with the values of those that
/// are no secret of the user's (roles, flags, the address).
fn describe(changes: &UserChanges) -> String {
    let mut parts = Vec::new();
    let mut named = |name: &str, value: Option<String>| match value {
        Some(value) => parts.push(format!("{name}={value}")),
        None => parts.push(name.to_owned()),
    };
    if changes.name.is_some() {
        named("name", None);
    }
    if changes.image.is_some() {
        named("image", None);
    }
    if let Some(username) = &changes.username {
        named("username", Some(username.clone().unwrap_or_default()));
    }
    if changes.display_username.is_some() {
        named("displayUsername", None);
    }
    if let Some(email) = &changes.email {
        named("email", Some(email.clone()));
    }
    if let Some(verified) = changes.email_verified {
        named("emailVerified", Some(verified.to_string()));
    }
    if let Some(role) = &changes.role {
        named("role", Some(role.clone()));
    }
    if let Some(banned) = changes.banned {
        named("banned", Some(banned.to_string()));
    }
    if changes.ban_reason.is_some() {
        named("banReason", None);
    }
    if let Some(expires) = &changes.ban_expires {
        named("banExpires", Some(ban_end(*expires)));
    }
    parts.join("; ")
}

/// When a ban ends, as shown: `never` for a ban for ever.
pub fn ban_end(expires: Option<NaiveDateTime>) -> String {
    expires.map_or_else(
        || "never".to_owned(),
        |at| crate::dto::format_date(&at.and_utc()),
    )
}

/// What Better Auth's `admin` role may do, resource by resource: `has-permission` answers
/// whether every action asked for is here (for an admin; a plain user holds nothing).
pub const ADMIN_STATEMENTS: [(&str, &[&str]); 2] = [
    (
        "user",
        &[
            "create",
            "list",
            "set-role",
            "ban",
            "impersonate",
            "delete",
            "set-password",
            "set-email",
            "get",
            "update",
        ],
    ),
    ("session", &["list", "revoke", "delete"]),
];

/// Whether a user with `role` holds every action asked for (resource → actions).
pub fn holds(role: &str, asked: &[(String, Vec<String>)]) -> bool {
    is_admin(role)
        && asked.iter().all(|(resource, actions)| {
            ADMIN_STATEMENTS
                .iter()
                .find(|(name, _)| name == resource)
                .is_some_and(|(_, allowed)| actions.iter().all(|a| allowed.contains(&a.as_str())))
        })
}
