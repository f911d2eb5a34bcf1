//! Mailed tokens: made with a purpose, found by hash and purpose, used once, pruned after expiry.
//! Deleting a user deletes its tokens (`ON DELETE CASCADE`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::models::VerificationRow;
use super::schema::verifications;

/// What a token was made for; a token is only ever looked up with its endpoint's purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ResetPassword,
    VerifyEmail,
    MagicLink,
    /// change-email: the current (verified) address confirms the change.
    ChangeEmailConfirmation,
    /// change-email: the new address proves itself; only this changes the address.
    ChangeEmailVerification,
    /// delete-user in `confirm` mode.
    DeleteAccount,
    /// An OAuth sign-in between sign-in/social and the provider's callback (never mailed).
    OAuthState,
}

impl Purpose {
    /// The purpose a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::ResetPassword,
            Self::VerifyEmail,
            Self::MagicLink,
            Self::ChangeEmailConfirmation,
            Self::ChangeEmailVerification,
            Self::DeleteAccount,
            Self::OAuthState,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset-password",
            Self::VerifyEmail => "verify-email",
            Self::MagicLink => "magic-link",
            Self::ChangeEmailConfirmation => "change-email-confirmation",
            Self::ChangeEmailVerification => "change-email-verification",
            Self::DeleteAccount => "delete-account",
            Self::OAuthState => "oauth-state",
        }
    }
}

pub fn insert(conn: &mut DbConnection, row: &VerificationRow) -> QueryResult<()> {
    diesel::insert_into(verifications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The unused, unexpired token of `purpose` whose hash is `token_hash`.
pub fn find_usable(
    conn: &mut DbConnection,
    purpose: Purpose,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<VerificationRow>> {
    verifications::table
        .filter(verifications::token_hash.eq(token_hash))
        .filter(verifications::purpose.eq(purpose.as_str()))
        .filter(verifications::used_at.is_null())
        .filter(verifications::expires_at.gt(now))
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()
}

/// The token of one of `purposes` whose hash is `token_hash`, used or expired or not.
pub fn find(
    conn: &mut DbConnection,
    purposes: &[Purpose],
    token_hash: &str,
) -> QueryResult<Option<VerificationRow>> {
    let names: Vec<&str> = purposes.iter().map(|purpose| purpose.as_str()).collect();
    verifications::table
        .filter(verifications::token_hash.eq(token_hash))
        .filter(verifications::purpose.eq_any(names))
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a token used; `false` when another request used it first (the lost race of two uses).
pub fn mark_used(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        verifications::table
            .filter(verifications::id.eq(id))
            .filter(verifications::used_at.is_null()),
    )
    .set(verifications::used_at.eq(now))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// Deletes a user's tokens of one purpose, used or not.
pub fn delete_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: Purpose,
) -> QueryResult<usize> {
    diesel::delete(
        verifications::table
            .filter(verifications::user_id.eq(user_id))
            .filter(verifications::purpose.eq(purpose.as_str())),
    )
    .execute(conn)
}

/// Forgets expired tokens.
pub fn prune_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(verifications::table.filter(verifications::expires_at.le(now))).execute(conn)
}
