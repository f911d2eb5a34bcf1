//! The mail transport, checked at start-up: `GATEHOUSE_SMTP_URL` and `GATEHOUSE_MAIL_FROM`, or
//! `GATEHOUSE_MAIL_WEBHOOK`; and the extras both share, `GATEHOUSE_MAIL_TEMPLATES` and
//! `GATEHOUSE_MAIL_CA_FILE`.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use lettre::message::Mailbox;
use percent_encoding::percent_decode_str;
use url::Url;

use super::{ConfigError, invalid};

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtp://` without `tls=`: STARTTLS when the server offers it, plain otherwise.
    Opportunistic,
    /// `smtp://…?tls=required`, or `smtp://` with credentials: STARTTLS or no delivery.
    Required,
    /// `smtp://…?tls=none`: never TLS.
    None,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// An SMTP server to deliver through. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password, percent-decoded.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

/// How messages leave gatehouse.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// Delivered through an SMTP server, from `from`.
    Smtp { smtp: SmtpConfig, from: Mailbox },
    /// POSTed as signed JSON to the app, which sends them itself.
    Webhook { url: Url },
}

/// Where mail goes, with what words, and which extra certificate authorities to trust on the way.
#[derive(Clone, Debug)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// A folder of `<kind>.subject|txt|html` files replacing the built-in templates.
    pub templates: Option<PathBuf>,
    /// PEM certificates trusted besides the system's, for the SMTP server or the webhook.
    pub ca_file: Option<PathBuf>,
}

const SMTP_URL: &str = "GATEHOUSE_SMTP_URL";
const MAIL_FROM: &str = "GATEHOUSE_MAIL_FROM";
const MAIL_WEBHOOK: &str = "GATEHOUSE_MAIL_WEBHOOK";
pub const MAIL_TEMPLATES: &str = "GATEHOUSE_MAIL_TEMPLATES";
pub const MAIL_CA_FILE: &str = "GATEHOUSE_MAIL_CA_FILE";

/// `smtp://[user:pass@]host[:port][?tls=required|none]` (port 587) or
/// `smtps://[user:pass@]host[:port]` (port 465). Credentials are only ever sent over TLS unless `tls=none` says otherwise, so with
/// credentials and no `tls=`, STARTTLS is required.
pub fn parse_smtp_url(raw: &str) -> Result<SmtpConfig, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| invalid(SMTP_URL, format!("not a URL: {e}")))?;
    let implicit = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(invalid(
                SMTP_URL,
                format!("expected smtp:// or smtps://, got {other}://"),
            ));
        }
    };
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => host.trim_matches(['[', ']']).to_owned(),
        _ => return Err(invalid(SMTP_URL, "no host")),
    };
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(invalid(SMTP_URL, "a path or fragment has no meaning here"));
    }
    let mut tls = None;
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref(), implicit) {
            ("tls", _, true) => {
                return Err(invalid(SMTP_URL, "smtps:// is always TLS; drop tls="));
            }
            ("tls", "required", false) => tls = Some(SmtpTls::Required),
            ("tls", "none", false) => tls = Some(SmtpTls::None),
            ("tls", other, false) => {
                return Err(invalid(
                    SMTP_URL,
                    format!("tls= takes required or none, got {other:?}"),
                ));
            }
            (other, _, _) => {
                return Err(invalid(
                    SMTP_URL,
                    format!("unknown parameter {other:?} (only tls= is known)"),
                ));
            }
        }
    }
    let decode = |part: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| invalid(SMTP_URL, "credentials are not UTF-8 once percent-decoded"))
    };
    let credentials = if url.username().is_empty() {
        None
    } else {
        Some((
            decode(url.username())?,
            decode(url.password().unwrap_or(""))?,
        ))
    };
    let tls = match (implicit, tls) {
        (true, _) => SmtpTls::Implicit,
        (false, Some(tls)) => tls,
        (false, None) if credentials.is_some() => SmtpTls::Required,
        (false, None) => SmtpTls::Opportunistic,
    };
    let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
    Ok(SmtpConfig {
        host,
        port,
        tls,
        credentials,
    })
}

/// An `https://` URL, or `http://` to this machine (`localhost`, `127.0.0.0/8`, `[::1]`): mail
/// carries tokens, so it never crosses a network in clear.
pub fn parse_webhook_url(raw: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| invalid(MAIL_WEBHOOK, format!("not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(invalid(
            MAIL_WEBHOOK,
            "credentials or a fragment have no place here: the signature authenticates gatehouse",
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(invalid(
            MAIL_WEBHOOK,
            "http:// only to localhost, 127.0.0.0/8 or [::1]; use https:// elsewhere",
        )),
        other => Err(invalid(
            MAIL_WEBHOOK,
            format!("expected https:// (or http:// on loopback), got {other}://"),
        )),
    }
}

/// The mail settings: none, SMTP with a sender, or a webhook; never both transports.
pub fn mail_config(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<MailConfig>, ConfigError> {
    let smtp = get(SMTP_URL).map(|raw| parse_smtp_url(&raw)).transpose()?;
    let webhook = get(MAIL_WEBHOOK)
        .map(|raw| parse_webhook_url(&raw))
        .transpose()?;
    let from = get(MAIL_FROM)
        .map(|raw| {
            raw.trim()
                .parse::<Mailbox>()
                .map_err(|e| invalid(MAIL_FROM, format!("expected addr or Name <addr>: {e}")))
        })
        .transpose()?;
    let transport = match (smtp, webhook, from) {
        (Some(_), Some(_), _) => {
            return Err(invalid(
                MAIL_WEBHOOK,
                "GATEHOUSE_SMTP_URL is set too: choose one transport",
            ));
        }
        (Some(smtp), None, Some(from)) => MailTransport::Smtp { smtp, from },
        (Some(_), None, None) => {
            return Err(invalid(MAIL_FROM, "GATEHOUSE_SMTP_URL needs a sender"));
        }
        (None, Some(_), Some(_)) => {
            return Err(invalid(
                MAIL_FROM,
                "the webhook's receiver chooses the sender: drop GATEHOUSE_MAIL_FROM",
            ));
        }
        (None, Some(url), None) => MailTransport::Webhook { url },
        (None, None, Some(_)) => {
            return Err(invalid(
                MAIL_FROM,
                "a sender without GATEHOUSE_SMTP_URL sends nothing",
            ));
        }
        (None, None, None) => {
            for extra in [MAIL_TEMPLATES, MAIL_CA_FILE] {
                if get(extra).is_some() {
                    return Err(invalid(
                        extra,
                        "without a mail transport (GATEHOUSE_SMTP_URL or GATEHOUSE_MAIL_WEBHOOK) it has no use",
                    ));
                }
            }
            return Ok(None);
        }
    };
    let path = |variable: &'static str| {
        get(variable)
            .map(|raw| raw.trim().to_owned())
            .map(|raw| match raw.is_empty() {
                true => Err(invalid(variable, "empty: unset it instead")),
                false => Ok(PathBuf::from(raw)),
            })
            .transpose()
    };
    Ok(Some(MailConfig {
        transport,
        templates: path(MAIL_TEMPLATES)?,
        ca_file: path(MAIL_CA_FILE)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_tls_and_ports_as_documented() {
        let plain = parse_smtp_url("smtp://mail.example.com").unwrap();
        assert_eq!((plain.port, plain.tls), (587, SmtpTls::Opportunistic));
        assert_eq!(plain.credentials, None);

        let with_user = parse_smtp_url("smtp://al%40x:p%3Ass@mail.example.com:2525").unwrap();
        assert_eq!((with_user.port, with_user.tls), (2525, SmtpTls::Required));
        assert_eq!(
            with_user.credentials,
            Some(("al@x".to_owned(), "p:ss".to_owned()))
        );
        assert!(!format!("{with_user:?}").contains("p:ss"));

        let none = parse_smtp_url("smtp://u:p@127.0.0.1:25?tls=none").unwrap();
        assert_eq!(none.tls, SmtpTls::None);
        let implicit = parse_smtp_url("smtps://mail.example.com").unwrap();
        assert_eq!((implicit.port, implicit.tls), (465, SmtpTls::Implicit));
        assert_eq!(
            parse_smtp_url("smtp://[::1]:25").unwrap().host,
            "::1".to_owned()
        );
    }

    #[test]
    fn bad_smtp_urls_name_the_variable() {
        for bad in [
            "mail.example.com",
            "http://mail.example.com",
            "smtp://mail.example.com/x",
            "smtp://mail.example.com?tls=maybe",
            "smtp://mail.example.com?pool=3",
            "smtps://mail.example.com?tls=none",
        ] {
            let error = parse_smtp_url(bad).unwrap_err();
            assert_eq!(error.variable, "GATEHOUSE_SMTP_URL", "{bad}");
        }
    }

    #[test]
    fn a_transport_needs_a_sender_and_a_sender_a_transport() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(mail_config(vars(&[])).unwrap().is_none());
        let config = mail_config(vars(&[
            ("GATEHOUSE_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("GATEHOUSE_MAIL_FROM", "Example <no-reply@example.com>"),
        ]))
        .unwrap()
        .unwrap();
        let MailTransport::Smtp { from, .. } = config.transport else {
            panic!("an SMTP transport");
        };
        assert_eq!(from.email.to_string(), "no-reply@example.com");
        for (vars, variable) in [
            (
                vars(&[("GATEHOUSE_SMTP_URL", "smtp://127.0.0.1:2525")]),
                "GATEHOUSE_MAIL_FROM",
            ),
            (
                vars(&[("GATEHOUSE_MAIL_FROM", "no-reply@example.com")]),
                "GATEHOUSE_MAIL_FROM",
            ),
            (
                vars(&[("GATEHOUSE_MAIL_FROM", "not an address")]),
                "GATEHOUSE_MAIL_FROM",
            ),
            (
                vars(&[
                    ("GATEHOUSE_MAIL_WEBHOOK", "https://hooks.example.com"),
                    ("GATEHOUSE_SMTP_URL", "smtp://127.0.0.1:2525"),
                    ("GATEHOUSE_MAIL_FROM", "no-reply@example.com"),
                ]),
                "GATEHOUSE_MAIL_WEBHOOK",
            ),
            (
                vars(&[
                    ("GATEHOUSE_MAIL_WEBHOOK", "https://hooks.example.com"),
                    ("GATEHOUSE_MAIL_FROM", "no-reply@example.com"),
                ]),
                "GATEHOUSE_MAIL_FROM",
            ),
            (
                vars(&[("GATEHOUSE_MAIL_TEMPLATES", "/etc/gatehouse/mail")]),
                "GATEHOUSE_MAIL_TEMPLATES",
            ),
        ] {
            assert_eq!(mail_config(vars).unwrap_err().variable, variable);
        }
    }

    #[test]
    fn webhooks_are_https_or_loopback_http() {
        for good in [
            "https://hooks.example.com/mail",
            "http://localhost:9000/mail",
            "http://127.0.0.5/mail",
            "http://[::1]:8000/",
        ] {
            assert!(parse_webhook_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://hooks.example.com/mail",
            "http://10.0.0.1/mail",
            "ftp://localhost/",
            "https://user:pass@hooks.example.com/",
            "hooks.example.com",
        ] {
            let error = parse_webhook_url(bad).unwrap_err();
            assert_eq!(error.variable, "GATEHOUSE_MAIL_WEBHOOK", "{bad}");
        }
    }
}
