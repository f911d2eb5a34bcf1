//! Interactive API docs at `/docs`: Swagger UI, vendored from npm into `assets/docs/`
//! (`scripts/vendor-docs.sh`) and compiled into the binary, so nothing is fetched at build or run
//! time. A strict Content-Security-Policy keeps the page on this origin.

use actix_web::http::header;
use actix_web::{HttpResponse, get};

const INDEX_HTML: &str = include_str!("../../assets/docs/index.html");
const INIT_JS: &str = include_str!("../../assets/docs/init.js");
const SWAGGER_UI_JS: &str = include_str!("../../assets/docs/swagger-ui-bundle.js");
const SWAGGER_UI_CSS: &str = include_str!("../../assets/docs/swagger-ui.css");

/// Everything the page may load comes from this origin; Swagger UI styles itself inline.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

/// The interactive API reference (Swagger UI) for this document.
#[utoipa::path(
    operation_id = "docs",
    tag = "operations",
    responses((status = 200, description = "An HTML page.", content_type = "text/html", body = String))
)]
#[get("/docs")]
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(INDEX_HTML)
}

/// Swagger UI's script (swagger-ui-dist, see `assets/docs/VERSION`).
#[utoipa::path(
    operation_id = "docsScript",
    tag = "operations",
    responses((status = 200, description = "JavaScript.", content_type = "text/javascript", body = String))
)]
#[get("/docs/swagger-ui-bundle.js")]
pub async fn docs_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SWAGGER_UI_JS)
}

/// The page's own start-up script: Swagger UI on `/openapi.json`.
#[utoipa::path(
    operation_id = "docsInit",
    tag = "operations",
    responses((status = 200, description = "JavaScript.", content_type = "text/javascript", body = String))
)]
#[get("/docs/init.js")]
pub async fn docs_init() -> HttpResponse {
    asset("text/javascript; charset=utf-8", INIT_JS)
}

/// Swagger UI's styles.
#[utoipa::path(
    operation_id = "docsStyles",
    tag = "operations",
    responses((status = 200, description = "CSS.", content_type = "text/css", body = String))
)]
#[get("/docs/swagger-ui.css")]
pub async fn docs_styles() -> HttpResponse {
    asset("text/css; charset=utf-8", SWAGGER_UI_CSS)
}
