//! Tests that run the real `gatehouse` binary as a process: what it logs, and what survives a
//! SIGKILL.

use std::collections::HashMap;
use std::io::Read as _;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestDatabase, default_strategy, unique_email};

pub(crate) struct Process {
    child: Child,
    pub(crate) address: String,
}

impl Process {
    /// Starts the binary with `vars` on a free port and waits until `/readyz` answers.
    pub(crate) async fn start(database: &TestDatabase, vars: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("http://127.0.0.1:{port}");
        let mut env: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", database.url.clone()),
            ("GATEHOUSE_BIND", format!("127.0.0.1:{port}")),
            ("GATEHOUSE_SECRET", crate::helpers::SECRET.to_owned()),
            ("GATEHOUSE_BCRYPT_COST", "10".to_owned()),
            ("GATEHOUSE_RATE_LIMIT", "off".to_owned()),
            (
                "GATEHOUSE_SESSION_STRATEGY",
                default_strategy().as_str().to_owned(),
            ),
        ]);
        for (name, value) in vars {
            env.insert(name, (*value).to_owned());
        }
        let child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .envs(env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let process = Self { child, address };
        let client = awc::Client::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client
                .get(format!("{}/readyz", process.address))
                .send()
                .await
                && response.status() == 200
            {
                return process;
            }
            assert!(Instant::now() < deadline, "gatehouse did not become ready");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends SIGTERM.
    pub(crate) fn terminate(&self) {
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        )
        .unwrap();
    }

    /// Waits for the process to exit (at most `limit`), returning its exit status.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Stops the process and returns everything it wrote to stderr.
    pub(crate) fn stop_and_read_log(mut self) -> String {
        self.kill();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        log
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _already_gone = self.child.kill();
        let _reaped = self.child.wait();
    }
}

pub(crate) async fn post(
    client: &awc::Client,
    url: String,
    body: Value,
    headers: &[(&str, &str)],
) -> (u16, Value, Vec<String>) {
    let mut request = client
        .post(url)
        .insert_header(("content-type", "application/json"));
    for header in headers {
        request = request.insert_header(*header);
    }
    let mut response = request.send_body(body.to_string()).await.unwrap();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let bytes = response.body().await.unwrap();
    (
        response.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        cookies,
    )
}

#[actix_web::test]
async fn a_trace_log_of_the_whole_flow_holds_no_secret_password_token_or_cookie() {
    let database = TestDatabase::new();
    let process = Process::start(&database, &[("RUST_LOG", "trace")]).await;
    let client = awc::Client::default();
    let base = format!("{}/api/auth", process.address);
    let email = unique_email();
    let password = "log-me-never-7f3a9c";

    let (_, signed_up, cookies) = post(
        &client,
        format!("{base}/sign-up"),
        json!({"name": "Logged", "email": email, "password": password}),
        &[],
    )
    .await;
    let token = signed_up["token"].as_str().unwrap().to_owned();
    let cookie = cookies[0].split(';').next().unwrap().to_owned();
    let cookie_value = cookie.split_once('=').unwrap().1.to_owned();
    post(
        &client,
        format!("{base}/sign-in/email"),
        json!({"email": email, "password": "wrong-password-for-the-log"}),
        &[],
    )
    .await;
    let session = client
        .get(format!("{base}/get-session"))
        .insert_header(("cookie", cookie.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 200);
    client
        .get(format!("{base}/get-session"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    post(
        &client,
        format!("{base}/sign-out"),
        json!({}),
        &[("cookie", &cookie), ("origin", &process.address)],
    )
    .await;
    let log = process.stop_and_read_log();

    assert!(log.contains("TRACE"), "the log is not at trace level");
    assert!(
        log.contains("/api/auth/sign-up"),
        "requests are not logged at all"
    );
    for (what, secret) in [
        ("the password", password),
        ("the wrong password", "wrong-password-for-the-log"),
        ("the token", token.as_str()),
        ("the cookie value", cookie_value.as_str()),
        ("the secret", crate::helpers::SECRET),
    ] {
        assert!(!log.contains(secret), "the log contains {what}");
    }
}

#[actix_web::test]
async fn every_acknowledged_sign_up_survives_a_sigkill() {
    let database = Arc::new(TestDatabase::new());
    let mut process = Process::start(&database, &[]).await;
    let client = std::rc::Rc::new(
        awc::Client::builder()
            .timeout(Duration::from_secs(5))
            .finish(),
    );
    let acknowledged = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let killed = std::rc::Rc::new(std::cell::Cell::new(false));
    let sign_up_url = format!("{}/api/auth/sign-up", process.address);

    let writers = (0..16).map(|_| {
        let (client, acknowledged, url, killed) = (
            client.clone(),
            acknowledged.clone(),
            sign_up_url.clone(),
            killed.clone(),
        );
        async move {
            while !killed.get() {
                let email = unique_email();
                let body = json!({"name": "", "email": email, "password": PASSWORD}).to_string();
                let sent = client
                    .post(url.clone())
                    .insert_header(("content-type", "application/json"))
                    .send_body(body)
                    .await;
                match sent {
                    Ok(response) if response.status() == 200 => {
                        acknowledged.borrow_mut().push(email)
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }
    });
    // Kill while sign-ups are in flight, once enough have been acknowledged to make the check
    // meaningful (however fast this machine hashes).
    let killer = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.borrow().len() < 10 && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        process.kill();
        killed.set(true);
    };
    futures_util::future::join(join_all(writers), killer).await;
    let restarted = Process::start(&database, &[]).await;
    let emails = acknowledged.borrow().clone();

    assert!(
        emails.len() >= 5,
        "only {} sign-ups were acknowledged",
        emails.len()
    );
    // A few at a time, with time to spare: each costs a bcrypt verification, and however many
    // sign-ups were acknowledged, no check may time out for want of a hashing thread.
    let patient = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let sign_ins: Vec<(u16, Value, Vec<String>)> = futures_util::stream::iter(emails.iter())
        .map(|email| {
            post(
                &patient,
                format!("{}/api/auth/sign-in/email", restarted.address),
                json!({"email": email, "password": PASSWORD}),
                &[],
            )
        })
        .buffered(4)
        .collect()
        .await;
    let lost: Vec<&String> = emails
        .iter()
        .zip(&sign_ins)
        .filter(|(_, (status, _, _))| *status != 200)
        .map(|(email, _)| email)
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged sign-ups were lost: {lost:?}",
        lost.len(),
        emails.len()
    );
    println!(
        "{} acknowledged sign-ups survived the SIGKILL",
        emails.len()
    );
}

#[actix_web::test]
async fn sigterm_drains_before_the_graceful_stop() {
    let database = TestDatabase::new();
    // Long enough that a loaded machine (a build beside the tests) still gets every request below
    // in before it ends: the test's point is what is served during the drain, not how fast.
    const DRAIN: Duration = Duration::from_secs(5);
    let mut process = Process::start(&database, &[("GATEHOUSE_DRAIN_DELAY", "5s")]).await;
    let client = awc::Client::default();
    let ready = client
        .get(format!("{}/readyz", process.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_ne!(
        ready.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );

    let signalled = Instant::now();
    process.terminate();
    // Readiness fails at once; everything else is still served, each answer closing its
    // connection.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let status = client
            .get(format!("{}/readyz", process.address))
            .send()
            .await
            .unwrap()
            .status();
        if status == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz still answers {status}");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let healthy = client
        .get(format!("{}/healthz", process.address))
        .send()
        .await
        .unwrap();
    assert_eq!(healthy.status(), 200);
    assert_eq!(healthy.headers().get("connection").unwrap(), "close");
    let (status, body, _) = post(
        &client,
        format!("{}/api/auth/sign-up", process.address),
        json!({"name": "Late", "email": unique_email(), "password": PASSWORD}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let served_within = signalled.elapsed();
    assert!(
        served_within < DRAIN,
        "the requests took {served_within:?}, past the drain: the test proved nothing"
    );

    let exit = process.wait_exit(Duration::from_secs(15));
    let took = signalled.elapsed();
    assert!(exit.success(), "{exit:?}");
    assert!(
        took >= DRAIN,
        "stopped after {took:?}, before the drain ended"
    );
}
