//! The built-in reset page, `/api/auth/reset-password-page`: where a reset link requested
//! without `redirectTo` leads, so apps without a web frontend (API-only, mobile) can reset
//! passwords. One plain HTML form, no script, no external asset, every value escaped, and a CSP
//! that allows nothing else.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::Value;

use crate::auth::origin;
use crate::error::ApiError;
use crate::extract::{self, Accepts};
use crate::mail::templates::html_escape;
use crate::routes::password_reset::{reset_with_token, usable_reset_token};
use crate::state::AppState;

/// The codes the form's POST answers with where a status carries several.
pub const SUBMIT_ERROR_CODES: crate::routes::ErrorCodes =
    &[("403", &["MISSING_OR_NULL_ORIGIN", "INVALID_ORIGIN"])];

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;color:#222}label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1.5rem;padding:.5rem 1rem}.error{color:#a00}";

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The mailed token.
    pub token: Option<String>,
}

pub(crate) fn page(
    status: actix_web::http::StatusCode,
    title: &str,
    content: &str,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head>\n<body><main>\
             <h1>{title}</h1>\n{content}</main></body></html>\n"
        ))
}

fn form(token: &str, problem: Option<&str>) -> String {
    let problem = problem
        .map(|message| {
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>\n",
                html_escape(message)
            )
        })
        .unwrap_or_default();
    format!(
        "{problem}<form method=\"post\" action=\"reset-password-page\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <label for=\"newPassword\">New password</label>\
         <input id=\"newPassword\" name=\"newPassword\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" maxlength=\"128\" required>\
         <label for=\"confirmPassword\">Repeat it</label>\
         <input id=\"confirmPassword\" name=\"confirmPassword\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" maxlength=\"128\" required>\
         <button type=\"submit\">Set the new password</button></form>\n",
        html_escape(token)
    )
}

fn invalid_link() -> HttpResponse {
    page(
        actix_web::http::StatusCode::BAD_REQUEST,
        "This link does not work",
        "<p>The reset link is invalid, used or expired. Ask for a new one.</p>\n",
    )
}

/// The reset form.
///
/// `200` with a form posting to this path when `token` is a usable reset token, else `400` with a
/// page saying the link is invalid or expired. HTML, not JSON.
#[utoipa::path(
    operation_id = "resetPasswordPage",
    tag = "password reset",
    params(PageQuery),
    responses(
        (status = 200, description = "The form.", content_type = "text/html"),
        (status = 400, description = "The link is invalid, used or expired.", content_type = "text/html"),
        (status = 429, description = "Too many links opened from this client.", body = crate::error::ErrorBody),
        (status = 503, description = "Database unavailable.", body = crate::error::ErrorBody),
    )
)]
#[get("/reset-password-page")]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let token = web::Query::<PageQuery>::from_query(req.query_string())
        .ok()
        .and_then(|query| query.into_inner().token)
        .unwrap_or_default();
    if token.is_empty()
        || usable_reset_token(&state, &token, state.clock.now())
            .await?
            .is_none()
    {
        return Ok(invalid_link());
    }
    Ok(page(
        actix_web::http::StatusCode::OK,
        "Choose a new password",
        &form(&token, None),
    ))
}

/// The form's fields, as the browser posts them.
#[derive(utoipa::ToSchema)]
#[allow(
    dead_code,
    reason = "documents the form; the handler reads the fields by name"
)]
#[schema(as = ResetPasswordForm)]
pub struct ResetPasswordForm {
    token: String,
    #[schema(rename = "newPassword")]
    new_password: String,
    #[schema(rename = "confirmPassword")]
    confirm_password: String,
}

/// Submit the reset form.
///
/// Runs reset-password with the form's token; `200` with a page saying the password is set, or
/// `400` with the form again and the reason (the passwords differ, a password outside the rules,
/// a token that no longer works).
#[utoipa::path(
    operation_id = "resetPasswordPageSubmit",
    tag = "password reset",
    request_body(content = ResetPasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The password is set.", content_type = "text/html"),
        (status = 400, description = "The form again, with the reason.", content_type = "text/html"),
        (status = 403, description = "A cookie-carrying request from an untrusted origin.", body = crate::error::ErrorBody),
        (status = 408, description = "The body did not arrive within GATEHOUSE_REQUEST_TIMEOUT.", body = crate::error::ErrorBody),
        (status = 413, description = "Body over 64 KiB.", body = crate::error::ErrorBody),
        (status = 415, description = "Not a form.", body = crate::error::ErrorBody),
        (status = 429, description = "Too many attempts from this client.", body = crate::error::ErrorBody),
        (status = 503, description = "Database or hashing unavailable; nothing changed.", body = crate::error::ErrorBody),
    )
)]
#[post("/reset-password-page")]
pub async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = extract::read_body(&req, payload, Accepts::Form, state.request_timeout()).await?;
    origin::check_cookie_csrf(&req, &state.config.trusted_origins)?;
    let field = |name: &str| match body.as_ref().and_then(|b| b.get(name)) {
        Some(Value::String(value)) => value.clone(),
        _ => String::new(),
    };
    let (token, new_password) = (field("token"), field("newPassword"));
    let again = |problem: &str| {
        page(
            actix_web::http::StatusCode::BAD_REQUEST,
            "Choose a new password",
            &form(&token, Some(problem)),
        )
    };
    if new_password != field("confirmPassword") {
        return Ok(again("The two passwords differ."));
    }
    match reset_with_token(&state, token.clone(), new_password).await {
        Ok(()) => Ok(page(
            actix_web::http::StatusCode::OK,
            "Your password is set",
            "<p>Sign in with your new password.</p>\n",
        )),
        Err(ApiError::InvalidToken(_) | ApiError::UserNotFound(_)) => Ok(invalid_link()),
        Err(ApiError::PasswordTooShort) => Ok(again("The password needs at least 8 characters.")),
        Err(ApiError::PasswordTooLong) => Ok(again(
            "The password is too long: at most 128 characters and 72 bytes.",
        )),
        Err(other) => Err(other),
    }
}
