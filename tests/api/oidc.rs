//! A real OpenID provider for the OAuth tests: the certified `oidc-provider` npm package
//! (`tests/oidc/provider.mjs`) in its own Node process on a port the kernel picks, and a small
//! HTTP driver that plays the browser on its login and consent pages. `scripts/test.sh`
//! installs the package (`npm ci` in `tests/oidc`).

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use crate::helpers::{TestApp, TestAppBuilder};

pub const CLIENT_SECRET: &str = "a-client-secret-for-the-test-provider-0123";

/// One client the provider knows: gatehouse under `provider_id`, on `port`.
pub struct Client {
    pub provider_id: &'static str,
    pub client_id: String,
    pub port: u16,
}

impl Client {
    pub fn new(provider_id: &'static str, listener: &TcpListener) -> Self {
        Self {
            provider_id,
            client_id: format!("gatehouse-{provider_id}"),
            port: listener.local_addr().unwrap().port(),
        }
    }

    pub fn redirect_uri(&self) -> String {
        format!(
            "http://127.0.0.1:{}/api/auth/callback/{}",
            self.port, self.provider_id
        )
    }
}

pub struct OidcProvider {
    pub issuer: String,
    child: Child,
}

impl OidcProvider {
    pub fn start(clients: &[&Client]) -> Self {
        Self::start_with(clients, false)
    }

    /// The same provider shaped as GitHub (see `provider.mjs`): OAuth 2.0 without OpenID
    /// Connect, GitHub's paths and its REST API under `/api/v3`.
    pub fn start_github(clients: &[&Client]) -> Self {
        Self::start_with(clients, true)
    }

    fn start_with(clients: &[&Client], github: bool) -> Self {
        let settings = serde_json::json!({
            "github": github,
            "clients": clients.iter().map(|client| serde_json::json!({
                "client_id": client.client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [client.redirect_uri()],
            })).collect::<Vec<_>>(),
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(settings.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let issuer = line.trim().to_owned();
        assert!(
            issuer.starts_with("http://127.0.0.1:"),
            "the OpenID provider did not start (is `npm ci` done in tests/oidc?): {line:?}"
        );
        Self { issuer, child }
    }

    /// Signs with a new key from now on (the old one stays published).
    pub async fn rotate_keys(&self) {
        self.control("rotate").await;
    }

    /// Answers 503 to everything until [`OidcProvider::come_back`].
    pub async fn go_down(&self) {
        self.control("down").await;
    }

    pub async fn come_back(&self) {
        self.control("up").await;
    }

    /// A JWT over `claims` as the provider's `/__test/sign` makes it: `key` `current` (the
    /// provider's signing key) or `foreign` (same `kid`, not published); `alg` `RS256`, `HS256`
    /// (under `hmac_secret`) or `none`.
    pub async fn sign(
        &self,
        claims: &serde_json::Value,
        key: &str,
        alg: &str,
        hmac_secret: &str,
    ) -> String {
        let mut answer = awc::Client::default()
            .post(format!("{}/__test/sign", self.issuer))
            .send_json(&serde_json::json!({
                "claims": claims, "key": key, "alg": alg, "hmacSecret": hmac_secret,
            }))
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        String::from_utf8(answer.body().await.unwrap().to_vec()).unwrap()
    }

    /// A real ID token and access token for `client`, as a native app would hold them: the
    /// provider's own login, code and token endpoint, with PKCE and `nonce`, the code taken from
    /// the redirect before it reaches gatehouse. oidc-provider puts the email in the user-info
    /// answer, not in the ID token.
    pub async fn id_token(
        &self,
        client: &Client,
        login: &str,
        nonce: &str,
        app: &TestApp,
    ) -> (String, String) {
        use base64::Engine as _;
        let metadata: serde_json::Value = awc::Client::default()
            .get(format!("{}/.well-known/openid-configuration", self.issuer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let verifier = format!("{:x}{:x}", rand_u128(), rand_u128());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(openssl::sha::sha256(verifier.as_bytes()));
        let mut authorize =
            url::Url::parse(metadata["authorization_endpoint"].as_str().unwrap()).unwrap();
        authorize
            .query_pairs_mut()
            .append_pair("client_id", &client.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile")
            .append_pair("redirect_uri", &client.redirect_uri())
            .append_pair("state", "app-state")
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let back = ProviderBrowser::default()
            .authorize(authorize.as_str(), login, app)
            .await;
        let code = url::Url::parse(&back)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap_or_else(|| panic!("no code in {back}"))
            .1
            .into_owned();
        let mut answer = awc::Client::default()
            .post(metadata["token_endpoint"].as_str().unwrap())
            .basic_auth(&client.client_id, CLIENT_SECRET)
            .send_form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", client.redirect_uri().as_str()),
                ("code_verifier", verifier.as_str()),
            ])
            .await
            .unwrap();
        let tokens: serde_json::Value = answer.json().await.unwrap();
        let field = |name: &str| {
            tokens[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name}: {tokens}"))
                .to_owned()
        };
        (field("id_token"), field("access_token"))
    }

    async fn control(&self, what: &str) {
        let answer = awc::Client::default()
            .post(format!("{}/__test/{what}", self.issuer))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _gone_already = self.child.kill();
        let _reaped = self.child.wait();
    }
}

impl TestAppBuilder {
    /// Signs in with `provider` (started by [`OidcProvider::start_github`]) as the `github`
    /// preset, at it as at a GitHub Enterprise Server (`GATEHOUSE_OAUTH_GITHUB_URL`).
    pub fn github(self, provider: &OidcProvider, client: &Client) -> Self {
        assert_eq!(client.provider_id, "github");
        self.var("GATEHOUSE_OAUTH_PROVIDERS", "github")
            .var("GATEHOUSE_OAUTH_GITHUB_CLIENT_ID", &client.client_id)
            .var("GATEHOUSE_OAUTH_GITHUB_CLIENT_SECRET", CLIENT_SECRET)
            .var("GATEHOUSE_OAUTH_GITHUB_URL", &provider.issuer)
    }

    /// Signs in with `provider` as `client.provider_id` (added to any provider set before).
    pub fn oauth(self, provider: &OidcProvider, client: &Client) -> Self {
        let key = client.provider_id.to_ascii_uppercase();
        let listed = self.get_var("GATEHOUSE_OAUTH_PROVIDERS");
        let providers = match listed {
            Some(listed) => format!("{listed},{}", client.provider_id),
            None => client.provider_id.to_owned(),
        };
        self.var("GATEHOUSE_OAUTH_PROVIDERS", &providers)
            .var(
                &format!("GATEHOUSE_OAUTH_{key}_CLIENT_ID"),
                &client.client_id,
            )
            .var(
                &format!("GATEHOUSE_OAUTH_{key}_CLIENT_SECRET"),
                CLIENT_SECRET,
            )
            .var(&format!("GATEHOUSE_OAUTH_{key}_ISSUER"), &provider.issuer)
    }
}

/// Plays the browser at the provider: keeps its cookies, follows its redirects, fills the dev
/// interactions' login form (any password) and consent form.
#[derive(Default)]
pub struct ProviderBrowser {
    cookies: HashMap<String, String>,
}

impl ProviderBrowser {
    /// Follows the provider from `authorize_url`, signing in as `login`, until it redirects to
    /// gatehouse; returns that URL (the callback with `code` and `state`, or an `error`).
    pub async fn authorize(&mut self, authorize_url: &str, login: &str, app: &TestApp) -> String {
        let client = awc::Client::builder().disable_redirects().finish();
        let mut url = authorize_url.to_owned();
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..20 {
            let cookie_header = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut response = match form.take() {
                Some(fields) => client
                    .post(&url)
                    .insert_header(("cookie", cookie_header))
                    .send_form(&fields)
                    .await
                    .unwrap(),
                None => client
                    .get(&url)
                    .insert_header(("cookie", cookie_header))
                    .send()
                    .await
                    .unwrap(),
            };
            for set in response.headers().get_all("set-cookie") {
                let set = set.to_str().unwrap();
                let pair = set.split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                if value.is_empty()
                    || set
                        .to_ascii_lowercase()
                        .contains("expires=thu, 01 jan 1970")
                {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned();
                let next = url::Url::parse(&url).unwrap().join(&location).unwrap();
                if next.as_str().starts_with(&app.address) {
                    return next.to_string();
                }
                url = next.to_string();
                continue;
            }
            let body = response.body().await.unwrap();
            let page = String::from_utf8_lossy(&body).into_owned();
            assert_eq!(response.status(), 200, "{url}: {page}");
            let action = between(&page, "action=\"", "\"")
                .unwrap_or_else(|| panic!("no form at {url}: {page}"));
            let prompt = between(&page, "name=\"prompt\" value=\"", "\"").unwrap();
            url = url::Url::parse(&url)
                .unwrap()
                .join(&action)
                .unwrap()
                .to_string();
            let mut fields = vec![("prompt".to_owned(), prompt.clone())];
            if prompt == "login" {
                fields.push(("login".to_owned(), login.to_owned()));
                fields.push(("password".to_owned(), "any password".to_owned()));
            }
            form = Some(fields);
        }
        panic!("the provider never sent the browser back to gatehouse");
    }
}

fn rand_u128() -> u128 {
    let mut bytes = [0u8; 16];
    openssl::rand::rand_bytes(&mut bytes).unwrap();
    u128::from_le_bytes(bytes)
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].replace("&amp;", "&"))
}
