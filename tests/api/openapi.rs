//! The served document is the committed `openapi/openapi.json`, byte for byte: generated clients
//! read that file, so it must never drift from the code.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_served_document_equals_the_committed_file() {
    let app = spawn_app().await;
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();

    let served = app.get("/openapi.json", &[]).await;

    assert_eq!(served.header("content-type"), Some("application/json"));
    assert!(
        served.text == committed,
        "openapi/openapi.json is out of date; regenerate it with:\n  cargo run --release -- openapi > openapi/openapi.json"
    );
}

#[actix_web::test]
async fn every_operation_has_an_id_and_every_documented_path_is_served() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json", &[]).await.body;

    let mut ids = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            ids.push(id.to_owned());
            let response = app
                .request(
                    &method.to_uppercase(),
                    path,
                    &[("content-type", "application/json")],
                    Some(b"{}".to_vec()),
                )
                .await;
            if operation["responses"].get("404").is_none() {
                assert_ne!(
                    response.status, 404,
                    "{method} {path} is documented but not served"
                );
            }
            assert_ne!(
                response.status, 405,
                "{method} {path} is documented but not routed"
            );
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
}

#[actix_web::test]
async fn every_error_response_lists_its_codes() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json", &[]).await.body;

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                // The built-in reset page answers its form errors as HTML, by design.
                if response["content"].get("text/html").is_some()
                    && path == "/api/auth/reset-password-page"
                {
                    continue;
                }
                let reference = response["content"]["application/json"]["schema"]["$ref"].as_str();
                let name = reference
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .unwrap_or_default();
                let codes = &document["components"]["schemas"][name]["properties"]["code"]["enum"];
                assert!(
                    codes.as_array().is_some_and(|c| !c.is_empty()),
                    "{method} {path} {status} lists no codes"
                );
            }
        }
    }
}

#[actix_web::test]
async fn the_interactive_docs_are_served_from_the_binary_alone() {
    let app = spawn_app().await;

    let bare = app.get("/docs", &[]).await;
    let page = app.get("/docs/", &[]).await;
    let initializer = app.get("/docs/swagger-initializer.js", &[]).await;
    let script = app.get("/docs/swagger-ui-bundle.js", &[]).await;
    let document = app.get("/openapi.json", &[]).await.body;

    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location"), Some("/docs/"));
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.contains("default-src 'none'")
            && policy.contains("script-src 'self'")
            && policy.contains("connect-src 'self'")
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    for (name, text) in [
        ("the page", &page.text),
        ("the initializer", &initializer.text),
    ] {
        for url in ["http://", "https://", "//cdn", "//unpkg"] {
            assert!(!text.contains(url), "{name} refers to {url}");
        }
    }
    assert!(
        initializer.text.contains("\"/openapi.json\""),
        "{}",
        initializer.text
    );
    assert!(
        initializer.text.contains("\"validatorUrl\": \"none\""),
        "{}",
        initializer.text
    );
    assert_eq!(script.status, 200);
    assert!(
        script.text.len() > 500_000,
        "the Swagger UI bundle is served"
    );
    let paths = document["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|path| !path.starts_with("/docs")),
        "the reference's pages are not API operations"
    );
}
