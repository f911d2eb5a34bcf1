//! Abuse limits (README, "Abuse limits"): per client address and canonical route on every POST under
//! `/api/auth` (bar `/verify`), and per account for failed sign-ins. Counters live in the database,
//! so instances sharing it share the limits.

use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use chrono::{DateTime, Duration, Utc};
use ipnet::Ipv6Net;

use crate::auth::client_ip::client_ip;
use crate::db::users::Identifier;
use crate::db::{Db, rate_limits};
use crate::error::ApiError;
use crate::ids::sha256_hex;
use crate::startup::AppState;

/// A limit: so many hits per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub hits: i32,
    pub window: Duration,
}

const GENERAL: Limit = Limit {
    hits: 100,
    window: Duration::seconds(10),
};
const SIGN_IN_AND_UP: Limit = Limit {
    hits: 10,
    window: Duration::seconds(60),
};
/// From the fifth failure until the window ends, the identifier cannot sign in.
const FAILED_SIGN_INS: Limit = Limit {
    hits: 5,
    window: Duration::minutes(15),
};

/// The bucket of a path: aliases share their canonical route's.
fn route_limit(path: &str) -> (&str, Limit) {
    match path {
        "/api/auth/sign-up" | "/api/auth/sign-up/email" => ("/api/auth/sign-up", SIGN_IN_AND_UP),
        "/api/auth/sign-in" | "/api/auth/sign-in/email" | "/api/auth/sign-in/username" => {
            ("/api/auth/sign-in", SIGN_IN_AND_UP)
        }
        other => (other, GENERAL),
    }
}

/// An address as a rate-limit key: IPv6 clients are grouped by /64, which one subscriber usually
/// holds whole.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

/// Whole seconds until a window ends, at least 1.
fn retry_after_secs(window_start_ms: i64, limit: Limit, now_ms: i64) -> u64 {
    let remaining_ms = window_start_ms + limit.window.num_milliseconds() - now_ms;
    u64::try_from((remaining_ms + 999) / 1000)
        .unwrap_or(0)
        .max(1)
}

fn now_ms(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

/// Whose failed sign-ins a counter counts.
#[derive(Debug, Clone, Copy)]
pub enum SignInSubject<'a> {
    /// An account, by its user id, whichever identifier (email or username) named it: five
    /// failures lock the account, not one spelling of it.
    Account(&'a str),
    /// An identifier that names no account; counted alike, so a lock reveals nothing.
    Unknown(&'a Identifier),
}

impl SignInSubject<'_> {
    /// The counter's key. User input is hashed, so no key outgrows an index, whatever was sent.
    fn failure_key(&self) -> String {
        match self {
            Self::Account(user_id) => format!("failed-sign-in:user:{user_id}"),
            Self::Unknown(Identifier::Email(email)) => {
                format!(
                    "failed-sign-in:unknown:{}",
                    sha256_hex(&format!("email:{email}"))
                )
            }
            Self::Unknown(Identifier::Username(username)) => format!(
                "failed-sign-in:unknown:{}",
                sha256_hex(&format!("username:{username}"))
            ),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RateLimiter {
    pub enabled: bool,
}

impl RateLimiter {
    /// Counts a hit for `key` and refuses it past `limit`.
    async fn count(
        &self,
        db: &Db,
        key: String,
        limit: Limit,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let (now_ms, window_ms) = (now_ms(now), limit.window.num_milliseconds());
        let window = db
            .run(move |conn| rate_limits::hit(conn, &key, now_ms, window_ms))
            .await?;
        if window.count > limit.hits {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry_after_secs(window.window_start, limit, now_ms),
            });
        }
        Ok(())
    }

    /// Refuses a sign-in for an account (or unknown identifier) that has failed too often, before
    /// any password work.
    pub async fn check_sign_in(
        &self,
        db: &Db,
        subject: &SignInSubject<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let (key, now_ms) = (subject.failure_key(), now_ms(now));
        let window_ms = FAILED_SIGN_INS.window.num_milliseconds();
        let current = db
            .run(move |conn| rate_limits::current(conn, &key, now_ms, window_ms))
            .await?;
        match current {
            Some(window) if window.count >= FAILED_SIGN_INS.hits => {
                Err(ApiError::TooManyRequests {
                    retry_after_secs: retry_after_secs(
                        window.window_start,
                        FAILED_SIGN_INS,
                        now_ms,
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// Records a sign-in's outcome: a failure counts (unknown identifiers too, so the throttle
    /// reveals nothing); a success clears the count.
    pub async fn record_sign_in(
        &self,
        db: &Db,
        subject: &SignInSubject<'_>,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let key = subject.failure_key();
        if succeeded {
            return db.run(move |conn| rate_limits::clear(conn, &key)).await;
        }
        let (now_ms, window_ms) = (now_ms(now), FAILED_SIGN_INS.window.num_milliseconds());
        db.run(move |conn| rate_limits::hit(conn, &key, now_ms, window_ms))
            .await?;
        Ok(())
    }
}

/// Counts every POST to a known `/api/auth` route (bar `/verify`) per client address and canonical
/// route, after routing (unknown paths stay 404/405) and before the body is read.
pub async fn limit_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let counted = state.rate_limiter.enabled
        && req.method() == Method::POST
        && req.path() != "/api/auth/verify"
        && state
            .known_paths
            .allow(req.path())
            .is_some_and(|allow| allow.split(", ").any(|m| m == "POST"));
    if !counted {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    let address = client_ip(
        req.peer_addr().map(|addr| addr.ip()),
        forwarded,
        &state.config.trusted_proxies,
    )
    .map_or_else(|| "unknown".to_owned(), address_key);
    let (route, limit) = route_limit(req.path());
    let key = format!("ip:{address}:{route}");
    match state
        .rate_limiter
        .count(&state.db, key, limit, state.clock.now())
        .await
    {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Err(error) => Ok(req.into_response(error.to_response()).map_into_right_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_share_their_canonical_bucket() {
        assert_eq!(
            route_limit("/api/auth/sign-in/username"),
            ("/api/auth/sign-in", SIGN_IN_AND_UP)
        );
        assert_eq!(
            route_limit("/api/auth/sign-up/email"),
            ("/api/auth/sign-up", SIGN_IN_AND_UP)
        );
        assert_eq!(
            route_limit("/api/auth/sign-out"),
            ("/api/auth/sign-out", GENERAL)
        );
    }

    #[test]
    fn ipv6_clients_are_grouped_by_64() {
        let a = address_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = address_key("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = address_key("2001:db8:1:3::1".parse().unwrap());

        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(address_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
    }

    #[test]
    fn failure_keys_are_bounded_whatever_the_identifier() {
        let long = Identifier::Email(format!("{}@example.com", "a".repeat(5000)));
        let user = SignInSubject::Account("2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY");

        assert_eq!(SignInSubject::Unknown(&long).failure_key().len(), 87);
        assert_ne!(
            SignInSubject::Unknown(&Identifier::Email("al".into())).failure_key(),
            SignInSubject::Unknown(&Identifier::Username("al".into())).failure_key()
        );
        assert_eq!(
            user.failure_key(),
            "failed-sign-in:user:2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY"
        );
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        assert_eq!(retry_after_secs(0, SIGN_IN_AND_UP, 59_001), 1);
        assert_eq!(retry_after_secs(0, SIGN_IN_AND_UP, 60_000), 1);
        assert_eq!(retry_after_secs(0, SIGN_IN_AND_UP, 1), 60);
        assert_eq!(retry_after_secs(0, SIGN_IN_AND_UP, 500), 60);
    }
}
