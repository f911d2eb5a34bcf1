//! The database strategy's session cache: a cached session costs no query; every write that
//! ends or changes a session or a user is seen at once on the instance that made it and within
//! moments on another sharing the database (PostgreSQL `NOTIFY`, SQLite's polled table); while
//! the PostgreSQL listener is gone the cache is bypassed, and nothing missed meanwhile is served
//! once it is back.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection as _;
use gatehouse::config::SessionStrategy;
use serde_json::json;

use crate::helpers::{TestApp, builder};

async fn database_app() -> TestApp {
    builder().strategy(SessionStrategy::Database).spawn().await
}

/// A second instance on the first one's database.
async fn second_instance(first: &TestApp) -> TestApp {
    builder()
        .strategy(SessionStrategy::Database)
        .database(first.database.clone())
        .spawn()
        .await
}

/// Statements that read or write users or sessions (not the cache's own invalidation upkeep).
fn session_statements(app: &TestApp) -> usize {
    crate::queries::statements(&app.database.url)
        .iter()
        .filter(|sql| {
            let sql = sql.to_ascii_lowercase();
            !sql.contains("session_invalidations")
                && (sql.contains("users") || sql.contains("sessions"))
        })
        .count()
}

/// Polls until `done` holds, failing after `limit`; returns how long it took.
async fn within<F, Fut>(limit: Duration, what: &str, mut done: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

async fn cache_state(app: &TestApp) -> String {
    app.get("/readyz", &[]).await.body["sessionCache"]
        .as_str()
        .unwrap_or("absent")
        .to_owned()
}

#[actix_web::test]
async fn a_cached_session_is_answered_without_a_database_query() {
    crate::queries::install();
    let app = database_app().await;
    within(Duration::from_secs(5), "the cache is in use", || async {
        cache_state(&app).await == "on"
    })
    .await;
    let user = app.sign_up_user().await;
    assert!(app.is_signed_in(&user.cookie).await);
    let before = session_statements(&app);

    for _ in 0..20 {
        let session = app.get_session_with_cookie(&user.cookie).await;
        assert_eq!(session.body["user"]["id"], user.id.as_str());
    }
    let after_reads = session_statements(&app);
    // The count does count: a sign-out is a statement.
    app.sign_out_with_cookie(&user.cookie).await;

    assert_eq!(after_reads, before, "get-session read the database");
    assert!(session_statements(&app) > before);
    assert!(
        !app.is_signed_in(&user.cookie).await,
        "the sign-out is seen at once"
    );
}

#[actix_web::test]
async fn changes_are_seen_at_once_here_and_within_moments_on_another_instance() {
    let first = database_app().await;
    let second = second_instance(&first).await;
    for app in [&first, &second] {
        within(Duration::from_secs(5), "the cache is in use", || async {
            cache_state(app).await == "on"
        })
        .await;
    }
    let user = first.sign_up_user().await;
    let other_device = first
        .sign_in_email(&user.email, &user.password)
        .await
        .session_cookie();
    // Both instances hold both sessions.
    for app in [&first, &second] {
        assert!(app.is_signed_in(&user.cookie).await);
        assert!(app.is_signed_in(&other_device).await);
    }

    let renamed = first
        .post_with_cookie(
            "/api/auth/update-user",
            &user.cookie,
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let here = first.get_session_with_cookie(&user.cookie).await;
    assert_eq!(here.body["user"]["name"], "Renamed", "read your own write");
    let elapsed = within(
        Duration::from_secs(1),
        "the rename reaches the other instance",
        || async {
            second.get_session_with_cookie(&other_device).await.body["user"]["name"] == "Renamed"
        },
    )
    .await;
    println!("an update-user reached the other instance after {elapsed:?}");

    second.sign_out_with_cookie(&other_device).await;
    assert!(
        !second.is_signed_in(&other_device).await,
        "at once where it happened"
    );
    let elapsed = within(
        Duration::from_secs(1),
        "the sign-out reaches the first instance",
        || async { !first.is_signed_in(&other_device).await },
    )
    .await;
    println!("a sign-out reached the other instance after {elapsed:?}");

    let revoked = second
        .post_with_cookie("/api/auth/revoke-sessions", &user.cookie, &json!({}))
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    within(
        Duration::from_secs(1),
        "revoke-sessions reaches the first instance",
        || async { !first.is_signed_in(&user.cookie).await },
    )
    .await;
}

/// Closes a PostgreSQL database to new connections until dropped.
struct Closed<'a> {
    app: &'a TestApp,
    name: String,
}

impl<'a> Closed<'a> {
    fn close(app: &'a TestApp) -> Self {
        let name = app.database.postgres_name().unwrap().to_owned();
        let mut admin = app.database.admin_connection();
        admin
            .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
            .unwrap();
        admin
            .batch_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                  WHERE datname = '{name}' AND application_name = 'gatehouse-listener'"
            ))
            .unwrap();
        Self { app, name }
    }
}

impl Drop for Closed<'_> {
    fn drop(&mut self) {
        let _reopened = self.app.database.admin_connection().batch_execute(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS true",
            self.name
        ));
    }
}

#[actix_web::test]
async fn without_its_listener_an_instance_bypasses_the_cache_and_serves_nothing_missed_after() {
    let first = database_app().await;
    if first.database.postgres_name().is_none() {
        println!("PostgreSQL only: SQLite has no listener (its poll is tested above)");
        return;
    }
    let second = second_instance(&first).await;
    within(Duration::from_secs(5), "the cache is in use", || async {
        cache_state(&first).await == "on"
    })
    .await;
    let user = first.sign_up_user().await;
    let during = first
        .sign_in_email(&user.email, &user.password)
        .await
        .session_cookie();
    let missed = first
        .sign_in_email(&user.email, &user.password)
        .await
        .session_cookie();
    for cookie in [&user.cookie, &during, &missed] {
        assert!(
            first.is_signed_in(cookie).await,
            "cached on the first instance"
        );
        // The second instance's pool holds a connection for the sign-outs below.
        assert!(second.is_signed_in(cookie).await);
    }

    let closed = Closed::close(&first);
    within(
        Duration::from_secs(2),
        "the first instance notices",
        || async { cache_state(&first).await == "bypassed" },
    )
    .await;
    // Signed out on the second instance while the first cannot hear it.
    second.sign_out_with_cookie(&during).await;
    second.sign_out_with_cookie(&missed).await;
    assert!(
        !first.is_signed_in(&during).await,
        "a bypassed cache reads the database"
    );
    assert!(
        first.is_signed_in(&user.cookie).await,
        "the other session lives on"
    );
    drop(closed);
    within(Duration::from_secs(5), "the listener is back", || async {
        cache_state(&first).await == "on"
    })
    .await;

    assert!(
        !first.is_signed_in(&missed).await,
        "a sign-out made while the listener was gone is not served stale"
    );
    assert!(first.is_signed_in(&user.cookie).await);
}

#[actix_web::test]
async fn the_cache_can_be_turned_off() {
    crate::queries::install();
    let app = builder()
        .strategy(SessionStrategy::Database)
        .var("GATEHOUSE_SESSION_CACHE", "off")
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    assert_eq!(cache_state(&app).await, "absent");
    assert!(app.is_signed_in(&user.cookie).await);
    let before = session_statements(&app);
    assert!(app.is_signed_in(&user.cookie).await);
    assert!(
        session_statements(&app) > before,
        "without the cache every get-session reads the database"
    );
    app.sign_out_with_cookie(&user.cookie).await;
    assert!(!app.is_signed_in(&user.cookie).await);
}

/// The cache serves reads; an endpoint that acts for the user reads the session and the user
/// from the database, so a session ended, or a user changed, by a write the cache has not heard
/// of (here: made in SQL, so no invalidation is published) never acts.
#[actix_web::test]
async fn an_endpoint_that_acts_for_the_user_never_trusts_the_cache() {
    let app = database_app().await;
    within(Duration::from_secs(5), "the cache is in use", || async {
        cache_state(&app).await == "on"
    })
    .await;
    let user = app.sign_up_user().await;
    assert!(app.is_signed_in(&user.cookie).await, "now cached");
    app.database
        .connect()
        .batch_execute("DELETE FROM sessions")
        .unwrap();

    assert!(
        app.is_signed_in(&user.cookie).await,
        "get-session answers from the cache (until the TTL), so the check below means something"
    );
    let acted = app
        .post_json(
            "/api/auth/update-user",
            &json!({"name": "Not Allowed"}),
            &[
                ("cookie", &user.cookie),
                ("origin", crate::helpers::TRUSTED_ORIGIN),
            ],
        )
        .await;
    assert_eq!(acted.status, 401, "{}", acted.text);
    assert_eq!(acted.code(), "UNAUTHORIZED");
}
