//! The jwt strategy: stateless tokens, checked for algorithm, expiry, issuer and audience, and a
//! deny-list on sign-out.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use diesel::prelude::*;
use gatehouse::config::SessionStrategy;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{JWT_AUDIENCE, JWT_ISSUER, SECRET, TestApp, builder};

async fn spawn_jwt_app() -> TestApp {
    builder().strategy(SessionStrategy::Jwt).spawn().await
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(header: &Header, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

#[actix_web::test]
async fn the_token_is_a_jwt_with_the_contract_claims() {
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;

    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(user.token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let claims = claims_of(&user.token);

    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["iss"], JWT_ISSUER);
    assert_eq!(claims["aud"], JWT_AUDIENCE);
    assert_eq!(claims["email"], user.email.as_str());
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        7 * 86_400
    );
    assert_eq!(claims["sid"].as_str().unwrap().len(), 32);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
    assert_eq!(claims["emailVerified"], false);
}

#[actix_web::test]
async fn get_session_synthesises_the_session_from_the_claims() {
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    let claims = claims_of(&user.token);

    let response = app.get_session_with_cookie(&user.cookie).await;

    let session = &response.body["session"];
    assert_eq!(session["id"], claims["sid"]);
    assert_eq!(session["token"], user.token.as_str());
    assert_eq!(session["userId"], user.id.as_str());
    assert_eq!(session["ipAddress"], "");
    assert_eq!(session["userAgent"], "");
    assert_eq!(session["createdAt"], session["updatedAt"]);
    assert_eq!(response.header("set-auth-jwt"), Some(user.token.as_str()));
}

#[actix_web::test]
async fn a_valid_token_needs_no_user_row() {
    use gatehouse::db::schema::users;
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    diesel::delete(users::table.find(&user.id))
        .execute(&mut app.database.connect())
        .unwrap();

    let response = app.get_session_with_bearer(&user.token).await;

    assert_eq!(
        response.body["user"]["id"],
        user.id.as_str(),
        "{}",
        response.text
    );
}

#[actix_web::test]
async fn a_refresh_reads_the_user_again_and_a_deleted_user_has_no_session() {
    use gatehouse::db::schema::users;
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    let kept = app.sign_up_user().await;
    diesel::update(users::table.find(&kept.id))
        .set(users::name.eq("Renamed"))
        .execute(&mut app.database.connect())
        .unwrap();
    diesel::delete(users::table.find(&user.id))
        .execute(&mut app.database.connect())
        .unwrap();

    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let deleted = app.get_session_with_bearer(&user.token).await;
    let refreshed = app.get_session_with_bearer(&kept.token).await;

    assert_eq!(deleted.text, "null");
    assert_eq!(refreshed.body["user"]["name"], "Renamed");
    let reissued = refreshed.header("set-auth-jwt").unwrap();
    assert_ne!(reissued, kept.token);
    let (old, new) = (claims_of(&kept.token), claims_of(reissued));
    assert_eq!(new["sid"], old["sid"]);
    assert_ne!(new["jti"], old["jti"]);
    assert_eq!(new["name"], "Renamed");
    assert!(refreshed.auth_token().starts_with(reissued));
}

#[actix_web::test]
async fn sign_out_deny_lists_the_session_and_its_refreshed_copies() {
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let refreshed = app.get_session_with_bearer(&user.token).await;
    let newer = refreshed.header("set-auth-jwt").unwrap().to_owned();

    let signed_out = app.sign_out_with_cookie(&user.cookie).await;

    assert_eq!(signed_out.body, json!({"success": true}));
    assert_eq!(app.get_session_with_bearer(&user.token).await.text, "null");
    assert_eq!(app.get_session_with_bearer(&newer).await.text, "null");
    assert_eq!(app.get_session_with_cookie(&user.cookie).await.text, "null");
}

#[actix_web::test]
async fn forged_and_altered_tokens_are_no_session() {
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    let claims = claims_of(&user.token);
    let hs256 = Header::new(Algorithm::HS256);
    let with = |key: &str, value: Value| {
        let mut changed = claims.clone();
        changed[key] = value;
        changed
    };
    let without = |key: &str| {
        let mut changed = claims.clone();
        changed.as_object_mut().unwrap().remove(key);
        changed
    };
    let now = claims["iat"].as_i64().unwrap();
    let segments: Vec<&str> = user.token.split('.').collect();
    let unsigned_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        segments[1]
    );
    let tampered_payload = format!(
        "{}.{}.{}",
        segments[0],
        URL_SAFE_NO_PAD.encode(with("sub", json!("someone-else")).to_string()),
        segments[2]
    );
    let mut one_char_changed = user.token.clone();
    let last = one_char_changed.pop().unwrap();
    one_char_changed.push(if last == 'A' { 'B' } else { 'A' });

    let forgeries = [
        ("alg none", unsigned_none),
        (
            "alg none, signed",
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
                segments[1],
                segments[2]
            ),
        ),
        (
            "another secret",
            sign(&hs256, &claims, "another-secret-0123456789abcdef-0123456"),
        ),
        (
            "HS512 with the right secret",
            sign(&Header::new(Algorithm::HS512), &claims, SECRET),
        ),
        (
            "expired",
            sign(&hs256, &with("exp", json!(now - 120)), SECRET),
        ),
        (
            "not yet valid",
            sign(&hs256, &with("nbf", json!(now + 3600)), SECRET),
        ),
        (
            "issued in the future",
            sign(&hs256, &with("iat", json!(now + 3600)), SECRET),
        ),
        (
            "wrong issuer",
            sign(
                &hs256,
                &with("iss", json!("https://evil.example.net")),
                SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(
                &hs256,
                &with("aud", json!("https://evil.example.net")),
                SECRET,
            ),
        ),
        ("no exp", sign(&hs256, &without("exp"), SECRET)),
        ("no iss", sign(&hs256, &without("iss"), SECRET)),
        ("no aud", sign(&hs256, &without("aud"), SECRET)),
        ("no sub", sign(&hs256, &without("sub"), SECRET)),
        ("no sid", sign(&hs256, &without("sid"), SECRET)),
        ("no jti", sign(&hs256, &without("jti"), SECRET)),
        ("tampered payload", tampered_payload),
        (
            "truncated signature",
            user.token[..user.token.len() - 5].to_owned(),
        ),
        (
            "empty signature",
            format!("{}.{}.", segments[0], segments[1]),
        ),
        ("one character changed", one_char_changed),
        ("two segments", format!("{}.{}", segments[0], segments[1])),
        ("four segments", format!("{}.x", user.token)),
        (
            "invalid base64",
            format!("{}.{}.!!!", segments[0], segments[1]),
        ),
        (
            "oversized",
            sign(&hs256, &with("name", json!("x".repeat(9000))), SECRET),
        ),
    ];

    for (what, token) in forgeries {
        let response = app.get_session_with_bearer(&token).await;
        assert_eq!(
            (response.status, response.text.as_str()),
            (200, "null"),
            "{what} was accepted"
        );
    }
    let genuine = app.get_session_with_bearer(&user.token).await;
    assert_eq!(genuine.body["user"]["id"], user.id.as_str());
}

#[actix_web::test]
async fn a_valid_token_from_another_deployment_is_no_session() {
    let app = spawn_jwt_app().await;
    let elsewhere = builder()
        .strategy(SessionStrategy::Jwt)
        .var("GATEHOUSE_JWT_ISSUER", "https://other.example.com")
        .spawn()
        .await;
    let user = elsewhere.sign_up_user().await;

    let response = app.get_session_with_bearer(&user.token).await;

    assert_eq!(response.text, "null");
}

#[actix_web::test]
async fn an_expired_token_is_no_session() {
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;

    app.clock.advance(Duration::days(7) + Duration::minutes(1));
    let response = app.get_session_with_bearer(&user.token).await;

    assert_eq!(response.text, "null");
}
