//! `gatehouse user …`: the administration operations ([`crate::admin`]) from a shell on the
//! server, reading the service's own configuration (`DATABASE_URL`, `GATEHOUSE_*`). Results go to
//! standard output (a table, or `--json`); an error is one line on standard error and a non-zero
//! exit status ([`exit`]). Passwords are read from standard input, never from an argument, which
//! `ps` and shell histories would show.

use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Duration;
use clap::Subcommand;
use serde_json::{Value, json};

use crate::admin::{Actor, Admin, NewUser, ban_end};
use crate::auth::password::Hasher;
use crate::clock::Clock;
use crate::config::{Config, SessionStrategy};
use crate::db::Db;
use crate::db::models::{AuditRow, SessionRow, UserRow};
use crate::db::users::Listing;
use crate::dto::format_date;
use crate::error::ApiError;
use crate::session::Sessions;

/// Exit statuses of `gatehouse user`.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// The database or the hashing failed; nothing was changed.
    pub const FAILED: u8 = 1;
    /// Wrong arguments or configuration (as clap's own usage errors).
    pub const USAGE: u8 = 2;
    /// No user by that id, email or username.
    pub const NOT_FOUND: u8 = 3;
    /// Refused: a rule the value breaks (password length, address, role, a taken address or
    /// username), or a deletion not confirmed.
    pub const REFUSED: u8 = 4;
}

const EXAMPLES: &str = "\
USER is a user's id, email or username.

Examples:
  gatehouse user create --email ada@example.com --name Ada --role admin   # prompts for the password
  printf '%s\\n' \"$PASSWORD\" | gatehouse user create --email bob@example.com --name Bob
  gatehouse user set-role ada@example.com admin
  gatehouse user list --search example.com --limit 20
  gatehouse user show bob@example.com --json
  gatehouse user ban bob@example.com --reason 'spam' --expires-in 7d
  gatehouse user revoke-sessions bob@example.com
  gatehouse user delete bob@example.com --yes
  gatehouse user audit --user bob@example.com

Exit status: 0 done, 1 database or hashing failure, 2 usage or configuration,
3 no such user, 4 refused (a rule the value breaks, or a deletion not confirmed).";

/// Manage users from the server's shell: the first admin, password resets, bans.
#[derive(Debug, Subcommand)]
#[command(after_help = EXAMPLES)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input (its first line), or asked for
    /// twice without echo on a terminal.
    #[command(after_help = EXAMPLES)]
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// `user` (the default) or `admin`; repeat or comma-join for several.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// A username to sign in with (3 to 30 of `A-Za-z0-9_.`).
        #[arg(long)]
        username: Option<String>,
        /// Mark the address verified.
        #[arg(long)]
        verified: bool,
        /// Create the user without a password (magic link or a provider; `set-password` later).
        #[arg(long)]
        no_password: bool,
    },
    /// List users, newest first.
    #[command(after_help = EXAMPLES)]
    List {
        /// Only users whose email (or, with `--by-name`, name) contains this, in any case.
        #[arg(long)]
        search: Option<String>,
        /// Search names instead of emails.
        #[arg(long)]
        by_name: bool,
        /// At most this many (1000 at most).
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// One JSON object: `{"users":[…],"total":n}`.
        #[arg(long)]
        json: bool,
    },
    /// Show a user and their sessions.
    #[command(after_help = EXAMPLES)]
    Show {
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (read as for `create`). Ends their sessions unless
    /// GATEHOUSE_REVOKE_SESSIONS_ON_PASSWORD_RESET=false.
    #[command(after_help = EXAMPLES)]
    SetPassword { user: String },
    /// Replace a user's roles: `user`, `admin`, or both.
    #[command(after_help = EXAMPLES)]
    SetRole {
        user: String,
        #[arg(required = true, value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// Ban a user: their sessions end at once, and they cannot sign in until unbanned or the ban
    /// expires.
    #[command(after_help = EXAMPLES)]
    Ban {
        user: String,
        /// Shown to nobody but admins ("No reason" if absent).
        #[arg(long)]
        reason: Option<String>,
        /// How long, as `30m`, `12h`, `7d`; for ever if absent.
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<humantime::Duration>,
    },
    /// Lift a user's ban.
    #[command(after_help = EXAMPLES)]
    Unban { user: String },
    /// End every session of a user (on every instance within a second).
    #[command(after_help = EXAMPLES)]
    RevokeSessions { user: String },
    /// Delete a user with their accounts and sessions. Asks for the address to confirm, unless
    /// `--yes`.
    #[command(after_help = EXAMPLES)]
    Delete {
        user: String,
        /// Do not ask (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Show the audit log of administrative actions, newest first.
    #[command(after_help = EXAMPLES)]
    Audit {
        /// Only actions on this user (who may since have been deleted: give their id).
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

/// A failure as the command reports it: the exit status and one line.
struct Failure(u8, String);

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        let (_, code) = error.code();
        let status = match &error {
            ApiError::UserNotFound(_) => exit::NOT_FOUND,
            ApiError::Internal(cause) | ApiError::Unavailable(cause) => {
                return Self(exit::FAILED, cause.clone());
            }
            _ => exit::REFUSED,
        };
        Self(status, format!("{error} ({code})"))
    }
}

type Outcome = Result<(), Failure>;

/// Runs one `gatehouse user` command.
pub fn run(command: UserCommand) -> ExitCode {
    let outcome = prepare().and_then(|parts| {
        actix_web::rt::System::new().block_on(async move { execute(&parts, command).await })
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(status, message)) => {
            eprintln!("gatehouse: {message}");
            ExitCode::from(status)
        }
    }
}

/// What the operations need, as `serve` builds it, without a listener, mail or providers.
struct Parts {
    config: Config,
    db: Db,
    sessions: Sessions,
    hasher: Hasher,
}

fn prepare() -> Result<Parts, Failure> {
    let usage = |error: &dyn std::fmt::Display| Failure(exit::USAGE, error.to_string());
    let mut config = Config::from_env().map_err(|error| usage(&error))?;
    crate::logging::init_with(config.log_format, "warn");
    // As `serve` would: a generated SQLite secret is stored, so both read the same one.
    config
        .persist_generated_secret()
        .map_err(|error| usage(&error))?;
    let (db, _applied) = Db::open(&config.database_url)
        .map_err(|error| Failure(exit::FAILED, format!("cannot open the database: {error}")))?;
    let sessions = Sessions::new(&config).map_err(|error| usage(&error))?;
    if config.session_strategy == SessionStrategy::Database {
        // Running instances' session caches forget what this command changes.
        db.publish_invalidations(Arc::new(|_| {}));
    }
    let hasher = Hasher::start(config.bcrypt_cost, 1, 4)?;
    Ok(Parts {
        config,
        db,
        sessions,
        hasher,
    })
}

async fn execute(parts: &Parts, command: UserCommand) -> Outcome {
    let admin = Admin {
        db: &parts.db,
        sessions: &parts.sessions,
        hasher: &parts.hasher,
        revoke_on_password_set: parts.config.revoke_sessions_on_password_reset,
        actor: Actor::command_line(),
    };
    let now = Clock::system().now();
    match command {
        UserCommand::Create {
            email,
            name,
            roles,
            username,
            verified,
            no_password,
        } => {
            let password = if no_password {
                None
            } else {
                Some(read_password()?)
            };
            let user = admin
                .create(
                    NewUser {
                        email,
                        name,
                        password,
                        roles,
                        email_verified: verified,
                        username,
                        image: None,
                    },
                    now,
                )
                .await?;
            say(&format!(
                "created user {} <{}> role {}",
                user.id, user.email, user.role
            ))
        }
        UserCommand::List {
            search,
            by_name,
            limit,
            offset,
            json,
        } => {
            let listing = Listing {
                search,
                search_name: by_name,
                descending: true,
                limit,
                offset,
                ..Listing::default()
            };
            let (users, total) = admin.list(listing).await?;
            if json {
                let users: Vec<Value> = users.iter().map(user_json).collect();
                return say(&json!({"users": users, "total": total}).to_string());
            }
            let mut rows = vec![
                [
                    "ID", "EMAIL", "NAME", "ROLE", "VERIFIED", "BANNED", "CREATED",
                ]
                .map(String::from),
            ];
            rows.extend(users.iter().map(|user| {
                [
                    user.id.clone(),
                    user.email.clone(),
                    user.name.clone(),
                    user.role.clone(),
                    yes_no(user.email_verified),
                    banned(user),
                    format_date(&user.created_at.and_utc()),
                ]
            }));
            say(&format!(
                "{}{} shown, {total} in all",
                table(&rows),
                users.len()
            ))
        }
        UserCommand::Show { user, json } => {
            let user = admin.find(&user).await?;
            let sessions = admin.sessions_of(&user).await?;
            if json {
                let sessions: Vec<Value> = sessions.iter().map(session_json).collect();
                return say(&json!({"user": user_json(&user), "sessions": sessions}).to_string());
            }
            say(&show(&user, &sessions))
        }
        UserCommand::SetPassword { user } => {
            let user = admin.find(&user).await?;
            let password = read_password()?;
            let ended = admin.set_password(&user, password, now).await?;
            say(&format!(
                "password set for {} <{}>; {ended} sessions ended",
                user.id, user.email
            ))
        }
        UserCommand::SetRole { user, roles } => {
            let user = admin.find(&user).await?;
            let user = admin.set_role(&user, &roles, now).await?;
            say(&format!("{} <{}> role {}", user.id, user.email, user.role))
        }
        UserCommand::Ban {
            user,
            reason,
            expires_in,
        } => {
            let user = admin.find(&user).await?;
            let expires_in = expires_in
                .map(|length| {
                    Duration::from_std(length.into())
                        .map_err(|_| Failure(exit::USAGE, "--expires-in is too long".to_owned()))
                })
                .transpose()?;
            let user = admin.ban(&user, reason, expires_in, now).await?;
            say(&format!(
                "banned {} <{}> until {}; sessions ended",
                user.id,
                user.email,
                ban_end(user.ban_expires)
            ))
        }
        UserCommand::Unban { user } => {
            let user = admin.find(&user).await?;
            let user = admin.unban(&user, now).await?;
            say(&format!("unbanned {} <{}>", user.id, user.email))
        }
        UserCommand::RevokeSessions { user } => {
            let user = admin.find(&user).await?;
            let ended = admin.revoke_sessions(&user, now).await?;
            say(&format!(
                "{ended} sessions of {} <{}> ended",
                user.id, user.email
            ))
        }
        UserCommand::Delete { user, yes } => {
            let user = admin.find(&user).await?;
            if !yes {
                confirm_deletion(&user)?;
            }
            admin.remove(&user, now).await?;
            say(&format!("deleted {} <{}>", user.id, user.email))
        }
        UserCommand::Audit { user, limit, json } => {
            let target = match user {
                Some(user) => Some(audited(&admin, &user).await?),
                None => None,
            };
            let rows = admin.audit(target.as_ref(), limit).await?;
            if json {
                let rows: Vec<Value> = rows.iter().map(audit_json).collect();
                return say(&Value::Array(rows).to_string());
            }
            let mut table_rows =
                vec![["AT", "ACTOR", "ACTION", "TARGET", "FROM", "DETAIL"].map(String::from)];
            table_rows.extend(rows.iter().map(|row| {
                [
                    format_date(&row.at.and_utc()),
                    row.actor.clone(),
                    row.action.clone(),
                    row.target.clone().unwrap_or_default(),
                    row.ip_address.clone(),
                    row.detail.clone().unwrap_or_default(),
                ]
            }));
            say(table(&table_rows).trim_end())
        }
    }
}

/// The user the audit log is asked about: a user who exists, or the id of one deleted since
/// (the log keeps it).
async fn audited(admin: &Admin<'_>, who: &str) -> Result<UserRow, Failure> {
    match admin.find(who).await {
        Ok(user) => Ok(user),
        Err(ApiError::UserNotFound(_)) => Ok(UserRow::new(
            who.trim().to_owned(),
            String::new(),
            String::new(),
            false,
            chrono::NaiveDateTime::default(),
        )),
        Err(error) => Err(error.into()),
    }
}

/// Prints a result to standard output; a reader that went away is not an error.
fn say(text: &str) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure(
            exit::FAILED,
            format!("cannot write to standard output: {error}"),
        )),
    }
}

/// The longest password line read from a pipe; a longer one is refused, not cut.
const MAX_PASSWORD_LINE: u64 = 4096;

/// The new password: asked for twice without echo on a terminal, else the first line of
/// standard input (without its line ending).
fn read_password() -> Result<String, Failure> {
    let unreadable =
        |error: std::io::Error| Failure(exit::FAILED, format!("cannot read the password: {error}"));
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").map_err(unreadable)?;
        let again = rpassword::prompt_password("Again: ").map_err(unreadable)?;
        if first != again {
            return Err(Failure(
                exit::REFUSED,
                "the passwords do not match".to_owned(),
            ));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_PASSWORD_LINE + 1)
            .read_line(&mut line)
            .map_err(unreadable)?;
        if u64::try_from(line.len()).unwrap_or(u64::MAX) > MAX_PASSWORD_LINE {
            return Err(Failure(
                exit::REFUSED,
                "the password line is too long".to_owned(),
            ));
        }
        line.truncate(line.trim_end_matches(['\r', '\n']).len());
        line
    };
    if password.is_empty() {
        return Err(Failure(
            exit::USAGE,
            "no password given: pipe one line to standard input, or use --no-password".to_owned(),
        ));
    }
    Ok(password)
}

/// Asks on the terminal for the user's address; refuses without a terminal.
fn confirm_deletion(user: &UserRow) -> Outcome {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(
            exit::USAGE,
            "standard input is not a terminal: add --yes to delete without confirming".to_owned(),
        ));
    }
    eprint!(
        "Delete {} <{}> with their accounts and sessions? Type the address to confirm: ",
        user.id,
        printable(&user.email)
    );
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .take(1024)
        .read_line(&mut answer)
        .map_err(|error| Failure(exit::FAILED, format!("cannot read the answer: {error}")))?;
    if answer.trim() != user.email {
        return Err(Failure(exit::REFUSED, "not deleted".to_owned()));
    }
    Ok(())
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn banned(user: &UserRow) -> String {
    if user.banned {
        format!("until {}", ban_end(user.ban_expires))
    } else {
        "no".to_owned()
    }
}

/// Text safe to print on a terminal: control characters (escape sequences a user could put in
/// their name) are shown as `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Columns padded to their widest cell; cells made printable and cut at 40 characters.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    const MAX_CELL: usize = 40;
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    let cell = printable(cell);
                    if cell.chars().count() > MAX_CELL {
                        let mut cut: String = cell.chars().take(MAX_CELL - 1).collect();
                        cut.push('…');
                        cut
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect();
    let mut widths = [0; N];
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn show(user: &UserRow, sessions: &[SessionRow]) -> String {
    let optional = |value: &Option<String>| value.as_deref().map_or_else(String::new, printable);
    let mut out = format!(
        "id:               {}\nemail:            {}\nemail verified:   {}\nname:             {}\n\
         username:         {}\nrole:             {}\nbanned:           {}\nban reason:       {}\n\
         created:          {}\nupdated:          {}\nsessions:         {}\n",
        user.id,
        printable(&user.email),
        yes_no(user.email_verified),
        printable(&user.name),
        optional(&user.display_username),
        printable(&user.role),
        banned(user),
        optional(&user.ban_reason),
        format_date(&user.created_at.and_utc()),
        format_date(&user.updated_at.and_utc()),
        sessions.len(),
    );
    if !sessions.is_empty() {
        let mut rows =
            vec![["SESSION", "CREATED", "EXPIRES", "IP", "USER AGENT"].map(String::from)];
        rows.extend(sessions.iter().map(|session| {
            [
                session.id.clone(),
                format_date(&session.created_at.and_utc()),
                format_date(&session.expires_at.and_utc()),
                session.ip_address.clone(),
                session.user_agent.clone(),
            ]
        }));
        out.push('\n');
        out.push_str(&table(&rows));
    }
    out.trim_end().to_owned()
}

/// A user as Better Auth's admin plugin shows one: the usual fields and `role`, `banned`,
/// `banReason`, `banExpires`.
fn user_json(user: &UserRow) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "emailVerified": user.email_verified,
        "image": user.image,
        "createdAt": format_date(&user.created_at.and_utc()),
        "updatedAt": format_date(&user.updated_at.and_utc()),
        "username": user.username,
        "displayUsername": user.display_username,
        "role": user.role,
        "banned": user.banned,
        "banReason": user.ban_reason,
        "banExpires": user.ban_expires.map(|at| format_date(&at.and_utc())),
    })
}

fn session_json(session: &SessionRow) -> Value {
    json!({
        "id": session.id,
        "userId": session.user_id,
        "expiresAt": format_date(&session.expires_at.and_utc()),
        "createdAt": format_date(&session.created_at.and_utc()),
        "updatedAt": format_date(&session.updated_at.and_utc()),
        "ipAddress": session.ip_address,
        "userAgent": session.user_agent,
        "impersonatedBy": session.impersonated_by,
    })
}

fn audit_json(row: &AuditRow) -> Value {
    json!({
        "id": row.id,
        "at": format_date(&row.at.and_utc()),
        "actorId": row.actor_id,
        "actor": row.actor,
        "action": row.action,
        "targetId": row.target_id,
        "target": row.target,
        "ipAddress": row.ip_address,
        "detail": row.detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_never_prints_control_characters_and_cuts_long_cells() {
        let rows = [
            ["A".to_owned(), "B".to_owned()],
            ["\u{1b}[31mred".to_owned(), "x".repeat(60)],
        ];

        let printed = table(&rows);

        assert!(!printed.contains('\u{1b}'), "{printed:?}");
        assert!(printed.contains("?[31mred"));
        assert!(printed.contains(&format!("{}…", "x".repeat(39))));
        assert_eq!(printed.lines().next(), Some("A         B"));
    }
}
