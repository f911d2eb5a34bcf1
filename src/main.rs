//! `gatehouse [serve | migrate | openapi | healthcheck | jwt-key | mail-webhook-key | user … | import …]`: read the configuration, start
//! logging, open the database, bind the socket, serve.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use actix_web::web;
use clap::{Parser, Subcommand};
use gatehouse::clock::Clock;
use gatehouse::config::{Config, ConfigError};
use gatehouse::startup;

/// A standalone authentication service with Better Auth's wire format.
///
/// Configuration comes from the environment (DATABASE_URL, GATEHOUSE_*); see README.md.
#[derive(Parser)]
#[command(name = "gatehouse", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (what openapi/openapi.json holds).
    Openapi,
    /// Exit 0 when the service on GATEHOUSE_BIND answers /healthz (for container health checks).
    Healthcheck,
    /// Make a new Ed25519 private key (PKCS#8 PEM) for GATEHOUSE_JWT_PRIVATE_KEY.
    JwtKey {
        /// Write the key to this new file, readable by its owner only, instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Manage users: create, list, show, set-password, set-role, ban, unban, revoke-sessions,
    /// delete, audit.
    User {
        #[command(subcommand)]
        command: gatehouse::cli::UserCommand,
    },
    /// Copy users (password hashes, provider links, Better Auth's sessions) from a Better Auth,
    /// Auth.js or Lucia database into this one.
    Import {
        #[command(subcommand)]
        command: gatehouse::import::ImportCommand,
    },
    /// Print, in hex, the key that signs mail webhooks (derived from GATEHOUSE_SECRET), for the
    /// receiver to verify X-Gatehouse-Signature with.
    MailWebhookKey,
}

/// Exit status of a refused configuration, as for a usage error.
const CONFIG_ERROR: u8 = 2;

fn main() -> ExitCode {
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Openapi => print_stdout(&gatehouse::openapi::document_json()),
        Command::Healthcheck => healthcheck(),
        Command::JwtKey { out } => jwt_key(out),
        Command::MailWebhookKey => mail_webhook_key(),
        Command::User { command } => gatehouse::cli::run(command),
        Command::Import { command } => gatehouse::import::run(command),
    }
}

/// Prints to standard output; a reader that went away (`gatehouse openapi | head -1`) is not an
/// error.
fn print_stdout(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => fail(1, &format!("cannot write to standard output: {error}")),
    }
}

/// One line on standard error, and the exit status.
fn fail(status: u8, message: &str) -> ExitCode {
    eprintln!("gatehouse: {message}");
    ExitCode::from(status)
}

fn load_config() -> Result<Config, ExitCode> {
    Config::from_env().map_err(|error| fail(CONFIG_ERROR, &error.to_string()))
}

fn serve() -> ExitCode {
    let config = match load_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    gatehouse::logging::init(config.log_format);
    let listener = match TcpListener::bind(&config.bind) {
        Ok(listener) => listener,
        Err(error) => {
            return fail(
                1,
                &format!("cannot listen on GATEHOUSE_BIND={}: {error}", config.bind),
            );
        }
    };
    let metrics_listener = match config
        .metrics
        .then(|| TcpListener::bind(&config.metrics_bind))
    {
        None => None,
        Some(Ok(listener)) => Some(listener),
        Some(Err(error)) => {
            return fail(
                1,
                &format!(
                    "cannot listen on GATEHOUSE_METRICS_BIND={}: {error}",
                    config.metrics_bind
                ),
            );
        }
    };
    startup::raise_open_file_limit();
    let address = listener
        .local_addr()
        .map_or_else(|_| config.bind.clone(), |addr| addr.to_string());
    let summary = format!(
        "gatehouse {} listening on http://{address} (database {}, sessions {}, base URL {})",
        env!("CARGO_PKG_VERSION"),
        config.database_url,
        config.session_strategy.as_str(),
        config.base_url,
    );
    let state = match startup::build(config, Clock::system()) {
        Ok(state) => web::Data::new(state),
        Err(error) if error.is::<ConfigError>() => return fail(CONFIG_ERROR, &error.to_string()),
        Err(error) => return fail(1, &format!("cannot start: {error}")),
    };
    // After every check, so a refused configuration stays one line.
    for warning in state.config.warnings() {
        log::warn!("{warning}");
    }
    let result = actix_web::rt::System::new().block_on(async move {
        let server = startup::run(listener, state.clone())?;
        if let Some(metrics_listener) = metrics_listener {
            let address = metrics_listener.local_addr()?;
            let metrics = startup::serve_metrics(metrics_listener, state)?;
            // No signals of its own: it ends with the process, once the service has stopped.
            actix_web::rt::spawn(metrics);
            log::info!("metrics on http://{address}/metrics");
        }
        log::info!("{summary}");
        server.await
    });
    match result {
        Ok(()) => {
            log::info!("gatehouse stopped");
            ExitCode::SUCCESS
        }
        Err(error) => fail(1, &error.to_string()),
    }
}

fn migrate() -> ExitCode {
    let config = match load_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    gatehouse::logging::init(config.log_format);
    match gatehouse::db::Db::open(&config.database_url) {
        Ok((_, applied)) if applied.is_empty() => {
            println!("no pending migrations ({})", config.database_url);
            ExitCode::SUCCESS
        }
        Ok((_, applied)) => {
            println!("applied: {} ({})", applied.join(", "), config.database_url);
            ExitCode::SUCCESS
        }
        Err(error) => fail(1, &format!("migration failed: {error}")),
    }
}

/// The key of the secret `serve` would use: a generated SQLite secret is stored first, as `serve`
/// stores it, so the key printed is the one that signs.
fn mail_webhook_key() -> ExitCode {
    let mut config = match load_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let Err(error) = config.persist_generated_secret() {
        return fail(CONFIG_ERROR, &error.to_string());
    }
    let key = gatehouse::mail::webhook_key(config.secret.expose());
    print_stdout(&format!("{}\n", gatehouse::ids::hex(&key)))
}

fn jwt_key(out: Option<PathBuf>) -> ExitCode {
    let pem = match gatehouse::config::keys::generate_private_key_pem() {
        Ok(pem) => pem,
        Err(error) => return fail(1, &error),
    };
    let Some(path) = out else {
        return print_stdout(&pem);
    };
    let written = gatehouse::config::create_private_file(&path).and_then(|mut file| {
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(1, &format!("cannot write {}: {error}", path.display())),
    }
}

/// Asks the local service for `/healthz`, so a container needs no curl for its HEALTHCHECK.
fn healthcheck() -> ExitCode {
    let bind = std::env::var("GATEHOUSE_BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let Some(mut address) = bind.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        eprintln!("healthcheck: cannot resolve GATEHOUSE_BIND={bind}");
        return ExitCode::from(1);
    };
    if address.ip().is_unspecified() {
        let loopback = if address.is_ipv4() {
            "127.0.0.1"
        } else {
            "::1"
        };
        address = SocketAddr::new(loopback.parse().unwrap_or(address.ip()), address.port());
    }
    match probe(address) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("healthcheck: /healthz did not answer 200");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("healthcheck: {address}: {error}");
            ExitCode::from(1)
        }
    }
}

fn probe(address: SocketAddr) -> std::io::Result<bool> {
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut head = [0_u8; 16];
    let read = stream.read(&mut head)?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    Ok(status_line.starts_with("HTTP/1.1 200") || status_line.starts_with("HTTP/1.0 200"))
}
