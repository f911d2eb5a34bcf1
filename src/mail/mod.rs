//! Mail delivery, off the request path. An endpoint queues a message ([`Mailer::send`] never
//! waits); one thread with its own runtime renders it and delivers it through a pooled SMTP
//! transport or the app's webhook, retrying after 10 s, 1 min and 5 min, never once the mailed
//! token has expired. The queue holds at most [`QUEUE_CAPACITY`] messages per instance and lives
//! in memory only: persisting it would put raw tokens on disk, so mail queued at shutdown is lost.
//! Failures are logged with the kind, recipient, delivery id, attempt and cause, never the link,
//! token or body.

pub mod templates;
mod webhook;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use tokio::sync::{Semaphore, mpsc};

use crate::clock::Clock;
use crate::config::{ConfigError, MAIL_CA_FILE, MailConfig, MailTransport, SmtpConfig, SmtpTls};
use crate::db::SetupError;
use crate::ids::random_id;

pub use templates::{Kind, Rendered, Templates, Values};
pub use webhook::{Webhook, webhook_key};

/// Messages waiting for delivery, per instance; more are dropped and logged.
pub const QUEUE_CAPACITY: usize = 1000;
/// Deliveries in progress at once (each holds one pooled connection).
const CONCURRENT_DELIVERIES: usize = 4;
/// How long one SMTP command or one webhook request may take before the attempt counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The waits before the second, third and fourth attempts.
const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(300),
];

/// A message for one recipient, with the values its template uses and the moment its link stops
/// working.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: Kind,
    pub to: String,
    pub values: Values,
    /// The user as get-session shows it, for the webhook; `None` for a magic link to an address
    /// nobody has yet.
    pub user: Option<serde_json::Value>,
    pub expires_at: DateTime<Utc>,
}

/// The queue into the delivery thread; without a transport, nothing is sent.
pub struct Mailer {
    queue: Option<mpsc::Sender<(String, Outgoing)>>,
}

/// The mail settings with their files read and checked, ready to start.
pub struct PreparedMail {
    transport: MailTransport,
    templates: Templates,
    /// PEM blocks, one certificate each.
    authorities: Vec<Vec<u8>>,
}

/// Why one attempt failed, and whether another could succeed.
struct Failure {
    cause: String,
    permanent: bool,
}

/// The sink, checked, before the delivery thread builds it: lettre's pool needs that thread's
/// runtime from the moment it exists.
enum SinkPlan {
    Smtp {
        smtp: SmtpConfig,
        tls: Tls,
        from: Mailbox,
    },
    Webhook(Webhook),
}

impl SinkPlan {
    /// The sink; inside the delivery thread's runtime.
    fn build(self) -> Sink {
        match self {
            Self::Smtp { smtp, tls, from } => Sink::Smtp {
                transport: smtp_transport(&smtp, tls),
                from,
            },
            Self::Webhook(webhook) => Sink::Webhook(webhook),
        }
    }
}

/// Where the delivery thread sends messages.
enum Sink {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Webhook(Webhook),
}

impl Mailer {
    /// No transport: the mail features answer as Better Auth's unconfigured ones.
    pub fn disabled() -> Self {
        Self { queue: None }
    }

    /// Reads the templates and certificates: a bad one stops start-up with a [`ConfigError`],
    /// before anything is written.
    pub fn prepare(config: &MailConfig) -> Result<PreparedMail, ConfigError> {
        let templates = match &config.templates {
            Some(folder) => {
                let templates = Templates::load(folder)?;
                log::info!(
                    "mail templates: {} part(s) replaced from {}",
                    templates.replaced(),
                    folder.display()
                );
                templates
            }
            None => Templates::built_in(),
        };
        let authorities = match &config.ca_file {
            Some(path) => read_certificates(path)?,
            None => Vec::new(),
        };
        Ok(PreparedMail {
            transport: config.transport.clone(),
            templates,
            authorities,
        })
    }

    /// Starts the delivery thread. `secrets` sign webhooks, the current one first.
    pub fn start(
        prepared: PreparedMail,
        secrets: &[&str],
        clock: Clock,
    ) -> Result<Self, SetupError> {
        let PreparedMail {
            transport,
            templates,
            authorities,
        } = prepared;
        let plan = match transport {
            MailTransport::Smtp { smtp, from } => SinkPlan::Smtp {
                tls: smtp_tls(&smtp, &authorities)?,
                smtp,
                from,
            },
            MailTransport::Webhook { url } => {
                SinkPlan::Webhook(Webhook::new(url, secrets, &authorities, ATTEMPT_TIMEOUT)?)
            }
        };
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name("gatehouse-mail".to_owned())
            .spawn(move || deliver_queue(plan, templates, receiver, clock))?;
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
        let kind = message.kind.as_str();
        match queue.try_send((delivery.clone(), message)) {
            Ok(()) => log::debug!("mail {delivery} ({kind}) queued"),
            Err(_) => log::warn!(
                "mail {delivery} ({kind}) dropped: the queue of {QUEUE_CAPACITY} is full or delivery has stopped"
            ),
        }
    }
}

/// The PEM certificates of `GATEHOUSE_MAIL_CA_FILE`, each block on its own.
fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, ConfigError> {
    let refuse = |reason: String| ConfigError::new(MAIL_CA_FILE, reason);
    let text = std::fs::read_to_string(path)
        .map_err(|e| refuse(format!("cannot read {}: {e}", path.display())))?;
    const END: &str = "-----END CERTIFICATE-----";
    let blocks: Vec<Vec<u8>> = text
        .split_inclusive(END)
        .filter(|block| block.contains("-----BEGIN CERTIFICATE-----"))
        .map(|block| block.trim().as_bytes().to_vec())
        .collect();
    if blocks.is_empty() {
        return Err(refuse(format!(
            "{}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
            path.display()
        )));
    }
    for block in &blocks {
        Certificate::from_pem(block)
            .map_err(|e| refuse(format!("{}: not a certificate: {e}", path.display())))?;
    }
    Ok(blocks)
}

/// The TLS settings for the SMTP server, with the extra authorities trusted.
fn smtp_tls(smtp: &SmtpConfig, authorities: &[Vec<u8>]) -> Result<Tls, SetupError> {
    let parameters = || -> Result<TlsParameters, SetupError> {
        let mut builder = TlsParameters::builder(smtp.host.clone());
        for pem in authorities {
            builder = builder.add_root_certificate(Certificate::from_pem(pem)?);
        }
        Ok(builder.build_native()?)
    };
    Ok(match smtp.tls {
        SmtpTls::Opportunistic => Tls::Opportunistic(parameters()?),
        SmtpTls::Required => Tls::Required(parameters()?),
        SmtpTls::None => Tls::None,
        SmtpTls::Implicit => Tls::Wrapper(parameters()?),
    })
}

/// The pooled SMTP transport; must be called inside a Tokio runtime (the pool starts a task).
fn smtp_transport(smtp: &SmtpConfig, tls: Tls) -> AsyncSmtpTransport<Tokio1Executor> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(ATTEMPT_TIMEOUT))
        .pool_config(PoolConfig::new().max_size(CONCURRENT_DELIVERIES as u32));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder.build()
}

/// The delivery thread: its own single-threaded runtime, so mail never competes with requests
/// for a worker and the pooled connections stay on one reactor.
fn deliver_queue(
    plan: SinkPlan,
    templates: Templates,
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
    let templates = Arc::new(templates);
    runtime.block_on(async move {
        let sink = Arc::new(plan.build());
        let slots = Arc::new(Semaphore::new(CONCURRENT_DELIVERIES));
        while let Some((delivery, message)) = receiver.recv().await {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (sink, templates, clock) = (sink.clone(), templates.clone(), clock.clone());
            tokio::spawn(async move {
                deliver(&sink, &templates, &delivery, message, &clock).await;
                drop(slot);
            });
        }
    });
}

/// The email for a message: `multipart/alternative` (text, HTML), UTF-8, to the bare address
/// (no display name, so nothing a user typed reaches a header).
fn email(from: &Mailbox, to: &str, rendered: &Rendered) -> Result<Message, String> {
    let to: Address = to
        .parse()
        .map_err(|e| format!("not a deliverable address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(rendered.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

impl Sink {
    /// The message as this sink sends it: an email, or the webhook's body.
    fn prepare(&self, message: &Outgoing, rendered: Rendered) -> Result<Prepared, String> {
        match self {
            Self::Smtp { from, .. } => Ok(Prepared::Email(Box::new(email(
                from,
                &message.to,
                &rendered,
            )?))),
            Self::Webhook(_) => Ok(Prepared::Body(webhook::body(message, &rendered.subject))),
        }
    }

    async fn attempt(&self, delivery: &str, prepared: &Prepared, now: i64) -> Result<(), Failure> {
        match (self, prepared) {
            (Self::Smtp { transport, .. }, Prepared::Email(email)) => {
                match transport.send((**email).clone()).await {
                    Ok(_) => Ok(()),
                    Err(error) => Err(Failure {
                        permanent: error.is_permanent(),
                        cause: error.to_string(),
                    }),
                }
            }
            (Self::Webhook(webhook), Prepared::Body(body)) => {
                webhook.post(delivery, body, now).await
            }
            _ => Err(Failure {
                cause: "a message prepared for another transport".to_owned(),
                permanent: true,
            }),
        }
    }
}

/// A message ready for its sink.
enum Prepared {
    Email(Box<Message>),
    Body(Vec<u8>),
}

async fn deliver(
    sink: &Sink,
    templates: &Templates,
    delivery: &str,
    message: Outgoing,
    clock: &Clock,
) {
    let kind = message.kind.as_str();
    let rendered = templates.render(message.kind, &message.values);
    let prepared = match sink.prepare(&message, rendered) {
        Ok(prepared) => prepared,
        Err(cause) => {
            log::warn!("mail {delivery} ({kind}) not sent: {cause}");
            return;
        }
    };
    for attempt in 1.. {
        let cause = match sink
            .attempt(delivery, &prepared, clock.now().timestamp())
            .await
        {
            Ok(()) => {
                log::info!("mail {delivery} ({kind}) delivered, attempt {attempt}");
                return;
            }
            Err(failure) if failure.permanent => {
                log::warn!(
                    "mail {delivery} ({kind}) refused for good, attempt {attempt}: {}",
                    failure.cause
                );
                return;
            }
            Err(failure) => failure.cause,
        };
        let retry = RETRY_DELAYS.get(attempt - 1).copied().filter(|delay| {
            chrono::Duration::from_std(*delay)
                .is_ok_and(|delay| clock.now() + delay < message.expires_at)
        });
        let Some(delay) = retry else {
            log::warn!(
                "mail {delivery} ({kind}) not delivered, giving up after attempt {attempt}: {cause}"
            );
            return;
        };
        log::warn!(
            "mail {delivery} ({kind}) not delivered, attempt {attempt}, retrying in {}s: {cause}",
            delay.as_secs()
        );
        tokio::time::sleep(delay).await;
    }
}
