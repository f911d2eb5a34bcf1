//! GitHub's OAuth 2.0, through the `oauth2` crate: GitHub has no ID token, so who signed in comes
//! from its REST API with the access token, as Better Auth's `github` provider reads it: `/user`
//! for the id, login, name and avatar, `/user/emails` for the address (the profile's public one,
//! else the primary) and whether GitHub has verified it. A GitHub Enterprise Server has the same
//! paths under its own URL (`/api/v3` for the API).

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    TokenResponse as _, TokenUrl,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::{Authorization, Failure, Identity, ProviderTokens, RedirectTarget};
use crate::clock::Clock;
use crate::config::OAuthProvider;
use crate::db::SetupError;

/// The most of an API answer gatehouse reads (a profile and an address list are a few KiB).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub(super) struct GitHubProvider {
    client: Client,
    /// The REST API's root, ending in `/`.
    api: Url,
    scopes: Vec<String>,
    http: reqwest::Client,
    clock: Clock,
}

/// What `/user` says (the fields gatehouse reads).
#[derive(Deserialize)]
struct User {
    id: u64,
    login: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
}

/// One entry of `/user/emails`.
#[derive(Deserialize)]
struct Email {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

impl GitHubProvider {
    pub(super) fn new(
        config: &OAuthProvider,
        web: &Url,
        api: &Url,
        callback: RedirectTarget,
        http: &reqwest::Client,
        clock: &Clock,
    ) -> Result<Self, SetupError> {
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::from_url(web.join("login/oauth/authorize")?))
            .set_token_uri(TokenUrl::from_url(web.join("login/oauth/access_token")?))
            .set_redirect_uri(RedirectUrl::new(callback.0)?)
            .set_auth_type(AuthType::RequestBody);
        Ok(Self {
            client,
            api: api.clone(),
            scopes: config.scopes.clone(),
            http: http.clone(),
            clock: clock.clone(),
        })
    }

    /// An authorization request with PKCE (GitHub checks it) and no nonce (no ID token); a login
    /// hint is GitHub's `login` parameter.
    pub(super) fn authorize(
        &self,
        extra_scopes: &[String],
        login_hint: Option<&str>,
    ) -> Authorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge);
        for scope in self.scopes.iter().chain(extra_scopes) {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login", hint);
        }
        let (url, state) = request.url();
        Authorization {
            url,
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce: String::new(),
        }
    }

    /// Exchanges the code, then asks the API who the token belongs to.
    pub(super) async fn finish(&self, code: String, verifier: String) -> Result<Identity, Failure> {
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(refused) => {
                    Failure::InvalidCode(refused.error().to_string())
                }
                // GitHub refuses a code with a 200 whose JSON has `error` and no token.
                RequestTokenError::Parse(_, body) if refusal(&body).is_some() => {
                    Failure::InvalidCode(refusal(&body).unwrap_or_default())
                }
                other => Failure::Unreachable(other.to_string()),
            })?;
        let access_token = answer.access_token().secret().clone();
        let user: User = self.get("user", &access_token).await?;
        // Without the user:email scope GitHub answers 404 here: no address then.
        let emails: Vec<Email> =
            self.get("user/emails", &access_token)
                .await
                .or_else(|failure| match failure {
                    Failure::InvalidIdToken(_) => Ok(Vec::new()),
                    other => Err(other),
                })?;
        let email = user
            .email
            .clone()
            .filter(|e| !e.is_empty())
            .or_else(|| {
                emails
                    .iter()
                    .find(|e| e.primary)
                    .or(emails.first())
                    .map(|e| e.email.clone())
            })
            .map(|e| e.to_lowercase());
        let email_verified = email.as_deref().is_some_and(|address| {
            emails
                .iter()
                .any(|e| e.verified && e.email.eq_ignore_ascii_case(address))
        });
        Ok(Identity {
            subject: user.id.to_string(),
            email,
            email_verified,
            name: user.name.filter(|n| !n.is_empty()).or(Some(user.login)),
            image: user.avatar_url,
            tokens: ProviderTokens::granted(&answer, None, self.clock.now()),
        })
    }

    /// `GET <api>/<path>` with the user's token: a 4xx is the token refused
    /// ([`Failure::InvalidIdToken`]), anything else unexpected is [`Failure::Unreachable`].
    async fn get<T: DeserializeOwned>(&self, path: &str, access_token: &str) -> Result<T, Failure> {
        let url = self
            .api
            .join(path)
            .map_err(|e| Failure::Unreachable(e.to_string()))?;
        let mut response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .send()
            .await
            .map_err(|e| Failure::Unreachable(format!("{path}: {e}")))?;
        let status = response.status();
        if status.is_client_error() {
            return Err(Failure::InvalidIdToken(format!("{path} answered {status}")));
        }
        if !status.is_success() {
            return Err(Failure::Unreachable(format!("{path} answered {status}")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Failure::Unreachable(format!("{path}: {e}")))?
        {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Failure::Unreachable(format!("{path}: answer too large")));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| Failure::Unreachable(format!("{path}: {e}")))
    }
}

/// The `error` (and description) of a token endpoint answer that refuses, if it is one.
fn refusal(body: &[u8]) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = answer.get("error")?.as_str()?;
    Some(
        match answer.get("error_description").and_then(|d| d.as_str()) {
            Some(description) => format!("{error}: {description}"),
            None => error.to_owned(),
        },
    )
}
