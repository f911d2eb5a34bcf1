//! Change of email by mail, delivered to a real SMTP server (aiosmtpd), on every backend and
//! strategy.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, TestUser, builder, spawn_app};
use crate::smtp::SmtpServer;

async fn change(
    app: &TestApp,
    user: &TestUser,
    body: serde_json::Value,
) -> crate::helpers::TestResponse {
    app.post_with_cookie("/api/auth/change-email", &user.cookie, &body)
        .await
}

fn new_address() -> String {
    crate::helpers::unique_email().replace("user-", "new-")
}

#[actix_web::test]
async fn without_mail_a_change_is_disabled_after_the_session_check() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let anonymous = app
        .post_json(
            "/api/auth/change-email",
            &json!({"newEmail": "x@example.com"}),
            &[],
        )
        .await;
    let disabled = change(&app, &user, json!({"newEmail": "x@example.com"})).await;
    let malformed = change(&app, &user, json!({"newEmail": "nope"})).await;

    assert_eq!(anonymous.status, 401);
    assert_eq!(disabled.status, 400);
    assert_eq!(
        disabled.body,
        json!({"message": "Change email is disabled", "code": "CHANGE_EMAIL_DISABLED"})
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.body["message"],
        "[body.newEmail] Invalid email address"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn an_unverified_address_moves_when_the_new_one_is_verified() {
    let smtp = SmtpServer::start();
    let app = builder().mail_only_as_asked(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let target = new_address();

    let same = change(&app, &user, json!({"newEmail": user.email.to_uppercase()})).await;
    let asked = change(
        &app,
        &user,
        json!({"newEmail": target.to_uppercase(), "callbackURL": "/changed"}),
    )
    .await;
    let mail = smtp.wait_for_mail_to(&target, 1).await.remove(0);
    let before = app.sign_in_email(&user.email, PASSWORD).await;
    let opened = app.get(&mail.path(), &[]).await;
    let again = app.get(&mail.path(), &[]).await;

    assert_eq!(same.status, 400);
    assert_eq!(same.body["code"], "EMAIL_IS_THE_SAME");
    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(asked.body, json!({"status": true}));
    assert_eq!(mail.subject, "Verify your new email address for 127.0.0.1");
    assert_eq!(
        before.status, 200,
        "nothing changes before the link is opened"
    );
    assert_eq!(opened.status, 302);
    assert_eq!(opened.header("location"), Some("/changed"));
    assert_eq!(
        again.header("location"),
        Some("/changed?error=INVALID_TOKEN")
    );
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    let moved = app.sign_in_email(&target, PASSWORD).await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.body["user"]["emailVerified"], true);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_verified_address_confirms_first_and_the_session_follows_the_change() {
    let smtp = SmtpServer::start();
    let app = builder().mail_to(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let verification = smtp.wait_for_mail_to(&user.email, 1).await.remove(0);
    assert_eq!(app.get(&verification.path(), &[]).await.status, 302);
    let target = new_address();

    let asked = change(&app, &user, json!({"newEmail": target})).await;
    let confirmation = smtp.wait_for_mail_to(&user.email, 2).await.remove(1);
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let nothing_yet = smtp
        .messages()
        .iter()
        .filter(|m| m.rcpt_tos.contains(&target))
        .count();
    let confirmed = app.get(&confirmation.path(), &[]).await;
    let verification_of_new = smtp.wait_for_mail_to(&target, 1).await.remove(0);
    // Without callbackURL: the JSON answer, with the user as it is now.
    let completed = app
        .get(
            &format!(
                "/api/auth/verify-email?token={}",
                verification_of_new.token()
            ),
            &[("cookie", &user.cookie)],
        )
        .await;

    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(
        confirmation.subject,
        "Confirm the change of your email address at 127.0.0.1"
    );
    assert!(confirmation.text.contains(&target));
    assert_eq!(
        nothing_yet, 0,
        "the new address hears nothing before the old one confirms"
    );
    assert_eq!(confirmed.status, 302);
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(completed.body["status"], true);
    assert_eq!(completed.body["user"]["email"], target.as_str());
    assert_eq!(completed.body["user"]["emailVerified"], true);
    let cookie = completed.session_cookie();
    let session = app.get_session_with_cookie(&cookie).await;
    assert_eq!(
        session.body["user"]["email"],
        target.as_str(),
        "the re-sent session carries the new address"
    );
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_stale_session_needs_the_password_and_a_taken_address_gets_no_mail() {
    let smtp = SmtpServer::start();
    let app = builder().mail_only_as_asked(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let other = app.sign_up_user().await;
    app.clock.advance(chrono::Duration::days(2));
    let target = new_address();

    let stale = change(&app, &user, json!({"newEmail": target})).await;
    let wrong = change(
        &app,
        &user,
        json!({"newEmail": target, "currentPassword": "not-it"}),
    )
    .await;
    let taken = change(
        &app,
        &user,
        json!({"newEmail": other.email, "currentPassword": PASSWORD}),
    )
    .await;
    let right = change(
        &app,
        &user,
        json!({"newEmail": target, "currentPassword": PASSWORD}),
    )
    .await;
    let mail = smtp.wait_for(1).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;

    assert_eq!(stale.status, 403);
    assert_eq!(stale.body["code"], "SESSION_NOT_FRESH");
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["code"], "INVALID_PASSWORD");
    assert_eq!(taken.status, 200, "a taken address is not revealed");
    assert_eq!(right.status, 200, "{}", right.text);
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(mail[0].rcpt_tos, vec![target.clone()]);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn another_users_session_cannot_complete_a_change() {
    let smtp = SmtpServer::start();
    let app = builder().mail_only_as_asked(&smtp).spawn().await;
    let user = app.sign_up_user().await;
    let intruder = app.sign_up_user().await;
    let target = new_address();
    change(&app, &user, json!({"newEmail": target})).await;
    let token = smtp.wait_for(1).await.remove(0).token();

    let refused = app
        .get(
            &format!("/api/auth/verify-email?token={token}"),
            &[("cookie", &intruder.cookie)],
        )
        .await;
    let owner = app
        .get(&format!("/api/auth/verify-email?token={token}"), &[])
        .await;

    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.body,
        json!({"message": "Invalid user", "code": "INVALID_USER"})
    );
    assert_eq!(owner.status, 200, "{}", owner.text);
    assert_eq!(owner.body["user"]["email"], target.as_str());
}
