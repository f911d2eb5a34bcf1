//! The API document at `/openapi.json`, and the interactive reference at `/docs/`: Swagger UI
//! compiled into the binary (`utoipa-swagger-ui`, vendored, so nothing is fetched at build or run
//! time), on this document, behind a strict Content-Security-Policy. The reference is a page, not
//! an API operation, so it is served but not documented.

use actix_web::dev::HttpServiceFactory;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpResponse, get, web};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::state::AppState;

/// Everything the page may load comes from this origin; Swagger UI styles itself inline.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

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

/// `/docs/` and its assets; `/docs` redirects there. No validator is asked (Swagger UI would
/// send the document to validator.swagger.io), and "try it out" sends cookies.
pub fn reference() -> impl HttpServiceFactory {
    let swagger_ui = SwaggerUi::new("/{_:.*}").config(
        Config::from("/openapi.json")
            .validator_url("none")
            .with_credentials(true)
            .try_it_out_enabled(true),
    );
    (
        web::redirect("/docs", "/docs/").permanent(),
        web::scope("/docs")
            .wrap(
                DefaultHeaders::new()
                    .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
            )
            .service(swagger_ui),
    )
}
