//! The rules request fields follow, each declared once: the validators (`extract`,
//! `auth::credentials`) check them and the OpenAPI schemas (`dto`, through `schema_with`) state
//! them, from the same constants, so the document cannot drift from what the server enforces.

use std::sync::LazyLock;

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::error::UsernameProblem;

/// Longest email address (RFC 5321's path limit, less the angle brackets). The email pattern is
/// ASCII, so characters are bytes.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Fewest password characters on sign-up (sign-in has no minimum).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most password characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The most bytes bcrypt reads: longer passwords are refused, never truncated.
pub const MAX_PASSWORD_BYTES: usize = 72;
/// Username length, in characters.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 3..=30;
/// Longest `name` and `displayUsername`. Profile fields travel in every JWT and session cookie,
/// which browsers cap at 4 KiB, so they are bounded (Better Auth has no limit).
pub const MAX_NAME_CHARS: usize = 256;
/// The longest ban reason stored.
pub const MAX_BAN_REASON_CHARS: usize = 500;
/// Longest `displayUsername` update-user accepts, in characters (`INVALID_DISPLAY_USERNAME`).
pub const MAX_DISPLAY_USERNAME_CHARS: usize = 100;
/// Longest `image` URL, in characters.
pub const MAX_IMAGE_CHARS: usize = 2048;

/// Zod 4's email pattern, as Better Auth checks emails. The regex crate has no look-arounds, so
/// [`is_email`] checks the two leading look-aheads by hand; the document states the whole.
pub const EMAIL_PATTERN: &str = r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$";
/// The username plugin's alphabet.
pub const USERNAME_PATTERN: &str = "^[a-zA-Z0-9_.]+$";
/// Longest callback URL a social sign-in keeps until its callback.
pub const MAX_CALLBACK_URL_CHARS: usize = 2048;
/// Longest provider id a social sign-in names.
pub const MAX_PROVIDER_CHARS: usize = 64;
/// Most extra scopes a social sign-in may ask for, and the longest one.
pub const MAX_EXTRA_SCOPES: usize = 20;
pub const MAX_SCOPE_CHARS: usize = 128;
/// Longest ID token a native app may present (Google's are about 1 200 characters), and the
/// longest provider access or refresh token and nonce that come with it.
pub const MAX_ID_TOKEN_CHARS: usize = 16_384;
pub const MAX_PROVIDER_TOKEN_CHARS: usize = 4_096;
pub const MAX_NONCE_CHARS: usize = 512;
/// RFC 6749's scope token: printable ASCII but space, `"` and `\`.
const SCOPE_PATTERN: &str = "^[\\u0021\\u0023-\\u005B\\u005D-\\u007E]+$";

/// Whether `scope` is one RFC 6749 scope token of at most [`MAX_SCOPE_CHARS`].
pub fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope.len() <= MAX_SCOPE_CHARS
        && scope
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

/// Stored strings hold no NUL, which PostgreSQL cannot store.
const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";
/// No control characters (C0, DEL, C1), as `char::is_control` tells them.
const NO_CONTROL_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// Whether a (trimmed) string is an email by [`EMAIL_PATTERN`]; length is checked apart.
pub fn is_email(candidate: &str) -> bool {
    static PATTERN: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r"^[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+\-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$",
        )
        .ok()
    });
    !candidate.starts_with('.')
        && !candidate.contains("..")
        && PATTERN
            .as_ref()
            .is_some_and(|pattern| pattern.is_match(candidate))
}

/// Password length in Unicode scalar values (Rust's `chars`), which is what JSON Schema's
/// `minLength` and `maxLength` count. (Better Auth counts UTF-16 units, so a character outside
/// the Basic Multilingual Plane counts twice there and once here.)
pub fn password_length(password: &str) -> usize {
    password.chars().count()
}

/// Which username rule a username breaks, if any.
pub fn username_problem(username: &str) -> Option<UsernameProblem> {
    let length = username.chars().count();
    if length < *USERNAME_CHARS.start() {
        Some(UsernameProblem::TooShort)
    } else if length > *USERNAME_CHARS.end() {
        Some(UsernameProblem::TooLong)
    } else if !username
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        Some(UsernameProblem::Invalid)
    } else {
        None
    }
}

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// sign-in/social's `provider`.
pub fn provider_schema() -> Object {
    string(
        "A provider id from `GATEHOUSE_OAUTH_PROVIDERS`; another answers 404 `PROVIDER_NOT_FOUND`.",
    )
    .max_length(Some(MAX_PROVIDER_CHARS))
    .pattern(Some(NO_NUL_PATTERN))
    .build()
}

/// A social sign-in's callback URLs (kept with the sign-in until its callback).
pub fn callback_url_schema() -> Object {
    string("A relative path or a URL on a trusted origin.")
        .max_length(Some(MAX_CALLBACK_URL_CHARS))
        .pattern(Some(NO_NUL_PATTERN))
        .build()
}

/// sign-in/social's extra `scopes`.
pub fn scopes_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(MAX_SCOPE_CHARS))
                .pattern(Some(SCOPE_PATTERN)),
        )
        .max_items(Some(MAX_EXTRA_SCOPES))
        .description(Some(
            "Scopes asked for besides the configured ones, each an RFC 6749 scope token.",
        ))
        .build()
}

/// A string of at most `max` characters, without NUL.
fn bounded(description: &str, max: usize) -> Object {
    string(description)
        .max_length(Some(max))
        .pattern(Some(NO_NUL_PATTERN))
        .build()
}

/// `idToken.token`.
pub fn id_token_schema() -> Object {
    bounded(
        "The provider's ID token (a signed JWT) for this gatehouse's client id or one in `_ID_TOKEN_CLIENT_IDS`.",
        MAX_ID_TOKEN_CHARS,
    )
}

/// `idToken.nonce`.
pub fn nonce_schema() -> Object {
    bounded(
        "The nonce the app asked the provider for; the token's `nonce` must equal it.",
        MAX_NONCE_CHARS,
    )
}

/// `idToken.accessToken` and `idToken.refreshToken`.
pub fn provider_token_schema() -> Object {
    bounded(
        "Stored encrypted with the account; never answered.",
        MAX_PROVIDER_TOKEN_CHARS,
    )
}

/// `email` where it is stored (sign-up).
pub fn email_schema() -> Object {
    string(&format!(
        "Trimmed, at most {MAX_EMAIL_CHARS} characters, Zod's email pattern; stored lower-cased."
    ))
    .max_length(Some(MAX_EMAIL_CHARS))
    .pattern(Some(EMAIL_PATTERN))
    .build()
}

/// `email` as a sign-in identifier.
pub fn sign_in_email_schema() -> Object {
    string(&format!(
        "At most {MAX_EMAIL_CHARS} characters; compared lower-cased."
    ))
    .max_length(Some(MAX_EMAIL_CHARS))
    .pattern(Some(EMAIL_PATTERN))
    .build()
}

/// `password` on sign-up.
pub fn new_password_schema() -> Object {
    string(&format!(
        "{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters (Unicode scalar values, as JSON Schema counts them) and at most {MAX_PASSWORD_BYTES} UTF-8 bytes, all bcrypt reads: a longer password is refused, never truncated."
    ))
    .min_length(Some(MIN_PASSWORD_CHARS))
    .max_length(Some(MAX_PASSWORD_CHARS))
    .build()
}

/// `password` on sign-in.
pub fn password_schema() -> Object {
    string(&format!(
        "At most {MAX_PASSWORD_CHARS} characters; more than {MAX_PASSWORD_BYTES} UTF-8 bytes never matches."
    ))
    .max_length(Some(MAX_PASSWORD_CHARS))
    .build()
}

/// `username`.
pub fn username_schema() -> Object {
    string(&format!(
        "{} to {} characters of `[A-Za-z0-9_.]`; stored and compared lower-cased.",
        USERNAME_CHARS.start(),
        USERNAME_CHARS.end()
    ))
    .min_length(Some(*USERNAME_CHARS.start()))
    .max_length(Some(*USERNAME_CHARS.end()))
    .pattern(Some(USERNAME_PATTERN))
    .build()
}

/// `name`.
pub fn name_schema() -> Object {
    string(&format!(
        "May be empty; at most {MAX_NAME_CHARS} characters, no NUL."
    ))
    .max_length(Some(MAX_NAME_CHARS))
    .pattern(Some(NO_NUL_PATTERN))
    .build()
}

/// `displayUsername`.
pub fn display_username_schema() -> Object {
    string(&format!(
        "Shown form of `username`; defaults to it as typed. At most {MAX_NAME_CHARS} characters, no NUL."
    ))
    .max_length(Some(MAX_NAME_CHARS))
    .pattern(Some(NO_NUL_PATTERN))
    .build()
}

/// `image`.
pub fn image_schema() -> Object {
    string(&format!("At most {MAX_IMAGE_CHARS} characters, no NUL."))
        .max_length(Some(MAX_IMAGE_CHARS))
        .pattern(Some(NO_NUL_PATTERN))
        .build()
}

/// `string | null`.
fn nullable(builder: ObjectBuilder) -> Object {
    builder
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .build()
}

/// update-user's `image`.
pub fn nullable_image_schema() -> Object {
    nullable(
        string(&format!(
            "At most {MAX_IMAGE_CHARS} characters, no NUL; `null` clears it."
        ))
        .max_length(Some(MAX_IMAGE_CHARS))
        .pattern(Some(NO_NUL_PATTERN)),
    )
}

/// update-user's `username`.
pub fn nullable_username_schema() -> Object {
    nullable(
        string(&format!(
            "{} to {} characters of `[A-Za-z0-9_.]`, stored lower-cased; `null` clears it and keeps `displayUsername`.",
            USERNAME_CHARS.start(),
            USERNAME_CHARS.end()
        ))
        .min_length(Some(*USERNAME_CHARS.start()))
        .max_length(Some(*USERNAME_CHARS.end()))
        .pattern(Some(USERNAME_PATTERN)),
    )
}

/// update-user's `displayUsername`.
pub fn nullable_display_username_schema() -> Object {
    nullable(
        string(&format!(
            "At most {MAX_DISPLAY_USERNAME_CHARS} characters, no control characters (else `INVALID_DISPLAY_USERNAME`); `null` clears it."
        ))
        .max_length(Some(MAX_DISPLAY_USERNAME_CHARS))
        .pattern(Some(NO_CONTROL_PATTERN)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_plugin_rules() {
        assert_eq!(username_problem("al"), Some(UsernameProblem::TooShort));
        assert_eq!(
            username_problem(&"a".repeat(31)),
            Some(UsernameProblem::TooLong)
        );
        assert_eq!(username_problem("al-99"), Some(UsernameProblem::Invalid));
        assert_eq!(username_problem("Al_99.x"), None);
    }

    #[test]
    fn password_length_counts_unicode_scalar_values() {
        assert_eq!(password_length("password"), 8);
        assert_eq!(password_length("😀😀😀😀"), 4);
        assert_eq!(password_length("é"), 1);
        assert_eq!(password_length("e\u{301}"), 2);
    }

    #[test]
    fn the_email_pattern_follows_zod() {
        for good in [
            "a@example.com",
            "a.b+c@sub.example.co",
            "o'brien@example.ie",
            "_@a-b.io",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@example",
            ".a@example.com",
            "a..b@example.com",
            "a.@example.com",
            "a@-example.com",
            "a@example.c",
            "a b@example.com",
            "a@example..com",
            "ä@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn the_documented_pattern_agrees_with_the_checked_one() {
        // The document's pattern has look-aheads the regex crate lacks: check the part it can
        // compile against the same cases.
        let without_lookaheads = EMAIL_PATTERN.replace(r"(?!\.)(?!.*\.\.)", "");
        let documented = regex::Regex::new(&without_lookaheads).unwrap();
        for candidate in [
            "a@example.com",
            "o'brien@example.ie",
            "a@example",
            "a b@x.io",
        ] {
            assert_eq!(
                documented.is_match(candidate),
                is_email(candidate),
                "{candidate}"
            );
        }
    }
}
