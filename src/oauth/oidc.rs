//! OpenID Connect providers, through the `openidconnect` crate: each configured
//! issuer's metadata and keys are fetched at start-up; a sign-in is an authorization-code request
//! with PKCE (S256), a `state` and a `nonce`, and its callback exchanges the code and checks the ID
//! token (signature from the issuer's keys, `iss`, `aud`, `exp`, `nonce`). Keys are fetched again
//! when a token names one gatehouse has not seen (the issuer rotated them), at most every 10 s.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreIdTokenVerifier,
    CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySetUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse as _,
};

use super::{Authorization, Failure, Identity, ProviderTokens, RedirectTarget};
use crate::clock::Clock;
use crate::config::{ConfigError, OAuthProvider, ProviderKind};
use crate::db::SetupError;
/// Keys are fetched again at most this often (a forged token must not make gatehouse hammer the
/// issuer).
const KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// The signatures an ID token may carry: public-key ones only (an HMAC under the client secret
/// would let whoever holds the secret mint tokens, and `none` is never accepted).
const SIGNATURES: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// A client built from discovered metadata: the token and user-info endpoints may be absent.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// One OpenID Connect provider, ready for sign-ins.
pub(super) struct OidcProvider {
    pub id: String,
    client: DiscoveredClient,
    client_id: ClientId,
    /// The audiences an ID token presented by an app may have: `client_id`, then
    /// `_ID_TOKEN_CLIENT_IDS` (the app's own client ids at the provider).
    audiences: Vec<ClientId>,
    issuer: IssuerUrl,
    scopes: Vec<String>,
    jwks_uri: JsonWebKeySetUrl,
    keys: RwLock<CoreJsonWebKeySet>,
    /// When the keys were last fetched again (`None`: only at start-up).
    keys_fetched: Mutex<Option<Instant>>,
    http: reqwest::Client,
    clock: Clock,
}

/// The longest `sub` OpenID Connect allows (Core 1.0, section 2: at most 255 ASCII characters);
/// a longer one is refused rather than stored (MySQL's column holds exactly that).
const MAX_SUBJECT_CHARS: usize = 255;

/// Who an ID token's claims name; refused when its `sub` is empty or longer than OpenID Connect
/// allows.
fn identity_of(claims: &CoreIdTokenClaims, tokens: ProviderTokens) -> Result<Identity, Failure> {
    let subject = claims.subject().as_str();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(Failure::InvalidIdToken(format!(
            "its sub is empty or longer than {MAX_SUBJECT_CHARS} characters"
        )));
    }
    Ok(Identity {
        subject: subject.to_owned(),
        email: claims.email().map(|e| e.as_str().to_lowercase()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        image: claims
            .picture()
            .and_then(|p| p.get(None))
            .map(|p| p.as_str().to_owned()),
        tokens,
    })
}

impl OidcProvider {
    pub(super) async fn discover(
        config: &OAuthProvider,
        callback: RedirectTarget,
        http: &reqwest::Client,
        clock: &Clock,
    ) -> Result<Self, SetupError> {
        let ProviderKind::OpenIdConnect {
            issuer: configured,
            issuer_variable,
        } = &config.kind
        else {
            return Err(SetupError::from("not an OpenID Connect provider"));
        };
        let refuse = |reason: String| ConfigError::new(issuer_variable.clone(), reason);
        let issuer =
            IssuerUrl::new(configured.clone()).map_err(|e| refuse(format!("not a URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer.clone(), http)
            .await
            .map_err(|e| {
                refuse(format!(
                    "cannot read {}/.well-known/openid-configuration: {e}",
                    configured.trim_end_matches('/')
                ))
            })?;
        let jwks_uri = metadata.jwks_uri().clone();
        let keys = metadata.jwks().clone();
        let redirect = RedirectUrl::new(callback.0)?;
        let client_id = ClientId::new(config.client_id.clone());
        let client_secret = ClientSecret::new(config.client_secret.expose().to_owned());
        let client =
            CoreClient::from_provider_metadata(metadata, client_id.clone(), Some(client_secret))
                .set_redirect_uri(redirect);
        let audiences = std::iter::once(config.client_id.clone())
            .chain(config.id_token_client_ids.iter().cloned())
            .map(ClientId::new)
            .collect();
        Ok(Self {
            id: config.id.clone(),
            client,
            client_id,
            audiences,
            issuer,
            scopes: config.scopes.clone(),
            jwks_uri,
            keys: RwLock::new(keys),
            keys_fetched: Mutex::new(None),
            http: http.clone(),
            clock: clock.clone(),
        })
    }

    /// The issuer, as its metadata names it (and as RFC 9207's `iss` parameter must).
    pub(super) fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// A fresh authorization request: the configured scopes plus `extra_scopes`.
    pub(super) fn authorize(
        &self,
        extra_scopes: &[String],
        login_hint: Option<&str>,
    ) -> Authorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes.iter().chain(extra_scopes) {
            if scope != "openid" {
                request = request.add_scope(Scope::new(scope.clone()));
            }
        }
        if let Some(hint) = login_hint {
            request = request.set_login_hint(openidconnect::LoginHint::new(hint.to_owned()));
        }
        let (url, state, nonce) = request.url();
        Authorization {
            url,
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        }
    }

    /// Exchanges `code` (with the PKCE `verifier`), checks the ID token against `nonce`, and
    /// reads the user's claims (from the user-info endpoint too when the ID token has no email).
    pub(super) async fn finish(
        &self,
        code: String,
        verifier: String,
        nonce: &str,
    ) -> Result<Identity, Failure> {
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Failure::Unreachable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier));
        let answer = request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(refused) => {
                    Failure::InvalidCode(refused.error().to_string())
                }
                other => Failure::Unreachable(other.to_string()),
            })?;
        let id_token = answer
            .id_token()
            .ok_or_else(|| Failure::InvalidIdToken("the token endpoint sent none".to_owned()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let claims = self
            .verified_claims(
                id_token,
                Some(&nonce),
                std::slice::from_ref(&self.client_id),
            )
            .await?;
        let tokens = ProviderTokens::granted(&answer, Some(id_token.to_string()), self.clock.now());
        let mut identity = identity_of(&claims, tokens)?;
        if identity.email.is_none() && self.client.user_info_url().is_some() {
            self.add_user_info(&mut identity).await?;
        }
        Ok(identity)
    }

    /// Who an ID token that a native app got from the provider names, once it passes every
    /// check: signed by the issuer's keys, `iss` the issuer, `aud` this gatehouse's client id or
    /// one of `_ID_TOKEN_CLIENT_IDS` (and no audience beyond those), unexpired, and `nonce` equal
    /// to the one given (when the app gives one, as Better Auth checks it). A token without an
    /// email, presented with an access token, has the user-info endpoint asked (for the same
    /// `sub`). The app's access and refresh tokens are kept with the account as they came.
    pub(super) async fn identity_from_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
        access_token: Option<String>,
        refresh_token: Option<String>,
    ) -> Result<Identity, Failure> {
        let id_token: CoreIdToken = token
            .parse()
            .map_err(|e| Failure::InvalidIdToken(format!("not a JWT: {e}")))?;
        let nonce = nonce.map(|n| Nonce::new(n.to_owned()));
        let claims = self
            .verified_claims(&id_token, nonce.as_ref(), &self.audiences)
            .await?;
        let tokens = ProviderTokens {
            access_token,
            refresh_token,
            id_token: Some(token.to_owned()),
            access_token_expires_at: None,
            scope: None,
        };
        let mut identity = identity_of(&claims, tokens)?;
        if identity.email.is_none()
            && identity.tokens.access_token.is_some()
            && self.client.user_info_url().is_some()
        {
            self.add_user_info(&mut identity).await?;
        }
        Ok(identity)
    }

    /// Fills the email, name and picture from the user-info endpoint, for the same subject.
    async fn add_user_info(&self, identity: &mut Identity) -> Result<(), Failure> {
        let subject = openidconnect::SubjectIdentifier::new(identity.subject.clone());
        let info: openidconnect::core::CoreUserInfoClaims = self
            .client
            .user_info(
                AccessToken::new(identity.tokens.access_token.clone().unwrap_or_default()),
                Some(subject),
            )
            .map_err(|e| Failure::Unreachable(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // The provider refused the access token, or answered for another subject.
                openidconnect::UserInfoError::Response(status, _, _)
                    if status.is_client_error() =>
                {
                    Failure::InvalidIdToken(format!("user info refused the access token: {status}"))
                }
                openidconnect::UserInfoError::ClaimsVerification(refused) => {
                    Failure::InvalidIdToken(format!("user info: {refused}"))
                }
                other => Failure::Unreachable(format!("user info: {other}")),
            })?;
        identity.email = info.email().map(|e| e.as_str().to_lowercase());
        identity.email_verified = info.email_verified().unwrap_or(false);
        if identity.name.is_none() {
            identity.name = info
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned());
        }
        if identity.image.is_none() {
            identity.image = info
                .picture()
                .and_then(|p| p.get(None))
                .map(|p| p.as_str().to_owned());
        }
        Ok(())
    }

    /// The ID token's claims once every check passes (for one of `audiences`, and `nonce` when
    /// given); a signature by a key not seen yet fetches the issuer's keys again (at most every
    /// [`KEY_REFRESH_INTERVAL`]) and checks once more.
    async fn verified_claims(
        &self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
        audiences: &[ClientId],
    ) -> Result<CoreIdTokenClaims, Failure> {
        let checked = self.check(id_token, nonce, audiences);
        let checked = match checked {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) if self.may_fetch_keys() => {
                let fresh = CoreJsonWebKeySet::fetch_async(&self.jwks_uri, &self.http)
                    .await
                    .map_err(|e| Failure::Unreachable(format!("keys: {e}")))?;
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = fresh;
                log::info!("oauth provider {}: fetched its keys again", self.id);
                self.check(id_token, nonce, audiences)
            }
            other => other,
        };
        checked.map_err(|e| Failure::InvalidIdToken(e.to_string()))
    }

    /// Checks the token for each of `audiences` in turn: the first for which `aud` holds it
    /// decides; audiences beyond `audiences` are refused.
    fn check(
        &self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
        audiences: &[ClientId],
    ) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut refused = ClaimsVerificationError::InvalidAudience("no audience".to_owned());
        for audience in audiences {
            let clock = self.clock.clone();
            let trusted: Vec<String> = audiences.iter().map(|a| a.as_str().to_owned()).collect();
            let verifier = CoreIdTokenVerifier::new_public_client(
                audience.clone(),
                self.issuer.clone(),
                keys.clone(),
            )
            .set_allowed_algs(SIGNATURES)
            .set_other_audience_verifier_fn(move |other| {
                trusted.iter().any(|t| t == other.as_str())
            })
            .set_time_fn(move || clock.now());
            let checked = match nonce {
                Some(nonce) => id_token.claims(&verifier, nonce),
                None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
            };
            match checked {
                Err(error @ ClaimsVerificationError::InvalidAudience(_)) => refused = error,
                other => return other.cloned(),
            }
        }
        Err(refused)
    }

    /// Whether the keys may be fetched again now (the first time, or [`KEY_REFRESH_INTERVAL`]
    /// after the last); if so, counts this as a fetch.
    fn may_fetch_keys(&self) -> bool {
        let mut last = self.keys_fetched.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < KEY_REFRESH_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }
}
