//! Prometheus metrics (`GATEHOUSE_METRICS=on`): the names, and the one recorder they go to. The
//! parts that count call the functions here; without the recorder (metrics off) the `metrics`
//! crate's macros do nothing. Labels never carry an identifier (no email, user id, address or
//! token), so a series count stays bounded whatever clients send.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "gatehouse_http_requests_total";
pub const HTTP_DURATION: &str = "gatehouse_http_request_duration_seconds";
pub const SIGN_INS: &str = "gatehouse_sign_ins_total";
pub const RATE_LIMITED: &str = "gatehouse_rate_limited_total";
pub const HASH_QUEUE: &str = "gatehouse_hash_queue_depth";
pub const HASH_REJECTED: &str = "gatehouse_hash_rejected_total";
pub const DB_CONNECTIONS: &str = "gatehouse_db_pool_connections";
pub const DB_MAX: &str = "gatehouse_db_pool_max_connections";
pub const DB_WAIT: &str = "gatehouse_db_pool_wait_seconds";
pub const DB_TIMEOUTS: &str = "gatehouse_db_pool_timeouts_total";
pub const CACHE_LOOKUPS: &str = "gatehouse_session_cache_lookups_total";
pub const CACHE_EVICTIONS: &str = "gatehouse_session_cache_evictions_total";
pub const CACHE_ENTRIES: &str = "gatehouse_session_cache_entries";
pub const CACHE_LISTENER: &str = "gatehouse_session_cache_listener_connected";
pub const DENY_LIST_SIZE: &str = "gatehouse_jwt_deny_list_size";
pub const DENY_LIST_LAG: &str = "gatehouse_jwt_deny_list_lag_seconds";

/// Every metric gatehouse exports (the Grafana dashboard's test checks its queries against it).
pub const NAMES: [&str; 16] = [
    HTTP_REQUESTS,
    HTTP_DURATION,
    SIGN_INS,
    RATE_LIMITED,
    HASH_QUEUE,
    HASH_REJECTED,
    DB_CONNECTIONS,
    DB_MAX,
    DB_WAIT,
    DB_TIMEOUTS,
    CACHE_LOOKUPS,
    CACHE_EVICTIONS,
    CACHE_ENTRIES,
    CACHE_LISTENER,
    DENY_LIST_SIZE,
    DENY_LIST_LAG,
];

/// Request latencies: 1 ms (a cached get-session) to 10 s (a request timeout).
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Pool checkouts: usually microseconds, at worst the checkout timeout.
const WAIT_BUCKETS: [f64; 12] = [
    0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
];

/// How a sign-in with a password ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignIn {
    Success,
    /// A wrong password or an unknown email or username (the client cannot tell them apart
    /// either).
    InvalidCredentials,
    /// The right password of a user who must verify their address first.
    EmailNotVerified,
    /// Refused by the per-address limit before the password was looked at.
    Throttled,
    /// Refused because the account (or identifier) failed too often.
    Locked,
    /// Any other refusal: a malformed request, an untrusted origin, the hashing queue full.
    Refused,
}

impl SignIn {
    const ALL: [Self; 6] = [
        Self::Success,
        Self::InvalidCredentials,
        Self::EmailNotVerified,
        Self::Throttled,
        Self::Locked,
        Self::Refused,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::InvalidCredentials => "invalid_credentials",
            Self::EmailNotVerified => "email_not_verified",
            Self::Throttled => "throttled",
            Self::Locked => "locked",
            Self::Refused => "refused",
        }
    }
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle), describes every
/// metric and sets the counters that are known up front to zero, so a dashboard's `rate()` has a
/// series from the first scrape.
pub fn install() -> Result<PrometheusHandle, String> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &LATENCY_BUCKETS)
        .and_then(|builder| {
            builder.set_buckets_for_metric(Matcher::Full(DB_WAIT.to_owned()), &WAIT_BUCKETS)
        })
        .map_err(|error| format!("metrics: {error}"))?
        .build_recorder();
    let handle = recorder.handle();
    // Another thread may have won the race; its recorder is the one installed.
    if metrics::set_global_recorder(recorder).is_err() {
        return HANDLE
            .get()
            .cloned()
            .ok_or_else(|| "metrics: another recorder is installed".to_owned());
    }
    let handle = HANDLE.get_or_init(|| handle).clone();
    describe();
    Ok(handle)
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by route template, method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time from the request's arrival to its answer, by route template, method and status."
    );
    describe_counter!(
        SIGN_INS,
        "Password sign-ins (email or username) by outcome; never by user."
    );
    describe_counter!(
        RATE_LIMITED,
        "Requests refused by a per-address abuse limit, by route."
    );
    describe_gauge!(HASH_QUEUE, "Password hashing jobs waiting for a thread.");
    describe_counter!(
        HASH_REJECTED,
        "Password hashing jobs refused because the queue was full (answered 503)."
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database pool connections by state (in_use, idle)."
    );
    describe_gauge!(DB_MAX, "The database pool's size.");
    describe_histogram!(
        DB_WAIT,
        metrics::Unit::Seconds,
        "Time spent waiting for a pooled database connection."
    );
    describe_counter!(
        DB_TIMEOUTS,
        "Waits for a pooled database connection that gave up (answered 503)."
    );
    describe_counter!(
        CACHE_LOOKUPS,
        "Session cache lookups (database strategy) by result: hit, miss, bypassed."
    );
    describe_counter!(
        CACHE_EVICTIONS,
        "Session cache entries removed, by cause: invalidated, expired, size, replaced."
    );
    describe_gauge!(CACHE_ENTRIES, "Sessions held by the session cache.");
    describe_gauge!(
        CACHE_LISTENER,
        "1 while the session cache hears other instances' invalidations, else 0 (bypassed)."
    );
    describe_gauge!(DENY_LIST_SIZE, "Revoked JWT sessions held in memory.");
    describe_gauge!(
        DENY_LIST_LAG,
        metrics::Unit::Seconds,
        "Time since the JWT deny-list was last read from the database."
    );
    for outcome in SignIn::ALL {
        counter!(SIGN_INS, "outcome" => outcome.label()).absolute(0);
    }
    counter!(HASH_REJECTED).absolute(0);
    counter!(DB_TIMEOUTS).absolute(0);
    gauge!(HASH_QUEUE).set(0.0);
}

/// The handle of the installed recorder, if metrics are on.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get()
}

/// A request answered. `route` is the route's template (or `unmatched`), never the raw path.
pub fn request(route: &str, method: &str, status: u16, elapsed: Duration) {
    if HANDLE.get().is_none() {
        return;
    }
    let labels = [
        ("route", route.to_owned()),
        ("method", method.to_owned()),
        ("status", status.to_string()),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(elapsed.as_secs_f64());
}

pub fn sign_in(outcome: SignIn) {
    counter!(SIGN_INS, "outcome" => outcome.label()).increment(1);
}

/// A request refused by the per-address limit of `route` (a canonical route template).
pub fn rate_limited(route: &str) {
    if HANDLE.get().is_none() {
        return;
    }
    counter!(RATE_LIMITED, "route" => route.to_owned()).increment(1);
}

/// A hashing job queued (`1`) or taken by a thread (`-1`).
pub fn hash_queue(change: f64) {
    gauge!(HASH_QUEUE).increment(change);
}

pub fn hash_rejected() {
    counter!(HASH_REJECTED).increment(1);
}

pub fn db_checkout(waited: Duration) {
    histogram!(DB_WAIT).record(waited.as_secs_f64());
}

pub fn db_timeout() {
    counter!(DB_TIMEOUTS).increment(1);
}

/// A session-cache lookup: `hit`, `miss` or `bypassed` (the listener is away).
pub fn cache_lookup(result: &'static str) {
    counter!(CACHE_LOOKUPS, "result" => result).increment(1);
}

pub fn cache_eviction(cause: &'static str) {
    counter!(CACHE_EVICTIONS, "cause" => cause).increment(1);
}

/// What is read when scraped rather than counted as it happens.
#[derive(Debug, Default)]
pub struct Gauges {
    pub db_in_use: u32,
    pub db_idle: u32,
    pub db_max: u32,
    /// Entries and whether it is live, when there is a session cache.
    pub cache: Option<(u64, bool)>,
    /// Size and seconds since the last read, when there is a deny-list.
    pub deny_list: Option<(usize, f64)>,
}

/// Sets the scraped gauges and renders every metric in Prometheus' text format.
pub fn render(handle: &PrometheusHandle, gauges: &Gauges) -> String {
    gauge!(DB_CONNECTIONS, "state" => "in_use").set(gauges.db_in_use);
    gauge!(DB_CONNECTIONS, "state" => "idle").set(gauges.db_idle);
    gauge!(DB_MAX).set(gauges.db_max);
    if let Some((entries, live)) = gauges.cache {
        // u64 to f64: exact below 2^53 entries.
        #[allow(clippy::cast_precision_loss)]
        gauge!(CACHE_ENTRIES).set(entries as f64);
        gauge!(CACHE_LISTENER).set(if live { 1.0 } else { 0.0 });
    }
    if let Some((size, lag)) = gauges.deny_list {
        #[allow(clippy::cast_precision_loss)]
        gauge!(DENY_LIST_SIZE).set(size as f64);
        gauge!(DENY_LIST_LAG).set(lag);
    }
    handle.run_upkeep();
    handle.render()
}
