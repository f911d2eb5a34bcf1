//! Parsers for single values, each refusing with the variable's name.

use chrono::Duration;
use ipnet::IpNet;
use url::Url;

use super::{ConfigError, invalid};

/// `localhost`, `*.localhost` or a loopback address: browsers treat http there as secure.
pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost" || domain.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `host:port`, as `GATEHOUSE_BIND` takes it: an IP address or a host name, and a port.
pub(super) fn parse_bind(
    variable: &'static str,
    raw: Option<String>,
    default: &str,
) -> Result<String, ConfigError> {
    let Some(raw) = raw else {
        return Ok(default.to_owned());
    };
    let raw = raw.trim();
    if raw.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(raw.to_owned());
    }
    let valid = raw.rsplit_once(':').is_some_and(|(host, port)| {
        port.parse::<u16>().is_ok()
            && !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    });
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(invalid(
            variable,
            format!("expected host:port, such as 127.0.0.1:8080 or [::]:8080, got {raw:?}"),
        ))
    }
}

pub(super) fn read_key_file(variable: &'static str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| invalid(variable, format!("cannot read {path}: {e}")))
}

pub(super) fn list(value: Option<String>) -> impl Iterator<Item = String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// A positive duration: whole seconds (`604800`), or what `humantime` reads (`7d`, `90m`,
/// `1h 30m`, `2weeks`).
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let duration = if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        Duration::try_seconds(raw.parse().ok()?)?
    } else {
        Duration::from_std(humantime::parse_duration(raw).ok()?).ok()?
    };
    (duration > Duration::zero()).then_some(duration)
}

pub(super) fn duration(
    variable: &'static str,
    raw: Option<String>,
    default_secs: i64,
) -> Result<Duration, ConfigError> {
    match raw {
        None => Ok(Duration::seconds(default_secs)),
        Some(raw) => parse_duration(&raw).ok_or_else(|| {
            invalid(
                variable,
                "expected a positive duration: whole seconds, or a number with a unit (30s, 90m, 7d)",
            )
        }),
    }
}

pub(super) fn on_off(
    variable: &'static str,
    raw: Option<String>,
    default: bool,
) -> Result<bool, ConfigError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(invalid(
            variable,
            format!("expected on or off, got {other:?}"),
        )),
    }
}

pub(super) fn parse_http_url(variable: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| invalid(variable, format!("not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            variable,
            "expected an absolute http:// or https:// URL",
        ));
    }
    Ok(url)
}

pub(super) fn parse_cidr(entry: &str) -> Result<IpNet, ConfigError> {
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| {
            invalid(
                "GATEHOUSE_TRUSTED_PROXIES",
                format!("{entry:?} is not an IP address or CIDR"),
            )
        })
}
