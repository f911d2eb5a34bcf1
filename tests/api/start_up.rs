//! The `gatehouse` binary as a new user meets it: refused configurations (one line, status 2,
//! nothing written), clean first starts, a self-contained binary, and subcommands that behave in
//! pipes.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::free_port;

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");
const SECRET: &str = "start-up-test-secret-0123456789abcdef";

/// `gatehouse` run in `dir` with exactly `vars` as its environment.
fn gatehouse(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::null());
    command
}

fn run(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    gatehouse(dir, args, vars).output().unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_refused_configuration_is_one_line_with_status_2_and_writes_nothing() {
    let cases: &[(&str, &str)] = &[
        ("GATEHOUSE_BIND", "nope"),
        ("GATEHOUSE_BIND", "127.0.0.1:99999"),
        ("DATABASE_URL", "mysql://localhost"),
        ("DATABASE_URL", "redis://localhost/0"),
        ("DATABASE_URL", "postgres://"),
        ("GATEHOUSE_BASE_URL", "not a url"),
        ("GATEHOUSE_SECRET", "short"),
        ("GATEHOUSE_SESSION_STRATEGY", "cookies"),
        ("GATEHOUSE_SESSION_TTL", "forever"),
        ("GATEHOUSE_BCRYPT_COST", "4"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "https://*.com"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "https://*.github.io"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "https://app.example.com/path"),
        ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/99"),
        ("GATEHOUSE_COOKIE_SAMESITE", "none"),
        ("GATEHOUSE_REQUEST_TIMEOUT", "0"),
        ("GATEHOUSE_JWT_PRIVATE_KEY", "/nonexistent/key.pem"),
        ("GATEHOUSE_RATE_LIMIT", "sometimes"),
    ];
    for (variable, value) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = vec![
            ("GATEHOUSE_BASE_URL", "http://auth.example.com"),
            ("GATEHOUSE_BIND", "127.0.0.1:0"),
        ];
        vars.retain(|(name, _)| name != variable);
        vars.push((variable, value));

        let output = run(dir.path(), &[], &vars);

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{variable}={value}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{variable}={value}: {stderr}");
        assert!(stderr.contains(variable), "{variable}={value}: {stderr}");
        assert_eq!(
            files_in(dir.path()),
            Vec::<String>::new(),
            "{variable}={value}"
        );
    }
}

#[test]
fn bad_mail_files_are_refused_before_anything_is_written() {
    let files = tempfile::tempdir().unwrap();
    let templates = files.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("reset-password.txt"), "{{link}}").unwrap();
    let not_pem = files.path().join("ca.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let cases = [
        ("GATEHOUSE_MAIL_TEMPLATES", templates.to_str().unwrap()),
        ("GATEHOUSE_MAIL_TEMPLATES", "/nonexistent/templates"),
        ("GATEHOUSE_MAIL_CA_FILE", not_pem.to_str().unwrap()),
        ("GATEHOUSE_MAIL_CA_FILE", "/nonexistent/ca.pem"),
    ];
    for (variable, value) in cases {
        let dir = tempfile::tempdir().unwrap();
        let vars = [
            ("GATEHOUSE_BASE_URL", "http://auth.example.com"),
            ("GATEHOUSE_BIND", "127.0.0.1:0"),
            ("GATEHOUSE_MAIL_WEBHOOK", "http://127.0.0.1:9/mail"),
            (variable, value),
        ];

        let output = run(dir.path(), &[], &vars);

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{variable}={value}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{variable}={value}: {stderr}");
        assert!(stderr.contains(variable), "{variable}={value}: {stderr}");
        assert_eq!(
            files_in(dir.path()),
            Vec::<String>::new(),
            "{variable}={value}"
        );
    }
}

#[test]
fn an_issuer_that_does_not_answer_stops_start_up_naming_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = format!("http://127.0.0.1:{}", free_port());
    let vars = [
        ("GATEHOUSE_BASE_URL", "http://auth.example.com"),
        ("GATEHOUSE_BIND", "127.0.0.1:0"),
        ("GATEHOUSE_OAUTH_PROVIDERS", "corp"),
        ("GATEHOUSE_OAUTH_CORP_CLIENT_ID", "gatehouse"),
        ("GATEHOUSE_OAUTH_CORP_CLIENT_SECRET", "a-client-secret"),
        ("GATEHOUSE_OAUTH_CORP_ISSUER", issuer.as_str()),
    ];

    let output = run(dir.path(), &[], &vars);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("GATEHOUSE_OAUTH_CORP_ISSUER"), "{stderr}");
    assert!(!stderr.contains("a-client-secret"), "{stderr}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn an_unreachable_database_is_one_line_naming_database_url_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let url = format!("postgres://gatehouse:hunter2hunter2@127.0.0.1:{port}/gatehouse");

    let started = Instant::now();
    let output = run(
        dir.path(),
        &[],
        &[
            ("DATABASE_URL", &url),
            ("GATEHOUSE_SECRET", SECRET),
            ("GATEHOUSE_BIND", "127.0.0.1:0"),
            ("RUST_LOG", "info"),
        ],
    );

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("DATABASE_URL=postgres://gatehouse:***@127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2hunter2"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn the_binary_starts_and_stops_with_each_mail_transport() {
    // The transports are built outside any request (lettre's pool, reqwest's client): in the
    // binary, unlike the in-process test apps, no runtime is around at start-up.
    let smtp = format!("smtp://127.0.0.1:{}", free_port());
    let webhook = format!("http://127.0.0.1:{}/mail", free_port());
    for transport in [
        vec![
            ("GATEHOUSE_SMTP_URL", smtp.as_str()),
            ("GATEHOUSE_MAIL_FROM", "no-reply@example.com"),
        ],
        vec![("GATEHOUSE_MAIL_WEBHOOK", webhook.as_str())],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = vec![("GATEHOUSE_SECRET", SECRET)];
        vars.extend(transport);

        let running = Running::start(dir.path(), &vars);
        let logged = running.stop();

        assert!(!logged.contains("panicked"), "{logged}");
    }
}

/// The binary serving from `dir` on a free port, with `vars` as its whole environment.
struct Running {
    child: std::process::Child,
    address: String,
}

impl Running {
    /// Starts it and waits until `/readyz` answers.
    fn start(dir: &Path, vars: &[(&str, &str)]) -> Self {
        let bind = format!("127.0.0.1:{}", free_port());
        let mut all = vec![("GATEHOUSE_BIND", bind.as_str()), ("RUST_LOG", "info")];
        all.extend_from_slice(vars);
        let child = gatehouse(dir, &[], &all)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut running = Self {
            child,
            address: bind,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while running.get("/readyz").0 != 200 {
            if let Some(status) = running.child.try_wait().unwrap() {
                let mut log = String::new();
                let _partial = running
                    .child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut log);
                panic!("gatehouse exited ({status}) before it was ready: {log}");
            }
            assert!(Instant::now() < deadline, "gatehouse did not become ready");
            std::thread::sleep(Duration::from_millis(10));
        }
        running
    }

    /// One HTTP/1.0 exchange: the status, the headers (lower-cased names) and the body.
    fn exchange(&self, request: &str) -> (u16, Vec<(String, String)>, String) {
        use std::io::Write as _;
        let Ok(mut stream) = std::net::TcpStream::connect(&self.address) else {
            return (0, Vec::new(), String::new());
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _read_until_close = stream.read_to_string(&mut answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect();
        (status, headers, body.to_owned())
    }

    fn get(&self, path: &str) -> (u16, Vec<(String, String)>, String) {
        self.exchange(&format!("GET {path} HTTP/1.0\r\n\r\n"))
    }

    /// Stops it with SIGTERM, checks it exits 0, and returns what it logged.
    fn stop(mut self) -> String {
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        )
        .unwrap();
        let status = self.child.wait().unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        assert!(status.success(), "{status}: {log}");
        log
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _gone = self.child.kill();
        let _reaped = self.child.wait();
    }
}

/// Starts the binary with its defaults in `dir`, waits until it is ready, stops it with SIGTERM
/// and returns what it logged.
fn first_start(dir: &Path) -> String {
    Running::start(dir, &[]).stop()
}

#[test]
fn twenty_fresh_first_starts_on_sqlite_log_no_error() {
    for attempt in 0..20 {
        let dir = tempfile::tempdir().unwrap();

        let log = first_start(dir.path());

        assert!(
            !log.contains("ERROR"),
            "start {attempt} logged an error:\n{log}"
        );
        assert!(log.contains("listening on"), "{log}");
    }
}

#[cfg(unix)]
#[test]
fn the_database_and_its_secret_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();

    first_start(dir.path());

    for file in ["gatehouse.db", "gatehouse.db.secret"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[cfg(unix)]
#[test]
fn jwt_key_out_writes_a_new_owner_only_file_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();

    let first = run(dir.path(), &["jwt-key", "--out", "key.pem"], &[]);
    let second = run(dir.path(), &["jwt-key", "--out", "key.pem"], &[]);

    assert!(first.status.success(), "{first:?}");
    let key = dir.path().join("key.pem");
    let pem = std::fs::read_to_string(&key).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), pem);
}

#[test]
fn a_closed_pipe_ends_openapi_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = gatehouse(dir.path(), &["openapi"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is written, as `| head -1` does after one line.
    drop(child.stdout.take());

    let output = child.wait_with_output().unwrap();

    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn unknown_commands_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();

    let unknown = run(dir.path(), &["frobnicate"], &[]);
    let help = run(dir.path(), &["--help"], &[]);

    assert_eq!(unknown.status.code(), Some(2));
    assert!(help.status.success());
    let usage = String::from_utf8_lossy(&help.stdout);
    for command in ["serve", "migrate", "openapi", "healthcheck", "jwt-key"] {
        assert!(usage.contains(command), "{usage}");
    }
}

#[test]
fn the_release_binary_needs_no_system_libpq() {
    let Ok(output) = Command::new("ldd").arg(BIN).output() else {
        println!("skipped: no ldd on this machine");
        return;
    };

    let libraries = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{output:?}");
    assert!(!libraries.contains("libpq"), "{libraries}");
    assert!(!libraries.contains("libssl"), "{libraries}");
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The README's quick start, for real: the binary with its defaults (SQLite in the working
/// directory and a generated secret; with `TEST_DATABASE_URL`, PostgreSQL and an explicit secret),
/// then the walk-through's requests and answers, then SIGTERM.
#[test]
fn the_readme_walk_through_works_against_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::helpers::TestDatabase::new();
    let on_postgres = database.postgres_name().is_some();
    let mut vars = Vec::new();
    if on_postgres {
        vars.extend([
            ("DATABASE_URL", database.url.as_str()),
            ("GATEHOUSE_SECRET", SECRET),
        ]);
    }
    let server = Running::start(dir.path(), &vars);
    let json = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
    };
    let post = |path: &str, body: &str, extra: &str| {
        server.exchange(&format!(
            "POST {path} HTTP/1.0\r\ncontent-type: application/json\r\nuser-agent: curl/8.0\r\ncontent-length: {}\r\n{extra}\r\n{body}",
            body.len()
        ))
    };

    let (status, headers, body) = post(
        "/api/auth/sign-up",
        r#"{"name":"Al","email":"al@example.com","password":"correct-horse-battery"}"#,
        "",
    );
    assert_eq!(status, 200, "{body}");
    let signed_up = json(&body);
    assert_eq!(signed_up["user"]["email"], "al@example.com");
    assert_eq!(signed_up["token"].as_str().unwrap().len(), 32);
    assert!(
        header(&headers, "set-cookie").is_some_and(|c| c.starts_with("gatehouse.session_token="))
    );
    let (status, headers, body) = post(
        "/api/auth/sign-in/email",
        r#"{"email":"al@example.com","password":"correct-horse-battery"}"#,
        "",
    );
    assert_eq!(status, 200, "{body}");
    let signed_in = json(&body);
    assert_eq!(signed_in["redirect"], false);
    assert_eq!(signed_in["user"]["name"], "Al");
    let token = signed_in["token"].as_str().unwrap().to_owned();
    let cookie = header(&headers, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (_, _, body) = server.exchange(&format!(
        "GET /api/auth/get-session HTTP/1.0\r\ncookie: {cookie}\r\n\r\n"
    ));
    let session = json(&body);
    assert_eq!(session["user"]["email"], "al@example.com");
    assert_eq!(session["session"]["token"], token.as_str());
    assert_eq!(session["session"]["userAgent"], "curl/8.0");
    let (_, _, body) = server.exchange(&format!(
        "GET /api/auth/get-session HTTP/1.0\r\nauthorization: Bearer {token}\r\n\r\n"
    ));
    assert_eq!(json(&body)["session"]["token"], token.as_str());
    let origin = format!("http://{}", server.address);
    let (status, _, body) = server.exchange(&format!(
        "POST /api/auth/sign-out HTTP/1.0\r\ncookie: {cookie}\r\norigin: {origin}\r\ncontent-length: 0\r\n\r\n"
    ));
    assert_eq!(
        (status, json(&body)),
        (200, serde_json::json!({"success": true}))
    );
    let (_, _, body) = server.exchange(&format!(
        "GET /api/auth/get-session HTTP/1.0\r\ncookie: {cookie}\r\n\r\n"
    ));
    assert_eq!(body, "null");
    let address = server.address.clone();
    let log = server.stop();

    assert!(
        log.contains(&format!(
            "listening on http://{address} (database {}",
            if on_postgres { "postgres" } else { "sqlite" }
        )),
        "{log}"
    );
    if !on_postgres {
        let secret = std::fs::read_to_string(dir.path().join("gatehouse.db.secret")).unwrap();
        assert!(log.contains("generated secret"), "{log}");
        assert!(!log.contains(secret.trim()), "the secret was logged");
        assert!(dir.path().join("gatehouse.db").is_file());
    }
}
