//! `bcrypt-rate COST SECONDS`: how many bcrypt verifications per second this machine does on all
//! cores, with the same bcrypt crate gatehouse uses. `bench/run.sh` compares sign-in throughput
//! with it.

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let cost: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(12);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let Ok(hash) = bcrypt::hash("bench-password", cost) else {
        eprintln!("bcrypt-rate: cannot hash at cost {cost}");
        std::process::exit(2);
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.clone();
            std::thread::spawn(move || {
                let mut done = 0_u64;
                while Instant::now() < deadline {
                    if bcrypt::verify("bench-password", &hash).unwrap_or(false) {
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    let rate = total as f64 / started.elapsed().as_secs_f64();
    println!("bcrypt_cost={cost}");
    println!("bcrypt_threads={threads}");
    println!("bcrypt_verify_per_sec={rate:.2}");
}
