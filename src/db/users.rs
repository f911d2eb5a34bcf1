//! Users and their password credentials.

use diesel::prelude::*;

use super::DbConnection;
use super::invalidations::{Invalidation, publish};
use super::models::{AccountRow, CREDENTIAL_PROVIDER, UserChanges, UserRow};
use super::schema::{accounts, users};

/// Inserts a user and its first account (a password credential, or a provider's) in one
/// transaction: both or neither. A lost race on
/// the email or username unique index surfaces as `UniqueViolation`.
pub fn insert_with_account(
    conn: &mut DbConnection,
    user: &UserRow,
    account: &AccountRow,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(users::table)
            .values(user)
            .execute(conn)?;
        diesel::insert_into(accounts::table)
            .values(account)
            .execute(conn)?;
        Ok(())
    })
}

/// Inserts a user without a password (a magic-link sign-up).
pub fn insert(conn: &mut DbConnection, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(drop)
}

/// Deletes the user's password credential.
pub fn delete_credential(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(
        accounts::table
            .filter(accounts::user_id.eq(user_id))
            .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER)),
    )
    .execute(conn)
}

pub fn email_exists(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn username_exists(conn: &mut DbConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)
}

/// Which column identifies the user at sign-in.
#[derive(Debug, Clone)]
pub enum Identifier {
    Email(String),
    Username(String),
}

/// The user and the password hash of its credential account (if it has one), in one round trip.
pub fn find_with_password_hash(
    conn: &mut DbConnection,
    identifier: &Identifier,
) -> QueryResult<Option<(UserRow, Option<String>)>> {
    let credential = accounts::table.on(accounts::user_id
        .eq(users::id)
        .and(accounts::provider_id.eq(CREDENTIAL_PROVIDER)));
    let select = (UserRow::as_select(), accounts::password_hash.nullable());
    match identifier {
        Identifier::Email(email) => users::table
            .left_join(credential)
            .filter(users::email.eq(email))
            .select(select)
            .first(conn)
            .optional(),
        Identifier::Username(username) => users::table
            .left_join(credential)
            .filter(users::username.eq(username))
            .select(select)
            .first(conn)
            .optional(),
    }
}

/// A password hash another library made, to be replaced by bcrypt once it verified.
#[derive(Debug, Clone)]
pub struct PasswordUpgrade {
    pub user_id: String,
    /// The hash that verified: replaced only if the credential still holds it, so a password
    /// changed meanwhile is never overwritten.
    pub from: String,
    pub to: String,
}

/// Replaces the credential's hash as `upgrade` says; returns how many rows changed (0 or 1).
pub fn upgrade_password_hash(
    conn: &mut DbConnection,
    upgrade: &PasswordUpgrade,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        accounts::table
            .filter(accounts::user_id.eq(&upgrade.user_id))
            .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER))
            .filter(accounts::password_hash.eq(&upgrade.from)),
    )
    .set((
        accounts::password_hash.eq(&upgrade.to),
        accounts::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn find_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()
}

/// Moves the user to a new (lower-cased) address, verified: the caller has just proved it.
pub fn set_verified_email(
    conn: &mut DbConnection,
    user_id: &str,
    email: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    let updated = diesel::update(users::table.filter(users::id.eq(user_id)))
        .set((
            users::email.eq(email),
            users::email_verified.eq(true),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    publish(conn, Invalidation::User(user_id.to_owned()))?;
    Ok(updated)
}

/// Marks the user's address verified; `false` when it already was (or the user is gone).
pub fn mark_email_verified(
    conn: &mut DbConnection,
    user_id: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::email_verified.eq(false)),
    )
    .set((users::email_verified.eq(true), users::updated_at.eq(now)))
    .execute(conn)?;
    if updated == 1 {
        publish(conn, Invalidation::User(user_id.to_owned()))?;
    }
    Ok(updated == 1)
}

/// Sets the user's password: replaces the credential's hash, or creates the credential account
/// for a user who has none (a password reset gives one).
pub fn set_or_create_password(
    conn: &mut DbConnection,
    user_id: &str,
    password_hash: &str,
    new_account_id: String,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        accounts::table
            .filter(accounts::user_id.eq(user_id))
            .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER)),
    )
    .set((
        accounts::password_hash.eq(password_hash),
        accounts::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(accounts::table)
            .values(&AccountRow::credential(
                new_account_id,
                user_id,
                password_hash.to_owned(),
                now,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The user's credential account's password hash: `None` without a credential account.
pub fn find_password_hash(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Option<Option<String>>> {
    accounts::table
        .filter(accounts::user_id.eq(user_id))
        .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER))
        .select(accounts::password_hash)
        .first(conn)
        .optional()
}

/// Replaces the credential's password hash.
pub fn set_password_hash(
    conn: &mut DbConnection,
    user_id: &str,
    password_hash: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        accounts::table
            .filter(accounts::user_id.eq(user_id))
            .filter(accounts::provider_id.eq(CREDENTIAL_PROVIDER)),
    )
    .set((
        accounts::password_hash.eq(password_hash),
        accounts::updated_at.eq(now),
    ))
    .execute(conn)
    .map(drop)
}

/// Whether a user other than `user_id` holds `username` (lower-cased).
pub fn username_held_by_other(
    conn: &mut DbConnection,
    username: &str,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::username.eq(username))
            .filter(users::id.ne(user_id)),
    ))
    .get_result(conn)
}

/// Applies profile changes and returns the user as stored afterwards; `None` if the user is gone.
pub fn update_profile(
    conn: &mut DbConnection,
    user_id: &str,
    changes: &UserChanges,
) -> QueryResult<Option<UserRow>> {
    conn.transaction(|conn| {
        diesel::update(users::table.find(user_id))
            .set(changes)
            .execute(conn)?;
        publish(conn, Invalidation::User(user_id.to_owned()))?;
        find_by_id(conn, user_id)
    })
}

/// Deletes the user; its accounts and sessions go with it (`ON DELETE CASCADE`).
pub fn delete(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    let deleted = diesel::delete(users::table.find(user_id)).execute(conn)?;
    publish(conn, Invalidation::User(user_id.to_owned()))?;
    Ok(deleted)
}

/// Clears an expired ban, as the next sign-in finds it.
pub fn lift_ban(
    conn: &mut DbConnection,
    user_id: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::banned.eq(false),
            users::ban_reason.eq(None::<String>),
            users::ban_expires.eq(None::<chrono::NaiveDateTime>),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    publish(conn, Invalidation::User(user_id.to_owned()))
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()
}

/// Sets the user's roles (already checked and joined).
pub fn set_role(
    conn: &mut DbConnection,
    user_id: &str,
    role: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    let updated = diesel::update(users::table.find(user_id))
        .set((users::role.eq(role), users::updated_at.eq(now)))
        .execute(conn)?;
    publish(conn, Invalidation::User(user_id.to_owned()))?;
    Ok(updated)
}

/// Bans the user (`expires` `None`: for ever), or lifts the ban (`ban` `None`).
pub fn set_ban(
    conn: &mut DbConnection,
    user_id: &str,
    ban: Option<(&str, Option<chrono::NaiveDateTime>)>,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    let (banned, reason, expires) = match ban {
        Some((reason, expires)) => (true, Some(reason.to_owned()), expires),
        None => (false, None, None),
    };
    let updated = diesel::update(users::table.find(user_id))
        .set((
            users::banned.eq(banned),
            users::ban_reason.eq(reason),
            users::ban_expires.eq(expires),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    publish(conn, Invalidation::User(user_id.to_owned()))?;
    Ok(updated)
}

/// A text column a listing may search, filter or sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Id,
    Email,
    Name,
    Role,
    Username,
}

/// A boolean column a listing may filter by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolField {
    EmailVerified,
    Banned,
}

/// How a search or a text filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
}

/// One condition on the users listed.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Text {
        field: TextField,
        op: TextOp,
        /// One value, or several for `In` and `NotIn`.
        values: Vec<String>,
    },
    /// `equal: false` is `ne`.
    Bool {
        field: BoolField,
        value: bool,
        equal: bool,
    },
}

/// The column a listing is ordered by (then by id, so pages are stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    #[default]
    CreatedAt,
    UpdatedAt,
    Text(TextField),
    Bool(BoolField),
}

/// Which users a listing wants: a case-insensitive search in one column, a filter, then a page
/// in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Lower-cased text to find in `email` (or, with `search_name`, in `name`).
    pub search: Option<String>,
    pub search_name: bool,
    /// `Contains` (the default), `StartsWith` or `EndsWith`.
    pub search_op: Option<TextOp>,
    pub filter: Option<Filter>,
    pub sort: SortField,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Applies a text comparison to a (nullable or not) text column of a boxed users query.
macro_rules! compare_text {
    ($query:expr, $column:expr, $op:expr, $values:expr) => {{
        let values: &[String] = $values;
        let first = values.first().cloned().unwrap_or_default();
        let pattern = |before: &str, after: &str| format!("{before}{}{after}", escape_like(&first));
        match $op {
            TextOp::Eq => $query.filter($column.eq(first)),
            TextOp::Ne => $query.filter($column.ne(first)),
            TextOp::Lt => $query.filter($column.lt(first)),
            TextOp::Lte => $query.filter($column.le(first)),
            TextOp::Gt => $query.filter($column.gt(first)),
            TextOp::Gte => $query.filter($column.ge(first)),
            TextOp::In => $query.filter($column.eq_any(values.to_vec())),
            TextOp::NotIn => $query.filter($column.ne_all(values.to_vec())),
            TextOp::Contains => $query.filter($column.like(pattern("%", "%")).escape('\\')),
            TextOp::StartsWith => $query.filter($column.like(pattern("", "%")).escape('\\')),
            TextOp::EndsWith => $query.filter($column.like(pattern("%", "")).escape('\\')),
        }
    }};
}

/// Orders a boxed users query by a column, then by id, either way.
macro_rules! order_by {
    ($query:expr, $column:expr, $descending:expr) => {
        if $descending {
            $query.order(($column.desc(), users::id.desc()))
        } else {
            $query.order(($column.asc(), users::id.asc()))
        }
    };
}

/// A page of users and how many match in all.
pub fn list(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(Vec<UserRow>, i64)> {
    let filtered = || {
        let mut query = users::table.into_boxed();
        if let Some(search) = &listing.search {
            let op = listing.search_op.unwrap_or(TextOp::Contains);
            let values = std::slice::from_ref(search);
            query = if listing.search_name {
                compare_text!(query, lower(users::name), op, values)
            } else {
                compare_text!(query, users::email, op, values)
            };
        }
        match &listing.filter {
            None => query,
            Some(Filter::Text { field, op, values }) => match field {
                TextField::Id => compare_text!(query, users::id, *op, values),
                TextField::Email => compare_text!(query, users::email, *op, values),
                TextField::Name => compare_text!(query, users::name, *op, values),
                TextField::Role => compare_text!(query, users::role, *op, values),
                TextField::Username => compare_text!(query, users::username, *op, values),
            },
            Some(Filter::Bool {
                field,
                value,
                equal,
            }) => {
                let wanted = *value == *equal;
                match field {
                    BoolField::EmailVerified => query.filter(users::email_verified.eq(wanted)),
                    BoolField::Banned => query.filter(users::banned.eq(wanted)),
                }
            }
        }
    };
    let total = filtered().count().get_result(conn)?;
    let query = filtered();
    let desc = listing.descending;
    let query = match listing.sort {
        SortField::CreatedAt => order_by!(query, users::created_at, desc),
        SortField::UpdatedAt => order_by!(query, users::updated_at, desc),
        SortField::Text(TextField::Id) => order_by!(query, users::id, desc),
        SortField::Text(TextField::Email) => order_by!(query, users::email, desc),
        SortField::Text(TextField::Name) => order_by!(query, users::name, desc),
        SortField::Text(TextField::Role) => order_by!(query, users::role, desc),
        SortField::Text(TextField::Username) => order_by!(query, users::username, desc),
        SortField::Bool(BoolField::EmailVerified) => {
            order_by!(query, users::email_verified, desc)
        }
        SortField::Bool(BoolField::Banned) => order_by!(query, users::banned, desc),
    };
    let page = query
        .limit(listing.limit)
        .offset(listing.offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((page, total))
}

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// `text` with LIKE's wildcards and the escape character escaped by `\`.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
