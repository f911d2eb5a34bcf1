//! Password hashing, origin checks and client addresses: the security rules shared by routes.

pub mod account;
pub mod client_ip;
pub mod credentials;
pub mod foreign_hash;
pub mod origin;
pub mod password;
pub mod rate_limit;
