//! Password reset by mail, delivered to a real SMTP server (aiosmtpd), on every backend and
//! strategy.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, TestUser, builder, free_port, spawn_app};
use crate::smtp::{Mail, SmtpServer};

const NEW_PASSWORD: &str = "a-brand-new-secret";
const RESET_ANSWER: &str =
    "If this email exists in our system, check your email for the reset link";

/// An app that mails only what these tests ask for (no verification mail at sign-up).
fn resets_only(smtp: &SmtpServer) -> crate::helpers::TestAppBuilder {
    builder().mail_only_as_asked(smtp)
}

async fn request_reset(app: &TestApp, body: serde_json::Value) -> crate::helpers::TestResponse {
    app.post_json("/api/auth/request-password-reset", &body, &[])
        .await
}

/// Asks for a reset of `user` and returns the message that arrives.
async fn reset_mail(app: &TestApp, smtp: &SmtpServer, user: &TestUser, redirect_to: &str) -> Mail {
    let before = smtp
        .messages()
        .iter()
        .filter(|m| m.rcpt_tos.contains(&user.email))
        .count();
    let asked = request_reset(app, json!({"email": user.email, "redirectTo": redirect_to})).await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    smtp.wait_for_mail_to(&user.email, before + 1)
        .await
        .pop()
        .unwrap()
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> crate::helpers::TestResponse {
    app.post_json(
        "/api/auth/reset-password",
        &json!({"newPassword": new_password, "token": token}),
        &[],
    )
    .await
}

#[actix_web::test]
async fn without_mail_a_reset_is_disabled_after_the_body_and_redirect_checks() {
    let app = spawn_app().await;

    let disabled = request_reset(&app, json!({"email": "al@example.com"})).await;
    let malformed = request_reset(&app, json!({"email": "not-an-email"})).await;
    let untrusted = request_reset(
        &app,
        json!({"email": "al@example.com", "redirectTo": "https://evil.example.net/reset"}),
    )
    .await;
    let smuggled = request_reset(
        &app,
        json!({"email": "al@example.com", "redirectTo": "/%2F%2Fevil.example.net"}),
    )
    .await;

    assert_eq!(disabled.status, 400);
    assert_eq!(
        disabled.body,
        json!({"message": "Reset password isn't enabled", "code": "RESET_PASSWORD_DISABLED"})
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.body["message"],
        "[body.email] Invalid email address"
    );
    for refused in [untrusted, smuggled] {
        assert_eq!(refused.status, 403);
        assert_eq!(
            refused.body,
            json!({"message": "Invalid redirectURL", "code": "INVALID_REDIRECT_URL"})
        );
    }
}

#[actix_web::test]
async fn without_mail_the_token_endpoints_are_routed_and_find_no_token() {
    let app = spawn_app().await;

    let no_token = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"newPassword": NEW_PASSWORD}),
            &[],
        )
        .await;
    let unknown = reset(&app, "made-up", NEW_PASSWORD).await;
    let link_without_callback = app.get("/api/auth/reset-password/made-up", &[]).await;
    let link = app
        .get(
            "/api/auth/reset-password/made-up?callbackURL=%2Freset%3Fa%3D1",
            &[],
        )
        .await;
    let untrusted_link = app
        .get(
            "/api/auth/reset-password/made-up?callbackURL=https%3A%2F%2Fevil.example.net%2F",
            &[],
        )
        .await;
    let page = app
        .get("/api/auth/reset-password-page?token=made-up", &[])
        .await;

    for refused in [&no_token, &unknown] {
        assert_eq!(refused.status, 400);
        assert_eq!(
            refused.body,
            json!({"message": "Invalid token", "code": "INVALID_TOKEN"})
        );
    }
    assert_eq!(link_without_callback.status, 400);
    assert_eq!(
        link_without_callback.body["message"],
        "[query.callbackURL] Invalid input: expected string, received undefined"
    );
    assert_eq!(link.status, 302);
    assert_eq!(
        link.header("location"),
        Some(format!("{}/reset?a=1&error=INVALID_TOKEN", app.address).as_str())
    );
    assert_eq!(link.header("cache-control"), Some("no-store"));
    assert_eq!(link.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(link.text, "");
    assert_eq!(untrusted_link.status, 403);
    assert_eq!(untrusted_link.body["code"], "INVALID_CALLBACK_URL");
    assert_eq!(page.status, 400);
    assert!(page.text.contains("does not work"), "{}", page.text);
}

/// Delivery is off the request path: a mail server that is not there changes nothing in the
/// answer, which still takes at least 500 ms.
#[actix_web::test]
async fn an_unreachable_mail_server_does_not_change_the_answer() {
    let app = builder()
        .var(
            "GATEHOUSE_SMTP_URL",
            &format!("smtp://127.0.0.1:{}", free_port()),
        )
        .var("GATEHOUSE_MAIL_FROM", "no-reply@example.com")
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    for email in [user.email.as_str(), "nobody@example.com"] {
        let started = Instant::now();
        let answer = request_reset(&app, json!({"email": email})).await;

        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(
            answer.body,
            json!({"status": true, "message": RESET_ANSWER})
        );
        assert!(started.elapsed() >= Duration::from_millis(500));
    }
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_mailed_link_resets_the_password_once_and_ends_every_session() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let other_device = app.sign_in_from(&user, "Laptop").await;

    let mail = reset_mail(&app, &smtp, &user, "/reset?a=1").await;
    let token = mail.token();
    let link = app.request_url("GET", &mail.link(), &[], None).await;
    let done = reset(&app, &token, NEW_PASSWORD).await;
    let again = reset(&app, &token, "yet-another-password").await;

    assert_eq!(mail.rcpt_tos, vec![user.email.clone()]);
    assert_eq!(mail.subject, "Reset your password for 127.0.0.1");
    assert_eq!(token.len(), 43);
    assert!(
        mail.link().ends_with("?callbackURL=%2Freset%3Fa%3D1"),
        "{}",
        mail.link()
    );
    assert!(mail.html.contains("Reset your password</a>"));
    assert_eq!(link.status, 302);
    assert_eq!(
        link.header("location"),
        Some(format!("{}/reset?a=1&token={token}", app.address).as_str())
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body, json!({"status": true}));
    assert!(done.header("set-cookie").is_none());
    assert_eq!(again.status, 400);
    assert_eq!(again.body["code"], "INVALID_TOKEN");
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
    app.signed_out_within_a_second(&user.cookie).await;
    app.signed_out_within_a_second(&other_device).await;
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn sessions_can_outlive_a_reset_when_configured() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp)
        .var("GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET", "false")
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    let mail = reset_mail(&app, &smtp, &user, "/reset").await;
    let done = reset(&app, &mail.token(), NEW_PASSWORD).await;

    assert_eq!(done.status, 200, "{}", done.text);
    assert!(app.is_signed_in(&user.cookie).await);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn known_and_unknown_addresses_get_the_same_answer_and_only_a_user_gets_mail() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    let started = Instant::now();
    let unknown = request_reset(&app, json!({"email": "Nobody@Example.com"})).await;
    let unknown_took = started.elapsed();
    let started = Instant::now();
    let known = request_reset(
        &app,
        json!({"email": format!("  {}  ", user.email.to_uppercase())}),
    )
    .await;
    let known_took = started.elapsed();

    assert_eq!((unknown.status, known.status), (200, 200));
    assert_eq!(unknown.body, known.body);
    assert_eq!(
        unknown.body,
        json!({"status": true, "message": RESET_ANSWER})
    );
    assert!(
        unknown_took >= Duration::from_millis(500),
        "{unknown_took:?}"
    );
    assert!(known_took >= Duration::from_millis(500), "{known_took:?}");
    // The known address's message is the only one, after the unknown one was asked first.
    let mail = smtp.wait_for(1).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(mail[0].rcpt_tos, vec![user.email.clone()]);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_used_link_voids_the_others_and_a_changed_password_voids_them_all() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    let first = reset_mail(&app, &smtp, &user, "/reset").await.token();
    let second = reset_mail(&app, &smtp, &user, "/reset").await.token();
    let used = reset(&app, &second, NEW_PASSWORD).await;
    let older = reset(&app, &first, "another-new-secret").await;

    assert_eq!(used.status, 200, "{}", used.text);
    assert_eq!(older.status, 400);
    assert_eq!(older.body["code"], "INVALID_TOKEN");

    let cookie = app
        .sign_in_from(
            &TestUser {
                password: NEW_PASSWORD.to_owned(),
                ..user.clone()
            },
            "Phone",
        )
        .await;
    let pending = reset_mail(&app, &smtp, &user, "/reset").await.token();
    let changed = app
        .post_with_cookie(
            "/api/auth/change-password",
            &cookie,
            &json!({"currentPassword": NEW_PASSWORD, "newPassword": "changed-by-the-user"}),
        )
        .await;
    let stale = reset(&app, &pending, "attacker-choice-1").await;

    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(stale.status, 400);
    assert_eq!(stale.body["code"], "INVALID_TOKEN");
    assert_eq!(
        app.sign_in_email(&user.email, "changed-by-the-user")
            .await
            .status,
        200
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn tokens_are_bound_to_their_purpose_their_hour_and_their_address() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let token = reset_mail(&app, &smtp, &user, "/reset").await.token();

    let mut flipped = token.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for not_a_reset_token in [
        user.token.clone(),
        user.bearer.clone(),
        flipped,
        format!("{token}x"),
        token[..42].to_owned(),
    ] {
        let refused = reset(&app, &not_a_reset_token, NEW_PASSWORD).await;
        assert_eq!(refused.status, 400, "{not_a_reset_token}");
        assert_eq!(refused.body["code"], "INVALID_TOKEN");
    }
    let too_short = reset(&app, &token, "short").await;
    assert_eq!(too_short.body["code"], "PASSWORD_TOO_SHORT");

    app.clock.advance(chrono::Duration::minutes(61));
    let expired = reset(&app, &token, NEW_PASSWORD).await;

    assert_eq!(expired.status, 400);
    assert_eq!(expired.body["code"], "INVALID_TOKEN");
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 200);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_reset_lifts_the_lock_of_failed_sign_ins() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp)
        .var("GATEHOUSE_RATE_LIMIT", "on")
        .spawn()
        .await;
    let user = app.sign_up_user().await;
    for _ in 0..5 {
        app.sign_in_email(&user.email, "wrong-password").await;
    }
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 429);

    let token = reset_mail(&app, &smtp, &user, "/reset").await.token();
    let done = reset(&app, &token, NEW_PASSWORD).await;

    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_hundred_requests_for_one_address_send_three_messages() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp)
        .var("GATEHOUSE_RATE_LIMIT", "on")
        .var("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32")
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    let mut statuses = Vec::new();
    for client in 0..100 {
        // A hundred client addresses, so only the per-address limit can stop them.
        let forwarded = format!("198.51.100.{}", client + 1);
        let answer = app
            .post_json(
                "/api/auth/request-password-reset",
                &json!({"email": user.email}),
                &[("x-forwarded-for", &forwarded)],
            )
            .await;
        statuses.push(answer.status);
    }

    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 97);
    smtp.wait_for(3).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 3);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn nothing_a_user_types_reaches_a_mail_header() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let email = crate::helpers::unique_email();
    let signed_up = app
        .sign_up(&json!({
            "name": "Al\r\nBcc: victim@example.net\r\nSubject: pwned",
            "email": email,
            "password": PASSWORD,
        }))
        .await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.text);

    let asked = request_reset(&app, json!({"email": email})).await;
    let mail = smtp.wait_for(1).await.remove(0);

    assert_eq!(asked.status, 200);
    assert_eq!(mail.rcpt_tos, vec![email.clone()]);
    assert_eq!(mail.subject, "Reset your password for 127.0.0.1");
    let names: Vec<&str> = mail.headers.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        !names.iter().any(|n| n.eq_ignore_ascii_case("bcc")),
        "{names:?}"
    );
    assert_eq!(
        names
            .iter()
            .filter(|n| n.eq_ignore_ascii_case("subject"))
            .count(),
        1
    );
    assert!(!mail.raw.contains("\nBcc:"), "{}", mail.raw);
    assert!(
        mail.text
            .contains("Hello Al  Bcc: victim@example.net  Subject: pwned,")
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn without_redirect_to_the_link_opens_the_built_in_page() {
    let smtp = SmtpServer::start();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let asked = request_reset(&app, json!({"email": user.email})).await;
    assert_eq!(asked.status, 200);
    let mail = smtp.wait_for(1).await.remove(0);
    let token = mail.token();

    let link = app.request_url("GET", &mail.link(), &[], None).await;
    let page_url = format!("{}/api/auth/reset-password-page?token={token}", app.address);
    let page = app.request_url("GET", &page_url, &[], None).await;
    let form = |new: &str, confirm: &str| {
        format!("token={token}&newPassword={new}&confirmPassword={confirm}").into_bytes()
    };
    let form_headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", app.address.as_str()),
    ];
    let mismatch = app
        .request(
            "POST",
            "/api/auth/reset-password-page",
            &form_headers,
            Some(form(NEW_PASSWORD, "something-else")),
        )
        .await;
    let as_json = app
        .post_json(
            "/api/auth/reset-password-page",
            &json!({"token": token}),
            &[],
        )
        .await;
    let done = app
        .request(
            "POST",
            "/api/auth/reset-password-page",
            &form_headers,
            Some(form(NEW_PASSWORD, NEW_PASSWORD)),
        )
        .await;
    let used = app.request_url("GET", &page_url, &[], None).await;

    assert!(mail.link().ends_with("?callbackURL="), "{}", mail.link());
    assert_eq!(link.status, 302);
    assert_eq!(link.header("location"), Some(page_url.as_str()));
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        page.header("content-security-policy"),
        Some(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(
        page.text
            .contains(&format!("name=\"token\" value=\"{token}\""))
    );
    assert!(!page.text.contains("<script"));
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.text.contains("The two passwords differ."));
    assert_eq!(as_json.status, 415);
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.contains("Your password is set"));
    assert_eq!(used.status, 400);
    assert_eq!(
        app.sign_in_email(&user.email, NEW_PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_mail_server_that_never_answers_holds_up_no_request() {
    let smtp = SmtpServer::stalled();
    let app = resets_only(&smtp).spawn().await;
    let user = app.sign_up_user().await;

    for _ in 0..3 {
        let asked = request_reset(&app, json!({"email": user.email})).await;
        assert_eq!(asked.status, 200, "{}", asked.text);
    }
    let signed_in = app.sign_in_email(&user.email, PASSWORD).await;

    assert_eq!(signed_in.status, 200);
    assert!(app.is_signed_in(&signed_in.session_cookie()).await);
}
