//! The database strategy: opaque tokens stored only as SHA-256 hashes.

use chrono::Duration;
use diesel::prelude::*;
use gatehouse::config::SessionStrategy;
use gatehouse::db::schema::sessions;
use gatehouse::session::database::hash_session_token;

use crate::helpers::{TestApp, builder};

async fn spawn_database_app() -> TestApp {
    builder().strategy(SessionStrategy::Database).spawn().await
}

#[actix_web::test]
async fn only_the_hash_of_a_token_is_stored() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;

    let stored: Vec<(String, Option<String>)> = sessions::table
        .select((sessions::id, sessions::token_hash))
        .load(&mut app.database.connect())
        .unwrap();

    assert_eq!(user.token.len(), 32);
    assert!(user.token.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(stored.len(), 1);
    let (id, token_hash) = &stored[0];
    let token_hash = token_hash.as_deref().unwrap();
    assert_eq!(token_hash, hash_session_token(&user.token));
    assert_ne!(id, &user.token);
    assert!(!token_hash.contains(&user.token));
}

#[actix_web::test]
async fn a_stored_hash_presented_as_a_token_is_no_session() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;
    let session = app.get_session_with_cookie(&user.cookie).await;
    let id = session.body["session"]["id"].as_str().unwrap().to_owned();

    let by_hash = app
        .get_session_with_bearer(&hash_session_token(&user.token))
        .await;
    let by_id = app.get_session_with_bearer(&id).await;

    assert_eq!(
        [by_hash.text.as_str(), by_id.text.as_str()],
        ["null", "null"]
    );
}

#[actix_web::test]
async fn sign_out_deletes_the_row() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;

    app.sign_out_with_cookie(&user.cookie).await;

    let left: i64 = sessions::table
        .count()
        .get_result(&mut app.database.connect())
        .unwrap();
    assert_eq!(left, 0);
}

#[actix_web::test]
async fn an_expired_row_is_deleted_when_met() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;

    app.clock.advance(Duration::days(8));
    let response = app.get_session_with_cookie(&user.cookie).await;

    assert_eq!(response.text, "null");
    let left: i64 = sessions::table
        .count()
        .get_result(&mut app.database.connect())
        .unwrap();
    assert_eq!(left, 0);
}

#[actix_web::test]
async fn a_session_records_the_client_address_and_agent() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;
    let sign_in = app
        .post_json(
            "/api/auth/sign-in/email",
            &serde_json::json!({"email": user.email, "password": user.password}),
            &[
                ("user-agent", "Agent/2.0"),
                ("x-forwarded-for", "198.51.100.7"),
            ],
        )
        .await;

    let session = app.get_session_with_cookie(&sign_in.session_cookie()).await;

    assert_eq!(session.body["session"]["userAgent"], "Agent/2.0");
    // The peer is not a trusted proxy, so X-Forwarded-For is not believed.
    assert_eq!(session.body["session"]["ipAddress"], "127.0.0.1");
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_recorded() {
    let app = builder()
        .strategy(SessionStrategy::Database)
        .var("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.0/8")
        .spawn()
        .await;
    let user = app.sign_up_user().await;
    let sign_in = app
        .post_json(
            "/api/auth/sign-in/email",
            &serde_json::json!({"email": user.email, "password": user.password}),
            &[("x-forwarded-for", "203.0.113.9, 127.0.0.5")],
        )
        .await;

    let session = app.get_session_with_cookie(&sign_in.session_cookie()).await;

    assert_eq!(session.body["session"]["ipAddress"], "203.0.113.9");
}

#[actix_web::test]
async fn a_long_user_agent_is_stored_truncated() {
    let app = spawn_database_app().await;
    let user = app.sign_up_user().await;
    let agent = format!("Agent/{}", "x".repeat(4000));
    let sign_in = app
        .post_json(
            "/api/auth/sign-in/email",
            &serde_json::json!({"email": user.email, "password": user.password}),
            &[("user-agent", &agent)],
        )
        .await;

    let session = app.get_session_with_cookie(&sign_in.session_cookie()).await;

    let stored = session.body["session"]["userAgent"].as_str().unwrap();
    assert_eq!(stored, &agent[..512]);
}
