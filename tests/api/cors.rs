//! CORS: trusted origins only, exact origin echoed, credentials, exposed session
//! headers, and preflights answered with 204.

use serde_json::json;

use crate::helpers::{TRUSTED_ORIGIN, builder, spawn_app};

fn preflight_headers(origin: &str) -> Vec<(&str, &str)> {
    vec![
        ("origin", origin),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ]
}

#[actix_web::test]
async fn a_trusted_origin_gets_a_preflight_with_credentials() {
    let app = spawn_app().await;

    let response = app
        .request(
            "OPTIONS",
            "/api/auth/sign-in/email",
            &preflight_headers(TRUSTED_ORIGIN),
            None,
        )
        .await;

    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(TRUSTED_ORIGIN)
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("GET, POST, OPTIONS")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("content-type, authorization")
    );
    assert_eq!(response.header("access-control-max-age"), Some("600"));
    assert_eq!(response.header("vary"), Some("Origin"));
}

#[actix_web::test]
async fn an_untrusted_origin_gets_no_cors_headers_even_on_a_preflight() {
    let app = spawn_app().await;

    let preflight = app
        .request(
            "OPTIONS",
            "/api/auth/get-session",
            &preflight_headers("https://evil.example.net"),
            None,
        )
        .await;
    let read = app
        .get(
            "/api/auth/get-session",
            &[("origin", "https://evil.example.net")],
        )
        .await;

    assert_eq!(preflight.status, 204);
    assert_eq!(read.status, 200);
    for response in [&preflight, &read] {
        for name in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "access-control-max-age",
        ] {
            assert!(response.header(name).is_none(), "{name} was sent");
        }
        assert_eq!(response.header("vary"), Some("Origin"));
    }
}

#[actix_web::test]
async fn a_trusted_origin_can_read_a_session_and_its_headers() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password}),
            &[("origin", TRUSTED_ORIGIN)],
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(TRUSTED_ORIGIN)
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("set-auth-token, set-auth-jwt")
    );
    assert!(response.headers.get_all("vary").any(|v| v == "Origin"));
}

#[actix_web::test]
async fn a_wildcard_origin_matches_subdomains_only() {
    let app = builder()
        .var("GATEHOUSE_TRUSTED_ORIGINS", "https://*.example.org")
        .spawn()
        .await;

    let subdomain = app
        .get("/api/auth/ok", &[("origin", "https://app.example.org")])
        .await;
    let apex = app
        .get("/api/auth/ok", &[("origin", "https://example.org")])
        .await;

    assert_eq!(
        subdomain.header("access-control-allow-origin"),
        Some("https://app.example.org")
    );
    assert_eq!(apex.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn error_answers_carry_cors_headers_too() {
    let app = spawn_app().await;

    let response = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": "x@example.com", "password": "wrong-password"}),
            &[("origin", TRUSTED_ORIGIN)],
        )
        .await;

    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(TRUSTED_ORIGIN)
    );
}

#[actix_web::test]
async fn operational_endpoints_have_no_cors() {
    let app = spawn_app().await;

    let response = app.get("/healthz", &[("origin", TRUSTED_ORIGIN)]).await;

    assert!(response.header("access-control-allow-origin").is_none());
    assert!(response.header("vary").is_none());
}

#[actix_web::test]
async fn an_origin_with_userinfo_or_a_path_gets_no_cors_headers() {
    let app = spawn_app().await;
    let host = TRUSTED_ORIGIN.trim_start_matches("http://");

    for origin in [
        format!("http://user@{host}"),
        format!("{TRUSTED_ORIGIN}/path"),
    ] {
        let response = app
            .get("/api/auth/get-session", &[("origin", origin.as_str())])
            .await;

        assert_eq!(response.status, 200);
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
        assert_eq!(response.header("access-control-allow-credentials"), None);
    }
}
