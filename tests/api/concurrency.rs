use futures_util::future::join_all;
use serde_json::json;

use diesel::prelude::*;
use gatehouse::db::schema;

use crate::helpers::{PASSWORD, spawn_app, unique_email};

fn capitalized(email: &str) -> String {
    let mut chars = email.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The race guarantee the README states, on every backend: 200 sign-ups at once with one email
/// (in upper, lower and mixed case) make one user, and every other one is told the email is
/// taken. (The password-hashing queue answers 503 when more than it holds arrive at once: those
/// ask again until they get an answer, so all 200 race.)
#[actix_web::test]
async fn two_hundred_concurrent_sign_ups_with_one_email_make_exactly_one_user() {
    let app = spawn_app().await;
    let email = unique_email();
    let spellings = [email.clone(), email.to_uppercase(), capitalized(&email)];

    let responses = join_all((0..200).map(|i| {
        let body = json!({"name": "Racer", "email": spellings[i % 3], "password": PASSWORD});
        let app = &app;
        async move {
            loop {
                let response = app.sign_up(&body).await;
                if response.status != 503 {
                    return response;
                }
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }))
    .await;

    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        199,
        "{statuses:?}"
    );
    let mut conn = app.database.connect();
    let users: i64 = schema::users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(users, 1);
    for response in responses.iter().filter(|r| r.status == 422) {
        assert_eq!(response.code(), "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
    }
    let winner = responses.iter().find(|r| r.status == 200).unwrap();
    let signed_in = app.sign_in_email(&email, PASSWORD).await;
    assert_eq!(signed_in.body["user"]["id"], winner.body["user"]["id"]);
}

#[actix_web::test]
async fn concurrent_sign_ups_with_one_username_make_exactly_one_user() {
    let app = spawn_app().await;

    let responses = join_all((0..10).map(|i| {
        let body = json!({"name": "", "email": format!("racer{i}-{}", unique_email()), "password": PASSWORD, "username": "only_one"});
        let app = &app;
        async move { app.sign_up(&body).await }
    }))
    .await;

    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for response in responses.iter().filter(|r| r.status != 200) {
        assert_eq!(
            response.code(),
            "USERNAME_IS_ALREADY_TAKEN",
            "{}",
            response.text
        );
    }
}

#[actix_web::test]
async fn concurrent_sign_ins_and_session_reads_all_succeed() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let sign_ins = join_all((0..20).map(|_| app.sign_in_email(&user.email, &user.password))).await;
    let bearers: Vec<String> = sign_ins.iter().map(|r| r.auth_token()).collect();
    let reads = join_all(
        bearers
            .iter()
            .map(|bearer| app.get_session_with_bearer(bearer)),
    )
    .await;

    assert!(sign_ins.iter().all(|r| r.status == 200));
    assert!(
        reads
            .iter()
            .all(|r| r.body["user"]["id"] == user.id.as_str())
    );
    let mut tokens: Vec<&str> = sign_ins
        .iter()
        .map(|r| r.body["token"].as_str().unwrap())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), 20);
}
