//! ID-token sign-in (native apps) and link-social, against the real provider of `oidc.rs`: a
//! real ID token from its token endpoint signs in; tokens it signs over chosen claims (its own
//! key, a key it never published, HMAC, none) try every check; link-social links by redirect
//! and by ID token only a provider account whose verified address is the user's.

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestAppBuilder, TestResponse, builder, unique_email};
use crate::oidc::{CLIENT_SECRET, Client, OidcProvider};
use crate::social::{location, mark_verified, open, provider_step};

/// An app with the provider `corp` (and `more` applied to its builder), the provider, and the
/// client gatehouse is at the provider.
async fn corp_with(
    more: impl FnOnce(TestAppBuilder) -> TestAppBuilder,
) -> (TestApp, OidcProvider, Client) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = Client::new("corp", &listener);
    let provider = OidcProvider::start(&[&client]);
    let app = more(builder().listener(listener).oauth(&provider, &client))
        .spawn()
        .await;
    (app, provider, client)
}

/// Claims a provider would put in an ID token for `email`, valid for five minutes.
fn claims(provider: &OidcProvider, client: &Client, email: &str) -> Value {
    let now = gatehouse::clock::Clock::system().now().timestamp();
    json!({
        "iss": provider.issuer,
        "aud": client.client_id,
        "sub": format!("sub-{email}"),
        "email": email,
        "email_verified": true,
        "name": "Native App User",
        "iat": now,
        "exp": now + 300,
    })
}

async fn sign_in_with(app: &TestApp, id_token: Value) -> TestResponse {
    app.post_json(
        "/api/auth/sign-in/social",
        &json!({"provider": "corp", "idToken": id_token}),
        &[("origin", &app.address)],
    )
    .await
}

fn code(response: &TestResponse) -> (u16, Option<&str>) {
    (response.status, response.body["code"].as_str())
}

async fn user_exists(app: &TestApp, email: &str) -> bool {
    let (email, database) = (email.to_owned(), app.database.clone());
    actix_web::rt::task::spawn_blocking(move || {
        let mut connection = database.connect();
        gatehouse::db::users::find_by_email(&mut connection, &email)
            .unwrap()
            .is_some()
    })
    .await
    .unwrap()
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_real_id_token_signs_in_with_its_nonce() {
    let (app, provider, client) = corp_with(|b| b).await;
    let email = unique_email();
    let (token, access_token) = provider.id_token(&client, &email, "nonce-1", &app).await;

    let wrong_nonce = sign_in_with(
        &app,
        json!({"token": token, "nonce": "nonce-2", "accessToken": access_token}),
    )
    .await;
    let no_access_token = sign_in_with(&app, json!({"token": token, "nonce": "nonce-1"})).await;
    let bad_access_token = sign_in_with(
        &app,
        json!({"token": token, "nonce": "nonce-1", "accessToken": "not-the-one"}),
    )
    .await;
    let signed_in = sign_in_with(
        &app,
        json!({"token": token, "nonce": "nonce-1", "accessToken": access_token}),
    )
    .await;
    let without_nonce = sign_in_with(&app, json!({"token": token})).await;

    assert_eq!(code(&wrong_nonce), (401, Some("INVALID_TOKEN")));
    assert!(wrong_nonce.set_cookie("gatehouse.session_token").is_none());
    // The token has no email; without the access token to ask the user-info endpoint, nobody
    // is known by it.
    assert_eq!(code(&no_access_token), (401, Some("USER_EMAIL_NOT_FOUND")));
    assert_eq!(code(&bad_access_token), (401, Some("INVALID_TOKEN")));
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["redirect"], false);
    assert!(
        signed_in.body["token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(signed_in.body["user"]["email"], email.as_str());
    assert_eq!(signed_in.body["user"]["emailVerified"], true);
    assert!(signed_in.header("location").is_none());
    let session = app
        .get_session_with_cookie(&signed_in.session_cookie())
        .await;
    assert_eq!(session.body["user"]["email"], email.as_str());
    // Better Auth checks the nonce only when the app sends one; the account is known by `sub`.
    assert_eq!(without_nonce.status, 200, "{}", without_nonce.text);
    assert_eq!(
        without_nonce.body["user"]["id"],
        signed_in.body["user"]["id"]
    );
    let accounts = app
        .get(
            "/api/auth/list-accounts",
            &[("cookie", &signed_in.session_cookie())],
        )
        .await;
    assert_eq!(accounts.body.as_array().unwrap().len(), 1);
    assert_eq!(accounts.body[0]["providerId"], "corp");
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn forged_id_tokens_are_refused_and_leave_nothing_behind() {
    let (app, provider, client) = corp_with(|b| b).await;
    let email = unique_email();
    let good = claims(&provider, &client, &email);
    let with = |changes: Value| {
        let mut claims = good.clone();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    };
    let now = gatehouse::clock::Clock::system().now().timestamp();
    let forgeries = [
        (
            "a key the provider never published",
            provider.sign(&good, "foreign", "RS256", "").await,
        ),
        (
            "another audience",
            provider
                .sign(
                    &with(json!({"aud": "someone-else"})),
                    "current",
                    "RS256",
                    "",
                )
                .await,
        ),
        (
            "an extra untrusted audience",
            provider
                .sign(
                    &with(json!({"aud": [client.client_id, "someone-else"]})),
                    "current",
                    "RS256",
                    "",
                )
                .await,
        ),
        (
            "expired",
            provider
                .sign(
                    &with(json!({"iat": now - 600, "exp": now - 60})),
                    "current",
                    "RS256",
                    "",
                )
                .await,
        ),
        (
            "another issuer",
            provider
                .sign(
                    &with(json!({"iss": "https://evil.example.net"})),
                    "current",
                    "RS256",
                    "",
                )
                .await,
        ),
        (
            "HMAC under the client secret",
            provider
                .sign(&good, "current", "HS256", CLIENT_SECRET)
                .await,
        ),
        (
            "unsigned",
            provider.sign(&good, "current", "none", "").await,
        ),
        ("not a JWT", "not.a.jwt".to_owned()),
    ];
    let nonce_token = provider
        .sign(
            &with(json!({"nonce": "the-apps-nonce"})),
            "current",
            "RS256",
            "",
        )
        .await;

    let mut refused = Vec::new();
    for (what, token) in &forgeries {
        refused.push((*what, sign_in_with(&app, json!({"token": token})).await));
    }
    let wrong_nonce = sign_in_with(&app, json!({"token": nonce_token, "nonce": "another"})).await;
    let left_behind = user_exists(&app, &email).await;
    let genuine = sign_in_with(
        &app,
        json!({"token": provider.sign(&good, "current", "RS256", "").await}),
    )
    .await;

    for (what, response) in &refused {
        assert_eq!(
            code(response),
            (401, Some("INVALID_TOKEN")),
            "{what}: {}",
            response.text
        );
        assert!(
            response.set_cookie("gatehouse.session_token").is_none(),
            "{what}"
        );
    }
    assert_eq!(code(&wrong_nonce), (401, Some("INVALID_TOKEN")));
    assert!(!left_behind, "a refused token created the user");
    assert_eq!(
        genuine.status, 200,
        "the same claims, properly signed: {}",
        genuine.text
    );
    assert_eq!(genuine.body["user"]["name"], "Native App User");
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn id_tokens_for_the_apps_own_client_ids_and_their_addresses() {
    let (app, provider, client) = corp_with(|b| {
        b.var(
            "GATEHOUSE_OAUTH_CORP_ID_TOKEN_CLIENT_IDS",
            "ios-app, android-app",
        )
    })
    .await;
    let good = claims(&provider, &client, &unique_email());
    let with = |changes: Value| {
        let mut claims = good.clone();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    };
    let local = app.sign_up_user().await;
    let unverified_atprovider = unique_email();

    let ios = sign_in_with(
        &app,
        json!({"token": provider.sign(&with(json!({"aud": "ios-app"})), "current", "RS256", "").await}),
    )
    .await;
    let both = sign_in_with(
        &app,
        json!({"token": provider.sign(&with(json!({"aud": ["android-app", client.client_id]})), "current", "RS256", "").await}),
    )
    .await;
    let no_email = sign_in_with(
        &app,
        json!({"token": provider.sign(&with(json!({"email": null, "sub": "no-email"})), "current", "RS256", "").await}),
    )
    .await;
    let unverified_local = sign_in_with(
        &app,
        json!({"token": provider
            .sign(&with(json!({"email": local.email, "sub": "takeover"})), "current", "RS256", "")
            .await}),
    )
    .await;
    let unverified_new = sign_in_with(
        &app,
        json!({"token": provider
            .sign(
                &with(json!({"email": unverified_atprovider, "sub": "unverified", "email_verified": false})),
                "current",
                "RS256",
                "",
            )
            .await}),
    )
    .await;

    assert_eq!(ios.status, 200, "{}", ios.text);
    assert_eq!(both.status, 200, "{}", both.text);
    assert_eq!(both.body["user"]["id"], ios.body["user"]["id"]);
    assert_eq!(code(&no_email), (401, Some("USER_EMAIL_NOT_FOUND")));
    assert_eq!(
        code(&unverified_local),
        (401, Some("OAUTH_LINK_ERROR")),
        "a local address nobody verified is not taken over"
    );
    assert_eq!(unverified_new.status, 200, "{}", unverified_new.text);
    assert_eq!(unverified_new.body["user"]["emailVerified"], false);
}

/// OpenID Connect caps `sub` at 255 characters: a token whose `sub` is longer (or empty) is
/// refused as invalid on every backend, and nothing is stored; one of exactly 255 signs in.
#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_sub_longer_than_openid_connect_allows_is_refused_and_nothing_stored() {
    let (app, provider, client) = corp_with(|b| b).await;
    let token_with_sub = |email: &str, sub: String| {
        let mut claims = claims(&provider, &client, email);
        claims["sub"] = json!(sub);
        claims
    };
    let (long_email, empty_email, longest_email) = (unique_email(), unique_email(), unique_email());

    let long = sign_in_with(
        &app,
        json!({"token": provider.sign(&token_with_sub(&long_email, "s".repeat(256)), "current", "RS256", "").await}),
    )
    .await;
    let empty = sign_in_with(
        &app,
        json!({"token": provider.sign(&token_with_sub(&empty_email, String::new()), "current", "RS256", "").await}),
    )
    .await;
    let longest = sign_in_with(
        &app,
        json!({"token": provider.sign(&token_with_sub(&longest_email, "s".repeat(255)), "current", "RS256", "").await}),
    )
    .await;

    assert_eq!(code(&long), (401, Some("INVALID_TOKEN")), "{}", long.text);
    assert_eq!(code(&empty), (401, Some("INVALID_TOKEN")), "{}", empty.text);
    assert!(!user_exists(&app, &long_email).await);
    assert!(!user_exists(&app, &empty_email).await);
    assert_eq!(longest.status, 200, "{}", longest.text);
}

/// link-social's answer, and the `Cookie` header of the browser that holds both the session and
/// the state cookie.
async fn start_link(app: &TestApp, session_cookie: &str, body: Value) -> (TestResponse, String) {
    let started = app
        .post_with_cookie("/api/auth/link-social", session_cookie, &body)
        .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let state = started
        .set_cookie("gatehouse.oauth_state")
        .expect("a state cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (started, format!("{session_cookie}; {state}"))
}

/// A whole link by redirect for the user of `session_cookie`, signing in at the provider as
/// `login`; the callback's answer.
async fn link_as(app: &TestApp, session_cookie: &str, login: &str) -> TestResponse {
    let (started, cookie) = start_link(
        app,
        session_cookie,
        json!({"provider": "corp", "callbackURL": "/linked", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(app, &started, login).await;
    open(app, &callback, &cookie).await
}

async fn providers_of(app: &TestApp, cookie: &str) -> Vec<String> {
    let accounts = app
        .get("/api/auth/list-accounts", &[("cookie", cookie)])
        .await;
    accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["providerId"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn link_social_by_redirect_links_only_the_users_own_verified_address() {
    let (app, provider, _client) = corp_with(|b| b).await;
    let owner = app.sign_up_user().await;
    let other = app.sign_up_user().await;
    let oops = |error: &str| format!("{}/oops?error={error}", app.address);

    let anonymous = app
        .post_json(
            "/api/auth/link-social",
            &json!({"provider": "corp"}),
            &[("origin", &app.address)],
        )
        .await;
    let cross_site = app
        .post_json(
            "/api/auth/link-social",
            &json!({"provider": "corp"}),
            &[
                ("cookie", &owner.cookie),
                ("origin", "https://evil.example.net"),
            ],
        )
        .await;
    let (started, _) = start_link(&app, &owner.cookie, json!({"provider": "corp"})).await;
    let linked = link_as(&app, &owner.cookie, &owner.email).await;
    let again = link_as(&app, &owner.cookie, &owner.email).await;
    let taken = link_as(&app, &other.cookie, &owner.email).await;
    let different = link_as(&app, &other.cookie, &unique_email()).await;
    let unverified = link_as(&app, &other.cookie, &format!("unverified-{}", other.email)).await;
    // The session that asked ends before the provider sends the browser back.
    let (pending, cookie) = start_link(
        &app,
        &other.cookie,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(&app, &pending, &other.email).await;
    let signed_out = app.sign_out_with_cookie(&other.cookie).await;
    let after_sign_out = open(&app, &callback, &cookie).await;

    assert_eq!(code(&anonymous), (401, Some("UNAUTHORIZED")));
    assert_eq!(code(&cross_site), (403, Some("INVALID_ORIGIN")));
    assert_eq!(started.body["redirect"], true);
    assert!(
        started.body["url"]
            .as_str()
            .unwrap()
            .starts_with(&provider.issuer)
    );
    assert_eq!(
        location(&linked),
        format!("{}/linked", app.address),
        "{}",
        linked.text
    );
    assert!(
        linked.set_cookie("gatehouse.session_token").is_none(),
        "a link starts no session"
    );
    assert_eq!(location(&again), format!("{}/linked", app.address));
    assert_eq!(
        providers_of(&app, &owner.cookie).await,
        ["credential", "corp"]
    );
    assert_eq!(
        location(&taken),
        oops("account_already_linked_to_different_user")
    );
    assert_eq!(location(&different), oops("email_does_not_match"));
    assert_eq!(location(&unverified), oops("unable_to_link_account"));
    assert_eq!(signed_out.status, 200);
    assert_eq!(location(&after_sign_out), oops("unable_to_link_account"));
    let other_again = app.sign_in_email(&other.email, &other.password).await;
    assert_eq!(
        providers_of(&app, &other_again.session_cookie()).await,
        ["credential"]
    );
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn link_social_with_an_id_token_answers_at_once() {
    let (app, provider, client) = corp_with(|b| b).await;
    let owner = app.sign_up_user().await;
    let other = app.sign_up_user().await;
    mark_verified(&app, &other.id).await;
    let token_for = |claims: Value| {
        let provider = &provider;
        async move { provider.sign(&claims, "current", "RS256", "").await }
    };
    let link = |cookie: String, token: String| {
        let app = &app;
        async move {
            app.post_with_cookie(
                "/api/auth/link-social",
                &cookie,
                &json!({"provider": "corp", "idToken": {"token": token}}),
            )
            .await
        }
    };
    let owners = claims(&provider, &client, &owner.email);
    let mut unverified = claims(&provider, &client, &other.email);
    unverified["email_verified"] = json!(false);
    let elsewhere = claims(&provider, &client, &unique_email());

    let linked = link(owner.cookie.clone(), token_for(owners.clone()).await).await;
    let relinked = link(owner.cookie.clone(), token_for(owners.clone()).await).await;
    let taken = link(other.cookie.clone(), token_for(owners.clone()).await).await;
    let not_verified = link(other.cookie.clone(), token_for(unverified).await).await;
    let different = link(other.cookie.clone(), token_for(elsewhere).await).await;
    let forged = link(
        other.cookie.clone(),
        provider.sign(&owners, "foreign", "RS256", "").await,
    )
    .await;

    assert_eq!(linked.status, 200, "{}", linked.text);
    assert_eq!(
        linked.body,
        json!({"url": "", "redirect": false, "status": true})
    );
    assert_eq!(relinked.status, 200, "{}", relinked.text);
    assert_eq!(
        providers_of(&app, &owner.cookie).await,
        ["credential", "corp"]
    );
    assert_eq!(code(&taken), (409, Some("SOCIAL_ACCOUNT_ALREADY_LINKED")));
    assert_eq!(code(&not_verified), (401, Some("LINKING_NOT_ALLOWED")));
    assert_eq!(
        code(&different),
        (401, Some("LINKING_DIFFERENT_EMAILS_NOT_ALLOWED"))
    );
    assert_eq!(code(&forged), (401, Some("INVALID_TOKEN")));
    assert_eq!(providers_of(&app, &other.cookie).await, ["credential"]);
    // The linked account signs its owner in.
    let signed_in = sign_in_with(&app, json!({"token": token_for(owners).await})).await;
    assert_eq!(signed_in.body["user"]["id"], owner.id.as_str());
}
