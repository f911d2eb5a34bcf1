//! Password hashes made by other auth libraries, kept on import so that nobody has to reset a
//! password to move to gatehouse: verified at sign-in, then replaced by bcrypt. The formats:
//!
//! - Better Auth's scrypt, `<hex salt>:<hex key>`: N = 16384, r = 16, p = 1, a 64-byte key, over
//!   the NFKC form of the password, with the salt's hex text (not its bytes) as the salt;
//! - PBKDF2-HMAC-SHA512 with its own salt, as the Lucia tutorial stores it (a hex hash and a salt
//!   column), written on import as `$pbkdf2-sha512$i=<iterations>,l=<key bytes>$<hex of the
//!   salt's bytes>$<hex key>`;
//! - argon2id PHC strings (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`), as Lucia's docs
//!   recommend.
//!
//! bcrypt (`$2a$`, `$2b$`, `$2y$`) is gatehouse's own and needs nothing here. Anything else is
//! no usable hash: [`kind`] says `None`, and nothing verifies against it. Parameters are bounded
//! (a hash is someone else's data), so one verification costs at most a few hundred
//! milliseconds on a hashing thread. Keys are compared in constant time.

use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
use sha2::Sha512;
use subtle::ConstantTimeEq as _;
use unicode_normalization::UnicodeNormalization as _;

/// Better Auth's scrypt parameters: log2(N) = 14, r = 16, p = 1, 64-byte keys.
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 16;
const SCRYPT_P: u32 = 1;
const SCRYPT_KEY_BYTES: usize = 64;
/// The most PBKDF2 iterations and key bytes accepted (the Lucia tutorial: 10 000 and 64).
const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
const MAX_PBKDF2_KEY_BYTES: usize = 128;
/// The most argon2 memory (KiB), passes and lanes accepted (Lucia's docs: 19 456, 2, 1).
const MAX_ARGON2_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ARGON2_PASSES: u32 = 16;
const MAX_ARGON2_LANES: u32 = 8;

/// The format of a stored password hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Bcrypt,
    /// Better Auth's `<hex salt>:<hex key>`.
    BetterAuthScrypt,
    /// `$pbkdf2-sha512$…` (the Lucia tutorial's scheme, as imported).
    Pbkdf2Sha512,
    Argon2id,
}

impl HashKind {
    /// The name the import reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bcrypt => "bcrypt",
            Self::BetterAuthScrypt => "scrypt (Better Auth)",
            Self::Pbkdf2Sha512 => "PBKDF2-SHA512",
            Self::Argon2id => "argon2id",
        }
    }
}

/// The kind of a stored hash whose format and parameters gatehouse verifies; `None` for anything
/// else, which no password matches.
pub fn kind(hash: &str) -> Option<HashKind> {
    if ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p)) {
        return Some(HashKind::Bcrypt);
    }
    if scrypt_parts(hash).is_some() {
        return Some(HashKind::BetterAuthScrypt);
    }
    if pbkdf2_parts(hash).is_some() {
        return Some(HashKind::Pbkdf2Sha512);
    }
    if argon2_hash(hash).is_some() {
        return Some(HashKind::Argon2id);
    }
    None
}

/// Whether `hash` is a usable hash another library made (neither bcrypt nor unknown).
pub fn is_foreign(hash: &str) -> bool {
    kind(hash).is_some_and(|kind| kind != HashKind::Bcrypt)
}

/// Whether `password` matches a foreign `hash`; `false` for bcrypt (the hashing threads verify
/// it) and for anything [`kind`] does not know.
pub fn verify(password: &str, hash: &str) -> bool {
    match kind(hash) {
        Some(HashKind::BetterAuthScrypt) => verify_scrypt(password, hash),
        Some(HashKind::Pbkdf2Sha512) => verify_pbkdf2(password, hash),
        Some(HashKind::Argon2id) => argon2_hash(hash).is_some_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }),
        Some(HashKind::Bcrypt) | None => false,
    }
}

/// The PBKDF2 hash as the import stores it, from the Lucia tutorial's columns: the hex hash and
/// the salt (text, whose UTF-8 bytes salted the hash). `None` when the hash is not hex of a
/// bounded length.
pub fn pbkdf2_from_columns(hex_hash: &str, salt: &str, iterations: u32) -> Option<String> {
    let hex_hash = hex_hash.trim().to_ascii_lowercase();
    let key = hex_decode(&hex_hash)?;
    if key.len() < 16 || key.len() > MAX_PBKDF2_KEY_BYTES || salt.is_empty() || salt.len() > 1024 {
        return None;
    }
    let stored = format!(
        "$pbkdf2-sha512$i={iterations},l={}${}${hex_hash}",
        key.len(),
        hex_encode(salt.as_bytes())
    );
    pbkdf2_parts(&stored).map(|_| stored)
}

fn scrypt_parts(hash: &str) -> Option<(&str, Vec<u8>)> {
    let (salt, key) = hash.split_once(':')?;
    let is_hex = |text: &str| text.bytes().all(|b| b.is_ascii_hexdigit());
    if salt.is_empty() || salt.len() > 256 || !is_hex(salt) || key.len() != 2 * SCRYPT_KEY_BYTES {
        return None;
    }
    Some((salt, hex_decode(key)?))
}

fn verify_scrypt(password: &str, hash: &str) -> bool {
    let Some((salt, expected)) = scrypt_parts(hash) else {
        return false;
    };
    let Ok(params) = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES) else {
        return false;
    };
    let normalized: String = password.nfkc().collect();
    let mut key = [0u8; SCRYPT_KEY_BYTES];
    scrypt::scrypt(normalized.as_bytes(), salt.as_bytes(), &params, &mut key).is_ok()
        && bool::from(key.ct_eq(&expected))
}

/// `(iterations, salt bytes, key)` of a `$pbkdf2-sha512$i=N,l=L$<hex salt>$<hex key>` string
/// within the bounds.
fn pbkdf2_parts(hash: &str) -> Option<(u32, Vec<u8>, Vec<u8>)> {
    let rest = hash.strip_prefix("$pbkdf2-sha512$")?;
    let mut parts = rest.split('$');
    let (params, salt, key) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (iterations, length) = params.split_once(',')?;
    let iterations: u32 = iterations.strip_prefix("i=")?.parse().ok()?;
    let length: usize = length.strip_prefix("l=")?.parse().ok()?;
    let (salt, key) = (hex_decode(salt)?, hex_decode(key)?);
    let bounded = (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations)
        && key.len() == length
        && (16..=MAX_PBKDF2_KEY_BYTES).contains(&length)
        && !salt.is_empty();
    bounded.then_some((iterations, salt, key))
}

fn verify_pbkdf2(password: &str, hash: &str) -> bool {
    let Some((iterations, salt, expected)) = pbkdf2_parts(hash) else {
        return false;
    };
    let mut key = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), &salt, iterations, &mut key);
    bool::from(key.ct_eq(&expected))
}

/// An argon2id PHC string within the bounds.
fn argon2_hash(hash: &str) -> Option<PasswordHash<'_>> {
    if !hash.starts_with("$argon2id$") || hash.len() > 512 {
        return None;
    }
    let parsed = PasswordHash::new(hash).ok()?;
    let params = argon2::Params::try_from(&parsed).ok()?;
    let bounded = params.m_cost() <= MAX_ARGON2_MEMORY_KIB
        && params.t_cost() <= MAX_ARGON2_PASSES
        && params.p_cost() <= MAX_ARGON2_LANES
        && parsed.hash.is_some();
    bounded.then_some(parsed)
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made by the libraries themselves (Node 18, see tests/import/vectors.mjs):
    // `@better-auth/utils/password` hashPassword("correct-horse-battery"), and
    // hashPassword("Ｐａｓｓｗｏｒｄ１２３") (full-width, so NFKC matters).
    const SCRYPT: &str = include_str!("../../tests/import/vectors/scrypt.txt");
    const SCRYPT_FULL_WIDTH: &str =
        include_str!("../../tests/import/vectors/scrypt-full-width.txt");
    // crypto.pbkdf2Sync("correct-horse-battery", salt, 10000, 64, "sha512") as the Lucia tutorial
    // calls it: the hex hash, then the salt, one per line.
    const PBKDF2: &str = include_str!("../../tests/import/vectors/pbkdf2.txt");
    // @node-rs/argon2 hash("correct-horse-battery") with Lucia's recommended parameters.
    const ARGON2: &str = include_str!("../../tests/import/vectors/argon2id.txt");

    #[test]
    fn better_auth_scrypt_verifies_its_password_only() {
        let hash = SCRYPT.trim();

        assert_eq!(kind(hash), Some(HashKind::BetterAuthScrypt));
        assert!(verify("correct-horse-battery", hash));
        assert!(!verify("correct-horse-batterY", hash));
        assert!(!verify("", hash));
    }

    #[test]
    fn better_auth_scrypt_compares_the_nfkc_form() {
        let hash = SCRYPT_FULL_WIDTH.trim();

        assert!(verify("Ｐａｓｓｗｏｒｄ１２３", hash));
        assert!(verify("Password123", hash), "NFKC folds full-width forms");
    }

    #[test]
    fn the_lucia_tutorials_pbkdf2_verifies_once_imported() {
        let mut lines = PBKDF2.lines();
        let (hex, salt) = (lines.next().unwrap(), lines.next().unwrap());

        let stored = pbkdf2_from_columns(hex, salt, 10_000).unwrap();

        assert_eq!(kind(&stored), Some(HashKind::Pbkdf2Sha512));
        assert!(verify("correct-horse-battery", &stored));
        assert!(!verify("correct-horse-batter", &stored));
        assert!(pbkdf2_from_columns("zz", salt, 10_000).is_none());
        assert!(pbkdf2_from_columns(hex, "", 10_000).is_none());
        assert!(pbkdf2_from_columns(hex, salt, 0).is_none());
    }

    #[test]
    fn argon2id_phc_strings_verify() {
        let hash = ARGON2.trim();

        assert_eq!(kind(hash), Some(HashKind::Argon2id));
        assert!(verify("correct-horse-battery", hash));
        assert!(!verify("wrong", hash));
    }

    #[test]
    fn unknown_or_unbounded_hashes_are_no_hash() {
        for hash in [
            "",
            "plain-text-password",
            "md5:5f4dcc3b5aa765d61d8327deb882cf99",
            "abcd:1234",
            "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$pbkdf2-sha512$i=4000000000,l=16$00$00112233445566778899aabbccddeeff",
            "$pbkdf2-sha512$i=10,l=32$00$00112233445566778899aabbccddeeff",
        ] {
            assert_eq!(kind(hash), None, "{hash}");
            assert!(!verify("anything", hash), "{hash}");
        }
        assert_eq!(
            kind("$2b$10$abcdefghijklmnopqrstuu5Mfs0n0ykhMHs0b9xh/t0tTF0UkOPEC"),
            Some(HashKind::Bcrypt)
        );
    }
}
