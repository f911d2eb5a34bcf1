use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn sign_out_without_a_session_still_succeeds_and_expires_the_cookies() {
    let app = spawn_app().await;

    let bare = app.request("POST", "/api/auth/sign-out", &[], None).await;
    let with_body = app.post_json("/api/auth/sign-out", &json!({}), &[]).await;
    let bogus_bearer = app
        .post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[("authorization", "Bearer nonsense")],
        )
        .await;

    for response in [&bare, &with_body, &bogus_bearer] {
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body, json!({"success": true}));
        let cookies = response.set_cookies();
        assert_eq!(
            cookies,
            [
                "gatehouse.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                "gatehouse.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                "gatehouse.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
            ]
        );
    }
}

#[actix_web::test]
async fn signing_out_ends_only_that_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let second = app.sign_in_email(&user.email, &user.password).await;

    app.sign_out_with_cookie(&user.cookie).await;

    assert_eq!(app.get_session_with_cookie(&user.cookie).await.text, "null");
    assert_eq!(
        app.get_session_with_cookie(&second.session_cookie())
            .await
            .body["user"]["id"],
        user.id.as_str()
    );
}

#[actix_web::test]
async fn signing_out_twice_is_harmless() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let first = app.sign_out_with_cookie(&user.cookie).await;
    let second = app.sign_out_with_cookie(&user.cookie).await;

    assert_eq!([first.status, second.status], [200, 200]);
}

#[actix_web::test]
async fn an_empty_body_of_any_content_type_is_no_body() {
    // A plain HTML `<form method="post">` sends an empty form body; Better Auth answers 200.
    let app = spawn_app().await;

    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json",
    ] {
        let response = app
            .request(
                "POST",
                "/api/auth/sign-out",
                &[("content-type", content_type)],
                Some(Vec::new()),
            )
            .await;
        assert_eq!(response.status, 200, "{content_type}: {}", response.text);
        assert_eq!(response.body, json!({"success": true}));
    }
}

#[actix_web::test]
async fn a_sign_out_body_must_be_json_when_present() {
    let app = spawn_app().await;

    let text = app
        .request(
            "POST",
            "/api/auth/sign-out",
            &[("content-type", "text/plain")],
            Some(b"hi".to_vec()),
        )
        .await;
    let array = app.post_json("/api/auth/sign-out", &json!([1]), &[]).await;

    assert_eq!(text.status, 415);
    assert_eq!(
        text.body["message"],
        "Content-Type \"text/plain\" is not allowed. Allowed types: application/json"
    );
    assert_eq!(array.status, 400);
    assert_eq!(array.code(), "VALIDATION_ERROR");
}

#[actix_web::test]
async fn a_request_with_a_cookie_and_a_bearer_token_ends_both_sessions() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other = app.sign_in_email(&user.email, &user.password).await;
    let bearer = format!("Bearer {}", other.auth_token());

    let signed_out = app
        .post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[
                ("cookie", &user.cookie),
                ("authorization", &bearer),
                ("origin", &app.address),
            ],
        )
        .await;

    assert_eq!(signed_out.status, 200);
    assert_eq!(app.get_session_with_cookie(&user.cookie).await.text, "null");
    assert_eq!(
        app.get_session_with_bearer(&other.auth_token()).await.text,
        "null"
    );
}
