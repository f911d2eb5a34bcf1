//! Wire shapes: camelCase JSON with millisecond `Z` dates, and the request bodies the validators
//! in `extract` produce. Field docs become the OpenAPI descriptions.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::db::models::{AccountRow, SessionRow, UserRow};
use crate::rules;

/// `2026-11-22T20:03:28.257Z`: exactly three fractional digits, which the Better Auth client
/// revives into `Date`s.
pub fn format_date(date: &DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|date| date.with_timezone(&Utc))
}

fn serialize_date<S: Serializer>(date: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_date(date))
}

fn deserialize_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    let raw = String::deserialize(deserializer)?;
    parse_date(&raw).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 date"))
}

fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}

/// A user as every endpoint shows it; never a password or a hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id":"2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY","name":"Al","email":"al@example.com","emailVerified":false,"image":null,"createdAt":"2026-11-22T20:03:28.257Z","updatedAt":"2026-11-22T20:03:28.257Z","username":"al_99","displayUsername":"Al_99"}))]
pub struct User {
    pub id: String,
    /// May be empty.
    pub name: String,
    /// Trimmed and lower-cased.
    pub email: String,
    pub email_verified: bool,
    pub image: Option<String>,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Lower-cased; `null` for a user without one.
    pub username: Option<String>,
    /// The username as typed; `null` when `username` is.
    pub display_username: Option<String>,
    /// With `GATEHOUSE_ADMIN=on` only (Better Auth's admin plugin): `user` or `admin`; several
    /// comma-joined (`user,admin`). Absent, like the other admin fields, when admin is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// With `GATEHOUSE_ADMIN=on` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// With `GATEHOUSE_ADMIN=on` only: why the user is banned; `null` when not banned.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = Option<String>)]
    pub ban_reason: Option<Option<String>>,
    /// With `GATEHOUSE_ADMIN=on` only: when the ban ends; `null` for a ban for ever, or when not
    /// banned.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ban_expires: Option<Option<String>>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value: `#[serde(default)]`
/// gives the first, this the other two.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

impl User {
    /// A stored user as every answer shows it: with the admin fields when `admin`
    /// (`GATEHOUSE_ADMIN=on`), else without.
    pub fn of(row: UserRow, admin: bool) -> Self {
        let (role, banned, ban_reason, ban_expires) = if admin {
            (
                Some(row.role),
                Some(row.banned),
                Some(row.ban_reason),
                Some(row.ban_expires.map(|at| format_date(&utc(at)))),
            )
        } else {
            (None, None, None, None)
        };
        Self {
            role,
            banned,
            ban_reason,
            ban_expires,
            id: row.id,
            name: row.name,
            email: row.email,
            email_verified: row.email_verified,
            image: row.image,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            username: row.username,
            display_username: row.display_username,
        }
    }
}

/// A session as get-session shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Database strategy: the row id; jwt strategy: the `sid` claim.
    pub id: String,
    /// get-session: the token this request presented (equal to the sign-in `token`; a JWT in the
    /// jwt strategy). list-sessions: the session's `id`, a handle for revoke-session that is no
    /// credential.
    pub token: String,
    pub user_id: String,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
    /// Client address at sign-in; empty when unknown.
    pub ip_address: String,
    /// `User-Agent` at sign-in; empty when missing.
    pub user_agent: String,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// With `GATEHOUSE_ADMIN=on` only: the admin's user id when an admin started this session as
    /// its user, else `null`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = Option<String>)]
    pub impersonated_by: Option<Option<String>>,
}

impl Session {
    /// A stored session shown with the token that was presented for it; with `impersonatedBy`
    /// when `admin` (`GATEHOUSE_ADMIN=on`).
    pub fn from_row(row: SessionRow, token: String, admin: bool) -> Self {
        Self {
            id: row.id,
            token,
            user_id: row.user_id,
            expires_at: utc(row.expires_at),
            ip_address: row.ip_address,
            user_agent: row.user_agent,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            impersonated_by: admin.then_some(row.impersonated_by),
        }
    }
}

/// A password; its `Debug` prints nothing.
#[derive(Clone, Deserialize, ToSchema)]
#[schema(value_type = String)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

// The field rules and their schemas come from `rules`, which the validators check too.
/// Sign-up body. Unknown fields are ignored; `null` for an optional field is a type error.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"name":"Al","email":"al@example.com","password":"correct-horse-battery","username":"al_99"}))]
pub struct SignUpBody {
    #[schema(schema_with = rules::name_schema)]
    pub name: String,
    #[schema(schema_with = rules::email_schema)]
    pub email: String,
    #[schema(schema_with = rules::new_password_schema)]
    pub password: Password,
    #[schema(schema_with = rules::image_schema)]
    pub image: Option<String>,
    #[schema(schema_with = rules::username_schema)]
    pub username: Option<String>,
    #[schema(schema_with = rules::display_username_schema)]
    pub display_username: Option<String>,
    /// `false`: a one-day session whose cookie dies with the browser. Default `true`.
    #[schema(nullable = false)]
    pub remember_me: Option<bool>,
    /// A relative path or a URL on a trusted origin; checked, otherwise unused on sign-up.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

/// Sign-in body for `/sign-in`: `username` without `email` takes the username path.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"email":"al@example.com","password":"correct-horse-battery"}))]
pub struct SignInBody {
    #[schema(schema_with = rules::sign_in_email_schema)]
    pub email: Option<String>,
    #[schema(schema_with = rules::username_schema)]
    pub username: Option<String>,
    #[schema(schema_with = rules::password_schema)]
    pub password: Password,
    #[schema(nullable = false)]
    pub remember_me: Option<bool>,
    /// Answered as `{redirect: true, url}` with a `Location` header, still status 200.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

/// Sign-in body for `/sign-in/email`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"email":"al@example.com","password":"correct-horse-battery"}))]
pub struct SignInEmailBody {
    #[schema(schema_with = rules::sign_in_email_schema)]
    pub email: String,
    #[schema(schema_with = rules::password_schema)]
    pub password: Password,
    #[schema(nullable = false)]
    pub remember_me: Option<bool>,
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

/// Sign-in body for `/sign-in/username`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"username":"al_99","password":"correct-horse-battery"}))]
pub struct SignInUsernameBody {
    #[schema(schema_with = rules::username_schema)]
    pub username: String,
    #[schema(schema_with = rules::password_schema)]
    pub password: Password,
    #[schema(nullable = false)]
    pub remember_me: Option<bool>,
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignUpResponse {
    /// The session token; also in the cookie and (signed) in `set-auth-token`. `null` while
    /// `GATEHOUSE_REQUIRE_EMAIL_VERIFICATION` is on: sign-up then starts no session.
    pub token: Option<String>,
    pub user: User,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignInResponse {
    /// `true` when a `callbackURL` was given; the client then navigates to `url`.
    pub redirect: bool,
    pub token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<String>,
    pub user: User,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    pub session: Session,
    pub user: User,
}

/// The user as Auth.js shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthJsUser {
    pub name: String,
    pub email: String,
    pub image: Option<String>,
}

/// Auth.js-shaped session, for apps migrating from it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthJsSession {
    pub user: AuthJsUser,
    /// The session's `expiresAt`.
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub expires: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuccessResponse {
    pub success: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OkResponse {
    pub ok: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusResponse {
    /// Always `ok`.
    pub status: String,
    /// `/readyz` in the database strategy with the session cache on: `on`, or `bypassed` while
    /// this instance cannot hear other instances' invalidations (it reads every session from the
    /// database then).
    #[serde(rename = "sessionCache", skip_serializing_if = "Option::is_none")]
    pub session_cache: Option<String>,
}

/// `{"status":true}`: the answer of the revoke endpoints.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusTrueResponse {
    pub status: bool,
}

/// The body of revoke-session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevokeSessionBody {
    /// The session to end: a list item's `token` (its id), or a token of the session in any form
    /// a bearer header takes (raw, signed, or a JWT).
    pub token: String,
}

/// What update-user was asked to change, type-checked: `None` for a field not sent, `Some(None)`
/// for `null`.
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub image: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub display_username: Option<Option<String>>,
}

impl ProfileUpdate {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.image.is_none()
            && self.username.is_none()
            && self.display_username.is_none()
    }
}

/// The body of change-password.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordBody {
    /// The new password: 8 to 128 characters, at most 72 UTF-8 bytes.
    #[schema(schema_with = rules::new_password_schema)]
    pub new_password: Password,
    /// The password now; at most 128 characters.
    #[schema(schema_with = rules::password_schema)]
    pub current_password: Password,
    /// `true` ends every session of the user and starts a new one for this device, returned as
    /// `token` with its cookie.
    #[schema(nullable = false)]
    pub revoke_other_sessions: Option<bool>,
}

/// The answer of change-password.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangePasswordResponse {
    /// The new session's token with `revokeOtherSessions: true`, else `null`.
    pub token: Option<String>,
    /// The user as read before the change.
    pub user: User,
}

/// The body of verify-password.
#[derive(Deserialize, ToSchema)]
pub struct VerifyPasswordBody {
    #[schema(schema_with = rules::password_schema)]
    pub password: Password,
}

/// The body of update-user: the fields to change, each optional; other keys are ignored, and a
/// truthy `email` is refused (`EMAIL_CAN_NOT_BE_UPDATED`).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserBody {
    #[schema(schema_with = rules::name_schema)]
    pub name: Option<String>,
    /// `null` clears it.
    #[schema(schema_with = rules::nullable_image_schema)]
    pub image: Option<String>,
    /// `null` clears it (and keeps `displayUsername`).
    #[schema(schema_with = rules::nullable_username_schema)]
    pub username: Option<String>,
    /// `null` clears it.
    #[schema(schema_with = rules::nullable_display_username_schema)]
    pub display_username: Option<String>,
}

/// The body of delete-user; `{}` deletes the user of a fresh session.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteUserBody {
    /// The user's password: deletes whatever the session's age.
    #[schema(schema_with = rules::password_schema)]
    pub password: Option<Password>,
    /// The token of a mailed deletion link (`GATEHOUSE_DELETE_USER=confirm`): deletes at once.
    #[schema(nullable = false)]
    pub token: Option<String>,
    /// Where the mailed deletion link leads once it deleted (`confirm` mode); `/` when absent.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

/// The answer of delete-user.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeleteUserResponse {
    pub success: bool,
    /// `User deleted`, or in `confirm` mode `Verification email sent`.
    pub message: String,
}

/// The body of is-username-available.
#[derive(Deserialize, ToSchema)]
pub struct UsernameBody {
    #[schema(schema_with = rules::username_schema)]
    pub username: String,
}

/// The answer of is-username-available.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UsernameAvailableResponse {
    pub available: bool,
}

/// The body of request-password-reset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordResetBody {
    /// Trimmed and lower-cased; known or not, the answer is the same.
    #[schema(schema_with = rules::email_schema)]
    pub email: String,
    /// Where the mailed link leads, with `?token=` added: a relative path or a URL on a trusted
    /// origin. Without it the link opens the built-in reset page.
    #[schema(nullable = false)]
    pub redirect_to: Option<String>,
}

/// The answer of request-password-reset, the same for every address.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestPasswordResetResponse {
    pub status: bool,
    /// `If this email exists in our system, check your email for the reset link`.
    pub message: String,
}

/// The body of reset-password.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordBody {
    /// The new password: 8 to 128 characters, at most 72 UTF-8 bytes.
    #[schema(schema_with = rules::new_password_schema)]
    pub new_password: Password,
    /// The mailed token; else the query's `?token=`.
    #[schema(nullable = false)]
    pub token: Option<String>,
}

/// The body of send-verification-email.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendVerificationEmailBody {
    /// Trimmed and lower-cased; without a session, only an unverified user with this address is
    /// mailed, and the answer is the same either way.
    #[schema(schema_with = rules::email_schema)]
    pub email: String,
    /// Where the link leads once the address is verified; `/` when absent.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
}

/// The answer of verify-email without `callbackURL`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VerifyEmailResponse {
    pub status: bool,
    /// `null`, as Better Auth answers a plain verification.
    pub user: Option<User>,
}

/// The body of sign-in/magic-link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MagicLinkBody {
    /// Trimmed and lower-cased; the answer is the same whoever it belongs to.
    #[schema(schema_with = rules::email_schema)]
    pub email: String,
    /// The name of a user the link creates (with `GATEHOUSE_MAGIC_LINK_SIGN_UP`).
    #[schema(schema_with = rules::name_schema)]
    pub name: Option<String>,
    /// Where the link leads once signed in; `/` when absent.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
    /// Where it leads a user it just created; `callbackURL` when absent.
    #[serde(rename = "newUserCallbackURL")]
    #[schema(nullable = false)]
    pub new_user_callback_url: Option<String>,
    /// Where it leads when it fails, with `?error=`; `callbackURL` when absent.
    #[serde(rename = "errorCallbackURL")]
    #[schema(nullable = false)]
    pub error_callback_url: Option<String>,
    /// Accepted and ignored, as Better Auth does without a handler for it.
    #[schema(value_type = Option<Object>, nullable = false)]
    pub metadata: Option<serde_json::Value>,
}

/// The answer of magic-link/verify without `callbackURL`: the new session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MagicLinkSessionResponse {
    pub token: String,
    pub user: User,
    pub session: Session,
}

/// The body of change-email.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEmailBody {
    /// Trimmed and lower-cased; it becomes the address only once a link mailed to it is opened.
    #[schema(schema_with = rules::email_schema)]
    pub new_email: String,
    /// Where the mailed links lead; `/` when absent.
    #[serde(rename = "callbackURL")]
    #[schema(nullable = false)]
    pub callback_url: Option<String>,
    /// The password, for a session older than `GATEHOUSE_FRESH_AGE` (gatehouse's addition).
    #[schema(schema_with = rules::password_schema)]
    pub current_password: Option<Password>,
}

/// The body of sign-in/social.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SocialSignInBody {
    #[schema(schema_with = rules::provider_schema)]
    pub provider: String,
    /// Where the callback leads once signed in; gatehouse's origin when absent.
    #[serde(rename = "callbackURL")]
    #[schema(schema_with = rules::callback_url_schema)]
    pub callback_url: Option<String>,
    /// Where it leads a user it just created; `callbackURL` when absent.
    #[serde(rename = "newUserCallbackURL")]
    #[schema(schema_with = rules::callback_url_schema)]
    pub new_user_callback_url: Option<String>,
    /// Where it leads when the sign-in fails, with `?error=`; `/api/auth/error` when absent.
    #[serde(rename = "errorCallbackURL")]
    #[schema(schema_with = rules::callback_url_schema)]
    pub error_callback_url: Option<String>,
    /// `true`: answer the URL without a `Location` header.
    #[schema(nullable = false)]
    pub disable_redirect: Option<bool>,
    #[schema(schema_with = rules::scopes_schema)]
    pub scopes: Option<Vec<String>>,
    /// Passed to the provider as `login_hint`.
    #[schema(nullable = false, max_length = 254, pattern = "^[^\\u0000]*$")]
    pub login_hint: Option<String>,
    /// ID-token sign-in for native apps: the answer is then a session, not a URL.
    #[schema(nullable = false)]
    pub id_token: Option<IdTokenBody>,
    /// Accepted and ignored (every sign-in may create a user).
    #[schema(nullable = false)]
    pub request_sign_up: Option<bool>,
}

/// An ID token a native app got from the provider itself (Google Sign-In on Android or iOS, say).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdTokenBody {
    #[schema(schema_with = rules::id_token_schema)]
    pub token: String,
    #[schema(schema_with = rules::nonce_schema)]
    pub nonce: Option<String>,
    #[schema(schema_with = rules::provider_token_schema)]
    pub access_token: Option<String>,
    #[schema(schema_with = rules::provider_token_schema)]
    pub refresh_token: Option<String>,
    /// Accepted and ignored (the token's own `exp` counts).
    #[schema(nullable = false)]
    pub expires_at: Option<f64>,
}

/// The body of link-social: sign-in/social's, without `newUserCallbackURL`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkSocialBody {
    #[schema(schema_with = rules::provider_schema)]
    pub provider: String,
    /// Where the callback leads once linked; gatehouse's origin when absent.
    #[serde(rename = "callbackURL")]
    #[schema(schema_with = rules::callback_url_schema)]
    pub callback_url: Option<String>,
    /// Where it leads when the link fails, with `?error=`; `/api/auth/error` when absent.
    #[serde(rename = "errorCallbackURL")]
    #[schema(schema_with = rules::callback_url_schema)]
    pub error_callback_url: Option<String>,
    /// `true`: answer the URL without a `Location` header.
    #[schema(nullable = false)]
    pub disable_redirect: Option<bool>,
    #[schema(schema_with = rules::scopes_schema)]
    pub scopes: Option<Vec<String>>,
    /// Passed to the provider as `login_hint`.
    #[schema(nullable = false, max_length = 254, pattern = "^[^\\u0000]*$")]
    pub login_hint: Option<String>,
    /// Link with an ID token the app already holds: answered at once.
    #[schema(nullable = false)]
    pub id_token: Option<IdTokenBody>,
    /// Accepted and ignored.
    #[schema(nullable = false)]
    pub request_sign_up: Option<bool>,
}

/// sign-in/social's answer with `idToken`: the session, as sign-in/email answers it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SocialSessionResponse {
    /// Always `false`.
    pub redirect: bool,
    pub token: String,
    pub user: User,
}

/// sign-in/social's answer: a URL to go to, or (with `idToken`) a session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SocialSignInAnswer {
    Redirect(SocialSignInResponse),
    Session(Box<SocialSessionResponse>),
}

/// link-social's answer: the provider's URL; or, with `idToken`, `{url: "", status: true,
/// redirect: false}` once linked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkSocialResponse {
    /// The provider's authorization URL; empty with `idToken`.
    pub url: String,
    /// `false` with `disableRedirect` or `idToken`.
    pub redirect: bool,
    /// `true` with `idToken`: linked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub status: Option<bool>,
}

/// sign-in/social's answer: where to send the browser.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SocialSignInResponse {
    /// The provider's authorization URL.
    pub url: String,
    /// `false` with `disableRedirect`.
    pub redirect: bool,
}

/// One of the user's accounts, as list-accounts shows it: never a token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// The account's id (what unlink-account takes).
    pub id: String,
    /// `credential` for the password, else the provider's id.
    pub provider_id: String,
    /// The user's id at the provider (`sub`); the user's own id for `credential`.
    pub account_id: String,
    pub user_id: String,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(
        serialize_with = "serialize_date",
        deserialize_with = "deserialize_date"
    )]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// What the provider granted; empty for `credential`.
    pub scopes: Vec<String>,
}

impl From<AccountRow> for AccountInfo {
    fn from(row: AccountRow) -> Self {
        Self {
            id: row.id,
            provider_id: row.provider_id,
            account_id: row.account_id,
            user_id: row.user_id,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            scopes: row
                .scope
                .unwrap_or_default()
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The body of unlink-account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnlinkAccountBody {
    /// An `id` from list-accounts.
    pub account_id: String,
}

/// A user to create.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// `None`: no password credential (the user signs in by magic link or a provider, or is
    /// given a password later).
    pub password: Option<String>,
    /// Roles as given ([`join_roles`]); empty is `user`.
    pub roles: Vec<String>,
    pub email_verified: bool,
    pub username: Option<String>,
    pub image: Option<String>,
}
