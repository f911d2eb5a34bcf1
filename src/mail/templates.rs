//! The messages: a subject, a plain-text body and an HTML body per kind, with `{{placeholder}}`s
//! filled in (HTML-escaped in the HTML body). The built-in ones fetch nothing remote (no images,
//! no styles from elsewhere), so a mail client shows the whole message at once. Files in
//! `GATEHOUSE_MAIL_TEMPLATES` replace them part by part, checked at start-up.

use std::collections::HashMap;
use std::path::Path;

use crate::config::{ConfigError, MAIL_TEMPLATES};

/// What a message is for; each kind has its own template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ResetPassword,
    VerifyEmail,
    MagicLink,
    /// To the current address: confirm a change of email.
    ChangeEmailConfirmation,
    /// To the new address: verify it, which completes the change.
    ChangeEmailVerification,
    /// delete-user in `confirm` mode: the link that deletes the account.
    DeleteAccount,
    /// A sign-up with a taken address while verification is required: the owner hears of it.
    ExistingAccount,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Self::ResetPassword,
        Self::VerifyEmail,
        Self::MagicLink,
        Self::ChangeEmailConfirmation,
        Self::ChangeEmailVerification,
        Self::DeleteAccount,
        Self::ExistingAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset-password",
            Self::VerifyEmail => "verify-email",
            Self::MagicLink => "magic-link",
            Self::ChangeEmailConfirmation => "change-email-confirmation",
            Self::ChangeEmailVerification => "change-email-verification",
            Self::DeleteAccount => "delete-account",
            Self::ExistingAccount => "existing-account",
        }
    }

    fn template(self) -> Template {
        match self {
            Self::ResetPassword => Template {
                subject: "Reset your password for {{site}}",
                text: "Hello {{name}},\n\n\
                    Someone asked to reset the password of the account {{email}} at {{site}}.\n\
                    To choose a new password, open this link within {{expiresIn}}:\n\n\
                    {{url}}\n\n\
                    If it was not you, ignore this message: your password stays as it is.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>Someone asked to reset the password of the account {{email}} at {{site}}.\n\
                    To choose a new password, open this link within {{expiresIn}}:</p>\n\
                    <p><a href=\"{{url}}\">Reset your password</a></p>\n\
                    <p>If it was not you, ignore this message: your password stays as it is.</p>\n\
                    </body></html>\n",
            },
            Self::VerifyEmail => Template {
                subject: "Verify your email address for {{site}}",
                text: "Hello {{name}},\n\n\
                    To confirm that {{email}} is your address at {{site}}, open this link within \
                    {{expiresIn}}:\n\n\
                    {{url}}\n\n\
                    If you did not sign up, ignore this message.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>To confirm that {{email}} is your address at {{site}}, open this link \
                    within {{expiresIn}}:</p>\n\
                    <p><a href=\"{{url}}\">Verify your email address</a></p>\n\
                    <p>If you did not sign up, ignore this message.</p>\n\
                    </body></html>\n",
            },
            Self::MagicLink => Template {
                subject: "Sign in to {{site}}",
                text: "Hello,\n\n\
                    To sign in to {{site}} as {{email}}, open this link within {{expiresIn}}:\n\n\
                    {{url}}\n\n\
                    If you did not ask for it, ignore this message.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello,</p>\n\
                    <p>To sign in to {{site}} as {{email}}, open this link within \
                    {{expiresIn}}:</p>\n\
                    <p><a href=\"{{url}}\">Sign in</a></p>\n\
                    <p>If you did not ask for it, ignore this message.</p>\n\
                    </body></html>\n",
            },
            Self::ChangeEmailConfirmation => Template {
                subject: "Confirm the change of your email address at {{site}}",
                text: "Hello {{name}},\n\n\
                    Someone asked to change the email address of your account at {{site}} from \
                    {{email}} to {{newEmail}}. To confirm, open this link within {{expiresIn}}; \
                    a message to the new address then completes the change:\n\n\
                    {{url}}\n\n\
                    If it was not you, ignore this message and change your password: your \
                    address stays as it is.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>Someone asked to change the email address of your account at {{site}} \
                    from {{email}} to {{newEmail}}. To confirm, open this link within \
                    {{expiresIn}}; a message to the new address then completes the change:</p>\n\
                    <p><a href=\"{{url}}\">Confirm the change</a></p>\n\
                    <p>If it was not you, ignore this message and change your password: your \
                    address stays as it is.</p>\n\
                    </body></html>\n",
            },
            Self::ChangeEmailVerification => Template {
                subject: "Verify your new email address for {{site}}",
                text: "Hello {{name}},\n\n\
                    To make {{newEmail}} the address of your account at {{site}}, open this link \
                    within {{expiresIn}}:\n\n\
                    {{url}}\n\n\
                    If you did not ask for it, ignore this message.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>To make {{newEmail}} the address of your account at {{site}}, open this \
                    link within {{expiresIn}}:</p>\n\
                    <p><a href=\"{{url}}\">Verify your new address</a></p>\n\
                    <p>If you did not ask for it, ignore this message.</p>\n\
                    </body></html>\n",
            },
            Self::DeleteAccount => Template {
                subject: "Confirm the deletion of your account at {{site}}",
                text: "Hello {{name}},\n\n\
                    Someone signed in as {{email}} asked to delete this account at {{site}}. To \
                    delete it for good, open this link within {{expiresIn}}, in the browser you \
                    are signed in with:\n\n\
                    {{url}}\n\n\
                    If it was not you, ignore this message and change your password: nothing is \
                    deleted.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>Someone signed in as {{email}} asked to delete this account at {{site}}. \
                    To delete it for good, open this link within {{expiresIn}}, in the browser \
                    you are signed in with:</p>\n\
                    <p><a href=\"{{url}}\">Delete my account</a></p>\n\
                    <p>If it was not you, ignore this message and change your password: nothing \
                    is deleted.</p>\n\
                    </body></html>\n",
            },
            Self::ExistingAccount => Template {
                subject: "Someone tried to sign up with your address at {{site}}",
                text: "Hello {{name}},\n\n\
                    Someone tried to create an account at {{site}} with {{email}}, which already \
                    has one. If it was you, sign in instead, or reset your password if you have \
                    forgotten it.\n\n\
                    If it was not you, ignore this message: nothing has changed.\n",
                html: "<!DOCTYPE html>\n<html><body>\n\
                    <p>Hello {{name}},</p>\n\
                    <p>Someone tried to create an account at {{site}} with {{email}}, which \
                    already has one. If it was you, sign in instead, or reset your password if \
                    you have forgotten it.</p>\n\
                    <p>If it was not you, ignore this message: nothing has changed.</p>\n\
                    </body></html>\n",
            },
        }
    }
}

struct Template {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

/// The values a template may use.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub url: String,
    /// The raw token in `url`, for templates that link to the app's own pages.
    pub token: String,
    pub email: String,
    /// The address a change of email moves to.
    pub new_email: String,
    pub name: String,
    /// `5 minutes`, `1 hour`, `24 hours`.
    pub expires_in: String,
    /// The host gatehouse serves, standing for the product's name.
    pub site: String,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 7] = [
    "url",
    "token",
    "email",
    "newEmail",
    "name",
    "expiresIn",
    "site",
];

/// The three parts of a message, and the file extension that replaces each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Subject,
    Text,
    Html,
}

impl Part {
    const ALL: [Part; 3] = [Self::Subject, Self::Text, Self::Html];

    fn extension(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Text => "txt",
            Self::Html => "html",
        }
    }
}

/// A template file larger than this is refused: it is a message, not a web page.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;

/// The built-in templates with the replacements read from `GATEHOUSE_MAIL_TEMPLATES`.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    overrides: HashMap<(&'static str, Part), String>,
}

impl Templates {
    /// Only the built-in templates.
    pub fn built_in() -> Self {
        Self::default()
    }

    /// Reads `<kind>.subject`, `<kind>.txt` and `<kind>.html` files from `folder`. A file named
    /// for an unknown kind, an unknown or unclosed placeholder, an empty subject or text that is
    /// not UTF-8 stops start-up, naming the file; other files are ignored.
    pub fn load(folder: &Path) -> Result<Self, ConfigError> {
        let refuse = |reason: String| ConfigError::new(MAIL_TEMPLATES, reason);
        let entries = std::fs::read_dir(folder)
            .map_err(|e| refuse(format!("cannot read the folder {}: {e}", folder.display())))?;
        let mut overrides = HashMap::new();
        for entry in entries {
            let path = entry
                .map_err(|e| refuse(format!("cannot read {}: {e}", folder.display())))?
                .path();
            let (Some(stem), Some(extension)) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            let Some(part) = Part::ALL.into_iter().find(|p| p.extension() == extension) else {
                continue;
            };
            let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == stem) else {
                let known: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                return Err(refuse(format!(
                    "{}: no kind of message is called {stem:?} (known: {})",
                    path.display(),
                    known.join(", ")
                )));
            };
            let name = path.display();
            let size = std::fs::metadata(&path)
                .map_err(|e| refuse(format!("cannot read {name}: {e}")))?
                .len();
            if size > MAX_TEMPLATE_BYTES {
                return Err(refuse(format!(
                    "{name}: {size} bytes, over the {MAX_TEMPLATE_BYTES} a template may have"
                )));
            }
            let bytes =
                std::fs::read(&path).map_err(|e| refuse(format!("cannot read {name}: {e}")))?;
            let mut text =
                String::from_utf8(bytes).map_err(|_| refuse(format!("{name}: not UTF-8")))?;
            if part == Part::Subject {
                text = text.lines().next().unwrap_or_default().trim().to_owned();
                if text.is_empty() {
                    return Err(refuse(format!(
                        "{name}: the first line, the subject, is empty"
                    )));
                }
            }
            check_placeholders(&text).map_err(|reason| refuse(format!("{name}: {reason}")))?;
            overrides.insert((kind.as_str(), part), text);
        }
        Ok(Self { overrides })
    }

    /// How many parts the folder replaced (for the start-up log).
    pub fn replaced(&self) -> usize {
        self.overrides.len()
    }

    fn part(&self, kind: Kind, part: Part) -> &str {
        if let Some(text) = self.overrides.get(&(kind.as_str(), part)) {
            return text;
        }
        let built_in = kind.template();
        match part {
            Part::Subject => built_in.subject,
            Part::Text => built_in.text,
            Part::Html => built_in.html,
        }
    }

    pub fn render(&self, kind: Kind, values: &Values) -> Rendered {
        Rendered {
            subject: fill(self.part(kind, Part::Subject), values, str::to_owned),
            text: fill(self.part(kind, Part::Text), values, str::to_owned),
            html: fill(self.part(kind, Part::Html), values, html_escape),
        }
    }
}

/// Every `{{...}}` names a known placeholder.
fn check_placeholders(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a {{ without its }}".to_owned());
        };
        let name = &after[..end];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{{{name}}}}} (known: {})",
                PLACEHOLDERS.join(", ")
            ));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// Fills every placeholder of `template` in one pass (a value that itself looks like a
/// placeholder stays as it is).
fn fill(template: &str, values: &Values, escape: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + values.url.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}");
        let value = end.and_then(|end| values.get(&after[..end]));
        match (end, value) {
            (Some(end), Some(value)) => {
                // Values are one line each: a name with line breaks cannot add a header (the
                // subject) or fake one in the body.
                let one_line: String = value
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                out.push_str(&escape(&one_line));
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Values {
    fn get(&self, placeholder: &str) -> Option<&str> {
        Some(match placeholder {
            "url" => &self.url,
            "token" => &self.token,
            "email" => &self.email,
            "newEmail" => &self.new_email,
            "name" => &self.name,
            "expiresIn" => &self.expires_in,
            "site" => &self.site,
            _ => return None,
        })
    }
}

/// Escapes the five characters HTML gives meaning to.
pub fn html_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_filled_in_and_escaped_in_html_only() {
        let values = Values {
            url: "https://auth.example.com/api/auth/reset-password/abc?callbackURL=".to_owned(),
            email: "al@example.com".to_owned(),
            name: "<Al & \"Bo\">".to_owned(),
            expires_in: "1 hour".to_owned(),
            site: "auth.example.com".to_owned(),
            ..Values::default()
        };

        let message = Templates::built_in().render(Kind::ResetPassword, &values);

        assert_eq!(message.subject, "Reset your password for auth.example.com");
        assert!(message.text.contains("Hello <Al & \"Bo\">,"));
        assert!(message.text.contains(&values.url));
        assert!(message.text.contains("within 1 hour"));
        assert!(
            message
                .html
                .contains("Hello &lt;Al &amp; &quot;Bo&quot;&gt;,")
        );
        assert!(!message.html.contains("{{"));
        assert!(!message.text.contains("{{"));
    }

    #[test]
    fn every_kind_fills_every_placeholder() {
        let values = Values {
            url: "u".to_owned(),
            token: "t".to_owned(),
            email: "e".to_owned(),
            new_email: "n".to_owned(),
            name: "a".to_owned(),
            expires_in: "x".to_owned(),
            site: "s".to_owned(),
        };
        for kind in Kind::ALL {
            let message = Templates::built_in().render(kind, &values);
            for part in [&message.subject, &message.text, &message.html] {
                assert!(!part.contains("{{"), "{kind:?}: {part}");
            }
        }
    }

    #[test]
    fn no_value_can_break_a_line() {
        let values = Values {
            name: "Al\r\nBcc: victim@example.com".to_owned(),
            site: "x\r\nBcc: victim@example.com".to_owned(),
            ..Values::default()
        };

        let message = Templates::built_in().render(Kind::ResetPassword, &values);

        assert!(!message.subject.contains(['\r', '\n']));
        assert!(message.text.contains("Hello Al  Bcc: victim@example.com,"));
        assert!(!message.text.contains("\nBcc"));
    }

    #[test]
    fn a_folder_replaces_the_parts_it_has_and_keeps_the_rest() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("reset-password.subject"),
            "Nouveau mot de passe pour {{email}}\nignored second line\n",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("reset-password.html"),
            "<p>{{name}}: <a href=\"https://app.example.com/reset?t={{token}}\">ici</a></p>",
        )
        .unwrap();
        std::fs::write(folder.path().join("README.md"), "not a template {{nope}}").unwrap();
        let templates = Templates::load(folder.path()).unwrap();
        let values = Values {
            token: "tok".to_owned(),
            email: "al@example.com".to_owned(),
            name: "<Al>".to_owned(),
            url: "https://auth.example.com/x".to_owned(),
            ..Values::default()
        };

        let message = templates.render(Kind::ResetPassword, &values);

        assert_eq!(templates.replaced(), 2);
        assert_eq!(message.subject, "Nouveau mot de passe pour al@example.com");
        assert_eq!(
            message.html,
            "<p>&lt;Al&gt;: <a href=\"https://app.example.com/reset?t=tok\">ici</a></p>"
        );
        assert!(
            message.text.contains("https://auth.example.com/x"),
            "built-in text kept"
        );
        let other = templates.render(Kind::VerifyEmail, &values);
        assert_eq!(
            other,
            Templates::built_in().render(Kind::VerifyEmail, &values)
        );
    }

    #[test]
    fn bad_template_folders_name_the_variable_and_the_file() {
        for (file, content, expected) in [
            ("reset-pasword.txt", "{{url}}", "reset-pasword"),
            (
                "verify-email.txt",
                "{{link}}",
                "unknown placeholder {{link}}",
            ),
            ("verify-email.html", "<a href=\"{{url\">", "without its }}"),
            ("magic-link.subject", "\nsecond line", "empty"),
        ] {
            let folder = tempfile::tempdir().unwrap();
            std::fs::write(folder.path().join(file), content).unwrap();

            let error = Templates::load(folder.path()).unwrap_err();

            assert_eq!(error.variable, "GATEHOUSE_MAIL_TEMPLATES");
            assert!(error.reason.contains(file), "{}", error.reason);
            assert!(error.reason.contains(expected), "{}", error.reason);
        }
        let missing = Templates::load(Path::new("/nonexistent/gatehouse-templates")).unwrap_err();
        assert_eq!(missing.variable, "GATEHOUSE_MAIL_TEMPLATES");
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_filled_again() {
        let values = Values {
            name: "{{url}}".to_owned(),
            url: "https://auth.example.com/secret-link".to_owned(),
            ..Values::default()
        };

        let message = Templates::built_in().render(Kind::ResetPassword, &values);

        assert!(message.text.contains("Hello {{url}},"));
    }
}
