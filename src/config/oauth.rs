//! OAuth 2.0 / OpenID Connect providers: `GATEHOUSE_OAUTH_PROVIDERS` lists their ids, and each
//! has `GATEHOUSE_OAUTH_<ID>_CLIENT_ID`, `_CLIENT_SECRET`, `_ISSUER` (preset for `google`),
//! `_SCOPES` and `_ID_TOKEN_CLIENT_IDS`. `github` is OAuth 2.0 without OpenID Connect: no issuer,
//! and `_URL` for a GitHub Enterprise Server. Checked here; the issuers are asked for their
//! metadata at start-up (`oauth`).

use super::parse::{is_loopback, list};
use super::{ConfigError, Secret};

const PROVIDERS: &str = "GATEHOUSE_OAUTH_PROVIDERS";

/// The scopes asked for when `_SCOPES` is unset.
const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];
/// GitHub's, as Better Auth asks for them: the profile and the addresses with their verification.
const GITHUB_SCOPES: [&str; 2] = ["read:user", "user:email"];

/// One provider as configured.
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    /// Lower-case letters, digits and `-`: the `provider` of sign-in/social and the last segment
    /// of its callback path.
    pub id: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub kind: ProviderKind,
    pub scopes: Vec<String>,
    /// More audiences an ID token presented to sign-in/social may have: the client ids of the
    /// app's own native builds at the provider (`_ID_TOKEN_CLIENT_IDS`).
    pub id_token_client_ids: Vec<String>,
}

/// How gatehouse learns who signed in at a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    /// OpenID Connect: discovery, an ID token signed by the issuer's keys.
    OpenIdConnect {
        /// The issuer exactly as its metadata names it (`https://accounts.google.com`).
        issuer: String,
        /// The name of the variable that set it, for start-up errors about it.
        issuer_variable: String,
    },
    /// GitHub's OAuth 2.0 (no ID token): the user and their addresses from its REST API.
    GitHub {
        /// Where browsers sign in: `https://github.com`, or a GitHub Enterprise Server.
        web: url::Url,
        /// Its REST API: `https://api.github.com`, or `<server>/api/v3`.
        api: url::Url,
    },
}

/// The variable `GATEHOUSE_OAUTH_<ID>_<suffix>` of provider `id`.
pub fn provider_variable(id: &str, suffix: &str) -> String {
    format!(
        "GATEHOUSE_OAUTH_{}_{suffix}",
        id.to_ascii_uppercase().replace('-', "_")
    )
}

fn preset_issuer(id: &str) -> Option<&'static str> {
    match id {
        "google" => Some("https://accounts.google.com"),
        _ => None,
    }
}

/// github's endpoints: github.com, or the GitHub Enterprise Server at `_URL`.
fn github_kind(
    id: &str,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<ProviderKind, ConfigError> {
    for suffix in ["ISSUER", "ID_TOKEN_CLIENT_IDS"] {
        let variable = provider_variable(id, suffix);
        if get(&variable).is_some() {
            return Err(ConfigError::new(
                variable,
                "github is OAuth 2.0 without OpenID Connect (no issuer, no ID tokens); \
                 GATEHOUSE_OAUTH_GITHUB_URL names a GitHub Enterprise Server",
            ));
        }
    }
    let variable = provider_variable(id, "URL");
    let parse = |url: &str| {
        url::Url::parse(url).map_err(|e| ConfigError::new(variable.clone(), format!("{e}")))
    };
    let Some(raw) = get(&variable) else {
        return Ok(ProviderKind::GitHub {
            web: parse("https://github.com/")?,
            api: parse("https://api.github.com/")?,
        });
    };
    let server = checked_issuer(&variable, &raw)?;
    let server = server.trim_end_matches('/');
    Ok(ProviderKind::GitHub {
        web: parse(&format!("{server}/"))?,
        api: parse(&format!("{server}/api/v3/"))?,
    })
}

/// An issuer gatehouse may trust: `https://`, or `http://` on this machine (a test provider).
fn checked_issuer(variable: &str, raw: &str) -> Result<String, ConfigError> {
    let raw = raw.trim();
    let url = url::Url::parse(raw)
        .map_err(|e| ConfigError::new(variable.to_owned(), format!("not a URL: {e}")))?;
    let allowed = match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => is_loopback(&url),
        _ => false,
    };
    if !allowed {
        return Err(ConfigError::new(
            variable.to_owned(),
            "expected https:// (or http:// on localhost or 127.0.0.1)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(ConfigError::new(
            variable.to_owned(),
            "an issuer has no query, fragment or credentials",
        ));
    }
    Ok(raw.to_owned())
}

pub fn oauth_providers(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Vec<OAuthProvider>, ConfigError> {
    let mut providers: Vec<OAuthProvider> = Vec::new();
    for id in list(get(PROVIDERS)) {
        let id = id.to_ascii_lowercase();
        let well_formed = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return Err(ConfigError::new(
                PROVIDERS,
                format!("{id:?}: an id is 1 to 32 letters, digits or -"),
            ));
        }
        if providers.iter().any(|p| p.id == id) {
            return Err(ConfigError::new(PROVIDERS, format!("{id} is listed twice")));
        }
        let required = |suffix: &str| {
            let variable = provider_variable(&id, suffix);
            match get(&variable).map(|v| v.trim().to_owned()) {
                Some(value) if !value.is_empty() => Ok(value),
                _ => Err(ConfigError::new(
                    variable,
                    format!("required for the provider {id} in {PROVIDERS}"),
                )),
            }
        };
        let client_id = required("CLIENT_ID")?;
        let client_secret = Secret::new(required("CLIENT_SECRET")?);
        let kind = if id == "github" {
            github_kind(&id, &get)?
        } else {
            let issuer_variable = provider_variable(&id, "ISSUER");
            let issuer = match (get(&issuer_variable), preset_issuer(&id)) {
                (Some(raw), _) => checked_issuer(&issuer_variable, &raw)?,
                (None, Some(preset)) => preset.to_owned(),
                (None, None) => {
                    return Err(ConfigError::new(
                        issuer_variable,
                        format!("required for the provider {id}: its OpenID Connect issuer URL"),
                    ));
                }
            };
            ProviderKind::OpenIdConnect {
                issuer,
                issuer_variable,
            }
        };
        let oidc = matches!(kind, ProviderKind::OpenIdConnect { .. });
        let scopes_variable = provider_variable(&id, "SCOPES");
        let scopes: Vec<String> = match get(&scopes_variable) {
            Some(raw) => raw
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None if oidc => DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            None => GITHUB_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        if oidc && !scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::new(
                scopes_variable,
                "must include openid: sign-in reads the ID token",
            ));
        }
        let id_token_client_ids: Vec<String> =
            list(get(&provider_variable(&id, "ID_TOKEN_CLIENT_IDS"))).collect();
        providers.push(OAuthProvider {
            id,
            client_id,
            client_secret,
            kind,
            scopes,
            id_token_client_ids,
        });
    }
    Ok(providers)
}

#[cfg(test)]
#[path = "oauth_tests.rs"]
mod tests;
