//! What every mail-sending endpoint shares: a token made and stored (hashed, with its purpose),
//! the message rendered and queued, and the floor under anonymous answers.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::db::models::{UserRow, VerificationRow};
use crate::db::verifications::{self, Purpose};
use crate::error::ApiError;
use crate::ids::{mail_token, random_id, sha256_hex};
use crate::mail::{Kind, Outgoing, Values, templates};
use crate::state::AppState;

/// Anonymous mail endpoints answer no sooner than this after the request arrived, so the answer
/// for a known address (a token stored, a message queued) takes as long as for an unknown one.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(500);

/// Waits out the rest of [`ANSWER_FLOOR`].
pub async fn answer_floor(arrived: Instant) {
    actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(arrived.elapsed())).await;
}

/// How long each purpose's token works, and how its message says it.
pub fn lifetime(purpose: Purpose) -> (chrono::Duration, &'static str) {
    match purpose {
        Purpose::ResetPassword => (chrono::Duration::hours(1), "1 hour"),
        Purpose::VerifyEmail | Purpose::DeleteAccount => (chrono::Duration::hours(24), "24 hours"),
        Purpose::MagicLink => (chrono::Duration::minutes(5), "5 minutes"),
        Purpose::ChangeEmailConfirmation | Purpose::ChangeEmailVerification => {
            (chrono::Duration::hours(1), "1 hour")
        }
    }
}

/// A new token of `purpose` for `user`, stored as its hash; returns the token and its expiry.
pub async fn issue(
    state: &AppState,
    purpose: Purpose,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), ApiError> {
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
) -> Result<(String, DateTime<Utc>), ApiError> {
    let token = mail_token();
    let expires_at = now + lifetime(purpose).0;
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
    };
    state
        .db
        .run(move |conn| verifications::insert(conn, &row))
        .await?;
    Ok((token, expires_at))
}

/// Renders a message of `kind` for `user` and queues it; never waits for delivery.
pub fn send(
    state: &AppState,
    kind: Kind,
    user: &UserRow,
    url: String,
    expires_at: DateTime<Utc>,
    expires_in: &str,
) {
    let to = Recipient {
        email: &user.email,
        name: &user.name,
        new_email: None,
    };
    send_to(state, kind, &to, url, expires_at, expires_in);
}

/// Whom a message goes to: an address, the name to greet, and for a change of email the new
/// address (`{{newEmail}}`).
pub struct Recipient<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub new_email: Option<&'a str>,
}

/// [`send`] to an address that may have no user yet.
pub fn send_to(
    state: &AppState,
    kind: Kind,
    to: &Recipient<'_>,
    url: String,
    expires_at: DateTime<Utc>,
    expires_in: &str,
) {
    let values = values(state, to.email, to.name, to.new_email, url, expires_in);
    queue(state, kind, to.email, &values, expires_at);
}

fn values(
    state: &AppState,
    email: &str,
    name: &str,
    new_email: Option<&str>,
    url: String,
    expires_in: &str,
) -> Values {
    Values {
        url,
        email: email.to_owned(),
        new_email: new_email.unwrap_or_default().to_owned(),
        name: name.to_owned(),
        expires_in: expires_in.to_owned(),
        site: state
            .config
            .base_url
            .host_str()
            .unwrap_or("gatehouse")
            .to_owned(),
    }
}

fn queue(state: &AppState, kind: Kind, to: &str, values: &Values, expires_at: DateTime<Utc>) {
    state.mailer.send(Outgoing {
        kind,
        to: to.to_owned(),
        rendered: templates::render(kind, values),
        expires_at,
    });
}
