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
    assert_eq!(
        (ready.status, ready.body.clone()),
        (200, json!({"status": "ok"}))
    );
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
