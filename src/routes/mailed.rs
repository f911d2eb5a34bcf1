//! What every mail-sending endpoint shares: a token made and stored (hashed, with its purpose),
//! the message rendered and queued, and the floor under anonymous answers.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::db::models::{UserRow, VerificationRow};
use crate::db::verifications::{self, Purpose};
use crate::dto::User;
use crate::error::ApiError;
use crate::ids::{mail_token, random_id, sha256_hex};
use crate::mail::{Kind, Outgoing, Values};
use crate::state::AppState;

/// Anonymous mail endpoints answer no sooner than this after the request arrived, so the answer
/// for a known address (a token stored, a message queued) takes as long as for an unknown one.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(500);

/// Waits out the rest of [`ANSWER_FLOOR`].
pub async fn answer_floor(arrived: Instant) {
    actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(arrived.elapsed())).await;
}

/// How long each purpose's token works, and how its message says it.
fn lifetime(purpose: Purpose) -> (chrono::Duration, &'static str) {
    match purpose {
        Purpose::ResetPassword => (chrono::Duration::hours(1), "1 hour"),
        Purpose::VerifyEmail | Purpose::DeleteAccount => (chrono::Duration::hours(24), "24 hours"),
        Purpose::MagicLink => (chrono::Duration::minutes(5), "5 minutes"),
        Purpose::OAuthState => (chrono::Duration::minutes(10), "10 minutes"),
        Purpose::ChangeEmailConfirmation | Purpose::ChangeEmailVerification => {
            (chrono::Duration::hours(1), "1 hour")
        }
    }
}

/// A token just stored, with when it stops working and how a message says how long it works.
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub expires_in: &'static str,
}

/// A new token of `purpose` for `user`, stored as its hash.
pub async fn issue(
    state: &AppState,
    purpose: Purpose,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    issue_for(state, purpose, Some(&user.id), &user.email, None, None, now).await
}

/// A new token of `purpose` for an address, with its user if there is one (a magic link may be
/// for an address nobody has yet, and carry the name to create its user with; a change of email
/// carries the new address).
pub async fn issue_for(
    state: &AppState,
    purpose: Purpose,
    user_id: Option<&str>,
    email: &str,
    new_email: Option<String>,
    name: Option<String>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let token = mail_token();
    let (duration, expires_in) = lifetime(purpose);
    let expires_at = now + duration;
    let row = VerificationRow {
        id: random_id(),
        purpose: purpose.as_str().to_owned(),
        token_hash: sha256_hex(&token),
        user_id: user_id.map(str::to_owned),
        email: email.to_owned(),
        new_email,
        name,
        expires_at: expires_at.naive_utc(),
        created_at: now.naive_utc(),
        used_at: None,
        payload: None,
    };
    state
        .db
        .run(move |conn| verifications::insert(conn, &row))
        .await?;
    Ok(Issued {
        token,
        expires_at,
        expires_in,
    })
}

/// Queues a message of `kind` to `user` with the link `url` to the token `issued`; never waits
/// for delivery.
pub fn send(state: &AppState, kind: Kind, user: &UserRow, url: String, issued: &Issued) {
    let to = Recipient {
        email: &user.email,
        new_email: None,
        user: Some(user),
    };
    send_to(state, kind, &to, url, issued);
}

/// Whom a message goes to: an address, its user if it has one, and for a change of email the
/// new address (`{{newEmail}}`).
pub struct Recipient<'a> {
    pub email: &'a str,
    pub new_email: Option<&'a str>,
    pub user: Option<&'a UserRow>,
}

/// [`send`] to an address that may have no user yet.
pub fn send_to(state: &AppState, kind: Kind, to: &Recipient<'_>, url: String, issued: &Issued) {
    let values = Values {
        url,
        token: issued.token.clone(),
        email: to.email.to_owned(),
        new_email: to.new_email.unwrap_or_default().to_owned(),
        name: to.user.map(|user| user.name.clone()).unwrap_or_default(),
        expires_in: issued.expires_in.to_owned(),
        site: state
            .config
            .base_url
            .host_str()
            .unwrap_or("gatehouse")
            .to_owned(),
    };
    let user = to
        .user
        .and_then(|user| serde_json::to_value(User::of(user.clone(), state.config.admin)).ok());
    state.mailer.send(Outgoing {
        kind,
        to: to.email.to_owned(),
        values,
        user,
        expires_at: issued.expires_at,
    });
}
