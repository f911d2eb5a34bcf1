//! Abuse limits, on by default; test apps turn them off unless a test is
//! about them.

use chrono::Duration;
use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, builder, unique_email};

async fn spawn_limited_app() -> TestApp {
    builder().var("GATEHOUSE_RATE_LIMIT", "on").spawn().await
}

#[actix_web::test]
async fn the_eleventh_sign_in_in_a_minute_is_refused_across_aliases() {
    let app = spawn_limited_app().await;
    let user = app.sign_up_user().await;
    let body = json!({"email": user.email, "password": user.password});

    let mut statuses = Vec::new();
    for path in ["/api/auth/sign-in", "/api/auth/sign-in/email"]
        .iter()
        .cycle()
        .take(10)
    {
        statuses.push(app.post_json(path, &body, &[]).await.status);
    }
    let refused = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": "someone", "password": "x"}),
            &[],
        )
        .await;

    assert_eq!(statuses, [200; 10]);
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.body,
        json!({"message": "Too many requests. Please try again later.", "code": "TOO_MANY_REQUESTS"})
    );
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        refused.header("x-retry-after"),
        refused.header("retry-after")
    );
}

#[actix_web::test]
async fn the_limit_comes_before_the_body_and_after_routing() {
    let app = spawn_limited_app().await;
    let body = json!({"email": "nobody@example.com", "password": PASSWORD});
    for i in 0..10 {
        let email = format!("nobody{i}@example.com");
        app.post_json(
            "/api/auth/sign-in/email",
            &json!({"email": email, "password": PASSWORD}),
            &[],
        )
        .await;
    }

    let malformed = app
        .request(
            "POST",
            "/api/auth/sign-in",
            &[("content-type", "application/json")],
            Some(b"{oops".to_vec()),
        )
        .await;
    let unknown_path = app.post_json("/api/auth/sign-in/passkey", &body, &[]).await;
    let wrong_method = app.get("/api/auth/sign-in", &[]).await;

    assert_eq!(malformed.status, 429);
    assert_eq!(unknown_path.status, 404);
    assert_eq!(wrong_method.status, 405);
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_does_not_change_the_bucket() {
    let app = spawn_limited_app().await;

    let mut last = 0;
    for i in 0..11 {
        let forwarded = format!("198.51.100.{i}");
        last = app
            .post_json(
                "/api/auth/sign-up",
                &json!({"name": "", "email": unique_email(), "password": PASSWORD}),
                &[("x-forwarded-for", &forwarded)],
            )
            .await
            .status;
    }

    assert_eq!(last, 429);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_bucket() {
    let app = builder()
        .var("GATEHOUSE_RATE_LIMIT", "on")
        .var("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32")
        .spawn()
        .await;

    let mut statuses = Vec::new();
    for i in 0..12 {
        let forwarded = format!("198.51.100.{i}");
        let response = app
            .post_json(
                "/api/auth/sign-up",
                &json!({"name": "", "email": unique_email(), "password": PASSWORD}),
                &[("x-forwarded-for", &forwarded)],
            )
            .await;
        statuses.push(response.status);
    }

    assert_eq!(statuses, [200; 12]);
}

#[actix_web::test]
async fn a_new_window_opens_when_the_old_one_ends() {
    let app = spawn_limited_app().await;
    for _ in 0..11 {
        app.post_json("/api/auth/sign-up", &json!({}), &[]).await;
    }
    let refused = app.post_json("/api/auth/sign-up", &json!({}), &[]).await;

    app.clock.advance(Duration::seconds(61));
    let allowed = app.post_json("/api/auth/sign-up", &json!({}), &[]).await;

    assert_eq!(refused.status, 429);
    assert_eq!(allowed.status, 400, "{}", allowed.text);
}

#[actix_web::test]
async fn the_fifth_failure_locks_the_account_even_against_the_right_password() {
    let app = spawn_limited_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_up_user().await;

    let mut failures = Vec::new();
    for _ in 0..5 {
        failures.push(
            app.sign_in_email(&user.email, "wrong-password")
                .await
                .status,
        );
    }
    let right_password = app
        .sign_in_email(&user.email.to_uppercase(), &user.password)
        .await;
    let other_account = app.sign_in_email(&other.email, &other.password).await;
    app.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    let after_the_window = app.sign_in_email(&user.email, &user.password).await;

    assert_eq!(failures, [401; 5]);
    assert_eq!(right_password.status, 429);
    assert_eq!(right_password.code(), "TOO_MANY_REQUESTS");
    assert!(
        right_password
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 800
    );
    assert_eq!(other_account.status, 200);
    assert_eq!(after_the_window.status, 200);
}

#[actix_web::test]
async fn unknown_identifiers_are_throttled_like_known_ones() {
    let app = spawn_limited_app().await;

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            app.sign_in_email("ghost@example.com", "whatever-password")
                .await
                .status,
        );
    }
    let mut by_username = Vec::new();
    for _ in 0..6 {
        by_username.push(
            app.post_json(
                "/api/auth/sign-in/username",
                &json!({"username": "ghost_user", "password": "x"}),
                &[],
            )
            .await
            .status,
        );
    }

    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    // The per-address sign-in limit (10 a minute) joins in for the last two.
    assert_eq!(by_username, [401, 401, 401, 401, 429, 429]);
}

#[actix_web::test]
async fn a_success_clears_the_failure_count() {
    let app = spawn_limited_app().await;
    let user = app.sign_up_user().await;

    let mut statuses = Vec::new();
    for round in 0..2 {
        for _ in 0..4 {
            statuses.push(
                app.sign_in_email(&user.email, "wrong-password")
                    .await
                    .status,
            );
        }
        if round == 0 {
            statuses.push(app.sign_in_email(&user.email, &user.password).await.status);
        }
    }

    assert_eq!(statuses, [401, 401, 401, 401, 200, 401, 401, 401, 401]);
}

#[actix_web::test]
async fn two_instances_on_one_database_share_the_counters() {
    let first = spawn_limited_app().await;
    let second = builder()
        .var("GATEHOUSE_RATE_LIMIT", "on")
        .database(first.database.clone())
        .spawn()
        .await;

    let mut statuses = Vec::new();
    for i in 0..11 {
        let app = if i % 2 == 0 { &first } else { &second };
        statuses.push(
            app.post_json("/api/auth/sign-up", &json!({}), &[])
                .await
                .status,
        );
    }

    assert_eq!(&statuses[..10], [400; 10]);
    assert_eq!(statuses[10], 429);
}

#[actix_web::test]
async fn session_reads_and_proxy_checks_are_not_counted() {
    let app = spawn_limited_app().await;
    let user = app.sign_up_user().await;

    let reads = join_all((0..120).map(|_| app.get_session_with_cookie(&user.cookie))).await;
    let headers = [("cookie", user.cookie.as_str())];
    let checks =
        join_all((0..120).map(|_| app.request("POST", "/api/auth/verify", &headers, None))).await;

    assert!(reads.iter().all(|r| r.status == 200));
    assert!(checks.iter().all(|r| r.status == 200));
}

#[actix_web::test]
async fn other_posts_get_the_general_limit() {
    let app = spawn_limited_app().await;

    let body = json!({});
    let responses =
        join_all((0..101).map(|_| app.post_json("/api/auth/sign-out", &body, &[]))).await;

    let refused = responses.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 1);
    assert_eq!(responses.iter().filter(|r| r.status == 200).count(), 100);
}

#[actix_web::test]
async fn failures_by_email_and_by_username_lock_the_same_account() {
    let app = spawn_limited_app().await;
    let email = unique_email();
    let signed_up = app
        .sign_up(
            &json!({"name": "", "email": email, "password": PASSWORD, "username": "locked_al"}),
        )
        .await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.text);
    let by_username = |password: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/auth/sign-in/username",
                &json!({"username": "Locked_Al", "password": password}),
                &[],
            )
            .await
            .status
        }
    };

    let mut failures = Vec::new();
    for _ in 0..3 {
        failures.push(app.sign_in_email(&email, "wrong-password").await.status);
    }
    for _ in 0..2 {
        failures.push(by_username("wrong-password").await);
    }
    let right_by_username = by_username(PASSWORD).await;
    let right_by_email = app.sign_in_email(&email, PASSWORD).await.status;

    assert_eq!(failures, [401; 5]);
    assert_eq!([right_by_username, right_by_email], [429, 429]);
}
