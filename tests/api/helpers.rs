//! `spawn_app()` builds the real application on 127.0.0.1:0 with a fresh database (a SQLite file in
//! a temporary directory, or a new PostgreSQL or MySQL database on the server `TEST_DATABASE_URL`
//! names) and talks to it over HTTP. `TEST_SESSION_STRATEGY` picks the default strategy; a builder overrides it.

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::header::HeaderMap;
use actix_web::web;
use diesel::PgConnection;
use diesel::connection::SimpleConnection;
use gatehouse::clock::Clock;
use gatehouse::config::{Config, DatabaseUrl, SessionStrategy};
use gatehouse::db::DbConnection;
use gatehouse::startup;
use serde_json::{Value, json};

pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";
pub const PASSWORD: &str = "correct-horse-battery";
pub const JWT_ISSUER: &str = "https://auth.gatehouse.test";
pub const JWT_AUDIENCE: &str = "https://app.gatehouse.test";
/// An origin the test apps trust besides their own.
pub const TRUSTED_ORIGIN: &str = "http://app.example.test";

/// A TCP port nothing listens on right now, for a process a test starts.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("a local address")
        .port()
}

/// The strategy tests run with unless they choose one.
pub fn default_strategy() -> SessionStrategy {
    match std::env::var("TEST_SESSION_STRATEGY").as_deref() {
        Ok("jwt") => SessionStrategy::Jwt,
        _ => SessionStrategy::Database,
    }
}

/// The database server tests run on: `TEST_DATABASE_URL` when it names PostgreSQL or MySQL.
fn server_base_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres") || url.starts_with("mysql"))
}

/// Whether the tests run on MySQL (or MariaDB).
pub fn on_mysql() -> bool {
    server_base_url().is_some_and(|url| url.starts_with("mysql"))
}

/// A database a test made on a server, dropped when the test ends.
struct ServerDatabase {
    is_mysql: bool,
    admin_url: String,
    name: String,
}

impl ServerDatabase {
    fn create(base: &str) -> Self {
        let name = format!(
            "gatehouse_test_{}",
            gatehouse::ids::random_id().to_lowercase()
        );
        let is_mysql = base.starts_with("mysql");
        // MySQL: connect to the server's own `mysql` database to create another.
        let admin_url = with_database(base, if is_mysql { "mysql" } else { "postgres" });
        let database = Self {
            is_mysql,
            admin_url,
            name,
        };
        database
            .execute(&format!("CREATE DATABASE {}", database.name))
            .expect("create a test database");
        database
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        if self.is_mysql {
            mysql_execute(&self.admin_url, sql)
        } else {
            gatehouse::db::postgres_connect(&self.admin_url)
                .map_err(|e| e.to_string())?
                .batch_execute(sql)
                .map_err(|e| e.to_string())
        }
    }
}

#[cfg(feature = "mysql")]
fn mysql_execute(url: &str, sql: &str) -> Result<(), String> {
    gatehouse::db::mysql_connect(url)
        .map_err(|e| e.to_string())?
        .batch_execute(sql)
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "mysql"))]
fn mysql_execute(_url: &str, _sql: &str) -> Result<(), String> {
    panic!("TEST_DATABASE_URL names MySQL: run the tests with `--features mysql`")
}

/// A database for one test; dropped (PostgreSQL, MySQL) or deleted (SQLite) when the test ends.
pub struct TestDatabase {
    pub url: String,
    server: Option<ServerDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub fn new() -> Self {
        match server_base_url() {
            Some(base) => {
                let server = ServerDatabase::create(&base);
                Self {
                    url: with_database(&base, &server.name),
                    server: Some(server),
                    _dir: None,
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("gatehouse.db").display());
                Self {
                    url,
                    server: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// A database that someone else owns and cleans up.
    pub fn at(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            server: None,
            _dir: None,
        }
    }

    /// The PostgreSQL database's name; `None` on SQLite and MySQL.
    pub fn postgres_name(&self) -> Option<&str> {
        self.server
            .as_ref()
            .filter(|server| !server.is_mysql)
            .map(|server| server.name.as_str())
    }

    /// A connection to PostgreSQL's `postgres` database, to look at the server's own views.
    pub fn admin_connection(&self) -> PgConnection {
        let server = self
            .server
            .as_ref()
            .filter(|server| !server.is_mysql)
            .expect("a PostgreSQL test database");
        gatehouse::db::postgres_connect(&server.admin_url).expect("connect to PostgreSQL")
    }

    /// A direct connection, for the few tests that check what is stored.
    pub fn connect(&self) -> DbConnection {
        let url = DatabaseUrl::parse(&self.url).unwrap();
        gatehouse::db::establish(&url).expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            let force = if server.is_mysql { "" } else { " WITH (FORCE)" };
            let _best_effort =
                server.execute(&format!("DROP DATABASE IF EXISTS {}{force}", server.name));
        }
    }
}

/// `postgres://user@host:port/<database>` (or `mysql://…`) from a base URL with or without a
/// database.
fn with_database(base: &str, database: &str) -> String {
    let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

pub struct TestAppBuilder {
    strategy: SessionStrategy,
    vars: HashMap<String, String>,
    database: Option<std::sync::Arc<TestDatabase>>,
    listener: Option<TcpListener>,
}

impl TestAppBuilder {
    pub fn strategy(mut self, strategy: SessionStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets a configuration variable as the environment would.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    /// A variable set so far.
    pub fn get_var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    /// Serves on this listener (bound first, so its port can be named to another server, an
    /// OpenID provider's redirect URI say, before the app starts).
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Serves from another app's database (a second instance, or a restart).
    pub fn database(mut self, database: std::sync::Arc<TestDatabase>) -> Self {
        self.database = Some(database);
        self
    }

    pub async fn spawn(self) -> TestApp {
        let database = self
            .database
            .unwrap_or_else(|| std::sync::Arc::new(TestDatabase::new()));
        let listener = match self.listener {
            Some(listener) => listener,
            None => TcpListener::bind("127.0.0.1:0").expect("bind a free port"),
        };
        let port = listener.local_addr().unwrap().port();
        let address = format!("http://127.0.0.1:{port}");
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database.url.as_str()),
            ("GATEHOUSE_SECRET", SECRET),
            ("GATEHOUSE_BCRYPT_COST", "10"),
            ("GATEHOUSE_BASE_URL", address.as_str()),
            ("GATEHOUSE_TRUSTED_ORIGINS", TRUSTED_ORIGIN),
            // Fixed, so instances on different ports accept each other's JWTs.
            ("GATEHOUSE_JWT_ISSUER", JWT_ISSUER),
            ("GATEHOUSE_JWT_AUDIENCE", JWT_AUDIENCE),
            ("GATEHOUSE_SESSION_STRATEGY", self.strategy.as_str()),
            ("GATEHOUSE_RATE_LIMIT", "off"),
            ("GATEHOUSE_WORKERS", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.extend(self.vars);
        let config = Config::from_lookup(|name| vars.get(name).cloned())
            .expect("a valid test configuration");
        let clock = Clock::adjustable();
        let state = startup::build(config, clock.clone()).expect("the app starts");
        let state = web::Data::new(state);
        let server = startup::run(listener, state).expect("the server runs");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            address,
            clock,
            database,
            handle,
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(60))
                // Idle connections are reused for 2 s at most, less than the server's 5 s
                // keep-alive: a test that blocks its thread longer (a `gatehouse` subprocess on a
                // busy machine) would otherwise send its next request on a connection the server
                // has just closed, and get `Disconnected` instead of an answer.
                .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
                .finish(),
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub clock: Clock,
    pub database: std::sync::Arc<TestDatabase>,
    handle: ServerHandle,
    client: awc::Client,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command; the workers finish on their own threads.
        drop(self.handle.stop(false));
    }
}

pub fn builder() -> TestAppBuilder {
    TestAppBuilder {
        strategy: default_strategy(),
        vars: HashMap::new(),
        database: None,
        listener: None,
    }
}

pub async fn spawn_app() -> TestApp {
    builder().spawn().await
}

/// What a client can observe of a response.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The `Set-Cookie` line for a cookie name, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// `name=value` of the session cookie, ready for a `Cookie` header.
    pub fn session_cookie(&self) -> String {
        let line = self
            .set_cookie("gatehouse.session_token")
            .expect("a session cookie was set");
        line.split(';').next().unwrap().to_owned()
    }

    /// The signed token of `set-auth-token`.
    pub fn auth_token(&self) -> String {
        self.header("set-auth-token")
            .expect("set-auth-token")
            .to_owned()
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// A user made by `TestApp::sign_up_user`.
#[derive(Clone)]
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub id: String,
    /// The raw session token from sign-up.
    pub token: String,
    /// `Cookie` header value of the sign-up session.
    pub cookie: String,
    /// The signed `set-auth-token` of the sign-up session.
    pub bearer: String,
}

pub fn unique_email() -> String {
    format!(
        "user-{}@example.com",
        gatehouse::ids::random_id().to_lowercase()
    )
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Stops the server and returns once no worker can answer anything more. A forced stop
    /// (actix-server 2.9.8, `server.rs`) returns as soon as the listener is closed, before the
    /// workers have seen the command, so a kept-alive connection (a proxy's pooled upstream)
    /// could still be answered for a moment. A graceful stop waits for every worker: for the
    /// connections to end, or `GATEHOUSE_SHUTDOWN_TIMEOUT` to pass and the rest to be dropped.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    async fn read(mut response: awc::ClientResponse) -> TestResponse {
        let bytes = response
            .body()
            .limit(4 << 20)
            .await
            .expect("a readable body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        TestResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// Any request: method, path, headers and an optional raw body.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> TestResponse {
        self.request_url(method, &self.url(path), headers, body)
            .await
    }

    /// Any request to any URL (through a proxy in front of the app, say), with this app's client:
    /// no redirects followed.
    pub async fn request_url(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> TestResponse {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, url);
        for (name, value) in headers {
            request = request.append_header((*name, *value));
        }
        let response = match body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        }
        .expect("the server answers");
        Self::read(response).await
    }

    /// Whether `url` answers 200 now (false when nothing listens there yet).
    pub async fn answers(&self, url: &str) -> bool {
        self.client
            .get(url)
            .send()
            .await
            .is_ok_and(|response| response.status() == 200)
    }

    /// The whole answer to a bare HTTP/1.1 request (`request_head` is the request line and any
    /// headers; `Host` and `Connection: close` are added), read off the socket until the server
    /// closes it: the one place the reason phrase and a `HEAD` answer are visible as sent.
    pub async fn raw_exchange(&self, request_head: &str) -> String {
        use std::io::{Read as _, Write as _};
        let address = self.address.trim_start_matches("http://").to_owned();
        let request = format!("{request_head}\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        // Off this thread: the server's own tasks run on it.
        actix_web::rt::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut answer = Vec::new();
            let _read_until_close = stream.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).into_owned()
        })
        .await
        .unwrap()
    }

    /// The status line of a bare HTTP/1.1 request.
    pub async fn status_line(&self, request_head: &str) -> String {
        self.raw_exchange(request_head)
            .await
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, Some(body.to_string().into_bytes()))
            .await
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.request("GET", path, headers, None).await
    }

    pub async fn sign_up(&self, body: &Value) -> TestResponse {
        self.post_json("/api/auth/sign-up", body, &[]).await
    }

    pub async fn sign_up_user(&self) -> TestUser {
        let email = unique_email();
        let response = self
            .sign_up(&json!({"name": "Test User", "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        TestUser {
            email,
            password: PASSWORD.to_owned(),
            id: response.body["user"]["id"].as_str().unwrap().to_owned(),
            token: response.body["token"].as_str().unwrap().to_owned(),
            cookie: response.session_cookie(),
            bearer: response.auth_token(),
        }
    }

    pub async fn sign_in_email(&self, email: &str, password: &str) -> TestResponse {
        self.post_json(
            "/api/auth/sign-in/email",
            &json!({"email": email, "password": password}),
            &[],
        )
        .await
    }

    /// Signs in by email with `rememberMe: false`.
    pub async fn sign_in_forgetful(&self, user: &TestUser) -> TestResponse {
        self.post_json(
            "/api/auth/sign-in/email",
            &json!({"email": user.email, "password": user.password, "rememberMe": false}),
            &[],
        )
        .await
    }

    pub async fn get_session_with_cookie(&self, cookie: &str) -> TestResponse {
        self.get("/api/auth/get-session", &[("cookie", cookie)])
            .await
    }

    pub async fn get_session_with_bearer(&self, token: &str) -> TestResponse {
        self.get(
            "/api/auth/get-session",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    /// A JSON POST carrying a session cookie and this app's `Origin`, as a browser sends it.
    pub async fn post_with_cookie(&self, path: &str, cookie: &str, body: &Value) -> TestResponse {
        self.post_json(path, body, &[("cookie", cookie), ("origin", &self.address)])
            .await
    }

    /// Whether get-session finds a session for this `Cookie` header.
    pub async fn is_signed_in(&self, cookie: &str) -> bool {
        self.get_session_with_cookie(cookie).await.text != "null"
    }

    /// Polls until this `Cookie` header names no session, failing after a second.
    pub async fn signed_out_within_a_second(&self, cookie: &str) {
        let started = std::time::Instant::now();
        while self.is_signed_in(cookie).await {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "the session is still accepted a second later"
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Another device: a sign-in of `user` with its own user agent; returns its `Cookie` header.
    pub async fn sign_in_from(&self, user: &TestUser, user_agent: &str) -> String {
        let response = self
            .post_json(
                "/api/auth/sign-in/email",
                &json!({"email": user.email, "password": user.password}),
                &[("user-agent", user_agent)],
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        response.session_cookie()
    }

    pub async fn sign_out_with_cookie(&self, cookie: &str) -> TestResponse {
        self.post_json(
            "/api/auth/sign-out",
            &json!({}),
            &[("cookie", cookie), ("origin", &self.address)],
        )
        .await
    }
}
