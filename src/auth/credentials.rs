//! Email-and-password accounts: the rules and the work behind sign-up and sign-in.

use chrono::{DateTime, Utc};

use crate::auth::foreign_hash;
use crate::auth::password::Hasher;
use crate::auth::rate_limit::{RateLimiter, SignInSubject};
use crate::db::Db;
use crate::db::models::{AccountRow, UserRow};
use crate::db::users::{self, Identifier, PasswordUpgrade};
use crate::dto::SignUpBody;
use crate::error::ApiError;
use crate::ids::random_id;
use crate::rules::{
    MAX_EMAIL_CHARS, MAX_PASSWORD_BYTES, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, is_email,
    password_length, username_problem,
};

/// Creates the user and its credential after Better Auth's checks, in its order: password
/// length, username format, username taken, email taken, hash, insert.
pub async fn register(
    db: &Db,
    hasher: &Hasher,
    body: SignUpBody,
    now: DateTime<Utc>,
) -> Result<UserRow, ApiError> {
    let password = body.password.0;
    let length = password_length(&password);
    if length < MIN_PASSWORD_CHARS {
        return Err(ApiError::PasswordTooShort);
    }
    // bcrypt reads 72 bytes; refusing more is the only way never to truncate silently.
    if length > MAX_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::PasswordTooLong);
    }
    if let Some(username) = &body.username
        && let Some(problem) = username_problem(username)
    {
        return Err(ApiError::Username {
            problem,
            on_sign_in: false,
        });
    }
    let username = body.username.as_deref().map(str::to_lowercase);
    if let Some(username) = username.clone()
        && db
            .run(move |conn| users::username_exists(conn, &username))
            .await?
    {
        return Err(ApiError::UsernameTaken);
    }
    let email = body.email.clone();
    if db
        .run(move |conn| users::email_exists(conn, &email))
        .await?
    {
        return Err(ApiError::EmailTaken { by_admin: false });
    }

    let password_hash = hasher.hash(password).await?;
    let display_username = username
        .as_ref()
        .map(|_| body.display_username.or(body.username).unwrap_or_default());
    let user = UserRow {
        image: body.image,
        username,
        display_username,
        ..UserRow::new(random_id(), body.name, body.email, false, now.naive_utc())
    };
    let account = AccountRow::credential(random_id(), &user.id, password_hash, now.naive_utc());
    let inserted = user.clone();
    db.run(move |conn| users::insert_with_account(conn, &inserted, &account))
        .await?;
    Ok(user)
}

/// The identifier a sign-in names, normalised, or the error for a malformed one.
pub fn sign_in_identifier(
    email: Option<String>,
    username: Option<String>,
) -> Result<Identifier, ApiError> {
    match (email, username) {
        (Some(email), _) => {
            let email = email.trim();
            if email.len() > MAX_EMAIL_CHARS || !is_email(email) {
                return Err(ApiError::InvalidEmail);
            }
            Ok(Identifier::Email(email.to_lowercase()))
        }
        (None, Some(username)) => match username_problem(&username) {
            Some(problem) => Err(ApiError::Username {
                problem,
                on_sign_in: true,
            }),
            None => Ok(Identifier::Username(username.to_lowercase())),
        },
        (None, None) => Err(ApiError::Internal(
            "sign-in without an identifier".to_owned(),
        )),
    }
}

/// The user whose password this is, behind the failed-sign-in throttle. The identifier is
/// looked up first, so failures count against the account whichever identifier named it; an
/// account (or unknown identifier) that failed too often is refused before any password work; a
/// failure counts, a success clears the count. Known and unknown identifiers take the same steps,
/// so the answer and its timing are the same. With `require_verified`, the right password of an
/// unverified user neither counts nor clears the count: the caller refuses that sign-in. A
/// foreign hash that verified comes back with its bcrypt replacement, for the caller to store
/// with the new session.
pub async fn authenticate(
    db: &Db,
    hasher: &Hasher,
    limiter: &RateLimiter,
    identifier: Identifier,
    password: String,
    require_verified: bool,
    now: DateTime<Utc>,
) -> Result<(UserRow, Option<PasswordUpgrade>), ApiError> {
    let failure = match identifier {
        Identifier::Email(_) => ApiError::InvalidEmailOrPassword,
        Identifier::Username(_) => ApiError::InvalidUsernameOrPassword,
    };
    let lookup = identifier.clone();
    let found = db
        .run(move |conn| users::find_with_password_hash(conn, &lookup))
        .await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let subject = match &user {
        Some(user) => SignInSubject::Account(&user.id),
        None => SignInSubject::Unknown(&identifier),
    };
    limiter.check_sign_in(db, &subject, now).await?;
    if password_length(&password) > MAX_PASSWORD_CHARS {
        return Err(ApiError::PasswordTooLong);
    }
    // A hash another library made (imported) is replaced by bcrypt once it verified, unless the
    // password is longer than bcrypt reads: then it stays as it is.
    let foreign = hash
        .clone()
        .filter(|hash| foreign_hash::is_foreign(hash) && password.len() <= MAX_PASSWORD_BYTES)
        .map(|hash| (hash, password.clone()));
    let is_match = hasher.verify(password, hash).await?;
    let unverified =
        is_match && require_verified && user.as_ref().is_some_and(|u| !u.email_verified);
    if !unverified {
        limiter.record_sign_in(db, &subject, is_match, now).await?;
    }
    match user {
        Some(user) if is_match => {
            let upgrade = match foreign {
                Some((from, password)) => Some(PasswordUpgrade {
                    user_id: user.id.clone(),
                    from,
                    to: hasher.hash(password).await?,
                }),
                None => None,
            };
            Ok((user, upgrade))
        }
        _ => Err(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsernameProblem;

    #[test]
    fn a_malformed_sign_in_identifier_gets_its_own_code() {
        assert!(matches!(
            sign_in_identifier(Some("nope".into()), None),
            Err(ApiError::InvalidEmail)
        ));
        assert!(matches!(
            sign_in_identifier(None, Some("a!".into())),
            Err(ApiError::Username {
                problem: UsernameProblem::TooShort,
                on_sign_in: true
            })
        ));
        assert!(matches!(
            sign_in_identifier(Some(" Al@Example.com ".into()), None),
            Ok(Identifier::Email(email)) if email == "al@example.com"
        ));
    }
}
