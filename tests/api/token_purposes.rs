//! Every mailed token is bound to its purpose: one token of each purpose, and the user's session
//! token and bearer token, presented at every endpoint that takes a token. Each endpoint answers
//! its own "invalid token", nothing changes, and afterwards every token still works where it
//! belongs. Delivered through a real SMTP server (aiosmtpd), on every backend and strategy.

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, TestUser, builder, unique_email};
use crate::smtp::SmtpServer;

/// The endpoints that take a mailed token.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Endpoint {
    ResetPassword,
    ResetPasswordLink,
    VerifyEmail,
    MagicLinkVerify,
    DeleteUserCallback,
    DeleteUser,
}

const ENDPOINTS: [Endpoint; 6] = [
    Endpoint::ResetPassword,
    Endpoint::ResetPasswordLink,
    Endpoint::VerifyEmail,
    Endpoint::MagicLinkVerify,
    Endpoint::DeleteUserCallback,
    Endpoint::DeleteUser,
];

/// The purposes whose tokens `endpoint` takes (verify-email completes both steps of a change of
/// email, as in Better Auth).
fn takes(endpoint: Endpoint, purpose: &str) -> bool {
    match endpoint {
        Endpoint::ResetPassword | Endpoint::ResetPasswordLink => purpose == "reset-password",
        Endpoint::VerifyEmail => matches!(
            purpose,
            "verify-email" | "change-email-confirmation" | "change-email-verification"
        ),
        Endpoint::MagicLinkVerify => purpose == "magic-link",
        Endpoint::DeleteUserCallback | Endpoint::DeleteUser => purpose == "delete-account",
    }
}

/// Presents `token` at `endpoint` (signed in as `cookie` where the endpoint needs a session)
/// and checks the endpoint's answer to a token it does not know.
async fn assert_refused(app: &TestApp, endpoint: Endpoint, token: &str, cookie: &str, what: &str) {
    let token_query = url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>();
    let context = format!("{what} at {endpoint:?}");
    match endpoint {
        Endpoint::ResetPassword => {
            let answer = app
                .post_json(
                    "/api/auth/reset-password",
                    &json!({"token": token, "newPassword": "a-password-nobody-set"}),
                    &[],
                )
                .await;
            assert_eq!(answer.status, 400, "{context}: {}", answer.text);
            assert_eq!(answer.body["code"], "INVALID_TOKEN", "{context}");
        }
        Endpoint::ResetPasswordLink => {
            let answer = app
                .get(
                    &format!("/api/auth/reset-password/{token_query}?callbackURL=%2Fr"),
                    &[],
                )
                .await;
            assert_eq!(answer.status, 302, "{context}: {}", answer.text);
            assert_eq!(
                answer.header("location"),
                Some(format!("{}/r?error=INVALID_TOKEN", app.address).as_str()),
                "{context}"
            );
        }
        Endpoint::VerifyEmail => {
            let answer = app
                .get(&format!("/api/auth/verify-email?token={token_query}"), &[])
                .await;
            assert_eq!(answer.status, 401, "{context}: {}", answer.text);
            assert_eq!(answer.body["code"], "INVALID_TOKEN", "{context}");
            assert!(answer.header("set-cookie").is_none(), "{context}");
        }
        Endpoint::MagicLinkVerify => {
            let answer = app
                .get(
                    &format!("/api/auth/magic-link/verify?token={token_query}&callbackURL=%2Fin"),
                    &[],
                )
                .await;
            assert_eq!(answer.status, 302, "{context}: {}", answer.text);
            assert_eq!(
                answer.header("location"),
                Some(format!("{}/in?error=INVALID_TOKEN", app.address).as_str()),
                "{context}"
            );
            assert!(answer.header("set-cookie").is_none(), "{context}");
        }
        Endpoint::DeleteUserCallback => {
            let answer = app
                .get(
                    &format!("/api/auth/delete-user/callback?token={token_query}"),
                    &[("cookie", cookie)],
                )
                .await;
            assert_eq!(answer.status, 404, "{context}: {}", answer.text);
            assert_eq!(answer.body["code"], "INVALID_TOKEN", "{context}");
        }
        Endpoint::DeleteUser => {
            let answer = app
                .post_with_cookie("/api/auth/delete-user", cookie, &json!({"token": token}))
                .await;
            assert_eq!(answer.status, 404, "{context}: {}", answer.text);
            assert_eq!(answer.body["code"], "INVALID_TOKEN", "{context}");
        }
    }
}

/// The user's address and whether it is verified, as stored; `None` once the user is deleted.
async fn stored(app: &TestApp, user: &TestUser) -> Option<(String, bool)> {
    let (id, database) = (user.id.clone(), app.database.clone());
    actix_web::rt::task::spawn_blocking(move || {
        let mut connection = database.connect();
        gatehouse::db::users::find_by_id(&mut connection, &id)
            .unwrap()
            .map(|user| (user.email, user.email_verified))
    })
    .await
    .unwrap()
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn every_token_works_only_where_its_purpose_belongs() {
    let smtp = SmtpServer::start();
    let app = builder()
        .mail_to(&smtp)
        .var("GATEHOUSE_MAGIC_LINK", "on")
        .var("GATEHOUSE_DELETE_USER", "confirm")
        .spawn()
        .await;
    // al: unverified, holds the verification, reset, magic-link and delete-account tokens.
    let al = app.sign_up_user().await;
    let verify = smtp.wait_for_mail_to(&al.email, 1).await.remove(0).token();
    let mut tokens = vec![("verify-email", verify)];
    for (path, body, cookie) in [
        (
            "/api/auth/request-password-reset",
            json!({"email": al.email}),
            "",
        ),
        (
            "/api/auth/sign-in/magic-link",
            json!({"email": al.email}),
            "",
        ),
        (
            "/api/auth/delete-user",
            json!({"password": PASSWORD}),
            al.cookie.as_str(),
        ),
    ] {
        let asked = app.post_with_cookie(path, cookie, &body).await;
        assert_eq!(asked.status, 200, "{path}: {}", asked.text);
    }
    let mails = smtp.wait_for_mail_to(&al.email, 4).await;
    tokens.push(("reset-password", mails[1].token()));
    tokens.push(("magic-link", mails[2].token()));
    tokens.push(("delete-account", mails[3].token()));
    // bo: verified, asks to change address: the confirmation goes to bo's current address.
    let bo = app.sign_up_user().await;
    let bo_verify = smtp.wait_for_mail_to(&bo.email, 1).await.remove(0);
    assert_eq!(app.get(&bo_verify.path(), &[]).await.status, 302);
    let bo_new = unique_email();
    let asked = app
        .post_with_cookie(
            "/api/auth/change-email",
            &bo.cookie,
            &json!({"newEmail": bo_new}),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    let confirmation = smtp.wait_for_mail_to(&bo.email, 2).await.remove(1).token();
    tokens.push(("change-email-confirmation", confirmation));
    // cy: unverified, asks to change address: the new address gets the verification at once.
    let cy = app.sign_up_user().await;
    smtp.wait_for_mail_to(&cy.email, 1).await;
    let cy_new = unique_email();
    let asked = app
        .post_with_cookie(
            "/api/auth/change-email",
            &cy.cookie,
            &json!({"newEmail": cy_new}),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    let cy_verification = smtp.wait_for_mail_to(&cy_new, 1).await.remove(0).token();
    tokens.push(("change-email-verification", cy_verification));
    let not_mailed = [
        ("session token", al.token.clone()),
        ("bearer token", al.bearer.clone()),
    ];

    for endpoint in ENDPOINTS {
        for (purpose, token) in &tokens {
            if !takes(endpoint, purpose) {
                assert_refused(&app, endpoint, token, &al.cookie, purpose).await;
            }
        }
        for (what, token) in &not_mailed {
            assert_refused(&app, endpoint, token, &al.cookie, what).await;
        }
    }

    assert_eq!(stored(&app, &al).await, Some((al.email.clone(), false)));
    assert_eq!(stored(&app, &bo).await, Some((bo.email.clone(), true)));
    assert_eq!(stored(&app, &cy).await, Some((cy.email.clone(), false)));
    assert_eq!(app.sign_in_email(&al.email, PASSWORD).await.status, 200);
    assert!(app.is_signed_in(&al.cookie).await);
    let token = |purpose: &str| {
        tokens
            .iter()
            .find(|(p, _)| *p == purpose)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    // Each token still does its own work.
    let confirmed = app
        .get(
            &format!(
                "/api/auth/verify-email?token={}",
                token("change-email-confirmation")
            ),
            &[],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    smtp.wait_for_mail_to(&bo_new, 1).await;
    let moved = app
        .get(
            &format!(
                "/api/auth/verify-email?token={}",
                token("change-email-verification")
            ),
            &[],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(stored(&app, &cy).await, Some((cy_new, true)));
    let verified = app
        .get(
            &format!("/api/auth/verify-email?token={}", token("verify-email")),
            &[],
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let signed_in = app
        .get(
            &format!(
                "/api/auth/magic-link/verify?token={}&callbackURL=%2Fin",
                token("magic-link")
            ),
            &[],
        )
        .await;
    assert_eq!(
        signed_in.header("location"),
        Some(format!("{}/in", app.address).as_str())
    );
    let reset = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": token("reset-password"), "newPassword": "a-new-good-password"}),
            &[],
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    let fresh = app.sign_in_email(&al.email, "a-new-good-password").await;
    assert_eq!(fresh.status, 200);
    let deleted = app
        .post_with_cookie(
            "/api/auth/delete-user",
            &fresh.session_cookie(),
            &json!({"token": token("delete-account")}),
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(stored(&app, &al).await, None);
}
