//! Real nginx and real Caddy in front of gatehouse, running the files in `deploy/` as they are
//! (only the listen address and the addresses of gatehouse and the app are rewritten). The app
//! behind them is an echo server that answers with the request it received, so every check looks
//! at what the app really saw. On the current database and session strategy:
//!   - `/api/auth/*` is routed without auth: sign-up, get-session and sign-in work through it;
//!   - no session: 401 JSON for API clients and XMLHttpRequests, 302 to the sign-in page with
//!     `redirect=<original URL>` for browser navigations; the app is not reached;
//!   - a valid cookie, signed bearer token or raw token: the app sees `X-Auth-User-Id`, `-Email`,
//!     `-Name` and `X-Auth-Session-Id` with gatehouse's values; a POST body reaches it intact;
//!   - client-sent `X-Auth-*` (also as `X_Auth_User_Id`, `X.Auth.User.Id`, `X~Auth~User~Id`)
//!     never reach the app, with a session, without one, on the public sign-in page;
//!   - the redirect never names an untrusted host and cannot be steered by the client's own
//!     `X-Original-URL` or `X-Forwarded-*`; `../` and `%2F` paths do not get past auth;
//!   - tampered, expired and signed-out sessions get 401; with gatehouse down the proxy fails
//!     closed.
//!
//! Traefik is not installable here; `tests/api/verify.rs` replays the requests its forwardAuth
//! sends. The proxies come from Debian's packages (`scripts/test.sh` installs them), so these
//! tests are opt-in: run ignored tests to include them.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use gatehouse::session::cookie::URI_COMPONENT;
use percent_encoding::utf8_percent_encode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse, builder, free_port};

/// The app behind the proxy: answers every request with what it received, as JSON.
struct Echo {
    address: String,
    handle: ServerHandle,
}

impl Drop for Echo {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn echo_request(req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in req.headers() {
        headers
            .entry(name.as_str().to_owned())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    HttpResponse::Ok().json(json!({
        "upstream": "echo",
        "method": req.method().as_str(),
        "path": req.uri().to_string(),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    }))
}

fn start_echo() -> Echo {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = HttpServer::new(|| App::new().default_service(web::to(echo_request)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Echo { address, handle }
}

/// What the app saw of a request, or that it was not reached.
struct Seen(Value);

impl Seen {
    fn of(response: &TestResponse) -> Self {
        Self(response.body.clone())
    }

    fn reached(&self) -> bool {
        self.0["upstream"] == "echo"
    }

    fn path(&self) -> &str {
        self.0["path"].as_str().unwrap_or_default()
    }

    /// Every header the app would read as `X-Auth-*`, as a CGI, WSGI or PHP app reads names:
    /// upper-cased, anything but letters and digits turned into `_`. Values in order received.
    fn identity(&self) -> BTreeMap<String, Vec<String>> {
        let mut identity = BTreeMap::new();
        for (name, values) in self.0["headers"].as_object().into_iter().flatten() {
            let folded: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            if folded.starts_with("X_AUTH_") {
                let values = values.as_array().unwrap().iter();
                identity
                    .entry(folded)
                    .or_insert_with(Vec::new)
                    .extend(values.map(|v| v.as_str().unwrap().to_owned()));
            }
        }
        identity
    }
}

/// A proxy process with its own configuration directory; stopped on drop.
struct Proxy {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Proxy {
    /// Starts the proxy serving on `port`, its configuration in `dir`.
    fn spawn(mut command: Command, port: u16, dir: tempfile::TempDir) -> Self {
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}

impl Drop for Proxy {
    /// SIGTERM first, so nginx's master takes its workers with it (SIGKILL left them running,
    /// orphaned, holding their ports); SIGKILL only if it is still there after five seconds.
    fn drop(&mut self) {
        let _gone = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _gone = self.child.kill();
        let _reaped = self.child.wait();
    }
}

/// The processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                // pid (comm) state ppid ...: the fields after the last ')'.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn deploy_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `deploy/nginx/gatehouse.conf` inside a minimal nginx.conf of the test's own (own prefix, pid
/// file, logs and temp dirs; the system's nginx is not touched).
fn start_nginx(port: u16, gatehouse: &str, app: &str) -> Proxy {
    let dir = tempfile::tempdir().unwrap();
    let site = deploy_file("deploy/nginx/gatehouse.conf")
        .replace("server gatehouse:8080;", &format!("server {gatehouse};"))
        .replace("server app:3000;", &format!("server {app};"))
        .replace("    listen 80;", &format!("    listen 127.0.0.1:{port};"));
    assert!(site.contains(&format!("listen 127.0.0.1:{port};")));
    let root = dir.path().display();
    std::fs::create_dir(dir.path().join("tmp")).unwrap();
    std::fs::write(dir.path().join("gatehouse.conf"), site).unwrap();
    let config = format!(
        "daemon off;\nmaster_process on;\nworker_processes 1;\npid {root}/nginx.pid;\n\
         error_log {root}/error.log warn;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {root}/tmp/body;\n\
         proxy_temp_path {root}/tmp/proxy;\n  fastcgi_temp_path {root}/tmp/fastcgi;\n\
         uwsgi_temp_path {root}/tmp/uwsgi;\n  scgi_temp_path {root}/tmp/scgi;\n\
         include {root}/gatehouse.conf;\n}}\n"
    );
    let config_path = dir.path().join("nginx.conf");
    std::fs::write(&config_path, config).unwrap();
    let mut nginx = Command::new("nginx");
    nginx.arg("-p").arg(dir.path()).arg("-c").arg(&config_path);
    Proxy::spawn(nginx, port, dir)
}

/// `deploy/caddy/Caddyfile` with a global block for the test: no admin API, no TLS, its own data
/// and configuration directories.
fn start_caddy(port: u16, gatehouse: &str, app: &str) -> Proxy {
    let dir = tempfile::tempdir().unwrap();
    let site = deploy_file("deploy/caddy/Caddyfile")
        .replace("gatehouse:8080", gatehouse)
        .replace("app:3000", app)
        .replace("\n:80 {", &format!("\nhttp://:{port} {{"));
    assert!(site.contains(&format!("http://:{port} {{")));
    let caddyfile = dir.path().join("Caddyfile");
    std::fs::write(
        &caddyfile,
        format!("{{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n}}\n\n{site}"),
    )
    .unwrap();
    let mut caddy = Command::new("caddy");
    caddy
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&caddyfile)
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path());
    Proxy::spawn(caddy, port, dir)
}

const JSON_CLIENT: (&str, &str) = ("accept", "application/json");
const BROWSER: (&str, &str) = (
    "accept",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
);
/// Identity headers a client sends to impersonate someone, under every spelling an app might
/// read as `X-Auth-*`.
const SPOOFED: [(&str, &str); 8] = [
    ("X-Auth-User-Id", "admin"),
    ("X-Auth-User-Email", "admin@example.com"),
    ("X-Auth-User-Name", "Admin"),
    ("X-Auth-Session-Id", "forged"),
    ("X_Auth_User_Id", "admin"),
    ("X.Auth.User.Id", "admin"),
    ("X~Auth~User~Id", "admin"),
    ("x-auth-user-email", "admin@example.com"),
];

/// gatehouse behind a proxy, and the app.
struct Stack {
    gatehouse: TestApp,
    proxy: Proxy,
    _echo: Echo,
}

impl Stack {
    async fn start(proxy: fn(u16, &str, &str) -> Proxy) -> Self {
        let echo = start_echo();
        let port = free_port();
        let proxy_url = format!("http://127.0.0.1:{port}");
        let gatehouse = builder()
            .var("GATEHOUSE_BASE_URL", &proxy_url)
            .var("GATEHOUSE_SIGN_IN_URL", &format!("{proxy_url}/sign-in"))
            .var("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32")
            // The proxy's idle upstream connection is dropped a second into the stop below.
            .var("GATEHOUSE_SHUTDOWN_TIMEOUT", "1")
            .spawn()
            .await;
        let upstream = gatehouse.address.trim_start_matches("http://").to_owned();
        let proxy = proxy(port, &upstream, &echo.address);
        let stack = Self {
            gatehouse,
            proxy,
            _echo: echo,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if stack.gatehouse.answers(&stack.url("/api/auth/ok")).await {
                return stack;
            }
            assert!(Instant::now() < deadline, "the proxy did not come up");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.proxy.url)
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.gatehouse
            .request_url("GET", &self.url(path), headers, None)
            .await
    }

    async fn post_json(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.gatehouse
            .request_url(
                "POST",
                &self.url(path),
                &all,
                Some(body.to_string().into_bytes()),
            )
            .await
    }
}

/// The session cookie a response sets, as `name=value`.
fn cookie_of(response: &TestResponse) -> String {
    response.session_cookie()
}

/// The value with its first character changed.
fn flipped(value: &str) -> String {
    let first = if value.starts_with('A') { 'B' } else { 'A' };
    format!("{first}{}", &value[1..])
}

fn identity(id: &str, email: &str, name: &str, session: &str) -> BTreeMap<String, Vec<String>> {
    [
        ("X_AUTH_SESSION_ID", session),
        ("X_AUTH_USER_EMAIL", email),
        ("X_AUTH_USER_ID", id),
        ("X_AUTH_USER_NAME", name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), vec![v.to_owned()]))
    .collect()
}

async fn sessions_are_enforced_behind(proxy: fn(u16, &str, &str) -> Proxy, is_nginx: bool) {
    let stack = Stack::start(proxy).await;
    let (email, name) = ("proxy-user@example.com", "Proxy Üser");

    // gatehouse's own API through the proxy, without auth.
    let signed_up = stack
        .post_json(
            "/api/auth/sign-up",
            &json!({"name": name, "email": email, "password": PASSWORD}),
            &[],
        )
        .await;
    assert_eq!(signed_up.status, 200, "sign-up: {}", signed_up.text);
    let user_id = signed_up.body["user"]["id"].as_str().unwrap().to_owned();
    let token = signed_up.body["token"].as_str().unwrap().to_owned();
    let (cookie, bearer) = (cookie_of(&signed_up), signed_up.auth_token());
    let session = stack
        .get("/api/auth/get-session", &[("cookie", &cookie)])
        .await;
    assert_eq!(session.body["user"]["id"], user_id.as_str());
    let session_id = session.body["session"]["id"].as_str().unwrap().to_owned();
    let second = stack
        .post_json(
            "/api/auth/sign-in/email",
            &json!({"email": email, "password": PASSWORD}),
            &[],
        )
        .await;
    assert_eq!(second.status, 200, "sign-in: {}", second.text);
    let second_cookie = cookie_of(&second);
    let expected = identity(&user_id, email, name, &session_id);

    // No session.
    let api = stack.get("/private/page?x=1", &[JSON_CLIENT]).await;
    assert_eq!(api.status, 401);
    assert_eq!(
        api.body,
        json!({"message": "Unauthorized", "code": "UNAUTHORIZED"})
    );
    assert_eq!(
        api.header("www-authenticate"),
        Some("Bearer realm=\"gatehouse\"")
    );
    assert_eq!(api.header("cache-control"), Some("no-store"));
    assert!(!Seen::of(&api).reached());
    let navigation = stack.get("/private/page?x=1", &[BROWSER]).await;
    let original = utf8_percent_encode(&stack.url("/private/page?x=1"), URI_COMPONENT).to_string();
    assert_eq!(navigation.status, 302);
    assert_eq!(
        navigation.header("location"),
        Some(format!("{}?redirect={original}", stack.url("/sign-in")).as_str())
    );
    assert!(!Seen::of(&navigation).reached());
    let xhr = stack
        .get(
            "/private/page",
            &[BROWSER, ("x-requested-with", "XMLHttpRequest")],
        )
        .await;
    assert_eq!(xhr.status, 401);
    assert!(!Seen::of(&xhr).reached());

    // Valid sessions: the app sees who it is, by cookie, signed bearer and raw token.
    for credential in [
        ("cookie", cookie.clone()),
        ("authorization", format!("Bearer {bearer}")),
        ("authorization", format!("Bearer {token}")),
    ] {
        let answer = stack
            .get("/private/page", &[(credential.0, credential.1.as_str())])
            .await;
        assert_eq!(answer.status, 200, "{}", credential.0);
        assert_eq!(Seen::of(&answer).identity(), expected, "{}", credential.1);
    }
    let form = stack
        .gatehouse
        .request_url(
            "POST",
            &stack.url("/private/form?y=2"),
            &[
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(b"a=1&b=two".to_vec()),
        )
        .await;
    let seen = Seen::of(&form);
    assert_eq!(form.status, 200);
    assert_eq!(
        (
            seen.0["method"].as_str(),
            seen.path(),
            seen.0["body"].as_str()
        ),
        (Some("POST"), "/private/form?y=2", Some("a=1&b=two"))
    );

    // Client-sent identity headers never reach the app.
    let mut spoofed_with_session = SPOOFED.to_vec();
    spoofed_with_session.push(("cookie", &cookie));
    let answer = stack.get("/private/page", &spoofed_with_session).await;
    assert_eq!(Seen::of(&answer).identity(), expected);
    let mut spoofed_without = SPOOFED.to_vec();
    spoofed_without.push(JSON_CLIENT);
    let answer = stack.get("/private/page", &spoofed_without).await;
    assert_eq!(answer.status, 401);
    assert!(!Seen::of(&answer).reached());
    let mut on_sign_in = SPOOFED.to_vec();
    on_sign_in.push(("x-other", "kept"));
    let sign_in_page = stack.get("/sign-in?next=1", &on_sign_in).await;
    let seen = Seen::of(&sign_in_page);
    assert_eq!(sign_in_page.status, 200);
    assert_eq!(seen.path(), "/sign-in?next=1");
    assert_eq!(seen.0["headers"]["x-other"], json!(["kept"]));
    assert!(seen.identity().is_empty(), "{:?}", seen.identity());

    // A user without a name: nginx drops the empty header, Caddy passes it empty; the client's
    // value is gone either way.
    let nameless = stack
        .post_json(
            "/api/auth/sign-up",
            &json!({"name": "", "email": "nameless-proxy-user@example.com", "password": PASSWORD}),
            &[],
        )
        .await;
    let nameless_bearer = format!("Bearer {}", nameless.auth_token());
    let mut spoofed = SPOOFED.to_vec();
    spoofed.push(("authorization", &nameless_bearer));
    let seen = Seen::of(&stack.get("/private/page", &spoofed).await).identity();
    assert_eq!(
        seen["X_AUTH_USER_ID"],
        [nameless.body["user"]["id"].as_str().unwrap()]
    );
    let name_header = seen.get("X_AUTH_USER_NAME").cloned();
    let expected_name = if is_nginx {
        None
    } else {
        Some(vec![String::new()])
    };
    assert_eq!(name_header, expected_name);

    // The redirect: never to an untrusted host, never steered by the client's own headers.
    let untrusted_host = stack
        .get("/private/page", &[BROWSER, ("host", "evil.example.net")])
        .await;
    assert_eq!(untrusted_host.status, 302);
    assert_eq!(
        untrusted_host.header("location"),
        Some(stack.url("/sign-in").as_str())
    );
    let steered = stack
        .get(
            "/private/page",
            &[
                BROWSER,
                ("x-original-url", "http://evil.example.net/x"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.example.net"),
                ("x-forwarded-uri", "/x"),
            ],
        )
        .await;
    assert_eq!(steered.status, 302);
    let asked = utf8_percent_encode(&stack.url("/private/page"), URI_COMPONENT).to_string();
    assert_eq!(
        steered.header("location"),
        Some(format!("{}?redirect={asked}", stack.url("/sign-in")).as_str())
    );

    // Paths a proxy and an app might read differently do not get past auth.
    for path in [
        "/sign-in/../private/page",
        "/api/auth/../../private/page",
        "/sign-in%2F..%2Fprivate%2Fpage",
        "/private/page/..%2F..%2Fsign-in",
        "/private/../sign-in",
    ] {
        let seen = Seen::of(&stack.get(path, &[JSON_CLIENT]).await);
        if seen.reached() {
            let reached = seen.path();
            assert!(
                reached == "/sign-in" || reached.starts_with("/sign-in?"),
                "{path} reached the app without a session as {reached}"
            );
        }
    }

    // Refused sessions: tampered, signed out, expired.
    let value = cookie.trim_start_matches("gatehouse.session_token=");
    for refused in [
        (
            "cookie",
            format!("gatehouse.session_token={}", flipped(value)),
        ),
        ("cookie", format!("{}AAA", &cookie[..cookie.len() - 3])),
        ("authorization", format!("Bearer {}", flipped(&bearer))),
    ] {
        let answer = stack
            .get(
                "/private/page",
                &[JSON_CLIENT, (refused.0, refused.1.as_str())],
            )
            .await;
        assert_eq!(answer.status, 401, "{}", refused.1);
        assert!(!Seen::of(&answer).reached());
    }
    let origin = stack.proxy.url.clone();
    let signed_out = stack
        .post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[("cookie", &cookie), ("origin", &origin)],
        )
        .await;
    assert_eq!(signed_out.body, json!({"success": true}));
    for gone in [
        ("cookie", cookie.clone()),
        ("authorization", format!("Bearer {bearer}")),
    ] {
        let answer = stack
            .get("/private/page", &[JSON_CLIENT, (gone.0, gone.1.as_str())])
            .await;
        assert_eq!(answer.status, 401, "signed out: {}", gone.0);
        assert!(!Seen::of(&answer).reached());
    }
    let other = stack
        .get("/private/page", &[("cookie", &second_cookie)])
        .await;
    assert_eq!(other.status, 200, "the other session after sign-out");
    stack.gatehouse.clock.advance(chrono::Duration::days(8));
    let expired = stack
        .get("/private/page", &[JSON_CLIENT, ("cookie", &second_cookie)])
        .await;
    assert_eq!(expired.status, 401, "an expired session");
    assert!(!Seen::of(&expired).reached());

    // gatehouse gone: the proxy lets nothing through.
    stack.gatehouse.stop().await;
    let down = stack
        .get("/private/page", &[JSON_CLIENT, ("cookie", &second_cookie)])
        .await;
    assert!(down.status >= 500, "with gatehouse down: {}", down.status);
    assert!(!Seen::of(&down).reached());
}

#[actix_web::test]
#[ignore = "needs nginx (Debian's package): scripts/test.sh installs it and runs ignored tests"]
async fn nginx_in_front_of_gatehouse_enforces_sessions() {
    assert!(installed("nginx"), "nginx is not installed");
    sessions_are_enforced_behind(start_nginx, true).await;
}

#[actix_web::test]
#[ignore = "needs Caddy (Debian's package): scripts/test.sh installs it and runs ignored tests"]
async fn caddy_in_front_of_gatehouse_enforces_sessions() {
    assert!(installed("caddy"), "caddy is not installed");
    sessions_are_enforced_behind(start_caddy, false).await;
}

/// What the "gatehouse gone" checks above rely on: once `stop` returns nothing answers, not even
/// on a connection kept alive from before, as a proxy keeps its upstream connections.
#[actix_web::test]
#[ignore = "needs nginx (Debian's package): scripts/test.sh installs it and runs ignored tests"]
async fn a_stopped_nginx_leaves_no_worker_behind() {
    let app = builder().spawn().await;
    let echo = start_echo();
    let port = free_port();
    let upstream = app.address.trim_start_matches("http://").to_owned();
    let proxy = start_nginx(port, &upstream, &echo.address);
    let master = proxy.child.id();
    let deadline = Instant::now() + Duration::from_secs(10);
    let workers = loop {
        let workers = children_of(master);
        if !workers.is_empty() {
            break workers;
        }
        assert!(Instant::now() < deadline, "nginx started no worker");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(proxy);

    let deadline = Instant::now() + Duration::from_secs(5);
    while workers
        .iter()
        .any(|worker| Path::new(&format!("/proc/{worker}")).exists())
    {
        assert!(
            Instant::now() < deadline,
            "nginx workers {workers:?} outlived their master"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[actix_web::test]
async fn a_stopped_gatehouse_answers_nothing_even_on_a_kept_alive_connection() {
    let app = builder()
        .var("GATEHOUSE_SHUTDOWN_TIMEOUT", "1")
        .spawn()
        .await;
    for _ in 0..3 {
        assert!(app.answers(&app.url("/healthz")).await);
    }

    app.stop().await;

    assert!(
        !app.answers(&app.url("/healthz")).await,
        "answered after the stop"
    );
}
