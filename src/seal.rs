//! Keys derived from the secret for one use each, and sealing: authenticated encryption of the
//! few secrets gatehouse must read back (an OAuth sign-in's state, a provider's tokens).
//!
//! Every key is `HKDF-SHA256(IKM = secret, salt = empty, info = "gatehouse <use> v1")` (RFC
//! 5869): the secret itself signs cookies and HS256 session JWTs, so a key for anything else is
//! derived and cannot be turned back into the secret. A sealed value is base64url (no padding)
//! of a 24-byte random nonce and the XChaCha20-Poly1305 ciphertext; `context` is authenticated
//! with it, so a value sealed for one row or purpose does not open for another.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

/// The 32-byte key of `secret` for `info` (a string naming the use and its version).
pub fn derive_key(secret: &str, info: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32: expand cannot fail.
    let _ = Hkdf::<Sha256>::new(None, secret.as_bytes()).expand(info.as_bytes(), &mut key);
    key
}

/// Seals with the current secret's key and opens with it or any old secret's.
pub struct Sealer {
    /// The current key first.
    keys: Vec<XChaCha20Poly1305>,
}

impl Sealer {
    /// A sealer for one use (`info`), from the secrets, current first.
    pub fn new(info: &str, secrets: &[&str]) -> Self {
        Self {
            keys: secrets
                .iter()
                .map(|secret| XChaCha20Poly1305::new(&derive_key(secret, info).into()))
                .collect(),
        }
    }

    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> String {
        let nonce: [u8; 24] = rand::random();
        let sealed = self.keys.first().and_then(|key| {
            key.encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .ok()
        });
        let mut out = nonce.to_vec();
        out.extend(sealed.unwrap_or_default());
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The plaintext, or `None` for anything not sealed by these secrets with this context.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 24 + 16 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        self.keys.iter().find_map(|key| {
            key.decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_context_and_secrets() {
        let sealer = Sealer::new("gatehouse test v1", &["current-secret"]);
        let sealed = sealer.seal(b"provider access token", b"account 1");

        assert_eq!(
            sealer.open(&sealed, b"account 1").as_deref(),
            Some(&b"provider access token"[..])
        );
        assert_eq!(sealer.open(&sealed, b"account 2"), None);
        assert_eq!(
            Sealer::new("gatehouse other v1", &["current-secret"]).open(&sealed, b"account 1"),
            None
        );
        assert_eq!(
            Sealer::new("gatehouse test v1", &["another-secret"]).open(&sealed, b"account 1"),
            None
        );
        let rotated = Sealer::new("gatehouse test v1", &["new-secret", "current-secret"]);
        assert!(
            rotated.open(&sealed, b"account 1").is_some(),
            "old secrets still open"
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            sealer.open(&String::from_utf8(tampered).unwrap(), b"account 1"),
            None
        );
        assert_eq!(sealer.open("", b""), None);
        assert_ne!(
            sealer.seal(b"x", b""),
            sealer.seal(b"x", b""),
            "a fresh nonce each time"
        );
    }
}
