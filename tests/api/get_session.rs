use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, SECRET, builder, spawn_app};

#[actix_web::test]
async fn sign_up_then_get_session_then_sign_out_then_no_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let before = app.get_session_with_cookie(&user.cookie).await;
    let signed_out = app.sign_out_with_cookie(&user.cookie).await;
    let after = app.get_session_with_cookie(&user.cookie).await;

    assert_eq!(before.status, 200);
    assert_eq!(before.body["user"]["id"], user.id.as_str());
    assert_eq!(before.body["session"]["userId"], user.id.as_str());
    assert_eq!(before.body["session"]["token"], user.token.as_str());
    assert_eq!(signed_out.body, json!({"success": true}));
    assert_eq!(after.status, 200);
    assert_eq!(after.text, "null");
}

#[actix_web::test]
async fn the_bearer_path_works_like_the_cookie_path() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let signed = app.get_session_with_bearer(&user.bearer).await;
    let raw = app.get_session_with_bearer(&user.token).await;
    let encoded = app
        .get_session_with_bearer(
            &user
                .bearer
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D"),
        )
        .await;
    app.post_json(
        "/api/auth/sign-out",
        &json!({}),
        &[("authorization", &format!("Bearer {}", user.bearer))],
    )
    .await;
    let after = app.get_session_with_bearer(&user.bearer).await;

    for response in [&signed, &raw, &encoded] {
        assert_eq!(
            response.body["user"]["id"],
            user.id.as_str(),
            "{}",
            response.text
        );
        assert_eq!(response.body["session"]["token"], user.token.as_str());
    }
    assert_eq!(after.body, Value::Null);
}

#[actix_web::test]
async fn every_answer_forbids_caching() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    for response in [
        app.get_session_with_cookie(&user.cookie).await,
        app.get("/api/auth/get-session", &[]).await,
    ] {
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert_eq!(response.header("pragma"), Some("no-cache"));
        assert_eq!(response.header("content-type"), Some("application/json"));
    }
}

#[actix_web::test]
async fn the_session_object_has_the_documented_fields() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .get(
            "/api/auth/get-session",
            &[("cookie", &user.cookie), ("user-agent", "TestAgent/1.0")],
        )
        .await;

    let session = response.body["session"].as_object().unwrap();
    let mut keys: Vec<&str> = session.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "createdAt",
            "expiresAt",
            "id",
            "ipAddress",
            "token",
            "updatedAt",
            "userAgent",
            "userId"
        ]
    );
    let user_keys: Vec<&str> = {
        let mut keys: Vec<&str> = response.body["user"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(
        user_keys,
        [
            "createdAt",
            "displayUsername",
            "email",
            "emailVerified",
            "id",
            "image",
            "name",
            "updatedAt",
            "username"
        ]
    );
}

#[actix_web::test]
async fn a_tampered_cookie_is_no_session_and_the_cookies_are_expired() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let (name, value) = user.cookie.split_once('=').unwrap();
    // Change the first character of the token: the signature no longer matches.
    let replacement = if value.starts_with('A') { "B" } else { "A" };
    let tampered_value = format!("{replacement}{}", &value[1..]);

    let tampered = app
        .get_session_with_cookie(&format!("{name}={tampered_value}"))
        .await;
    let unsigned = app
        .get_session_with_cookie(&format!("{name}={}", user.token))
        .await;
    let garbage = app.get_session_with_cookie(&format!("{name}=%%%.;;")).await;

    for response in [&tampered, &unsigned, &garbage] {
        assert_eq!(response.status, 200);
        assert_eq!(response.text, "null");
        let expired = response.set_cookies();
        assert_eq!(expired.len(), 3, "{expired:?}");
        assert!(
            expired
                .iter()
                .all(|c| c.contains("=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"))
        );
    }
}

#[actix_web::test]
async fn a_cookie_signed_with_another_secret_is_no_session() {
    let app = spawn_app().await;
    let other = builder()
        .var(
            "GATEHOUSE_SECRET",
            "another-secret-0123456789abcdef-01234567",
        )
        .database(app.database.clone())
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    let elsewhere = other.get_session_with_cookie(&user.cookie).await;

    assert_eq!(elsewhere.text, "null");
}

#[actix_web::test]
async fn rotating_the_secret_keeps_old_sessions_until_the_old_secret_is_removed() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let rotated = builder()
        .var(
            "GATEHOUSE_SECRET",
            "the-next-secret-0123456789abcdef-0123456",
        )
        .var("GATEHOUSE_SECRETS_OLD", SECRET)
        .database(app.database.clone())
        .spawn()
        .await;
    let forgotten = builder()
        .var(
            "GATEHOUSE_SECRET",
            "the-next-secret-0123456789abcdef-0123456",
        )
        .database(app.database.clone())
        .spawn()
        .await;

    let with_old_listed = rotated.get_session_with_cookie(&user.cookie).await;
    let new_sign_in = rotated.sign_in_email(&user.email, PASSWORD).await;
    let without_old = forgotten.get_session_with_cookie(&user.cookie).await;

    assert_eq!(with_old_listed.body["user"]["id"], user.id.as_str());
    assert_eq!(without_old.text, "null");
    let new_cookie = new_sign_in.session_cookie();
    assert_eq!(
        forgotten.get_session_with_cookie(&new_cookie).await.body["user"]["id"],
        user.id.as_str()
    );
}

#[actix_web::test]
async fn the_bearer_header_wins_over_the_cookie() {
    let app = spawn_app().await;
    let first = app.sign_up_user().await;
    let second = app.sign_up_user().await;

    let response = app
        .get(
            "/api/auth/get-session",
            &[
                ("cookie", &first.cookie),
                ("authorization", &format!("bearer {}", second.bearer)),
            ],
        )
        .await;

    assert_eq!(response.body["user"]["id"], second.id.as_str());
}

#[actix_web::test]
async fn an_expired_session_is_no_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    app.clock.advance(Duration::days(7) + Duration::minutes(1));
    let response = app.get_session_with_cookie(&user.cookie).await;

    assert_eq!(response.text, "null");
    assert_eq!(response.set_cookies().len(), 3);
}

#[actix_web::test]
async fn a_session_is_refreshed_once_the_update_age_has_passed() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let first = app.get_session_with_cookie(&user.cookie).await;

    app.clock.advance(Duration::hours(12));
    let too_early = app.get_session_with_cookie(&user.cookie).await;
    app.clock.advance(Duration::hours(13));
    let skipped = app
        .get(
            "/api/auth/get-session?disableRefresh=true",
            &[("cookie", &user.cookie)],
        )
        .await;
    let refreshed = app.get_session_with_cookie(&user.cookie).await;

    assert!(too_early.set_cookies().is_empty());
    assert_eq!(
        too_early.body["session"]["expiresAt"],
        first.body["session"]["expiresAt"]
    );
    assert!(skipped.set_cookies().is_empty());
    assert_eq!(
        skipped.body["session"]["expiresAt"],
        first.body["session"]["expiresAt"]
    );
    let cookie = refreshed
        .set_cookie("gatehouse.session_token")
        .expect("a re-sent cookie");
    assert!(cookie.contains("Max-Age=604800"));
    assert!(refreshed.header("set-auth-token").is_some());
    let expires = |r: &crate::helpers::TestResponse| {
        chrono::DateTime::parse_from_rfc3339(r.body["session"]["expiresAt"].as_str().unwrap())
            .unwrap()
    };
    let extension = expires(&refreshed) - expires(&first);
    assert!(extension >= Duration::hours(24), "{extension}");
    assert_eq!(refreshed.body["user"]["id"], user.id.as_str());

    // The refreshed session outlives the original expiry.
    app.clock.advance(Duration::days(6) + Duration::hours(1));
    let refreshed_cookie = refreshed.session_cookie();
    let later = app.get_session_with_cookie(&refreshed_cookie).await;
    assert_eq!(later.body["user"]["id"], user.id.as_str(), "{}", later.text);
}

#[actix_web::test]
async fn a_remember_me_false_session_ends_after_a_day() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let response = app.sign_in_forgetful(&user).await;
    let marker = response.set_cookie("gatehouse.dont_remember").unwrap();
    let cookies = format!(
        "{}; {}",
        response.session_cookie(),
        marker.split(';').next().unwrap()
    );

    app.clock.advance(Duration::hours(23));
    let still = app.get_session_with_cookie(&cookies).await;
    app.clock.advance(Duration::hours(2));
    let gone = app.get_session_with_cookie(&cookies).await;

    assert_eq!(still.body["user"]["id"], user.id.as_str());
    assert!(still.set_cookies().is_empty());
    assert_eq!(gone.text, "null");
}

#[actix_web::test]
async fn remember_me_true_expires_a_leftover_dont_remember_cookie() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let forgetful = app.sign_in_forgetful(&user).await;
    let marker = forgetful.set_cookie("gatehouse.dont_remember").unwrap();
    let marker_pair = marker.split(';').next().unwrap();

    let remembered = app
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password}),
            &[("cookie", marker_pair), ("origin", &app.address)],
        )
        .await;

    assert_eq!(remembered.status, 200, "{}", remembered.text);
    let expired = remembered.set_cookie("gatehouse.dont_remember").unwrap();
    assert!(
        expired.starts_with("gatehouse.dont_remember=; Max-Age=0"),
        "{expired}"
    );
}

#[actix_web::test]
async fn the_auth_js_session_has_the_auth_js_shape() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let session = app
        .get("/api/auth/session", &[("cookie", &user.cookie)])
        .await;
    let none = app.get("/api/auth/session", &[]).await;
    let full = app.get_session_with_cookie(&user.cookie).await;

    assert_eq!(
        session.body,
        json!({"user": {"name": "Test User", "email": user.email, "image": null}, "expires": full.body["session"]["expiresAt"]})
    );
    assert_eq!(session.header("cache-control"), Some("no-store"));
    assert_eq!(none.text, "null");
}

#[actix_web::test]
async fn ok_answers_ok() {
    let app = spawn_app().await;

    let response = app.get("/api/auth/ok", &[]).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.body, json!({"ok": true}));
}
