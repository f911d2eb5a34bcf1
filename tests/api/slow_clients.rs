//! Slow and stalled clients: a body that does not arrive within `GATEHOUSE_REQUEST_TIMEOUT` is
//! answered 408 and its connection closed, and many stalled connections cannot exhaust the
//! process's file descriptors.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{SECRET, builder, free_port};

/// A request head announcing a JSON body of 1000 bytes, followed by its first byte.
const STALLED_SIGN_IN: &[u8] = b"POST /api/auth/sign-in/email HTTP/1.1\r\nHost: gatehouse\r\n\
    Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";

#[actix_web::test]
async fn a_body_trickled_past_the_request_timeout_gets_408_and_a_closed_connection() {
    let app = builder()
        .var("GATEHOUSE_REQUEST_TIMEOUT", "2s")
        .spawn()
        .await;
    let address = app.address.trim_start_matches("http://").to_owned();

    let (answer, elapsed) = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let started = Instant::now();
        stream.write_all(STALLED_SIGN_IN).unwrap();
        // One byte every 500 ms: each arrives well within any per-read timeout.
        let mut trickle = stream.try_clone().unwrap();
        std::thread::spawn(move || {
            for _ in 0..40 {
                std::thread::sleep(Duration::from_millis(500));
                if trickle.write_all(b" ").is_err() {
                    return;
                }
            }
        });
        let mut answer = Vec::new();
        let _read_until_close = stream.read_to_end(&mut answer);
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .unwrap();

    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(answer.contains(r#""code":"REQUEST_TIMEOUT""#), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// Whether a fresh connection gets `/healthz` answered within `within`.
fn healthz_answers(bind: &str, within: Duration) -> bool {
    let Ok(mut stream) = TcpStream::connect(bind) else {
        return false;
    };
    stream.set_read_timeout(Some(within)).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: gatehouse\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _read = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

#[test]
fn fifteen_hundred_stalled_bodies_neither_exhaust_descriptors_nor_stall_others() {
    const STALLED: usize = 1500;
    // This process holds the client ends; the server starts with the common soft limit of 1024
    // open files, which it must raise itself.
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit
        .maximum
        .is_some_and(|max| max < 2 * STALLED as u64 + 512)
    {
        println!("skipped: the hard limit on open files ({limit:?}) is too low for this test");
        return;
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bind = format!("127.0.0.1:{}", free_port());
    let database_url = format!("sqlite://{}/g.db", dir.path().display());
    let mut server = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -S -n 1024 && exec "$0""#,
            env!("CARGO_BIN_EXE_gatehouse"),
        ])
        .env("DATABASE_URL", &database_url)
        .env("GATEHOUSE_BIND", &bind)
        .env("GATEHOUSE_SECRET", SECRET)
        .env("GATEHOUSE_RATE_LIMIT", "off")
        .env("GATEHOUSE_REQUEST_TIMEOUT", "3s")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthz_answers(&bind, Duration::from_secs(1)) {
        assert!(Instant::now() < deadline, "gatehouse did not start");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut stalled = Vec::with_capacity(STALLED);
    for _ in 0..STALLED {
        let mut stream = TcpStream::connect(&bind).unwrap();
        stream.write_all(STALLED_SIGN_IN).unwrap();
        stalled.push(stream);
    }
    let others_served = healthz_answers(&bind, Duration::from_secs(2));
    let mut timed_out = 0;
    for stream in &mut stalled {
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut answer = Vec::new();
        let _read_until_close = stream.read_to_end(&mut answer);
        if answer.starts_with(b"HTTP/1.1 408 ") {
            timed_out += 1;
        }
    }
    let _stopped = server.kill();
    let _reaped = server.wait();

    assert!(
        others_served,
        "a new client was not served while {STALLED} bodies stalled"
    );
    assert_eq!(timed_out, STALLED);
}
