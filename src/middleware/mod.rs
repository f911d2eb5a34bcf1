//! Request middleware: what wraps the routes (`startup` puts it around them), never imported by
//! them.

pub mod cors;
pub mod head;
pub mod observe;
pub mod panic;
pub mod rate_limit;
