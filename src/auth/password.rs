//! bcrypt on a bounded pool of its own threads, off the async executor. A burst of sign-ins queues
//! here; a full queue is an honest 503 rather than unbounded memory or starved session checks.
//! Passwords are never truncated: bcrypt reads 72 bytes, so longer ones are refused, here and
//! before. (The bcrypt crate's `non_truncating_*` functions also refuse exactly 72 bytes, counting
//! the C string terminator that bcrypt drops; a 72-byte password is used whole, so the explicit
//! limit below is the precise rule.)

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::oneshot;

use super::foreign_hash;
use crate::error::ApiError;
use crate::rules::MAX_PASSWORD_BYTES;

enum Job {
    Hash {
        password: String,
        cost: u32,
        reply: oneshot::Sender<Result<String, bcrypt::BcryptError>>,
    },
    /// `hash: None` verifies against the dummy hash.
    Verify {
        password: String,
        hash: Option<String>,
        reply: oneshot::Sender<bool>,
    },
}

/// How much less CPU time a hashing thread gets than a request thread when both want a core
/// (`nice` 19 is a few percent of the share; alone, it still gets the whole core): a burst of
/// sign-ins then waits in the queue instead of slowing every session check.
const HASHING_NICENESS: i32 = 19;

/// The one entry point for password work.
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    cost: u32,
    threads: usize,
    queue_capacity: usize,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("cost", &self.cost)
            .field("threads", &self.threads)
            .field("queue_capacity", &self.queue_capacity)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Starts `threads` hashing threads with room for `queue_capacity` waiting jobs. The dummy hash
    /// for unknown users is made on a hashing thread, so start-up does not wait for it.
    pub fn start(cost: u32, threads: usize, queue_capacity: usize) -> Result<Self, ApiError> {
        let (jobs, receiver) = mpsc::sync_channel(queue_capacity);
        let shared = Arc::new(Shared {
            receiver: Mutex::new(receiver),
            dummy_hash: OnceLock::new(),
            cost,
        });
        let threads = threads.max(1);
        for index in 0..threads {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("gatehouse-bcrypt-{index}"))
                .spawn(move || {
                    lower_priority();
                    if index == 0 {
                        shared.dummy_hash();
                    }
                    work(&shared);
                })
                .map_err(|e| ApiError::Internal(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(Self {
            jobs,
            cost,
            threads,
            queue_capacity,
        })
    }

    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// Hashes a password of at most 72 bytes.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Hash {
            password,
            cost: self.cost,
            reply,
        })?;
        answer
            .await
            .map_err(|_| ApiError::Internal("a hashing thread stopped".to_owned()))?
            .map_err(|e| ApiError::Internal(format!("bcrypt failed: {e}")))
    }

    /// Verifies `password` against `hash` (bcrypt, or a hash another library made:
    /// [`foreign_hash`]), or against the dummy hash when there is none, so the caller pays the
    /// same either way. Always `false` without a real hash.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let is_real = hash.is_some();
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Verify {
            password,
            hash,
            reply,
        })?;
        let matched = answer
            .await
            .map_err(|_| ApiError::Internal("a hashing thread stopped".to_owned()))?;
        Ok(matched && is_real)
    }

    fn submit(&self, job: Job) -> Result<(), ApiError> {
        // Counted before it is sent, so a thread that takes it at once never counts below zero.
        crate::metrics::hash_queue(1.0);
        self.jobs.try_send(job).map_err(|e| {
            crate::metrics::hash_queue(-1.0);
            match e {
                TrySendError::Full(_) => {
                    crate::metrics::hash_rejected();
                    ApiError::Unavailable("the password hashing queue is full".to_owned())
                }
                TrySendError::Disconnected(_) => {
                    ApiError::Internal("the hashing threads are gone".to_owned())
                }
            }
        })
    }
}

/// What the hashing threads share.
struct Shared {
    receiver: Mutex<Receiver<Job>>,
    /// Verified against when the user is unknown, so that answer costs what a wrong password does.
    dummy_hash: OnceLock<String>,
    cost: u32,
}

impl Shared {
    fn dummy_hash(&self) -> &str {
        self.dummy_hash.get_or_init(|| {
            // Only a failure of the system's random source could make this fail; then no
            // password ever matches it, which is still the right answer for an unknown user.
            bcrypt::hash(random_password(), self.cost).unwrap_or_default()
        })
    }
}

/// Best effort: a thread whose priority cannot be lowered still hashes correctly.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASHING_NICENESS)
    {
        log::debug!("cannot lower the priority of a hashing thread: {error}");
    }
}

fn work(shared: &Shared) {
    loop {
        let job = match shared.receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        if job.is_ok() {
            crate::metrics::hash_queue(-1.0);
        }
        match job {
            Ok(Job::Hash {
                password,
                cost,
                reply,
            }) => {
                let result = if password.len() > MAX_PASSWORD_BYTES {
                    Err(bcrypt::BcryptError::Truncation(password.len()))
                } else {
                    bcrypt::hash(password, cost)
                };
                let _receiver_may_be_gone = reply.send(result);
            }
            Ok(Job::Verify {
                password,
                hash,
                reply,
            }) => {
                let hash = hash.as_deref().unwrap_or_else(|| shared.dummy_hash());
                let matched = if foreign_hash::is_foreign(hash) {
                    foreign_hash::verify(&password, hash)
                } else {
                    // More than 72 bytes cannot match: bcrypt never saw the rest.
                    password.len() <= MAX_PASSWORD_BYTES
                        && bcrypt::verify(password, hash).unwrap_or(false)
                };
                let _receiver_may_be_gone = reply.send(matched);
            }
            Err(_) => return,
        }
    }
}

/// A throwaway password for the dummy hash; nobody knows it, so nothing verifies against it.
fn random_password() -> String {
    let bytes: [u8; 24] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hasher = Hasher::start(10, 1, 4).unwrap();

        let hash = hasher.hash("correct horse".to_owned()).await.unwrap();

        assert!(
            hasher
                .verify("correct horse".to_owned(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("correct hors".to_owned(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything".to_owned(), None).await.unwrap());
    }

    #[actix_web::test]
    async fn seventy_two_bytes_are_used_whole_and_more_are_refused() {
        let hasher = Hasher::start(10, 1, 4).unwrap();
        let exactly = "x".repeat(72);

        let hash = hasher.hash(exactly.clone()).await.unwrap();

        assert!(
            hasher
                .verify(exactly.clone(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(format!("{exactly}y"), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("x".repeat(71), Some(hash)).await.unwrap());
        assert!(hasher.hash("x".repeat(73)).await.is_err());
    }

    #[actix_web::test]
    async fn a_full_queue_answers_service_unavailable() {
        let hasher = Hasher::start(10, 1, 1).unwrap();

        let attempts = (0..8).map(|_| hasher.verify("x".to_owned(), None));
        let results = futures_util::future::join_all(attempts).await;

        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(ApiError::Unavailable(_)))),
            "{results:?}"
        );
        assert!(results.iter().any(Result::is_ok));
    }
}
