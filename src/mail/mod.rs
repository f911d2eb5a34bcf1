//! Mail delivery, off the request path. An endpoint renders a message and queues it
//! ([`Mailer::send`] never waits); one thread with its own runtime delivers the queue through a
//! pooled SMTP transport, retrying after 10 s, 1 min and 5 min, never once the mailed token has
//! expired. The queue holds at most [`QUEUE_CAPACITY`] messages per instance and lives in memory
//! only: persisting it would put raw tokens on disk, so mail queued at shutdown is lost. Failures
//! are logged with the kind, recipient, delivery id, attempt and cause, never the link or body.

pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use tokio::sync::{Semaphore, mpsc};

use crate::clock::Clock;
use crate::config::{MailConfig, SmtpConfig, SmtpTls};
use crate::db::SetupError;
use crate::ids::random_id;

pub use templates::{Kind, Rendered, Values};

/// Messages waiting for delivery, per instance; more are dropped and logged.
pub const QUEUE_CAPACITY: usize = 1000;
/// Deliveries in progress at once (each holds one pooled SMTP connection).
const CONCURRENT_DELIVERIES: usize = 4;
/// How long one SMTP command may take before the attempt counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// The waits before the second, third and fourth attempts.
const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(300),
];

/// A message for one recipient, rendered, with the moment its link stops working.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: Kind,
    pub to: String,
    pub rendered: Rendered,
    pub expires_at: DateTime<Utc>,
}

/// The queue into the delivery thread; without a transport, nothing is sent.
pub struct Mailer {
    queue: Option<mpsc::Sender<(String, Outgoing)>>,
}

impl Mailer {
    /// No transport: the mail features answer as Better Auth's unconfigured ones.
    pub fn disabled() -> Self {
        Self { queue: None }
    }

    /// Starts the delivery thread for `config`; TLS settings that cannot work fail here.
    pub fn start(config: &MailConfig, clock: Clock) -> Result<Self, SetupError> {
        let tls = tls(&config.smtp)?;
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let (smtp, from) = (config.smtp.clone(), config.from.clone());
        std::thread::Builder::new()
            .name("gatehouse-mail".to_owned())
            .spawn(move || deliver_queue(smtp, tls, from, receiver, clock))?;
        Ok(Self {
            queue: Some(sender),
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.queue.is_some()
    }

    /// Queues a message and returns at once; a full queue drops it (logged).
    pub fn send(&self, message: Outgoing) {
        let Some(queue) = &self.queue else {
            return;
        };
        let delivery = random_id();
        let (kind, to) = (message.kind.as_str(), message.to.clone());
        match queue.try_send((delivery.clone(), message)) {
            Ok(()) => log::debug!("mail {delivery} ({kind} to {to}) queued"),
            Err(_) => log::warn!(
                "mail {delivery} ({kind} to {to}) dropped: the queue of {QUEUE_CAPACITY} is full or delivery has stopped"
            ),
        }
    }
}

fn tls(smtp: &SmtpConfig) -> Result<Tls, SetupError> {
    let parameters = || TlsParameters::new(smtp.host.clone());
    Ok(match smtp.tls {
        SmtpTls::Opportunistic => Tls::Opportunistic(parameters()?),
        SmtpTls::Required => Tls::Required(parameters()?),
        SmtpTls::None => Tls::None,
        SmtpTls::Implicit => Tls::Wrapper(parameters()?),
    })
}

/// The delivery thread: its own single-threaded runtime, so mail never competes with requests
/// for a worker and the SMTP pool's connections stay on one reactor.
fn deliver_queue(
    smtp: SmtpConfig,
    tls: Tls,
    from: Mailbox,
    mut receiver: mpsc::Receiver<(String, Outgoing)>,
    clock: Clock,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            log::error!("mail delivery cannot start, no mail will be sent: {error}");
            return;
        }
    };
    runtime.block_on(async move {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(CONCURRENT_DELIVERIES as u32));
        if let Some((user, password)) = smtp.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let transport = builder.build();
        let slots = Arc::new(Semaphore::new(CONCURRENT_DELIVERIES));
        while let Some((delivery, message)) = receiver.recv().await {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (transport, from, clock) = (transport.clone(), from.clone(), clock.clone());
            tokio::spawn(async move {
                deliver(&transport, &from, &delivery, message, &clock).await;
                drop(slot);
            });
        }
    });
}

/// The email for a message: `multipart/alternative` (text, HTML), UTF-8, to the bare address
/// (no display name, so nothing a user typed reaches a header).
fn email(from: &Mailbox, message: &Outgoing) -> Result<Message, String> {
    let to: Address = message
        .to
        .parse()
        .map_err(|e| format!("not a deliverable address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(message.rendered.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            message.rendered.text.clone(),
            message.rendered.html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

async fn deliver(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    delivery: &str,
    message: Outgoing,
    clock: &Clock,
) {
    let (kind, to) = (message.kind.as_str(), message.to.as_str());
    let email = match email(from, &message) {
        Ok(email) => email,
        Err(cause) => {
            log::warn!("mail {delivery} ({kind} to {to}) not sent: {cause}");
            return;
        }
    };
    for attempt in 1.. {
        let cause = match transport.send(email.clone()).await {
            Ok(_) => {
                log::info!("mail {delivery} ({kind} to {to}) delivered, attempt {attempt}");
                return;
            }
            Err(error) if error.is_permanent() => {
                log::warn!(
                    "mail {delivery} ({kind} to {to}) refused for good, attempt {attempt}: {error}"
                );
                return;
            }
            Err(error) => error,
        };
        let retry = RETRY_DELAYS.get(attempt - 1).copied().filter(|delay| {
            chrono::Duration::from_std(*delay)
                .is_ok_and(|delay| clock.now() + delay < message.expires_at)
        });
        let Some(delay) = retry else {
            log::warn!(
                "mail {delivery} ({kind} to {to}) not delivered, giving up after attempt {attempt}: {cause}"
            );
            return;
        };
        log::warn!(
            "mail {delivery} ({kind} to {to}) not delivered, attempt {attempt}, retrying in {}s: {cause}",
            delay.as_secs()
        );
        tokio::time::sleep(delay).await;
    }
}
