//! The cookie CSRF rule and the Sec-Fetch rule on sign-in and sign-up.

use serde_json::json;

use crate::helpers::{TRUSTED_ORIGIN, spawn_app, unique_email};

#[actix_web::test]
async fn a_cookie_carrying_sign_out_needs_a_trusted_origin() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let sign_out = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = user.cookie.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("cookie", cookie.as_str())];
            all.extend(headers.iter().map(|(k, v)| (*k, v.as_str())));
            app.post_json("/api/auth/sign-out", &json!({}), &all).await
        }
    };

    let missing = sign_out(vec![]).await;
    let null = sign_out(vec![("origin", "null".to_owned())]).await;
    let untrusted = sign_out(vec![("origin", "https://evil.example.net".to_owned())]).await;
    let untrusted_referer = sign_out(vec![(
        "referer",
        "https://evil.example.net/page".to_owned(),
    )])
    .await;
    let still_signed_in = app.get_session_with_cookie(&user.cookie).await;
    let trusted_referer = sign_out(vec![("referer", format!("{}/account", app.address))]).await;
    let trusted_other = sign_out(vec![("origin", TRUSTED_ORIGIN.to_owned())]).await;

    assert_eq!(missing.status, 403);
    assert_eq!(
        missing.body,
        json!({"message": "Missing or null Origin", "code": "MISSING_OR_NULL_ORIGIN"})
    );
    assert_eq!(null.code(), "MISSING_OR_NULL_ORIGIN");
    assert_eq!(
        untrusted.body,
        json!({"message": "Invalid origin", "code": "INVALID_ORIGIN"})
    );
    assert_eq!(untrusted_referer.code(), "INVALID_ORIGIN");
    assert!(missing.set_cookies().is_empty());
    assert_eq!(still_signed_in.body["user"]["id"], user.id.as_str());
    assert_eq!([trusted_referer.status, trusted_other.status], [200, 200]);
}

#[actix_web::test]
async fn a_bearer_client_needs_no_origin() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let response = app
        .post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[("authorization", &format!("Bearer {}", user.bearer))],
        )
        .await;

    assert_eq!(response.status, 200);
    assert_eq!(app.get_session_with_bearer(&user.bearer).await.text, "null");
}

#[actix_web::test]
async fn a_cross_site_navigation_never_signs_anyone_in() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let body = json!({"email": user.email, "password": user.password});

    let navigation = app
        .post_json(
            "/api/auth/sign-in/email",
            &body,
            &[
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-mode", "navigate"),
                ("origin", TRUSTED_ORIGIN),
            ],
        )
        .await;
    let sign_up_navigation = app
        .post_json(
            "/api/auth/sign-up",
            &json!({"name": "", "email": unique_email(), "password": "a-long-password"}),
            &[
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-mode", "navigate"),
            ],
        )
        .await;

    assert_eq!(navigation.status, 403);
    assert_eq!(
        navigation.body["message"],
        "Cross-site navigation login blocked. This request appears to be a CSRF attack."
    );
    assert_eq!(navigation.code(), "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED");
    assert_eq!(
        sign_up_navigation.code(),
        "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    );
}

#[actix_web::test]
async fn sign_in_checks_the_origin_whenever_a_browser_header_is_present() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let body = json!({"email": user.email, "password": user.password});
    let sign_in = |headers: &'static [(&'static str, &'static str)]| {
        let (app, body) = (&app, body.clone());
        async move {
            app.post_json("/api/auth/sign-in/email", &body, headers)
                .await
                .code()
                .to_owned()
        }
    };

    let server_to_server = sign_in(&[]).await;
    let fetch_without_origin = sign_in(&[
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-mode", "cors"),
    ])
    .await;
    let untrusted = sign_in(&[
        ("origin", "https://evil.example.net"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-mode", "cors"),
    ])
    .await;
    let trusted = sign_in(&[
        ("origin", TRUSTED_ORIGIN),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-mode", "cors"),
    ])
    .await;
    let same_site_navigation = sign_in(&[
        ("origin", TRUSTED_ORIGIN),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-mode", "navigate"),
    ])
    .await;

    assert_eq!(server_to_server, "");
    assert_eq!(fetch_without_origin, "MISSING_OR_NULL_ORIGIN");
    assert_eq!(untrusted, "INVALID_ORIGIN");
    assert_eq!(trusted, "");
    assert_eq!(same_site_navigation, "");
}

#[actix_web::test]
async fn the_origin_check_comes_after_the_body_checks() {
    let app = spawn_app().await;

    let response = app
        .request(
            "POST",
            "/api/auth/sign-in/email",
            &[
                ("content-type", "application/json"),
                ("origin", "https://evil.example.net"),
            ],
            Some(b"{not json".to_vec()),
        )
        .await;

    assert_eq!(response.status, 400);
    assert_eq!(response.code(), "BAD_REQUEST");
}

#[actix_web::test]
async fn an_origin_that_is_not_exactly_a_trusted_origin_is_refused() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let host = TRUSTED_ORIGIN.trim_start_matches("http://");

    let mut answers = Vec::new();
    for (name, value) in [
        ("origin", format!("http://user@{host}")),
        ("origin", format!("{TRUSTED_ORIGIN}/path")),
        ("origin", format!("{TRUSTED_ORIGIN}/")),
        ("origin", format!("http://{host}@evil.example.net")),
        ("origin", format!("http://%61{}", &host[1..])),
        ("referer", format!("http://user@{host}/page")),
    ] {
        let headers = [("cookie", user.cookie.as_str()), (name, value.as_str())];
        answers.push((
            value.clone(),
            app.post_json("/api/auth/sign-out", &json!({}), &headers)
                .await,
        ));
    }

    for (value, answer) in &answers {
        assert_eq!(answer.status, 403, "{value}: {}", answer.text);
        assert_eq!(answer.code(), "INVALID_ORIGIN", "{value}");
    }
    assert_eq!(
        app.get_session_with_cookie(&user.cookie).await.body["user"]["id"],
        user.id.as_str()
    );
}
