//! list-sessions, revoke-session, revoke-sessions and revoke-other-sessions, on the strategy the
//! run chooses (`TEST_SESSION_STRATEGY`); the jwt registry and cross-instance revocation below.

use chrono::Duration;
use diesel::prelude::*;
use futures_util::future::join_all;
use gatehouse::config::SessionStrategy;
use gatehouse::db::schema::{sessions, users};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, builder, spawn_app};

async fn list(app: &TestApp, cookie: &str) -> TestResponse {
    app.get("/api/auth/list-sessions", &[("cookie", cookie)])
        .await
}

async fn session_id(app: &TestApp, cookie: &str) -> String {
    let session = app.get_session_with_cookie(cookie).await;
    session.body["session"]["id"].as_str().unwrap().to_owned()
}

fn ids(listed: &TestResponse) -> Vec<String> {
    listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_second_devices_session_is_listed_then_revoked_by_its_handle() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let laptop = app.sign_in_from(&user, "the lost laptop").await;
    let (phone_id, laptop_id) = (
        session_id(&app, &user.cookie).await,
        session_id(&app, &laptop).await,
    );

    let listed = list(&app, &user.cookie).await;

    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.header("cache-control"), Some("no-store"));
    assert_eq!(ids(&listed), [phone_id.clone(), laptop_id.clone()]);
    let item = &listed.body[1];
    assert_eq!(item["token"], item["id"], "a handle, not the token");
    assert_eq!(item["userId"], user.id.as_str());
    assert_eq!(item["userAgent"], "the lost laptop");
    for key in ["expiresAt", "createdAt", "updatedAt", "ipAddress"] {
        assert!(item.get(key).is_some(), "{key} missing from {item}");
    }

    let revoked = app
        .post_with_cookie(
            "/api/auth/revoke-session",
            &user.cookie,
            &json!({"token": laptop_id}),
        )
        .await;

    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.body, json!({"status": true}));
    assert!(
        revoked.set_cookies().is_empty(),
        "this device stays signed in"
    );
    assert!(!app.is_signed_in(&laptop).await);
    assert!(app.is_signed_in(&user.cookie).await);
    assert_eq!(ids(&list(&app, &user.cookie).await), [phone_id]);
}

#[actix_web::test]
async fn a_listed_handle_signs_nobody_in() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let listed = list(&app, &user.cookie).await;
    let handle = listed.body[0]["token"].as_str().unwrap();

    assert_eq!(app.get_session_with_bearer(handle).await.text, "null");
    assert!(!listed.text.contains(&user.token));
}

#[actix_web::test]
async fn a_session_can_be_revoked_by_any_of_its_tokens() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let by_raw = app.sign_in_email(&user.email, &user.password).await;
    let by_signed = app.sign_in_email(&user.email, &user.password).await;

    for (token, cookie) in [
        (
            by_raw.body["token"].as_str().unwrap(),
            by_raw.session_cookie(),
        ),
        (&by_signed.auth_token(), by_signed.session_cookie()),
    ] {
        let revoked = app
            .post_with_cookie(
                "/api/auth/revoke-session",
                &user.cookie,
                &json!({"token": token}),
            )
            .await;
        assert_eq!(revoked.body, json!({"status": true}));
        assert!(!app.is_signed_in(&cookie).await, "{token}");
    }
    assert!(app.is_signed_in(&user.cookie).await);
}

#[actix_web::test]
async fn another_users_session_is_never_revoked() {
    let app = spawn_app().await;
    let victim = app.sign_up_user().await;
    let attacker = app.sign_up_user().await;
    let victim_id = session_id(&app, &victim.cookie).await;

    for token in [victim_id.as_str(), &victim.token, &victim.bearer, "no-such"] {
        let revoked = app
            .post_with_cookie(
                "/api/auth/revoke-session",
                &attacker.cookie,
                &json!({"token": token}),
            )
            .await;
        assert_eq!(revoked.status, 200, "{}", revoked.text);
        assert_eq!(revoked.body, json!({"status": true}));
    }

    assert!(app.is_signed_in(&victim.cookie).await);
    assert!(app.is_signed_in(&attacker.cookie).await);
}

#[actix_web::test]
async fn revoking_the_current_session_expires_the_cookies() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let id = session_id(&app, &user.cookie).await;

    let revoked = app
        .post_with_cookie(
            "/api/auth/revoke-session",
            &user.cookie,
            &json!({"token": id}),
        )
        .await;

    assert_eq!(revoked.body, json!({"status": true}));
    let expired = revoked.set_cookie("gatehouse.session_token").unwrap();
    assert!(expired.contains("Max-Age=0"), "{expired}");
    assert!(!app.is_signed_in(&user.cookie).await);
}

#[actix_web::test]
async fn revoke_other_sessions_keeps_only_the_current_one() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let others = [
        app.sign_in_from(&user, "tablet").await,
        app.sign_in_from(&user, "desktop").await,
    ];

    let revoked = app
        .post_with_cookie("/api/auth/revoke-other-sessions", &user.cookie, &json!({}))
        .await;

    assert_eq!(revoked.body, json!({"status": true}));
    assert!(revoked.set_cookies().is_empty());
    for other in &others {
        assert!(!app.is_signed_in(other).await);
    }
    assert!(app.is_signed_in(&user.cookie).await);
    assert_eq!(
        ids(&list(&app, &user.cookie).await),
        [session_id(&app, &user.cookie).await]
    );
}

#[actix_web::test]
async fn revoke_sessions_ends_every_session_and_expires_the_cookies() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_from(&user, "tablet").await;
    let bystander = app.sign_up_user().await;

    let revoked = app
        .post_with_cookie("/api/auth/revoke-sessions", &user.cookie, &json!({}))
        .await;

    assert_eq!(revoked.body, json!({"status": true}));
    let expired = revoked.set_cookie("gatehouse.session_token").unwrap();
    assert!(expired.contains("Max-Age=0"), "{expired}");
    assert!(!app.is_signed_in(&user.cookie).await);
    assert!(!app.is_signed_in(&other).await);
    assert!(app.is_signed_in(&bystander.cookie).await);
}

#[actix_web::test]
async fn listing_needs_a_fresh_sign_in_and_a_refresh_does_not_make_one() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    // A sliding refresh: the session lives on, its sign-in stays a day old.
    let refreshed = app.get_session_with_cookie(&user.cookie).await;
    assert_ne!(refreshed.text, "null");
    let cookie = match refreshed.set_cookie("gatehouse.session_token") {
        Some(set) => set.split(';').next().unwrap().to_owned(),
        None => user.cookie.clone(),
    };

    let stale = list(&app, &cookie).await;

    assert_eq!(stale.status, 403, "{}", stale.text);
    assert_eq!(
        stale.body,
        json!({"code": "SESSION_NOT_FRESH", "message": "Session is not fresh"})
    );
    let signed_in = app.sign_in_email(&user.email, &user.password).await;
    assert_eq!(list(&app, &signed_in.session_cookie()).await.status, 200);
}

#[actix_web::test]
async fn a_fresh_age_of_zero_keeps_every_session_fresh() {
    let app = builder().var("GATEHOUSE_FRESH_AGE", "0").spawn().await;
    let user = app.sign_up_user().await;
    app.clock.advance(Duration::days(6));

    assert_eq!(list(&app, &user.cookie).await.status, 200);
}

#[actix_web::test]
async fn without_a_session_each_endpoint_is_401_and_bodies_are_checked() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let nobody = "gatehouse.session_token=forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    let listed = list(&app, nobody).await;
    assert_eq!((listed.status, listed.code()), (401, "UNAUTHORIZED"));
    for path in [
        "/api/auth/revoke-session",
        "/api/auth/revoke-sessions",
        "/api/auth/revoke-other-sessions",
    ] {
        let answer = app
            .post_with_cookie(path, nobody, &json!({"token": "x"}))
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "UNAUTHORIZED"),
            "{path}"
        );
        assert_eq!(answer.body["message"], "Unauthorized");
        let untrusted = app
            .post_json(
                path,
                &json!({"token": "x"}),
                &[("cookie", &user.cookie), ("origin", "https://evil.example")],
            )
            .await;
        assert_eq!(
            (untrusted.status, untrusted.code()),
            (403, "INVALID_ORIGIN")
        );
    }
    assert!(
        app.is_signed_in(&user.cookie).await,
        "a refused request revoked nothing"
    );

    let no_token = app
        .post_with_cookie("/api/auth/revoke-session", &user.cookie, &json!({}))
        .await;
    assert_eq!(
        no_token.body,
        json!({"code": "VALIDATION_ERROR", "message": "[body.token] Invalid input: expected string, received undefined"})
    );
    let not_an_object = app
        .post_with_cookie("/api/auth/revoke-sessions", &user.cookie, &json!([]))
        .await;
    assert_eq!(not_an_object.code(), "VALIDATION_ERROR");
    assert!(app.is_signed_in(&user.cookie).await);
}

#[actix_web::test]
async fn a_deleted_user_has_no_session_here_whatever_the_token_says() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    diesel::delete(users::table.find(&user.id))
        .execute(&mut app.database.connect())
        .unwrap();

    let listed = list(&app, &user.cookie).await;

    assert_eq!((listed.status, listed.code()), (401, "UNAUTHORIZED"));
}

#[actix_web::test]
async fn sign_ins_racing_revoke_sessions_leave_no_earlier_session_alive() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let mut earlier = Vec::new();
    for n in 0..5 {
        earlier.push(app.sign_in_from(&user, &format!("before {n}")).await);
    }

    let empty = json!({});
    let revoke = app.post_with_cookie("/api/auth/revoke-sessions", &user.cookie, &empty);
    let racing = join_all((0..8).map(|n| {
        let (app, user) = (&app, &user);
        async move { app.sign_in_from(user, &format!("racing {n}")).await }
    }));
    let (revoked, racing) = futures_util::future::join(revoke, racing).await;
    assert_eq!(revoked.body, json!({"status": true}));

    for cookie in &earlier {
        assert!(
            !app.is_signed_in(cookie).await,
            "a session from before the revoke lives"
        );
    }
    // Whatever the race left alive is exactly what its owner sees listed.
    let mut alive = Vec::new();
    for cookie in &racing {
        if app.is_signed_in(cookie).await {
            alive.push(session_id(&app, cookie).await);
        }
    }
    let auditor = app.sign_in_from(&user, "auditor").await;
    let auditor_id = session_id(&app, &auditor).await;
    let mut listed = ids(&list(&app, &auditor).await);
    listed.retain(|id| *id != auditor_id);
    alive.sort();
    listed.sort();
    assert_eq!(listed, alive);
}

#[actix_web::test]
async fn every_jwt_session_has_a_registry_row_and_no_stored_token() {
    let app = builder().strategy(SessionStrategy::Jwt).spawn().await;
    let user = app.sign_up_user().await;
    let sid = session_id(&app, &user.cookie).await;

    let rows: Vec<(String, Option<String>, String)> = sessions::table
        .select((sessions::id, sessions::token_hash, sessions::user_id))
        .load(&mut app.database.connect())
        .unwrap();

    assert_eq!(rows, [(sid, None, user.id)]);
}

#[actix_web::test]
async fn a_jwt_refresh_keeps_the_sign_in_time_and_restores_a_missing_row() {
    let app = builder().strategy(SessionStrategy::Jwt).spawn().await;
    let user = app.sign_up_user().await;
    let signed_up = app.get_session_with_bearer(&user.token).await;
    // A token from before the registry: its session has no row.
    diesel::delete(sessions::table)
        .execute(&mut app.database.connect())
        .unwrap();

    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let refreshed = app.get_session_with_bearer(&user.token).await;

    let reissued = refreshed.header("set-auth-jwt").unwrap();
    let claims = |token: &str| -> Value {
        use base64::Engine as _;
        let payload = token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let (old, new) = (claims(&user.token), claims(reissued));
    assert_eq!(new["auth_time"], old["auth_time"]);
    assert_ne!(new["iat"], old["iat"]);
    assert_eq!(
        refreshed.body["session"]["createdAt"],
        signed_up.body["session"]["createdAt"]
    );
    let created_at: chrono::NaiveDateTime = sessions::table
        .select(sessions::created_at)
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        created_at.and_utc().timestamp(),
        old["auth_time"].as_i64().unwrap()
    );
}

#[actix_web::test]
async fn a_revoked_jwt_session_is_refused_by_every_instance_within_a_second() {
    let first = builder().strategy(SessionStrategy::Jwt).spawn().await;
    let second = builder()
        .strategy(SessionStrategy::Jwt)
        .database(first.database.clone())
        .spawn()
        .await;
    let user = first.sign_up_user().await;
    let laptop = first.sign_in_from(&user, "laptop").await;
    let laptop_id = session_id(&first, &laptop).await;
    assert!(second.is_signed_in(&laptop).await);

    first
        .post_with_cookie(
            "/api/auth/revoke-session",
            &user.cookie,
            &json!({"token": laptop_id}),
        )
        .await;
    second.signed_out_within_a_second(&laptop).await;
    assert!(second.is_signed_in(&user.cookie).await);
}
