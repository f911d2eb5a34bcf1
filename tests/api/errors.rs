//! Bad input of every kind gets a JSON error with a stable code: never a 500, a panic or a hang.

use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, unique_email};

#[actix_web::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;

    for body in [
        &b"{bad"[..],
        b"{\"a\":",
        b"\xff\xfe",
        b"{\"name\":\"\\ud800\"}",
        b"   ",
    ] {
        let response = app
            .request(
                "POST",
                "/api/auth/sign-up",
                &[("content-type", "application/json")],
                Some(body.to_vec()),
            )
            .await;
        assert_eq!(response.status, 400, "{body:?}");
        assert_eq!(
            response.body,
            json!({"message": "Invalid JSON in request body", "code": "BAD_REQUEST"})
        );
    }
}

#[actix_web::test]
async fn deeply_nested_json_is_refused_without_a_crash() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));

    let response = app
        .request(
            "POST",
            "/api/auth/sign-in",
            &[("content-type", "application/json")],
            Some(deep.into_bytes()),
        )
        .await;

    assert_eq!(response.status, 400);
    assert_eq!(response.code(), "BAD_REQUEST");
}

#[actix_web::test]
async fn bodies_that_are_not_objects_are_validation_errors() {
    let app = spawn_app().await;

    let null = app.post_json("/api/auth/sign-up", &json!(null), &[]).await;
    let string = app.post_json("/api/auth/sign-in", &json!("x"), &[]).await;
    let none = app.request("POST", "/api/auth/sign-up", &[], None).await;
    let empty_json = app
        .request(
            "POST",
            "/api/auth/sign-in/email",
            &[("content-type", "application/json")],
            Some(Vec::new()),
        )
        .await;

    assert_eq!(
        null.body["message"],
        "[body] Invalid input: expected object, received null"
    );
    assert_eq!(
        string.body["message"],
        "[body] Invalid input: expected object, received string"
    );
    assert_eq!(
        none.body["message"],
        "[body] Invalid input: expected object, received undefined"
    );
    assert_eq!(
        empty_json.body["message"],
        "[body] Invalid input: expected object, received undefined"
    );
    for response in [&null, &string, &none, &empty_json] {
        assert_eq!(response.status, 400);
        assert_eq!(response.code(), "VALIDATION_ERROR");
    }
}

#[actix_web::test]
async fn a_wrong_content_type_is_unsupported() {
    let app = spawn_app().await;

    let text = app
        .request(
            "POST",
            "/api/auth/sign-up",
            &[("content-type", "text/plain")],
            Some(b"{}".to_vec()),
        )
        .await;
    let multipart = app
        .request(
            "POST",
            "/api/auth/sign-in/email",
            &[("content-type", "multipart/form-data; boundary=x")],
            Some(b"--x--".to_vec()),
        )
        .await;
    let missing = app
        .request("POST", "/api/auth/sign-in", &[], Some(b"{}".to_vec()))
        .await;
    let charset = app
        .request(
            "POST",
            "/api/auth/sign-up",
            &[("content-type", "Application/JSON; charset=utf-8")],
            Some(
                json!({"name": "", "email": unique_email(), "password": PASSWORD})
                    .to_string()
                    .into_bytes(),
            ),
        )
        .await;

    assert_eq!(text.status, 415);
    assert_eq!(
        text.body,
        json!({"message": "Content-Type \"text/plain\" is not allowed. Allowed types: application/json, application/x-www-form-urlencoded", "code": "UNSUPPORTED_MEDIA_TYPE"})
    );
    assert_eq!(multipart.status, 415);
    assert_eq!(missing.status, 415);
    assert_eq!(charset.status, 200, "{}", charset.text);
}

#[actix_web::test]
async fn an_empty_body_is_no_body_whatever_its_content_type() {
    let app = spawn_app().await;
    let none = app
        .request("POST", "/api/auth/sign-in/email", &[], None)
        .await;

    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/json",
    ] {
        let response = app
            .request(
                "POST",
                "/api/auth/sign-in/email",
                &[("content-type", content_type)],
                Some(Vec::new()),
            )
            .await;
        assert_eq!(response.status, 400, "{content_type}: {}", response.text);
        assert_eq!(response.body, none.body, "{content_type}");
    }
    assert_eq!(none.code(), "VALIDATION_ERROR");
}

#[actix_web::test]
async fn a_body_over_64_kib_is_too_large() {
    let app = spawn_app().await;
    let huge =
        json!({"name": "x".repeat(70 * 1024), "email": unique_email(), "password": PASSWORD});
    let just_fits = json!({"name": "", "email": unique_email(), "password": PASSWORD, "ignored": "x".repeat(60 * 1024)});

    let too_large = app.post_json("/api/auth/sign-up", &huge, &[]).await;
    let fits = app.post_json("/api/auth/sign-up", &just_fits, &[]).await;

    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.body,
        json!({"message": "Request body is too large", "code": "PAYLOAD_TOO_LARGE"})
    );
    assert_eq!(fits.status, 200, "{}", fits.text);
}

#[actix_web::test]
async fn unknown_paths_are_404_and_paths_match_exactly() {
    let app = spawn_app().await;

    for path in [
        "/nope",
        "/api/auth/nope",
        "/api/auth/get-session/",
        "/api//auth/get-session",
        "/api/auth/sign-in/passkey",
        "/api/auth/update-session",
    ] {
        let response = app.get(path, &[]).await;
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(
            response.body,
            json!({"message": "Not found", "code": "NOT_FOUND"})
        );
    }
}

#[actix_web::test]
async fn a_known_path_with_an_undeclared_method_is_405_with_allow() {
    let app = spawn_app().await;

    let get_sign_in = app.get("/api/auth/sign-in/email", &[]).await;
    let delete_session = app
        .request("DELETE", "/api/auth/get-session", &[], None)
        .await;
    let post_session = app
        .post_json("/api/auth/get-session", &json!({}), &[])
        .await;
    let put_health = app.request("PUT", "/healthz", &[], None).await;

    assert_eq!(get_sign_in.status, 405);
    assert_eq!(get_sign_in.header("allow"), Some("POST"));
    assert_eq!(
        get_sign_in.body,
        json!({"message": "Method not allowed", "code": "METHOD_NOT_ALLOWED"})
    );
    assert_eq!(delete_session.header("allow"), Some("GET"));
    assert_eq!(delete_session.code(), "METHOD_NOT_ALLOWED");
    assert_eq!(post_session.status, 405);
    assert_eq!(post_session.header("allow"), Some("GET"));
    assert_eq!(
        post_session.code(),
        "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"
    );
    assert_eq!(
        post_session.body["message"],
        "POST method requires deferSessionRefresh to be enabled in session config"
    );
    assert_eq!(put_health.header("allow"), Some("GET"));
}

#[actix_web::test]
async fn options_on_a_known_path_answers_the_preflight() {
    let app = spawn_app().await;

    let known = app
        .request("OPTIONS", "/api/auth/sign-in/email", &[], None)
        .await;
    let unknown = app.request("OPTIONS", "/api/auth/nope", &[], None).await;

    assert_eq!(known.status, 204);
    assert_eq!(unknown.status, 404);
}

#[actix_web::test]
async fn nulls_in_optional_fields_are_type_errors() {
    let app = spawn_app().await;

    let response = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": "a@example.com", "password": "x", "rememberMe": null, "callbackURL": null}),
            &[],
        )
        .await;

    assert_eq!(
        response.body["message"],
        "[body.callbackURL] Invalid input: expected string, received null; \
         [body.rememberMe] Invalid input: expected boolean, received null"
    );
}

#[actix_web::test]
async fn error_answers_carry_the_standard_reason_phrases() {
    let app = spawn_app().await;

    let not_found = app.status_line("GET /nope HTTP/1.1").await;
    let not_allowed = app.status_line("GET /api/auth/sign-out HTTP/1.1").await;
    let bad_request = app
        .status_line("POST /api/auth/sign-up HTTP/1.1\r\nContent-Length: 0")
        .await;
    let forbidden = app
        .status_line("POST /api/auth/sign-out HTTP/1.1\r\nCookie: a=b\r\nContent-Length: 0")
        .await;
    let ok = app.status_line("GET /healthz HTTP/1.1").await;

    assert_eq!(not_found, "HTTP/1.1 404 Not Found");
    assert_eq!(not_allowed, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(bad_request, "HTTP/1.1 400 Bad Request");
    assert_eq!(forbidden, "HTTP/1.1 403 Forbidden");
    assert_eq!(ok, "HTTP/1.1 200 OK");
}
