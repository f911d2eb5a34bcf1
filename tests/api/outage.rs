//! The database goes away while gatehouse serves: answers are 503 JSON without a hang, and
//! service resumes by itself when the database is back. Runs its own PostgreSQL cluster (as the
//! `postgres` user, so the test runs as root), so only this test's server is stopped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::{TestDatabase, builder};

struct OwnPostgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

fn as_postgres(bin: &Path, program: &str, args: &[&str]) {
    let status = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(bin.join(program))
        .args(args)
        .status()
        .expect("runuser runs");
    assert!(status.success(), "{program} {args:?} failed");
}

impl OwnPostgres {
    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries under /usr/lib/postgresql")
            .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("pg_ctl").is_file())
            .max()
            .expect("a PostgreSQL version with pg_ctl");
        let data = tempfile::tempdir().unwrap();
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(data.path())
            .status()
            .unwrap();
        assert!(chown.success());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = data.path().to_str().unwrap().to_owned();
        as_postgres(
            &bin,
            "initdb",
            &[
                "-D",
                &dir,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let server = Self { bin, data, port };
        server.pg_ctl_start();
        server
    }

    fn pg_ctl_start(&self) {
        let dir = self.data.path().to_str().unwrap();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={dir} -c fsync=off",
            self.port
        );
        let log = format!("{dir}/server.log");
        as_postgres(
            &self.bin,
            "pg_ctl",
            &[
                "-D", dir, "-l", &log, "-o", &options, "-w", "-t", "30", "start",
            ],
        );
    }

    fn stop(&self) {
        let dir = self.data.path().to_str().unwrap();
        as_postgres(
            &self.bin,
            "pg_ctl",
            &["-D", dir, "-m", "immediate", "-w", "stop"],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let dir = self.data.path().to_string_lossy().into_owned();
        let _already_stopped_is_fine = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &dir, "-m", "immediate", "stop"])
            .output();
    }
}

#[actix_web::test]
#[ignore = "runs its own PostgreSQL server (Debian's postgresql package, as root): scripts/test.sh runs it with --run-ignored"]
async fn a_database_outage_is_a_503_and_service_resumes_when_it_returns() {
    let postgres = OwnPostgres::start();
    let app = builder()
        .database(Arc::new(TestDatabase::at(&postgres.url())))
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    postgres.stop();
    let started = Instant::now();
    // The jwt strategy answers from its in-memory deny-list until that copy is a few seconds
    // old; then it too needs the database.
    let mut session = app.get_session_with_cookie(&user.cookie).await;
    while session.status == 200 && started.elapsed() < Duration::from_secs(10) {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        session = app.get_session_with_cookie(&user.cookie).await;
    }
    let again = app.get_session_with_cookie(&user.cookie).await;
    let sign_in = app.sign_in_email(&user.email, &user.password).await;
    let ready = app.get("/readyz", &[]).await;
    let live = app.get("/healthz", &[]).await;
    let outage_answers_took = started.elapsed();

    for response in [&session, &again, &sign_in] {
        assert_eq!(response.status, 503, "{}", response.text);
        assert_eq!(response.code(), "SERVICE_UNAVAILABLE");
        assert_eq!(response.body["message"], "Service temporarily unavailable");
        assert_eq!(response.header("retry-after"), Some("1"));
        assert!(!response.text.contains("connection") && !response.text.contains("127.0.0.1"));
    }
    assert_eq!(ready.status, 503);
    assert_eq!(
        ready.body,
        serde_json::json!({"message": "Database unavailable", "code": "SERVICE_UNAVAILABLE"})
    );
    assert_eq!(live.status, 200);
    assert!(
        outage_answers_took < Duration::from_secs(15),
        "{outage_answers_took:?}"
    );

    postgres.pg_ctl_start();
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.get("/readyz", &[]).await.status != 200 {
        assert!(
            Instant::now() < deadline,
            "gatehouse did not become ready again"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = app.get_session_with_cookie(&user.cookie).await;
    assert_eq!(
        recovered.body["user"]["id"],
        user.id.as_str(),
        "{}",
        recovered.text
    );
    let signed_in = app.sign_in_email(&user.email, &user.password).await;
    assert_eq!(signed_in.status, 200);
}
