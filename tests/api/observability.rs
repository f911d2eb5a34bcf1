//! What operators see, from the real binary: the Prometheus metrics on their own listener (exact
//! counts after a scripted flow), the Grafana dashboard's queries against them, JSON log lines,
//! and request ids.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use gatehouse::config::SessionStrategy;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, SECRET, TestDatabase, default_strategy, free_port, unique_email};
use crate::process::Process;

/// One sample of the exposition: metric name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Prometheus' text format, as far as the samples: `name{a="b",...} value`.
fn parse_exposition(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').unwrap();
                    let labels = inner
                        .split("\",")
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (key, value) = pair.split_once("=\"").unwrap();
                            (key.to_owned(), value.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), BTreeMap::new()),
            };
            Sample {
                name,
                labels,
                value: value.parse().unwrap(),
            }
        })
        .collect()
}

/// The value of the one series of `name` with (at least) `labels`; `None` when there is none.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<&Sample> = samples
        .iter()
        .filter(|sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
        })
        .collect();
    assert!(
        matching.len() <= 1,
        "{name} {labels:?} matches {matching:?}"
    );
    matching.first().map(|sample| sample.value)
}

struct Answer {
    status: u16,
    headers: awc::http::header::HeaderMap,
    body: Value,
}

async fn send(
    client: &awc::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    for header in headers {
        request = request.insert_header(*header);
    }
    let mut response = match body {
        Some(body) => request
            .insert_header(("content-type", "application/json"))
            .send_body(body.to_string())
            .await
            .unwrap(),
        None => request.send().await.unwrap(),
    };
    let bytes = response.body().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// A POST as if through a proxy, from `address`.
async fn post_from(client: &awc::Client, url: &str, body: Value, address: &str) -> Answer {
    send(
        client,
        "POST",
        url,
        Some(body),
        &[("x-forwarded-for", address)],
    )
    .await
}

fn cookie_of(answer: &Answer) -> String {
    answer
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|cookie| cookie.contains("session_token="))
        .and_then(|cookie| cookie.split(';').next())
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn metrics_count_a_scripted_flow_exactly_and_only_on_their_own_listener() {
    let database = TestDatabase::new();
    let metrics_bind = format!("127.0.0.1:{}", free_port());
    let process = Process::start(
        &database,
        &[
            ("GATEHOUSE_METRICS", "on"),
            ("GATEHOUSE_METRICS_BIND", &metrics_bind),
            ("GATEHOUSE_RATE_LIMIT", "on"),
            ("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let base = format!("{}/api/auth", process.address);
    let sign_in = format!("{base}/sign-in/email");
    // Every request comes "through a proxy" from its own address, so the per-address limits
    // count only where the script means them to.
    let mut next_address = 0_u32;
    let mut from = || {
        next_address += 1;
        format!("10.1.{}.{}", next_address / 250, next_address % 250 + 1)
    };

    let email = unique_email();
    let signed_up = post_from(
        &client,
        &format!("{base}/sign-up/email"),
        json!({"name": "Metered", "email": email, "password": PASSWORD}),
        &from(),
    )
    .await;
    assert_eq!(signed_up.status, 200);
    let cookie = cookie_of(&signed_up);
    for _ in 0..2 {
        let answer = post_from(
            &client,
            &sign_in,
            json!({"email": email, "password": PASSWORD}),
            &from(),
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    // Three wrong passwords and an unknown address: invalid credentials, 4.
    for wrong in [
        json!({"email": email, "password": "wrong-password-1"}),
        json!({"email": email, "password": "wrong-password-2"}),
        json!({"email": email, "password": "wrong-password-3"}),
        json!({"email": unique_email(), "password": PASSWORD}),
    ] {
        let answer = post_from(&client, &sign_in, wrong, &from()).await;
        assert_eq!(answer.status, 401);
    }
    // A second user fails five times (9), then is locked whatever the address.
    let locked_email = unique_email();
    let answer = post_from(
        &client,
        &format!("{base}/sign-up/email"),
        json!({"name": "", "email": locked_email, "password": PASSWORD}),
        &from(),
    )
    .await;
    assert_eq!(answer.status, 200);
    for attempt in 0..6 {
        let answer = post_from(
            &client,
            &sign_in,
            json!({"email": locked_email, "password": "not-the-password"}),
            &from(),
        )
        .await;
        assert_eq!(
            answer.status,
            if attempt < 5 { 401 } else { 429 },
            "attempt {attempt}"
        );
    }
    // One address tries ten unknown accounts (19), and its eleventh request is throttled.
    for attempt in 0..11 {
        let answer = post_from(
            &client,
            &sign_in,
            json!({"email": unique_email(), "password": PASSWORD}),
            "10.9.9.9",
        )
        .await;
        assert_eq!(
            answer.status,
            if attempt < 10 { 401 } else { 429 },
            "attempt {attempt}"
        );
    }
    for _ in 0..3 {
        let answer = send(
            &client,
            "GET",
            &format!("{base}/get-session"),
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body["user"]["email"], email.as_str());
    }
    let public = send(
        &client,
        "GET",
        &format!("{}/metrics", process.address),
        None,
        &[],
    )
    .await;
    assert_eq!(
        public.status, 404,
        "/metrics must not be served on the public listener"
    );

    let scraped = send(
        &client,
        "GET",
        &format!("http://{metrics_bind}/metrics"),
        None,
        &[],
    )
    .await;
    assert_eq!(scraped.status, 200);
    let content_type = scraped
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let mut response = client
        .get(format!("http://{metrics_bind}/metrics"))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    let samples = parse_exposition(&text);
    let outcome = |label: &str| {
        value(
            &samples,
            gatehouse::metrics::SIGN_INS,
            &[("outcome", label)],
        )
    };
    assert_eq!(outcome("success"), Some(2.0), "{text}");
    assert_eq!(outcome("invalid_credentials"), Some(19.0), "{text}");
    assert_eq!(outcome("locked"), Some(1.0), "{text}");
    assert_eq!(outcome("throttled"), Some(1.0), "{text}");
    assert_eq!(outcome("email_not_verified"), Some(0.0), "{text}");
    assert_eq!(outcome("refused"), Some(0.0), "{text}");

    let requests = |route: &str, method: &str, status: &str| {
        value(
            &samples,
            gatehouse::metrics::HTTP_REQUESTS,
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(
        requests("/api/auth/sign-in/email", "POST", "200"),
        Some(2.0)
    );
    assert_eq!(
        requests("/api/auth/sign-in/email", "POST", "401"),
        Some(19.0)
    );
    assert_eq!(
        requests("/api/auth/sign-in/email", "POST", "429"),
        Some(2.0)
    );
    assert_eq!(
        requests("/api/auth/sign-up/email", "POST", "200"),
        Some(2.0)
    );
    assert_eq!(requests("/api/auth/get-session", "GET", "200"), Some(3.0));
    assert_eq!(requests("unmatched", "GET", "404"), Some(1.0), "{text}");
    assert_eq!(
        value(
            &samples,
            &format!("{}_count", gatehouse::metrics::HTTP_DURATION),
            &[("route", "/api/auth/get-session"), ("status", "200")],
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            &samples,
            gatehouse::metrics::RATE_LIMITED,
            &[("route", "/api/auth/sign-in")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, gatehouse::metrics::HASH_QUEUE, &[]),
        Some(0.0)
    );
    assert_eq!(
        value(&samples, gatehouse::metrics::HASH_REJECTED, &[]),
        Some(0.0)
    );
    assert_eq!(
        value(&samples, gatehouse::metrics::DB_TIMEOUTS, &[]),
        Some(0.0)
    );
    let in_use = value(
        &samples,
        gatehouse::metrics::DB_CONNECTIONS,
        &[("state", "in_use")],
    );
    let idle = value(
        &samples,
        gatehouse::metrics::DB_CONNECTIONS,
        &[("state", "idle")],
    );
    let max = value(&samples, gatehouse::metrics::DB_MAX, &[]).unwrap();
    assert!(
        in_use.unwrap() + idle.unwrap() <= max && max >= 1.0,
        "{text}"
    );
    assert!(
        value(
            &samples,
            &format!("{}_count", gatehouse::metrics::DB_WAIT),
            &[]
        )
        .unwrap()
            >= 30.0,
        "{text}"
    );
    match default_strategy() {
        SessionStrategy::Database => {
            // The first get-session reads the database and fills the cache; the next two hit.
            let lookup = |result: &str| {
                value(
                    &samples,
                    gatehouse::metrics::CACHE_LOOKUPS,
                    &[("result", result)],
                )
            };
            assert_eq!(lookup("miss"), Some(1.0), "{text}");
            assert_eq!(lookup("hit"), Some(2.0), "{text}");
            assert_eq!(lookup("bypassed"), None, "{text}");
            assert_eq!(
                value(&samples, gatehouse::metrics::CACHE_LISTENER, &[]),
                Some(1.0)
            );
            assert_eq!(
                value(&samples, gatehouse::metrics::CACHE_ENTRIES, &[]),
                Some(1.0)
            );
            assert_eq!(
                value(&samples, gatehouse::metrics::DENY_LIST_SIZE, &[]),
                None
            );
        }
        SessionStrategy::Jwt => {
            assert_eq!(
                value(&samples, gatehouse::metrics::DENY_LIST_SIZE, &[]),
                Some(0.0)
            );
            let lag = value(&samples, gatehouse::metrics::DENY_LIST_LAG, &[]).unwrap();
            assert!((0.0..2.0).contains(&lag), "deny-list lag {lag}");
            assert_eq!(
                value(&samples, gatehouse::metrics::CACHE_LOOKUPS, &[]),
                None
            );
        }
    }
    // Nothing but the declared metrics, and no label that names someone.
    let declared: BTreeSet<&str> = gatehouse::metrics::NAMES.into_iter().collect();
    for sample in &samples {
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| sample.name.strip_suffix(suffix))
            .filter(|base| declared.contains(base))
            .unwrap_or(&sample.name);
        assert!(
            declared.contains(family),
            "undeclared metric {}",
            sample.name
        );
        for value in sample.labels.values() {
            assert!(
                !value.contains('@'),
                "a label carries an address: {sample:?}"
            );
        }
    }
    assert!(!text.contains(&email) && !text.contains(&locked_email));
}

/// Every query of the Grafana dashboard names metrics gatehouse exports, and every metric
/// gatehouse exports has a panel.
#[test]
fn the_grafana_dashboard_queries_exported_metrics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/gatehouse.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut expressions = Vec::new();
    collect_expressions(&dashboard, &mut expressions);
    assert!(expressions.len() >= 10, "{} queries", expressions.len());
    let declared: BTreeSet<&str> = gatehouse::metrics::NAMES.into_iter().collect();
    let pattern = regex::Regex::new(r"gatehouse_[a-z_]+").unwrap();
    let mut queried = BTreeSet::new();
    for expression in &expressions {
        let names: Vec<&str> = pattern.find_iter(expression).map(|m| m.as_str()).collect();
        assert!(
            !names.is_empty(),
            "a query names no gatehouse metric: {expression}"
        );
        for name in names {
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .filter(|base| declared.contains(base))
                .unwrap_or(name);
            assert!(
                declared.contains(family),
                "{name} in {expression} is not exported"
            );
            queried.insert(family.to_owned());
        }
    }
    for name in declared {
        assert!(queried.contains(name), "no panel shows {name}");
    }
}

fn collect_expressions(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("expr", Value::String(expression)) => into.push(expression.clone()),
                    _ => collect_expressions(value, into),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_expressions(item, into)),
        _ => {}
    }
}

#[actix_web::test]
async fn json_logs_are_one_object_per_line_with_the_request_id_and_no_secret_or_address() {
    let database = TestDatabase::new();
    // Mail to a port nothing listens on: messages are queued and fail, and say so in the log.
    let smtp = format!("smtp://127.0.0.1:{}", free_port());
    let process = Process::start(
        &database,
        &[
            ("GATEHOUSE_LOG_FORMAT", "json"),
            ("RUST_LOG", "trace"),
            ("GATEHOUSE_SMTP_URL", &smtp),
            ("GATEHOUSE_MAIL_FROM", "gatehouse@example.test"),
            ("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    let client = awc::Client::default();
    let base = format!("{}/api/auth", process.address);
    let email = unique_email();
    let signed_up = send(
        &client,
        "POST",
        &format!("{base}/sign-up/email"),
        Some(json!({"name": "Logged", "email": email, "password": PASSWORD})),
        &[("x-request-id", "proxy-chose-this-id.42")],
    )
    .await;
    assert_eq!(signed_up.status, 200);
    assert_eq!(
        signed_up.headers.get("x-request-id").unwrap(),
        "proxy-chose-this-id.42",
        "a trusted proxy's request id is kept and echoed"
    );
    let token = signed_up.body["token"].as_str().unwrap().to_owned();
    let cookie = cookie_of(&signed_up);
    let cookie_value = cookie.split_once('=').unwrap().1.to_owned();
    let refused = send(
        &client,
        "POST",
        &format!("{base}/sign-in/email"),
        Some(json!({"email": email, "password": "wrong-password-for-the-log"})),
        &[("x-request-id", "not acceptable \"id\"")],
    )
    .await;
    assert_eq!(refused.status, 401);
    let generated = refused
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        generated.len() == 32 && generated.bytes().all(|b| b.is_ascii_alphanumeric()),
        "an unusable id is replaced: {generated}"
    );
    let reset = send(
        &client,
        "POST",
        &format!("{base}/request-password-reset"),
        Some(json!({"email": email, "redirectTo": format!("{}/reset", process.address)})),
        &[],
    )
    .await;
    assert_eq!(reset.status, 200);
    for path in [
        "/reset-password/RESETTOKENinthepath0123456789?callbackURL=%2Freset",
        "/verify-email?token=VERIFYTOKENinthequery0123456789",
        "/magic-link/verify?token=MAGICTOKENinthequery0123456789",
    ] {
        send(&client, "GET", &format!("{base}{path}"), None, &[]).await;
    }
    let session = send(
        &client,
        "GET",
        &format!("{base}/get-session"),
        None,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(session.status, 200);
    // Time for the delivery thread to try the mail and log the failure.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let log = process.stop_and_read_log();

    let lines: Vec<Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
        })
        .collect();
    assert!(lines.len() > 10, "{log}");
    for line in &lines {
        for field in ["timestamp", "level", "target", "message"] {
            assert!(line[field].is_string(), "{field} missing: {line}");
        }
    }
    let access: Vec<&Value> = lines
        .iter()
        .filter(|line| line["target"] == "gatehouse::access")
        .collect();
    for line in &access {
        assert!(line["request_id"].is_string(), "{line}");
        assert!(line["route"].is_string(), "{line}");
        assert!(line["status"].is_u64(), "{line}");
        assert!(line["latency_ms"].is_number(), "{line}");
    }
    let sign_up_line = access
        .iter()
        .find(|line| line["route"] == "/api/auth/sign-up/email")
        .unwrap();
    assert_eq!(sign_up_line["request_id"], "proxy-chose-this-id.42");
    assert_eq!(sign_up_line["status"], 200);
    let refused_line = access
        .iter()
        .find(|line| line["request_id"] == generated.as_str())
        .unwrap();
    assert_eq!(refused_line["route"], "/api/auth/sign-in/email");
    assert_eq!(refused_line["status"], 401);
    assert!(
        access
            .iter()
            .any(|line| line["route"] == "/api/auth/reset-password/{token}"),
        "{log}"
    );
    assert!(
        lines.iter().any(|line| line["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("mail "))),
        "the mail is not logged at all: {log}"
    );
    for (what, secret) in [
        ("the email address", email.as_str()),
        ("the password", PASSWORD),
        ("the wrong password", "wrong-password-for-the-log"),
        ("the session token", token.as_str()),
        ("the cookie value", cookie_value.as_str()),
        ("the secret", SECRET),
        ("a token in a path", "RESETTOKENinthepath"),
        ("a token in a query", "VERIFYTOKENinthequery"),
        ("a magic-link token", "MAGICTOKENinthequery"),
    ] {
        assert!(!log.contains(secret), "the log contains {what}");
    }
}
