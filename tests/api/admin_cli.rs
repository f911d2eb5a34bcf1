//! `gatehouse user …`, run as the built binary against the database of a running app, on every
//! backend and strategy: each command's effect as the app then serves it, bans, the audit log,
//! and the command line's own errors (wrong arguments, a missing user, a non-terminal stdin).

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::helpers::{
    JWT_AUDIENCE, JWT_ISSUER, PASSWORD, SECRET, TestApp, default_strategy, spawn_app, unique_email,
};

/// `gatehouse <subcommand>` with the app's configuration and nothing else from the environment.
pub(crate) fn gatehouse(app: &TestApp, subcommand: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .arg(subcommand)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USER", "ops")
        .env("DATABASE_URL", &app.database.url)
        .env("GATEHOUSE_SECRET", SECRET)
        .env("GATEHOUSE_BCRYPT_COST", "10")
        .env("GATEHOUSE_BASE_URL", &app.address)
        .env("GATEHOUSE_JWT_ISSUER", JWT_ISSUER)
        .env("GATEHOUSE_JWT_AUDIENCE", JWT_AUDIENCE)
        .env("GATEHOUSE_SESSION_STRATEGY", default_strategy().as_str());
    command
}

/// Runs `gatehouse user <args>` on the app's database with `stdin` piped in.
pub(crate) fn user_command(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = gatehouse(app, "user")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the gatehouse binary runs");
    let mut input = child.stdin.take().unwrap();
    // A command that does not read its input may have exited already.
    let _closed_early_is_fine = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Runs a command that must succeed and returns what it printed.
pub(crate) fn ok(app: &TestApp, args: &[&str], stdin: &str) -> String {
    let output = user_command(app, args, stdin);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    stdout(&output)
}

/// Runs a command that must fail with `status` and one line on standard error.
fn fails(app: &TestApp, args: &[&str], stdin: &str, status: i32) -> String {
    let output = user_command(app, args, stdin);
    assert_eq!(output.status.code(), Some(status), "{args:?}: {output:?}");
    assert!(stdout(&output).is_empty(), "{output:?}");
    stderr(&output)
}

fn shown(app: &TestApp, user: &str) -> Value {
    serde_json::from_str(&ok(app, &["show", user, "--json"], "")).unwrap()
}

fn audit(app: &TestApp) -> Vec<Value> {
    let printed = ok(app, &["audit", "--json"], "");
    serde_json::from_str::<Vec<Value>>(&printed).unwrap()
}

#[actix_web::test]
async fn the_first_admin_is_made_from_the_command_line() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let printed = ok(&app, &["set-role", &user.email.to_uppercase(), "admin"], "");

    assert!(printed.contains("role admin"), "{printed}");
    assert_eq!(shown(&app, &user.id)["user"]["role"], "admin");
    let printed = ok(&app, &["set-role", &user.id, "user,admin", "admin"], "");
    assert!(printed.contains("role user,admin"), "{printed}");
    let refused = fails(&app, &["set-role", &user.id, "root"], "", 4);
    assert_eq!(
        refused,
        "gatehouse: You are not allowed to set a non-existent role value \
         (YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE)\n"
    );
    assert_eq!(shown(&app, &user.id)["user"]["role"], "user,admin");
    let missing = fails(&app, &["set-role", "nobody@example.com", "admin"], "", 3);
    assert_eq!(missing, "gatehouse: User not found (USER_NOT_FOUND)\n");
    // The admin fields stay off the wire while GATEHOUSE_ADMIN is off.
    let session = app.get_session_with_cookie(&user.cookie).await;
    assert!(
        session.body["user"].get("role").is_none(),
        "{}",
        session.text
    );
}

#[actix_web::test]
async fn create_reads_the_password_from_standard_input_and_checks_it_as_sign_up_does() {
    let app = spawn_app().await;
    let email = unique_email();

    let printed = ok(
        &app,
        &[
            "create",
            "--email",
            &email.to_uppercase(),
            "--name",
            "Ada",
            "--verified",
        ],
        &format!("{PASSWORD}\n"),
    );

    assert!(printed.starts_with("created user "), "{printed}");
    let signed_in = app.sign_in_email(&email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["user"]["emailVerified"], true);
    assert_eq!(signed_in.body["user"]["name"], "Ada");
    // Sign-up's rules, and nothing is written when one is broken.
    let other = unique_email();
    let short = fails(&app, &["create", "--email", &other], "short\n", 4);
    assert_eq!(
        short,
        "gatehouse: Password too short (PASSWORD_TOO_SHORT)\n"
    );
    let taken = fails(
        &app,
        &["create", "--email", &email],
        "another-long-password\n",
        4,
    );
    assert!(
        taken.contains("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"),
        "{taken}"
    );
    let bad_address = fails(&app, &["create", "--email", "not-an-address"], "x\n", 4);
    assert!(bad_address.contains("INVALID_EMAIL"), "{bad_address}");
    let bad_role = fails(
        &app,
        &["create", "--email", &other, "--role", "owner"],
        &format!("{PASSWORD}\n"),
        4,
    );
    assert!(bad_role.contains("NON_EXISTENT_VALUE"), "{bad_role}");
    fails(&app, &["show", &other], "", 3);
    // No password on standard input, and never one as an argument.
    let empty = fails(&app, &["create", "--email", &other], "", 2);
    assert!(empty.contains("no password given"), "{empty}");
    let argument = user_command(&app, &["create", "--email", &other, "--password", "x"], "");
    assert_eq!(argument.status.code(), Some(2), "{argument:?}");
    // Without a password: no credential, so no password signs in.
    ok(&app, &["create", "--email", &other, "--no-password"], "");
    let refused = app.sign_in_email(&other, PASSWORD).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    let actions: Vec<Value> = audit(&app)
        .iter()
        .map(|row| row["action"].clone())
        .collect();
    assert_eq!(actions, [json!("create-user"), json!("create-user")]);
}

#[actix_web::test]
async fn a_ban_ends_every_session_and_refuses_sign_in_until_it_is_lifted() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other_device = app.sign_in_from(&user, "tablet").await;

    let printed = ok(&app, &["ban", &user.email, "--reason", "spam"], "");

    assert!(printed.contains("until never"), "{printed}");
    app.signed_out_within_a_second(&user.cookie).await;
    app.signed_out_within_a_second(&other_device).await;
    let banned = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(banned.status, 403, "{}", banned.text);
    assert_eq!(banned.code(), "BANNED_USER");
    assert_eq!(
        banned.body["message"],
        "You have been banned from this application. Please contact support if you believe this is an error."
    );
    assert!(banned.set_cookie("gatehouse.session_token").is_none());
    // Only after the password: a wrong one says nothing about the ban.
    let wrong = app.sign_in_email(&user.email, "wrong-password-1").await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    let record = shown(&app, &user.email);
    assert_eq!(record["user"]["banned"], true);
    assert_eq!(record["user"]["banReason"], "spam");
    assert_eq!(record["user"]["banExpires"], Value::Null);
    assert_eq!(record["sessions"], json!([]));

    ok(&app, &["unban", &user.email], "");

    let signed_in = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let record = shown(&app, &user.email);
    assert_eq!(record["user"]["banned"], false);
    assert_eq!(record["user"]["banReason"], Value::Null);
    let rows = audit(&app);
    assert_eq!(rows[0]["action"], "unban-user");
    assert_eq!(rows[1]["action"], "ban-user");
    assert_eq!(rows[1]["actor"], "cli:ops");
    assert_eq!(rows[1]["target"], json!(user.email));
    assert_eq!(rows[1]["targetId"], json!(user.id));
    assert_eq!(rows[1]["detail"], "reason=spam; expires=never");
}

#[actix_web::test]
async fn an_expired_ban_lifts_itself_at_the_next_sign_in() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    ok(&app, &["ban", &user.id, "--expires-in", "1h"], "");
    let banned = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(banned.code(), "BANNED_USER", "{}", banned.text);
    assert!(shown(&app, &user.id)["user"]["banExpires"].is_string());

    app.clock.advance(chrono::Duration::minutes(61));

    let signed_in = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let record = shown(&app, &user.id);
    assert_eq!(record["user"]["banned"], false);
    assert_eq!(record["user"]["banExpires"], Value::Null);
}

#[actix_web::test]
async fn set_password_replaces_the_password_and_ends_the_sessions() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;

    let printed = ok(
        &app,
        &["set-password", &user.email],
        "a-brand-new-password\r\n",
    );

    assert!(printed.contains("1 sessions ended"), "{printed}");
    app.signed_out_within_a_second(&user.cookie).await;
    let old = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(old.status, 401, "{}", old.text);
    let new = app.sign_in_email(&user.email, "a-brand-new-password").await;
    assert_eq!(new.status, 200, "{}", new.text);
    let too_long = fails(&app, &["set-password", &user.email], &"x".repeat(129), 4);
    assert!(too_long.contains("PASSWORD_TOO_LONG"), "{too_long}");
    let rows = audit(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["action"], "set-user-password");
    assert!(!rows[0].to_string().contains("a-brand-new-password"));
}

#[actix_web::test]
async fn revoke_sessions_and_delete_act_on_every_session() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    let other_device = app.sign_in_from(&user, "tablet").await;

    let printed = ok(&app, &["revoke-sessions", &user.email], "");

    assert!(printed.starts_with("2 sessions of "), "{printed}");
    app.signed_out_within_a_second(&user.cookie).await;
    app.signed_out_within_a_second(&other_device).await;
    let fresh = app.sign_in_from(&user, "laptop").await;
    // Deleting asks for confirmation, which needs a terminal.
    let unconfirmed = fails(&app, &["delete", &user.email], "", 2);
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    assert!(app.is_signed_in(&fresh).await);

    ok(&app, &["delete", &user.email, "--yes"], "");

    app.signed_out_within_a_second(&fresh).await;
    fails(&app, &["show", &user.email], "", 3);
    let gone = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(gone.status, 401, "{}", gone.text);
    // The log outlives the user and is found by their id.
    let printed = ok(&app, &["audit", "--user", &user.id, "--json"], "");
    let rows: Vec<Value> = serde_json::from_str(&printed).unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["remove-user", "revoke-user-sessions"]);
    let table = ok(&app, &["audit"], "");
    assert!(table.starts_with("AT "), "{table}");
    assert!(table.contains("remove-user"), "{table}");
}

#[actix_web::test]
async fn list_pages_and_searches_users() {
    let app = spawn_app().await;
    for n in 0..5 {
        let email = format!(
            "list-{n}@{}.example.com",
            if n < 3 { "alpha" } else { "beta" }
        );
        let response = app
            .sign_up(&json!({"name": format!("Name {n}"), "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        app.clock.advance(chrono::Duration::seconds(1));
    }

    let page: Value = serde_json::from_str(&ok(
        &app,
        &["list", "--limit", "2", "--offset", "1", "--json"],
        "",
    ))
    .unwrap();

    assert_eq!(page["total"], 5);
    let emails: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["list-3@beta.example.com", "list-2@alpha.example.com"]
    );
    assert_eq!(page["users"][0]["role"], "user");
    assert_eq!(page["users"][0]["banned"], false);
    let found: Value =
        serde_json::from_str(&ok(&app, &["list", "--search", "ALPHA", "--json"], "")).unwrap();
    assert_eq!(found["total"], 3);
    let by_name: Value = serde_json::from_str(&ok(
        &app,
        &["list", "--search", "name 4", "--by-name", "--json"],
        "",
    ))
    .unwrap();
    assert_eq!(by_name["total"], 1);
    // LIKE's wildcards are searched for, not obeyed.
    let wildcard: Value =
        serde_json::from_str(&ok(&app, &["list", "--search", "%", "--json"], "")).unwrap();
    assert_eq!(wildcard["total"], 0);
    let table = ok(&app, &["list"], "");
    assert!(table.starts_with("ID "), "{table}");
    assert!(table.trim_end().ends_with("5 shown, 5 in all"), "{table}");
}

#[actix_web::test]
async fn wrong_arguments_are_usage_errors() {
    let app = spawn_app().await;

    for args in [
        vec!["set-role", "someone"],
        vec!["ban", "someone", "--expires-in", "soon"],
        vec!["frobnicate"],
        vec!["list", "--limit", "many"],
    ] {
        let output = user_command(&app, &args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(stdout(&output).is_empty());
    }
    let help = ok(&app, &["--help"], "");
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("set-role"), "{help}");
    fails(&app, &["ban", "nobody@example.com"], "", 3);
    fails(&app, &["revoke-sessions", "no-such-id"], "", 3);
    assert!(audit(&app).is_empty());
}

#[actix_web::test]
#[ignore = "needs aiosmtpd: scripts/test.sh installs it and runs ignored tests"]
async fn a_magic_link_starts_no_session_for_a_banned_user() {
    let smtp = crate::smtp::SmtpServer::start();
    let app = crate::helpers::builder()
        .mail_only_as_asked(&smtp)
        .var("GATEHOUSE_MAGIC_LINK", "on")
        .spawn()
        .await;
    let user = app.sign_up_user().await;
    let asked = app
        .post_json(
            "/api/auth/sign-in/magic-link",
            &json!({"email": user.email}),
            &[],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    let token = smtp.wait_for(1).await.remove(0).token();
    ok(&app, &["ban", &user.email, "--expires-in", "10m"], "");

    let opened = app
        .get(&format!("/api/auth/magic-link/verify?token={token}"), &[])
        .await;

    assert_eq!(opened.status, 403, "{}", opened.text);
    assert_eq!(opened.code(), "BANNED_USER");
    assert!(opened.set_cookie("gatehouse.session_token").is_none());
    // A refused link changed nothing: the unverified account keeps its password and its flag.
    let record = shown(&app, &user.id);
    assert_eq!(record["sessions"], json!([]));
    assert_eq!(record["user"]["emailVerified"], false);
    ok(&app, &["unban", &user.id], "");
    let signed_in = app.sign_in_email(&user.email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
}

#[actix_web::test]
#[ignore = "needs node and tests/oidc's packages: scripts/test.sh installs them"]
async fn a_banned_user_back_from_a_provider_is_sent_to_the_error_page() {
    use crate::social::{corp, location, open, provider_step, start};
    let (app, _provider) = corp().await;
    let email = unique_email();
    let body =
        json!({"provider": "corp", "callbackURL": "/dashboard", "errorCallbackURL": "/oops"});
    let (started, cookie) = start(&app, body.clone()).await;
    let callback = provider_step(&app, &started, &email).await;
    let first = open(&app, &callback, &cookie).await;
    assert_eq!(location(&first), format!("{}/dashboard", app.address));
    ok(&app, &["ban", &email, "--reason", "abuse"], "");
    app.signed_out_within_a_second(&first.session_cookie())
        .await;

    let (started, cookie) = start(&app, body).await;
    let callback = provider_step(&app, &started, &email).await;
    let refused = open(&app, &callback, &cookie).await;

    assert_eq!(refused.status, 302, "{}", refused.text);
    let target = url::Url::parse(&location(&refused)).unwrap();
    assert_eq!(target.path(), "/oops");
    let query: std::collections::HashMap<String, String> =
        target.query_pairs().into_owned().collect();
    assert_eq!(query["error"], "banned");
    assert!(query["error_description"].starts_with("You have been banned"));
    assert!(refused.set_cookie("gatehouse.session_token").is_none());
    assert_eq!(shown(&app, &email)["sessions"], json!([]));
}

/// `count` users written straight to the database in one transaction (`bulk-NNNN@example.com`,
/// a millisecond apart), for listings longer than a page.
pub(crate) fn insert_users(app: &TestApp, count: i64) {
    use diesel::prelude::*;
    use gatehouse::db::models::UserRow;
    use gatehouse::db::schema::users;
    let mut conn = app.database.connect();
    let start = app.clock.now().naive_utc();
    conn.transaction(|conn| {
        for n in 0..count {
            let row = UserRow::new(
                gatehouse::ids::random_id(),
                format!("Bulk {n}"),
                format!("bulk-{n:04}@example.com"),
                false,
                start + chrono::Duration::milliseconds(n),
            );
            diesel::insert_into(users::table)
                .values(&row)
                .execute(conn)?;
        }
        Ok::<(), diesel::result::Error>(())
    })
    .unwrap();
}

#[actix_web::test]
async fn a_listing_is_capped_at_a_thousand_users_and_pages_through_the_rest() {
    let app = spawn_app().await;
    insert_users(&app, 1200);

    let first: Value =
        serde_json::from_str(&ok(&app, &["list", "--limit", "5000", "--json"], "")).unwrap();
    let rest: Value = serde_json::from_str(&ok(
        &app,
        &["list", "--limit", "1000", "--offset", "1000", "--json"],
        "",
    ))
    .unwrap();

    assert_eq!(first["total"], 1200);
    assert_eq!(first["users"].as_array().unwrap().len(), 1000);
    assert_eq!(first["users"][0]["email"], "bulk-1199@example.com");
    assert_eq!(rest["users"].as_array().unwrap().len(), 200);
    assert_eq!(rest["users"][199]["email"], "bulk-0000@example.com");
}
