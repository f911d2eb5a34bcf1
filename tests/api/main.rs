//! The one integration-test binary: real HTTP against the real application, on a fresh database
//! per test. Run it once per backend and strategy (see `scripts/test.sh`).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly, with the value it met"
)]

mod account;
mod admin_api;
mod admin_cli;
mod change_email;
mod concurrency;
mod cors;
mod csrf;
mod database_sessions;
mod delete_by_mail;
mod email_verification;
mod errors;
mod exit;
mod foreign_hashes;
mod get_session;
mod health;
mod helpers;
mod import;
mod jwt_sessions;
mod magic_link;
mod mail_delivery;
mod mail_webhook;
mod migrations;
mod observability;
mod oidc;
mod openapi;
mod outage;
mod password_reset;
mod postgres_tls;
mod process;
mod proxies;
mod queries;
mod rate_limits;
mod readme;
mod session_cache;
mod session_management;
mod sign_in;
mod sign_out;
mod sign_up;
mod slow_clients;
mod smtp;
mod social;
mod social_github;
mod social_id_token;
mod start_up;
mod timing;
mod token_purposes;
mod verify;
