//! A process must be able to end while other threads are still talking to PostgreSQL: the pool
//! reconnects in its own threads, and the service (or a test) returns from `main` without joining
//! them. OpenSSL, built into libpq, by default frees its global state from an `atexit` handler,
//! under any thread still in a TLS handshake: "double free or corruption", SIGABRT or SIGSEGV at
//! exit, now and then. `gatehouse::db` initialises OpenSSL without that handler.

use std::process::Command;
use std::time::Duration;

use gatehouse::config::DatabaseUrl;

use crate::helpers::TestDatabase;

const CHILD: &str = "exit::child_exits_while_its_threads_connect_to_postgresql";
const CHILD_VAR: &str = "GATEHOUSE_TEST_EXIT_CHILD";
/// Child processes per run: each crashed now and then before the fix, most runs had one that did.
const RUNS: usize = 12;

#[test]
fn a_process_can_exit_while_its_threads_connect_to_postgresql() {
    let database = TestDatabase::new();
    if database.postgres_name().is_none() {
        println!("skipped: runs on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let test_binary = std::env::current_exe().expect("the test binary's path");
    for run in 1..=RUNS {
        let output = Command::new(&test_binary)
            .args([
                CHILD,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_VAR, &database.url)
            .output()
            .expect("run the child test");
        assert!(
            output.status.success(),
            "run {run} of {RUNS} ended with {}:\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
}

/// Run by the test above in a process of its own; returns at once when run any other way.
#[test]
#[ignore = "a child process of a_process_can_exit_while_its_threads_connect_to_postgresql"]
fn child_exits_while_its_threads_connect_to_postgresql() {
    let Ok(url) = std::env::var(CHILD_VAR) else {
        return;
    };
    let url = DatabaseUrl::parse(&url).unwrap();
    for _ in 0..6 {
        let url = url.clone();
        std::thread::spawn(move || {
            loop {
                let _connection = gatehouse::db::establish(&url).unwrap();
            }
        });
    }
    std::thread::sleep(Duration::from_millis(300));
    // Returning ends the process with the threads above in the middle of connecting.
}
