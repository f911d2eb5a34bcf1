//! Sign-in with an OpenID Connect provider, against a real one (`oidc-provider`, see `oidc.rs`),
//! on every backend and strategy: new users, returning users, linking by a verified address
//! only, the state bound to the browser, codes and verifiers, mix-ups, key rotation, a provider
//! that is down, and the accounts endpoints.

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, builder, unique_email};
use crate::oidc::{Client, OidcProvider, ProviderBrowser};

/// An app with the provider `corp`, and the provider.
pub(crate) async fn corp() -> (TestApp, OidcProvider) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = Client::new("corp", &listener);
    let provider = OidcProvider::start(&[&client]);
    let app = builder()
        .listener(listener)
        .oauth(&provider, &client)
        .spawn()
        .await;
    (app, provider)
}

/// sign-in/social's answer and the `Cookie` header that carries its state cookie.
pub(crate) async fn start(app: &TestApp, body: Value) -> (TestResponse, String) {
    let started = app
        .post_json(
            "/api/auth/sign-in/social",
            &body,
            &[("origin", &app.address)],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let cookie = started
        .set_cookie("gatehouse.oauth_state")
        .expect("a state cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (started, cookie)
}

/// The provider's redirect back to gatehouse after `login` signs in there.
pub(crate) async fn provider_step(app: &TestApp, started: &TestResponse, login: &str) -> String {
    let url = started.body["url"].as_str().unwrap().to_owned();
    ProviderBrowser::default().authorize(&url, login, app).await
}

/// Opens `callback` (an absolute URL into the app) in the browser that holds `cookie`.
pub(crate) async fn open(app: &TestApp, callback: &str, cookie: &str) -> TestResponse {
    let path = callback.trim_start_matches(&app.address).to_owned();
    app.get(&path, &[("cookie", cookie)]).await
}

/// A whole sign-in as `login`, with `body` for sign-in/social; the callback's answer.
async fn sign_in_as(app: &TestApp, login: &str, body: Value) -> TestResponse {
    let (started, cookie) = start(app, body).await;
    let callback = provider_step(app, &started, login).await;
    open(app, &callback, &cookie).await
}

pub(crate) fn location(response: &TestResponse) -> String {
    response.header("location").unwrap_or_default().to_owned()
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_first_sign_in_creates_a_verified_user_and_the_next_finds_it() {
    let (app, _provider) = corp().await;
    let email = unique_email();

    let (started, cookie) = start(
        &app,
        json!({"provider": "corp", "callbackURL": "/dashboard", "newUserCallbackURL": "/welcome"}),
    )
    .await;
    let url = url::Url::parse(started.body["url"].as_str().unwrap()).unwrap();
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let callback = provider_step(&app, &started, &email).await;
    let first = open(&app, &callback, &cookie).await;
    let again = sign_in_as(
        &app,
        &email,
        json!({"provider": "corp", "callbackURL": "/dashboard", "newUserCallbackURL": "/welcome"}),
    )
    .await;

    assert_eq!(started.body["redirect"], true);
    assert_eq!(started.header("location"), started.body["url"].as_str());
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], "gatehouse-corp");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(
        query["redirect_uri"],
        format!("{}/api/auth/callback/corp", app.address)
    );
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    assert!(!query["nonce"].is_empty());
    assert!(!query["state"].is_empty());
    assert_eq!(first.status, 302, "{}", first.text);
    assert_eq!(location(&first), format!("{}/welcome", app.address));
    assert!(
        first
            .set_cookie("gatehouse.oauth_state")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the state cookie is cleared"
    );
    let session = app.get_session_with_cookie(&first.session_cookie()).await;
    assert_eq!(session.body["user"]["email"], email.as_str());
    assert_eq!(session.body["user"]["emailVerified"], true);
    assert_eq!(session.body["user"]["name"], format!("Name of {email}"));
    assert_eq!(location(&again), format!("{}/dashboard", app.address));
    let session_again = app.get_session_with_cookie(&again.session_cookie()).await;
    assert_eq!(session_again.body["user"]["id"], session.body["user"]["id"]);
    let accounts = app
        .get(
            "/api/auth/list-accounts",
            &[("cookie", &again.session_cookie())],
        )
        .await;
    assert_eq!(accounts.status, 200, "{}", accounts.text);
    let list = accounts.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["providerId"], "corp");
    assert_eq!(list[0]["accountId"], email.as_str());
    assert!(list[0].get("accessToken").is_none());
    assert!(
        list[0]["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "openid")
    );
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn an_existing_address_is_linked_only_when_both_sides_have_verified_it() {
    let (app, _provider) = corp().await;
    let local = app.sign_up_user().await;
    let unverified_at_provider = format!("unverified-{}", unique_email());

    let refused = sign_in_as(
        &app,
        &local.email,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    mark_verified(&app, &local.id).await;
    let linked = sign_in_as(
        &app,
        &local.email,
        json!({"provider": "corp", "callbackURL": "/in"}),
    )
    .await;
    let provider_unverified = sign_in_as(
        &app,
        &unverified_at_provider,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;

    assert_eq!(
        location(&refused),
        format!("{}/oops?error=account_not_linked", app.address),
        "a local address nobody verified is not taken over"
    );
    assert!(refused.set_cookie("gatehouse.session_token").is_none());
    assert_eq!(location(&linked), format!("{}/in", app.address));
    let session = app.get_session_with_cookie(&linked.session_cookie()).await;
    assert_eq!(session.body["user"]["id"], local.id.as_str());
    // An address nobody holds here signs up, unverified as the provider says.
    assert_eq!(location(&provider_unverified), format!("{}/", app.address));
    let new_user = app
        .get_session_with_cookie(&provider_unverified.session_cookie())
        .await;
    assert_eq!(
        new_user.body["user"]["email"],
        unverified_at_provider.as_str()
    );
    assert_eq!(new_user.body["user"]["emailVerified"], false);
    let accounts = app
        .get(
            "/api/auth/list-accounts",
            &[("cookie", &linked.session_cookie())],
        )
        .await;
    let providers: Vec<&str> = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["providerId"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["credential", "corp"]);
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn an_unverified_provider_address_never_links_a_verified_account() {
    let (app, _provider) = corp().await;
    let login = format!("unverified-{}", unique_email());
    let signed_up = app
        .sign_up(&json!({"name": "Owner", "email": login, "password": crate::helpers::PASSWORD}))
        .await;
    assert_eq!(signed_up.status, 200);
    let id = signed_up.body["user"]["id"].as_str().unwrap().to_owned();
    mark_verified(&app, &id).await;

    let refused = sign_in_as(
        &app,
        &login,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;

    assert_eq!(
        location(&refused),
        format!("{}/oops?error=account_not_linked", app.address)
    );
}

pub(crate) async fn mark_verified(app: &TestApp, user_id: &str) {
    let (id, database) = (user_id.to_owned(), app.database.clone());
    actix_web::rt::task::spawn_blocking(move || {
        let mut connection = database.connect();
        gatehouse::db::users::mark_email_verified(
            &mut connection,
            &id,
            chrono::DateTime::UNIX_EPOCH.naive_utc(),
        )
        .unwrap();
    })
    .await
    .unwrap();
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn the_state_is_bound_to_the_browser_and_works_once() {
    let (app, _provider) = corp().await;
    let email = unique_email();
    let (started, cookie) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(&app, &started, &email).await;
    let (_, other_cookie) = start(&app, json!({"provider": "corp"})).await;
    let error_page = format!("{}/api/auth/error", app.address);

    let no_state = app.get("/api/auth/callback/corp?code=abc", &[]).await;
    let forged = app
        .get(
            "/api/auth/callback/corp?code=abc&state=forged",
            &[("cookie", &cookie)],
        )
        .await;
    let without_cookie = open(&app, &callback, "").await;
    let another_browser = open(&app, &callback, &other_cookie).await;
    let right = open(&app, &callback, &cookie).await;
    let replayed = open(&app, &callback, &cookie).await;

    assert_eq!(
        location(&no_state),
        format!("{error_page}?error=state_not_found")
    );
    assert_eq!(
        location(&forged),
        format!("{error_page}?error=state_mismatch")
    );
    for refused in [&without_cookie, &another_browser] {
        assert_eq!(
            location(refused),
            format!("{}/oops?error=state_mismatch", app.address)
        );
        assert!(refused.set_cookie("gatehouse.session_token").is_none());
    }
    assert_eq!(right.status, 302);
    assert!(
        right.set_cookie("gatehouse.session_token").is_some(),
        "the right browser still signs in"
    );
    assert_eq!(
        location(&replayed),
        format!("{error_page}?error=state_mismatch")
    );
    assert!(replayed.set_cookie("gatehouse.session_token").is_none());
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_code_works_once_and_only_with_its_own_verifier() {
    let (app, _provider) = corp().await;
    let email = unique_email();
    let (first, first_cookie) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let first_callback = provider_step(&app, &first, &email).await;
    let (second, second_cookie) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let second_state = url::Url::parse(second.body["url"].as_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let first_code = url::Url::parse(&first_callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    // The second sign-in's state and browser, with the first sign-in's code: its PKCE verifier
    // does not match the code's challenge.
    let crossed = app
        .get(
            &format!("/api/auth/callback/corp?code={first_code}&state={second_state}"),
            &[("cookie", &second_cookie)],
        )
        .await;
    let used = open(&app, &first_callback, &first_cookie).await;

    assert_eq!(
        location(&crossed),
        format!("{}/oops?error=invalid_code", app.address)
    );
    assert!(crossed.set_cookie("gatehouse.session_token").is_none());
    // The provider refuses the mismatched verifier before it consumes the code, so the browser
    // the code belongs to still signs in with it (and a replay of that callback is refused by
    // the single-use state: `the_state_is_bound_to_the_browser_and_works_once`).
    assert_eq!(used.status, 302, "{}", used.text);
    assert!(
        used.set_cookie("gatehouse.session_token").is_some(),
        "{}",
        location(&used)
    );
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_response_for_one_provider_is_refused_at_another_and_a_wrong_iss_too() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (corp, other) = (
        Client::new("corp", &listener),
        Client::new("other", &listener),
    );
    let provider = OidcProvider::start(&[&corp, &other]);
    let app = builder()
        .listener(listener)
        .oauth(&provider, &corp)
        .oauth(&provider, &other)
        .spawn()
        .await;
    let email = unique_email();
    let (started, cookie) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(&app, &started, &email).await;
    let (started_again, cookie_again) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback_again = provider_step(&app, &started_again, &email).await;

    let mixed_up = open(
        &app,
        &callback.replace("/callback/corp", "/callback/other"),
        &cookie,
    )
    .await;
    let wrong_iss = {
        let mut url = url::Url::parse(&callback_again).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "iss" {
                    "https://evil.example.net".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        open(&app, url.as_str(), &cookie_again).await
    };

    assert!(
        callback.contains("iss="),
        "oidc-provider sends RFC 9207's iss: {callback}"
    );
    assert_eq!(
        location(&mixed_up),
        format!("{}/oops?error=state_mismatch", app.address)
    );
    assert_eq!(
        location(&wrong_iss),
        format!("{}/oops?error=issuer_mismatch", app.address)
    );
    for refused in [&mixed_up, &wrong_iss] {
        assert!(refused.set_cookie("gatehouse.session_token").is_none());
    }
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn rotated_provider_keys_are_fetched_again() {
    let (app, provider) = corp().await;
    let email = unique_email();

    provider.rotate_keys().await;
    let signed_in = sign_in_as(
        &app,
        &email,
        json!({"provider": "corp", "callbackURL": "/in"}),
    )
    .await;

    assert_eq!(
        location(&signed_in),
        format!("{}/in", app.address),
        "{}",
        signed_in.text
    );
    assert!(signed_in.set_cookie("gatehouse.session_token").is_some());
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_provider_that_is_down_gets_an_error_redirect_and_nothing_else_suffers() {
    let (app, provider) = corp().await;
    let user = app.sign_up_user().await;
    let email = unique_email();
    let (started, cookie) = start(
        &app,
        json!({"provider": "corp", "errorCallbackURL": "/oops"}),
    )
    .await;
    let callback = provider_step(&app, &started, &email).await;

    provider.go_down().await;
    let failed = open(&app, &callback, &cookie).await;
    let get_session = app.get_session_with_cookie(&user.cookie).await;
    provider.come_back().await;

    assert_eq!(failed.status, 302, "{}", failed.text);
    assert_eq!(
        location(&failed),
        format!("{}/oops?error=invalid_code", app.address)
    );
    assert_eq!(get_session.status, 200);
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn sign_in_social_checks_its_body_provider_and_urls() {
    let (app, _provider) = corp().await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.post_json(
                "/api/auth/sign-in/social",
                &body,
                &[("origin", &app.address)],
            )
            .await
        }
    };

    let unknown = post(json!({"provider": "nope"})).await;
    let missing = post(json!({})).await;
    let untrusted =
        post(json!({"provider": "corp", "callbackURL": "https://evil.example.net/"})).await;
    let untrusted_error =
        post(json!({"provider": "corp", "errorCallbackURL": "//evil.example.net"})).await;
    let bad_scope = post(json!({"provider": "corp", "scopes": ["a b"]})).await;
    let id_token = post(json!({"provider": "corp", "idToken": {"token": "x"}})).await;
    let id_token_without_token = post(json!({"provider": "corp", "idToken": {"nonce": "n"}})).await;
    let id_token_too_long =
        post(json!({"provider": "corp", "idToken": {"token": "x".repeat(16_385)}})).await;
    let quiet = post(json!({"provider": "corp", "disableRedirect": true})).await;

    assert_eq!(
        (unknown.status, unknown.body["code"].as_str()),
        (404, Some("PROVIDER_NOT_FOUND"))
    );
    assert_eq!(
        (missing.status, missing.body["code"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(
        (untrusted.status, untrusted.body["code"].as_str()),
        (403, Some("INVALID_CALLBACK_URL"))
    );
    assert_eq!(
        (
            untrusted_error.status,
            untrusted_error.body["code"].as_str()
        ),
        (403, Some("INVALID_ERROR_CALLBACK_URL"))
    );
    assert_eq!(
        (bad_scope.status, bad_scope.body["code"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(
        (id_token.status, id_token.body["code"].as_str()),
        (401, Some("INVALID_TOKEN"))
    );
    assert_eq!(
        id_token_without_token.body["message"],
        "[body.idToken.token] Invalid input: expected string, received undefined"
    );
    assert_eq!(
        (
            id_token_too_long.status,
            id_token_too_long.body["code"].as_str()
        ),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(quiet.status, 200);
    assert_eq!(quiet.body["redirect"], false);
    assert!(quiet.header("location").is_none());
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn unlink_keeps_the_last_way_to_sign_in() {
    let (app, _provider) = corp().await;
    let local = app.sign_up_user().await;
    mark_verified(&app, &local.id).await;
    let linked = sign_in_as(&app, &local.email, json!({"provider": "corp"})).await;
    let cookie = linked.session_cookie();
    let accounts = app
        .get("/api/auth/list-accounts", &[("cookie", &cookie)])
        .await;
    let id_of = |provider: &str| {
        accounts
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["providerId"] == provider)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let unknown = app
        .post_with_cookie(
            "/api/auth/unlink-account",
            &cookie,
            &json!({"accountId": "nope"}),
        )
        .await;
    let cross_site = app
        .post_json(
            "/api/auth/unlink-account",
            &json!({"accountId": id_of("corp")}),
            &[("cookie", &cookie), ("origin", "https://evil.example.net")],
        )
        .await;
    let unlinked = app
        .post_with_cookie(
            "/api/auth/unlink-account",
            &cookie,
            &json!({"accountId": id_of("corp")}),
        )
        .await;
    let last = app
        .post_with_cookie(
            "/api/auth/unlink-account",
            &cookie,
            &json!({"accountId": id_of("credential")}),
        )
        .await;
    let anonymous = app.get("/api/auth/list-accounts", &[]).await;

    assert_eq!(
        (unknown.status, unknown.body["code"].as_str()),
        (400, Some("ACCOUNT_NOT_FOUND"))
    );
    assert_eq!(
        (cross_site.status, cross_site.body["code"].as_str()),
        (403, Some("INVALID_ORIGIN")),
        "a cookie-carrying request from another site unlinks nothing"
    );
    assert_eq!(unlinked.status, 200, "{}", unlinked.text);
    assert_eq!(unlinked.body, json!({"status": true}));
    assert_eq!(
        (last.status, last.body["code"].as_str()),
        (400, Some("FAILED_TO_UNLINK_LAST_ACCOUNT"))
    );
    assert_eq!(anonymous.status, 401);
    let after = app
        .get("/api/auth/list-accounts", &[("cookie", &cookie)])
        .await;
    assert_eq!(after.body.as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_error_page_shows_only_a_safe_code() {
    let app = crate::helpers::spawn_app().await;

    let page = app
        .get(
            "/api/auth/error?error=state_mismatch&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            &[],
        )
        .await;
    let odd = app.get("/api/auth/error?error=%3Cb%3E", &[]).await;

    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(page.text.contains("state_mismatch"));
    assert!(page.text.contains("&lt;script&gt;"));
    assert!(!page.text.contains("<script>"));
    assert!(odd.text.contains("UNKNOWN"));
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_form_post_answer_goes_on_to_the_get_callback() {
    let (app, _provider) = corp().await;
    let email = unique_email();
    let (started, cookie) = start(&app, json!({"provider": "corp", "callbackURL": "/in"})).await;
    let callback = provider_step(&app, &started, &email).await;
    let answer: Vec<(String, String)> = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let form = answer
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");

    // The provider's page posts the form cross-site: no cookie, another origin.
    let posted = app
        .request(
            "POST",
            "/api/auth/callback/corp",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", "https://provider.example.net"),
            ],
            Some(form.into_bytes()),
        )
        .await;
    let not_a_string = app
        .post_json("/api/auth/callback/corp", &json!({"code": ["a", "b"]}), &[])
        .await;
    let next = location(&posted);
    let signed_in = open(&app, &next, &cookie).await;

    assert_eq!(posted.status, 302, "{}", posted.text);
    assert!(posted.set_cookie("gatehouse.session_token").is_none());
    let carried: Vec<(String, String)> = url::Url::parse(&next)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(
        next.starts_with(&format!("{}/api/auth/callback/corp?", app.address)),
        "{next}"
    );
    for pair in &answer {
        assert!(carried.contains(pair), "{pair:?} in {next}");
    }
    assert_eq!(
        (not_a_string.status, not_a_string.body["code"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(location(&signed_in), format!("{}/in", app.address));
    assert!(signed_in.set_cookie("gatehouse.session_token").is_some());
}

/// Two callbacks of one provider account's first sign-in at once both insert its account row:
/// the loser's unique violation must be known as such on both backends (it used to be a 500),
/// so the callback can sign in whoever won.
#[actix_web::test]
async fn a_second_row_for_one_provider_account_is_a_conflict_not_a_500() {
    let app = crate::helpers::spawn_app().await;
    let user = app.sign_up_user().await;
    let (user_id, database) = (user.id.clone(), app.database.clone());

    let error = actix_web::rt::task::spawn_blocking(move || {
        let mut connection = database.connect();
        let now = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let row = |id: &str| gatehouse::db::models::AccountRow {
            id: id.to_owned(),
            user_id: user_id.clone(),
            provider_id: "corp".to_owned(),
            account_id: "the-same-sub".to_owned(),
            password_hash: None,
            created_at: now,
            updated_at: now,
            access_token: None,
            refresh_token: None,
            id_token: None,
            access_token_expires_at: None,
            scope: None,
        };
        gatehouse::db::accounts::insert(&mut connection, &row("first")).unwrap();
        gatehouse::db::accounts::insert(&mut connection, &row("second")).unwrap_err()
    })
    .await
    .unwrap();

    assert!(
        matches!(
            gatehouse::error::ApiError::from(error),
            gatehouse::error::ApiError::SocialAccountAlreadyLinked
        ),
        "a lost race to link is a conflict"
    );
}
