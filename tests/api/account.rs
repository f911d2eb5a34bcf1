//! change-password, verify-password, update-user, delete-user and is-username-available, on the
//! strategy the run chooses (`TEST_SESSION_STRATEGY`).

use chrono::Duration;
use diesel::prelude::*;
use gatehouse::config::SessionStrategy;
use gatehouse::db::schema::{sessions, users};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse, TestUser, builder, spawn_app};

const NEW_PASSWORD: &str = "a-brand-new-passphrase";

async fn change_password(app: &TestApp, user: &TestUser, body: Value) -> TestResponse {
    app.post_with_cookie("/api/auth/change-password", &user.cookie, &body)
        .await
}

fn error(response: &TestResponse) -> (u16, &str) {
    (response.status, response.code())
}

#[actix_web::test]
async fn change_password_keeps_every_session_unless_asked() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_from(&user, "another device").await;

    let changed = change_password(
        &app,
        &user,
        json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
    )
    .await;

    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["token"], Value::Null);
    assert_eq!(changed.body["user"]["id"], user.id.as_str());
    assert!(changed.set_cookie("gatehouse.session_token").is_none());
    assert!(app.is_signed_in(&user.cookie).await);
    assert!(app.is_signed_in(&other).await);
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
async fn change_password_with_revoke_other_sessions_starts_over_with_one_new_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_from(&user, "another device").await;

    let changed = change_password(
        &app,
        &user,
        json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "revokeOtherSessions": true}),
    )
    .await;

    assert_eq!(changed.status, 200, "{}", changed.text);
    let token = changed.body["token"].as_str().unwrap();
    assert!(changed.header("set-auth-token").is_some());
    let cookie = changed.session_cookie();
    assert!(
        !app.is_signed_in(&user.cookie).await,
        "the old session ended"
    );
    assert!(
        !app.is_signed_in(&other).await,
        "the other device is signed out"
    );
    let fresh = app.get_session_with_cookie(&cookie).await;
    assert_eq!(fresh.body["user"]["id"], user.id.as_str());
    assert_eq!(
        app.get_session_with_bearer(token).await.body["user"]["id"],
        user.id.as_str()
    );
    let listed = app
        .get("/api/auth/list-sessions", &[("cookie", &cookie)])
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
async fn the_new_session_keeps_a_forgetful_sessions_choice() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let forgetful = app.sign_in_forgetful(&user).await;
    let cookies = forgetful
        .set_cookies()
        .iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");

    let changed = app
        .post_json(
            "/api/auth/change-password",
            &json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "revokeOtherSessions": true}),
            &[("cookie", &cookies), ("origin", &app.address)],
        )
        .await;

    assert_eq!(changed.status, 200, "{}", changed.text);
    let session_cookie = changed.set_cookie("gatehouse.session_token").unwrap();
    assert!(!session_cookie.contains("Max-Age"), "{session_cookie}");
    assert!(changed.set_cookie("gatehouse.dont_remember").is_some());
}

#[actix_web::test]
async fn a_refused_change_password_changes_nothing() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_from(&user, "another device").await;

    let cases = [
        (
            json!({"currentPassword": "wrong-password", "newPassword": NEW_PASSWORD, "revokeOtherSessions": true}),
            (400, "INVALID_PASSWORD"),
        ),
        (
            json!({"currentPassword": PASSWORD, "newPassword": "short", "revokeOtherSessions": true}),
            (400, "PASSWORD_TOO_SHORT"),
        ),
        (
            json!({"currentPassword": PASSWORD, "newPassword": "é".repeat(37), "revokeOtherSessions": true}),
            (400, "PASSWORD_TOO_LONG"),
        ),
        (
            json!({"currentPassword": "x".repeat(129), "newPassword": NEW_PASSWORD}),
            (400, "PASSWORD_TOO_LONG"),
        ),
        (
            json!({"newPassword": 12_345_678}),
            (400, "VALIDATION_ERROR"),
        ),
    ];
    for (body, expected) in cases {
        let refused = change_password(&app, &user, body.clone()).await;
        assert_eq!(error(&refused), expected, "{body}: {}", refused.text);
    }

    let invalid = change_password(&app, &user, json!({"newPassword": 12_345_678})).await;
    assert_eq!(
        invalid.body["message"],
        "[body.newPassword] Invalid input: expected string, received number; [body.currentPassword] Invalid input: expected string, received undefined"
    );
    assert_eq!(
        json!(
            change_password(
                &app,
                &user,
                json!({"currentPassword": "wrong-password", "newPassword": NEW_PASSWORD})
            )
            .await
            .body["message"]
        ),
        json!("Invalid password")
    );
    assert!(app.is_signed_in(&user.cookie).await);
    assert!(app.is_signed_in(&other).await);
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn wrong_passwords_here_lock_the_account_like_failed_sign_ins() {
    let app = builder().var("GATEHOUSE_RATE_LIMIT", "on").spawn().await;
    let user = app.sign_up_user().await;

    for _ in 0..5 {
        let wrong = app
            .post_with_cookie(
                "/api/auth/verify-password",
                &user.cookie,
                &json!({"password": "wrong-password"}),
            )
            .await;
        assert_eq!(error(&wrong), (400, "INVALID_PASSWORD"));
    }

    let locked = change_password(
        &app,
        &user,
        json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(error(&locked), (429, "TOO_MANY_REQUESTS"));
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 429);
}

#[actix_web::test]
async fn verify_password_answers_status_true_for_the_right_password() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let right = app
        .post_with_cookie(
            "/api/auth/verify-password",
            &user.cookie,
            &json!({"password": PASSWORD}),
        )
        .await;
    let missing = app
        .post_with_cookie("/api/auth/verify-password", &user.cookie, &json!({}))
        .await;
    let anonymous = app
        .post_json(
            "/api/auth/verify-password",
            &json!({"password": PASSWORD}),
            &[],
        )
        .await;

    assert_eq!(right.body, json!({"status": true}));
    assert_eq!(error(&missing), (400, "VALIDATION_ERROR"));
    assert_eq!(error(&anonymous), (401, "UNAUTHORIZED"));
}

async fn update(app: &TestApp, user: &TestUser, body: Value) -> TestResponse {
    app.post_with_cookie("/api/auth/update-user", &user.cookie, &body)
        .await
}

/// The stored profile (a JWT's claims would show the sign-in's copy).
fn stored_profile(
    app: &TestApp,
    user: &TestUser,
) -> (String, Option<String>, Option<String>, Option<String>) {
    users::table
        .find(&user.id)
        .select((
            users::name,
            users::image,
            users::username,
            users::display_username,
        ))
        .first(&mut app.database.connect())
        .unwrap()
}

#[actix_web::test]
async fn update_user_refuses_each_bad_field_and_changes_nothing() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let holder = app
        .sign_up(&json!({"name": "", "email": crate::helpers::unique_email(), "password": PASSWORD, "username": "taken_name"}))
        .await;
    assert_eq!(holder.status, 200, "{}", holder.text);
    let before = stored_profile(&app, &user);

    let expected_type =
        |field: &str| format!("[body.{field}] Invalid input: expected string, received number");
    let cases: Vec<(Value, (u16, &str), Option<String>)> = vec![
        (
            json!({"name": 42}),
            (400, "VALIDATION_ERROR"),
            Some(expected_type("name")),
        ),
        (
            json!({"image": 42}),
            (400, "VALIDATION_ERROR"),
            Some(expected_type("image")),
        ),
        (
            json!({"username": 123}),
            (400, "VALIDATION_ERROR"),
            Some(expected_type("username")),
        ),
        (
            json!({"displayUsername": 1}),
            (400, "VALIDATION_ERROR"),
            Some(expected_type("displayUsername")),
        ),
        (
            json!({"name": "n".repeat(257)}),
            (400, "VALIDATION_ERROR"),
            Some("[body.name] Too big: expected string to have <=256 characters".to_owned()),
        ),
        (
            json!({"image": "i".repeat(2049)}),
            (400, "VALIDATION_ERROR"),
            None,
        ),
        (json!({"name": "a\u{0}b"}), (400, "VALIDATION_ERROR"), None),
        (
            json!([]),
            (400, "VALIDATION_ERROR"),
            Some("[body] Invalid input: expected record, received array".to_owned()),
        ),
        (
            json!({"email": "new@example.com", "name": "x"}),
            (400, "EMAIL_CAN_NOT_BE_UPDATED"),
            Some("Email can not be updated".to_owned()),
        ),
        (
            json!({}),
            (400, "NO_FIELDS_TO_UPDATE"),
            Some("No fields to update".to_owned()),
        ),
        (
            json!({"email": "", "emailVerified": true}),
            (400, "NO_FIELDS_TO_UPDATE"),
            None,
        ),
        (json!({"username": "ab"}), (400, "USERNAME_TOO_SHORT"), None),
        (
            json!({"username": "a".repeat(31)}),
            (400, "USERNAME_TOO_LONG"),
            None,
        ),
        (
            json!({"username": "not valid!"}),
            (400, "INVALID_USERNAME"),
            None,
        ),
        (
            json!({"displayUsername": "d".repeat(101)}),
            (400, "INVALID_DISPLAY_USERNAME"),
            Some("Display username is invalid".to_owned()),
        ),
        (
            json!({"displayUsername": "tab\there"}),
            (400, "INVALID_DISPLAY_USERNAME"),
            None,
        ),
        (
            json!({"username": "Taken_Name", "name": "x"}),
            (400, "USERNAME_IS_ALREADY_TAKEN"),
            None,
        ),
    ];
    for (body, expected, message) in cases {
        let refused = update(&app, &user, body.clone()).await;
        assert_eq!(error(&refused), expected, "{body}: {}", refused.text);
        if let Some(message) = message {
            assert_eq!(refused.body["message"], message.as_str(), "{body}");
        }
    }

    assert_eq!(stored_profile(&app, &user), before);
}

#[actix_web::test]
async fn update_user_changes_the_profile_and_re_sends_the_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let updated = update(
        &app,
        &user,
        json!({"name": "Renamed", "image": "https://example.com/a.png", "username": "New_Name", "id": "ignored"}),
    )
    .await;

    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body, json!({"status": true}));
    let token = updated.header("set-auth-token").unwrap().to_owned();
    let cookie = updated.session_cookie();
    let seen = app.get_session_with_cookie(&cookie).await;
    assert_eq!(seen.body["user"]["name"], "Renamed");
    assert_eq!(seen.body["user"]["image"], "https://example.com/a.png");
    assert_eq!(seen.body["user"]["username"], "new_name");
    assert_eq!(seen.body["user"]["displayUsername"], "New_Name");
    assert_eq!(seen.body["user"]["id"], user.id.as_str());
    assert_eq!(
        app.get_session_with_bearer(&token).await.body["user"]["name"],
        "Renamed"
    );

    let cleared = app
        .post_with_cookie(
            "/api/auth/update-user",
            &cookie,
            &json!({"image": null, "username": null}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    let seen = app.get_session_with_cookie(&cleared.session_cookie()).await;
    assert_eq!(seen.body["user"]["image"], Value::Null);
    assert_eq!(seen.body["user"]["username"], Value::Null);
    assert_eq!(
        seen.body["user"]["displayUsername"], "New_Name",
        "kept when the username is cleared"
    );
}

#[actix_web::test]
async fn a_new_username_carries_a_matching_display_username_and_keeps_a_custom_one() {
    let app = spawn_app().await;
    let plain = app
        .sign_up(&json!({"name": "", "email": crate::helpers::unique_email(), "password": PASSWORD, "username": "old_one"}))
        .await;
    let custom = app
        .sign_up(&json!({"name": "", "email": crate::helpers::unique_email(), "password": PASSWORD, "username": "old_two", "displayUsername": "The Second"}))
        .await;
    let (plain, custom) = (plain.session_cookie(), custom.session_cookie());

    let own_case = app
        .post_with_cookie(
            "/api/auth/update-user",
            &plain,
            &json!({"username": "OLD_one"}),
        )
        .await;
    assert_eq!(
        own_case.status, 200,
        "the caller's own username in another case: {}",
        own_case.text
    );
    let renamed = app
        .post_with_cookie(
            "/api/auth/update-user",
            &custom,
            &json!({"username": "New_Two"}),
        )
        .await;

    // The re-sent cookies: in the jwt strategy the old tokens keep their old claims.
    let plain = app
        .get_session_with_cookie(&own_case.session_cookie())
        .await
        .body["user"]
        .clone();
    let custom = app
        .get_session_with_cookie(&renamed.session_cookie())
        .await
        .body["user"]
        .clone();
    assert_eq!(
        (
            plain["username"].as_str(),
            plain["displayUsername"].as_str()
        ),
        (Some("old_one"), Some("OLD_one"))
    );
    assert_eq!(
        (
            custom["username"].as_str(),
            custom["displayUsername"].as_str()
        ),
        (Some("new_two"), Some("The Second"))
    );
}

#[actix_web::test]
async fn a_jwt_re_issued_by_update_user_keeps_the_session_and_its_sign_in_time() {
    use base64::Engine as _;
    let app = builder().strategy(SessionStrategy::Jwt).spawn().await;
    let user = app.sign_up_user().await;
    let claims = |token: &str| -> Value {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    app.clock.advance(Duration::minutes(5));

    let updated = update(&app, &user, json!({"name": "Claimed"})).await;

    let reissued = updated.header("set-auth-token").unwrap();
    let (old, new) = (claims(&user.token), claims(reissued));
    assert_eq!(new["name"], "Claimed");
    assert_eq!(new["sid"], old["sid"]);
    assert_eq!(new["auth_time"], old["auth_time"]);
    assert_ne!(new["jti"], old["jti"]);
    assert!(new["iat"].as_i64() > old["iat"].as_i64());
}

async fn delete_user(app: &TestApp, cookie: &str, body: Value) -> TestResponse {
    app.post_with_cookie("/api/auth/delete-user", cookie, &body)
        .await
}

#[actix_web::test]
async fn delete_user_is_not_found_unless_switched_on() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let refused = delete_user(&app, &user.cookie, json!({"password": PASSWORD})).await;

    assert_eq!(
        refused.body,
        json!({"code": "NOT_FOUND", "message": "Not found"})
    );
    assert_eq!(refused.status, 404);
    assert!(app.is_signed_in(&user.cookie).await);
}

async fn spawn_deleting_app() -> TestApp {
    builder().var("GATEHOUSE_DELETE_USER", "on").spawn().await
}

#[actix_web::test]
async fn delete_user_with_the_password_removes_the_user_and_every_session() {
    let app = spawn_deleting_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_from(&user, "another device").await;
    let bystander = app.sign_up_user().await;

    let deleted = delete_user(&app, &user.cookie, json!({"password": PASSWORD})).await;

    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(
        deleted.body,
        json!({"success": true, "message": "User deleted"})
    );
    let expired = deleted.set_cookie("gatehouse.session_token").unwrap();
    assert!(expired.contains("Max-Age=0"), "{expired}");
    assert!(!app.is_signed_in(&user.cookie).await);
    assert!(!app.is_signed_in(&other).await);
    assert_eq!(app.get_session_with_bearer(&user.token).await.text, "null");
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    let mut conn = app.database.connect();
    let users_left: i64 = users::table
        .filter(users::id.eq(&user.id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let sessions_left: i64 = sessions::table
        .filter(sessions::user_id.eq(&user.id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!((users_left, sessions_left), (0, 0));
    assert!(app.is_signed_in(&bystander.cookie).await);
}

#[actix_web::test]
async fn a_refused_delete_user_deletes_nothing() {
    let app = spawn_deleting_app().await;
    let user = app.sign_up_user().await;

    let wrong = delete_user(&app, &user.cookie, json!({"password": "wrong-password"})).await;
    let token = delete_user(&app, &user.cookie, json!({"token": "no-such-token"})).await;
    let malformed = delete_user(&app, &user.cookie, json!({"password": 7})).await;
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let stale = delete_user(&app, &user.cookie, json!({})).await;

    assert_eq!(error(&wrong), (400, "INVALID_PASSWORD"));
    assert_eq!(error(&token), (404, "INVALID_TOKEN"));
    assert_eq!(error(&malformed), (400, "VALIDATION_ERROR"));
    assert_eq!(error(&stale), (400, "SESSION_EXPIRED"));
    assert_eq!(
        stale.body["message"],
        "Session expired. Re-authenticate to perform this action."
    );
    assert!(app.is_signed_in(&user.cookie).await);
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 200);

    let with_password = delete_user(&app, &user.cookie, json!({"password": PASSWORD})).await;
    assert_eq!(
        with_password.status, 200,
        "a stale session deletes with the password: {}",
        with_password.text
    );
}

#[actix_web::test]
async fn a_fresh_session_deletes_without_a_password() {
    let app = spawn_deleting_app().await;
    let user = app.sign_up_user().await;

    let deleted = delete_user(&app, &user.cookie, json!({})).await;

    assert_eq!(
        deleted.body,
        json!({"success": true, "message": "User deleted"})
    );
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
}

#[actix_web::test]
async fn a_deleted_users_jwt_is_refused_by_every_instance_within_a_second() {
    let first = builder()
        .strategy(SessionStrategy::Jwt)
        .var("GATEHOUSE_DELETE_USER", "on")
        .spawn()
        .await;
    let second = builder()
        .strategy(SessionStrategy::Jwt)
        .database(first.database.clone())
        .spawn()
        .await;
    let user = first.sign_up_user().await;
    assert!(second.is_signed_in(&user.cookie).await);

    delete_user(&first, &user.cookie, json!({"password": PASSWORD})).await;
    second.signed_out_within_a_second(&user.cookie).await;
}

#[actix_web::test]
async fn is_username_available_checks_the_rules_then_any_case() {
    let app = spawn_app().await;
    let taken = app
        .sign_up(&json!({"name": "", "email": crate::helpers::unique_email(), "password": PASSWORD, "username": "bob_1"}))
        .await;
    assert_eq!(taken.status, 200);
    let ask = |username: Value| {
        let app = &app;
        async move {
            app.post_json(
                "/api/auth/is-username-available",
                &json!({"username": username}),
                &[],
            )
            .await
        }
    };

    assert_eq!(ask(json!("BOB_1")).await.body, json!({"available": false}));
    assert_eq!(ask(json!("bob_2")).await.body, json!({"available": true}));
    assert_eq!(error(&ask(json!("")).await), (422, "INVALID_USERNAME"));
    assert_eq!(error(&ask(json!("ab")).await), (422, "USERNAME_TOO_SHORT"));
    assert_eq!(
        error(&ask(json!("b".repeat(31))).await),
        (422, "USERNAME_TOO_LONG")
    );
    assert_eq!(error(&ask(json!("bob 1")).await), (422, "INVALID_USERNAME"));
    let missing = app
        .post_json("/api/auth/is-username-available", &json!({}), &[])
        .await;
    assert_eq!(
        missing.body,
        json!({"code": "VALIDATION_ERROR", "message": "[body.username] Invalid input: expected string, received undefined"})
    );
}
