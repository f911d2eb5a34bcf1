//! The OpenAPI 3.1 document, generated from the route registrations in `routes` (the
//! `/openapi.json` route serves the copy `startup` keeps in the state).

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt as _;

use crate::routes::{self, AUTH_SCOPE};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gatehouse",
        description = "A standalone authentication service: sign-up, sign-in, sign-out and get-session over plain HTTP, wire-compatible with Better Auth 1.7.25.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "auth", description = "Sign-up, sign-in, sign-out and session reads."),
        (name = "account", description = "The signed-in user's account: password, profile, deletion; and whether a username is free."),
        (name = "sessions", description = "The signed-in user's sessions: list them, sign out one, the others or all."),
        (name = "admin", description = "User administration for admins (Better Auth's admin plugin, `adminClient()`), with `GATEHOUSE_ADMIN=on`."),
        (name = "better-auth", description = "Better Auth's paths for the same handlers, so `better-auth/client` works unchanged."),
        (name = "compatibility", description = "Shapes for apps migrating from Auth.js."),
        (name = "proxy", description = "Session checks for reverse proxies (nginx auth_request, Traefik forwardAuth, Caddy forward_auth)."),
        (name = "operations", description = "Health, readiness and this document."),
    ),
    components(schemas(crate::dto::SignUpResponse, crate::dto::SignInResponse)),
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
        .service(utoipa_actix_web::scope::scope(AUTH_SCOPE).configure(routes::auth_routes))
        .configure(routes::operational_routes)
        .split_for_parts();
    document
}

/// The document as served and as committed in `openapi/openapi.json`: the generated document
/// with each error response narrowed to the codes its operation can answer, and the 429 of the
/// rate-limited operations.
pub fn document_json() -> String {
    to_json(&document())
}

/// The operations whose body is optional (the Better Auth client sends `{}`).
const IGNORED_BODIES: &[&str] = &[
    "/api/auth/sign-out",
    "/api/auth/delete-user",
    "/api/auth/revoke-sessions",
    "/api/auth/revoke-other-sessions",
    "/api/auth/admin/stop-impersonating",
];

/// [`document_json`] of a document already built.
pub fn to_json(document: &utoipa::openapi::OpenApi) -> String {
    let mut document = serde_json::to_value(document).unwrap_or_default();
    distinguish_operation_ids(&mut document);
    describe_sign_in_body(&mut document);
    describe_admin_fields(&mut document);
    separate_form_bodies(&mut document);
    for path in IGNORED_BODIES {
        let pointer = format!(
            "/paths/{}/post/requestBody/required",
            path.replace('/', "~1")
        );
        if let Some(required) = document.pointer_mut(&pointer) {
            *required = serde_json::Value::Bool(false);
        }
    }
    refine_errors(&mut document);
    let mut json = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the document: {e}\"}}"));
    json.push('\n');
    json
}

/// One handler documented for several methods (`/verify` takes any) gets one operation id per
/// method, `verifyGet`, `verifyPost`, ..., since ids must be unique in a document.
fn distinguish_operation_ids(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let ids: Vec<&str> = item
            .values()
            .filter_map(|operation| operation.get("operationId")?.as_str())
            .collect();
        let shared = ids.len() >= 2 && ids.iter().all(|id| *id == ids[0]);
        if !shared {
            continue;
        }
        for (method, operation) in item.iter_mut() {
            if let Some(id) = operation.get_mut("operationId")
                && let Some(base) = id.as_str()
            {
                *id = serde_json::Value::String(format!("{base}{}", type_name(method)));
            }
        }
    }
}

/// The admin fields a User carries with `GATEHOUSE_ADMIN=on` only, as optional properties with
/// their exact types (utoipa would call `role` and `banned` nullable: they are absent, never
/// `null`).
fn describe_admin_fields(document: &mut serde_json::Value) {
    let Some(properties) = document
        .pointer_mut("/components/schemas/User/properties")
        .and_then(|p| p.as_object_mut())
    else {
        return;
    };
    let fields = serde_json::json!({
        "role": {"type": "string", "description": "`GATEHOUSE_ADMIN=on` only: `user` or `admin`; several comma-joined (`user,admin`)."},
        "banned": {"type": "boolean", "description": "`GATEHOUSE_ADMIN=on` only."},
        "banReason": {"type": ["string", "null"], "description": "`GATEHOUSE_ADMIN=on` only: why the user is banned."},
        "banExpires": {"type": ["string", "null"], "format": "date-time", "description": "`GATEHOUSE_ADMIN=on` only: when the ban ends; `null` for ever or when not banned."},
    });
    if let Some(fields) = fields.as_object() {
        properties.extend(fields.clone());
    }
}

/// `/sign-in` takes either body: the email one, or the username one without an `email` (a body
/// with both takes the email path, its `username` ignored).
fn describe_sign_in_body(document: &mut serde_json::Value) {
    if let Some(schema) = document.pointer_mut("/components/schemas/SignInBody") {
        *schema = serde_json::json!({
            "description": "Sign-in body for `/sign-in`: the email body, or the username body without an `email`.",
            "anyOf": [
                {"$ref": "#/components/schemas/SignInEmailBody"},
                {"allOf": [
                    {"$ref": "#/components/schemas/SignInUsernameBody"},
                    {"not": {"properties": {"email": {}}, "required": ["email"]}}
                ]}
            ]
        });
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Form bodies get their own schema (`SignUpBodyForm`): the JSON body's string fields only, since
/// every form field is a string (a `rememberMe` of `"false"` is a type error, as in Better Auth).
/// It also keeps generators from treating two content types of one model as the same thing.
fn separate_form_bodies(document: &mut serde_json::Value) {
    let mut forms = serde_json::Map::new();
    let schemas = document
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
    {
        let Some(form) = operation.pointer_mut(&format!(
            "/requestBody/content/{}/schema",
            FORM.replace('/', "~1")
        )) else {
            continue;
        };
        let Some(name) = form
            .get("$ref")
            .and_then(|r| r.as_str())
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
        else {
            continue;
        };
        let form_name = format!("{name}Form");
        if !forms.contains_key(&form_name) {
            let mut schema = schemas.get(&name).cloned().unwrap_or_default();
            if let Some(properties) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
                properties.retain(|_, property| {
                    property.get("type").and_then(|t| t.as_str()) == Some("string")
                });
            }
            if let Some(object) = schema.as_object_mut() {
                object.remove("example");
                object.insert(
                    "description".to_owned(),
                    serde_json::Value::String(format!(
                        "`{name}` as a form: every field is a string."
                    )),
                );
            }
            forms.insert(form_name.clone(), schema);
        }
        *form = serde_json::json!({"$ref": format!("#/components/schemas/{form_name}")});
    }
    // A body made of alternatives (`SignInBody`) is made of the alternatives' form variants.
    let bases: Vec<String> = forms
        .keys()
        .filter_map(|name| name.strip_suffix("Form").map(str::to_owned))
        .collect();
    for schema in forms
        .values_mut()
        .filter(|schema| schema.get("anyOf").is_some())
    {
        for base in &bases {
            rename_refs(
                schema,
                &format!("#/components/schemas/{base}"),
                &format!("#/components/schemas/{base}Form"),
            );
        }
    }
    if let Some(components) = document
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    {
        components.extend(forms);
    }
}

/// The code of each status that only ever carries one; statuses with several take their codes
/// from the operation's own declaration (`routes::error_codes`).
fn single_code(status: &str) -> Option<&'static [&'static str]> {
    let codes: &'static [&'static str] = match status {
        "401" => &["UNAUTHORIZED"],
        "404" => &["NOT_FOUND"],
        "408" => &["REQUEST_TIMEOUT"],
        "413" => &["PAYLOAD_TOO_LARGE"],
        "415" => &["UNSUPPORTED_MEDIA_TYPE"],
        "429" => &["TOO_MANY_REQUESTS"],
        "503" => &["SERVICE_UNAVAILABLE"],
        _ => return None,
    };
    Some(codes)
}

/// The `code` values an operation can answer a status with.
fn error_codes(operation_id: &str, status: &str) -> Option<&'static [&'static str]> {
    routes::error_codes(operation_id)
        .iter()
        .find(|(declared, _)| *declared == status)
        .map(|(_, codes)| *codes)
        .or_else(|| single_code(status))
}

/// Points every `$ref` to `from` inside `value` at `to` instead.
fn rename_refs(value: &mut serde_json::Value, from: &str, to: &str) {
    match value {
        serde_json::Value::Object(object) => {
            for (key, member) in object.iter_mut() {
                if key == "$ref" && member.as_str() == Some(from) {
                    *member = serde_json::Value::String(to.to_owned());
                } else {
                    rename_refs(member, from, to);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                rename_refs(item, from, to);
            }
        }
        _ => {}
    }
}

const ERROR_BODY_REF: &str = "#/components/schemas/ErrorBody";

/// An error object whose `code` is one of `codes`.
fn error_schema(codes: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "description": "The error object; `message` is human-readable, `code` is stable.",
        "required": ["message", "code"],
        "properties": {
            "message": {"type": "string"},
            "code": {"type": "string", "enum": codes}
        }
    })
}

/// The first letter upper-cased: `signUp` → `SignUp`.
fn type_name(operation_id: &str) -> String {
    let mut chars = operation_id.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Narrows every error response to its operation's codes, each as a named schema
/// (`SignUpError400`) that generated clients turn into a type, and documents the 429 that every
/// POST under `/api/auth` except `/verify` can answer.
fn refine_errors(document: &mut serde_json::Value) {
    let mut schemas = serde_json::Map::new();
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(operation_id) = operation
                .get("operationId")
                .and_then(|id| id.as_str())
                .map(str::to_owned)
            else {
                continue;
            };
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
            else {
                continue;
            };
            if method == "post" && path.starts_with("/api/auth/") && path != "/api/auth/verify" {
                responses.insert(
                    "429".to_owned(),
                    serde_json::json!({
                        "description": "Too many requests from this address, or failed sign-ins for this account.",
                        "headers": {
                            "Retry-After": {"description": "Whole seconds until the window ends.", "schema": {"type": "integer"}},
                            "X-Retry-After": {"description": "The same, as Better Auth sends it.", "schema": {"type": "integer"}}
                        },
                        "content": {"application/json": {"schema": {"$ref": ERROR_BODY_REF}}}
                    }),
                );
            }
            for (status, response) in responses.iter_mut() {
                let Some(schema) = response.pointer_mut("/content/application~1json/schema") else {
                    continue;
                };
                if schema.get("$ref").and_then(|r| r.as_str()) != Some(ERROR_BODY_REF) {
                    continue;
                }
                if let Some(codes) = error_codes(&operation_id, status) {
                    let name = format!("{}Error{status}", type_name(&operation_id));
                    *schema = serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
                    schemas.insert(name, error_schema(codes));
                }
            }
        }
    }
    if let Some(components) = document
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    {
        components.extend(schemas);
    }
    // Every error response now names its own schema.
    let is_unused = !document.to_string().contains(ERROR_BODY_REF);
    if is_unused
        && let Some(components) = document
            .pointer_mut("/components/schemas")
            .and_then(|s| s.as_object_mut())
    {
        components.remove("ErrorBody");
    }
}
