//! Email verification by mail, delivered to a real SMTP server (aiosmtpd), on every backend and
//! strategy.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, builder, spawn_app, unique_email};
use crate::smtp::{SmtpServer, path_of};

async fn send_verification(
    app: &TestApp,
    body: serde_json::Value,
    headers: &[(&str, &str)],
) -> crate::helpers::TestResponse {
    app.post_json("/api/auth/send-verification-email", &body, headers)
        .await
}

#[actix_web::test]
async fn without_mail_verification_is_not_enabled_and_links_find_no_token() {
    let app = spawn_app().await;

    let send = send_verification(&app, json!({"email": "al@example.com"}), &[]).await;
    let malformed = send_verification(&app, json!({"email": 1}), &[]).await;
    let unknown = app.get("/api/auth/verify-email?token=made-up", &[]).await;
    let redirected = app
        .get(
            "/api/auth/verify-email?token=made-up&callbackURL=%2Fdone%3Fa%3D1",
            &[],
        )
        .await;
    let no_token = app.get("/api/auth/verify-email", &[]).await;
    let untrusted = app
        .get(
            "/api/auth/verify-email?token=x&callbackURL=https%3A%2F%2Fevil.example.net",
            &[],
        )
        .await;

    assert_eq!(send.status, 400);
    assert_eq!(
        send.body,
        json!({"message": "Verification email isn't enabled", "code": "VERIFICATION_EMAIL_NOT_ENABLED"})
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["code"], "VALIDATION_ERROR");
    assert_eq!(unknown.status, 401);
    assert_eq!(
        unknown.body,
        json!({"message": "Invalid token", "code": "INVALID_TOKEN"})
    );
    assert_eq!(redirected.status, 302);
    assert_eq!(
        redirected.header("location"),
        Some("/done?a=1&error=INVALID_TOKEN")
    );
    assert_eq!(no_token.status, 400);
    assert_eq!(
        no_token.body["message"],
        "[query.token] Invalid input: expected string, received undefined"
    );
    assert_eq!(untrusted.status, 403);
    assert_eq!(untrusted.body["code"], "INVALID_CALLBACK_URL");
}

#[actix_web::test]
async fn required_verification_needs_a_mail_transport() {
    let error = gatehouse::config::Config::from_lookup(|name| match name {
        "GATEHOUSE_REQUIRE_EMAIL_VERIFICATION" => Some("true".to_owned()),
        "DATABASE_URL" => Some("sqlite://:memory:".to_owned()),
        _ => None,
    })
    .unwrap_err();

    assert_eq!(error.variable, "GATEHOUSE_REQUIRE_EMAIL_VERIFICATION");
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn sign_up_mails_a_link_that_verifies_the_address_once() {
    let smtp = SmtpServer::start();
    let app = builder().mail_to(&smtp).spawn().await;
    let email = unique_email();
    let signed_up = app
        .sign_up(
            &json!({"name": "Al", "email": email, "password": PASSWORD, "callbackURL": "/welcome"}),
        )
        .await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.text);
    assert!(signed_up.body["token"].is_string(), "a session as usual");

    let mail = smtp.wait_for_mail_to(&email, 1).await.remove(0);
    let link = mail.link();
    let verified = app.get(&path_of(&link), &[]).await;
    let again = app.get(&path_of(&link), &[]).await;
    let plain = app
        .get(
            &format!("/api/auth/verify-email?token={}", mail.token()),
            &[],
        )
        .await;
    let signed_in = app.sign_in_email(&email, PASSWORD).await;

    assert_eq!(mail.subject, "Verify your email address for 127.0.0.1");
    assert!(link.contains("&callbackURL=%2Fwelcome"), "{link}");
    assert_eq!(mail.token().len(), 43);
    assert_eq!(verified.status, 302);
    assert_eq!(verified.header("location"), Some("/welcome"));
    assert!(
        verified.header("set-cookie").is_none(),
        "no auto sign-in by default"
    );
    assert_eq!(again.status, 302, "a replay answers the same");
    assert_eq!(again.header("location"), Some("/welcome"));
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body, json!({"status": true, "user": null}));
    assert_eq!(signed_in.body["user"]["emailVerified"], true);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn the_users_own_session_says_verified_at_once() {
    let smtp = SmtpServer::start();
    let app = builder().mail_to(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let mail = smtp.wait_for_mail_to(&user.email, 1).await.remove(0);

    let verified = app
        .get(
            &format!("/api/auth/verify-email?token={}", mail.token()),
            &[("cookie", &user.cookie)],
        )
        .await;
    let session = app
        .get_session_with_cookie(&verified.session_cookie())
        .await;

    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body, json!({"status": true, "user": null}));
    assert_eq!(session.body["user"]["emailVerified"], true);
    assert_eq!(
        session.body["session"]["id"],
        app.get_session_with_cookie(&user.cookie).await.body["session"]["id"],
        "the same session, re-sent"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn anyone_may_ask_and_only_an_unverified_user_is_mailed() {
    let smtp = SmtpServer::start();
    let app = builder().mail_only_as_asked(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    let started = Instant::now();
    let unknown = send_verification(&app, json!({"email": "nobody@example.com"}), &[]).await;
    let unknown_took = started.elapsed();
    let known = send_verification(&app, json!({"email": user.email.to_uppercase()}), &[]).await;
    let mismatch = send_verification(
        &app,
        json!({"email": "other@example.com"}),
        &[("cookie", &user.cookie), ("origin", &app.address)],
    )
    .await;
    let mail = smtp.wait_for(1).await;

    assert_eq!((unknown.status, known.status), (200, 200));
    assert_eq!(unknown.body, json!({"status": true}));
    assert_eq!(known.body, unknown.body);
    assert!(
        unknown_took >= Duration::from_millis(500),
        "{unknown_took:?}"
    );
    assert_eq!(mismatch.status, 400);
    assert_eq!(mismatch.body["code"], "EMAIL_MISMATCH");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].rcpt_tos, vec![user.email.clone()]);

    let verified = app.get(&mail[0].path(), &[]).await;
    assert_eq!(verified.status, 302);
    let already = send_verification(
        &app,
        json!({"email": user.email}),
        &[("cookie", &user.cookie), ("origin", &app.address)],
    )
    .await;
    let anonymous = send_verification(&app, json!({"email": user.email}), &[]).await;

    assert_eq!(already.status, 400);
    assert_eq!(already.body["code"], "EMAIL_ALREADY_VERIFIED");
    assert_eq!(anonymous.status, 200);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtp.messages().len(),
        1,
        "a verified user gets no more mail"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn with_verification_required_nobody_unverified_signs_in_and_taken_addresses_stay_hidden() {
    let smtp = SmtpServer::start();
    let app = builder()
        .mail_to(&smtp)
        .var("GATEHOUSE_REQUIRE_EMAIL_VERIFICATION", "true")
        .spawn()
        .await;
    let email = unique_email();

    let signed_up = app
        .sign_up(&json!({"name": "Al", "email": email, "password": PASSWORD}))
        .await;
    let taken = app
        .sign_up(&json!({"name": "Mallory", "email": email.to_uppercase(), "password": "mallory-password"}))
        .await;
    let refused = app.sign_in_email(&email, PASSWORD).await;
    let refused_again = app.sign_in_email(&email, PASSWORD).await;
    let wrong = app.sign_in_email(&email, "not-the-password").await;
    let mallory = app.sign_in_email(&email, "mallory-password").await;
    let mail = smtp.wait_for_mail_to(&email, 3).await;

    assert_eq!(signed_up.status, 200, "{}", signed_up.text);
    assert_eq!(signed_up.body["token"], json!(null));
    assert!(signed_up.header("set-cookie").is_none());
    assert!(signed_up.header("set-auth-token").is_none());
    assert_eq!(signed_up.body["user"]["emailVerified"], false);
    assert_eq!(taken.status, 200, "{}", taken.text);
    assert_eq!(taken.body["token"], json!(null));
    assert_ne!(taken.body["user"]["id"], signed_up.body["user"]["id"]);
    assert_eq!(taken.body["user"]["name"], "Mallory");
    assert_eq!(
        taken.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        signed_up
            .body
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>()
    );
    assert!(taken.header("set-cookie").is_none());
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({"message": "Email not verified", "code": "EMAIL_NOT_VERIFIED"})
    );
    assert!(refused.header("set-cookie").is_none());
    assert_eq!(refused_again.status, 403);
    assert_eq!(
        wrong.status, 401,
        "a wrong password is still a wrong password"
    );
    assert_eq!(mallory.status, 401, "the taken sign-up stored nothing");
    // The sign-up link, the owner's notice, one resend (the second refusal within a minute
    // sends none).
    let subjects: Vec<&str> = mail.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        vec![
            "Verify your email address for 127.0.0.1",
            "Someone tried to sign up with your address at 127.0.0.1",
            "Verify your email address for 127.0.0.1",
        ]
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 3);

    let verified = app.get(&mail[2].path(), &[]).await;
    let signed_in = app.sign_in_email(&email, PASSWORD).await;

    assert_eq!(verified.status, 302);
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["user"]["emailVerified"], true);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn auto_sign_in_signs_in_on_the_first_use_only() {
    let smtp = SmtpServer::start();
    let app = builder()
        .mail_to(&smtp)
        .var("GATEHOUSE_REQUIRE_EMAIL_VERIFICATION", "true")
        .var("GATEHOUSE_AUTO_SIGN_IN_AFTER_VERIFICATION", "true")
        .spawn()
        .await;
    let email = unique_email();
    app.sign_up(&json!({"name": "Al", "email": email, "password": PASSWORD}))
        .await;
    let link = smtp.wait_for_mail_to(&email, 1).await.remove(0).link();

    let first = app.get(&path_of(&link), &[]).await;
    let replay = app.get(&path_of(&link), &[]).await;

    assert_eq!(first.status, 302);
    assert_eq!(first.header("location"), Some("/"));
    let cookie = first.session_cookie();
    assert!(
        app.is_signed_in(&cookie).await,
        "the link signed the user in"
    );
    assert!(first.header("set-auth-token").is_some());
    assert_eq!(replay.status, 302);
    assert!(
        replay.header("set-cookie").is_none(),
        "a replay signs nobody in"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn links_expire_after_a_day_and_serve_only_their_purpose() {
    let smtp = SmtpServer::start();
    let app = builder().mail_to(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let verify_token = smtp
        .wait_for_mail_to(&user.email, 1)
        .await
        .remove(0)
        .token();
    let asked = app
        .post_json(
            "/api/auth/request-password-reset",
            &json!({"email": user.email, "redirectTo": "/reset"}),
            &[],
        )
        .await;
    assert_eq!(asked.status, 200);
    let reset_token = smtp
        .wait_for_mail_to(&user.email, 2)
        .await
        .remove(1)
        .token();

    let reset_as_verify = app
        .get(&format!("/api/auth/verify-email?token={reset_token}"), &[])
        .await;
    let verify_as_reset = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"newPassword": "a-brand-new-secret", "token": verify_token}),
            &[],
        )
        .await;
    let session_as_verify = app
        .get(&format!("/api/auth/verify-email?token={}", user.token), &[])
        .await;
    app.clock.advance(chrono::Duration::hours(25));
    let expired = app
        .get(&format!("/api/auth/verify-email?token={verify_token}"), &[])
        .await;
    let expired_redirect = app
        .get(
            &format!("/api/auth/verify-email?token={verify_token}&callbackURL=%2Fdone"),
            &[],
        )
        .await;

    assert_eq!(reset_as_verify.status, 401);
    assert_eq!(reset_as_verify.body["code"], "INVALID_TOKEN");
    assert_eq!(verify_as_reset.status, 400);
    assert_eq!(verify_as_reset.body["code"], "INVALID_TOKEN");
    assert_eq!(session_as_verify.body["code"], "INVALID_TOKEN");
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.body,
        json!({"message": "Token expired", "code": "TOKEN_EXPIRED"})
    );
    assert_eq!(
        expired_redirect.header("location"),
        Some("/done?error=TOKEN_EXPIRED")
    );
}
