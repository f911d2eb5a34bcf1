//! Builds the application state (pool, migrations, keys, hashing threads) and serves it on a
//! listener bound by the caller: `gatehouse serve` binds `GATEHOUSE_BIND`, tests bind port 0.
//! Here the routes meet their middleware, and the background upkeep starts.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt as _;
use utoipa_actix_web::scope::scope;

use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Db, SetupError, invalidations, rate_limits, revocations, sessions, verifications};
use crate::mail::Mailer;
use crate::middleware;
use crate::oauth::Providers;
use crate::routes::{self, AUTH_SCOPE};
use crate::seal::Sealer;
use crate::session::Sessions;
use crate::session::cookie::Cookies;
use crate::state::{AppState, KnownPaths};

/// Jobs that may wait for a hashing thread; beyond this, sign-ups and sign-ins get 503.
const HASH_QUEUE_PER_THREAD: usize = 32;
/// Rate-limit counters older than this are gone (the longest window is 15 minutes).
const STALE_COUNTER_MS: i64 = 24 * 3600 * 1000;
/// The HKDF `info` of the key that seals providers' tokens on accounts.
const PROVIDER_TOKENS_KEY: &str = "gatehouse provider-tokens v1";
/// How often expired sessions, revocations and stale counters are deleted.
const PRUNE_INTERVAL: Duration = Duration::from_secs(600);
/// Session-cache invalidations on SQLite are read within a second; kept a minute.
const STALE_INVALIDATION_MS: i64 = 60_000;

/// Connects, migrates, and makes keys and the dummy hash. Blocking; call before serving. Stores
/// a generated secret first (after every configuration check has passed), then opens the
/// database.
pub fn build(mut config: Config, clock: Clock) -> Result<AppState, SetupError> {
    let mail = config.mail.as_ref().map(Mailer::prepare).transpose()?;
    // Before anything is written too: an issuer that does not answer stops start-up.
    let oauth = Providers::discover(&config.oauth_providers, &config.base_url, &clock)?;
    config.persist_generated_secret()?;
    let (db, applied) = Db::open(&config.database_url)?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let hasher = Hasher::start(config.bcrypt_cost, threads, threads * HASH_QUEUE_PER_THREAD)?;
    let document = crate::openapi::document();
    let sessions = Sessions::new(&config)?;
    sessions.sync_blocking(&db, clock.now())?;
    sessions.connect_cache(&db, &config.database_url)?;
    let secrets: Vec<&str> = std::iter::once(&config.secret)
        .chain(&config.old_secrets)
        .map(|secret| secret.expose())
        .collect();
    let mailer = match mail {
        Some(mail) => Mailer::start(mail, &secrets, clock.clone())?,
        None => Mailer::disabled(),
    };
    let token_sealer = Sealer::new(PROVIDER_TOKENS_KEY, &secrets);
    Ok(AppState {
        mailer,
        oauth,
        token_sealer,
        sessions,
        cookies: Cookies::new(&config),
        known_paths: KnownPaths::from_openapi(&document),
        rate_limiter: RateLimiter {
            enabled: config.rate_limit,
        },
        openapi_json: crate::openapi::to_json(&document),
        draining: std::sync::atomic::AtomicBool::new(false),
        config,
        db,
        hasher,
        clock,
    })
}

/// Serves the API on `listener`. The returned server runs when awaited or spawned.
pub fn run(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let workers = state.config.workers;
    let max_connections = max_connections_per_worker(workers);
    let shutdown_timeout = u64::try_from(state.config.shutdown_timeout.num_seconds()).unwrap_or(30);
    spawn_pruning(state.clone());
    spawn_session_sync(state.clone());
    let stop = stop_signal(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(from_fn(middleware::head::head_as_get))
            .wrap(from_fn(middleware::panic::catch_panics))
            .wrap(from_fn(middleware::observe::observe))
            .into_utoipa_app()
            .service(
                scope(AUTH_SCOPE)
                    // Outermost last: CORS headers reach every answer, 429s included.
                    .wrap(from_fn(middleware::rate_limit::limit_requests))
                    .wrap(from_fn(middleware::cors::cors))
                    .configure(routes::auth_routes),
            )
            .configure(routes::operational_routes)
            .default_service(web::to(routes::fallback::fallback))
            .into_app()
            .service(routes::docs::reference())
    })
    .workers(workers)
    .max_connections(max_connections)
    .shutdown_timeout(shutdown_timeout)
    .shutdown_signal(stop)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Resolves when the service should begin its graceful stop: on SIGINT at once; on SIGTERM after
/// `GATEHOUSE_DRAIN_DELAY`, during which it goes on serving while `/readyz` answers 503 and every
/// answer closes its connection, so a load balancer stops sending before the listener closes
/// (and no request is sent on a kept-alive connection the stop would drop).
async fn stop_signal(state: web::Data<AppState>) {
    use futures_util::future::{Either, select};
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log::error!("cannot listen for SIGTERM and SIGINT; stop the process with SIGKILL");
        return std::future::pending().await;
    };
    let received = select(Box::pin(terminate.recv()), Box::pin(interrupt.recv())).await;
    let name = match received {
        Either::Left(_) => "SIGTERM",
        Either::Right(_) => "SIGINT",
    };
    let delay = state.config.drain_delay.to_std().unwrap_or_default();
    if name == "SIGTERM" && !delay.is_zero() {
        state
            .draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
        log::info!(
            "SIGTERM received; draining for {} ms (readiness 503, connections closed after each answer)",
            delay.as_millis()
        );
        tokio::time::sleep(delay).await;
    }
    log::info!(
        "{name} received; stopping: no new connections, in-flight requests get {} s",
        state.config.shutdown_timeout.num_seconds()
    );
}

/// Serves Prometheus metrics at `/metrics` on its own listener (`GATEHOUSE_METRICS_BIND`), with
/// one worker; installs the recorder first. Nothing else is served there.
pub fn serve_metrics(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let handle = crate::metrics::install().map_err(std::io::Error::other)?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(handle.clone()))
            .route("/metrics", web::get().to(routes::health::metrics))
    })
    .workers(1)
    // It ends with the process, after the service has drained and stopped.
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// File descriptors kept free of client connections: the database pool, log and listener.
const RESERVED_DESCRIPTORS: u64 = 256;
/// actix-web's own default.
const MAX_CONNECTIONS_PER_WORKER: u64 = 25_000;

/// Raises the soft limit on open files to the hard limit, so the connection cap below, not the
/// default soft limit of 1024, bounds what slow clients can hold open. Best effort.
pub fn raise_open_file_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(error) = setrlimit(Resource::Nofile, raised) {
            log::warn!("cannot raise the open-file limit: {error}");
        }
    }
}

/// How many connections each worker accepts at once: the open-file limit, less a reserve,
/// shared between the workers. Past it, new connections wait in the listen queue instead of
/// failing every request for want of a descriptor.
fn max_connections_per_worker(workers: usize) -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(MAX_CONNECTIONS_PER_WORKER);
    let workers = u64::try_from(workers.max(1)).unwrap_or(1);
    let per_worker = (limit.saturating_sub(RESERVED_DESCRIPTORS) / workers)
        .clamp(16, MAX_CONNECTIONS_PER_WORKER);
    usize::try_from(per_worker).unwrap_or(25_000)
}

/// Keeps what the session strategy holds in memory (the jwt deny-list) in step with what every
/// instance records in the database.
fn spawn_session_sync(state: web::Data<AppState>) {
    let Some(interval) = state.sessions.sync_interval() else {
        return;
    };
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = state.sessions.sync(&state.db, state.clock.now()).await {
                log::warn!("cannot read session revocations: {error}");
            }
        }
    });
}

/// Deletes expired sessions, JWT revocations, mailed tokens and stale rate-limit counters now and
/// then, so no table grows forever.
fn spawn_pruning(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval(PRUNE_INTERVAL);
        loop {
            ticks.tick().await;
            let now = state.clock.now();
            let (naive, stale_ms) = (now.naive_utc(), now.timestamp_millis() - STALE_COUNTER_MS);
            let pruned = state
                .db
                .run(move |conn| {
                    Ok(sessions::prune_expired(conn, naive)?
                        + revocations::prune_expired(conn, naive)?
                        + rate_limits::prune(conn, stale_ms)?
                        + verifications::prune_expired(conn, naive)?
                        + invalidations::prune(conn, STALE_INVALIDATION_MS)?)
                })
                .await;
            match pruned {
                Ok(0) => {}
                Ok(count) => log::debug!("pruned {count} expired rows"),
                Err(error) => log::warn!("pruning failed: {error}"),
            }
        }
    });
}
