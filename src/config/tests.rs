//! Configuration parsing: defaults, refusals that name their variable, and redaction.
use std::collections::HashMap;

use super::*;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

const SECRET: (&str, &str) = ("GATEHOUSE_SECRET", "0123456789abcdef0123456789abcdef");

#[test]
fn a_secret_never_appears_in_debug_output() {
    let config = config(&[
        SECRET,
        (
            "DATABASE_URL",
            "postgres://u:hunter2hunter2@db/x?password=pw2",
        ),
    ])
    .unwrap();

    let printed = format!("{config:?}");

    assert!(!printed.contains(SECRET.1));
    assert!(!printed.contains("hunter2hunter2"));
    assert!(!printed.contains("pw2"));
    assert!(printed.contains("postgres://u:***@db/x"), "{printed}");
}

#[test]
fn a_short_secret_is_refused_naming_the_variable() {
    let error = config(&[("GATEHOUSE_SECRET", "short")]).unwrap_err();

    assert_eq!(error.variable, "GATEHOUSE_SECRET");
}

#[test]
fn better_auth_secret_is_read_when_gatehouse_secret_is_unset() {
    let config = config(&[
        ("BETTER_AUTH_SECRET", "0123456789abcdef0123456789abcdef-ba"),
        ("DATABASE_URL", "sqlite://:memory:"),
    ])
    .unwrap();

    assert_eq!(
        config.secret.expose(),
        "0123456789abcdef0123456789abcdef-ba"
    );
}

#[test]
fn postgres_requires_an_explicit_secret() {
    let error = config(&[("DATABASE_URL", "postgres://localhost/x")]).unwrap_err();

    assert_eq!(error.variable, "GATEHOUSE_SECRET");
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_urls_are_read_redacted_and_need_an_explicit_secret() {
    let error = config(&[("DATABASE_URL", "mysql://localhost/x")]).unwrap_err();
    assert_eq!(error.variable, "GATEHOUSE_SECRET");

    let config = config(&[
        SECRET,
        ("DATABASE_URL", "mariadb://u:hunter2hunter2@db:3306/x"),
    ])
    .unwrap();
    assert_eq!(
        config.database_url,
        DatabaseUrl::Mysql("mysql://u:hunter2hunter2@db:3306/x".to_owned())
    );
    let printed = format!("{config:?}");
    assert!(!printed.contains("hunter2hunter2"), "{printed}");
    assert!(printed.contains("mysql://u:***@db:3306/x"), "{printed}");
}

#[cfg(not(feature = "mysql"))]
#[test]
fn a_build_without_the_mysql_feature_says_how_to_get_it() {
    let error = config(&[SECRET, ("DATABASE_URL", "mysql://localhost/x")]).unwrap_err();

    assert_eq!(error.variable, "DATABASE_URL");
    assert!(error.to_string().contains("--features mysql"), "{error}");
}

#[test]
fn a_generated_secret_is_stored_only_when_persisted_with_owner_only_permissions_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let url = format!("sqlite://{}", db.display());
    let secret_file = dir.path().join("g.db.secret");

    let mut first = config(&[("DATABASE_URL", &url)]).unwrap();
    let written_by_reading = secret_file.exists();
    first.persist_generated_secret().unwrap();
    let second = config(&[("DATABASE_URL", &url)]).unwrap();

    assert!(
        !written_by_reading,
        "reading the configuration wrote a file"
    );
    assert_eq!(first.secret, second.secret);
    assert_eq!(first.secret.expose().len(), 64);
    assert_eq!(
        second.secret_source,
        SecretSource::File(secret_file.clone())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_secret_stored_by_another_process_first_wins() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let mut first = config(&[("DATABASE_URL", &url)]).unwrap();
    let mut second = config(&[("DATABASE_URL", &url)]).unwrap();

    second.persist_generated_secret().unwrap();
    first.persist_generated_secret().unwrap();

    assert_eq!(first.secret, second.secret);
}

#[test]
fn same_site_none_needs_https_except_on_this_machine() {
    let remote = config(&[
        SECRET,
        ("GATEHOUSE_COOKIE_SAMESITE", "none"),
        ("GATEHOUSE_BASE_URL", "http://auth.example.com"),
    ])
    .unwrap_err();
    let local = config(&[
        SECRET,
        ("GATEHOUSE_COOKIE_SAMESITE", "none"),
        ("GATEHOUSE_BASE_URL", "http://localhost:8080"),
    ])
    .unwrap();
    let secure = config(&[
        SECRET,
        ("GATEHOUSE_COOKIE_SAMESITE", "none"),
        ("GATEHOUSE_BASE_URL", "https://auth.example.com"),
    ])
    .unwrap();

    assert_eq!(remote.variable, "GATEHOUSE_COOKIE_SAMESITE");
    assert!(
        local
            .warnings()
            .iter()
            .any(|w| w.contains("GATEHOUSE_COOKIE_SAMESITE"))
    );
    assert!(secure.warnings().is_empty(), "{:?}", secure.warnings());
}

#[test]
fn bind_takes_host_and_port() {
    for good in ["127.0.0.1:8080", "[::]:8080", "0.0.0.0:1", "localhost:8080"] {
        assert_eq!(
            config(&[SECRET, ("GATEHOUSE_BIND", good)]).unwrap().bind,
            good
        );
    }
    for bad in [
        "nope",
        "127.0.0.1",
        "127.0.0.1:99999",
        ":8080",
        "a b:80",
        "host:port",
    ] {
        let error = config(&[SECRET, ("GATEHOUSE_BIND", bad)]).unwrap_err();
        assert_eq!(error.variable, "GATEHOUSE_BIND", "{bad}");
        assert!(
            error.reason.contains("host:port"),
            "{bad}: {}",
            error.reason
        );
    }
}

#[test]
fn bcrypt_cost_below_ten_is_refused() {
    let error = config(&[SECRET, ("GATEHOUSE_BCRYPT_COST", "9")]).unwrap_err();

    assert_eq!(error.variable, "GATEHOUSE_BCRYPT_COST");
}

#[test]
fn the_update_age_must_be_below_the_ttl() {
    let error = config(&[
        SECRET,
        ("GATEHOUSE_SESSION_TTL", "1h"),
        ("GATEHOUSE_SESSION_UPDATE_AGE", "1h"),
    ])
    .unwrap_err();

    assert_eq!(error.variable, "GATEHOUSE_SESSION_UPDATE_AGE");
}

#[test]
fn the_fresh_age_takes_a_duration_or_zero_for_always() {
    let fresh = |raw: &str| config(&[SECRET, ("GATEHOUSE_FRESH_AGE", raw)]);

    assert_eq!(fresh("5m").unwrap().fresh_age, Duration::minutes(5));
    assert_eq!(fresh("0").unwrap().fresh_age, Duration::zero());
    assert_eq!(fresh("soon").unwrap_err().variable, "GATEHOUSE_FRESH_AGE");
}

#[test]
fn delete_user_is_off_unless_switched_on_and_confirm_needs_mail() {
    let delete_user = |raw: &str| config(&[SECRET, ("GATEHOUSE_DELETE_USER", raw)]);

    assert_eq!(config(&[SECRET]).unwrap().delete_user, DeleteUser::Off);
    assert_eq!(delete_user("on").unwrap().delete_user, DeleteUser::On);
    assert_eq!(delete_user("false").unwrap().delete_user, DeleteUser::Off);
    assert_eq!(
        delete_user("confirm").unwrap_err().variable,
        "GATEHOUSE_DELETE_USER"
    );
    let with_mail = config(&[
        SECRET,
        ("GATEHOUSE_DELETE_USER", "confirm"),
        ("GATEHOUSE_SMTP_URL", "smtp://127.0.0.1:2525"),
        ("GATEHOUSE_MAIL_FROM", "no-reply@example.com"),
    ]);
    assert_eq!(with_mail.unwrap().delete_user, DeleteUser::Confirm);
}

#[test]
fn durations_take_seconds_or_a_unit() {
    assert_eq!(parse_duration("604800"), Some(Duration::days(7)));
    assert_eq!(parse_duration("7d"), Some(Duration::days(7)));
    assert_eq!(parse_duration("90m"), Some(Duration::minutes(90)));
    assert_eq!(parse_duration("2h"), Some(Duration::hours(2)));
    assert_eq!(parse_duration("30s"), Some(Duration::seconds(30)));
    assert_eq!(parse_duration("1h 30m"), Some(Duration::minutes(90)));
    assert_eq!(parse_duration("2weeks"), Some(Duration::days(14)));
    assert_eq!(parse_duration("0"), None);
    assert_eq!(parse_duration("0s"), None);
    assert_eq!(parse_duration("-1d"), None);
    assert_eq!(parse_duration("7 fortnights"), None);
    assert_eq!(parse_duration("forever"), None);
    assert_eq!(parse_duration(""), None);
}

#[test]
fn defaults_are_the_documented_ones() {
    let config = config(&[SECRET]).unwrap();

    assert_eq!(
        config.database_url,
        DatabaseUrl::Sqlite("gatehouse.db".to_owned())
    );
    assert_eq!(config.bind, "127.0.0.1:8080");
    assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(config.session_strategy, SessionStrategy::Database);
    assert_eq!(config.session_ttl, Duration::days(7));
    assert_eq!(config.session_update_age, Duration::days(1));
    assert_eq!(config.fresh_age, Duration::days(1));
    assert_eq!(config.bcrypt_cost, 12);
    assert_eq!(config.cookie_prefix, "gatehouse");
    assert_eq!(config.jwt_issuer, "http://127.0.0.1:8080");
    assert_eq!(config.jwt_audience, "http://127.0.0.1:8080");
    assert!(
        config
            .trusted_origins
            .is_trusted_origin("http://127.0.0.1:8080")
    );
    assert_eq!(config.request_timeout, Duration::seconds(10));
    assert!(config.rate_limit);
}

#[test]
fn malformed_values_name_their_variable() {
    for (variable, value) in [
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "mysql://localhost"),
        ("DATABASE_URL", "mysql:///x"),
        ("GATEHOUSE_BASE_URL", "not a url"),
        ("GATEHOUSE_SESSION_STRATEGY", "cookies"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "example.com"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "https://*.co.uk"),
        ("GATEHOUSE_TRUSTED_ORIGINS", "https://app.example.com/path"),
        ("GATEHOUSE_REQUEST_TIMEOUT", "soon"),
        ("DATABASE_URL", "postgres://"),
        ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/99"),
        ("GATEHOUSE_COOKIE_SAMESITE", "sometimes"),
        ("GATEHOUSE_SIGN_IN_URL", "/relative"),
        ("GATEHOUSE_SECRETS_OLD", "short"),
        ("GATEHOUSE_JWT_PRIVATE_KEY", "/nonexistent/key.pem"),
        ("GATEHOUSE_JWT_PRIVATE_KEY", "/etc/hostname"),
    ] {
        let error = config(&[SECRET, (variable, value)]).unwrap_err();
        assert_eq!(error.variable, variable, "{value}");
    }
}

#[test]
fn metrics_listen_apart_from_the_service_and_logs_are_text_or_json() {
    let defaults = config(&[SECRET]).unwrap();
    assert!(!defaults.metrics);
    assert_eq!(defaults.metrics_bind, "127.0.0.1:9464");
    assert_eq!(defaults.log_format, LogFormat::Text);
    let on = config(&[
        SECRET,
        ("GATEHOUSE_METRICS", "on"),
        ("GATEHOUSE_METRICS_BIND", "0.0.0.0:9100"),
        ("GATEHOUSE_LOG_FORMAT", " JSON "),
    ])
    .unwrap();
    assert!(on.metrics);
    assert_eq!(on.metrics_bind, "0.0.0.0:9100");
    assert_eq!(on.log_format, LogFormat::Json);
    for (vars, variable) in [
        (
            vec![("GATEHOUSE_METRICS_BIND", "9464")],
            "GATEHOUSE_METRICS_BIND",
        ),
        (
            vec![
                ("GATEHOUSE_METRICS", "on"),
                ("GATEHOUSE_BIND", "127.0.0.1:9000"),
                ("GATEHOUSE_METRICS_BIND", "127.0.0.1:9000"),
            ],
            "GATEHOUSE_METRICS_BIND",
        ),
        (
            vec![("GATEHOUSE_LOG_FORMAT", "logfmt")],
            "GATEHOUSE_LOG_FORMAT",
        ),
    ] {
        let mut all = vec![SECRET];
        all.extend(vars);
        assert_eq!(config(&all).unwrap_err().variable, variable);
    }
}

#[test]
fn the_drain_delay_is_zero_by_default_and_bounded() {
    assert!(config(&[SECRET]).unwrap().drain_delay.is_zero());
    for (raw, seconds) in [("0", 0), ("2s", 2), ("90", 90)] {
        let parsed = config(&[SECRET, ("GATEHOUSE_DRAIN_DELAY", raw)]).unwrap();
        assert_eq!(parsed.drain_delay.num_seconds(), seconds, "{raw}");
    }
    for bad in ["-1", "soon", "6m"] {
        let error = config(&[SECRET, ("GATEHOUSE_DRAIN_DELAY", bad)]).unwrap_err();
        assert_eq!(error.variable, "GATEHOUSE_DRAIN_DELAY", "{bad}");
    }
}
