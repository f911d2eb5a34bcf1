//! gatehouse: a standalone authentication service with Better Auth's wire format.

/// Password hashing, credential checks, trusted origins and client addresses.
pub mod auth;
/// The only place that reads the wall clock.
pub mod clock;
/// Typed configuration from the environment, validated once.
pub mod config;
/// CORS for trusted origins on `/api/auth`.
pub mod cors;
/// One diesel code base over SQLite and PostgreSQL, with embedded migrations.
pub mod db;
/// Wire shapes: camelCase JSON with millisecond dates.
pub mod dto;
/// The one error type, mapping each variant to a status and a stable code.
pub mod error;
/// Request bodies: content type, size, syntax and field validation.
pub mod extract;
/// `HEAD` answered as `GET` without a body.
pub mod head;
/// Random identifiers and tokens.
pub mod ids;
/// The generated OpenAPI document.
pub mod openapi;
/// Turns a panic in a handler into a 500 JSON answer.
pub mod panic;
/// Route registration (and so documentation) and the handlers.
pub mod routes;
/// Sessions over both strategies, and the cookie and bearer header that carry them.
pub mod session;
/// Application state and the HTTP server.
pub mod startup;
