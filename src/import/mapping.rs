//! What each library's tables hold and how a row becomes a gatehouse user: the fields read, the
//! column spellings tried for each (the libraries' documented Drizzle schemas, camelCase or
//! snake_case), and the checks a value passes before it is kept.

use chrono::{DateTime, NaiveDateTime};

use crate::db::models::{AccountRow, DEFAULT_ROLE, SessionRow, UserRow};
use crate::rules;

/// The library whose database is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    BetterAuth,
    AuthJs,
    Lucia,
}

impl Library {
    pub fn name(self) -> &'static str {
        match self {
            Self::BetterAuth => "better-auth",
            Self::AuthJs => "authjs",
            Self::Lucia => "lucia",
        }
    }
}

/// A field the import reads, with the column names tried for it, in order.
#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub spellings: &'static [&'static str],
    pub required: bool,
}

const fn field(key: &'static str, spellings: &'static [&'static str]) -> Field {
    Field {
        key,
        spellings,
        required: false,
    }
}

const fn required(key: &'static str, spellings: &'static [&'static str]) -> Field {
    Field {
        key,
        spellings,
        required: true,
    }
}

/// One table of a library's schema.
#[derive(Debug)]
pub struct TableSpec {
    /// `users`, `accounts` or `sessions`: how flags and messages name it.
    pub role: &'static str,
    pub default_name: &'static str,
    /// The field pages are ordered by: the user id (in the users table, the key; elsewhere, the
    /// column that points at the user).
    pub key: &'static str,
    pub fields: &'static [Field],
}

impl TableSpec {
    pub fn index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|field| field.key == key)
    }
}

/// A library's tables.
#[derive(Debug)]
pub struct Schema {
    pub users: TableSpec,
    pub accounts: Option<TableSpec>,
    pub sessions: Option<TableSpec>,
}

const CREATED_AT: Field = field("createdAt", &["createdAt", "created_at"]);
const UPDATED_AT: Field = field("updatedAt", &["updatedAt", "updated_at"]);
const USER_ID: Field = required("userId", &["userId", "user_id"]);

static BETTER_AUTH: Schema = Schema {
    users: TableSpec {
        role: "users",
        default_name: "user",
        key: "id",
        fields: &[
            required("id", &["id"]),
            required("email", &["email"]),
            field("name", &["name"]),
            field("emailVerified", &["emailVerified", "email_verified"]),
            field("image", &["image"]),
            CREATED_AT,
            UPDATED_AT,
            field("username", &["username"]),
            field("displayUsername", &["displayUsername", "display_username"]),
            field("role", &["role"]),
            field("banned", &["banned"]),
            field("banReason", &["banReason", "ban_reason"]),
            field("banExpires", &["banExpires", "ban_expires"]),
        ],
    },
    accounts: Some(TableSpec {
        role: "accounts",
        default_name: "account",
        key: "userId",
        fields: &[
            field("id", &["id"]),
            USER_ID,
            required("providerId", &["providerId", "provider_id"]),
            required("accountId", &["accountId", "account_id"]),
            field("password", &["password"]),
            field("scope", &["scope"]),
            CREATED_AT,
            UPDATED_AT,
        ],
    }),
    sessions: Some(TableSpec {
        role: "sessions",
        default_name: "session",
        key: "userId",
        fields: &[
            field("id", &["id"]),
            required("token", &["token"]),
            USER_ID,
            required("expiresAt", &["expiresAt", "expires_at"]),
            field("ipAddress", &["ipAddress", "ip_address"]),
            field("userAgent", &["userAgent", "user_agent"]),
            CREATED_AT,
            UPDATED_AT,
            field("impersonatedBy", &["impersonatedBy", "impersonated_by"]),
        ],
    }),
};

static AUTHJS: Schema = Schema {
    users: TableSpec {
        role: "users",
        default_name: "user",
        key: "id",
        fields: &[
            required("id", &["id"]),
            field("email", &["email"]),
            field("name", &["name"]),
            field("emailVerified", &["emailVerified", "email_verified"]),
            field("image", &["image"]),
            field(
                "password",
                &[
                    "password",
                    "hashedPassword",
                    "hashed_password",
                    "passwordHash",
                    "password_hash",
                ],
            ),
            CREATED_AT,
            UPDATED_AT,
        ],
    },
    accounts: Some(TableSpec {
        role: "accounts",
        default_name: "account",
        key: "userId",
        fields: &[
            USER_ID,
            required("provider", &["provider"]),
            required(
                "providerAccountId",
                &["providerAccountId", "provider_account_id"],
            ),
            field("scope", &["scope"]),
        ],
    }),
    sessions: None,
};

static LUCIA: Schema = Schema {
    users: TableSpec {
        role: "users",
        default_name: "admin",
        key: "id",
        fields: &[
            required("id", &["id"]),
            field("username", &["user_name", "username"]),
            field("email", &["email"]),
            field("name", &["name"]),
            field("emailVerified", &["email_verified", "emailVerified"]),
            field(
                "hashedPassword",
                &[
                    "hashed_password",
                    "password_hash",
                    "hashedPassword",
                    "passwordHash",
                ],
            ),
            field("salt", &["salt"]),
            CREATED_AT,
            UPDATED_AT,
        ],
    },
    accounts: None,
    sessions: None,
};

pub fn schema(library: Library) -> &'static Schema {
    match library {
        Library::BetterAuth => &BETTER_AUTH,
        Library::AuthJs => &AUTHJS,
        Library::Lucia => &LUCIA,
    }
}

/// A source row with its table's fields.
pub struct Row<'a> {
    pub spec: &'a TableSpec,
    pub values: &'a [Option<String>],
}

impl Row<'_> {
    /// The field's value, `None` when NULL, absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.spec
            .index(key)
            .and_then(|index| self.values.get(index))
            .and_then(Option::as_deref)
            .filter(|value| !value.is_empty())
    }
}

/// Why a user was not imported. Each has a stable name in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    NoId,
    NoEmail,
    InvalidEmail,
    InvalidUsername,
    TooLong(&'static str),
    HasNul(&'static str),
}

impl Skip {
    pub fn name(&self) -> String {
        match self {
            Self::NoId => "no-id".to_owned(),
            Self::NoEmail => "no-email-or-username".to_owned(),
            Self::InvalidEmail => "invalid-email".to_owned(),
            Self::InvalidUsername => "invalid-username".to_owned(),
            Self::TooLong(field) => format!("too-long:{field}"),
            Self::HasNul(field) => format!("nul-character:{field}"),
        }
    }
}

/// What was changed or left out of a user who is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The password hash is in no format gatehouse verifies: the user is imported without one.
    UnknownHash,
    ImageDropped,
    DisplayUsernameDropped,
    UnknownRole,
    BanReasonCut,
    UnreadableDate,
}

impl Note {
    pub fn name(self) -> &'static str {
        match self {
            Self::UnknownHash => "unknown-password-hash",
            Self::ImageDropped => "image-too-long",
            Self::DisplayUsernameDropped => "display-username-too-long",
            Self::UnknownRole => "unknown-role",
            Self::BanReasonCut => "ban-reason-cut",
            Self::UnreadableDate => "unreadable-date",
        }
    }
}

/// How rows become users.
#[derive(Debug, Clone)]
pub struct Convert {
    pub library: Library,
    /// The domain of the addresses made for users without one.
    pub email_domain: String,
    /// PBKDF2 iterations of the Lucia tutorial's hashes.
    pub pbkdf2_iterations: u32,
    pub now: NaiveDateTime,
    /// Whether the users table has the admin plugin's columns.
    pub has_admin: bool,
    pub has_updated_at: bool,
    pub has_created_at: bool,
}

/// The longest user id kept.
const MAX_ID_CHARS: usize = 255;
/// The longest password hash looked at.
const MAX_HASH_CHARS: usize = 1024;
/// The longest session token kept (Better Auth's are 32 characters).
const MAX_TOKEN_CHARS: usize = 512;
const MAX_IP_CHARS: usize = 64;
const MAX_USER_AGENT_CHARS: usize = 512;

impl Convert {
    /// A user row, with the notes on what was changed; or why it is skipped. Its password comes
    /// apart ([`Convert::user_password`] or the accounts table).
    pub fn user(&self, row: &Row<'_>, notes: &mut Vec<Note>) -> Result<UserRow, Skip> {
        for (index, value) in row.values.iter().enumerate() {
            if value.as_deref().is_some_and(|v| v.contains('\0')) {
                return Err(Skip::HasNul(row.spec.fields[index].key));
            }
        }
        let id = row.get("id").ok_or(Skip::NoId)?.to_owned();
        if id.chars().count() > MAX_ID_CHARS {
            return Err(Skip::TooLong("id"));
        }
        let raw_username = row.get("username").map(str::trim);
        let username = match raw_username {
            None | Some("") => None,
            Some(name) if rules::username_problem(name).is_some() => {
                return Err(Skip::InvalidUsername);
            }
            Some(name) => Some(name.to_lowercase()),
        };
        let email = match row.get("email").map(str::trim).filter(|e| !e.is_empty()) {
            Some(email) => email.to_lowercase(),
            None => match &username {
                Some(username) => format!("{username}@{}", self.email_domain),
                None => return Err(Skip::NoEmail),
            },
        };
        if email.len() > rules::MAX_EMAIL_CHARS || !rules::is_email(&email) {
            return Err(Skip::InvalidEmail);
        }
        let name = row.get("name").unwrap_or("").trim().to_owned();
        if name.chars().count() > rules::MAX_NAME_CHARS {
            return Err(Skip::TooLong("name"));
        }
        let image = match row.get("image") {
            Some(image) if image.chars().count() > rules::MAX_IMAGE_CHARS => {
                notes.push(Note::ImageDropped);
                None
            }
            image => image.map(str::to_owned),
        };
        let display_username = match row.get("displayUsername").or(match self.library {
            Library::Lucia => raw_username,
            _ => None,
        }) {
            Some(display) if display.chars().count() > rules::MAX_DISPLAY_USERNAME_CHARS => {
                notes.push(Note::DisplayUsernameDropped);
                None
            }
            display => display.map(str::to_owned),
        };
        let mut date = |key: &str| match row.get(key) {
            None => None,
            Some(text) => {
                let parsed = parse_date(text);
                if parsed.is_none() {
                    notes.push(Note::UnreadableDate);
                }
                parsed
            }
        };
        let created_at = date("createdAt").unwrap_or(self.now);
        let updated_at = date("updatedAt").unwrap_or(created_at);
        let ban_expires = date("banExpires");
        let mut user = UserRow::new(
            id,
            name,
            email,
            row.get("emailVerified").is_some_and(is_verified),
            created_at,
        );
        user.updated_at = updated_at;
        user.image = image;
        user.username = username;
        user.display_username = display_username;
        if self.has_admin {
            user.role = role(row.get("role"), notes);
            user.banned = row.get("banned").is_some_and(is_true);
            if user.banned {
                user.ban_reason = row.get("banReason").map(|reason| {
                    if reason.chars().count() > rules::MAX_BAN_REASON_CHARS {
                        notes.push(Note::BanReasonCut);
                    }
                    reason.chars().take(rules::MAX_BAN_REASON_CHARS).collect()
                });
                user.ban_expires = ban_expires;
            }
        }
        Ok(user)
    }

    /// The password hash a users row holds (Auth.js, the Lucia tutorial), in the form gatehouse
    /// stores; `Err` for a hash gatehouse cannot verify.
    pub fn user_password(&self, row: &Row<'_>) -> Result<Option<String>, Note> {
        match self.library {
            Library::BetterAuth => Ok(None),
            Library::AuthJs => row.get("password").map(known_hash).transpose(),
            Library::Lucia => {
                let Some(hash) = row.get("hashedPassword") else {
                    return Ok(None);
                };
                match row.get("salt") {
                    Some(salt) if !hash.starts_with('$') => {
                        crate::auth::foreign_hash::pbkdf2_from_columns(
                            hash,
                            salt,
                            self.pbkdf2_iterations,
                        )
                        .map(Some)
                        .ok_or(Note::UnknownHash)
                    }
                    _ => known_hash(hash).map(Some),
                }
            }
        }
    }

    /// A Better Auth account row: the credential's hash (`Ok(Err(_))` when its format is
    /// unknown) or a provider link. `None` for a row to leave out.
    pub fn account(&self, row: &Row<'_>, user_id: &str) -> Option<Account> {
        let (provider, account_id) = match self.library {
            Library::AuthJs => (row.get("provider")?, row.get("providerAccountId")?),
            _ => (row.get("providerId")?, row.get("accountId")?),
        };
        if provider == crate::db::models::CREDENTIAL_PROVIDER {
            return Some(Account::Credential(
                row.get("password").map(known_hash).transpose(),
            ));
        }
        if provider.chars().count() > rules::MAX_PROVIDER_CHARS
            || account_id.chars().count() > MAX_ID_CHARS
            || provider.contains('\0')
            || account_id.contains('\0')
        {
            return None;
        }
        let created_at = row
            .get("createdAt")
            .and_then(parse_date)
            .unwrap_or(self.now);
        Some(Account::Provider(Box::new(AccountRow {
            id: row
                .get("id")
                .filter(|id| id.chars().count() <= MAX_ID_CHARS && !id.contains('\0'))
                .map_or_else(crate::ids::random_id, str::to_owned),
            user_id: user_id.to_owned(),
            provider_id: provider.to_owned(),
            account_id: account_id.to_owned(),
            password_hash: None,
            created_at,
            updated_at: row
                .get("updatedAt")
                .and_then(parse_date)
                .unwrap_or(created_at),
            access_token: None,
            refresh_token: None,
            id_token: None,
            access_token_expires_at: None,
            scope: row
                .get("scope")
                .filter(|scope| scope.len() <= 2048 && !scope.contains('\0'))
                .map(str::to_owned),
        })))
    }

    /// A Better Auth session that is still valid, its token hashed; `None` for an expired or
    /// malformed one.
    pub fn session(&self, row: &Row<'_>, user_id: &str) -> Option<SessionRow> {
        let token = row.get("token")?;
        let expires_at = parse_date(row.get("expiresAt")?)?;
        if token.chars().count() > MAX_TOKEN_CHARS || expires_at <= self.now {
            return None;
        }
        let created_at = row
            .get("createdAt")
            .and_then(parse_date)
            .unwrap_or(self.now);
        let bounded = |key: &str, max: usize| -> String {
            row.get(key)
                .unwrap_or("")
                .chars()
                .filter(|c| *c != '\0')
                .take(max)
                .collect()
        };
        Some(SessionRow {
            id: row
                .get("id")
                .filter(|id| id.chars().count() <= MAX_ID_CHARS && !id.contains('\0'))
                .map_or_else(crate::ids::random_id, str::to_owned),
            token_hash: Some(crate::ids::sha256_hex(token)),
            user_id: user_id.to_owned(),
            expires_at,
            ip_address: bounded("ipAddress", MAX_IP_CHARS),
            user_agent: bounded("userAgent", MAX_USER_AGENT_CHARS),
            created_at,
            updated_at: row
                .get("updatedAt")
                .and_then(parse_date)
                .unwrap_or(created_at),
            impersonated_by: row
                .get("impersonatedBy")
                .filter(|id| id.chars().count() <= MAX_ID_CHARS && !id.contains('\0'))
                .map(str::to_owned),
        })
    }
}

/// An accounts row.
#[derive(Debug)]
pub enum Account {
    /// The password credential: its hash (`None` without one), or a hash of unknown format.
    Credential(Result<Option<String>, Note>),
    Provider(Box<AccountRow>),
}

/// A hash in a format gatehouse verifies, as it is; else [`Note::UnknownHash`].
fn known_hash(hash: &str) -> Result<String, Note> {
    use crate::auth::foreign_hash::{HashKind, kind};
    let hash = hash.trim();
    let well_formed = match kind(hash) {
        // `$2b$NN$` and 53 characters of salt and hash.
        Some(HashKind::Bcrypt) => {
            hash.len() == 60
                && hash[4..6]
                    .parse::<u32>()
                    .is_ok_and(|cost| (4..=31).contains(&cost))
                && hash.as_bytes()[6] == b'$'
        }
        Some(_) => hash.len() <= MAX_HASH_CHARS,
        None => false,
    };
    if well_formed {
        Ok(hash.to_owned())
    } else {
        Err(Note::UnknownHash)
    }
}

/// The roles gatehouse knows, of a comma-joined list; `user` when none is known.
fn role(value: Option<&str>, notes: &mut Vec<Note>) -> String {
    let Some(value) = value else {
        return DEFAULT_ROLE.to_owned();
    };
    let mut known = Vec::new();
    for role in value.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        if crate::admin::ROLES.contains(&role) {
            if !known.contains(&role) {
                known.push(role);
            }
        } else {
            notes.push(Note::UnknownRole);
        }
    }
    if known.is_empty() {
        DEFAULT_ROLE.to_owned()
    } else {
        known.join(",")
    }
}

fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes"
    )
}

/// A verified flag: a boolean (Better Auth) or the date of verification (Auth.js), so anything
/// but a false value counts.
fn is_verified(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "f" | "no"
    )
}

/// A date as the libraries store it: ISO 8601 text (with or without an offset, `T` or a space),
/// PostgreSQL's text form of a `timestamptz`, or a number of seconds or milliseconds since the
/// epoch (numbers from 10^11 on are milliseconds: seconds would be after the year 5138). UTC.
pub fn parse_date(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(number) = text.parse::<i64>() {
        let millis = if number.abs() >= 100_000_000_000 {
            number
        } else {
            number.checked_mul(1000)?
        };
        return DateTime::from_timestamp_millis(millis).map(|at| at.naive_utc());
    }
    if let Ok(number) = text.parse::<f64>()
        && number.is_finite()
    {
        #[expect(clippy::cast_possible_truncation, reason = "a finite date in range")]
        let millis = (number * 1000.0).round() as i64;
        return DateTime::from_timestamp_millis(millis).map(|at| at.naive_utc());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_utc());
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at.naive_utc());
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_form_the_libraries_store() {
        let expected =
            NaiveDateTime::parse_from_str("2025-03-04 05:06:07.250", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        for text in [
            "2025-03-04T05:06:07.250Z",
            "2025-03-04T07:06:07.250+02:00",
            "2025-03-04 05:06:07.25+00",
            "2025-03-04 05:06:07.25",
            "1741064767250",
            "1741064767.25",
        ] {
            assert_eq!(parse_date(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_date("1741064767"),
            DateTime::from_timestamp(1_741_064_767, 0).map(|at| at.naive_utc())
        );
        for text in ["", "yesterday", "2025-13-01T00:00:00Z", "1e400", "NaN"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn verified_is_a_flag_or_a_date() {
        assert!(is_verified("1") && is_verified("true") && is_verified("1741064767250"));
        assert!(!is_verified("0") && !is_verified("false") && !is_verified("f"));
    }

    #[test]
    fn roles_keep_the_known_ones() {
        let mut notes = Vec::new();
        assert_eq!(role(Some("admin,moderator"), &mut notes), "admin");
        assert_eq!(notes, [Note::UnknownRole]);
        assert_eq!(role(Some("user, admin ,user"), &mut notes), "user,admin");
        assert_eq!(role(None, &mut notes), "user");
    }
}
