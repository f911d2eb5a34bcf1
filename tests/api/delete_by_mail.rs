//! delete-user in `confirm` mode: a mailed link, delivered to a real SMTP server (aiosmtpd),
//! deletes the account, on every backend and strategy.

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, builder};
use crate::smtp::SmtpServer;

async fn spawn_confirming(smtp: &SmtpServer) -> TestApp {
    builder()
        .mail_only_as_asked(smtp)
        .var("GATEHOUSE_DELETE_USER", "confirm")
        .spawn()
        .await
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn the_mailed_link_deletes_the_account_in_the_users_session_only() {
    let smtp = SmtpServer::start();
    let app = spawn_confirming(&smtp).await;
    let user = app.sign_up_user().await;
    let other = app.sign_up_user().await;

    let asked = app
        .post_with_cookie(
            "/api/auth/delete-user",
            &user.cookie,
            &json!({"password": PASSWORD, "callbackURL": "/goodbye"}),
        )
        .await;
    let mail = smtp.wait_for(1).await.remove(0);
    let still_there = app.sign_in_email(&user.email, PASSWORD).await;
    let anonymous = app.get(&mail.path(), &[]).await;
    let someone_else = app.get(&mail.path(), &[("cookie", &other.cookie)]).await;
    let deleted = app.get(&mail.path(), &[("cookie", &user.cookie)]).await;

    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(
        asked.body,
        json!({"success": true, "message": "Verification email sent"})
    );
    assert_eq!(mail.rcpt_tos, vec![user.email.clone()]);
    assert_eq!(
        mail.subject,
        "Confirm the deletion of your account at 127.0.0.1"
    );
    assert!(
        mail.link()
            .contains("/api/auth/delete-user/callback?token=")
    );
    assert_eq!(
        still_there.status, 200,
        "nothing is deleted before the link"
    );
    assert_eq!(anonymous.status, 404);
    assert_eq!(
        anonymous.body,
        json!({"message": "Failed to get user info", "code": "FAILED_TO_GET_USER_INFO"})
    );
    assert_eq!(someone_else.status, 404);
    assert_eq!(someone_else.body["code"], "INVALID_TOKEN");
    assert_eq!(deleted.status, 302, "{}", deleted.text);
    assert_eq!(deleted.header("location"), Some("/goodbye"));
    assert!(
        deleted
            .headers
            .get_all("set-cookie")
            .any(|c| c.to_str().unwrap().contains("Max-Age=0")),
        "the session cookies are expired"
    );
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    assert!(app.is_signed_in(&other.cookie).await, "other users stay");
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn the_mailed_token_also_works_as_delete_users_token() {
    let smtp = SmtpServer::start();
    let app = spawn_confirming(&smtp).await;
    let user = app.sign_up_user().await;

    let stale_free = app
        .post_with_cookie("/api/auth/delete-user", &user.cookie, &json!({}))
        .await;
    let token = smtp.wait_for(1).await.remove(0).token();
    let wrong = app
        .post_with_cookie(
            "/api/auth/delete-user",
            &user.cookie,
            &json!({"token": format!("{token}x")}),
        )
        .await;
    let deleted = app
        .post_with_cookie(
            "/api/auth/delete-user",
            &user.cookie,
            &json!({"token": token}),
        )
        .await;

    assert_eq!(
        stale_free.status, 200,
        "a fresh session may ask without a password"
    );
    assert_eq!(stale_free.body["message"], "Verification email sent");
    assert_eq!(wrong.status, 404);
    assert_eq!(wrong.body["code"], "INVALID_TOKEN");
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(
        deleted.body,
        json!({"success": true, "message": "User deleted"})
    );
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
}

#[actix_web::test]
async fn confirm_mode_needs_a_mail_transport() {
    let refused = gatehouse::config::Config::from_lookup(|name| match name {
        "GATEHOUSE_DELETE_USER" => Some("confirm".to_owned()),
        "DATABASE_URL" => Some("sqlite://:memory:".to_owned()),
        _ => None,
    })
    .unwrap_err();

    assert_eq!(refused.variable, "GATEHOUSE_DELETE_USER");
}
