//! The OAuth provider settings (kept apart from `oauth.rs`, whose string literals the README
//! test reads as the variables the configuration knows).

use super::*;

fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn issuer(provider: &OAuthProvider) -> &str {
    match &provider.kind {
        ProviderKind::OpenIdConnect { issuer, .. } => issuer,
        ProviderKind::GitHub { .. } => panic!("{} is not OpenID Connect", provider.id),
    }
}

#[test]
fn github_is_github_com_or_an_enterprise_server_and_asks_for_its_scopes() {
    let credentials = [
        ("GATEHOUSE_OAUTH_PROVIDERS", "github"),
        ("GATEHOUSE_OAUTH_GITHUB_CLIENT_ID", "id"),
        ("GATEHOUSE_OAUTH_GITHUB_CLIENT_SECRET", "secret"),
    ];
    let public = oauth_providers(vars(Box::leak(Box::new(credentials)))).unwrap();
    let mut enterprise = credentials.to_vec();
    enterprise.push(("GATEHOUSE_OAUTH_GITHUB_URL", "https://git.example.com/"));
    let enterprise = oauth_providers(vars(enterprise.leak())).unwrap();

    let endpoints = |provider: &OAuthProvider| match &provider.kind {
        ProviderKind::GitHub { web, api } => (web.to_string(), api.to_string()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        endpoints(&public[0]),
        (
            "https://github.com/".into(),
            "https://api.github.com/".into()
        )
    );
    assert_eq!(public[0].scopes, ["read:user", "user:email"]);
    assert_eq!(
        endpoints(&enterprise[0]),
        (
            "https://git.example.com/".into(),
            "https://git.example.com/api/v3/".into()
        )
    );
}

#[test]
fn providers_read_their_variables_and_google_has_its_issuer() {
    let providers = oauth_providers(vars(&[
        ("GATEHOUSE_OAUTH_PROVIDERS", "google, corp-sso"),
        ("GATEHOUSE_OAUTH_GOOGLE_CLIENT_ID", "g-id"),
        ("GATEHOUSE_OAUTH_GOOGLE_CLIENT_SECRET", "g-secret"),
        ("GATEHOUSE_OAUTH_CORP_SSO_CLIENT_ID", "c-id"),
        ("GATEHOUSE_OAUTH_CORP_SSO_CLIENT_SECRET", "c-secret"),
        ("GATEHOUSE_OAUTH_CORP_SSO_ISSUER", "http://127.0.0.1:9000"),
        ("GATEHOUSE_OAUTH_CORP_SSO_SCOPES", "openid email groups"),
    ]))
    .unwrap();

    assert_eq!(providers.len(), 2);
    assert_eq!(issuer(&providers[0]), "https://accounts.google.com");
    assert_eq!(providers[0].scopes, ["openid", "email", "profile"]);
    assert_eq!(providers[1].id, "corp-sso");
    assert_eq!(issuer(&providers[1]), "http://127.0.0.1:9000");
    assert_eq!(providers[1].scopes, ["openid", "email", "groups"]);
    assert!(oauth_providers(vars(&[])).unwrap().is_empty());
}

#[test]
fn bad_providers_name_the_variable_at_fault() {
    for (pairs, variable) in [
        (
            vars(&[("GATEHOUSE_OAUTH_PROVIDERS", "corp")]),
            "GATEHOUSE_OAUTH_CORP_CLIENT_ID",
        ),
        (
            vars(&[
                ("GATEHOUSE_OAUTH_PROVIDERS", "corp"),
                ("GATEHOUSE_OAUTH_CORP_CLIENT_ID", "id"),
                ("GATEHOUSE_OAUTH_CORP_CLIENT_SECRET", "secret"),
            ]),
            "GATEHOUSE_OAUTH_CORP_ISSUER",
        ),
        (
            vars(&[
                ("GATEHOUSE_OAUTH_PROVIDERS", "corp"),
                ("GATEHOUSE_OAUTH_CORP_CLIENT_ID", "id"),
                ("GATEHOUSE_OAUTH_CORP_CLIENT_SECRET", "secret"),
                ("GATEHOUSE_OAUTH_CORP_ISSUER", "http://sso.example.com"),
            ]),
            "GATEHOUSE_OAUTH_CORP_ISSUER",
        ),
        (
            vars(&[
                ("GATEHOUSE_OAUTH_PROVIDERS", "google"),
                ("GATEHOUSE_OAUTH_GOOGLE_CLIENT_ID", "id"),
                ("GATEHOUSE_OAUTH_GOOGLE_CLIENT_SECRET", "secret"),
                ("GATEHOUSE_OAUTH_GOOGLE_SCOPES", "email profile"),
            ]),
            "GATEHOUSE_OAUTH_GOOGLE_SCOPES",
        ),
        (
            vars(&[("GATEHOUSE_OAUTH_PROVIDERS", "Corp SSO")]),
            "GATEHOUSE_OAUTH_PROVIDERS",
        ),
        (
            vars(&[("GATEHOUSE_OAUTH_PROVIDERS", "github")]),
            "GATEHOUSE_OAUTH_GITHUB_CLIENT_ID",
        ),
        (
            vars(&[
                ("GATEHOUSE_OAUTH_PROVIDERS", "github"),
                ("GATEHOUSE_OAUTH_GITHUB_CLIENT_ID", "id"),
                ("GATEHOUSE_OAUTH_GITHUB_CLIENT_SECRET", "secret"),
                ("GATEHOUSE_OAUTH_GITHUB_ISSUER", "https://github.com"),
            ]),
            "GATEHOUSE_OAUTH_GITHUB_ISSUER",
        ),
        (
            vars(&[
                ("GATEHOUSE_OAUTH_PROVIDERS", "github"),
                ("GATEHOUSE_OAUTH_GITHUB_CLIENT_ID", "id"),
                ("GATEHOUSE_OAUTH_GITHUB_CLIENT_SECRET", "secret"),
                ("GATEHOUSE_OAUTH_GITHUB_URL", "http://git.example.com"),
            ]),
            "GATEHOUSE_OAUTH_GITHUB_URL",
        ),
    ] {
        assert_eq!(oauth_providers(pairs).unwrap_err().variable, variable);
    }
}
