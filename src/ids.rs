//! Random identifiers and tokens: 32 characters of `[A-Za-z0-9]` from the thread-local CSPRNG
//! (about 190 bits), for ids and database session tokens; and the SHA-256 digests that stand in
//! for secrets and user input wherever they are stored.

use rand::RngExt as _;
use rand::distr::Alphanumeric;
use sha2::{Digest as _, Sha256};

/// A fresh id or opaque token.
pub fn random_id() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// Lower-case hex SHA-256: 64 characters, whatever the input's length.
pub fn sha256_hex(input: &str) -> String {
    Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_alphanumerics_and_differ() {
        let (a, b) = (random_id(), random_id());

        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
