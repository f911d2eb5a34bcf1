use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, unique_email};

#[actix_web::test]
async fn signing_in_by_email_creates_a_new_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .sign_in_email(&user.email.to_uppercase(), &user.password)
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["redirect"], false);
    assert!(response.body.get("url").is_none());
    assert_eq!(response.body["user"]["id"], user.id.as_str());
    let token = response.body["token"].as_str().unwrap();
    assert_ne!(token, user.token);
    assert!(response.auth_token().starts_with(&format!("{token}.")));
    let session = app
        .get_session_with_cookie(&response.session_cookie())
        .await;
    assert_eq!(session.body["session"]["token"], token);
}

#[actix_web::test]
async fn every_sign_in_path_signs_in_by_username() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(&json!({"name": "", "email": email, "password": PASSWORD, "username": "Al_99"}))
        .await;

    let by_username = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": "AL_99", "password": PASSWORD}),
            &[],
        )
        .await;
    let canonical = app
        .post_json(
            "/api/auth/sign-in",
            &json!({"username": "al_99", "password": PASSWORD}),
            &[],
        )
        .await;
    let canonical_email = app
        .post_json(
            "/api/auth/sign-in",
            &json!({"email": email, "password": PASSWORD}),
            &[],
        )
        .await;

    assert_eq!(
        [by_username.status, canonical.status, canonical_email.status],
        [200, 200, 200]
    );
    assert_eq!(by_username.body["user"]["email"], email.as_str());
    assert_eq!(canonical.body["user"]["displayUsername"], "Al_99");
}

#[actix_web::test]
async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let unknown = app
        .sign_in_email("nobody@example.com", &user.password)
        .await;
    let wrong = app.sign_in_email(&user.email, "not-the-password").await;

    assert_eq!([unknown.status, wrong.status], [401, 401]);
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(
        unknown.body,
        json!({"message": "Invalid email or password", "code": "INVALID_EMAIL_OR_PASSWORD"})
    );
    assert!(unknown.set_cookies().is_empty() && wrong.set_cookies().is_empty());
}

#[actix_web::test]
async fn an_unknown_username_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    app.sign_up(&json!({"name": "", "email": unique_email(), "password": PASSWORD, "username": "known_one"}))
        .await;

    let unknown = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": "unknown_one", "password": PASSWORD}),
            &[],
        )
        .await;
    let wrong = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": "known_one", "password": "wrong-password"}),
            &[],
        )
        .await;

    assert_eq!(unknown.body, wrong.body);
    assert_eq!(
        unknown.body,
        json!({"message": "Invalid username or password", "code": "INVALID_USERNAME_OR_PASSWORD"})
    );
}

#[actix_web::test]
async fn a_malformed_identifier_has_its_own_code() {
    let app = spawn_app().await;

    let email = app.sign_in_email("not-an-email", PASSWORD).await;
    let short = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": "x", "password": PASSWORD}),
            &[],
        )
        .await;
    let invalid = app
        .post_json(
            "/api/auth/sign-in",
            &json!({"username": "bad name", "password": PASSWORD}),
            &[],
        )
        .await;

    assert_eq!(email.status, 400);
    assert_eq!(
        email.body,
        json!({"message": "Invalid email", "code": "INVALID_EMAIL"})
    );
    assert_eq!([short.status, invalid.status], [422, 422]);
    assert_eq!(
        [short.code(), invalid.code()],
        ["USERNAME_TOO_SHORT", "INVALID_USERNAME"]
    );
    assert_eq!(short.body["message"], "Username is too short");
}

#[actix_web::test]
async fn an_overlong_password_is_refused_and_one_over_72_bytes_never_matches() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let over_128 = app.sign_in_email(&user.email, &"a".repeat(129)).await;
    let over_72_bytes = app.sign_in_email(&user.email, &"a".repeat(73)).await;

    assert_eq!(over_128.status, 400);
    assert_eq!(over_128.code(), "PASSWORD_TOO_LONG");
    assert_eq!(over_72_bytes.status, 401);
    assert_eq!(over_72_bytes.code(), "INVALID_EMAIL_OR_PASSWORD");
}

#[actix_web::test]
async fn there_is_no_minimum_password_length_on_sign_in() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app.sign_in_email(&user.email, "x").await;

    assert_eq!(response.code(), "INVALID_EMAIL_OR_PASSWORD");
}

#[actix_web::test]
async fn a_callback_url_makes_a_redirect_answer_with_status_200() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password, "callbackURL": "/dashboard"}),
            &[],
        )
        .await;
    let untrusted = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password, "callbackURL": "https://evil.example.net/"}),
            &[],
        )
        .await;

    assert_eq!(response.status, 200);
    assert_eq!(response.body["redirect"], true);
    assert_eq!(response.body["url"], "/dashboard");
    assert_eq!(response.header("location"), Some("/dashboard"));
    assert_eq!(untrusted.status, 403);
    assert_eq!(untrusted.code(), "INVALID_CALLBACK_URL");
}

#[actix_web::test]
async fn sign_in_validation_lists_the_fields_of_its_path() {
    let app = spawn_app().await;

    let email_path = app
        .post_json("/api/auth/sign-in/email", &json!({"rememberMe": 1}), &[])
        .await;
    let username_path = app
        .post_json("/api/auth/sign-in/username", &json!({"password": 5}), &[])
        .await;

    assert_eq!(
        email_path.body["message"],
        "[body.email] Invalid input: expected string, received undefined; \
         [body.password] Invalid input: expected string, received undefined; \
         [body.rememberMe] Invalid input: expected boolean, received number"
    );
    assert_eq!(
        username_path.body["message"],
        "[body.username] Invalid input: expected string, received undefined; \
         [body.password] Invalid input: expected string, received number"
    );
}

#[actix_web::test]
async fn form_encoded_sign_in_works() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let form = format!(
        "email={}&password={}",
        user.email.replace('@', "%40"),
        user.password
    );

    let response = app
        .request(
            "POST",
            "/api/auth/sign-in/email",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )],
            Some(form.into_bytes()),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["user"]["id"], user.id.as_str());
}

#[actix_web::test]
async fn remember_me_false_makes_a_browser_session_cookie_and_marks_it() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app.sign_in_forgetful(&user).await;

    let session_cookie = response.set_cookie("gatehouse.session_token").unwrap();
    assert!(!session_cookie.contains("Max-Age"), "{session_cookie}");
    let marker = response.set_cookie("gatehouse.dont_remember").unwrap();
    assert!(
        marker.starts_with("gatehouse.dont_remember=true."),
        "{marker}"
    );
    assert!(!marker.contains("Max-Age"));
    let browser_cookies = format!(
        "{}; {}",
        response.session_cookie(),
        marker.split(';').next().unwrap()
    );
    let session = app.get_session_with_cookie(&browser_cookies).await;
    assert!(
        session.set_cookies().is_empty(),
        "no refresh while dont_remember is present"
    );
    let created = chrono::DateTime::parse_from_rfc3339(
        session.body["session"]["createdAt"].as_str().unwrap(),
    )
    .unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(
        session.body["session"]["expiresAt"].as_str().unwrap(),
    )
    .unwrap();
    let lifetime = expires - created;
    assert!(
        lifetime <= chrono::Duration::days(1) && lifetime > chrono::Duration::hours(23),
        "{lifetime}"
    );
}

/// Session rows of a user: what a refused request must not have added.
fn stored_sessions(app: &crate::helpers::TestApp, user_id: &str) -> i64 {
    use diesel::prelude::*;
    use gatehouse::db::schema::sessions;
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .count()
        .get_result(&mut app.database.connect())
        .unwrap()
}

#[actix_web::test]
async fn a_callback_url_with_a_control_character_is_refused_before_any_session_is_made() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let before = stored_sessions(&app, &user.id);

    let mut answers = Vec::new();
    for callback in [
        "http://app.example.test/a\u{1}",
        "/a\r\nSet-Cookie: evil=1",
        "/tab\there",
    ] {
        answers.push(
            app.post_json(
                "/api/auth/sign-in/email",
                &json!({"email": user.email, "password": user.password, "callbackURL": callback}),
                &[],
            )
            .await,
        );
    }

    for answer in &answers {
        assert_eq!(answer.status, 403, "{}", answer.text);
        assert_eq!(answer.code(), "INVALID_CALLBACK_URL");
        assert!(answer.set_cookies().is_empty());
        assert_eq!(answer.header("set-auth-token"), None);
    }
    assert_eq!(stored_sessions(&app, &user.id), before);
}

#[actix_web::test]
async fn a_non_ascii_callback_url_is_percent_encoded_in_location_and_echoed_as_given() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password, "callbackURL": "/café au lait"}),
            &[],
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["url"], "/café au lait");
    assert_eq!(response.header("location"), Some("/caf%C3%A9%20au%20lait"));
}

#[actix_web::test]
async fn an_email_over_254_characters_is_an_invalid_email_before_any_lookup() {
    let app = spawn_app().await;
    let long = format!("{}@example.com", "a".repeat(3000));
    let longest = format!("{}@example.com", "a".repeat(254 - "@example.com".len()));

    let refused = app.sign_in_email(&long, PASSWORD).await;
    let unknown = app.sign_in_email(&longest, PASSWORD).await;

    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.body,
        json!({"message": "Invalid email", "code": "INVALID_EMAIL"})
    );
    assert_eq!(unknown.code(), "INVALID_EMAIL_OR_PASSWORD");
}
