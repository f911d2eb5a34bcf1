//! An unknown email and a wrong password cost the same: 200 sign-ins of each, interleaved, have
//! medians within 10 %. It compares timings, which other work on the machine (other tests
//! included) skews, so it is opt-in and runs alone: `scripts/test.sh` runs it last with
//! `--ignored --exact timing::unknown_emails_and_wrong_passwords_take_the_same_time`.

use std::time::{Duration, Instant};

use crate::helpers::spawn_app;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

#[actix_web::test]
#[ignore = "compares timings: run it alone on an idle machine (scripts/test.sh does)"]
async fn unknown_emails_and_wrong_passwords_take_the_same_time() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    // Warm up connections, caches and the hashing threads.
    for _ in 0..5 {
        app.sign_in_email("nobody@example.com", "wrong-password")
            .await;
        app.sign_in_email(&user.email, "wrong-password").await;
    }

    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let started = Instant::now();
        let response = app
            .sign_in_email("nobody@example.com", "wrong-password")
            .await;
        unknown.push(started.elapsed());
        assert_eq!(response.status, 401);
        let started = Instant::now();
        let response = app.sign_in_email(&user.email, "wrong-password").await;
        wrong.push(started.elapsed());
        assert_eq!(response.status, 401);
    }

    let (unknown, wrong) = (median(unknown), median(wrong));
    let difference = unknown.abs_diff(wrong).as_secs_f64() / unknown.max(wrong).as_secs_f64();
    println!(
        "median unknown email {unknown:?}, wrong password {wrong:?}, difference {:.1} %",
        difference * 100.0
    );
    assert!(
        difference < 0.10,
        "unknown {unknown:?} vs wrong password {wrong:?}"
    );
}
