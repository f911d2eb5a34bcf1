//! What every request shares: the configuration and the service's parts, built once by
//! `startup`. A low floor: routes and middleware import it, and it imports nothing of theirs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use utoipa::openapi::OpenApi;

use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::oauth::Providers;
use crate::seal::Sealer;
use crate::session::Sessions;
use crate::session::cookie::Cookies;

/// Everything a request may need, shared by all workers.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub sessions: Sessions,
    pub cookies: Cookies,
    pub hasher: Hasher,
    pub rate_limiter: RateLimiter,
    /// Queues mail; disabled without a transport.
    pub mailer: Mailer,
    /// The OAuth / OpenID Connect providers, discovered at start-up.
    pub oauth: Providers,
    /// Seals the providers' tokens stored on accounts.
    pub token_sealer: Sealer,
    pub clock: Clock,
    pub known_paths: KnownPaths,
    /// The OpenAPI document, serialised once.
    pub openapi_json: String,
    /// Set on SIGTERM for `GATEHOUSE_DRAIN_DELAY`: readiness fails and every answer closes its
    /// connection, so load balancers move on before the listener closes.
    pub draining: AtomicBool,
}

impl AppState {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// How long a client may take to send a request body.
    pub fn request_timeout(&self) -> Duration {
        self.config
            .request_timeout
            .to_std()
            .unwrap_or(Duration::from_secs(10))
    }
}

/// Every documented path and the value of its `Allow` header, taken from the OpenAPI document so
/// they cannot drift from the routes: the 405 answer, CORS preflights and the abuse limits ask it.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths(BTreeMap<String, String>);

impl KnownPaths {
    pub fn from_openapi(document: &OpenApi) -> Self {
        let paths = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, declared)| declared.then_some(method))
                .collect();
                (path.clone(), methods.join(", "))
            })
            .collect();
        Self(paths)
    }

    /// The `Allow` value of a known path.
    pub fn allow(&self, path: &str) -> Option<&str> {
        self.0.get(path).map(String::as_str)
    }

    /// Whether a known path takes `POST`.
    pub fn takes_post(&self, path: &str) -> bool {
        self.allow(path)
            .is_some_and(|allow| allow.split(", ").any(|method| method == "POST"))
    }
}
