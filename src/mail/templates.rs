//! The built-in messages: a subject, a plain-text body and an HTML body per kind, with
//! `{{placeholder}}`s filled in (HTML-escaped in the HTML body). Nothing remote: no images, no
//! styles from elsewhere, so a mail client shows the whole message without fetching anything.

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

pub fn render(kind: Kind, values: &Values) -> Rendered {
    let template = kind.template();
    // Values are one line each: a name with line breaks cannot add a header (the subject) or
    // fake one in the body.
    let fill = |template: &str, escape: fn(&str) -> String| {
        let mut out = template.to_owned();
        for (name, value) in [
            ("url", &values.url),
            ("email", &values.email),
            ("newEmail", &values.new_email),
            ("name", &values.name),
            ("expiresIn", &values.expires_in),
            ("site", &values.site),
        ] {
            let one_line: String = value
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            out = out.replace(&format!("{{{{{name}}}}}"), &escape(&one_line));
        }
        out
    };
    Rendered {
        subject: fill(template.subject, str::to_owned),
        text: fill(template.text, str::to_owned),
        html: fill(template.html, html_escape),
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

        let message = render(Kind::ResetPassword, &values);

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
            email: "e".to_owned(),
            new_email: "n".to_owned(),
            name: "a".to_owned(),
            expires_in: "x".to_owned(),
            site: "s".to_owned(),
        };
        for kind in [
            Kind::ResetPassword,
            Kind::VerifyEmail,
            Kind::MagicLink,
            Kind::ChangeEmailConfirmation,
            Kind::ChangeEmailVerification,
            Kind::DeleteAccount,
            Kind::ExistingAccount,
        ] {
            let message = render(kind, &values);
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

        let message = render(Kind::ResetPassword, &values);

        assert!(!message.subject.contains(['\r', '\n']));
        assert!(message.text.contains("Hello Al  Bcc: victim@example.com,"));
        assert!(!message.text.contains("\nBcc"));
    }
}
