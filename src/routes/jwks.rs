//! `GET /api/auth/jwks`: the public keys that verify gatehouse's EdDSA JWTs, so other services
//! check tokens without sharing a secret.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The JSON Web Key Set of the EdDSA signing keys (the current one and those in
/// `GATEHOUSE_JWT_KEYS_OLD`).
///
/// 404 unless the jwt strategy signs with an Ed25519 key: an HS256 secret is never published.
#[utoipa::path(
    operation_id = "jwks",
    tag = "auth",
    responses(
        (status = 200, description = "`{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"EdDSA\",\"use\":\"sig\",\"kid\",\"x\"}]}`", body = Object,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 404, description = "Tokens are not signed with a published key.", body = ErrorBody),
    )
)]
#[get("/jwks")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    match state.sessions.jwks() {
        Some(document) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .json(document),
        None => ApiError::NotFound.to_response(),
    }
}
