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
        Purpose::VerifyEmail => (chrono::Duration::hours(24), "24 hours"),
    }
}

/// A new token of `purpose` for `user`, stored as its hash; returns the token and its expiry.
pub async fn issue(
    state: &AppState,
    purpose: Purpose,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), ApiError> {
    let token = mail_token();
    let expires_at = now + lifetime(purpose).0;
    let row = VerificationRow {
        id: random_id(),
        purpose: purpose.as_str().to_owned(),
        token_hash: sha256_hex(&token),
        user_id: Some(user.id.clone()),
        email: user.email.clone(),
        new_email: None,
        name: None,
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
    let values = Values {
        url,
        email: user.email.clone(),
        name: user.name.clone(),
        expires_in: expires_in.to_owned(),
        site: state
            .config
            .base_url
            .host_str()
            .unwrap_or("gatehouse")
            .to_owned(),
    };
    state.mailer.send(Outgoing {
        kind,
        to: user.email.clone(),
        rendered: templates::render(kind, &values),
        expires_at,
    });
}
