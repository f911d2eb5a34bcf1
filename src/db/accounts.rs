//! Users' accounts with OAuth / OpenID Connect providers (the password credential is in `users`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::models::{AccountRow, UserRow};
use super::schema::{accounts, users};

/// The user who has the account `account_id` at `provider_id`, and that account's row id.
pub fn find_user(
    conn: &mut DbConnection,
    provider_id: &str,
    account_id: &str,
) -> QueryResult<Option<(String, UserRow)>> {
    accounts::table
        .inner_join(users::table)
        .filter(accounts::provider_id.eq(provider_id))
        .filter(accounts::account_id.eq(account_id))
        .select((accounts::id, UserRow::as_select()))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, account: &AccountRow) -> QueryResult<()> {
    diesel::insert_into(accounts::table)
        .values(account)
        .execute(conn)
        .map(drop)
}

/// The provider's latest tokens (sealed) on an account.
pub struct Tokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<NaiveDateTime>,
    pub scope: Option<String>,
}

/// Replaces the tokens; a refresh token the provider did not send again is kept.
pub fn set_tokens(
    conn: &mut DbConnection,
    id: &str,
    tokens: &Tokens,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = accounts::table.find(id);
    let changes = (
        accounts::access_token.eq(&tokens.access_token),
        accounts::id_token.eq(&tokens.id_token),
        accounts::access_token_expires_at.eq(tokens.access_token_expires_at),
        accounts::scope.eq(&tokens.scope),
        accounts::updated_at.eq(now),
    );
    match &tokens.refresh_token {
        Some(refresh) => diesel::update(target)
            .set((changes, accounts::refresh_token.eq(refresh)))
            .execute(conn),
        None => diesel::update(target).set(changes).execute(conn),
    }
}

/// Every account of the user, the password credential included, oldest first.
pub fn list_for_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<AccountRow>> {
    accounts::table
        .filter(accounts::user_id.eq(user_id))
        .order((accounts::created_at.asc(), accounts::id.asc()))
        .select(AccountRow::as_select())
        .load(conn)
}

/// What [`unlink`] did.
pub enum Unlinked {
    Done,
    /// It is the user's only account: nothing deleted.
    LastAccount,
    /// No account of the user has this id.
    NotFound,
}

/// Deletes the user's account `id`, unless it is the user's last way to sign in.
pub fn unlink(conn: &mut DbConnection, user_id: &str, id: &str) -> QueryResult<Unlinked> {
    conn.transaction(|conn| {
        let count: i64 = accounts::table
            .filter(accounts::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        if count <= 1 {
            return Ok(Unlinked::LastAccount);
        }
        let deleted = diesel::delete(
            accounts::table
                .filter(accounts::user_id.eq(user_id))
                .filter(accounts::id.eq(id)),
        )
        .execute(conn)?;
        Ok(if deleted == 1 {
            Unlinked::Done
        } else {
            Unlinked::NotFound
        })
    })
}
