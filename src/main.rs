//! `gatehouse [serve | migrate | openapi | healthcheck | jwt-key]`: read the configuration, start logging,
//! open the database, bind the socket, serve.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs as _};
use std::process::ExitCode;
use std::time::Duration;

use actix_web::web;
use gatehouse::clock::Clock;
use gatehouse::config::{Config, SecretSource};
use gatehouse::startup::{self, AppState};

const USAGE: &str = "usage: gatehouse [serve | migrate | openapi | healthcheck | jwt-key]

  serve        run the service (the default)
  migrate      apply pending database migrations and exit
  openapi      print the OpenAPI document (what openapi/openapi.json holds)
  healthcheck  exit 0 when the service on GATEHOUSE_BIND answers /healthz
  jwt-key      print a new Ed25519 private key (PKCS#8 PEM) for GATEHOUSE_JWT_PRIVATE_KEY

Configuration comes from the environment; see README.md.";

fn main() -> ExitCode {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    match command.as_str() {
        "serve" => serve(),
        "migrate" => migrate(),
        "openapi" => {
            print!("{}", gatehouse::openapi::document_json());
            ExitCode::SUCCESS
        }
        "healthcheck" => healthcheck(),
        "jwt-key" => match gatehouse::session::jwt::generate_private_key_pem() {
            Ok(pem) => {
                print!("{pem}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("gatehouse: {error}");
                ExitCode::from(1)
            }
        },
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "version" | "-V" | "--version" => {
            println!("gatehouse {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("gatehouse: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn init_logging() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
}

fn load_config() -> Result<Config, ExitCode> {
    Config::from_env().map_err(|error| {
        eprintln!("gatehouse: {error}");
        log::error!("{error}");
        ExitCode::from(2)
    })
}

fn serve() -> ExitCode {
    init_logging();
    let config = match load_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    match &config.secret_source {
        SecretSource::File(path) => log::warn!(
            "no GATEHOUSE_SECRET set: using the generated secret in {} (set GATEHOUSE_SECRET in production)",
            path.display()
        ),
        SecretSource::Ephemeral => log::warn!(
            "no GATEHOUSE_SECRET set: using a random secret for this in-memory database; sessions end with the process"
        ),
        SecretSource::Environment(_) => {}
    }
    if !config.rate_limit {
        log::warn!("GATEHOUSE_RATE_LIMIT=off: abuse limits are disabled");
    }
    let listener = match TcpListener::bind(&config.bind) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "gatehouse: cannot bind GATEHOUSE_BIND={}: {error}",
                config.bind
            );
            return ExitCode::from(1);
        }
    };
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
    let state = match AppState::build(config, Clock::system()) {
        Ok(state) => web::Data::new(state),
        Err(error) => {
            eprintln!("gatehouse: cannot start: {error}");
            log::error!("cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let server = startup::run(listener, state)?;
        log::info!("{summary}");
        server.await
    });
    match result {
        Ok(()) => {
            log::info!("gatehouse stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gatehouse: {error}");
            ExitCode::from(1)
        }
    }
}

fn migrate() -> ExitCode {
    init_logging();
    let config = match load_config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    let db = gatehouse::db::Db::new(&config.database_url);
    match db.migrate() {
        Ok(applied) if applied.is_empty() => {
            println!("no pending migrations ({})", config.database_url);
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            println!("applied: {} ({})", applied.join(", "), config.database_url);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gatehouse: migration failed: {error}");
            ExitCode::from(1)
        }
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
