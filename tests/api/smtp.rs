//! A real SMTP server for the mail tests: aiosmtpd (`tests/smtp/server.py`) in its own process
//! on a port the kernel picks, writing each message it receives as JSON where the test reads it.
//! `scripts/test.sh` installs aiosmtpd in a venv and names its Python in
//! `GATEHOUSE_TEST_SMTP_PYTHON`; elsewhere `python3` must have aiosmtpd.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::TestAppBuilder;

pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub rcpt_tos: Vec<String>,
    pub subject: String,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
    pub raw: String,
    /// Whether it came over a connection upgraded with STARTTLS.
    pub tls: bool,
}

impl Mail {
    /// The first link into gatehouse in the plain-text body.
    pub fn link(&self) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http") && word.contains("/api/auth/"))
            .unwrap_or_else(|| panic!("no link in {:?}", self.text))
            .to_owned()
    }

    /// The link's path and query, to request from the app under test.
    pub fn path(&self) -> String {
        path_of(&self.link())
    }

    /// The token in the link: the path segment after `reset-password/`, or `token=`.
    pub fn token(&self) -> String {
        let link = self.link();
        let url = url::Url::parse(&link).unwrap();
        if let Some(token) = url.query_pairs().find(|(k, _)| k == "token") {
            return token.1.into_owned();
        }
        url.path_segments().unwrap().next_back().unwrap().to_owned()
    }
}

/// The path and query of a URL.
pub fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::spawn(&[])
    }

    /// A server that accepts connections and never answers.
    pub fn stalled() -> Self {
        Self::spawn(&["--stall"])
    }

    /// A server that speaks TLS from the first byte (`smtps://`) with this certificate and key.
    pub fn with_implicit_tls(certificate: &std::path::Path, key: &std::path::Path) -> Self {
        Self::spawn(&[
            "--implicit-tls",
            certificate.to_str().unwrap(),
            key.to_str().unwrap(),
        ])
    }

    /// A server that offers STARTTLS with this certificate and key (PEM files) and refuses mail
    /// over a clear connection.
    pub fn with_starttls(certificate: &std::path::Path, key: &std::path::Path) -> Self {
        Self::spawn(&[
            "--starttls",
            certificate.to_str().unwrap(),
            key.to_str().unwrap(),
        ])
    }

    fn spawn(flags: &[&str]) -> Self {
        let python =
            std::env::var("GATEHOUSE_TEST_SMTP_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(dir.path())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the SMTP server did not start (is aiosmtpd installed for {python}?)")
        });
        Self { port, dir, child }
    }

    /// `GATEHOUSE_SMTP_URL` for this server (plain: it offers no STARTTLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Mail> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| {
                let record: Value =
                    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
                let text = |key: &str| record[key].as_str().unwrap_or_default().to_owned();
                Mail {
                    rcpt_tos: record["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_owned())
                        .collect(),
                    subject: text("subject"),
                    headers: record["headers"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|pair| {
                            (
                                pair[0].as_str().unwrap().to_owned(),
                                pair[1].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect(),
                    text: text("text"),
                    html: text("html"),
                    raw: text("raw"),
                    tls: record["tls"].as_bool().unwrap_or(false),
                }
            })
            .collect()
    }

    /// Waits until `count` messages have arrived (at most 10 s) and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} of {count} messages arrived within 10 s",
                messages.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The messages sent to `email` once `count` of them arrived.
    pub async fn wait_for_mail_to(&self, email: &str, count: usize) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let to: Vec<Mail> = self
                .messages()
                .into_iter()
                .filter(|mail| mail.rcpt_tos.iter().any(|r| r == email))
                .collect();
            if to.len() >= count {
                return to;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} of {count} messages to {email} arrived within 10 s",
                to.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _gone_already = self.child.kill();
        let _reaped = self.child.wait();
    }
}

impl TestAppBuilder {
    /// Sends mail through `server`.
    pub fn mail_to(self, server: &SmtpServer) -> Self {
        self.var("GATEHOUSE_SMTP_URL", &server.url())
            .var("GATEHOUSE_MAIL_FROM", "Example <no-reply@example.com>")
    }

    /// Sends mail through `server`, but only what a test asks for: no verification link at
    /// sign-up.
    pub fn mail_only_as_asked(self, server: &SmtpServer) -> Self {
        self.mail_to(server)
            .var("GATEHOUSE_SEND_VERIFICATION_ON_SIGN_UP", "false")
    }
}
