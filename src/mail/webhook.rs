//! The webhook transport: each message POSTed as JSON to the app, which sends it itself. The
//! request is signed with keys derived from the session secrets, so the receiver can check it
//! came from gatehouse without holding a secret that could mint sessions.

use std::time::Duration;

use hmac::{Hmac, Mac as _};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use sha2::Sha256;
use url::Url;

use super::{Failure, Outgoing};
use crate::db::SetupError;
use crate::ids::hex;
use crate::seal::derive_key;

/// The HKDF `info` that binds derived keys to this use.
const KEY_INFO: &str = "gatehouse mail-webhook v1";

/// The webhook key of a secret: `HKDF-SHA256(IKM = secret, salt = empty, info = "gatehouse
/// mail-webhook v1", L = 32)` (RFC 5869; an empty salt is the hash length of zeros).
pub fn webhook_key(secret: &str) -> [u8; 32] {
    derive_key(secret, KEY_INFO)
}

/// One signature a secret makes: hex `HMAC-SHA256(key, "<t>." + body)`.
fn sign(key: &[u8; 32], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: new_from_slice cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// The app's endpoint, the keys that sign for it, and a client that follows no redirect.
pub struct Webhook {
    client: reqwest::Client,
    url: Url,
    /// Derived from the current secret first, then each old one, so receivers verify across a
    /// rotation.
    keys: Vec<[u8; 32]>,
}

impl Webhook {
    pub fn new(
        url: Url,
        secrets: &[&str],
        authorities: &[Vec<u8>],
        timeout: Duration,
    ) -> Result<Self, SetupError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")));
        for pem in authorities {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
        }
        Ok(Self {
            client: builder.build()?,
            url,
            keys: secrets.iter().map(|secret| webhook_key(secret)).collect(),
        })
    }

    /// The `X-Gatehouse-Signature` value for `body` sent at `timestamp`.
    fn signature(&self, timestamp: i64, body: &[u8]) -> String {
        let mut value = format!("t={timestamp}");
        for key in &self.keys {
            value.push_str(",v1=");
            value.push_str(&sign(key, timestamp, body));
        }
        value
    }

    /// One attempt: a 2xx succeeds; no answer, 408, 429 and 5xx are worth another; anything else
    /// (a redirect included) is final.
    pub(super) async fn post(&self, delivery: &str, body: &[u8], now: i64) -> Result<(), Failure> {
        let signature = self.signature(now, body);
        let answer = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("X-Gatehouse-Delivery", delivery)
            .header("X-Gatehouse-Signature", signature)
            .body(body.to_vec())
            .send()
            .await;
        let status = match answer {
            Ok(answer) => answer.status(),
            Err(error) => {
                return Err(Failure {
                    // Without the URL: it may carry the receiver's own credentials in its query.
                    cause: error.without_url().to_string(),
                    permanent: false,
                });
            }
        };
        if status.is_success() {
            return Ok(());
        }
        let retried = status == StatusCode::REQUEST_TIMEOUT
            || status == StatusCode::TOO_MANY_REQUESTS
            || status.is_server_error();
        Err(Failure {
            cause: format!("the webhook answered {status}"),
            permanent: !retried,
        })
    }
}

/// What the webhook receives for one message.
#[derive(Serialize)]
struct Body<'a> {
    kind: &'static str,
    to: &'a str,
    subject: &'a str,
    url: Option<&'a str>,
    token: Option<&'a str>,
    user: Option<&'a serde_json::Value>,
}

/// The JSON body of `message`: the same bytes on every attempt.
pub(super) fn body(message: &Outgoing, subject: &str) -> Vec<u8> {
    fn present(value: &str) -> Option<&str> {
        (!value.is_empty()).then_some(value)
    }
    let body = Body {
        kind: message.kind.as_str(),
        to: &message.to,
        subject,
        url: present(&message.values.url),
        token: present(&message.values.token),
        user: message.user.as_ref(),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_rfc_5869_hkdf_sha256_with_an_empty_salt() {
        // Computed by hand from RFC 5869: PRK = HMAC(salt = "", IKM), OKM = HMAC(PRK, info | 1).
        let secret = "a-secret-of-at-least-thirty-two-characters";
        let prk = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"").unwrap();
            mac.update(secret.as_bytes());
            mac.finalize().into_bytes()
        };
        let okm = {
            let mut mac = Hmac::<Sha256>::new_from_slice(&prk).unwrap();
            mac.update(KEY_INFO.as_bytes());
            mac.update(&[1]);
            mac.finalize().into_bytes()
        };

        assert_eq!(webhook_key(secret).as_slice(), okm.as_slice());
        assert_ne!(
            webhook_key(secret),
            webhook_key("another-secret-of-thirty-two-chars!")
        );
    }

    #[test]
    fn the_signature_carries_one_v1_per_secret_current_first() {
        let webhook = Webhook {
            client: reqwest::Client::new(),
            url: Url::parse("http://127.0.0.1:1/").unwrap(),
            keys: vec![webhook_key("current"), webhook_key("old")],
        };
        let body = br#"{"kind":"magic-link"}"#;

        let header = webhook.signature(1_700_000_000, body);

        let expected = format!(
            "t=1700000000,v1={},v1={}",
            sign(&webhook_key("current"), 1_700_000_000, body),
            sign(&webhook_key("old"), 1_700_000_000, body)
        );
        assert_eq!(header, expected);
        assert_eq!(sign(&webhook_key("current"), 1_700_000_000, body).len(), 64);
    }
}
