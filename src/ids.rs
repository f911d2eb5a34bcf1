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

/// A mailed token: 32 CSPRNG bytes in base64url without padding (43 characters). Only its
/// [`sha256_hex`] is stored.
pub fn mail_token() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Lower-case hex SHA-256: 64 characters, whatever the input's length.
pub fn sha256_hex(input: &str) -> String {
    hex(&Sha256::digest(input.as_bytes()))
}

/// Lower-case hex, two characters a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn mail_tokens_are_43_base64url_characters_and_differ() {
        let (a, b) = (mail_token(), mail_token());

        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
    }
}
