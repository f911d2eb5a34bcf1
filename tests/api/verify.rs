//! `/api/auth/verify`, as nginx, Traefik and Caddy call it. The real proxies
//! are driven by `tests/api/proxies.rs`; these tests pin the endpoint's own behaviour, including
//! the exact headers Traefik's forwardAuth sends.

use serde_json::json;

use crate::helpers::{TestApp, builder, spawn_app};

const SIGN_IN_URL: &str = "http://app.example.test/sign-in";

async fn spawn_with_sign_in_page() -> TestApp {
    builder()
        .var("GATEHOUSE_SIGN_IN_URL", SIGN_IN_URL)
        .spawn()
        .await
}

#[actix_web::test]
async fn a_signed_in_request_gets_the_identity_headers_and_an_empty_body() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let by_cookie = app
        .get("/api/auth/verify", &[("cookie", &user.cookie)])
        .await;
    let by_bearer = app
        .get(
            "/api/auth/verify",
            &[("authorization", &format!("Bearer {}", user.bearer))],
        )
        .await;
    let session = app.get_session_with_cookie(&user.cookie).await;

    for response in [&by_cookie, &by_bearer] {
        assert_eq!(response.status, 200);
        assert_eq!(response.text, "");
        assert_eq!(response.header("x-auth-user-id"), Some(user.id.as_str()));
        assert_eq!(
            response.header("x-auth-user-email"),
            Some(user.email.as_str())
        );
        assert_eq!(response.header("x-auth-user-name"), Some("Test User"));
        assert_eq!(
            response.header("x-auth-session-id"),
            session.body["session"]["id"].as_str()
        );
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert!(response.set_cookies().is_empty());
    }
}

#[actix_web::test]
async fn any_method_is_verified_and_no_body_is_read() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    for method in ["POST", "PUT", "PATCH", "DELETE", "HEAD"] {
        let response = app
            .request(
                method,
                "/api/auth/verify",
                &[("cookie", &user.cookie), ("content-type", "text/plain")],
                Some(b"{not json".to_vec()),
            )
            .await;
        assert_eq!(response.status, 200, "{method}");
        assert_eq!(
            response.header("x-auth-user-id"),
            Some(user.id.as_str()),
            "{method}"
        );
    }
}

#[actix_web::test]
async fn a_cookie_carrying_post_needs_no_origin_here() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .post_json("/api/auth/verify", &json!({}), &[("cookie", &user.cookie)])
        .await;

    assert_eq!(response.status, 200);
}

#[actix_web::test]
async fn no_valid_session_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let (name, value) = user.cookie.split_once('=').unwrap();
    let tampered = format!(
        "{name}={}{}",
        if value.starts_with('A') { "B" } else { "A" },
        &value[1..]
    );
    app.sign_out_with_cookie(&user.cookie).await;

    for headers in [
        vec![],
        vec![("cookie", user.cookie.as_str())],
        vec![("cookie", tampered.as_str())],
        vec![("authorization", "Bearer nonsense")],
    ] {
        let response = app.get("/api/auth/verify", &headers).await;
        assert_eq!(response.status, 401, "{headers:?}");
        assert_eq!(
            response.body,
            json!({"message": "Unauthorized", "code": "UNAUTHORIZED"})
        );
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer realm=\"gatehouse\"")
        );
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert_eq!(response.header("location"), None);
        assert!(response.set_cookies().is_empty());
    }
}

#[actix_web::test]
async fn an_expired_session_is_401() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    app.clock.advance(chrono::Duration::days(8));
    let response = app
        .get("/api/auth/verify", &[("cookie", &user.cookie)])
        .await;

    assert_eq!(response.status, 401);
}

#[actix_web::test]
async fn verify_never_refreshes_a_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    app.clock.advance(chrono::Duration::days(2));
    let response = app
        .get("/api/auth/verify", &[("cookie", &user.cookie)])
        .await;

    assert_eq!(response.status, 200);
    assert!(response.set_cookies().is_empty());
    assert!(response.header("set-auth-token").is_none());
}

#[actix_web::test]
async fn a_browser_navigation_forwarded_by_traefik_is_redirected_to_sign_in() {
    let app = spawn_with_sign_in_page().await;
    let traefik = [
        ("accept", "text/html,application/xhtml+xml"),
        ("x-forwarded-method", "GET"),
        ("x-forwarded-proto", "http"),
        ("x-forwarded-host", "app.example.test"),
        ("x-forwarded-uri", "/private/page?x=1"),
        ("x-forwarded-for", "198.51.100.7"),
    ];

    let response = app.get("/api/auth/verify", &traefik).await;

    assert_eq!(response.status, 302);
    assert_eq!(
        response.header("location"),
        Some(
            "http://app.example.test/sign-in?redirect=http%3A%2F%2Fapp.example.test%2Fprivate%2Fpage%3Fx%3D1"
        )
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn api_clients_and_nginx_get_401_with_the_sign_in_location() {
    let app = spawn_with_sign_in_page().await;

    let xhr = app
        .get(
            "/api/auth/verify",
            &[
                ("accept", "text/html"),
                ("x-forwarded-proto", "http"),
                ("x-forwarded-host", "app.example.test"),
                ("x-forwarded-uri", "/a"),
                ("x-requested-with", "XMLHttpRequest"),
            ],
        )
        .await;
    let json_client = app
        .get(
            "/api/auth/verify",
            &[
                ("accept", "application/json"),
                ("x-forwarded-proto", "http"),
                ("x-forwarded-host", "app.example.test"),
                ("x-forwarded-uri", "/a"),
            ],
        )
        .await;
    let nginx = app
        .get(
            "/api/auth/verify",
            &[
                ("accept", "text/html"),
                ("x-original-url", "http://app.example.test/b"),
                ("x-forwarded-uri", "/b"),
            ],
        )
        .await;

    for response in [&xhr, &json_client] {
        assert_eq!(response.status, 401);
        assert_eq!(
            response.header("location"),
            Some("http://app.example.test/sign-in?redirect=http%3A%2F%2Fapp.example.test%2Fa")
        );
    }
    assert_eq!(nginx.status, 401);
    assert_eq!(
        nginx.header("location"),
        Some("http://app.example.test/sign-in?redirect=http%3A%2F%2Fapp.example.test%2Fb")
    );
}

#[actix_web::test]
async fn redirect_one_asks_for_the_302() {
    let app = spawn_with_sign_in_page().await;

    let response = app
        .get(
            "/api/auth/verify?redirect=1",
            &[("x-original-url", "http://app.example.test/c")],
        )
        .await;

    assert_eq!(response.status, 302);
    assert_eq!(
        response.header("location"),
        Some("http://app.example.test/sign-in?redirect=http%3A%2F%2Fapp.example.test%2Fc")
    );
}

#[actix_web::test]
async fn the_redirect_never_carries_an_untrusted_url() {
    let app = spawn_with_sign_in_page().await;

    for original in [
        vec![("x-original-url", "https://evil.example.net/steal")],
        vec![
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example.net"),
            ("x-forwarded-uri", "/x"),
        ],
        vec![("x-original-url", "javascript:alert(1)")],
        vec![("x-original-url", "//evil.example.net/")],
    ] {
        let response = app.get("/api/auth/verify?redirect=1", &original).await;
        assert_eq!(response.status, 302);
        assert_eq!(
            response.header("location"),
            Some(SIGN_IN_URL),
            "{original:?}"
        );
    }
}

#[actix_web::test]
async fn without_a_sign_in_url_a_navigation_still_gets_401() {
    let app = spawn_app().await;

    let response = app
        .get(
            "/api/auth/verify?redirect=1",
            &[("accept", "text/html"), ("x-forwarded-uri", "/a")],
        )
        .await;

    assert_eq!(response.status, 401);
    assert_eq!(response.header("location"), None);
}

#[actix_web::test]
async fn identity_headers_carry_utf8_names_without_control_characters() {
    let app = spawn_app().await;
    let signed_up = app
        .sign_up(&json!({"name": "Zoë\r\nX-Auth-User-Id: admin", "email": crate::helpers::unique_email(), "password": crate::helpers::PASSWORD}))
        .await;

    let response = app
        .get(
            "/api/auth/verify",
            &[("cookie", &signed_up.session_cookie())],
        )
        .await;

    let name = response.headers.get("x-auth-user-name").unwrap().as_bytes();
    assert_eq!(String::from_utf8_lossy(name), "Zoë  X-Auth-User-Id: admin");
    assert_eq!(
        response.header("x-auth-user-id"),
        signed_up.body["user"]["id"].as_str()
    );
}
