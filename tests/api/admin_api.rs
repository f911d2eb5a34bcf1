//! The admin API (Better Auth's admin plugin wire, `GATEHOUSE_ADMIN=on`) on every backend and
//! strategy: the switch, the admin fields, the permission gate on every route, each operation's
//! effect, bans across instances, and the audit log the operations write.

use serde_json::{Value, json};

use crate::admin_cli::ok;
use crate::helpers::{PASSWORD, TestApp, TestUser, builder, spawn_app, unique_email};

async fn admin_app() -> TestApp {
    builder().var("GATEHOUSE_ADMIN", "on").spawn().await
}

/// A user made admin from the command line, signed in again so the session reads the role.
async fn admin_of(app: &TestApp) -> TestUser {
    let mut admin = app.sign_up_user().await;
    ok(app, &["set-role", &admin.id, "admin"], "");
    let signed_in = app.sign_in_email(&admin.email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    admin.cookie = signed_in.session_cookie();
    admin
}

async fn post(
    app: &TestApp,
    who: &TestUser,
    route: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    app.post_with_cookie(&format!("/api/auth/admin/{route}"), &who.cookie, &body)
        .await
}

async fn get(app: &TestApp, who: &TestUser, route: &str) -> crate::helpers::TestResponse {
    app.get(
        &format!("/api/auth/admin/{route}"),
        &[("cookie", &who.cookie)],
    )
    .await
}

/// Every route with a well-formed request naming `target`, and the code a non-admin gets.
fn every_route(target: &str) -> Vec<(&'static str, Option<Value>, &'static str)> {
    vec![
        ("list-users", None, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"),
        ("get-user", None, "YOU_ARE_NOT_ALLOWED_TO_GET_USER"),
        (
            "create-user",
            Some(json!({"email": unique_email(), "password": PASSWORD, "name": "N"})),
            "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
        ),
        (
            "set-role",
            Some(json!({"userId": target, "role": "admin"})),
            "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
        ),
        (
            "set-user-password",
            Some(json!({"userId": target, "newPassword": "another-password-1"})),
            "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
        ),
        (
            "ban-user",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
        ),
        (
            "unban-user",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
        ),
        (
            "list-user-sessions",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
        ),
        (
            "revoke-user-session",
            Some(json!({"sessionToken": "x"})),
            "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
        ),
        (
            "revoke-user-sessions",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
        ),
        (
            "remove-user",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS",
        ),
        (
            "update-user",
            Some(json!({"userId": target, "data": {"name": "Renamed"}})),
            "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS",
        ),
        (
            "impersonate-user",
            Some(json!({"userId": target})),
            "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
        ),
    ]
}

async fn call(
    app: &TestApp,
    who: &TestUser,
    route: &str,
    body: &Option<Value>,
    target: &str,
) -> crate::helpers::TestResponse {
    match body {
        Some(body) => post(app, who, route, body.clone()).await,
        None if route == "get-user" => get(app, who, &format!("get-user?id={target}")).await,
        None => get(app, who, route).await,
    }
}

#[actix_web::test]
async fn the_admin_api_and_fields_are_served_only_when_switched_on() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    for (route, body, _) in every_route(&user.id) {
        let answer = call(&app, &user, route, &body, &user.id).await;
        assert_eq!(answer.status, 404, "{route}: {}", answer.text);
        assert_eq!(answer.code(), "NOT_FOUND", "{route}");
    }
    let stop = post(&app, &user, "stop-impersonating", json!({})).await;
    assert_eq!((stop.status, stop.code()), (404, "NOT_FOUND"));
    let session = app.get_session_with_cookie(&user.cookie).await;
    assert!(
        session.body["user"].get("role").is_none(),
        "{}",
        session.text
    );
    assert!(session.body["session"].get("impersonatedBy").is_none());

    let app = admin_app().await;
    let signed_up = app
        .sign_up(&json!({"name": "A", "email": unique_email(), "password": PASSWORD}))
        .await;
    let cookie = signed_up.session_cookie();
    let session = app.get_session_with_cookie(&cookie).await;

    for user in [&signed_up.body["user"], &session.body["user"]] {
        assert_eq!(user["role"], "user", "{user}");
        assert_eq!(user["banned"], false);
        assert_eq!(user["banReason"], Value::Null);
        assert_eq!(user["banExpires"], Value::Null);
    }
    assert_eq!(session.body["session"]["impersonatedBy"], Value::Null);
    assert!(session.body["session"].get("impersonatedBy").is_some());
}

#[actix_web::test]
async fn every_admin_route_refuses_a_user_who_is_not_an_admin() {
    let app = admin_app().await;
    let user = app.sign_up_user().await;
    let anonymous = TestUser {
        cookie: String::new(),
        ..user.clone()
    };

    for (route, body, code) in every_route(&user.id) {
        let refused = call(&app, &user, route, &body, &user.id).await;
        assert_eq!(refused.status, 403, "{route}: {}", refused.text);
        assert_eq!(refused.code(), code, "{route}");
        let unsigned = call(&app, &anonymous, route, &body, &user.id).await;
        assert_eq!(unsigned.status, 401, "{route}: {}", unsigned.text);
        assert_eq!(unsigned.code(), "UNAUTHORIZED", "{route}");
    }
    // A refused request changed nothing.
    let session = app.get_session_with_cookie(&user.cookie).await;
    assert_eq!(session.body["user"]["role"], "user");
    assert_eq!(session.body["user"]["banned"], false);
    let asked = post(
        &app,
        &user,
        "has-permission",
        json!({"permissions": {"user": ["ban"]}}),
    )
    .await;
    assert_eq!(asked.body, json!({"error": null, "success": false}));
    let audit: Vec<Value> = serde_json::from_str(&ok(&app, &["audit", "--json"], "")).unwrap();
    assert!(audit.is_empty(), "{audit:?}");
}

#[actix_web::test]
async fn an_admin_lists_finds_and_creates_users() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    for n in 0..4 {
        let email = format!(
            "listed-{n}@{}.example.com",
            if n % 2 == 0 { "even" } else { "odd" }
        );
        let response = app
            .sign_up(&json!({"name": format!("Listed {n}"), "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        app.clock.advance(chrono::Duration::seconds(1));
    }

    let page = get(&app, &admin, "list-users?limit=2&offset=1").await;
    let searched = get(&app, &admin, "list-users?searchValue=ODD&searchField=email").await;
    let by_role = get(
        &app,
        &admin,
        "list-users?filterField=role&filterValue=admin",
    )
    .await;
    let sorted = get(
        &app,
        &admin,
        "list-users?searchValue=listed&sortBy=email&sortDirection=desc&limit=1",
    )
    .await;
    let listed = get(&app, &admin, "list-users?filterField=email&filterOperator=in&filterValue=listed-0%40even.example.com&filterValue=listed-1%40odd.example.com").await;

    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["total"], 5);
    assert_eq!(page.body["limit"], 2);
    assert_eq!(page.body["offset"], 1);
    let emails: Vec<&str> = page.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["listed-0@even.example.com", "listed-1@odd.example.com"]
    );
    assert_eq!(page.body["users"][0]["role"], "user");
    assert_eq!(searched.body["total"], 2, "{}", searched.text);
    assert!(searched.body.get("limit").is_none());
    assert_eq!(by_role.body["total"], 1);
    assert_eq!(by_role.body["users"][0]["id"], json!(admin.id));
    assert_eq!(sorted.body["users"][0]["email"], "listed-3@odd.example.com");
    assert_eq!(listed.body["total"], 2, "{}", listed.text);
    let unknown_field = get(&app, &admin, "list-users?sortBy=password").await;
    assert_eq!(unknown_field.status, 400);
    assert_eq!(unknown_field.code(), "VALIDATION_ERROR");

    let found = get(&app, &admin, &format!("get-user?id={}", admin.id)).await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.body["email"], json!(admin.email));
    assert_eq!(found.body["role"], "admin");
    let missing = get(&app, &admin, "get-user?id=nobody").await;
    assert_eq!((missing.status, missing.code()), (404, "USER_NOT_FOUND"));

    let email = unique_email();
    let created = post(
        &app,
        &admin,
        "create-user",
        json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "Made", "role": ["user", "admin"], "data": {"emailVerified": true}}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["user"]["email"], json!(email));
    assert_eq!(created.body["user"]["role"], "user,admin");
    assert_eq!(created.body["user"]["emailVerified"], true);
    assert_eq!(app.sign_in_email(&email, PASSWORD).await.status, 200);
    let taken = post(
        &app,
        &admin,
        "create-user",
        json!({"email": email, "password": PASSWORD, "name": "Again"}),
    )
    .await;
    assert_eq!(
        (taken.status, taken.code()),
        (400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
    );
    let short = post(
        &app,
        &admin,
        "create-user",
        json!({"email": unique_email(), "password": "short", "name": "S"}),
    )
    .await;
    assert_eq!((short.status, short.code()), (400, "PASSWORD_TOO_SHORT"));
    let role = post(
        &app,
        &admin,
        "create-user",
        json!({"email": unique_email(), "password": PASSWORD, "name": "R", "role": "owner"}),
    )
    .await;
    assert_eq!(
        (role.status, role.code()),
        (400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")
    );
    let audit: Vec<Value> = serde_json::from_str(&ok(&app, &["audit", "--json"], "")).unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0]["action"], "create-user");
    assert_eq!(audit[0]["actor"], json!(admin.email));
    assert_eq!(audit[0]["actorId"], json!(admin.id));
    assert_eq!(audit[0]["ipAddress"], "127.0.0.1");
    assert_eq!(audit[1]["actor"], "cli:ops");
}

#[actix_web::test]
async fn an_admin_sets_roles_and_passwords_and_ends_sessions() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;
    let tablet = app.sign_in_from(&user, "tablet").await;

    let role = post(
        &app,
        &admin,
        "set-role",
        json!({"userId": user.id, "role": "admin"}),
    )
    .await;
    assert_eq!(role.status, 200, "{}", role.text);
    assert_eq!(role.body["user"]["role"], "admin");
    let bad = post(
        &app,
        &admin,
        "set-role",
        json!({"userId": user.id, "role": 7}),
    )
    .await;
    assert_eq!(bad.code(), "VALIDATION_ERROR");
    let listed = post(
        &app,
        &admin,
        "list-user-sessions",
        json!({"userId": user.id}),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let sessions = listed.body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1]["userAgent"], "tablet");
    assert_eq!(sessions[1]["token"], sessions[1]["id"]);
    assert_eq!(sessions[1]["impersonatedBy"], Value::Null);

    let one = post(
        &app,
        &admin,
        "revoke-user-session",
        json!({"sessionToken": sessions[1]["id"]}),
    )
    .await;
    assert_eq!(one.body, json!({"success": true}));
    app.signed_out_within_a_second(&tablet).await;
    assert!(app.is_signed_in(&user.cookie).await);
    let unknown = post(
        &app,
        &admin,
        "revoke-user-session",
        json!({"sessionToken": "no-such-session"}),
    )
    .await;
    assert_eq!(unknown.body, json!({"success": true}));

    let password = post(
        &app,
        &admin,
        "set-user-password",
        json!({"userId": user.id, "newPassword": "a-new-password-9"}),
    )
    .await;
    assert_eq!(password.body, json!({"status": true}), "{}", password.text);
    app.signed_out_within_a_second(&user.cookie).await;
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    let again = app.sign_in_email(&user.email, "a-new-password-9").await;
    assert_eq!(again.status, 200, "{}", again.text);
    let short = post(
        &app,
        &admin,
        "set-user-password",
        json!({"userId": user.id, "newPassword": "short"}),
    )
    .await;
    assert_eq!(short.code(), "PASSWORD_TOO_SHORT");

    let all = post(
        &app,
        &admin,
        "revoke-user-sessions",
        json!({"userId": user.id}),
    )
    .await;
    assert_eq!(all.body, json!({"success": true}));
    app.signed_out_within_a_second(&again.session_cookie())
        .await;
    let nobody = post(
        &app,
        &admin,
        "revoke-user-sessions",
        json!({"userId": "nobody"}),
    )
    .await;
    assert_eq!(nobody.body, json!({"success": true}));

    let actions: Vec<String> =
        serde_json::from_str::<Vec<Value>>(&ok(&app, &["audit", "--user", &user.id, "--json"], ""))
            .unwrap()
            .iter()
            .map(|row| row["action"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(
        actions,
        [
            "revoke-user-sessions",
            "set-user-password",
            "revoke-user-session",
            "set-role"
        ]
    );
}

#[actix_web::test]
async fn a_ban_from_the_api_reaches_another_instance_within_a_second() {
    let app = admin_app().await;
    let other = builder()
        .var("GATEHOUSE_ADMIN", "on")
        .database(app.database.clone())
        .spawn()
        .await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;
    assert!(other.is_signed_in(&user.cookie).await);

    let banned = post(
        &app,
        &admin,
        "ban-user",
        json!({"userId": user.id, "banReason": "spam", "banExpiresIn": 3600}),
    )
    .await;

    assert_eq!(banned.status, 200, "{}", banned.text);
    assert_eq!(banned.body["user"]["banned"], true);
    assert_eq!(banned.body["user"]["banReason"], "spam");
    assert!(banned.body["user"]["banExpires"].is_string());
    other.signed_out_within_a_second(&user.cookie).await;
    let refused = other.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!((refused.status, refused.code()), (403, "BANNED_USER"));
    let own = post(&app, &admin, "ban-user", json!({"userId": admin.id})).await;
    assert_eq!((own.status, own.code()), (400, "YOU_CANNOT_BAN_YOURSELF"));
    let missing = post(&app, &admin, "ban-user", json!({"userId": "nobody"})).await;
    assert_eq!((missing.status, missing.code()), (404, "USER_NOT_FOUND"));

    let unbanned = post(&app, &admin, "unban-user", json!({"userId": user.id})).await;

    assert_eq!(unbanned.body["user"]["banned"], false);
    assert_eq!(unbanned.body["user"]["banReason"], Value::Null);
    assert_eq!(other.sign_in_email(&user.email, PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn an_admin_removes_users_but_not_themselves() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;

    let own = post(&app, &admin, "remove-user", json!({"userId": admin.id})).await;
    let removed = post(&app, &admin, "remove-user", json!({"userId": user.id})).await;
    let again = post(&app, &admin, "remove-user", json!({"userId": user.id})).await;

    assert_eq!(
        (own.status, own.code()),
        (400, "YOU_CANNOT_REMOVE_YOURSELF")
    );
    assert_eq!(removed.body, json!({"success": true}), "{}", removed.text);
    app.signed_out_within_a_second(&user.cookie).await;
    assert_eq!((again.status, again.code()), (404, "USER_NOT_FOUND"));
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    let asked = post(
        &app,
        &admin,
        "has-permission",
        json!({"permissions": {"user": ["ban", "delete"], "session": ["revoke"]}}),
    )
    .await;
    assert_eq!(asked.body, json!({"error": null, "success": true}));
    let unknown = post(
        &app,
        &admin,
        "has-permission",
        json!({"permissions": {"user": ["fly"]}}),
    )
    .await;
    assert_eq!(unknown.body["success"], false);
    let singular = post(
        &app,
        &admin,
        "has-permission",
        json!({"permission": {"user": ["ban"]}}),
    )
    .await;
    assert_eq!(
        (singular.status, singular.code()),
        (400, "INVALID_PERMISSION_CHECK")
    );
    // The cookie CSRF rule holds here as on every POST.
    let forged = app
        .post_json(
            "/api/auth/admin/remove-user",
            &json!({"userId": "x"}),
            &[("cookie", &admin.cookie)],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
}

/// A switched-off POST still reads its body before the 404: an unread body makes actix close
/// the connection, and closing with unread bytes resets it, so a client could see the reset
/// instead of the answer (schemathesis did, once, in CI).
#[actix_web::test]
async fn a_switched_off_post_reads_its_body_and_keeps_the_connection() {
    let app = spawn_app().await;
    let body = json!({"userId": "x".repeat(20_000), "email": "a@example.com"});

    for path in [
        "/api/auth/admin/ban-user",
        "/api/auth/admin/has-permission",
        "/api/auth/sign-in/magic-link",
        "/api/auth/delete-user",
    ] {
        let answer = app.post_json(path, &body, &[]).await;
        assert_eq!((answer.status, answer.code()), (404, "NOT_FOUND"), "{path}");
        assert_ne!(answer.header("connection"), Some("close"), "{path}");
    }
}

/// The admin's view of a user, by get-user.
async fn user_as_seen(app: &TestApp, admin: &TestUser, id: &str) -> Value {
    let found = get(app, admin, &format!("get-user?id={id}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    found.body
}

#[actix_web::test]
async fn an_admin_updates_users_with_the_rules_of_each_field() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;
    let before = user_as_seen(&app, &admin, &user.id).await;

    for (data, status, code) in [
        (json!({}), 400, "NO_DATA_TO_UPDATE"),
        (
            json!({"password": "another-password-1"}),
            400,
            "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER",
        ),
        (
            json!({"id": "x", "name": "N"}),
            400,
            "USER_ID_CANNOT_BE_UPDATED",
        ),
        (json!({"role": 7}), 400, "INVALID_ROLE_TYPE"),
        (json!({"role": ["user", 7]}), 400, "INVALID_ROLE_TYPE"),
        (
            json!({"role": "boss"}),
            400,
            "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
        ),
        (json!({"name": 5}), 400, "VALIDATION_ERROR"),
        (json!({"nmae": "typo"}), 400, "VALIDATION_ERROR"),
        (json!({"banExpires": "soon"}), 400, "VALIDATION_ERROR"),
        (json!({"name": "x".repeat(300)}), 400, "VALIDATION_ERROR"),
        (json!({"email": "not-an-address"}), 400, "INVALID_EMAIL"),
        (
            json!({"email": admin.email.to_uppercase()}),
            400,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
        ),
        (json!({"username": "a"}), 400, "USERNAME_TOO_SHORT"),
        (
            json!({"displayUsername": "x\u{7}"}),
            400,
            "INVALID_DISPLAY_USERNAME",
        ),
    ] {
        let refused = post(
            &app,
            &admin,
            "update-user",
            json!({"userId": user.id, "data": data}),
        )
        .await;
        assert_eq!(
            (refused.status, refused.code()),
            (status, code),
            "{data}: {}",
            refused.text
        );
    }
    let no_data = post(&app, &admin, "update-user", json!({"userId": user.id})).await;
    assert_eq!(no_data.code(), "VALIDATION_ERROR");
    let nobody = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": "nobody", "data": {"name": "N"}}),
    )
    .await;
    assert_eq!((nobody.status, nobody.code()), (404, "USER_NOT_FOUND"));
    let own_ban = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": admin.id, "data": {"banned": true}}),
    )
    .await;
    assert_eq!(own_ban.code(), "YOU_CANNOT_BAN_YOURSELF");
    // Nothing a refused request carried was stored.
    assert_eq!(user_as_seen(&app, &admin, &user.id).await, before);

    let new_email = unique_email();
    let updated = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": user.id, "data": {
            "name": "Renamed", "email": new_email.to_uppercase(), "username": "Renamed_9",
            "role": ["user", "admin"], "image": null
        }}),
    )
    .await;

    assert_eq!(updated.status, 200, "{}", updated.text);
    let changed = &updated.body;
    assert_eq!(changed["id"], user.id.as_str(), "the bare user: {changed}");
    assert_eq!(changed["name"], "Renamed");
    assert_eq!(changed["email"], new_email.as_str());
    assert_eq!(changed["emailVerified"], false, "a new address is unproven");
    assert_eq!(changed["username"], "renamed_9");
    assert_eq!(changed["displayUsername"], "Renamed_9");
    assert_eq!(changed["role"], "user,admin");
    assert_eq!(*changed, user_as_seen(&app, &admin, &user.id).await);
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
    let again = app.sign_in_email(&new_email, PASSWORD).await;
    assert_eq!(again.status, 200, "{}", again.text);

    let verified = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": user.id, "data": {"emailVerified": true, "role": "user"}}),
    )
    .await;
    assert_eq!(verified.body["emailVerified"], true, "{}", verified.text);
    assert_eq!(verified.body["role"], "user");

    let banned = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": user.id, "data": {"banned": true, "banReason": "spam"}}),
    )
    .await;
    assert_eq!(banned.body["banned"], true, "{}", banned.text);
    assert_eq!(banned.body["banReason"], "spam");
    app.signed_out_within_a_second(&again.session_cookie())
        .await;
    let refused = app.sign_in_email(&new_email, PASSWORD).await;
    assert_eq!((refused.status, refused.code()), (403, "BANNED_USER"));
    let lifted = post(
        &app,
        &admin,
        "update-user",
        json!({"userId": user.id, "data": {"banned": false}}),
    )
    .await;
    assert_eq!(lifted.body["banned"], false);
    assert_eq!(lifted.body["banReason"], Value::Null);
    assert_eq!(app.sign_in_email(&new_email, PASSWORD).await.status, 200);

    let audit: Vec<Value> =
        serde_json::from_str(&ok(&app, &["audit", "--user", &user.id, "--json"], "")).unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update-user"; 4], "{audit:?}");
    let first = audit.last().unwrap()["detail"].as_str().unwrap();
    assert!(first.contains("role=user,admin"), "{first}");
    assert!(first.contains(&format!("email={new_email}")), "{first}");
}

/// The `name=value` of a `Set-Cookie` line, for a `Cookie` header.
fn pair(line: &str) -> &str {
    line.split(';').next().unwrap()
}

#[actix_web::test]
async fn an_admin_acts_as_a_user_for_an_hour_and_comes_back() {
    let app = builder()
        .var("GATEHOUSE_ADMIN", "on")
        .var("GATEHOUSE_SESSION_UPDATE_AGE", "1m")
        .spawn()
        .await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;

    let started = post(&app, &admin, "impersonate-user", json!({"userId": user.id})).await;

    assert_eq!(started.status, 200, "{}", started.text);
    let session = &started.body["session"];
    assert_eq!(started.body["user"]["id"], user.id.as_str());
    assert_eq!(session["userId"], user.id.as_str());
    assert_eq!(session["impersonatedBy"], admin.id.as_str());
    let expires = chrono::DateTime::parse_from_rfc3339(session["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let hour = expires - app.clock.now();
    assert!(
        hour <= chrono::Duration::hours(1) && hour > chrono::Duration::minutes(59),
        "{hour}"
    );
    // Better Auth's order: the three session cookies expired, the admin's session kept, then the
    // new session for the browser session only, marked not to be remembered.
    let names: Vec<String> = started
        .set_cookies()
        .iter()
        .map(|line| line.split('=').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "gatehouse.session_token",
            "gatehouse.session_data",
            "gatehouse.dont_remember",
            "gatehouse.admin_session",
            "gatehouse.session_token",
            "gatehouse.dont_remember"
        ]
    );
    let lines = started.set_cookies();
    assert!(
        lines[3].contains(&format!("Max-Age={}", 7 * 24 * 3600)),
        "{}",
        lines[3]
    );
    assert!(lines[3].contains("HttpOnly"));
    assert!(!lines[4].contains("Max-Age"), "{}", lines[4]);
    let token = session["token"].as_str().unwrap();
    assert!(started.auth_token().starts_with(&format!("{token}.")));
    let acting = format!("{}; {}", pair(&lines[4]), pair(&lines[5]));
    let kept = pair(&lines[3]).to_owned();
    let read = app.get_session_with_cookie(&acting).await;
    assert_eq!(read.body["user"]["id"], user.id.as_str(), "{}", read.text);
    assert_eq!(read.body["session"]["impersonatedBy"], admin.id.as_str());

    // The user does not see it; the admin does.
    let own = app
        .get("/api/auth/list-sessions", &[("cookie", &user.cookie)])
        .await;
    assert_eq!(own.body.as_array().unwrap().len(), 1, "{}", own.text);
    let listed = post(
        &app,
        &admin,
        "list-user-sessions",
        json!({"userId": user.id}),
    )
    .await;
    let marked: Vec<&Value> = listed.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["impersonatedBy"] == admin.id.as_str())
        .collect();
    assert_eq!(marked.len(), 1, "{}", listed.text);

    // An impersonation holds no admin permission and cannot go further.
    let as_user = TestUser {
        cookie: acting.clone(),
        ..user.clone()
    };
    let other = app.sign_up_user().await;
    let further = post(
        &app,
        &as_user,
        "impersonate-user",
        json!({"userId": other.id}),
    )
    .await;
    assert_eq!(further.code(), "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS");
    let listing = get(&app, &as_user, "list-users").await;
    assert_eq!(listing.code(), "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS");
    // Admins cannot be impersonated; unknown users are not found.
    let second_admin = admin_of(&app).await;
    let refused = post(
        &app,
        &admin,
        "impersonate-user",
        json!({"userId": second_admin.id}),
    )
    .await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, "YOU_CANNOT_IMPERSONATE_ADMINS")
    );
    let nobody = post(
        &app,
        &admin,
        "impersonate-user",
        json!({"userId": "nobody"}),
    )
    .await;
    assert_eq!((nobody.status, nobody.code()), (404, "USER_NOT_FOUND"));

    // Stopping needs an impersonation and the kept admin session; a refusal changes nothing.
    let not = post(&app, &admin, "stop-impersonating", json!({})).await;
    assert_eq!((not.status, not.code()), (400, "NOT_IMPERSONATING"));
    let without = post(&app, &as_user, "stop-impersonating", json!({})).await;
    assert_eq!(
        (without.status, without.code()),
        (400, "ADMIN_SESSION_NOT_FOUND")
    );
    let foreign = TestUser {
        cookie: format!(
            "{acting}; {}",
            kept.replace("admin_session=", "admin_session=x")
        ),
        ..user.clone()
    };
    let forged = post(&app, &foreign, "stop-impersonating", json!({})).await;
    assert_eq!(forged.code(), "ADMIN_SESSION_NOT_FOUND");
    assert!(app.is_signed_in(&acting).await);

    // Not extended when due, and over after its hour.
    app.clock.advance(chrono::Duration::minutes(30));
    let later = app.get_session_with_bearer(token).await;
    assert_eq!(
        later.body["session"]["expiresAt"], session["expiresAt"],
        "{}",
        later.text
    );
    assert!(later.header("set-auth-token").is_none());

    let with_kept = TestUser {
        cookie: format!("{acting}; {kept}"),
        ..user.clone()
    };
    let stopped = post(&app, &with_kept, "stop-impersonating", json!({})).await;

    assert_eq!(stopped.status, 200, "{}", stopped.text);
    assert_eq!(stopped.body["user"]["id"], admin.id.as_str());
    assert_eq!(stopped.body["session"]["userId"], admin.id.as_str());
    let back = stopped.set_cookie("gatehouse.session_token").unwrap();
    assert!(
        back.contains("Max-Age="),
        "the admin's remembered session: {back}"
    );
    let expired = stopped.set_cookie("gatehouse.admin_session").unwrap();
    assert!(expired.contains("Max-Age=0"), "{expired}");
    app.signed_out_within_a_second(&acting).await;
    assert!(app.is_signed_in(pair(&back)).await);
    let twice = post(&app, &with_kept, "stop-impersonating", json!({})).await;
    assert_eq!(twice.status, 401, "{}", twice.text);

    // Another impersonation simply ends with its hour.
    let again = post(&app, &admin, "impersonate-user", json!({"userId": user.id})).await;
    let token = again.body["session"]["token"].as_str().unwrap().to_owned();
    assert!(app.get_session_with_bearer(&token).await.body["session"].is_object());
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(app.get_session_with_bearer(&token).await.text, "null");

    let audit: Vec<Value> =
        serde_json::from_str(&ok(&app, &["audit", "--user", &user.id, "--json"], "")).unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["impersonate-user", "stop-impersonating", "impersonate-user"]
    );
    assert!(
        audit.iter().all(|row| row["actorId"] == admin.id.as_str()),
        "{audit:?}"
    );
}

#[actix_web::test]
async fn an_admin_who_goes_takes_their_impersonations_along() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    let boss = admin_of(&app).await;
    let user = app.sign_up_user().await;
    let first = post(&app, &admin, "impersonate-user", json!({"userId": user.id})).await;
    let first = first.body["session"]["token"].as_str().unwrap().to_owned();

    let demoted = post(
        &app,
        &boss,
        "set-role",
        json!({"userId": admin.id, "role": "user"}),
    )
    .await;

    assert_eq!(demoted.status, 200, "{}", demoted.text);
    assert_eq!(app.get_session_with_bearer(&first).await.text, "null");
    assert!(
        app.is_signed_in(&user.cookie).await,
        "the user's own session stays"
    );

    let admin = admin_of(&app).await;
    let second = post(&app, &admin, "impersonate-user", json!({"userId": user.id})).await;
    let second = second.body["session"]["token"].as_str().unwrap().to_owned();
    let removed = post(&app, &boss, "remove-user", json!({"userId": admin.id})).await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(app.get_session_with_bearer(&second).await.text, "null");
    assert!(app.is_signed_in(&user.cookie).await);
}

#[actix_web::test]
async fn list_users_pages_through_many_users_a_bounded_page_at_a_time() {
    let app = admin_app().await;
    let admin = admin_of(&app).await;
    crate::admin_cli::insert_users(&app, 1200);

    let default = get(&app, &admin, "list-users").await;
    let capped = get(&app, &admin, "list-users?limit=5000").await;
    let rest = get(&app, &admin, "list-users?limit=1000&offset=1000").await;

    assert_eq!(default.status, 200, "{}", default.text);
    assert_eq!(default.body["users"].as_array().unwrap().len(), 100);
    assert_eq!(default.body["total"], 1201);
    assert!(
        default.body.get("limit").is_none(),
        "{}",
        default.body["limit"]
    );
    let first = capped.body["users"].as_array().unwrap();
    assert_eq!(first.len(), 1000, "a page holds 1000 users at most");
    assert!(
        capped.text.len() < 1000 * 400,
        "{} bytes",
        capped.text.len()
    );
    let second = rest.body["users"].as_array().unwrap();
    assert_eq!(second.len(), 201);
    assert_eq!(rest.body["offset"], 1000);
    let mut ids: Vec<&str> = first
        .iter()
        .chain(second)
        .map(|user| user["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1201, "every user once across the pages");
}

#[actix_web::test]
async fn coming_back_from_an_impersonation_keeps_a_forgetful_admin_session_as_it_was() {
    let app = builder()
        .var("GATEHOUSE_ADMIN", "on")
        .var("GATEHOUSE_SESSION_UPDATE_AGE", "1m")
        .spawn()
        .await;
    let admin = admin_of(&app).await;
    let user = app.sign_up_user().await;
    let forgetful = app.sign_in_forgetful(&admin).await;
    assert_eq!(forgetful.status, 200, "{}", forgetful.text);
    let marked = forgetful.set_cookie("gatehouse.dont_remember").unwrap();
    let admin_cookies = format!("{}; {}", forgetful.session_cookie(), pair(&marked));
    let before = app.get_session_with_cookie(&admin_cookies).await;
    let forgetful_admin = TestUser {
        cookie: admin_cookies,
        ..admin.clone()
    };
    let started = post(
        &app,
        &forgetful_admin,
        "impersonate-user",
        json!({"userId": user.id}),
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let lines = started.set_cookies();
    let acting = TestUser {
        cookie: format!(
            "{}; {}; {}",
            pair(&lines[4]),
            pair(&lines[5]),
            pair(&lines[3])
        ),
        ..user.clone()
    };

    app.clock.advance(chrono::Duration::minutes(30));
    let stopped = post(&app, &acting, "stop-impersonating", json!({})).await;

    assert_eq!(stopped.status, 200, "{}", stopped.text);
    assert_eq!(
        stopped.body["session"]["expiresAt"], before.body["session"]["expiresAt"],
        "a rememberMe:false session is not extended"
    );
    let back = stopped.set_cookie("gatehouse.session_token").unwrap();
    assert!(!back.contains("Max-Age"), "{back}");
    assert!(stopped.set_cookie("gatehouse.dont_remember").is_some());
}
