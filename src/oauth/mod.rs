//! OAuth 2.0 / OpenID Connect providers. OpenID Connect issuers go through the `openidconnect`
//! crate (`oidc`): metadata and keys fetched at start-up, an authorization-code request with PKCE
//! (S256), a `state` and a `nonce`, and an ID token checked on the callback. GitHub, which has no
//! ID token, goes through the `oauth2` crate and its REST API (`github`).
//!
//! Requests to providers follow no redirects and give up after 10 s; a provider that does not
//! answer is a [`Failure::Unreachable`], which the routes turn into an error redirect.

mod github;
mod oidc;

use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::clock::Clock;
use crate::config::{OAuthProvider, ProviderKind};
use crate::db::SetupError;

use github::GitHubProvider;
use oidc::OidcProvider;

/// How long one request to a provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The configured providers, discovered.
#[derive(Default)]
pub struct Providers {
    list: Vec<Provider>,
}

impl Providers {
    /// Asks every OpenID Connect issuer for its metadata and keys, and sets GitHub's endpoints up.
    /// Blocking (call before serving); an issuer that does not answer or answers wrongly stops
    /// start-up naming its variable.
    pub fn discover(
        configs: &[OAuthProvider],
        base_url: &Url,
        clock: &Clock,
    ) -> Result<Self, SetupError> {
        if configs.is_empty() {
            return Ok(Self::default());
        }
        let http = http_client()?;
        // A thread of its own: the caller may itself be inside a runtime (the tests' servers).
        let discovered = std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<Vec<Provider>, SetupError> {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    configs
                        .iter()
                        .map(|config| {
                            let callback = RedirectTarget::of(base_url, &config.id);
                            let protocol = match &config.kind {
                                ProviderKind::OpenIdConnect { .. } => {
                                    Protocol::OpenIdConnect(Box::new(runtime.block_on(
                                        OidcProvider::discover(config, callback, &http, clock),
                                    )?))
                                }
                                ProviderKind::GitHub { web, api } => Protocol::GitHub(Box::new(
                                    GitHubProvider::new(config, web, api, callback, &http, clock)?,
                                )),
                            };
                            Ok(Provider {
                                id: config.id.clone(),
                                protocol,
                            })
                        })
                        .collect()
                })
                .join()
                .map_err(|_| SetupError::from("OAuth discovery panicked"))?
        })?;
        Ok(Self { list: discovered })
    }

    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|provider| provider.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|provider| provider.id.as_str())
    }
}

/// Requests to providers: no redirects, a timeout, and no pooled connections (requests are rare,
/// and a pooled connection would belong to whichever runtime opened it).
fn http_client() -> Result<reqwest::Client, SetupError> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PROVIDER_TIMEOUT)
        .pool_max_idle_per_host(0)
        .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// A provider's callback: `<base>/api/auth/callback/<id>`, the exact redirect URI.
struct RedirectTarget(String);

impl RedirectTarget {
    fn of(base_url: &Url, id: &str) -> Self {
        Self(format!(
            "{}/api/auth/callback/{id}",
            base_url.as_str().trim_end_matches('/')
        ))
    }
}

/// One provider, ready for sign-ins.
pub struct Provider {
    pub id: String,
    protocol: Protocol,
}

enum Protocol {
    OpenIdConnect(Box<OidcProvider>),
    GitHub(Box<GitHubProvider>),
}

impl Provider {
    /// The issuer, as its metadata names it (and as RFC 9207's `iss` parameter must); `None`
    /// for a provider without one (GitHub).
    pub fn issuer(&self) -> Option<&str> {
        match &self.protocol {
            Protocol::OpenIdConnect(oidc) => Some(oidc.issuer()),
            Protocol::GitHub(_) => None,
        }
    }

    /// A fresh authorization request: the configured scopes plus `extra_scopes`.
    pub fn authorize(&self, extra_scopes: &[String], login_hint: Option<&str>) -> Authorization {
        match &self.protocol {
            Protocol::OpenIdConnect(oidc) => oidc.authorize(extra_scopes, login_hint),
            Protocol::GitHub(github) => github.authorize(extra_scopes, login_hint),
        }
    }

    /// Exchanges `code` (with the PKCE `verifier`) and learns who signed in (checking the ID
    /// token against `nonce` where there is one).
    pub async fn finish(
        &self,
        code: String,
        verifier: String,
        nonce: &str,
    ) -> Result<Identity, Failure> {
        match &self.protocol {
            Protocol::OpenIdConnect(oidc) => oidc.finish(code, verifier, nonce).await,
            Protocol::GitHub(github) => github.finish(code, verifier).await,
        }
    }

    /// Who an ID token that a native app got from the provider names, once it passes every
    /// check ([`Failure::IdTokensNotSupported`] for a provider without ID tokens).
    pub async fn identity_from_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
        access_token: Option<String>,
        refresh_token: Option<String>,
    ) -> Result<Identity, Failure> {
        match &self.protocol {
            Protocol::OpenIdConnect(oidc) => {
                oidc.identity_from_id_token(token, nonce, access_token, refresh_token)
                    .await
            }
            Protocol::GitHub(_) => Err(Failure::IdTokensNotSupported),
        }
    }
}

/// What the browser is sent to the provider with, and what the callback needs to finish.
pub struct Authorization {
    pub url: Url,
    pub state: String,
    pub verifier: String,
    /// Empty for a provider without ID tokens.
    pub nonce: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The provider's stable id for the user (`sub`; GitHub's numeric user id).
    pub subject: String,
    /// Lower-cased.
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub image: Option<String>,
    pub tokens: ProviderTokens,
}

/// The provider's tokens for the user, as the token endpoint gave them.
#[derive(Debug, Clone)]
pub struct ProviderTokens {
    /// `None` only for an ID-token sign-in whose app sent none.
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// `None` for a provider without ID tokens.
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// Space-separated, as granted.
    pub scope: Option<String>,
}

impl ProviderTokens {
    /// What a token endpoint granted at `now`, with the ID token it sent, if any.
    fn granted(
        answer: &impl oauth2::TokenResponse,
        id_token: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            access_token: Some(answer.access_token().secret().clone()),
            refresh_token: answer.refresh_token().map(|t| t.secret().clone()),
            id_token,
            access_token_expires_at: answer
                .expires_in()
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| now + d),
            scope: answer.scopes().map(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
        }
    }
}

/// Why a sign-in could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The provider did not answer, or answered with something that is not OAuth.
    #[error("the provider did not answer properly: {0}")]
    Unreachable(String),
    /// The token endpoint refused the code (used, expired, or the PKCE verifier does not match).
    #[error("the provider refused the code: {0}")]
    InvalidCode(String),
    /// No ID token, or one that fails a check; or a user API that refuses the access token.
    #[error("the ID token is not valid: {0}")]
    InvalidIdToken(String),
    /// An ID token presented to a provider that has none (GitHub).
    #[error("the provider has no ID tokens")]
    IdTokensNotSupported,
}
