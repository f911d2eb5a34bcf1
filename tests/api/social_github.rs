//! The `github` preset (OAuth 2.0 without OpenID Connect): gatehouse against `oidc-provider`
//! shaped as a GitHub Enterprise Server (`provider.mjs` with `github`: GitHub's paths, the secret
//! in the token request's body, and GitHub's `/user` and `/user/emails` answered for the access
//! tokens that provider issued). There is no GitHub on the test machines; the authorization
//! server (PKCE, single-use codes, exact redirect URIs) is the same certified one as for OIDC.

use std::net::TcpListener;

use serde_json::json;

use crate::helpers::{TestApp, builder, unique_email};
use crate::oidc::{Client, OidcProvider};
use crate::social::{location, mark_verified, open, provider_step, start};

async fn github() -> (TestApp, OidcProvider) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = Client::new("github", &listener);
    let provider = OidcProvider::start_github(&[&client]);
    let app = builder()
        .listener(listener)
        .github(&provider, &client)
        .spawn()
        .await;
    (app, provider)
}

/// A whole GitHub sign-in as `login`; the callback's answer.
async fn sign_in_as(app: &TestApp, login: &str) -> crate::helpers::TestResponse {
    let (started, cookie) = start(
        app,
        json!({"provider": "github", "callbackURL": "/home", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(app, &started, login).await;
    open(app, &callback, &cookie).await
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn github_signs_in_through_its_api_with_the_verified_primary_address() {
    let (app, provider) = github().await;
    let login = format!("private-{}", unique_email());

    let (started, cookie) = start(&app, json!({"provider": "github"})).await;
    let url = url::Url::parse(started.body["url"].as_str().unwrap()).unwrap();
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let callback = provider_step(&app, &started, &login).await;
    let first = open(&app, &callback, &cookie).await;
    let again = sign_in_as(&app, &login).await;

    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/login/oauth/authorize", provider.issuer).as_str())
    );
    assert_eq!(query["scope"], "read:user user:email");
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(!query.contains_key("nonce"), "no ID token, no nonce");
    assert_eq!(first.status, 302, "{}", first.text);
    let session = app.get_session_with_cookie(&first.session_cookie()).await;
    let user = &session.body["user"];
    assert_eq!(
        user["email"],
        login.as_str(),
        "the primary address from /user/emails (the profile's is private)"
    );
    assert_eq!(user["emailVerified"], true);
    assert_eq!(user["name"], format!("Name of {login}"));
    assert_eq!(
        user["image"],
        format!(
            "https://images.example.com/{}.png",
            login.replace('@', "%40")
        )
    );
    assert_eq!(location(&again), format!("{}/home", app.address));
    let session_again = app.get_session_with_cookie(&again.session_cookie()).await;
    assert_eq!(session_again.body["user"]["id"], user["id"]);
    let accounts = app
        .get(
            "/api/auth/list-accounts",
            &[("cookie", &again.session_cookie())],
        )
        .await;
    let list = accounts.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["providerId"], "github");
    let account_id = list[0]["accountId"].as_str().unwrap();
    assert!(
        !account_id.is_empty() && account_id.bytes().all(|b| b.is_ascii_digit()),
        "GitHub's numeric user id, not the login: {account_id}"
    );
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn an_address_github_has_not_verified_neither_verifies_nor_links() {
    let (app, _provider) = github().await;
    let unverified = format!("unverified-{}", unique_email());
    let nameless = format!("nameless-{}", unique_email());
    let owned = format!("unverified-{}", unique_email());
    let signed_up = app
        .sign_up(&json!({"name": "Owner", "email": owned, "password": crate::helpers::PASSWORD}))
        .await;
    assert_eq!(signed_up.status, 200);
    mark_verified(&app, signed_up.body["user"]["id"].as_str().unwrap()).await;

    let fresh = sign_in_as(&app, &unverified).await;
    let takeover = sign_in_as(&app, &owned).await;
    let without_name = sign_in_as(&app, &nameless).await;

    let session = app.get_session_with_cookie(&fresh.session_cookie()).await;
    assert_eq!(session.body["user"]["email"], unverified.as_str());
    assert_eq!(session.body["user"]["emailVerified"], false);
    assert_eq!(
        location(&takeover),
        format!("{}/oops?error=account_not_linked", app.address),
        "a GitHub account whose address GitHub has not verified never gets a verified local user"
    );
    let named = app
        .get_session_with_cookie(&without_name.session_cookie())
        .await;
    assert_eq!(
        named.body["user"]["name"],
        nameless.as_str(),
        "no name: the login"
    );
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn github_has_no_id_tokens_and_a_refused_code_is_an_error_redirect() {
    let (app, _provider) = github().await;

    let with_id_token = app
        .post_json(
            "/api/auth/sign-in/social",
            &json!({"provider": "github", "idToken": {"token": "a.b.c"}}),
            &[("origin", &app.address)],
        )
        .await;
    let (started, cookie) = start(
        &app,
        json!({"provider": "github", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(&app, &started, &unique_email()).await;
    let state = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let forged = open(
        &app,
        &format!(
            "{}/api/auth/callback/github?code=not-a-code&state={state}",
            app.address
        ),
        &cookie,
    )
    .await;

    assert_eq!(
        (with_id_token.status, with_id_token.body["code"].as_str()),
        (404, Some("ID_TOKEN_NOT_SUPPORTED"))
    );
    assert_eq!(
        location(&forged),
        format!("{}/oops?error=invalid_code", app.address)
    );
}
