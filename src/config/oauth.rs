//! OAuth 2.0 / OpenID Connect providers: `GATEHOUSE_OAUTH_PROVIDERS` lists their ids, and each
//! has `GATEHOUSE_OAUTH_<ID>_CLIENT_ID`, `_CLIENT_SECRET`, `_ISSUER` (preset for `google`),
//! `_SCOPES` and `_ID_TOKEN_CLIENT_IDS`. Checked here; the issuers are asked for their metadata at start-up (`oauth`).

use super::parse::{is_loopback, list};
use super::{ConfigError, Secret};

const PROVIDERS: &str = "GATEHOUSE_OAUTH_PROVIDERS";

/// The scopes asked for when `_SCOPES` is unset.
const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// One provider as configured.
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    /// Lower-case letters, digits and `-`: the `provider` of sign-in/social and the last segment
    /// of its callback path.
    pub id: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The issuer exactly as its metadata names it (`https://accounts.google.com`).
    pub issuer: String,
    pub scopes: Vec<String>,
    /// More audiences an ID token presented to sign-in/social may have: the client ids of the
    /// app's own native builds at the provider (`_ID_TOKEN_CLIENT_IDS`).
    pub id_token_client_ids: Vec<String>,
    /// The name of the variable that set the issuer, for start-up errors about it.
    pub issuer_variable: String,
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
        if id == "github" {
            return Err(ConfigError::new(
                PROVIDERS,
                "the github preset (OAuth 2.0 without OpenID Connect) is not built yet; \
                 OpenID Connect issuers (google, or any with _ISSUER) are",
            ));
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
        let scopes_variable = provider_variable(&id, "SCOPES");
        let scopes: Vec<String> = match get(&scopes_variable) {
            Some(raw) => raw
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        if !scopes.iter().any(|s| s == "openid") {
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
            issuer,
            scopes,
            id_token_client_ids,
            issuer_variable,
        });
    }
    Ok(providers)
}

#[cfg(test)]
#[path = "oauth_tests.rs"]
mod tests;
