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
async fn the_token_is_a_jwt_with_the_documented_claims() {
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

/// EdDSA: tokens signed with an Ed25519 key, published at `/api/auth/jwks`.
mod eddsa {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use gatehouse::config::SessionStrategy;
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
    use serde_json::{Value, json};

    use super::claims_of;
    use crate::helpers::{JWT_AUDIENCE, JWT_ISSUER, SECRET, TestApp, builder, spawn_app};

    /// A new key in a file that lives as long as the returned guard.
    fn key_file() -> (tempfile::NamedTempFile, String) {
        let pem = gatehouse::config::keys::generate_private_key_pem().unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &pem).unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        (file, path)
    }

    async fn spawn_eddsa(key: &str, old_keys: Option<&str>, database: Option<&TestApp>) -> TestApp {
        let mut builder = builder()
            .strategy(SessionStrategy::Jwt)
            .var("GATEHOUSE_JWT_PRIVATE_KEY", key);
        if let Some(old) = old_keys {
            builder = builder.var("GATEHOUSE_JWT_KEYS_OLD", old);
        }
        if let Some(app) = database {
            builder = builder.database(app.database.clone());
        }
        builder.spawn().await
    }

    fn header_of(token: &str) -> Value {
        serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap()
    }

    #[actix_web::test]
    async fn another_service_verifies_a_token_with_the_published_key_alone() {
        let (_key, path) = key_file();
        let app = spawn_eddsa(&path, None, None).await;
        let user = app.sign_up_user().await;

        let jwks = app.get("/api/auth/jwks", &[]).await;
        let header = header_of(&user.token);

        assert_eq!(jwks.status, 200);
        assert_eq!(jwks.header("cache-control"), Some("public, max-age=300"));
        let key = &jwks.body["keys"][0];
        assert_eq!(jwks.body["keys"].as_array().unwrap().len(), 1);
        assert_eq!(
            [&key["kty"], &key["crv"], &key["alg"], &key["use"]],
            [
                &json!("OKP"),
                &json!("Ed25519"),
                &json!("EdDSA"),
                &json!("sig")
            ]
        );
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["kid"], key["kid"]);
        let thumbprint_input = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            key["x"].as_str().unwrap()
        );
        let thumbprint = URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(
            thumbprint_input.as_bytes(),
        ));
        assert_eq!(key["kid"], thumbprint.as_str());
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[JWT_ISSUER]);
        validation.set_audience(&[JWT_AUDIENCE]);
        let decoded = jsonwebtoken::decode::<Value>(
            &user.token,
            &DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.claims["sub"], user.id.as_str());
        assert_eq!(
            app.get_session_with_bearer(&user.token).await.body["user"]["id"],
            user.id.as_str()
        );
    }

    #[actix_web::test]
    async fn algorithm_confusion_and_key_games_are_no_session() {
        let (_key, path) = key_file();
        let app = spawn_eddsa(&path, None, None).await;
        let user = app.sign_up_user().await;
        let claims = claims_of(&user.token);
        let jwks = app.get("/api/auth/jwks", &[]).await;
        let x = jwks.body["keys"][0]["x"].as_str().unwrap().to_owned();
        let public_bytes = URL_SAFE_NO_PAD.decode(&x).unwrap();
        let kid = header_of(&user.token)["kid"].as_str().unwrap().to_owned();
        let hs256_with_kid = |secret: &[u8]| {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(kid.clone());
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap()
        };
        let (_attacker_key, attacker_path) = key_file();
        let attacker_pem = std::fs::read_to_string(&attacker_path).unwrap();
        let attacker_der = {
            use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
            ed25519_dalek::SigningKey::from_pkcs8_pem(&attacker_pem)
                .unwrap()
                .to_pkcs8_der()
                .unwrap()
        };
        let signed_by_attacker = |kid: Option<&str>, jku: Option<&str>| {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = kid.map(str::to_owned);
            header.jku = jku.map(str::to_owned);
            jsonwebtoken::encode(
                &header,
                &claims,
                &EncodingKey::from_ed_der(attacker_der.as_bytes()),
            )
            .unwrap()
        };

        let forgeries = [
            (
                "HS256 with the shared secret",
                hs256_with_kid(SECRET.as_bytes()),
            ),
            (
                "HS256 MACed with the public key",
                hs256_with_kid(&public_bytes),
            ),
            (
                "HS256 MACed with the public key's base64",
                hs256_with_kid(x.as_bytes()),
            ),
            (
                "another key claiming the real kid",
                signed_by_attacker(Some(&kid), None),
            ),
            (
                "an unknown kid",
                signed_by_attacker(Some("unknown-kid"), None),
            ),
            ("no kid", signed_by_attacker(None, None)),
            (
                "a jku pointing elsewhere",
                signed_by_attacker(None, Some("https://evil.example.net/jwks.json")),
            ),
        ];

        for (what, token) in forgeries {
            let response = app.get_session_with_bearer(&token).await;
            assert_eq!(response.text, "null", "{what} was accepted");
            let verify = app
                .get(
                    "/api/auth/verify",
                    &[("authorization", &format!("Bearer {token}"))],
                )
                .await;
            assert_eq!(verify.status, 401, "{what} passed /verify");
        }
    }

    #[actix_web::test]
    async fn a_rotated_key_keeps_verifying_while_it_is_listed_as_old() {
        let (_old, old_path) = key_file();
        let (_new, new_path) = key_file();
        let before = spawn_eddsa(&old_path, None, None).await;
        let user = before.sign_up_user().await;
        let rotated = spawn_eddsa(&new_path, Some(&old_path), Some(&before)).await;
        let forgotten = spawn_eddsa(&new_path, None, Some(&before)).await;

        let still_valid = rotated.get_session_with_bearer(&user.token).await;
        let jwks = rotated.get("/api/auth/jwks", &[]).await;
        let new_token = rotated
            .sign_in_email(&user.email, &user.password)
            .await
            .body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let dropped = forgotten.get_session_with_bearer(&user.token).await;

        assert_eq!(still_valid.body["user"]["id"], user.id.as_str());
        assert_eq!(jwks.body["keys"].as_array().unwrap().len(), 2);
        assert_eq!(jwks.body["keys"][0]["kid"], header_of(&new_token)["kid"]);
        assert_eq!(jwks.body["keys"][1]["kid"], header_of(&user.token)["kid"]);
        assert_eq!(dropped.text, "null");
        assert_eq!(
            forgotten.get_session_with_bearer(&new_token).await.body["user"]["id"],
            user.id.as_str()
        );
    }

    #[actix_web::test]
    async fn a_shared_secret_is_never_published() {
        let hs256 = builder().strategy(SessionStrategy::Jwt).spawn().await;
        let database = spawn_app().await;

        for app in [&hs256, &database] {
            let response = app.get("/api/auth/jwks", &[]).await;
            assert_eq!(response.status, 404);
            assert_eq!(response.code(), "NOT_FOUND");
        }
    }
}

/// Statements that read or write users or sessions: what answering a request could cost. The
/// deny-list's own reads (`revoked_sessions`) and the background pruning (`DELETE`) are upkeep.
fn session_statements(app: &TestApp) -> usize {
    crate::queries::statements(&app.database.url)
        .iter()
        .filter(|sql| {
            let sql = sql.to_ascii_lowercase();
            !sql.contains("revoked_sessions")
                && !sql.trim_start().starts_with("delete")
                && (sql.contains("users") || sql.contains("sessions"))
        })
        .count()
}

#[actix_web::test]
async fn a_valid_token_is_answered_without_a_database_query() {
    crate::queries::install();
    let app = spawn_jwt_app().await;
    let user = app.sign_up_user().await;
    let before = session_statements(&app);

    for _ in 0..20 {
        assert_eq!(
            app.get_session_with_bearer(&user.token).await.body["user"]["id"],
            user.id.as_str()
        );
        assert_eq!(
            app.get("/api/auth/verify", &[("cookie", &user.cookie)])
                .await
                .status,
            200
        );
    }
    let after_reads = session_statements(&app);
    // The count does count: a request that needs the database moves it.
    app.sign_in_email(&user.email, &user.password).await;

    assert!(before > 0, "the sign-up's statements were not seen");
    assert_eq!(after_reads, before);
    assert!(session_statements(&app) > before);
}

#[actix_web::test]
async fn a_sign_out_reaches_another_instance_within_a_second() {
    let first = spawn_jwt_app().await;
    let second = builder()
        .strategy(SessionStrategy::Jwt)
        .database(first.database.clone())
        .spawn()
        .await;
    let user = first.sign_up_user().await;
    assert_eq!(
        second.get_session_with_bearer(&user.token).await.body["user"]["id"],
        user.id.as_str()
    );

    first
        .post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[("authorization", &format!("Bearer {}", user.token))],
        )
        .await;
    let signed_out_at = std::time::Instant::now();
    while second.get_session_with_bearer(&user.token).await.text != "null" {
        assert!(
            signed_out_at.elapsed() < std::time::Duration::from_secs(1),
            "the second instance still accepts the token"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let elapsed = signed_out_at.elapsed();
    println!("revocation reached the second instance after {elapsed:?}");
    assert_eq!(
        second
            .get(
                "/api/auth/verify",
                &[("authorization", &format!("Bearer {}", user.token))]
            )
            .await
            .status,
        401
    );
}
