//! Random identifiers and tokens: 32 characters of `[A-Za-z0-9]` from the thread-local CSPRNG
//! (about 190 bits), as the contract specifies for ids and database session tokens.

use rand::RngExt as _;
use rand::distr::Alphanumeric;

/// A fresh id or opaque token.
pub fn random_id() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
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
