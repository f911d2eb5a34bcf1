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
