//! The webhook mail transport against a real HTTP receiver on loopback: the signed JSON it
//! receives, the key `gatehouse mail-webhook-key` prints, retries with the same delivery id, and
//! redirects that are never followed. On every backend and strategy.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac as _};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{PASSWORD, TestAppBuilder, builder, unique_email};

/// The secret the test apps sign cookies with (helpers' `GATEHOUSE_SECRET`).
const SECRET: &str = crate::helpers::SECRET;
const OLD_SECRET: &str = "an-old-secret-still-verifying-0123456789";

/// One request as the receiver read it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// An HTTP/1.1 server on 127.0.0.1 that records every request and answers each with the next
/// status of its script (the last one once the script runs out).
struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(script: &[(u16, &str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Vec<(u16, String)> = script.iter().map(|(s, h)| (*s, h.to_string())).collect();
        let log = received.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let answer = script[n.min(script.len() - 1)].clone();
                if let Some(request) = serve_one(stream, &answer) {
                    log.lock().unwrap().push(request);
                }
            }
        });
        Self { port, received }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/mail", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests have arrived (at most `limit`) and returns them all.
    async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                started.elapsed() < limit,
                "{} of {count} webhook requests within {limit:?}",
                received.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Reads one request (headers and a `Content-Length` body) and answers `status` with the extra
/// header line `extra` (a `Location`, say), closing the connection.
fn serve_one(stream: TcpStream, (status, extra): &(u16, String)) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!("{extra}\r\n")
    };
    let answer =
        format!("HTTP/1.1 {status} X\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
    reader.get_mut().write_all(answer.as_bytes()).ok()?;
    Some(Received {
        path,
        headers,
        body,
    })
}

/// The receiver's side of RFC 5869, written out: PRK = HMAC(salt = "", secret), key = HMAC(PRK,
/// info | 0x01).
fn receiver_key(secret: &str) -> Vec<u8> {
    let mut extract = Hmac::<Sha256>::new_from_slice(b"").unwrap();
    extract.update(secret.as_bytes());
    let prk = extract.finalize().into_bytes();
    let mut expand = Hmac::<Sha256>::new_from_slice(&prk).unwrap();
    expand.update(b"gatehouse mail-webhook v1");
    expand.update(&[1]);
    expand.finalize().into_bytes().to_vec()
}

/// Checks `X-Gatehouse-Signature` as a receiver must: `t` within 300 s of `now`, and a `v1`
/// matching the HMAC of `"<t>." + body` under `key`. Returns the `v1`s in order.
fn verified_signatures(request: &Received, now: i64) -> (i64, Vec<String>) {
    let header = request.header("x-gatehouse-signature").unwrap();
    let mut parts = header.split(',');
    let t: i64 = parts
        .next()
        .unwrap()
        .strip_prefix("t=")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now - t).abs() <= 300, "t={t} is far from {now}");
    let v1s: Vec<String> = parts
        .map(|part| part.strip_prefix("v1=").unwrap().to_owned())
        .collect();
    (t, v1s)
}

fn hmac_hex(key: &[u8], t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn webhook_to(receiver: &Receiver) -> TestAppBuilder {
    builder()
        .var("GATEHOUSE_MAIL_WEBHOOK", &receiver.url())
        .var("GATEHOUSE_SEND_VERIFICATION_ON_SIGN_UP", "false")
}

#[actix_web::test]
async fn a_reset_is_posted_as_signed_json_whose_token_resets_the_password() {
    let receiver = Receiver::start(&[(204, "")]);
    let app = webhook_to(&receiver)
        .var("GATEHOUSE_SECRETS_OLD", OLD_SECRET)
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    let asked = app
        .post_json(
            "/api/auth/request-password-reset",
            &json!({"email": user.email, "redirectTo": "/reset"}),
            &[],
        )
        .await;
    let request = receiver
        .wait_for(1, Duration::from_secs(10))
        .await
        .remove(0);

    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(request.path, "/hooks/mail");
    assert_eq!(request.header("content-type"), Some("application/json"));
    let delivery = request.header("x-gatehouse-delivery").unwrap();
    assert_eq!(delivery.len(), 32, "{delivery}");
    let (t, v1s) = verified_signatures(&request, app.clock.now().timestamp());
    assert_eq!(
        v1s,
        vec![
            hmac_hex(&receiver_key(SECRET), t, &request.body),
            hmac_hex(&receiver_key(OLD_SECRET), t, &request.body),
        ],
        "one v1 per secret, the current one first"
    );
    let body = request.json();
    assert_eq!(body["kind"], "reset-password");
    assert_eq!(body["to"], user.email.as_str());
    assert!(
        body["subject"]
            .as_str()
            .unwrap()
            .starts_with("Reset your password"),
        "{body}"
    );
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    let url = body["url"].as_str().unwrap();
    assert_eq!(
        url,
        format!(
            "{}/api/auth/reset-password/{token}?callbackURL=%2Freset",
            app.address
        )
    );
    assert_eq!(body["user"]["email"], user.email.as_str());
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert!(body["user"].get("password").is_none());
    let mut fields: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["kind", "subject", "to", "token", "url", "user"]);

    let reset = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"newPassword": "another-good-password", "token": token}),
            &[],
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(
        app.sign_in_email(&user.email, "another-good-password")
            .await
            .status,
        200
    );
    assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 401);
}

#[actix_web::test]
async fn the_printed_key_verifies_the_signature() {
    let receiver = Receiver::start(&[(200, "")]);
    let app = webhook_to(&receiver).spawn().await;
    let user = app.sign_up_user().await;
    app.post_json(
        "/api/auth/request-password-reset",
        &json!({"email": user.email}),
        &[],
    )
    .await;
    let request = receiver
        .wait_for(1, Duration::from_secs(10))
        .await
        .remove(0);

    let dir = tempfile::tempdir().unwrap();
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("mail-webhook-key")
        .current_dir(dir.path())
        .env_clear()
        .env("GATEHOUSE_SECRET", SECRET)
        .env("GATEHOUSE_MAIL_WEBHOOK", receiver.url())
        .output()
        .unwrap();

    assert!(printed.status.success(), "{printed:?}");
    let key_hex = String::from_utf8(printed.stdout).unwrap();
    let key: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&key_hex.trim()[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(key_hex.trim().len(), 64);
    let (t, v1s) = verified_signatures(&request, app.clock.now().timestamp());
    assert_eq!(v1s, vec![hmac_hex(&key, t, &request.body)]);
}

#[actix_web::test]
async fn a_magic_link_to_a_new_address_carries_no_user() {
    let receiver = Receiver::start(&[(200, "")]);
    let app = webhook_to(&receiver)
        .var("GATEHOUSE_MAGIC_LINK", "on")
        .var("GATEHOUSE_MAGIC_LINK_SIGN_UP", "true")
        .spawn()
        .await;
    let email = unique_email();

    let asked = app
        .post_json(
            "/api/auth/sign-in/magic-link",
            &json!({"email": email, "callbackURL": "/welcome"}),
            &[],
        )
        .await;
    let body = receiver.wait_for(1, Duration::from_secs(10)).await[0].json();

    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(body["kind"], "magic-link");
    assert_eq!(body["to"], email.as_str());
    assert_eq!(body["user"], Value::Null);
    let token = body["token"].as_str().unwrap();
    let verified = app
        .get(
            &format!("/api/auth/magic-link/verify?token={token}&callbackURL=%2Fwelcome"),
            &[],
        )
        .await;
    assert_eq!(verified.status, 302, "{}", verified.text);
    let session = app
        .get_session_with_cookie(&verified.session_cookie())
        .await;
    assert_eq!(session.body["user"]["email"], email.as_str());
}

#[actix_web::test]
async fn a_failed_post_is_retried_with_the_same_body_and_delivery_id() {
    let receiver = Receiver::start(&[(503, ""), (200, "")]);
    let app = webhook_to(&receiver).spawn().await;
    let user = app.sign_up_user().await;

    app.post_json(
        "/api/auth/request-password-reset",
        &json!({"email": user.email}),
        &[],
    )
    .await;
    let received = receiver.wait_for(2, Duration::from_secs(20)).await;

    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(
        received[0].header("x-gatehouse-delivery"),
        received[1].header("x-gatehouse-delivery")
    );
}

#[actix_web::test]
async fn redirects_and_refusals_are_final_and_never_followed() {
    let elsewhere = Receiver::start(&[(200, "")]);
    let moved = Receiver::start(&[(307, &format!("Location: {}", elsewhere.url()))]);
    let refused = Receiver::start(&[(400, "")]);
    let moving = webhook_to(&moved).spawn().await;
    let refusing = webhook_to(&refused).spawn().await;
    for app in [&moving, &refusing] {
        let user = app.sign_up_user().await;
        app.post_json(
            "/api/auth/request-password-reset",
            &json!({"email": user.email}),
            &[],
        )
        .await;
    }
    moved.wait_for(1, Duration::from_secs(10)).await;
    refused.wait_for(1, Duration::from_secs(10)).await;

    // Past the first retry (10 s): a retried message would have arrived again by now.
    actix_web::rt::time::sleep(Duration::from_secs(12)).await;

    assert_eq!(moved.received().len(), 1);
    assert_eq!(refused.received().len(), 1);
    assert!(elsewhere.received().is_empty());
}
