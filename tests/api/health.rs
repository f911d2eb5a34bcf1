use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;

    let live = app.get("/healthz", &[]).await;
    let ready = app.get("/readyz", &[]).await;

    assert_eq!(
        (live.status, live.body.clone()),
        (200, json!({"status": "ok"}))
    );
    // The database strategy's session cache says whether it is in use (see session_cache.rs).
    let ready_body = match crate::helpers::default_strategy() {
        gatehouse::config::SessionStrategy::Database => {
            json!({"status": "ok", "sessionCache": "on"})
        }
        gatehouse::config::SessionStrategy::Jwt => json!({"status": "ok"}),
    };
    assert_eq!((ready.status, ready.body.clone()), (200, ready_body));
}

#[actix_web::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;

    let response = app.get("/openapi.json", &[]).await;

    assert_eq!(response.status, 200);
    assert!(
        response.body["openapi"]
            .as_str()
            .unwrap()
            .starts_with("3.1")
    );
    let paths = response.body["paths"].as_object().unwrap();
    for path in [
        "/api/auth/sign-up",
        "/api/auth/sign-up/email",
        "/api/auth/sign-in",
        "/api/auth/sign-in/email",
        "/api/auth/sign-in/username",
        "/api/auth/sign-out",
        "/api/auth/get-session",
        "/api/auth/session",
        "/api/auth/ok",
        "/healthz",
        "/readyz",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
}

/// The headers and the body of a raw answer.
fn split_answer(answer: &str) -> (String, String) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    (head.to_ascii_lowercase(), body.to_owned())
}

fn content_length(head: &str) -> Option<String> {
    head.lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map(str::to_owned)
}

#[actix_web::test]
async fn head_answers_every_get_route_as_get_without_a_body() {
    let app = spawn_app().await;

    for path in [
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/docs/",
        "/api/auth/ok",
        "/api/auth/get-session",
        "/api/auth/session",
    ] {
        let (get_head, get_body) =
            split_answer(&app.raw_exchange(&format!("GET {path} HTTP/1.1")).await);
        let (head_head, head_body) =
            split_answer(&app.raw_exchange(&format!("HEAD {path} HTTP/1.1")).await);

        assert!(
            head_head.starts_with("http/1.1 200 ok"),
            "{path}: {head_head}"
        );
        assert_eq!(head_body, "", "{path}: HEAD sent a body");
        assert!(!get_body.is_empty(), "{path}: GET sent no body");
        assert_eq!(
            content_length(&head_head),
            content_length(&get_head),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn head_on_a_post_only_route_is_405() {
    let app = spawn_app().await;

    let answer = app.status_line("HEAD /api/auth/sign-out HTTP/1.1").await;

    assert_eq!(answer, "HTTP/1.1 405 Method Not Allowed");
}
