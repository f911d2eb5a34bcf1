//! Request bodies: size (413), content type (415) and syntax (400 `BAD_REQUEST`) first, then the
//! field checks that produce Better Auth's `[body.<field>] <reason>` messages (400
//! `VALIDATION_ERROR`), listing every issue in schema order.

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt as _;
use serde_json::{Map, Value};

use crate::db::models::UserChanges;
use crate::dto::{
    ChangeEmailBody, ChangePasswordBody, DeleteUserBody, IdTokenBody, MagicLinkBody, Password,
    ProfileUpdate, RequestPasswordResetBody, ResetPasswordBody, SendVerificationEmailBody,
    SignInBody, SignUpBody, SocialSignInBody,
};
use crate::error::ApiError;
use crate::rules::{
    MAX_CALLBACK_URL_CHARS, MAX_EMAIL_CHARS, MAX_EXTRA_SCOPES, MAX_ID_TOKEN_CHARS, MAX_IMAGE_CHARS,
    MAX_NAME_CHARS, MAX_NONCE_CHARS, MAX_PROVIDER_CHARS, MAX_PROVIDER_TOKEN_CHARS, is_email,
    is_scope_token,
};

/// Bodies over this are refused.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Which content types an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    Json,
    JsonOrForm,
    /// HTML forms only (the built-in reset page).
    Form,
}

impl Accepts {
    fn allowed(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::JsonOrForm => "application/json, application/x-www-form-urlencoded",
            Self::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// Reads and parses the body. `None` means no body: an empty one, whatever its `Content-Type`.
/// A body that has not arrived within `deadline` is 408, so a client trickling bytes cannot
/// hold a connection open indefinitely.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    accepts: Accepts,
    deadline: std::time::Duration,
) -> Result<Option<Value>, ApiError> {
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let body = tokio::time::timeout(deadline, read_bytes(payload))
        .await
        .map_err(|_| ApiError::RequestTimeout)??;
    // An empty body is no body whatever its content type, as in Better Auth: a plain HTML form
    // that signs out posts an empty `application/x-www-form-urlencoded` body.
    if body.is_empty() {
        return Ok(None);
    }

    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = content_type.as_deref().map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let is_form = match essence.as_deref() {
        Some("application/json") if accepts != Accepts::Form => false,
        Some("application/x-www-form-urlencoded") if accepts != Accepts::Json => true,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                content_type: content_type.unwrap_or_default(),
                allowed: accepts.allowed(),
            });
        }
    };
    if is_form {
        parse_form(&body).map(Some)
    } else {
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|_| ApiError::MalformedBody)
    }
}

async fn read_bytes(mut payload: web::Payload) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::MalformedBody)?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The query of a mailed link that carries its token in `?token=`: verify-email,
/// magic-link/verify and delete-user/callback. The URLs are as sent, an empty one counting as
/// absent; the caller checks them.
#[derive(Debug, Default)]
pub struct TokenLink {
    pub token: String,
    pub callback_url: Option<String>,
    pub new_user_callback_url: Option<String>,
    pub error_callback_url: Option<String>,
}

/// Reads a [`TokenLink`] from a query string; no `token` is Better Auth's validation error.
pub fn token_link(query: &str) -> Result<TokenLink, ApiError> {
    #[derive(serde::Deserialize)]
    struct Raw {
        token: Option<String>,
        #[serde(rename = "callbackURL")]
        callback_url: Option<String>,
        #[serde(rename = "newUserCallbackURL")]
        new_user_callback_url: Option<String>,
        #[serde(rename = "errorCallbackURL")]
        error_callback_url: Option<String>,
    }
    let raw = web::Query::<Raw>::from_query(query)
        .map_err(|_| ApiError::Validation("[query] Invalid query".to_owned()))?
        .into_inner();
    let Some(token) = raw.token else {
        return Err(ApiError::Validation(
            "[query.token] Invalid input: expected string, received undefined".to_owned(),
        ));
    };
    let present = |url: Option<String>| url.filter(|u| !u.is_empty());
    Ok(TokenLink {
        token,
        callback_url: present(raw.callback_url),
        new_user_callback_url: present(raw.new_user_callback_url),
        error_callback_url: present(raw.error_callback_url),
    })
}

/// Form fields are strings and pass the same validation as JSON; the last of repeated keys wins,
/// as `Object.fromEntries(new URLSearchParams(..))` does.
fn parse_form(body: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::MalformedBody)?;
    let mut fields = Map::new();
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        fields.insert(form_decode(name)?, Value::String(form_decode(value)?));
    }
    Ok(Value::Object(fields))
}

fn form_decode(raw: &str) -> Result<String, ApiError> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| ApiError::MalformedBody)
}

/// JSON type names as zod reports them.
fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// Collects issues field by field, in the order the schema declares them.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    issues: Vec<String>,
    /// Where the object sits, for the issues: `body`, or `body.idToken` for a nested one.
    at: &'static str,
}

impl<'a> Fields<'a> {
    /// The body as an object, or the single issue that it is not one.
    fn of(body: Option<&'a Value>) -> Result<Self, ApiError> {
        match body {
            Some(Value::Object(object)) => Ok(Self {
                object,
                issues: Vec::new(),
                at: "body",
            }),
            other => Err(ApiError::Validation(format!(
                "[body] Invalid input: expected object, received {}",
                type_name(other)
            ))),
        }
    }

    fn type_issue(&mut self, name: &str, expected: &str) {
        let received = type_name(self.object.get(name));
        self.issues.push(format!(
            "[{}.{name}] Invalid input: expected {expected}, received {received}",
            self.at
        ));
    }

    fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.object.get(name) {
            Some(Value::String(value)) => Some(value.clone()),
            None if !required => None,
            _ => {
                self.type_issue(name, "string");
                None
            }
        }
    }

    /// A string that is stored and carried in JWTs: bounded, so tokens and cookies stay small,
    /// and free of NUL, which PostgreSQL cannot store.
    fn bounded_string(&mut self, name: &str, required: bool, max_chars: usize) -> Option<String> {
        let value = self.string(name, required)?;
        if value.contains('\0') {
            self.issues.push(format!(
                "[{}.{name}] Invalid input: must not contain NUL characters",
                self.at
            ));
            return None;
        }
        if value.chars().count() > max_chars {
            self.issues.push(format!(
                "[{}.{name}] Too big: expected string to have <={max_chars} characters",
                self.at
            ));
            return None;
        }
        Some(value)
    }

    /// A string, `null` (`Some(None)`), or absent (`None`); bounded like [`Fields::bounded_string`].
    fn nullable_string(&mut self, name: &str, max_chars: usize) -> Option<Option<String>> {
        match self.object.get(name) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => self.bounded_string(name, true, max_chars).map(Some),
        }
    }

    /// A number (JSON), or absent.
    fn number(&mut self, name: &str) -> Option<f64> {
        match self.object.get(name) {
            Some(Value::Number(value)) => value.as_f64(),
            None => None,
            Some(_) => {
                self.type_issue(name, "number");
                None
            }
        }
    }

    /// Roles: a string, or an array of strings.
    fn roles(&mut self, name: &str, required: bool) -> Option<Vec<String>> {
        match self.object.get(name) {
            None if !required => None,
            value => {
                let roles = value.and_then(roles_of);
                if roles.is_none() {
                    self.type_issue(name, "string | array");
                }
                roles
            }
        }
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.object.get(name) {
            Some(Value::Bool(value)) => Some(*value),
            None => None,
            Some(_) => {
                self.type_issue(name, "boolean");
                None
            }
        }
    }

    /// A string that must look like an email, checked for length first; returns it trimmed and
    /// lower-cased.
    fn email(&mut self, name: &str) -> Option<String> {
        let raw = self.string(name, true)?;
        let trimmed = raw.trim();
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            self.issues.push(format!(
                "[{}.{name}] Too big: expected string to have <={MAX_EMAIL_CHARS} characters",
                self.at
            ));
            None
        } else if is_email(trimmed) {
            Some(trimmed.to_lowercase())
        } else {
            self.issues
                .push(format!("[{}.{name}] Invalid email address", self.at));
            None
        }
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.issues.join("; ")))
        }
    }
}

/// Roles given as a string or an array of strings; `None` for any other value.
fn roles_of(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(role) => Some(vec![role.clone()]),
        Value::Array(roles) => roles
            .iter()
            .map(|role| role.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The sign-up body, type-checked in Better Auth's schema order (name, email, password, image,
/// callbackURL, rememberMe, then the username plugin's username and displayUsername).
pub fn sign_up_body(body: Option<&Value>) -> Result<SignUpBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let name = fields.bounded_string("name", true, MAX_NAME_CHARS);
    let email = fields.email("email");
    let password = fields.string("password", true);
    let image = fields.bounded_string("image", false, MAX_IMAGE_CHARS);
    let callback_url = fields.string("callbackURL", false);
    let remember_me = fields.boolean("rememberMe");
    let username = fields.string("username", false);
    let display_username = fields.bounded_string("displayUsername", false, MAX_NAME_CHARS);
    fields.finish()?;
    match (name, email, password) {
        (Some(name), Some(email), Some(password)) => Ok(SignUpBody {
            name,
            email,
            password: Password(password),
            image,
            username,
            display_username,
            remember_me,
            callback_url,
        }),
        _ => Err(ApiError::Internal(
            "validation passed without required fields".to_owned(),
        )),
    }
}

/// A body an endpoint ignores must still be an object when present, as Better Auth checks it.
pub fn optional_object(body: Option<&Value>) -> Result<(), ApiError> {
    match body {
        None => Ok(()),
        Some(_) => Fields::of(body).map(drop),
    }
}

/// change-password's body, in Better Auth's schema order: `newPassword`, `currentPassword`,
/// `revokeOtherSessions`.
pub fn change_password_body(body: Option<&Value>) -> Result<ChangePasswordBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let new_password = fields.string("newPassword", true);
    let current_password = fields.string("currentPassword", true);
    let revoke_other_sessions = fields.boolean("revokeOtherSessions");
    fields.finish()?;
    match (new_password, current_password) {
        (Some(new_password), Some(current_password)) => Ok(ChangePasswordBody {
            new_password: Password(new_password),
            current_password: Password(current_password),
            revoke_other_sessions,
        }),
        _ => Err(ApiError::Internal(
            "validation passed without required fields".to_owned(),
        )),
    }
}

/// A body with one required string field (verify-password's `password`, is-username-available's
/// `username`).
pub fn required_string(body: Option<&Value>, name: &str) -> Result<String, ApiError> {
    let mut fields = Fields::of(body)?;
    let value = fields.string(name, true);
    fields.finish()?;
    value.ok_or_else(|| ApiError::Internal(format!("validation passed without {name}")))
}

/// request-password-reset's body: `email`, then `redirectTo` (an empty one is none).
pub fn request_password_reset_body(
    body: Option<&Value>,
) -> Result<RequestPasswordResetBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let email = fields.email("email");
    let redirect_to = fields.string("redirectTo", false);
    fields.finish()?;
    let email =
        email.ok_or_else(|| ApiError::Internal("validation passed without email".into()))?;
    Ok(RequestPasswordResetBody {
        email,
        redirect_to: redirect_to.filter(|r| !r.is_empty()),
    })
}

/// send-verification-email's body: `email`, then `callbackURL` (an empty one is none).
pub fn send_verification_email_body(
    body: Option<&Value>,
) -> Result<SendVerificationEmailBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let email = fields.email("email");
    let callback_url = fields.string("callbackURL", false);
    fields.finish()?;
    let email =
        email.ok_or_else(|| ApiError::Internal("validation passed without email".into()))?;
    Ok(SendVerificationEmailBody {
        email,
        callback_url: callback_url.filter(|c| !c.is_empty()),
    })
}

/// sign-in/magic-link's body, in Better Auth's schema order; empty URLs count as absent.
pub fn magic_link_body(body: Option<&Value>) -> Result<MagicLinkBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let email = fields.email("email");
    let name = fields.bounded_string("name", false, MAX_NAME_CHARS);
    let callback_url = fields.string("callbackURL", false);
    let new_user_callback_url = fields.string("newUserCallbackURL", false);
    let error_callback_url = fields.string("errorCallbackURL", false);
    let metadata = match fields.object.get("metadata") {
        None | Some(Value::Object(_)) => None,
        Some(_) => {
            fields.type_issue("metadata", "record");
            None
        }
    };
    fields.finish()?;
    let email =
        email.ok_or_else(|| ApiError::Internal("validation passed without email".into()))?;
    let present = |url: Option<String>| url.filter(|u| !u.is_empty());
    Ok(MagicLinkBody {
        email,
        name,
        callback_url: present(callback_url),
        new_user_callback_url: present(new_user_callback_url),
        error_callback_url: present(error_callback_url),
        metadata,
    })
}

/// sign-in/social's body: `provider` and the optional rest; URLs and scopes bounded, scopes
/// RFC 6749 scope tokens (printable ASCII without space, `"` or `\\`).
pub fn social_sign_in_body(body: Option<&Value>) -> Result<SocialSignInBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let provider = fields.bounded_string("provider", true, MAX_PROVIDER_CHARS);
    let callback_url = fields.bounded_string("callbackURL", false, MAX_CALLBACK_URL_CHARS);
    let new_user_callback_url =
        fields.bounded_string("newUserCallbackURL", false, MAX_CALLBACK_URL_CHARS);
    let error_callback_url =
        fields.bounded_string("errorCallbackURL", false, MAX_CALLBACK_URL_CHARS);
    let disable_redirect = fields.boolean("disableRedirect");
    let request_sign_up = fields.boolean("requestSignUp");
    let login_hint = fields.bounded_string("loginHint", false, MAX_EMAIL_CHARS);
    let scopes = match fields.object.get("scopes") {
        None => None,
        Some(Value::Array(items)) => {
            let scopes: Vec<String> = items
                .iter()
                .filter_map(|item| item.as_str())
                .filter(|scope| is_scope_token(scope))
                .map(str::to_owned)
                .collect();
            if scopes.len() != items.len() || scopes.len() > MAX_EXTRA_SCOPES {
                fields.issues.push(format!(
                    "[body.scopes] Invalid input: expected at most {MAX_EXTRA_SCOPES} scope tokens"
                ));
                None
            } else {
                Some(scopes)
            }
        }
        Some(_) => {
            fields.type_issue("scopes", "array");
            None
        }
    };
    let id_token = id_token_field(&mut fields);
    fields.finish()?;
    let provider =
        provider.ok_or_else(|| ApiError::Internal("validation passed without provider".into()))?;
    let present = |url: Option<String>| url.filter(|u| !u.is_empty());
    Ok(SocialSignInBody {
        provider,
        callback_url: present(callback_url),
        new_user_callback_url: present(new_user_callback_url),
        error_callback_url: present(error_callback_url),
        disable_redirect,
        scopes,
        login_hint: login_hint.filter(|hint| !hint.is_empty()),
        id_token,
        request_sign_up,
    })
}

/// sign-in/social's and link-social's `idToken`: an object with a bounded `token`, and optional
/// `nonce`, `accessToken`, `refreshToken`, `expiresAt` (a number) and `user` (Apple's, ignored).
fn id_token_field(fields: &mut Fields<'_>) -> Option<IdTokenBody> {
    let object = match fields.object.get("idToken") {
        None => return None,
        Some(Value::Object(object)) => object,
        Some(_) => {
            fields.type_issue("idToken", "object");
            return None;
        }
    };
    let mut inner = Fields {
        object,
        issues: Vec::new(),
        at: "body.idToken",
    };
    let token = inner.bounded_string("token", true, MAX_ID_TOKEN_CHARS);
    let nonce = inner.bounded_string("nonce", false, MAX_NONCE_CHARS);
    let access_token = inner.bounded_string("accessToken", false, MAX_PROVIDER_TOKEN_CHARS);
    let refresh_token = inner.bounded_string("refreshToken", false, MAX_PROVIDER_TOKEN_CHARS);
    let expires_at = match object.get("expiresAt") {
        None => None,
        Some(Value::Number(number)) => number.as_f64(),
        Some(_) => {
            inner.type_issue("expiresAt", "number");
            None
        }
    };
    fields.issues.append(&mut inner.issues);
    Some(IdTokenBody {
        token: token?,
        nonce,
        access_token,
        refresh_token,
        expires_at,
    })
}

/// change-email's body: `newEmail`, `callbackURL` (an empty one is none), `currentPassword`.
pub fn change_email_body(body: Option<&Value>) -> Result<ChangeEmailBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let new_email = fields.email("newEmail");
    let callback_url = fields.string("callbackURL", false);
    let current_password = fields.string("currentPassword", false);
    fields.finish()?;
    let new_email =
        new_email.ok_or_else(|| ApiError::Internal("validation passed without newEmail".into()))?;
    Ok(ChangeEmailBody {
        new_email,
        callback_url: callback_url.filter(|c| !c.is_empty()),
        current_password: current_password.map(Password),
    })
}

/// reset-password's body: `newPassword`, then `token` (optional: the query may carry it).
pub fn reset_password_body(body: Option<&Value>) -> Result<ResetPasswordBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let new_password = fields.string("newPassword", true);
    let token = fields.string("token", false);
    fields.finish()?;
    let new_password = new_password
        .ok_or_else(|| ApiError::Internal("validation passed without newPassword".into()))?;
    Ok(ResetPasswordBody {
        new_password: Password(new_password),
        token,
    })
}

/// delete-user's body: everything optional; `{}` deletes with a fresh session.
pub fn delete_user_body(body: Option<&Value>) -> Result<DeleteUserBody, ApiError> {
    let Some(body) = body else {
        return Ok(DeleteUserBody::default());
    };
    let mut fields = Fields::of(Some(body))?;
    let password = fields.string("password", false).map(Password);
    let token = fields.string("token", false);
    let callback_url = fields.string("callbackURL", false);
    fields.finish()?;
    Ok(DeleteUserBody {
        password,
        token,
        callback_url,
    })
}

/// update-user's body: an object (Better Auth says "record"), each field type-checked and bounded;
/// other keys are ignored. Also says whether a truthy `email` was sent, which is refused.
pub fn update_user_body(body: Option<&Value>) -> Result<(ProfileUpdate, bool), ApiError> {
    let Some(Value::Object(object)) = body else {
        return Err(ApiError::Validation(format!(
            "[body] Invalid input: expected record, received {}",
            type_name(body)
        )));
    };
    let mut fields = Fields {
        object,
        issues: Vec::new(),
        at: "body",
    };
    let name = fields.bounded_string("name", false, MAX_NAME_CHARS);
    let image = fields.nullable_string("image", MAX_IMAGE_CHARS);
    let username = fields.nullable_string("username", MAX_NAME_CHARS);
    let display_username = fields.nullable_string("displayUsername", MAX_NAME_CHARS);
    fields.finish()?;
    let email_sent = object.get("email").is_some_and(is_truthy);
    Ok((
        ProfileUpdate {
            name,
            image,
            username,
            display_username,
        },
        email_sent,
    ))
}

/// JavaScript's truthiness of a JSON value.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// revoke-session's body: `token`, a session's id or one of its tokens.
pub fn revoke_session_body(body: Option<&Value>) -> Result<String, ApiError> {
    let mut fields = Fields::of(body)?;
    let token = fields.string("token", true);
    fields.finish()?;
    token.ok_or_else(|| ApiError::Internal("validation passed without a token".to_owned()))
}

/// An admin body that names a user: `userId` (string, required).
pub fn user_id_body(body: Option<&Value>) -> Result<String, ApiError> {
    let mut fields = Fields::of(body)?;
    let user_id = fields.string("userId", true);
    fields.finish()?;
    user_id.ok_or_else(|| ApiError::Internal("validation passed without a userId".to_owned()))
}

/// admin/set-role: `userId`, and `role` as a string or an array of strings.
pub fn set_role_body(body: Option<&Value>) -> Result<(String, Vec<String>), ApiError> {
    let mut fields = Fields::of(body)?;
    let user_id = fields.string("userId", true);
    let roles = fields.roles("role", true);
    fields.finish()?;
    match (user_id, roles) {
        (Some(user_id), Some(roles)) => Ok((user_id, roles)),
        _ => Err(ApiError::Internal(
            "validation passed without a field".to_owned(),
        )),
    }
}

/// admin/ban-user: `userId`, `banReason` (string, optional), `banExpiresIn` (seconds, optional).
pub fn ban_user_body(
    body: Option<&Value>,
) -> Result<(String, Option<String>, Option<f64>), ApiError> {
    let mut fields = Fields::of(body)?;
    let user_id = fields.string("userId", true);
    let reason = fields.bounded_string("banReason", false, crate::rules::MAX_BAN_REASON_CHARS);
    let expires_in = fields.number("banExpiresIn");
    fields.finish()?;
    let user_id = user_id
        .ok_or_else(|| ApiError::Internal("validation passed without a userId".to_owned()))?;
    Ok((user_id, reason, expires_in))
}

/// admin/set-user-password: `userId`, `newPassword`.
pub fn set_user_password_body(body: Option<&Value>) -> Result<(String, String), ApiError> {
    let mut fields = Fields::of(body)?;
    let user_id = fields.string("userId", true);
    let password = fields.string("newPassword", true);
    fields.finish()?;
    match (user_id, password) {
        (Some(user_id), Some(password)) => Ok((user_id, password)),
        _ => Err(ApiError::Internal(
            "validation passed without a field".to_owned(),
        )),
    }
}

/// admin/revoke-user-session: `sessionToken` (a session's id or one of its tokens).
pub fn revoke_user_session_body(body: Option<&Value>) -> Result<String, ApiError> {
    let mut fields = Fields::of(body)?;
    let token = fields.string("sessionToken", true);
    fields.finish()?;
    token.ok_or_else(|| ApiError::Internal("validation passed without a sessionToken".to_owned()))
}

/// admin/create-user: `email`, `password` (optional), `name`, `role` (optional), `data`
/// (optional: `emailVerified`, `username`, `image`). The address, password and username rules
/// are the operation's, as on sign-up.
pub fn create_user_body(body: Option<&Value>) -> Result<crate::dto::NewUser, ApiError> {
    let mut fields = Fields::of(body)?;
    let email = fields.string("email", true);
    let password = fields.string("password", false);
    let name = fields.bounded_string("name", true, MAX_NAME_CHARS);
    let roles = fields.roles("role", false);
    let (mut email_verified, mut username, mut image) = (None, None, None);
    match fields.object.get("data") {
        None | Some(Value::Null) => {}
        Some(Value::Object(data)) => {
            let mut data = Fields {
                object: data,
                issues: Vec::new(),
                at: "body.data",
            };
            email_verified = data.boolean("emailVerified");
            username = data.string("username", false);
            image = data.bounded_string("image", false, MAX_IMAGE_CHARS);
            fields.issues.append(&mut data.issues);
        }
        Some(_) => fields.type_issue("data", "object"),
    }
    fields.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(ApiError::Internal(
            "validation passed without a field".to_owned(),
        ));
    };
    Ok(crate::dto::NewUser {
        email,
        name,
        password,
        roles: roles.unwrap_or_default(),
        email_verified: email_verified.unwrap_or(false),
        username,
        image,
    })
}

/// admin/update-user: `userId`, and `data`, an object of the user fields to change: `name`,
/// `image`, `username`, `displayUsername` (as update-user checks them), `email`, `emailVerified`,
/// `role` (a string or strings, returned apart for the operation's role check), `banned`,
/// `banReason`, `banExpires` (a date, as text or milliseconds, or `null`). In Better Auth's
/// order: an empty `data`, `password`, `id`, a `role` of another type; then the field checks,
/// where any other key is an issue too (a typo must not pass as done).
pub fn admin_update_body(
    body: Option<&Value>,
) -> Result<(String, UserChanges, Option<Vec<String>>), ApiError> {
    let mut fields = Fields::of(body)?;
    let user_id = fields.string("userId", true);
    let data = match fields.object.get("data") {
        Some(Value::Object(data)) => Some(data),
        _ => {
            fields.type_issue("data", "record");
            None
        }
    };
    fields.finish()?;
    let (Some(user_id), Some(data)) = (user_id, data) else {
        return Err(ApiError::Internal(
            "validation passed without a field".to_owned(),
        ));
    };
    if data.is_empty() {
        return Err(ApiError::NoDataToUpdate);
    }
    if data.contains_key("password") {
        return Err(ApiError::PasswordCannotBeUpdatedViaUpdateUser);
    }
    if data.contains_key("id") {
        return Err(ApiError::UserIdCannotBeUpdated);
    }
    let roles = match data.get("role") {
        None => None,
        Some(value) => Some(roles_of(value).ok_or(ApiError::InvalidRoleType)?),
    };
    let mut data = Fields {
        object: data,
        issues: Vec::new(),
        at: "body.data",
    };
    const KNOWN: [&str; 10] = [
        "name",
        "image",
        "username",
        "displayUsername",
        "email",
        "emailVerified",
        "role",
        "banned",
        "banReason",
        "banExpires",
    ];
    for key in data.object.keys() {
        if !KNOWN.contains(&key.as_str()) {
            let issue = format!("[body.data.{key}] Unrecognized key: not a field an admin sets");
            data.issues.push(issue);
        }
    }
    let mut changes = UserChanges {
        name: data.bounded_string("name", false, MAX_NAME_CHARS),
        image: data.nullable_string("image", MAX_IMAGE_CHARS),
        username: data.nullable_string("username", MAX_NAME_CHARS),
        display_username: data.nullable_string("displayUsername", MAX_NAME_CHARS),
        email_verified: data.boolean("emailVerified"),
        banned: data.boolean("banned"),
        ban_reason: data.nullable_string("banReason", crate::rules::MAX_BAN_REASON_CHARS),
        ..UserChanges::default()
    };
    let email = data.string("email", false);
    changes.ban_expires = match data.object.get("banExpires") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(text)) => match crate::dto::parse_date(text) {
            Some(at) => Some(Some(at.naive_utc())),
            None => {
                data.type_issue("banExpires", "date");
                None
            }
        },
        Some(Value::Number(millis)) => match millis
            .as_i64()
            .and_then(chrono::DateTime::from_timestamp_millis)
        {
            Some(at) => Some(Some(at.naive_utc())),
            None => {
                data.type_issue("banExpires", "date");
                None
            }
        },
        Some(_) => {
            data.type_issue("banExpires", "date");
            None
        }
    };
    data.finish()?;
    if let Some(Some(username)) = &changes.username {
        if let Some(problem) = crate::rules::username_problem(username) {
            return Err(ApiError::Username {
                problem,
                on_sign_in: false,
            });
        }
        // The display form follows a new username unless one is given.
        if changes.display_username.is_none() {
            changes.display_username = Some(Some(username.clone()));
        }
        changes.username = Some(Some(username.to_lowercase()));
    }
    if let Some(Some(display)) = &changes.display_username
        && (display.chars().count() > crate::rules::MAX_DISPLAY_USERNAME_CHARS
            || display.chars().any(char::is_control))
    {
        return Err(ApiError::InvalidDisplayUsername);
    }
    if let Some(email) = email {
        let email = email.trim().to_lowercase();
        if email.chars().count() > MAX_EMAIL_CHARS || !is_email(&email) {
            return Err(ApiError::InvalidEmail);
        }
        changes.email = Some(email);
    }
    if changes.banned == Some(false) {
        // Lifting a ban clears its reason and end unless they are given.
        changes.ban_reason = changes.ban_reason.or(Some(None));
        changes.ban_expires = changes.ban_expires.or(Some(None));
    }
    Ok((user_id, changes, roles))
}

/// admin/has-permission: `permissions`, an object of resource → array of action strings;
/// `permission` (singular, Better Auth's deprecated form) or nothing is `INVALID_PERMISSION_CHECK`.
pub fn has_permission_body(body: Option<&Value>) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    let fields = Fields::of(body)?;
    let Some(asked) = fields.object.get("permissions") else {
        return Err(ApiError::InvalidPermissionCheck);
    };
    let invalid = || {
        ApiError::Validation(
            "[body.permissions] Invalid input: expected an object of arrays of strings".to_owned(),
        )
    };
    let Value::Object(asked) = asked else {
        return Err(invalid());
    };
    asked
        .iter()
        .map(|(resource, actions)| {
            let Value::Array(actions) = actions else {
                return Err(invalid());
            };
            let actions = actions
                .iter()
                .map(|action| action.as_str().map(str::to_owned).ok_or_else(invalid))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((resource.clone(), actions))
        })
        .collect()
}

/// Which identifier a sign-in path takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInPath {
    /// `/sign-in`: username when `username` is present and `email` absent, else email.
    Either,
    Email,
    Username,
}

/// The sign-in body, type-checked in the schema order of the path it takes. The email is only
/// type-checked here: a malformed one is the endpoint's `INVALID_EMAIL`, not a validation error.
pub fn sign_in_body(body: Option<&Value>, path: SignInPath) -> Result<SignInBody, ApiError> {
    let mut fields = Fields::of(body)?;
    let by_username = match path {
        SignInPath::Email => false,
        SignInPath::Username => true,
        SignInPath::Either => {
            fields.object.contains_key("username") && !fields.object.contains_key("email")
        }
    };
    let (email, username, password, callback_url, remember_me) = if by_username {
        let username = fields.string("username", true);
        let password = fields.string("password", true);
        let remember_me = fields.boolean("rememberMe");
        let callback_url = fields.string("callbackURL", false);
        (None, username, password, callback_url, remember_me)
    } else {
        let email = fields.string("email", true);
        let password = fields.string("password", true);
        let callback_url = fields.string("callbackURL", false);
        let remember_me = fields.boolean("rememberMe");
        (email, None, password, callback_url, remember_me)
    };
    fields.finish()?;
    let password = password
        .ok_or_else(|| ApiError::Internal("validation passed without a password".to_owned()))?;
    Ok(SignInBody {
        email,
        username,
        password: Password(password),
        remember_me,
        callback_url,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        match result.unwrap_err() {
            ApiError::Validation(message) => message,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_missing_field_is_listed_in_schema_order() {
        let body = json!({});

        assert_eq!(
            message(sign_up_body(Some(&body))),
            "[body.name] Invalid input: expected string, received undefined; \
             [body.email] Invalid input: expected string, received undefined; \
             [body.password] Invalid input: expected string, received undefined"
        );
    }

    #[test]
    fn wrong_types_and_nulls_name_both_types() {
        let body =
            json!({"email": 5, "password": null, "name": true, "rememberMe": "x", "image": null});

        assert_eq!(
            message(sign_up_body(Some(&body))),
            "[body.name] Invalid input: expected string, received boolean; \
             [body.email] Invalid input: expected string, received number; \
             [body.password] Invalid input: expected string, received null; \
             [body.image] Invalid input: expected string, received null; \
             [body.rememberMe] Invalid input: expected boolean, received string"
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_says_what_it_was() {
        assert_eq!(
            message(sign_up_body(Some(&json!([])))),
            "[body] Invalid input: expected object, received array"
        );
        assert_eq!(
            message(sign_up_body(None)),
            "[body] Invalid input: expected object, received undefined"
        );
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let body = json!({"name": "", "email": "  Al@Example.COM ", "password": "x"});

        assert_eq!(sign_up_body(Some(&body)).unwrap().email, "al@example.com");
    }

    #[test]
    fn sign_in_takes_the_username_path_only_without_an_email() {
        let by_username = sign_in_body(
            Some(&json!({"username": "al", "password": "p"})),
            SignInPath::Either,
        )
        .unwrap();
        let by_email = sign_in_body(
            Some(&json!({"username": "al", "email": "a@b.co", "password": "p"})),
            SignInPath::Either,
        )
        .unwrap();

        assert_eq!(by_username.username.as_deref(), Some("al"));
        assert_eq!(by_email.username, None);
        assert_eq!(by_email.email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn form_fields_are_strings() {
        let form = parse_form(b"email=a%40b.co&password=p+q&rememberMe=false&x").unwrap();

        assert_eq!(
            form,
            json!({"email": "a@b.co", "password": "p q", "rememberMe": "false", "x": ""})
        );
        assert!(parse_form(b"name=%FF").is_err());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>().prop_map(|f| json!(f)),
                "\\PC{0,40}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("name".to_owned()),
                            Just("email".to_owned()),
                            Just("password".to_owned()),
                            Just("username".to_owned()),
                            Just("rememberMe".to_owned()),
                            Just("callbackURL".to_owned()),
                            "[a-z]{1,8}",
                        ],
                        inner,
                        0..8,
                    )
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn arbitrary_bytes_get_a_field_list_or_a_validation_error(raw in proptest::collection::vec(any::<u8>(), 0..512)) {
                let parsed: Option<Value> = serde_json::from_slice(&raw).ok();

                let sign_up = sign_up_body(parsed.as_ref());
                let sign_in = sign_in_body(parsed.as_ref(), SignInPath::Either);
                let form = parse_form(&raw);

                prop_assert!(matches!(sign_up, Ok(_) | Err(ApiError::Validation(_))), "{sign_up:?}");
                prop_assert!(matches!(sign_in, Ok(_) | Err(ApiError::Validation(_))), "{sign_in:?}");
                match form {
                    Ok(Value::Object(fields)) => prop_assert!(fields.values().all(Value::is_string)),
                    Ok(other) => prop_assert!(false, "a form parsed to {other}"),
                    Err(error) => prop_assert!(matches!(error, ApiError::MalformedBody), "{error:?}"),
                }
            }

            #[test]
            fn any_well_formed_form_parses_to_its_string_fields(fields in proptest::collection::btree_map("[a-zA-Z]{1,8}", "\\PC{0,20}", 0..6)) {
                let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&fields)
                    .finish();

                let parsed = parse_form(encoded.as_bytes()).unwrap();

                let expected: Map<String, Value> = fields
                    .into_iter()
                    .map(|(name, value)| (name, Value::String(value)))
                    .collect();
                prop_assert_eq!(parsed, Value::Object(expected));
            }

            #[test]
            fn arbitrary_json_either_validates_or_names_its_issues(body in json_value()) {
                match sign_up_body(Some(&body)) {
                    Ok(valid) => prop_assert!(is_email(&valid.email) && valid.email == valid.email.to_lowercase()),
                    Err(ApiError::Validation(message)) => prop_assert!(message.starts_with("[body")),
                    Err(other) => prop_assert!(false, "unexpected {other:?}"),
                }
                for path in [SignInPath::Either, SignInPath::Email, SignInPath::Username] {
                    match sign_in_body(Some(&body), path) {
                        Ok(_) => {}
                        Err(ApiError::Validation(message)) => prop_assert!(message.starts_with("[body")),
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                }
            }
        }
    }
}
