//! The per-address abuse limits (README, "Abuse limits"): every POST to a known `/api/auth` route
//! (bar `/verify`), and every GET of a mailed link, counts against its client address and
//! canonical route, after routing (unknown paths stay 404/405) and before the body is read.

use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use chrono::Duration;
use ipnet::Ipv6Net;

use crate::auth::client_ip;
use crate::auth::rate_limit::Limit;
use crate::error::ApiError;
use crate::metrics;
use crate::state::AppState;

const GENERAL: Limit = Limit {
    hits: 100,
    window: Duration::seconds(10),
};
const SIGN_IN_AND_UP: Limit = Limit {
    hits: 10,
    window: Duration::seconds(60),
};
/// The endpoints that check the signed-in user's password: a wrong password also counts as a
/// failed sign-in of the account.
const PASSWORD_CHECKS: Limit = Limit {
    hits: 10,
    window: Duration::seconds(60),
};

/// Requests that mail someone, per client address.
const MAIL: Limit = Limit {
    hits: 3,
    window: Duration::seconds(60),
};

/// The GET routes a mailed link opens, and the OAuth callback, counted like the POSTs (100 per
/// 10 s per client address).
const MAILED_LINKS: [&str; 6] = [
    "/api/auth/callback/{providerId}",
    "/api/auth/delete-user/callback",
    "/api/auth/reset-password/{token}",
    "/api/auth/reset-password-page",
    "/api/auth/verify-email",
    "/api/auth/magic-link/verify",
];

/// The bucket of a path: aliases share their canonical route's.
fn route_limit(path: &str) -> (&str, Limit) {
    match path {
        "/api/auth/sign-up" | "/api/auth/sign-up/email" => ("/api/auth/sign-up", SIGN_IN_AND_UP),
        "/api/auth/sign-in" | "/api/auth/sign-in/email" | "/api/auth/sign-in/username" => {
            ("/api/auth/sign-in", SIGN_IN_AND_UP)
        }
        // Each stores a sign-in in progress for ten minutes.
        "/api/auth/sign-in/social" | "/api/auth/link-social" => (path, SIGN_IN_AND_UP),
        "/api/auth/change-password"
        | "/api/auth/change-email"
        | "/api/auth/verify-password"
        | "/api/auth/delete-user" => (path, PASSWORD_CHECKS),
        "/api/auth/request-password-reset"
        | "/api/auth/send-verification-email"
        | "/api/auth/sign-in/magic-link" => (path, MAIL),
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
    // Mailed links are counted by their route template, never by the token in their path.
    let route = match *req.method() {
        Method::POST
            if req.path() != "/api/auth/verify" && state.known_paths.takes_post(req.path()) =>
        {
            Some(req.path().to_owned())
        }
        Method::GET => req
            .match_pattern()
            .filter(|pattern| MAILED_LINKS.contains(&pattern.as_str())),
        _ => None,
    };
    let Some(route) = route.filter(|_| state.rate_limiter.enabled) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let address = client_ip::of_request(req.request(), &state.config.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), address_key);
    let (route, limit) = route_limit(&route);
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
        Err(error) => {
            if matches!(error, ApiError::TooManyRequests { .. }) {
                metrics::rate_limited(route);
                if route == "/api/auth/sign-in" {
                    metrics::sign_in(metrics::SignIn::Throttled);
                }
            }
            Ok(req.into_response(error.to_response()).map_into_right_body())
        }
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
}
