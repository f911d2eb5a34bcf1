//! The rules behind the account endpoints: checking the signed-in user's password (behind the
//! failed-sign-in throttle), validating a new password, and the profile changes update-user may
//! make.

use chrono::{DateTime, Utc};

use crate::auth::password::Hasher;
use crate::auth::rate_limit::{RateLimiter, SignInSubject};
use crate::db::models::UserChanges;
use crate::db::{Db, users};
use crate::dto::{ProfileUpdate, User};
use crate::error::ApiError;
use crate::rules::{
    MAX_DISPLAY_USERNAME_CHARS, MAX_PASSWORD_BYTES, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
    password_length, username_problem,
};

/// A new password follows sign-up's rules: 8 to 128 characters, at most 72 bytes.
pub fn check_new_password(password: &str) -> Result<(), ApiError> {
    let length = password_length(password);
    if length < MIN_PASSWORD_CHARS {
        return Err(ApiError::PasswordTooShort);
    }
    if length > MAX_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::PasswordTooLong);
    }
    Ok(())
}

/// A password to check has no minimum, and at most 128 characters.
pub fn check_given_password(password: &str) -> Result<(), ApiError> {
    if password_length(password) > MAX_PASSWORD_CHARS {
        return Err(ApiError::PasswordTooLong);
    }
    Ok(())
}

/// The hash of the user's password; `None` when the user has no credential account.
pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, ApiError> {
    let user_id = user_id.to_owned();
    let found = db
        .run(move |conn| users::find_password_hash(conn, &user_id))
        .await?;
    Ok(found.flatten())
}

/// 429 while the account is locked by failed sign-ins, before any password work.
pub async fn check_not_locked(
    db: &Db,
    limiter: &RateLimiter,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    limiter
        .check_sign_in(db, &SignInSubject::Account(user_id), now)
        .await
}

/// The user's password check, as sign-in's: refused while the account is locked by failed
/// sign-ins (429, before any password work); a wrong password counts as a failed sign-in and is
/// 400 `INVALID_PASSWORD`; a right one clears the count.
pub async fn verify_password(
    db: &Db,
    hasher: &Hasher,
    limiter: &RateLimiter,
    user_id: &str,
    hash: Option<String>,
    password: String,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    check_not_locked(db, limiter, user_id, now).await?;
    let subject = SignInSubject::Account(user_id);
    // The hashing threads refuse more than 72 bytes for bcrypt, which never saw them.
    let is_match = hasher.verify(password, hash).await?;
    limiter.record_sign_in(db, &subject, is_match, now).await?;
    if is_match {
        Ok(())
    } else {
        Err(ApiError::InvalidPassword)
    }
}

/// The password a sensitive step asks for (delete-user, change-email): at most 128 characters,
/// a user without a password gets 400 `CREDENTIAL_ACCOUNT_NOT_FOUND`, then [`verify_password`].
pub async fn confirm_password(
    db: &Db,
    hasher: &Hasher,
    limiter: &RateLimiter,
    user_id: &str,
    password: String,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    check_given_password(&password)?;
    let Some(hash) = password_hash(db, user_id).await? else {
        return Err(ApiError::CredentialAccountNotFound);
    };
    verify_password(db, hasher, limiter, user_id, Some(hash), password, now).await
}

/// Checks update-user's username and display username, in Better Auth's order, and turns the
/// update into the changes to store. A new `username` without `displayUsername` carries the
/// display username along when it was unset or equal to the old username (ignoring case); a
/// custom one is kept.
pub async fn profile_changes(
    db: &Db,
    user: &User,
    update: ProfileUpdate,
    now: DateTime<Utc>,
) -> Result<UserChanges, ApiError> {
    if let Some(Some(username)) = &update.username
        && let Some(problem) = username_problem(username)
    {
        return Err(ApiError::Username {
            problem,
            on_sign_in: false,
        });
    }
    if let Some(Some(display)) = &update.display_username
        && (display.chars().count() > MAX_DISPLAY_USERNAME_CHARS
            || display.chars().any(char::is_control))
    {
        return Err(ApiError::InvalidDisplayUsername);
    }
    let username = update
        .username
        .as_ref()
        .map(|username| username.as_deref().map(str::to_lowercase));
    if let Some(Some(lowered)) = username.clone() {
        let user_id = user.id.clone();
        if db
            .run(move |conn| users::username_held_by_other(conn, &lowered, &user_id))
            .await?
        {
            return Err(ApiError::UsernameTaken);
        }
    }
    let display_username = match (&update.display_username, &update.username) {
        (Some(display), _) => Some(display.clone()),
        (None, Some(Some(typed))) => {
            let follows_username = match (&user.display_username, &user.username) {
                (None, _) => true,
                (Some(display), Some(old)) => display.to_lowercase() == *old,
                (Some(_), None) => false,
            };
            follows_username.then(|| Some(typed.clone()))
        }
        (None, _) => None,
    };
    Ok(UserChanges {
        name: update.name,
        image: update.image,
        username,
        display_username,
        updated_at: Some(now.naive_utc()),
        ..UserChanges::default()
    })
}
