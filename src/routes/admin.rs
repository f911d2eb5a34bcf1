//! Better Auth's admin plugin wire under `/api/auth/admin` (`GATEHOUSE_ADMIN=on`; off, every
//! route answers 404 `NOT_FOUND`), for `adminClient()`. Each route needs a session (401) whose
//! user's roles include `admin` (else 403 `YOU_ARE_NOT_ALLOWED_TO_<X>`, before any target is
//! looked up), and calls the operations `gatehouse user` calls ([`crate::admin`]), which write the
//! audit log with the admin's id, address and client address.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, post, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::admin::{Actor, Admin, Permission};
use crate::auth::{client_ip, origin};
use crate::db::models::UserRow;
use crate::db::users::{BoolField, Filter, Listing, SortField, TextField, TextOp};
use crate::dto::{Session, StatusTrueResponse, User};
use crate::error::header_value;
use crate::error::{ApiError, ErrorBody, TokenEndpoint};
use crate::extract::{self, Accepts};
use crate::routes::{ErrorCodes, SignedInPostErrors, new_session, set_session_cookies, signed_in};
use crate::session::cookie::Presented;
use crate::session::{ActiveSession, Refresh};
use crate::state::AppState;

const ORIGIN: [&str; 2] = ["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"];
const BOTH_404: &[&str] = &["NOT_FOUND", "USER_NOT_FOUND"];
const OFF_404: &[&str] = &["NOT_FOUND"];
const BODY_400: &[&str] = &["VALIDATION_ERROR", "BAD_REQUEST"];

/// The codes each admin operation answers with where a status carries several.
pub fn error_codes(operation_id: &str) -> ErrorCodes {
    match operation_id {
        "adminListUsers" => &[
            ("400", &["VALIDATION_ERROR"]),
            ("403", &["YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"]),
            ("404", OFF_404),
        ],
        "adminGetUser" => &[
            ("400", &["VALIDATION_ERROR"]),
            ("403", &["YOU_ARE_NOT_ALLOWED_TO_GET_USER"]),
            ("404", BOTH_404),
        ],
        "adminCreateUser" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "INVALID_EMAIL",
                    "PASSWORD_TOO_SHORT",
                    "PASSWORD_TOO_LONG",
                    "USERNAME_TOO_SHORT",
                    "USERNAME_TOO_LONG",
                    "INVALID_USERNAME",
                    "USERNAME_IS_ALREADY_TAKEN",
                    "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                    "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
                ],
            ),
            (
                "403",
                &[ORIGIN[0], ORIGIN[1], "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS"],
            ),
            ("404", OFF_404),
        ],
        "adminSetRole" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
                ],
            ),
            (
                "403",
                &[
                    ORIGIN[0],
                    ORIGIN[1],
                    "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
                ],
            ),
            ("404", BOTH_404),
        ],
        "adminSetUserPassword" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "PASSWORD_TOO_SHORT",
                    "PASSWORD_TOO_LONG",
                ],
            ),
            (
                "403",
                &[
                    ORIGIN[0],
                    ORIGIN[1],
                    "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
                ],
            ),
            ("404", BOTH_404),
        ],
        "adminBanUser" => &[
            (
                "400",
                &["VALIDATION_ERROR", "BAD_REQUEST", "YOU_CANNOT_BAN_YOURSELF"],
            ),
            (
                "403",
                &[ORIGIN[0], ORIGIN[1], "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"],
            ),
            ("404", BOTH_404),
        ],
        "adminUnbanUser" => &[
            ("400", BODY_400),
            (
                "403",
                &[ORIGIN[0], ORIGIN[1], "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"],
            ),
            ("404", BOTH_404),
        ],
        "adminListUserSessions" => &[
            ("400", BODY_400),
            (
                "403",
                &[
                    ORIGIN[0],
                    ORIGIN[1],
                    "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
                ],
            ),
            ("404", OFF_404),
        ],
        "adminRevokeUserSession" | "adminRevokeUserSessions" => &[
            ("400", BODY_400),
            (
                "403",
                &[
                    ORIGIN[0],
                    ORIGIN[1],
                    "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
                ],
            ),
            ("404", OFF_404),
        ],
        "adminRemoveUser" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "YOU_CANNOT_REMOVE_YOURSELF",
                ],
            ),
            (
                "403",
                &[ORIGIN[0], ORIGIN[1], "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS"],
            ),
            ("404", BOTH_404),
        ],
        "adminUpdateUser" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "NO_DATA_TO_UPDATE",
                    "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER",
                    "USER_ID_CANNOT_BE_UPDATED",
                    "INVALID_ROLE_TYPE",
                    "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
                    "YOU_CANNOT_BAN_YOURSELF",
                    "INVALID_EMAIL",
                    "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                    "USERNAME_TOO_SHORT",
                    "USERNAME_TOO_LONG",
                    "INVALID_USERNAME",
                    "USERNAME_IS_ALREADY_TAKEN",
                    "INVALID_DISPLAY_USERNAME",
                ],
            ),
            (
                "403",
                &[ORIGIN[0], ORIGIN[1], "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS"],
            ),
            ("404", BOTH_404),
        ],
        "adminImpersonateUser" => &[
            ("400", BODY_400),
            (
                "403",
                &[
                    ORIGIN[0],
                    ORIGIN[1],
                    "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
                    "YOU_CANNOT_IMPERSONATE_ADMINS",
                    "BANNED_USER",
                ],
            ),
            ("404", BOTH_404),
        ],
        "adminStopImpersonating" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "NOT_IMPERSONATING",
                    "ADMIN_SESSION_NOT_FOUND",
                ],
            ),
            ("403", &ORIGIN),
            ("404", OFF_404),
        ],
        "adminHasPermission" => &[
            (
                "400",
                &[
                    "VALIDATION_ERROR",
                    "BAD_REQUEST",
                    "INVALID_PERMISSION_CHECK",
                ],
            ),
            ("403", &ORIGIN),
            ("404", OFF_404),
        ],
        _ => &[],
    }
}

/// The page size of list-users without `limit`.
const DEFAULT_PAGE: i64 = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub user: User,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListUsersResponse {
    pub users: Vec<User>,
    /// How many users match, over all pages.
    pub total: i64,
    /// As given, when given and not zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// As given, when given and not zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<Session>,
}

/// A session and its user, as impersonate-user and stop-impersonating answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAndUserResponse {
    pub session: Session,
    pub user: User,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessResponse {
    pub success: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HasPermissionResponse {
    /// Always `null`.
    pub error: Option<String>,
    /// Whether the caller holds every permission asked for.
    pub success: bool,
}

/// The caller's session, if the admin API is on (else 404) and the caller holds `permission`
/// (else 403): an admin.
async fn admin_session(
    req: &HttpRequest,
    state: &AppState,
    permission: Option<Permission>,
) -> Result<(HttpResponseBuilder, ActiveSession), ApiError> {
    if !state.config.admin {
        return Err(ApiError::NotFound);
    }
    let (response, active) = signed_in(req, state).await?;
    // A session an admin started as someone else acts with that user's rights, never an admin's.
    if let Some(permission) = permission
        && active.impersonated_by.is_some()
    {
        return Err(ApiError::NotAllowed(permission));
    }
    if let Some(permission) = permission
        && !active
            .user
            .role
            .as_deref()
            .is_some_and(crate::admin::is_admin)
    {
        return Err(ApiError::NotAllowed(permission));
    }
    Ok((response, active))
}

/// An admin POST: 404 when off, then the JSON body, the cookie CSRF rule, the admin's session.
async fn admin_post(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    permission: Permission,
) -> Result<(Option<Value>, HttpResponseBuilder, ActiveSession), ApiError> {
    // The body is read even when the API is off: an unread one closes the connection.
    let body = extract::read_body(req, payload, Accepts::Json, state.request_timeout()).await;
    if !state.config.admin {
        return Err(ApiError::NotFound);
    }
    let body = body?;
    origin::check_cookie_csrf(req, &state.config.trusted_origins)?;
    let (response, active) = admin_session(req, state, Some(permission)).await?;
    Ok((body, response, active))
}

/// The operations, acting as the signed-in admin from the request's client address.
fn operations<'a>(req: &HttpRequest, state: &'a AppState, active: &ActiveSession) -> Admin<'a> {
    Admin {
        db: &state.db,
        sessions: &state.sessions,
        hasher: &state.hasher,
        revoke_on_password_set: state.config.revoke_sessions_on_password_reset,
        actor: Actor {
            id: Some(active.user.id.clone()),
            name: active.user.email.clone(),
            ip_address: client_ip::of_request(req, &state.config.trusted_proxies)
                .map(|ip| ip.to_string())
                .unwrap_or_default(),
        },
    }
}

/// The user `id` names; 404 `USER_NOT_FOUND` for none.
async fn target(admin: &Admin<'_>, id: &str) -> Result<UserRow, ApiError> {
    let id = id.to_owned();
    admin
        .db
        .run(move |conn| crate::db::users::find_by_id(conn, &id))
        .await?
        .ok_or(ApiError::UserNotFound(TokenEndpoint::Admin))
}

fn user(state: &AppState, row: UserRow) -> User {
    User::of(row, state.config.admin)
}

/// List users (admin).
///
/// Search (`searchValue` in `searchField`, `email` or `name`, by `searchOperator`: `contains`,
/// `starts_with`, `ends_with`, in any case), one filter (`filterField`, `filterOperator`: `eq`,
/// `ne`, `lt`, `lte`, `gt`, `gte`, `in`, `not_in`, `contains`, `starts_with`, `ends_with`;
/// `filterValue`, repeated for `in`/`not_in`), sort (`sortBy`, `sortDirection` `asc` or `desc`;
/// by creation time without), and a page (`limit`, 100 by default and 1000 at most; `offset`).
/// Fields are User fields: `id`, `email`, `name`, `role`, `username`, `emailVerified`,
/// `banned`, `createdAt`, `updatedAt` (others: 400 `VALIDATION_ERROR`).
#[utoipa::path(
    operation_id = "adminListUsers",
    tag = "admin",
    params(
        ("searchValue" = Option<String>, Query, description = "Text to find."),
        ("searchField" = Option<String>, Query, description = "`email` (default) or `name`."),
        ("searchOperator" = Option<String>, Query, description = "`contains` (default), `starts_with`, `ends_with`."),
        ("filterField" = Option<String>, Query, description = "A User field."),
        ("filterValue" = Option<String>, Query, description = "The value; repeated for `in` and `not_in`."),
        ("filterOperator" = Option<String>, Query, description = "`eq` (default), `ne`, `lt`, `lte`, `gt`, `gte`, `in`, `not_in`, `contains`, `starts_with`, `ends_with`."),
        ("sortBy" = Option<String>, Query, description = "A User field."),
        ("sortDirection" = Option<String>, Query, description = "`asc` (default) or `desc`."),
        ("limit" = Option<i64>, Query, description = "Page size: 100 by default, 1000 at most."),
        ("offset" = Option<i64>, Query, description = "Users to skip."),
    ),
    responses(
        (status = 200, description = "A page of users and the total.", body = ListUsersResponse),
        (status = 400, description = "A parameter that is not one of those above (`VALIDATION_ERROR`).", body = ErrorBody),
        (status = 401, description = "No valid session.", body = ErrorBody),
        (status = 403, description = "Not an admin (`YOU_ARE_NOT_ALLOWED_TO_LIST_USERS`).", body = ErrorBody),
        (status = 404, description = "The admin API is off (`GATEHOUSE_ADMIN`).", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/admin/list-users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = admin_session(&req, &state, Some(Permission::ListUsers)).await?;
    let (listing, limit, offset) = listing_of(req.query_string())?;
    let admin = operations(&req, &state, &active);
    let (rows, total) = admin.list(listing).await?;
    Ok(response.json(ListUsersResponse {
        users: rows.into_iter().map(|row| user(&state, row)).collect(),
        total,
        limit: limit.filter(|limit| *limit != 0),
        offset: offset.filter(|offset| *offset != 0),
    }))
}

/// A list-users query as a listing, and the `limit` and `offset` given.
fn listing_of(query: &str) -> Result<(Listing, Option<i64>, Option<i64>), ApiError> {
    let mut single = std::collections::BTreeMap::new();
    let mut filter_values = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name == "filterValue" {
            filter_values.push(value.into_owned());
        } else {
            single.insert(name.into_owned(), value.into_owned());
        }
    }
    let invalid = |name: &str, what: &str| {
        ApiError::Validation(format!("[query.{name}] Invalid input: expected {what}"))
    };
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        single
            .get(name)
            .filter(|raw| !raw.is_empty())
            .map(|raw| raw.parse::<i64>().map_err(|_| invalid(name, "number")))
            .transpose()
    };
    let (limit, offset) = (number("limit")?, number("offset")?);
    let mut listing = Listing {
        limit: limit
            .unwrap_or(DEFAULT_PAGE)
            .clamp(0, crate::admin::MAX_PAGE),
        offset: offset.unwrap_or(0).max(0),
        ..Listing::default()
    };
    if let Some(search) = single.get("searchValue").filter(|v| !v.is_empty()) {
        listing.search = Some(search.to_lowercase());
        listing.search_name = match single.get("searchField").map(String::as_str) {
            None | Some("email") => false,
            Some("name") => true,
            Some(_) => return Err(invalid("searchField", "\"email\" | \"name\"")),
        };
        listing.search_op = Some(match single.get("searchOperator").map(String::as_str) {
            None | Some("contains") => TextOp::Contains,
            Some("starts_with") => TextOp::StartsWith,
            Some("ends_with") => TextOp::EndsWith,
            Some(_) => {
                return Err(invalid(
                    "searchOperator",
                    "\"contains\" | \"starts_with\" | \"ends_with\"",
                ));
            }
        });
    }
    if let Some(field) = single.get("filterField").filter(|v| !v.is_empty()) {
        let op = match single.get("filterOperator").map(String::as_str) {
            None | Some("eq") => TextOp::Eq,
            Some("ne") => TextOp::Ne,
            Some("lt") => TextOp::Lt,
            Some("lte") => TextOp::Lte,
            Some("gt") => TextOp::Gt,
            Some("gte") => TextOp::Gte,
            Some("in") => TextOp::In,
            Some("not_in") => TextOp::NotIn,
            Some("contains") => TextOp::Contains,
            Some("starts_with") => TextOp::StartsWith,
            Some("ends_with") => TextOp::EndsWith,
            Some(_) => return Err(invalid("filterOperator", "a filter operator")),
        };
        let bool_field = match field.as_str() {
            "emailVerified" => Some(BoolField::EmailVerified),
            "banned" => Some(BoolField::Banned),
            _ => None,
        };
        listing.filter = Some(match bool_field {
            Some(field) => {
                let value = match filter_values.first().map(String::as_str) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => return Err(invalid("filterValue", "true | false")),
                };
                let equal = match op {
                    TextOp::Eq => true,
                    TextOp::Ne => false,
                    _ => return Err(invalid("filterOperator", "\"eq\" | \"ne\" for a boolean")),
                };
                Filter::Bool {
                    field,
                    value,
                    equal,
                }
            }
            None => {
                if filter_values.is_empty() {
                    return Err(invalid("filterValue", "string"));
                }
                Filter::Text {
                    field: text_field(field)
                        .ok_or_else(|| invalid("filterField", "a User field"))?,
                    op,
                    values: filter_values,
                }
            }
        });
    }
    if let Some(sort) = single.get("sortBy").filter(|v| !v.is_empty()) {
        listing.sort = match sort.as_str() {
            "createdAt" => SortField::CreatedAt,
            "updatedAt" => SortField::UpdatedAt,
            "emailVerified" => SortField::Bool(BoolField::EmailVerified),
            "banned" => SortField::Bool(BoolField::Banned),
            other => {
                SortField::Text(text_field(other).ok_or_else(|| invalid("sortBy", "a User field"))?)
            }
        };
    }
    listing.descending = match single.get("sortDirection").map(String::as_str) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(invalid("sortDirection", "\"asc\" | \"desc\"")),
    };
    Ok((listing, limit, offset))
}

fn text_field(name: &str) -> Option<TextField> {
    Some(match name {
        "id" => TextField::Id,
        "email" => TextField::Email,
        "name" => TextField::Name,
        "role" => TextField::Role,
        "username" => TextField::Username,
        _ => return None,
    })
}

/// Get a user (admin).
///
/// The bare User (with `role`, `banned`, `banReason`, `banExpires`), not `{"user":…}`.
#[utoipa::path(
    operation_id = "adminGetUser",
    tag = "admin",
    params(("id" = String, Query, description = "The user's id.")),
    responses(
        (status = 200, description = "The user.", body = User),
        (status = 400, description = "No `id`.", body = ErrorBody),
        (status = 401, description = "No valid session.", body = ErrorBody),
        (status = 403, description = "Not an admin (`YOU_ARE_NOT_ALLOWED_TO_GET_USER`).", body = ErrorBody),
        (status = 404, description = "No such user (`USER_NOT_FOUND`), or the admin API is off (`NOT_FOUND`).", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/admin/get-user")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut response, active) = admin_session(&req, &state, Some(Permission::GetUser)).await?;
    let id = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "id")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            ApiError::Validation(
                "[query.id] Invalid input: expected string, received undefined".to_owned(),
            )
        })?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &id).await?;
    Ok(response.json(user(&state, found)))
}

/// Create a user (admin).
///
/// With sign-up's rules for the address, the password and the username (a taken address is 400
/// here, as in Better Auth's admin plugin). Without `password` the user has no password
/// credential. `role` is `user` or `admin` (a string or an array).
#[utoipa::path(
    operation_id = "adminCreateUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`email`, `password?`, `name`, `role?`, `data?` (`emailVerified`, `username`, `image`)."),
    responses(
        (status = 200, description = "The new user.", body = UserResponse),
        (status = 400, description = "A malformed field, a password or username rule, a taken address (`USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`), an unknown role.", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/create-user")]
pub async fn create_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::CreateUsers).await?;
    let new = extract::create_user_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    let created = admin.create(new, state.clock.now()).await?;
    Ok(response.json(UserResponse {
        user: user(&state, created),
    }))
}

/// Update a user (admin).
///
/// `data` holds the fields to change: `name`, `image`, `username`, `displayUsername` (as
/// update-user checks them), `email` (checked, unused by others; a new address is unverified
/// unless `emailVerified` says otherwise, and links mailed for the old one stop working),
/// `emailVerified`, `role` (as set-role), `banned` (`true` ends every session of the user, as
/// ban-user), `banReason`, `banExpires` (a date or `null`). Answers the bare user.
#[utoipa::path(
    operation_id = "adminUpdateUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`, `data` (an object of the fields above)."),
    responses(
        (status = 200, description = "The user as it is now (not wrapped in `user`).", body = User),
        (status = 400, description = "An empty `data` (`NO_DATA_TO_UPDATE`), a `password` or `id` in it, a field of the wrong type or unknown, a rule of the field, a taken address or username, banning oneself.", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable; nothing changed.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/update-user")]
pub async fn update_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::UpdateUsers).await?;
    let (user_id, mut changes, roles) = extract::admin_update_body(body.as_ref())?;
    if let Some(roles) = roles {
        changes.role = Some(crate::admin::join_roles(&roles)?);
    }
    if changes.banned == Some(true) && user_id == active.user.id {
        return Err(ApiError::CannotBanYourself);
    }
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    let updated = admin.update(&found, changes, state.clock.now()).await?;
    Ok(response.json(user(&state, updated)))
}

/// Act as a user (admin).
///
/// Starts a session for the user marked with the admin's id (`impersonatedBy`), lasting an hour
/// and never extended, hidden from the user's own list-sessions, and keeps the admin's session
/// in the `<prefix>.admin_session` cookie for stop-impersonating. Refused for admins and banned
/// users; written to the audit log. The answer's cookies are those of the new session.
#[utoipa::path(
    operation_id = "adminImpersonateUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`."),
    responses(
        (status = 200, description = "The new session (its `token`) and the user.", body = SessionAndUserResponse,
            headers(
                ("Set-Cookie" = String, description = "The admin's session kept in `admin_session`; the new session's cookie (no `Max-Age`) and `dont_remember`."),
                ("set-auth-token" = String, description = "The new session's token, signed."),
            )),
        (status = 400, description = "No `userId`.", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/impersonate-user")]
pub async fn impersonate_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, _, active) = admin_post(&req, payload, &state, Permission::ImpersonateUsers).await?;
    let user_id = extract::user_id_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    let now = state.clock.now();
    let token = admin
        .impersonate(&found, new_session(&req, &state, false), now)
        .await?;
    let cookies = &state.cookies;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    for cookie in cookies.expire_all() {
        response.append_header((header::SET_COOKIE, header_value(&cookie)?));
    }
    let dont_remember = cookies.presented(&req).dont_remember;
    // The admin's token as it stands after this request (a refresh may have re-issued it).
    let kept = cookies.admin_session(
        active.current_token(),
        dont_remember,
        state.sessions.ttl_secs(),
    );
    response.append_header((header::SET_COOKIE, header_value(&kept)?));
    set_session_cookies(&mut response, &req, &state, &token, false)?;
    let session = session_of(&state, &token, now).await?;
    Ok(response.json(SessionAndUserResponse {
        session,
        user: user(&state, found),
    }))
}

/// The session a token stands for, as get-session shows it.
async fn session_of(
    state: &AppState,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Session, ApiError> {
    let presented = Presented {
        bearer_sent: true,
        bearer: Some(token.to_owned()),
        ..Presented::default()
    };
    Ok(state
        .sessions
        .current(&state.db, &presented, now, Refresh::Never)
        .await?
        .ok_or_else(|| ApiError::Internal("the new session is gone".to_owned()))?
        .session)
}

/// Stop acting as a user (admin).
///
/// From a session an admin started as a user: ends it, and signs the admin back in with the
/// session the `admin_session` cookie keeps (which must still be live and the same admin's,
/// else 400 `ADMIN_SESSION_NOT_FOUND` and nothing changes). The body is ignored.
#[utoipa::path(
    operation_id = "adminStopImpersonating",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "Optional and ignored."),
    responses(
        (status = 200, description = "The admin's session and user.", body = SessionAndUserResponse,
            headers(
                ("Set-Cookie" = String, description = "The admin's session cookie again; `admin_session` expired."),
                ("set-auth-token" = String, description = "The admin's token, signed."),
            )),
        (status = 400, description = "Not an impersonation (`NOT_IMPERSONATING`), or no live admin session kept (`ADMIN_SESSION_NOT_FOUND`).", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/stop-impersonating")]
pub async fn stop_impersonating(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await;
    if !state.config.admin {
        return Err(ApiError::NotFound);
    }
    extract::optional_object(body?.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (_, active) = signed_in(&req, &state).await?;
    let Some(admin_id) = active.impersonated_by.clone() else {
        return Err(ApiError::NotImpersonating);
    };
    let (admin_token, dont_remember) = state
        .cookies
        .presented_admin_session(&req)
        .ok_or(ApiError::AdminSessionNotFound)?;
    let now = state.clock.now();
    // The admin's own remember choice travels with the kept token: a `rememberMe: false`
    // session is not extended by coming back to it.
    let kept = Presented {
        bearer_sent: true,
        bearer: Some(admin_token),
        dont_remember,
        ..Presented::default()
    };
    let admin_session = state
        .sessions
        .signed_in(&state.db, &kept, now)
        .await?
        .filter(|admin| admin.user.id == admin_id && admin.impersonated_by.is_none())
        .ok_or(ApiError::AdminSessionNotFound)?;
    let admin = operations(&req, &state, &admin_session);
    let impersonated = target(&admin, &active.user.id).await?;
    admin
        .stop_impersonating(&impersonated, active.session.id.clone(), now)
        .await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    let token = admin_session.current_token();
    set_session_cookies(&mut response, &req, &state, token, !dont_remember)?;
    let expired = state.cookies.expire_admin_session();
    response.append_header((header::SET_COOKIE, header_value(&expired)?));
    Ok(response.json(SessionAndUserResponse {
        session: admin_session.session,
        user: admin_session.user,
    }))
}

/// Set a user's roles (admin).
#[utoipa::path(
    operation_id = "adminSetRole",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`, `role` (a string or an array of strings: `user`, `admin`)."),
    responses(
        (status = 200, description = "The user with the new roles.", body = UserResponse),
        (status = 400, description = "A malformed field, or a role other than `user` and `admin`.", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/set-role")]
pub async fn set_role(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::ChangeUsersRole).await?;
    let (user_id, roles) = extract::set_role_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    let changed = admin.set_role(&found, &roles, state.clock.now()).await?;
    Ok(response.json(UserResponse {
        user: user(&state, changed),
    }))
}

/// Set a user's password (admin).
///
/// Sign-up's password rules; gives a user without a password credential one; deletes their
/// reset links; ends every session of theirs unless
/// `GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET=false`.
#[utoipa::path(
    operation_id = "adminSetUserPassword",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`, `newPassword`."),
    responses(
        (status = 200, description = "Set.", body = StatusTrueResponse),
        (status = 400, description = "A malformed field, or a password too short or too long.", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database or hashing unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/set-user-password")]
pub async fn set_user_password(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::SetUsersPassword).await?;
    let (user_id, password) = extract::set_user_password_body(body.as_ref())?;
    crate::auth::account::check_new_password(&password)?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    admin
        .set_password(&found, password, state.clock.now())
        .await?;
    Ok(response.json(StatusTrueResponse { status: true }))
}

/// Ban a user (admin).
///
/// Ends every session of the user at once (on every instance within a second), and refuses their
/// new sessions with 403 `BANNED_USER` until unbanned or `banExpiresIn` seconds have passed.
#[utoipa::path(
    operation_id = "adminBanUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`, `banReason?` (default `No reason`, 500 characters at most), `banExpiresIn?` (seconds; absent: for ever)."),
    responses(
        (status = 200, description = "The banned user.", body = UserResponse),
        (status = 400, description = "A malformed field, or the caller (`YOU_CANNOT_BAN_YOURSELF`).", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/ban-user")]
pub async fn ban_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::BanUsers).await?;
    let (user_id, reason, expires_in) = extract::ban_user_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    let expires_in = expires_in.map(|seconds| {
        // Anything past the longest timed ban is a ban for ever.
        let bounded = seconds.clamp(-1.0, (crate::admin::MAX_BAN_SECONDS + 1) as f64);
        chrono::Duration::milliseconds((bounded * 1000.0) as i64)
    });
    let banned = admin
        .ban(&found, reason, expires_in, state.clock.now())
        .await?;
    Ok(response.json(UserResponse {
        user: user(&state, banned),
    }))
}

/// Lift a user's ban (admin).
#[utoipa::path(
    operation_id = "adminUnbanUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`."),
    responses(
        (status = 200, description = "The user, `banned: false`.", body = UserResponse),
        (status = 400, description = "No `userId`.", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/unban-user")]
pub async fn unban_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::BanUsers).await?;
    let user_id = extract::user_id_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    let unbanned = admin.unban(&found, state.clock.now()).await?;
    Ok(response.json(UserResponse {
        user: user(&state, unbanned),
    }))
}

/// List a user's sessions (admin).
///
/// Every session row of the user, expired ones not yet pruned included, oldest first; each
/// item's `token` is its id (a handle for revoke-user-session, never a credential).
#[utoipa::path(
    operation_id = "adminListUserSessions",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`."),
    responses(
        (status = 200, description = "The sessions.", body = SessionsResponse),
        (status = 400, description = "No `userId`.", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/list-user-sessions")]
pub async fn list_user_sessions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, _admin) =
        admin_post(&req, payload, &state, Permission::ListUsersSessions).await?;
    let user_id = extract::user_id_body(body.as_ref())?;
    let rows = state
        .db
        .run(move |conn| crate::db::sessions::all_for_user(conn, &user_id))
        .await?;
    Ok(response.json(SessionsResponse {
        sessions: rows
            .into_iter()
            .map(|row| {
                let handle = row.id.clone();
                Session::from_row(row, handle, true)
            })
            .collect(),
    }))
}

/// End every session of a user (admin).
///
/// `{"success":true}`, also for an unknown user.
#[utoipa::path(
    operation_id = "adminRevokeUserSessions",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`."),
    responses(
        (status = 200, description = "Done.", body = SuccessResponse),
        (status = 400, description = "No `userId`.", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/revoke-user-sessions")]
pub async fn revoke_user_sessions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::RevokeUsersSessions).await?;
    let user_id = extract::user_id_body(body.as_ref())?;
    let admin = operations(&req, &state, &active);
    match target(&admin, &user_id).await {
        Ok(found) => {
            admin.revoke_sessions(&found, state.clock.now()).await?;
        }
        Err(ApiError::UserNotFound(_)) => {}
        Err(error) => return Err(error),
    }
    Ok(response.json(SuccessResponse { success: true }))
}

/// End one session of any user (admin).
///
/// `sessionToken` is a session's id (a list item's `token`) or one of its tokens.
/// `{"success":true}`, also when it names no session.
#[utoipa::path(
    operation_id = "adminRevokeUserSession",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`sessionToken`."),
    responses(
        (status = 200, description = "Done.", body = SuccessResponse),
        (status = 400, description = "No `sessionToken`.", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/revoke-user-session")]
pub async fn revoke_user_session(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::RevokeUsersSessions).await?;
    let named = extract::revoke_user_session_body(body.as_ref())?;
    // A signed value is read as the bearer header would be; anything else may be an id.
    let named = state.cookies.read_bearer(&named).unwrap_or(named);
    let admin = operations(&req, &state, &active);
    let now = state.clock.now();
    if let Some(owner) = state.sessions.owner(&state.db, &named, now).await?
        && let Ok(found) = target(&admin, &owner).await
    {
        admin.revoke_session(&found, named, now).await?;
    }
    Ok(response.json(SuccessResponse { success: true }))
}

/// Delete a user (admin).
///
/// The user, their accounts, tokens and sessions, as delete-user does.
#[utoipa::path(
    operation_id = "adminRemoveUser",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`userId`."),
    responses(
        (status = 200, description = "Deleted.", body = SuccessResponse),
        (status = 400, description = "No `userId`, or the caller (`YOU_CANNOT_REMOVE_YOURSELF`).", body = ErrorBody),
        (status = 404, description = "No such user, or the admin API is off.", body = ErrorBody),
        (status = 503, description = "Database unavailable.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/remove-user")]
pub async fn remove_user(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (body, mut response, active) =
        admin_post(&req, payload, &state, Permission::DeleteUsers).await?;
    let user_id = extract::user_id_body(body.as_ref())?;
    if user_id == active.user.id {
        return Err(ApiError::CannotRemoveYourself);
    }
    let admin = operations(&req, &state, &active);
    let found = target(&admin, &user_id).await?;
    admin.remove(&found, state.clock.now()).await?;
    Ok(response.json(SuccessResponse { success: true }))
}

/// Whether the caller holds permissions (admin API).
///
/// `permissions`: resource → actions (`{"user":["ban"]}`). An admin holds every action of
/// Better Auth's admin role except impersonating admins; a plain user none.
#[utoipa::path(
    operation_id = "adminHasPermission",
    tag = "admin",
    request_body(content((Object = "application/json")), description = "`permissions`: an object of resource → array of actions."),
    responses(
        (status = 200, description = "Whether the caller holds them all.", body = HasPermissionResponse),
        (status = 400, description = "No `permissions` (`INVALID_PERMISSION_CHECK`), or a malformed one.", body = ErrorBody),
        (status = 404, description = "The admin API is off.", body = ErrorBody),
        SignedInPostErrors,
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/admin/has-permission")]
pub async fn has_permission(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Json, state.request_timeout()).await;
    if !state.config.admin {
        return Err(ApiError::NotFound);
    }
    let asked = extract::has_permission_body(body?.as_ref())?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let (mut response, active) = admin_session(&req, &state, None).await?;
    let role = active.user.role.as_deref().unwrap_or("");
    Ok(response.json(HasPermissionResponse {
        error: None,
        success: crate::admin::holds(role, &asked),
    }))
}
