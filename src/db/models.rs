//! Row structs: what the tables hold, in their column order. No serde here; the wire shapes live
//! in `dto`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, audit_log, revoked_sessions, sessions, users, verifications};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    /// Trimmed and lower-cased.
    pub email: String,
    pub email_verified: bool,
    pub image: Option<String>,
    /// Lower-cased.
    pub username: Option<String>,
    /// As typed.
    pub display_username: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `user` or `admin`, several comma-joined ([`crate::admin::roles`]).
    pub role: String,
    pub banned: bool,
    pub ban_reason: Option<String>,
    /// When the ban lifts; `None` with `banned` is for ever.
    pub ban_expires: Option<NaiveDateTime>,
}

/// The role of a new user.
pub const DEFAULT_ROLE: &str = "user";

impl UserRow {
    /// A new user as sign-up, magic link and OAuth make them: role `user`, not banned.
    pub fn new(
        id: String,
        name: String,
        email: String,
        email_verified: bool,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id,
            name,
            email,
            email_verified,
            image: None,
            username: None,
            display_username: None,
            created_at: now,
            updated_at: now,
            role: DEFAULT_ROLE.to_owned(),
            banned: false,
            ban_reason: None,
            ban_expires: None,
        }
    }

    /// Whether a ban is in force at `now` (an expired one is not, and is lifted at the next
    /// sign-in).
    pub fn is_banned(&self, now: NaiveDateTime) -> bool {
        self.banned && self.ban_expires.is_none_or(|expires| expires > now)
    }
}

/// The fields update-user (the profile ones) and admin update-user (all) may change; `None`
/// leaves a column as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub name: Option<String>,
    pub image: Option<Option<String>>,
    /// Lower-cased.
    pub username: Option<Option<String>>,
    pub display_username: Option<Option<String>>,
    /// Lower-cased (admin only, as the rest below).
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub role: Option<String>,
    pub banned: Option<bool>,
    pub ban_reason: Option<Option<String>>,
    pub ban_expires: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Provider id of the email-and-password account.
pub const CREDENTIAL_PROVIDER: &str = "credential";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: String,
    pub user_id: String,
    pub provider_id: String,
    pub account_id: String,
    pub password_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// A provider's tokens, sealed (`seal`); `None` for the password credential.
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<NaiveDateTime>,
    /// The scopes the provider granted, space-separated.
    pub scope: Option<String>,
}

impl AccountRow {
    /// A user's password credential.
    pub fn credential(
        id: String,
        user_id: &str,
        password_hash: String,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id,
            user_id: user_id.to_owned(),
            provider_id: CREDENTIAL_PROVIDER.to_owned(),
            account_id: user_id.to_owned(),
            password_hash: Some(password_hash),
            created_at: now,
            updated_at: now,
            access_token: None,
            refresh_token: None,
            id_token: None,
            access_token_expires_at: None,
            scope: None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    /// Database strategy: hex SHA-256 of the token, which is never stored. jwt strategy: `None`,
    /// the row is the session's registry entry (its id is the tokens' `sid`).
    pub token_hash: Option<String>,
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub ip_address: String,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The admin's user id when an admin started this session as its user.
    pub impersonated_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = revoked_sessions)]
pub struct RevokedSessionRow {
    pub sid: String,
    pub expires_at: NaiveDateTime,
    /// Epoch milliseconds, by the revoking instance's clock.
    pub revoked_at: i64,
}

/// A mailed token: only its hash is stored, with the purpose it was made for.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = verifications)]
pub struct VerificationRow {
    pub id: String,
    /// A [`crate::db::verifications::Purpose`] name.
    pub purpose: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// `None` only for a magic link to an unknown address.
    pub user_id: Option<String>,
    /// The user's address when the token was made.
    pub email: String,
    pub new_email: Option<String>,
    pub name: Option<String>,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    /// An OAuth sign-in's JSON (PKCE verifier, nonce, targets); `None` for mailed tokens.
    pub payload: Option<String>,
}

/// One administrative action ([`crate::admin`]): who did what to whom, when, from where.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    /// The admin's user id; `None` from the command line.
    pub actor_id: Option<String>,
    /// The admin's email, or `cli:<operating-system user>`.
    pub actor: String,
    /// What was done: `create-user`, `set-role`, `ban-user`, ...
    pub action: String,
    pub target_id: Option<String>,
    /// The target user's email at the time.
    pub target: Option<String>,
    /// The admin's client address; empty from the command line.
    pub ip_address: String,
    /// What changed, as text; never a password, a hash or a token.
    pub detail: Option<String>,
}
