use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, unique_email};

#[actix_web::test]
async fn sign_up_returns_the_token_the_user_and_a_signed_cookie() {
    let app = spawn_app().await;

    let response = app
        .sign_up(&json!({"name": "Al", "email": "  Al@Example.com ", "password": PASSWORD}))
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    let token = response.body["token"].as_str().unwrap();
    let user = &response.body["user"];
    assert_eq!(user["email"], "al@example.com");
    assert_eq!(user["name"], "Al");
    assert_eq!(user["emailVerified"], false);
    assert_eq!(user["image"], serde_json::Value::Null);
    assert_eq!(user["username"], serde_json::Value::Null);
    assert_eq!(user["displayUsername"], serde_json::Value::Null);
    assert_eq!(user["id"].as_str().unwrap().len(), 32);
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());
    assert!(response.body.get("session").is_none());
    let auth_token = response.auth_token();
    assert!(auth_token.starts_with(&format!("{token}.")));
    assert_eq!(auth_token.len() - token.len() - 1, 44);
    let cookie = response.set_cookie("gatehouse.session_token").unwrap();
    assert!(
        cookie.ends_with("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("set-auth-token, set-auth-jwt")
    );
    assert_eq!(response.header("content-type"), Some("application/json"));
}

#[actix_web::test]
async fn dates_have_exactly_three_fractional_digits_and_a_z() {
    let app = spawn_app().await;

    let response = app
        .sign_up(&json!({"name": "", "email": unique_email(), "password": PASSWORD}))
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    let created = response.body["user"]["createdAt"].as_str().unwrap();
    let pattern =
        regex::Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
            .unwrap();
    assert!(pattern.is_match(created), "{created}");
    assert_eq!(response.body["user"]["updatedAt"], created);
}

#[actix_web::test]
async fn the_better_auth_alias_answers_like_the_canonical_path() {
    let app = spawn_app().await;
    let body = |email: &str, username: &str| json!({"name": "Al", "email": email, "password": PASSWORD, "username": username});

    let canonical = app.sign_up(&body("a@example.com", "Al_99")).await;
    let alias = app
        .post_json(
            "/api/auth/sign-up/email",
            &body("b@example.com", "Bo_42"),
            &[],
        )
        .await;
    let alias_taken = app
        .post_json(
            "/api/auth/sign-up/email",
            &body("c@example.com", "al_99"),
            &[],
        )
        .await;
    let canonical_taken = app.sign_up(&body("d@example.com", "al_99")).await;

    assert_eq!([canonical.status, alias.status], [200, 200]);
    let keys = |r: &crate::helpers::TestResponse| {
        let mut keys: Vec<String> = r.body["user"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&canonical), keys(&alias));
    assert_eq!(canonical.body["user"]["username"], "al_99");
    assert_eq!(canonical.body["user"]["displayUsername"], "Al_99");
    assert_eq!(alias.set_cookies().len(), canonical.set_cookies().len());
    assert_eq!(alias_taken.status, canonical_taken.status);
    assert_eq!(alias_taken.body, canonical_taken.body);
}

#[actix_web::test]
async fn an_email_is_taken_whatever_its_case() {
    let app = spawn_app().await;
    app.sign_up(&json!({"name": "", "email": "Case@Example.com", "password": PASSWORD}))
        .await;

    let again = app
        .sign_up(&json!({"name": "", "email": "cASE@example.COM", "password": PASSWORD}))
        .await;

    assert_eq!(again.status, 422);
    assert_eq!(
        again.body,
        json!({"message": "User already exists. Use another email.", "code": "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"})
    );
}

#[actix_web::test]
async fn passwords_are_measured_in_characters_and_never_truncated() {
    let app = spawn_app().await;
    let attempt = |password: String| {
        let app = &app;
        async move {
            app.sign_up(&json!({"name": "", "email": unique_email(), "password": password}))
                .await
        }
    };

    let short = attempt("1234567".to_owned()).await;
    let empty = attempt(String::new()).await;
    let emoji_four = attempt("😀😀😀😀".to_owned()).await; // 4 characters (8 UTF-16 units)
    let emoji_eight = attempt("😀".repeat(8)).await; // 8 characters, 32 bytes
    let exactly_72_bytes = attempt("a".repeat(72)).await;
    let over_72_bytes = attempt("é".repeat(37)).await; // 37 characters, 74 bytes
    let over_128 = attempt("a".repeat(129)).await;

    assert_eq!(
        [short.code(), empty.code()],
        ["PASSWORD_TOO_SHORT", "PASSWORD_TOO_SHORT"]
    );
    assert_eq!(short.body["message"], "Password too short");
    assert_eq!(emoji_four.code(), "PASSWORD_TOO_SHORT");
    assert_eq!([emoji_eight.status, exactly_72_bytes.status], [200, 200]);
    assert_eq!(over_72_bytes.status, 400);
    assert_eq!(
        over_72_bytes.body,
        json!({"message": "Password too long", "code": "PASSWORD_TOO_LONG"})
    );
    assert_eq!(over_128.code(), "PASSWORD_TOO_LONG");
}

#[actix_web::test]
async fn a_password_that_differs_after_byte_72_does_not_sign_in() {
    let app = spawn_app().await;
    let email = unique_email();
    let password = "a".repeat(72);
    app.sign_up(&json!({"name": "", "email": email, "password": password}))
        .await;

    let longer = app.sign_in_email(&email, &format!("{password}b")).await;
    let exact = app.sign_in_email(&email, &password).await;

    assert_eq!(longer.status, 401);
    assert_eq!(exact.status, 200);
}

#[actix_web::test]
async fn usernames_follow_the_plugin_rules() {
    let app = spawn_app().await;
    let attempt = |username: &str| {
        let body = json!({"name": "", "email": unique_email(), "password": PASSWORD, "username": username});
        let app = &app;
        async move { app.sign_up(&body).await }
    };

    let short = attempt("ab").await;
    let long = attempt(&"a".repeat(31)).await;
    let invalid = attempt("al-99").await;
    let ok = attempt("Good.Name_1").await;

    assert_eq!(
        [short.code(), long.code(), invalid.code()],
        [
            "USERNAME_TOO_SHORT",
            "USERNAME_TOO_LONG",
            "INVALID_USERNAME"
        ]
    );
    assert_eq!([short.status, long.status, invalid.status], [400, 400, 400]);
    assert_eq!(invalid.body["message"], "Username is invalid");
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["user"]["username"], "good.name_1");
}

#[actix_web::test]
async fn a_username_is_taken_whatever_its_case_before_the_email_is_checked() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(
        &json!({"name": "", "email": email, "password": PASSWORD, "username": "taken_name"}),
    )
    .await;

    let again = app
        .sign_up(
            &json!({"name": "", "email": email, "password": PASSWORD, "username": "Taken_Name"}),
        )
        .await;

    assert_eq!(again.status, 400);
    assert_eq!(
        again.body["message"],
        "Username is already taken. Please try another."
    );
    assert_eq!(again.code(), "USERNAME_IS_ALREADY_TAKEN");
}

#[actix_web::test]
async fn a_display_username_is_kept_as_typed() {
    let app = spawn_app().await;

    let response = app
        .sign_up(&json!({"name": "", "email": unique_email(), "password": PASSWORD, "username": "Shown", "displayUsername": "The Shown One"}))
        .await;

    assert_eq!(response.body["user"]["username"], "shown");
    assert_eq!(response.body["user"]["displayUsername"], "The Shown One");
}

#[actix_web::test]
async fn missing_and_wrong_typed_fields_are_listed_in_schema_order() {
    let app = spawn_app().await;

    let empty = app.sign_up(&json!({})).await;
    let wrong = app
        .sign_up(&json!({"email": 5, "password": null, "name": true, "rememberMe": "x", "image": null, "username": 3}))
        .await;

    assert_eq!(empty.status, 400);
    assert_eq!(empty.body["code"], "VALIDATION_ERROR");
    assert_eq!(
        empty.body["message"],
        "[body.name] Invalid input: expected string, received undefined; \
         [body.email] Invalid input: expected string, received undefined; \
         [body.password] Invalid input: expected string, received undefined"
    );
    assert_eq!(
        wrong.body["message"],
        "[body.name] Invalid input: expected string, received boolean; \
         [body.email] Invalid input: expected string, received number; \
         [body.password] Invalid input: expected string, received null; \
         [body.image] Invalid input: expected string, received null; \
         [body.rememberMe] Invalid input: expected boolean, received string; \
         [body.username] Invalid input: expected string, received number"
    );
}

#[actix_web::test]
async fn a_malformed_email_is_a_validation_error() {
    let app = spawn_app().await;

    let response = app
        .sign_up(&json!({"name": "", "email": "a@example", "password": PASSWORD}))
        .await;

    assert_eq!(
        response.body,
        json!({"message": "[body.email] Invalid email address", "code": "VALIDATION_ERROR"})
    );
}

#[actix_web::test]
async fn unknown_fields_are_ignored_and_unicode_round_trips() {
    let app = spawn_app().await;
    let name = "Zoë 李 \u{1F600} \"quoted\" \\ back";

    let response = app
        .sign_up(&json!({"name": name, "email": unique_email(), "password": PASSWORD, "role": "admin", "emailVerified": true, "image": "https://example.com/a.png"}))
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["user"]["name"], name);
    assert_eq!(response.body["user"]["emailVerified"], false);
    assert_eq!(response.body["user"]["image"], "https://example.com/a.png");
    assert!(response.body["user"].get("role").is_none());
}

#[actix_web::test]
async fn a_nul_character_is_refused_on_every_backend() {
    let app = spawn_app().await;

    let response = app
        .sign_up(&json!({"name": "a\u{0}b", "email": unique_email(), "password": PASSWORD}))
        .await;

    assert_eq!(response.status, 400);
    assert_eq!(response.code(), "VALIDATION_ERROR");
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .starts_with("[body.name]")
    );
}

#[actix_web::test]
async fn a_form_encoded_sign_up_passes_the_same_rules() {
    let app = spawn_app().await;
    let email = unique_email();
    let form = format!(
        "name=Form+User&email={}&password={PASSWORD}",
        email.replace('@', "%40")
    );

    let response = app
        .request(
            "POST",
            "/api/auth/sign-up",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form.into_bytes()),
        )
        .await;
    let remember_as_text = app
        .request(
            "POST",
            "/api/auth/sign-up",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(
                format!(
                    "name=&email={}&password={PASSWORD}&rememberMe=false",
                    unique_email()
                )
                .into_bytes(),
            ),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["user"]["name"], "Form User");
    assert_eq!(response.body["user"]["email"], email);
    assert_eq!(
        remember_as_text.body["message"],
        "[body.rememberMe] Invalid input: expected boolean, received string"
    );
}

#[actix_web::test]
async fn a_callback_url_must_be_relative_or_trusted() {
    let app = spawn_app().await;
    let body = |callback: &str| json!({"name": "", "email": unique_email(), "password": PASSWORD, "callbackURL": callback});

    let relative = app.sign_up(&body("/welcome")).await;
    let trusted = app.sign_up(&body("http://app.example.test/welcome")).await;
    let untrusted = app.sign_up(&body("https://evil.example.net/")).await;

    assert_eq!([relative.status, trusted.status], [200, 200]);
    assert_eq!(untrusted.status, 403);
    assert_eq!(
        untrusted.body,
        json!({"message": "Invalid callbackURL", "code": "INVALID_CALLBACK_URL"})
    );
}

#[actix_web::test]
async fn the_stored_user_has_a_bcrypt_hash_of_the_configured_cost() {
    use diesel::prelude::*;
    use gatehouse::db::schema::accounts;
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let hashes: Vec<Option<String>> = accounts::table
        .filter(accounts::user_id.eq(&user.id))
        .select(accounts::password_hash)
        .load(&mut app.database.connect())
        .unwrap();

    assert_eq!(hashes.len(), 1);
    let hash = hashes[0].clone().unwrap();
    assert!(hash.starts_with("$2b$10$"), "{hash}");
    assert!(!hash.contains(&user.password));
}

#[actix_web::test]
async fn profile_fields_are_bounded_so_tokens_stay_small() {
    let app = spawn_app().await;

    let longest = app
        .sign_up(&json!({"name": "é".repeat(256), "email": unique_email(), "password": PASSWORD, "image": format!("https://example.com/{}", "a".repeat(2028))}))
        .await;
    let too_long = app
        .sign_up(&json!({"name": "n".repeat(257), "email": unique_email(), "password": PASSWORD, "image": "i".repeat(2049)}))
        .await;

    assert_eq!(longest.status, 200, "{}", longest.text);
    assert_eq!(
        app.get_session_with_cookie(&longest.session_cookie())
            .await
            .body["user"]["id"],
        longest.body["user"]["id"]
    );
    assert_eq!(
        too_long.body["message"],
        "[body.name] Too big: expected string to have <=256 characters; \
         [body.image] Too big: expected string to have <=2048 characters"
    );
}

#[actix_web::test]
async fn an_email_over_254_characters_is_refused_on_every_backend() {
    let app = spawn_app().await;
    let long = format!("{}@example.com", "a".repeat(3000));
    let longest = format!("{}@example.com", "b".repeat(254 - "@example.com".len()));

    let refused = app
        .sign_up(&json!({"name": "", "email": long, "password": PASSWORD}))
        .await;
    let accepted = app
        .sign_up(&json!({"name": "", "email": longest, "password": PASSWORD}))
        .await;

    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.body,
        json!({"message": "[body.email] Too big: expected string to have <=254 characters", "code": "VALIDATION_ERROR"})
    );
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["user"]["email"], longest.as_str());
}

#[actix_web::test]
async fn a_refused_callback_url_creates_no_user() {
    let app = spawn_app().await;
    let email = unique_email();

    let refused = app
        .sign_up(&json!({"name": "", "email": email, "password": PASSWORD, "callbackURL": "http://app.example.test/a\u{1}"}))
        .await;
    let again = app
        .sign_up(&json!({"name": "", "email": email, "password": PASSWORD}))
        .await;

    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.code(), "INVALID_CALLBACK_URL");
    assert!(refused.set_cookies().is_empty());
    assert_eq!(again.status, 200, "{}", again.text);
}
