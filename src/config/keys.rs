//! Ed25519 keys for EdDSA JWTs: read from PEM files at start-up, and made by `gatehouse jwt-key`.

use ed25519_dalek::pkcs8::spki::DecodePublicKey as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// The private key that signs JWTs. Its `Debug` prints nothing of it.
#[derive(Clone)]
pub struct JwtSigningKey(pub SigningKey);

impl std::fmt::Debug for JwtSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSigningKey(<redacted>)")
    }
}

/// An Ed25519 private key from PKCS#8 PEM.
pub fn parse_private_key(pem: &str) -> Result<SigningKey, String> {
    SigningKey::from_pkcs8_pem(pem)
        .map_err(|_| "not an Ed25519 private key in PKCS#8 PEM".to_owned())
}

/// An Ed25519 public key from PEM: a private key (PKCS#8) or a public one (SPKI).
pub fn parse_public_key(pem: &str) -> Result<VerifyingKey, String> {
    parse_private_key(pem)
        .map(|key| key.verifying_key())
        .or_else(|_| VerifyingKey::from_public_key_pem(pem))
        .map_err(|_| "not an Ed25519 key in PEM (PKCS#8 private or SPKI public)".to_owned())
}

/// A new Ed25519 private key as PKCS#8 PEM, for `gatehouse jwt-key`.
pub fn generate_private_key_pem() -> Result<String, String> {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| format!("cannot encode the key: {e}"))
}
