//! The OpenAPI 3.1 document, generated from the route registrations in `routes::configure`, and
//! the endpoint that serves it.

use actix_web::{App, HttpResponse, get, web};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt as _;

use crate::routes;
use crate::startup::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gatehouse",
        description = "A standalone authentication service: sign-up, sign-in, sign-out and get-session over plain HTTP, wire-compatible with Better Auth 1.7.25.",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "auth", description = "Sign-up, sign-in, sign-out and session reads."),
        (name = "better-auth", description = "Better Auth's paths for the same handlers, so `better-auth/client` works unchanged."),
        (name = "compatibility", description = "Shapes for apps migrating from Auth.js."),
        (name = "proxy", description = "Session checks for reverse proxies (nginx auth_request, Traefik forwardAuth, Caddy forward_auth)."),
        (name = "operations", description = "Health, readiness and this document."),
    ),
    modifiers(&SecuritySchemes)
)]
struct BaseDocument;

/// Adds the two ways to present a session: the signed cookie and a bearer token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The sign-in `token`, the signed `set-auth-token` value, or (jwt strategy) the JWT.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "gatehouse.session_token",
                "The signed session cookie (`__Secure-` prefixed behind https; prefix configurable).",
            ))),
        );
    }
}

/// The whole document: the base above plus every registered route.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_app, document) = App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(routes::configure)
        .split_for_parts();
    document
}

/// The document as served and as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the document: {e}\"}}"));
    json.push('\n');
    json
}

/// This OpenAPI 3.1 document.
#[utoipa::path(
    operation_id = "openapi",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document.", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}
