//! gatehouse: a standalone authentication service with Better Auth's wire format.
//!
//! Modules import one way, from the top of this list to the bottom: `startup` wires `routes` and
//! `middleware` around the shared `state`, and `cli` and `import` run commands; handlers and `cli` call
//! `admin`, which (like the handlers) calls `session`, `auth`, `mail` and `oauth`; `session` and
//! `auth` call `db`;
//! everything may use `config`, `error`, `clock`, `ids`, `seal` and `metrics`.

/// Administration: user management and bans, each action written to the audit log.
pub mod admin;
/// Password hashing, credential checks, trusted origins, client addresses and abuse counters.
pub mod auth;
/// `gatehouse user …`: administration from the server's shell.
pub mod cli;
/// The only place that reads the wall clock.
pub mod clock;
/// Typed configuration from the environment, validated once.
pub mod config;
/// One diesel code base over SQLite and PostgreSQL, with embedded migrations.
pub mod db;
/// Wire shapes: camelCase JSON with millisecond dates.
pub mod dto;
/// The one error type, mapping each variant to a status and a stable code.
pub mod error;
/// Request bodies: content type, size, syntax and field validation.
pub mod extract;
/// Random identifiers and tokens, and the digests that stand in for secrets.
pub mod ids;
/// `gatehouse import …`: users from Better Auth, Auth.js and Lucia databases.
pub mod import;
/// Log lines as text or JSON.
pub mod logging;
/// Mail delivery off the request path, and the built-in messages.
pub mod mail;
/// Prometheus metrics: names, the recorder, the scraped gauges.
pub mod metrics;
/// Request ids, the access log, CORS, abuse limits, the panic guard and `HEAD`: what wraps the
/// routes.
pub mod middleware;
/// OAuth 2.0 / OpenID Connect providers: discovery, the code exchange and ID-token checks.
pub mod oauth;
/// The generated OpenAPI document.
pub mod openapi;
/// Route registration (and so documentation) and the handlers.
pub mod routes;
/// The rules request fields follow, declared once for the validators and the schemas.
pub mod rules;
/// Keys derived from the secret for one use each, and authenticated encryption with them.
pub mod seal;
/// Sessions over both strategies, and the cookie and bearer header that carry them.
pub mod session;
/// Builds the shared state and serves the routes wrapped in their middleware.
pub mod startup;
/// What every request shares: configuration and the service's parts.
pub mod state;
