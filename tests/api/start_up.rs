//! The `gatehouse` binary as a new user meets it: refused configurations (one line, status 2,
//! nothing written), clean first starts, a self-contained binary, and subcommands that behave in
//! pipes.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_refused_configuration_is_one_line_with_status_2_and_writes_nothing() {
    let cases: &[(&str, &str)] = &[
        ("GATEHOUSE_BIND", "nope"),
        ("GATEHOUSE_BIND", "127.0.0.1:99999"),
        ("DATABASE_URL", "mysql://localhost/x"),
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

/// Starts the binary with its defaults in `dir`, waits until `/readyz` answers, stops it with
/// SIGTERM and returns what it logged.
fn first_start(dir: &Path) -> String {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut child = gatehouse(dir, &[], &[("GATEHOUSE_BIND", &bind), ("RUST_LOG", "info")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = std::net::TcpStream::connect(&bind).is_ok_and(|mut stream| {
            use std::io::Write as _;
            let _sent = stream.write_all(b"GET /readyz HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _read = stream.read_to_string(&mut answer);
            answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
        });
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "gatehouse did not become ready");
        std::thread::sleep(Duration::from_millis(10));
    }
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "{status}: {log}");
    log
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
