//! Magic-link sign-in, delivered to a real SMTP server (aiosmtpd), on every backend and strategy.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, builder, spawn_app, unique_email};
use crate::smtp::{SmtpServer, path_of};

fn magic_app(smtp: &SmtpServer) -> crate::helpers::TestAppBuilder {
    builder()
        .mail_only_as_asked(smtp)
        .var("GATEHOUSE_MAGIC_LINK", "on")
}

async fn ask(app: &TestApp, body: serde_json::Value) -> crate::helpers::TestResponse {
    app.post_json("/api/auth/sign-in/magic-link", &body, &[])
        .await
}

#[actix_web::test]
async fn magic_links_are_off_by_default_and_need_mail() {
    let app = spawn_app().await;

    let asked = ask(&app, json!({"email": "al@example.com"})).await;
    let link = app.get("/api/auth/magic-link/verify?token=x", &[]).await;
    let refused = gatehouse::config::Config::from_lookup(|name| match name {
        "GATEHOUSE_MAGIC_LINK" => Some("on".to_owned()),
        "DATABASE_URL" => Some("sqlite://:memory:".to_owned()),
        _ => None,
    })
    .unwrap_err();

    for off in [asked, link] {
        assert_eq!(off.status, 404);
        assert_eq!(
            off.body,
            json!({"message": "Not found", "code": "NOT_FOUND"})
        );
    }
    assert_eq!(refused.variable, "GATEHOUSE_MAGIC_LINK");
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_link_signs_a_user_in_once() {
    let smtp = SmtpServer::start();
    let app = magic_app(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    let started = Instant::now();
    let asked = ask(
        &app,
        json!({"email": user.email, "callbackURL": "/dashboard", "errorCallbackURL": "/oops"}),
    )
    .await;
    let took = started.elapsed();
    let mail = smtp.wait_for_mail_to(&user.email, 1).await.remove(0);
    let opened = app.get(&mail.path(), &[]).await;
    let again = app.get(&mail.path(), &[]).await;

    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(asked.body, json!({"status": true}));
    assert!(took >= Duration::from_millis(500));
    assert_eq!(mail.subject, "Sign in to 127.0.0.1");
    assert!(
        mail.link()
            .contains("&callbackURL=%2Fdashboard&errorCallbackURL=%2Foops")
    );
    assert_eq!(opened.status, 302);
    assert_eq!(
        opened.header("location"),
        Some(format!("{}/dashboard", app.address).as_str())
    );
    assert!(app.is_signed_in(&opened.session_cookie()).await);
    assert!(opened.header("set-auth-token").is_some());
    assert_eq!(again.status, 302);
    assert_eq!(
        again.header("location"),
        Some(format!("{}/oops?error=INVALID_TOKEN", app.address).as_str())
    );
    assert!(again.header("set-cookie").is_none());
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn without_a_callback_the_link_answers_the_session_as_json() {
    let smtp = SmtpServer::start();
    let app = magic_app(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    ask(&app, json!({"email": user.email})).await;
    let token = smtp.wait_for(1).await.remove(0).token();

    let opened = app
        .get(&format!("/api/auth/magic-link/verify?token={token}"), &[])
        .await;

    assert_eq!(opened.status, 200, "{}", opened.text);
    assert_eq!(opened.body["user"]["email"], user.email.as_str());
    assert_eq!(opened.body["session"]["userId"], user.id.as_str());
    let session = opened.body["token"].as_str().unwrap();
    assert!(
        app.get_session_with_bearer(session).await.body["user"]["id"] == user.id.as_str(),
        "the token is a session token"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn unknown_addresses_get_no_mail_unless_links_may_sign_up() {
    let smtp = SmtpServer::start();
    let closed = magic_app(&smtp).spawn().await;
    let unknown = unique_email();
    let asked = ask(&closed, json!({"email": unknown})).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(asked.status, 200);
    assert_eq!(smtp.messages().len(), 0);

    let open = magic_app(&smtp)
        .var("GATEHOUSE_MAGIC_LINK_SIGN_UP", "true")
        .spawn()
        .await;
    ask(
        &open,
        json!({"email": unknown, "name": "New Person", "callbackURL": "/home", "newUserCallbackURL": "/welcome"}),
    )
    .await;
    let link = smtp.wait_for(1).await.remove(0).link();
    let opened = open.get(&path_of(&link), &[]).await;

    assert_eq!(opened.status, 302, "{}", opened.text);
    assert_eq!(
        opened.header("location"),
        Some(format!("{}/welcome", open.address).as_str())
    );
    let session = open.get_session_with_cookie(&opened.session_cookie()).await;
    assert_eq!(session.body["user"]["email"], unknown.as_str());
    assert_eq!(session.body["user"]["name"], "New Person");
    assert_eq!(session.body["user"]["emailVerified"], true);
    let with_password = open.sign_in_email(&unknown, PASSWORD).await;
    assert_eq!(with_password.status, 401, "a linked user has no password");
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_link_to_an_unverified_account_removes_its_password_and_sessions() {
    let smtp = SmtpServer::start();
    let app = magic_app(&smtp).spawn().await;
    // Someone signed up with an address that is not theirs, and set the password.
    let squatter = app.sign_up_user().await;

    ask(&app, json!({"email": squatter.email, "callbackURL": "/"})).await;
    let link = smtp.wait_for(1).await.remove(0).link();
    let opened = app.get(&path_of(&link), &[]).await;

    assert_eq!(opened.status, 302);
    app.signed_out_within_a_second(&squatter.cookie).await;
    assert_eq!(
        app.sign_in_email(&squatter.email, PASSWORD).await.status,
        401,
        "the squatter's password is gone"
    );
    let owner = app.get_session_with_cookie(&opened.session_cookie()).await;
    assert_eq!(owner.body["user"]["emailVerified"], true);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn links_expire_after_five_minutes_and_urls_are_checked() {
    let smtp = SmtpServer::start();
    let app = magic_app(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    let untrusted = ask(
        &app,
        json!({"email": user.email, "newUserCallbackURL": "https://evil.example.net/"}),
    )
    .await;
    let untrusted_error = ask(
        &app,
        json!({"email": user.email, "errorCallbackURL": "//evil.example.net"}),
    )
    .await;
    ask(&app, json!({"email": user.email, "callbackURL": "/in"})).await;
    let link = smtp.wait_for(1).await.remove(0).link();
    app.clock.advance(chrono::Duration::minutes(6));
    let expired = app.get(&path_of(&link), &[]).await;
    let reset_token_link = app
        .get(
            &format!(
                "/api/auth/magic-link/verify?token={}&callbackURL=%2Fin",
                user.token
            ),
            &[],
        )
        .await;

    assert_eq!(untrusted.status, 403);
    assert_eq!(untrusted.body["code"], "INVALID_NEW_USER_CALLBACK_URL");
    assert_eq!(untrusted_error.status, 403);
    assert_eq!(untrusted_error.body["code"], "INVALID_ERROR_CALLBACK_URL");
    assert_eq!(
        expired.header("location"),
        Some(format!("{}/in?error=INVALID_TOKEN", app.address).as_str())
    );
    assert!(expired.header("set-cookie").is_none());
    assert_eq!(
        reset_token_link.header("location"),
        Some(format!("{}/in?error=INVALID_TOKEN", app.address).as_str()),
        "a session token is no magic-link token"
    );
}
