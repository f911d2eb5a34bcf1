//! The mail transport: `GATEHOUSE_SMTP_URL` and `GATEHOUSE_MAIL_FROM`, checked at start-up.

use std::fmt;

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

/// Where mail goes and whom it is from.
#[derive(Clone, Debug)]
pub struct MailConfig {
    pub smtp: SmtpConfig,
    pub from: Mailbox,
}

const SMTP_URL: &str = "GATEHOUSE_SMTP_URL";
const MAIL_FROM: &str = "GATEHOUSE_MAIL_FROM";

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

/// The mail settings: none, or SMTP with a sender. The webhook transport and template folder are
/// not part of this version: naming them stops start-up rather than silently sending nothing.
pub fn mail_config(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<MailConfig>, ConfigError> {
    for later in ["GATEHOUSE_MAIL_WEBHOOK", "GATEHOUSE_MAIL_TEMPLATES"] {
        if get(later).is_some() {
            return Err(invalid(
                later,
                "not supported by this version yet; use GATEHOUSE_SMTP_URL and the built-in templates",
            ));
        }
    }
    let smtp = get(SMTP_URL).map(|raw| parse_smtp_url(&raw)).transpose()?;
    let from = get(MAIL_FROM)
        .map(|raw| {
            raw.trim()
                .parse::<Mailbox>()
                .map_err(|e| invalid(MAIL_FROM, format!("expected addr or Name <addr>: {e}")))
        })
        .transpose()?;
    match (smtp, from) {
        (Some(smtp), Some(from)) => Ok(Some(MailConfig { smtp, from })),
        (Some(_), None) => Err(invalid(MAIL_FROM, "GATEHOUSE_SMTP_URL needs a sender")),
        (None, Some(_)) => Err(invalid(
            MAIL_FROM,
            "a sender without GATEHOUSE_SMTP_URL sends nothing",
        )),
        (None, None) => Ok(None),
    }
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
        assert_eq!(config.from.email.to_string(), "no-reply@example.com");
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
                vars(&[("GATEHOUSE_MAIL_WEBHOOK", "https://hooks.example.com")]),
                "GATEHOUSE_MAIL_WEBHOOK",
            ),
        ] {
            assert_eq!(mail_config(vars).unwrap_err().variable, variable);
        }
    }
}
