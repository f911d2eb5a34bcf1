//! `gatehouse import`, run as the built binary into the database of a running app (every backend
//! and strategy), from SQLite sources in the libraries' table layouts. The password hashes in
//! them are the ones the libraries made (tests/import/vectors). Here: what is kept (ids, hashes
//! that sign in, provider links, Better Auth sessions), re-runs, dry runs, bad rows and bad
//! sources, and an import killed halfway.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use gatehouse::config::SessionStrategy;
use gatehouse::db::schema::{accounts, sessions, users};
use hmac::Mac as _;
use serde_json::{Value, json};

use crate::helpers::{SECRET, TestApp, builder, default_strategy, spawn_app};

const SCRYPT: &str = include_str!("../import/vectors/scrypt.txt");
const PBKDF2: &str = include_str!("../import/vectors/pbkdf2.txt");
const ARGON2: &str = include_str!("../import/vectors/argon2id.txt");
const PASSWORD: &str = "correct-horse-battery";

/// Better Auth's SQLite schema as its CLI makes it (camelCase columns, ISO dates as text).
const BETTER_AUTH_SCHEMA: &str = r#"
CREATE TABLE "user" ("id" text NOT NULL PRIMARY KEY, "name" text NOT NULL, "email" text NOT NULL UNIQUE,
  "emailVerified" integer NOT NULL, "image" text, "createdAt" date NOT NULL, "updatedAt" date NOT NULL,
  "username" text UNIQUE, "displayUsername" text);
CREATE TABLE "account" ("id" text NOT NULL PRIMARY KEY, "accountId" text NOT NULL, "providerId" text NOT NULL,
  "userId" text NOT NULL REFERENCES "user" ("id"), "accessToken" text, "refreshToken" text, "idToken" text,
  "accessTokenExpiresAt" date, "refreshTokenExpiresAt" date, "scope" text, "password" text,
  "createdAt" date NOT NULL, "updatedAt" date NOT NULL);
CREATE TABLE "session" ("id" text NOT NULL PRIMARY KEY, "expiresAt" date NOT NULL, "token" text NOT NULL UNIQUE,
  "createdAt" date NOT NULL, "updatedAt" date NOT NULL, "ipAddress" text, "userAgent" text,
  "userId" text NOT NULL REFERENCES "user" ("id"));
"#;

/// A SQLite source file in a temporary directory.
struct SourceDb {
    _dir: tempfile::TempDir,
    path: String,
}

impl SourceDb {
    fn new(sql: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join("source.sqlite")
            .to_string_lossy()
            .into_owned();
        let source = Self { _dir: dir, path };
        source.execute(sql);
        source
    }

    fn execute(&self, sql: &str) {
        let mut conn = diesel::SqliteConnection::establish(&self.path).unwrap();
        conn.batch_execute(sql).unwrap();
    }
}

/// A single-quoted SQL string.
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn import_command(app: &TestApp, args: &[&str]) -> Command {
    let mut command = crate::admin_cli::gatehouse(app, "import");
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn run_import(app: &TestApp, args: &[&str]) -> Output {
    import_command(app, args).output().unwrap()
}

/// An import that succeeds, and its JSON summary.
fn imported(app: &TestApp, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let output = run_import(app, &args);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// An import refused with `status`, and its one line on standard error.
fn refused(app: &TestApp, args: &[&str], status: i32) -> String {
    let output = run_import(app, args);
    assert_eq!(output.status.code(), Some(status), "{args:?}: {output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let message = String::from_utf8(output.stderr).unwrap();
    assert_eq!(message.lines().count(), 1, "{message}");
    message
}

fn user_count(app: &TestApp) -> i64 {
    users::table
        .count()
        .get_result(&mut app.database.connect())
        .unwrap()
}

fn password_hash(app: &TestApp, user_id: &str) -> Option<String> {
    accounts::table
        .filter(accounts::user_id.eq(user_id))
        .filter(accounts::provider_id.eq("credential"))
        .select(accounts::password_hash)
        .first::<Option<String>>(&mut app.database.connect())
        .optional()
        .unwrap()
        .flatten()
}

/// Better Auth's cookie value for a session token: `<token>.<base64 HMAC-SHA256>`, URL-encoded.
fn better_auth_cookie(token: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(token.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let value: String = format!("{token}.{signature}")
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_owned(),
            '/' => "%2F".to_owned(),
            '=' => "%3D".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("better-auth.session_token={value}")
}

/// Ids unique to one test run, so sources never meet another test's users on a shared database.
fn unique(prefix: &str) -> String {
    format!("{prefix}{}", gatehouse::ids::random_id().to_lowercase())
}

#[actix_web::test]
async fn better_auth_users_sign_in_with_their_passwords_and_keep_their_sessions() {
    let app = builder()
        .var("GATEHOUSE_COOKIE_PREFIX", "better-auth")
        .spawn()
        .await;
    let (ada, bob, cy) = (unique("ada"), unique("bob"), unique("cy"));
    let token = gatehouse::ids::random_id();
    let future = (gatehouse::clock::Clock::system().now() + chrono::Duration::days(3)).to_rfc3339();
    let source = SourceDb::new(BETTER_AUTH_SCHEMA);
    source.execute(&format!(
        r#"INSERT INTO "user" VALUES
          ({ada_id}, 'Ada', {ada_email}, 1, NULL, '2024-05-01T10:00:00.000Z', '2024-05-02T10:00:00.000Z', {ada}, 'Ada_L'),
          ({bob_id}, 'Bob', {bob_email}, 0, NULL, '2024-05-03T10:00:00.000Z', '2024-05-03T10:00:00.000Z', NULL, NULL),
          ({cy_id}, 'Cy', {cy_email}, 1, 'https://example.com/cy.png', '2024-05-04T10:00:00.000Z', '2024-05-04T10:00:00.000Z', NULL, NULL);
        INSERT INTO "account" VALUES
          ({a1}, {ada_id}, 'credential', {ada_id}, NULL, NULL, NULL, NULL, NULL, NULL, {scrypt}, '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z'),
          ({a2}, {bob_sub}, 'github', {bob_id}, 'gho_plain_access_token', NULL, NULL, NULL, NULL, 'read:user', NULL, '2024-05-03T10:00:00.000Z', '2024-05-03T10:00:00.000Z'),
          ({a3}, {cy_id}, 'credential', {cy_id}, NULL, NULL, NULL, NULL, NULL, NULL, 'plaintext-password', '2024-05-04T10:00:00.000Z', '2024-05-04T10:00:00.000Z');
        INSERT INTO "session" VALUES
          ({s1}, {future}, {token}, '2024-05-05T10:00:00.000Z', '2024-05-05T10:00:00.000Z', '203.0.113.9', 'Firefox', {ada_id}),
          ({s2}, '2024-05-06T10:00:00.000Z', {old_token}, '2024-05-05T10:00:00.000Z', '2024-05-05T10:00:00.000Z', NULL, NULL, {ada_id});"#,
        ada_id = lit(&ada),
        bob_id = lit(&bob),
        cy_id = lit(&cy),
        ada = lit(&ada[..20.min(ada.len())]),
        ada_email = lit(&format!("{ada}@Example.COM")),
        bob_email = lit(&format!("{bob}@example.com")),
        cy_email = lit(&format!("{cy}@example.com")),
        a1 = lit(&unique("a")),
        a2 = lit(&unique("a")),
        a3 = lit(&unique("a")),
        bob_sub = lit(&unique("gh")),
        scrypt = lit(SCRYPT.trim()),
        s1 = lit(&unique("s")),
        s2 = lit(&unique("s")),
        future = lit(&future),
        token = lit(&token),
        old_token = lit(&gatehouse::ids::random_id()),
    ));

    let dry = imported(&app, &["better-auth", &source.path, "--dry-run"]);
    assert_eq!(dry["inserted"], 3, "{dry}");
    assert_eq!(user_count(&app), 0, "a dry run writes nothing");

    let summary = imported(&app, &["better-auth", &source.path]);

    assert_eq!(summary["read"], 3, "{summary}");
    assert_eq!(summary["inserted"], 3, "{summary}");
    assert_eq!(summary["passwordsSet"], 1, "{summary}");
    assert_eq!(summary["accounts"], 1, "{summary}");
    assert_eq!(summary["sessions"], 1, "{summary}");
    assert_eq!(summary["sessionsLeftOut"], 1, "the expired one: {summary}");
    assert_eq!(
        summary["notes"]["unknown-password-hash"],
        json!({"count": 1, "examples": [cy]}),
        "{summary}"
    );
    assert_eq!(
        password_hash(&app, &cy),
        None,
        "never stored as a usable hash"
    );
    let stored: (String, bool, Option<String>) = users::table
        .find(&ada)
        .select((users::email, users::email_verified, users::display_username))
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        stored,
        (format!("{ada}@example.com"), true, Some("Ada_L".to_owned()))
    );
    let link: (String, Option<String>, Option<String>) = accounts::table
        .filter(accounts::user_id.eq(&bob))
        .select((
            accounts::provider_id,
            accounts::access_token,
            accounts::scope,
        ))
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        link,
        ("github".to_owned(), None, Some("read:user".to_owned()))
    );
    let token_hashes: Vec<Option<String>> = sessions::table
        .filter(sessions::user_id.eq(&ada))
        .select(sessions::token_hash)
        .load(&mut app.database.connect())
        .unwrap();
    assert_eq!(token_hashes, [Some(gatehouse::ids::sha256_hex(&token))]);

    // The Better Auth cookie reads the same user (the database strategy; a JWT is another
    // cookie altogether).
    let session = app
        .get_session_with_cookie(&better_auth_cookie(&token))
        .await;
    if default_strategy() == SessionStrategy::Database {
        assert_eq!(session.body["user"]["id"], ada.as_str(), "{}", session.text);
    }
    let signed_in = app
        .sign_in_email(&format!("{ada}@example.com"), PASSWORD)
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert!(password_hash(&app, &ada).unwrap().starts_with("$2b$"));

    // Again: nothing new; then a change in the source is carried over, and the bcrypt hash the
    // sign-in wrote is kept.
    let again = imported(&app, &["better-auth", &source.path]);
    assert_eq!(
        (
            &again["inserted"],
            &again["unchanged"],
            &again["sessions"],
            &again["accounts"]
        ),
        (&json!(0), &json!(3), &json!(0), &json!(0)),
        "{again}"
    );
    assert_eq!(again["passwordsKept"], 1, "{again}");
    source.execute(&format!(
        r#"UPDATE "user" SET "name" = 'Bob Renamed', "updatedAt" = '2024-06-01T00:00:00.000Z' WHERE "id" = {}"#,
        lit(&bob)
    ));
    let changed = imported(&app, &["better-auth", &source.path]);
    assert_eq!(
        (&changed["updated"], &changed["unchanged"]),
        (&json!(1), &json!(2)),
        "{changed}"
    );
    let name: String = users::table
        .find(&bob)
        .select(users::name)
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(name, "Bob Renamed");
    assert_eq!(user_count(&app), 3);
    let audited: Vec<(String, Option<String>)> = gatehouse::db::schema::audit_log::table
        .select((
            gatehouse::db::schema::audit_log::action,
            gatehouse::db::schema::audit_log::detail,
        ))
        .order(gatehouse::db::schema::audit_log::at)
        .load(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        audited.len(),
        3,
        "one row per import, none for the dry run: {audited:?}"
    );
    assert_eq!(
        audited[0],
        (
            "import".to_owned(),
            Some(
                "better-auth: read 3, inserted 3, updated 0, unchanged 0, skipped 0, conflicts 0"
                    .to_owned()
            )
        )
    );
}

#[actix_web::test]
async fn lucia_users_without_an_address_sign_in_by_username() {
    let app = spawn_app().await;
    let mut lines = PBKDF2.lines();
    let (hash, salt) = (lines.next().unwrap(), lines.next().unwrap());
    let (first, second) = (unique("lu"), unique("ar"));
    let source = SourceDb::new(&format!(
        "CREATE TABLE admin (id TEXT PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, hashed_password TEXT, salt TEXT);
         INSERT INTO admin VALUES ({first}, {first_name}, {hash}, {salt}), ({second}, {second}, {argon2}, NULL),
           ('bad-name', 'has-a-dash', {hash}, {salt});",
        first = lit(&first),
        first_name = lit(&first.to_uppercase()[..24]),
        second = lit(&second[..24]),
        hash = lit(hash),
        salt = lit(salt),
        argon2 = lit(ARGON2.trim()),
    ));

    let summary = imported(&app, &["lucia", &source.path]);

    assert_eq!(summary["inserted"], 2, "{summary}");
    assert_eq!(
        summary["skipped"]["invalid-username"]["count"], 1,
        "{summary}"
    );
    for username in [&first.to_uppercase()[..24], &second[..24]] {
        let signed_in = app
            .post_json(
                "/api/auth/sign-in/username",
                &json!({"username": username, "password": PASSWORD}),
                &[],
            )
            .await;
        assert_eq!(signed_in.status, 200, "{username}: {}", signed_in.text);
        assert_eq!(
            signed_in.body["user"]["email"],
            format!("{}@users.invalid", username.to_lowercase()),
        );
    }
    let shown: Option<String> = users::table
        .find(&first)
        .select(users::display_username)
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(shown.as_deref(), Some(&first.to_uppercase()[..24]));
}

#[actix_web::test]
async fn bad_rows_are_reported_and_the_others_imported() {
    let app = spawn_app().await;
    let ten_megabytes = "x".repeat(10 << 20);
    let tag = unique("");
    let email = |name: &str| lit(&format!("{name}{tag}@example.com"));
    let source = SourceDb::new(&format!(
        r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT, password TEXT);
        INSERT INTO "user" VALUES
          ({id}||'1', 'Fine', {fine}, 1700000000000, NULL, {bcrypt}),
          ({id}||'2', 'No address', NULL, NULL, NULL, NULL),
          ({id}||'3', 'Bad address', 'not an address', NULL, NULL, NULL),
          ({id}||'4', 'Same address', upper({fine}), NULL, NULL, NULL),
          ({id}||'5', {huge}, {big_name}, NULL, NULL, NULL),
          ({id}||'6', 'Huge image', {big_image}, NULL, {huge}, NULL),
          ({id}||'7', 'Broken hash', {broken}, NULL, NULL, '$2b$10$short');"#,
        id = lit(&tag),
        fine = email("fine"),
        big_name = email("bigname"),
        big_image = email("bigimage"),
        broken = email("broken"),
        huge = lit(&ten_megabytes),
        bcrypt = lit(&bcrypt::hash(PASSWORD, 4).unwrap()),
    ));
    let mut account = diesel::SqliteConnection::establish(&source.path).unwrap();
    account
        .batch_execute(
            r#"CREATE TABLE account ("userId" TEXT, type TEXT, provider TEXT, "providerAccountId" TEXT, scope TEXT);"#,
        )
        .unwrap();

    let summary = imported(&app, &["authjs", &source.path]);

    assert_eq!(summary["read"], 7, "{summary}");
    assert_eq!(summary["inserted"], 3, "{summary}");
    let skipped = &summary["skipped"];
    for (reason, row) in [
        ("no-email-or-username", "2"),
        ("invalid-email", "3"),
        ("duplicate-email", "4"),
        ("too-long:name", "5"),
    ] {
        assert_eq!(
            skipped[reason],
            json!({"count": 1, "examples": [format!("{tag}{row}")]}),
            "{reason}: {summary}"
        );
    }
    assert_eq!(summary["notes"]["image-too-long"]["count"], 1, "{summary}");
    assert_eq!(
        summary["notes"]["unknown-password-hash"]["count"], 1,
        "{summary}"
    );
    let stored: Vec<(String, Option<String>)> = users::table
        .select((users::name, users::image))
        .load(&mut app.database.connect())
        .unwrap();
    let longest = stored
        .iter()
        .map(|(name, image)| name.len() + image.as_ref().map_or(0, String::len))
        .max();
    assert!(longest.unwrap() < 4096, "nothing huge is stored");
    let fine = app
        .sign_in_email(&format!("fine{tag}@example.com"), PASSWORD)
        .await;
    assert_eq!(fine.status, 200, "{}", fine.text);
    assert_eq!(
        fine.body["user"]["emailVerified"], true,
        "a date means verified"
    );
}

#[actix_web::test]
async fn bad_sources_are_refused_in_one_line_that_names_what_is_missing() {
    let app = spawn_app().await;
    let source = SourceDb::new(
        r#"CREATE TABLE "user" ("id" TEXT PRIMARY KEY, "name" TEXT);
           CREATE TABLE "account" ("id" TEXT, "userId" TEXT, "providerId" TEXT);"#,
    );

    let missing = refused(&app, &["better-auth", &source.path], 2);

    assert_eq!(
        missing,
        "gatehouse import: the source lacks column \"user\".\"email\"; column \"account\".\"accountId\" \
         or \"account_id\"; table \"session\" (sessions)\n"
    );
    let overridden = refused(
        &app,
        &[
            "better-auth",
            &source.path,
            "--no-sessions",
            "--column",
            "users.email=mail",
        ],
        2,
    );
    assert!(
        overridden.contains("column \"user\".\"mail\""),
        "{overridden}"
    );
    assert!(
        refused(
            &app,
            &["better-auth", &source.path, "--column", "users.nope=x"],
            2
        )
        .contains("--column users.nope: no such field"),
    );
    assert!(
        refused(&app, &["better-auth", "/nonexistent/source.sqlite"], 2).contains("no such file")
    );
    assert!(
        refused(&app, &["lucia", &source.path, "--no-sessions"], 2)
            .contains("sessions are not imported")
    );
    let itself = refused(&app, &["better-auth", &app.database.url], 2);
    let expected = if crate::helpers::on_mysql() {
        "MySQL sources are not supported yet"
    } else {
        "the source is gatehouse's own database"
    };
    assert!(itself.contains(expected), "{itself}");
    assert_eq!(user_count(&app), 0);
}

#[actix_web::test]
async fn an_import_killed_halfway_leaves_whole_users_and_a_rerun_completes_it() {
    let app = spawn_app().await;
    let tag = unique("k");
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let source = SourceDb::new(
        r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, password TEXT);"#,
    );
    source.execute(&format!(
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
           INSERT INTO "user" SELECT {tag} || printf('%06d', i), 'User ' || i,
             {tag} || i || '@example.com', {hash} FROM n;"#,
        tag = lit(&tag),
        hash = lit(&hash),
    ));

    // 2 000 transactions of 10 users: far more than a poll every 20 ms can miss.
    let mut child = import_command(
        &app,
        &[
            "authjs",
            &source.path,
            "--no-accounts",
            "--batch-size",
            "10",
        ],
    )
    .spawn()
    .unwrap();
    let started = Instant::now();
    while user_count(&app) < 100 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import writes"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    let _killed = child.wait().unwrap();

    let written = user_count(&app);
    assert!(written < 20000, "killed before the end: {written}");
    let without_password: i64 = users::table
        .left_join(accounts::table)
        .filter(accounts::id.is_null())
        .count()
        .get_result(&mut app.database.connect())
        .unwrap();
    assert_eq!(without_password, 0, "no half user");
    let rerun = imported(&app, &["authjs", &source.path, "--no-accounts"]);
    assert_eq!(rerun["read"], 20000, "{rerun}");
    assert_eq!(
        rerun["inserted"].as_i64().unwrap() + rerun["unchanged"].as_i64().unwrap(),
        20000,
        "{rerun}"
    );
    assert_eq!(user_count(&app), 20_000);
    let credentials: i64 = accounts::table
        .count()
        .get_result(&mut app.database.connect())
        .unwrap();
    assert_eq!(credentials, 20_000);
}

/// PostgreSQL sources (when the tests run on PostgreSQL): Better Auth's schema with `timestamptz`
/// and `boolean` columns, and a Lucia table keyed by an integer, read page by page.
#[actix_web::test]
async fn postgres_sources_are_read_with_their_types() {
    if !crate::helpers::TestDatabase::new()
        .url
        .starts_with("postgres")
    {
        return; // SQLite only: the other tests cover SQLite sources.
    }
    let app = spawn_app().await;
    let source = crate::helpers::TestDatabase::new();
    let tag = unique("pg");
    let mut lines = PBKDF2.lines();
    let (hash, salt) = (lines.next().unwrap(), lines.next().unwrap());
    source
        .connect()
        .batch_execute(&format!(
            r#"CREATE TABLE "user" ("id" text PRIMARY KEY, "name" text NOT NULL, "email" text NOT NULL UNIQUE,
                 "emailVerified" boolean NOT NULL, "image" text, "createdAt" timestamptz NOT NULL,
                 "updatedAt" timestamptz NOT NULL, "role" text, "banned" boolean, "banReason" text,
                 "banExpires" timestamptz);
               CREATE TABLE "account" ("id" text PRIMARY KEY, "accountId" text NOT NULL, "providerId" text NOT NULL,
                 "userId" text NOT NULL REFERENCES "user" ("id"), "password" text, "scope" text,
                 "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL);
               CREATE TABLE "session" ("id" text PRIMARY KEY, "expiresAt" timestamptz NOT NULL, "token" text NOT NULL,
                 "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL, "ipAddress" text,
                 "userAgent" text, "userId" text NOT NULL REFERENCES "user" ("id"));
               INSERT INTO "user" SELECT {tag} || lpad(i::text, 4, '0'), 'User ' || i, {tag} || i || '@example.com',
                 i % 2 = 0, NULL, '2024-05-01 10:00:00.123+02', '2024-05-01 10:00:00.123+02',
                 CASE WHEN i = 1 THEN 'admin' ELSE 'user' END, i = 2, CASE WHEN i = 2 THEN 'spam' END, NULL
                 FROM generate_series(1, 25) AS i;
               INSERT INTO "account" SELECT 'acc' || "id", "id", 'credential', "id", {scrypt}, NULL, now(), now()
                 FROM "user";
               CREATE TABLE admin (id serial PRIMARY KEY, user_name text NOT NULL, hashed_password text, salt text);
               INSERT INTO admin (user_name, hashed_password, salt)
                 SELECT 'lucia_' || i || '_' || {short}, {hash}, {salt} FROM generate_series(1, 12) AS i;"#,
            tag = lit(&tag),
            short = lit(&tag[..8]),
            scrypt = lit(SCRYPT.trim()),
            hash = lit(hash),
            salt = lit(salt),
        ))
        .unwrap();

    let summary = imported(&app, &["better-auth", &source.url, "--batch-size", "7"]);

    assert_eq!(
        (&summary["read"], &summary["inserted"]),
        (&json!(25), &json!(25)),
        "{summary}"
    );
    assert_eq!(summary["passwordsSet"], 25, "{summary}");
    let first: (bool, chrono::NaiveDateTime, String) = users::table
        .find(format!("{tag}0001"))
        .select((users::email_verified, users::created_at, users::role))
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        first,
        (
            false,
            chrono::NaiveDateTime::parse_from_str(
                "2024-05-01 08:00:00.123",
                "%Y-%m-%d %H:%M:%S%.f"
            )
            .unwrap(),
            "admin".to_owned()
        )
    );
    let banned = app
        .sign_in_email(&format!("{tag}2@example.com"), PASSWORD)
        .await;
    assert_eq!(banned.code(), "BANNED_USER", "{}", banned.text);
    let fine = app
        .sign_in_email(&format!("{tag}3@example.com"), PASSWORD)
        .await;
    assert_eq!(fine.status, 200, "{}", fine.text);

    let lucia = imported(&app, &["lucia", &source.url, "--batch-size", "5"]);
    assert_eq!(
        (&lucia["read"], &lucia["inserted"]),
        (&json!(12), &json!(12)),
        "{lucia}"
    );
    let signed_in = app
        .post_json(
            "/api/auth/sign-in/username",
            &json!({"username": format!("lucia_12_{}", &tag[..8]), "password": PASSWORD}),
            &[],
        )
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
}

/// The PostgreSQL server the tests use, or the machine's.
fn postgres_server() -> url::Url {
    let base = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
        .or_else(|| std::env::var("GATEHOUSE_TEST_PG").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned());
    url::Url::parse(&base).unwrap()
}

/// A PostgreSQL database for a source, on the server the tests use (or the machine's).
fn postgres_source() -> (crate::helpers::TestDatabase, String) {
    let mut url = postgres_server();
    let name = format!(
        "gatehouse_source_{}",
        gatehouse::ids::random_id().to_lowercase()
    );
    url.set_path("/postgres");
    gatehouse::db::postgres_connect(url.as_str())
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    url.set_path(&format!("/{name}"));
    let source = crate::helpers::TestDatabase::at(url.as_str());
    (source, name)
}

/// Runs tests/import/sources.mjs: the library makes the source; its users as JSON.
fn made_by_the_library(args: &[&str]) -> Vec<Value> {
    let output = Command::new("node")
        .arg("sources.mjs")
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/import"))
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Drops a source database made by [`postgres_source`].
struct DropSource(String);

impl Drop for DropSource {
    fn drop(&mut self) {
        let mut url = postgres_server();
        url.set_path("/postgres");
        if let Ok(mut admin) = gatehouse::db::postgres_connect(url.as_str()) {
            let _best_effort =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0));
        }
    }
}

#[actix_web::test]
#[ignore = "needs node, tests/import's packages and PostgreSQL: scripts/test.sh installs them"]
// Better Auth and Lucia on PostgreSQL, Auth.js on SQLite, each as its library writes it.
async fn sources_the_libraries_made_sign_in_on_gatehouse() {
    let app = builder()
        .var("GATEHOUSE_COOKIE_PREFIX", "better-auth")
        .spawn()
        .await;
    let (better_auth, name) = postgres_source();
    let _drop = DropSource(name);
    let users = made_by_the_library(&["better-auth", &better_auth.url, SECRET]);

    let summary = imported(&app, &["better-auth", &better_auth.url]);

    assert_eq!(
        (&summary["read"], &summary["inserted"]),
        (&json!(3), &json!(3)),
        "{summary}"
    );
    assert_eq!(
        summary["sessions"], 2,
        "the signed-out one stays out: {summary}"
    );
    for (index, user) in users.iter().enumerate() {
        let email = user["email"].as_str().unwrap();
        let session = app
            .get_session_with_cookie(user["cookie"].as_str().unwrap())
            .await;
        if default_strategy() == SessionStrategy::Database {
            let expected = if index < 2 {
                user["id"].clone()
            } else {
                Value::Null
            };
            assert_eq!(
                session.body["user"]["id"], expected,
                "{email}: {}",
                session.text
            );
        }
        let signed_in = app
            .sign_in_email(email, user["password"].as_str().unwrap())
            .await;
        assert_eq!(signed_in.status, 200, "{email}: {}", signed_in.text);
        assert_eq!(signed_in.body["user"]["id"], user["id"], "ids are kept");
        assert_eq!(signed_in.body["user"]["email"], email.to_lowercase());
        assert!(
            password_hash(&app, user["id"].as_str().unwrap())
                .unwrap()
                .starts_with("$2b$")
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let authjs = dir
        .path()
        .join("authjs.sqlite")
        .to_string_lossy()
        .into_owned();
    let users = made_by_the_library(&["authjs", &authjs]);
    let summary = imported(&app, &["authjs", &authjs]);
    assert_eq!(
        (&summary["read"], &summary["inserted"]),
        (&json!(2), &json!(2)),
        "{summary}"
    );
    assert_eq!(summary["accounts"], 1, "{summary}");
    for user in &users {
        let email = user["email"].as_str().unwrap();
        let signed_in = app
            .sign_in_email(email, user["password"].as_str().unwrap())
            .await;
        assert_eq!(signed_in.status, 200, "{email}: {}", signed_in.text);
        assert_eq!(signed_in.body["user"]["id"], user["id"]);
        assert_eq!(signed_in.body["user"]["emailVerified"], user["verified"]);
    }
    let link: (String, Option<String>) = accounts::table
        .filter(accounts::user_id.eq(users[1]["id"].as_str().unwrap()))
        .filter(accounts::provider_id.eq("github"))
        .select((accounts::provider_id, accounts::access_token))
        .first(&mut app.database.connect())
        .unwrap();
    assert_eq!(
        link,
        ("github".to_owned(), None),
        "linked, tokens left behind"
    );

    let (lucia, name) = postgres_source();
    let _drop_lucia = DropSource(name);
    let users = made_by_the_library(&["lucia", &lucia.url]);
    let summary = imported(&app, &["lucia", &lucia.url]);
    assert_eq!(
        (&summary["read"], &summary["inserted"]),
        (&json!(4), &json!(4)),
        "{summary}"
    );
    for user in users {
        let signed_in = app
            .post_json(
                "/api/auth/sign-in/username",
                &json!({"username": user["username"], "password": user["password"]}),
                &[],
            )
            .await;
        assert_eq!(signed_in.status, 200, "{user}: {}", signed_in.text);
    }
}
