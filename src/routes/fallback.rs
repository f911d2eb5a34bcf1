//! What no route matched: 404 for unknown paths; for known paths, 405 with `Allow` (the paths and
//! their methods come from the OpenAPI document, so they cannot drift from the routes) and the
//! CORS preflight for `OPTIONS`.

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;
use crate::startup::AppState;

/// Every documented path and the value of its `Allow` header.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths(BTreeMap<String, String>);

impl KnownPaths {
    pub fn from_openapi(document: &OpenApi) -> Self {
        let paths = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, declared)| declared.then_some(method))
                .collect();
                (path.clone(), methods.join(", "))
            })
            .collect();
        Self(paths)
    }

    /// The `Allow` value of a known path.
    pub fn allow(&self, path: &str) -> Option<&str> {
        self.0.get(path).map(String::as_str)
    }
}

pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(allow) = state.known_paths.allow(req.path()) else {
        return ApiError::NotFound.to_response();
    };
    if req.method() == Method::OPTIONS {
        return HttpResponse::NoContent().finish();
    }
    if req.method() == Method::POST && req.path() == "/api/auth/get-session" {
        return ApiError::DeferSessionRequired.to_response();
    }
    ApiError::MethodNotAllowed {
        allow: allow.to_owned(),
    }
    .to_response()
}
