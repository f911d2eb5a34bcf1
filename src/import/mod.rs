//! `gatehouse import better-auth|authjs|lucia <SOURCE>`: users (with their password hashes,
//! provider links and, from Better Auth, live sessions) copied from another library's database
//! into gatehouse's (`DATABASE_URL`, migrated first).
//!
//! The source is read a batch of users at a time in the order of their ids (a keyset, so memory
//! does not grow with the table), each batch with its users' accounts and sessions, and written in
//! one transaction: a killed import leaves whole users, and a re-run goes through every user
//! again, inserting the new, updating the changed and leaving the rest (ids are kept).

pub mod mapping;
pub mod source;

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use serde_json::{Value, json};

use crate::cli::exit;
use crate::clock::Clock;
use crate::config::{Config, SessionStrategy};
use crate::db::Db;
use crate::db::import::{BatchOutcome, ImportedUser, UserOutcome};
use mapping::{Account, Convert, Library, Row, Schema, TableSpec};
use source::{Column, Source};

const EXAMPLES: &str = "\
SOURCE is a SQLite file (a path or sqlite://<path>) or a postgres:// URL; it is only read.
The target is DATABASE_URL, as for `gatehouse serve`.

Examples:
  gatehouse import better-auth ./better-auth.sqlite --dry-run
  gatehouse import better-auth postgres://app@db/app
  gatehouse import authjs ./sqlite.db --column users.password=hash
  gatehouse import lucia postgres://app@db/app --users-table app_user --email-domain example.com

Exit status: 0 done (the summary lists what was skipped), 1 a database failure,
2 usage: bad arguments, a source lacking tables or columns, or the source is the target.";

/// Copy users from another auth library's database.
#[derive(Debug, Subcommand)]
#[command(after_help = EXAMPLES)]
pub enum ImportCommand {
    /// Better Auth (tables `user`, `account`, `session`): users, password hashes (scrypt),
    /// provider links and live sessions.
    #[command(after_help = EXAMPLES)]
    BetterAuth(ImportArgs),
    /// Auth.js with its Drizzle adapter (tables `user`, `account`): users, the credentials
    /// provider's hashes from a `password` column, provider links.
    #[command(after_help = EXAMPLES)]
    Authjs(ImportArgs),
    /// The Lucia tutorial's schema (table `admin`: `id`, `user_name`, `hashed_password`,
    /// `salt`): users and their PBKDF2-SHA512, argon2id or bcrypt hashes.
    #[command(after_help = EXAMPLES)]
    Lucia(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A SQLite file (path or sqlite://<path>) or a postgres:// URL.
    source: String,
    /// The users table, if not the library's default.
    #[arg(long, value_name = "TABLE")]
    users_table: Option<String>,
    /// The accounts table, if not `account`.
    #[arg(long, value_name = "TABLE")]
    accounts_table: Option<String>,
    /// The sessions table (Better Auth), if not `session`.
    #[arg(long, value_name = "TABLE")]
    sessions_table: Option<String>,
    /// Read a field from a column of another name: `users.email=mail`,
    /// `accounts.providerId=provider`. Repeat for several.
    #[arg(long = "column", value_name = "TABLE.FIELD=COLUMN")]
    columns: Vec<String>,
    /// Import no provider links (and, for Better Auth, no passwords: they live in `account`).
    #[arg(long)]
    no_accounts: bool,
    /// Import no sessions (Better Auth).
    #[arg(long)]
    no_sessions: bool,
    /// The domain of the addresses given to users without one (`<username>@<domain>`).
    #[arg(long, default_value = "users.invalid", value_name = "DOMAIN")]
    email_domain: String,
    /// PBKDF2 iterations of the Lucia tutorial's hashes.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pbkdf2_iterations: u32,
    /// Users per transaction.
    #[arg(long, default_value_t = 500, value_name = "N")]
    batch_size: usize,
    /// Read everything and report what would be done; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

/// A failure: the exit status and one line.
struct Failure(u8, String);

fn usage(message: impl Into<String>) -> Failure {
    Failure(exit::USAGE, message.into())
}

fn failed(what: &str, error: impl std::fmt::Display) -> Failure {
    Failure(exit::FAILED, format!("{what}: {error}"))
}

/// Runs one `gatehouse import` command.
pub fn run(command: ImportCommand) -> ExitCode {
    let (library, args) = match command {
        ImportCommand::BetterAuth(args) => (Library::BetterAuth, args),
        ImportCommand::Authjs(args) => (Library::AuthJs, args),
        ImportCommand::Lucia(args) => (Library::Lucia, args),
    };
    match import(library, &args) {
        Ok(report) => {
            if args.json {
                println!("{}", report.to_json(library, args.dry_run));
            } else {
                print!("{}", report.to_text(library, args.dry_run));
            }
            ExitCode::SUCCESS
        }
        Err(Failure(status, message)) => {
            eprintln!("gatehouse import: {message}");
            ExitCode::from(status)
        }
    }
}

/// A table of the source as found: its name, the column read for each field of its spec (`None`
/// for a field it lacks), and the column pages are ordered by.
struct Table {
    spec: &'static TableSpec,
    name: String,
    columns: Vec<Option<String>>,
    key: Column,
}

fn import(library: Library, args: &ImportArgs) -> Result<Report, Failure> {
    check_args(library, args)?;
    let mut config = Config::from_env().map_err(|error| usage(error.to_string()))?;
    crate::logging::init_with(config.log_format, "warn");
    config
        .persist_generated_secret()
        .map_err(|error| usage(error.to_string()))?;
    let mut source = Source::open(&args.source).map_err(|error| match error {
        source::OpenError::NoFile(_) | source::OpenError::Unsupported(_) => {
            usage(error.to_string())
        }
        source::OpenError::Connect(..) => Failure(exit::FAILED, error.to_string()),
    })?;
    if source
        .is_same_database(&config.database_url)
        .map_err(|error| failed("cannot open the target database", error))?
    {
        return Err(usage(format!(
            "the source is gatehouse's own database (DATABASE_URL={}): import from the other \
             library's database, or a copy of it",
            config.database_url
        )));
    }
    let schema = mapping::schema(library);
    let tables = find_tables(&mut source, schema, args)?;
    let (db, _applied) = Db::open(&config.database_url)
        .map_err(|error| failed("cannot open the target database", error))?;
    if config.session_strategy == SessionStrategy::Database && !args.dry_run {
        // Running instances' session caches forget the users an import changes.
        db.publish_invalidations(Arc::new(|_| {}));
    }
    let users = &tables[0];
    let has = |key: &str| {
        users
            .spec
            .index(key)
            .is_some_and(|index| users.columns[index].is_some())
    };
    let convert = Convert {
        library,
        email_domain: args.email_domain.to_lowercase(),
        pbkdf2_iterations: args.pbkdf2_iterations,
        now: Clock::system().now().naive_utc(),
        has_admin: has("role") || has("banned"),
        has_updated_at: has("updatedAt"),
        has_created_at: has("createdAt"),
    };
    let total = source
        .count(&users.name)
        .map_err(|error| failed("cannot read the source", error))?;
    let progress = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} users {elapsed} (eta {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut run = Run {
        convert,
        report: Report::default(),
        seen_emails: HashMap::new(),
        seen_usernames: HashMap::new(),
    };
    let mut after: Option<String> = None;
    loop {
        let rows = source
            .page(
                &users.name,
                &users.columns,
                &users.key,
                after.as_deref(),
                args.batch_size,
            )
            .map_err(|error| failed("cannot read the source", error))?;
        let Some(last) = rows.last() else {
            break;
        };
        let key_index = users.spec.index(users.spec.key).unwrap_or(0);
        let first_key = rows[0]
            .get(key_index)
            .cloned()
            .flatten()
            .unwrap_or_default();
        let last_key = last.get(key_index).cloned().flatten().unwrap_or_default();
        let related = read_related(&mut source, &tables[1..], (&first_key, &last_key))?;
        let batch = run.batch(users.spec, &rows, related);
        let count = rows.len() as u64;
        let dry_run = args.dry_run;
        let outcome = db
            .run_blocking(move |conn| {
                crate::db::import::write_batch(
                    conn,
                    &batch,
                    Clock::system().now().naive_utc(),
                    dry_run,
                )
                .map(|outcome| (batch, outcome))
            })
            .map_err(|error| failed("cannot write to the target database", error))?;
        run.record(&outcome.0, outcome.1);
        progress.inc(count);
        if rows.len() < args.batch_size {
            break;
        }
        after = Some(last_key);
    }
    progress.finish_and_clear();
    if !args.dry_run {
        let actor = crate::admin::Actor::command_line();
        let report = &run.report;
        let row = crate::db::models::AuditRow {
            id: crate::ids::random_id(),
            at: Clock::system().now().naive_utc(),
            actor_id: None,
            actor: actor.name,
            action: "import".to_owned(),
            target_id: None,
            target: None,
            ip_address: String::new(),
            detail: Some(format!(
                "{}: read {}, inserted {}, updated {}, unchanged {}, skipped {}, conflicts {}",
                library.name(),
                report.read,
                report.inserted,
                report.updated,
                report.unchanged,
                report.skipped.total(),
                report.conflicts.total(),
            )),
        };
        db.run_blocking(|conn| crate::db::audit::insert(conn, &row))
            .map_err(|error| failed("cannot write the audit log", error))?;
    }
    Ok(run.report)
}

fn check_args(library: Library, args: &ImportArgs) -> Result<(), Failure> {
    if !(1..=10_000).contains(&args.batch_size) {
        return Err(usage("--batch-size: between 1 and 10000"));
    }
    if !(1..=1_000_000).contains(&args.pbkdf2_iterations) {
        return Err(usage("--pbkdf2-iterations: between 1 and 1000000"));
    }
    if !crate::rules::is_email(&format!("user@{}", args.email_domain)) {
        return Err(usage(format!(
            "--email-domain {:?} is not a domain an address can have",
            args.email_domain
        )));
    }
    let schema = mapping::schema(library);
    if schema.sessions.is_none() && (args.sessions_table.is_some() || args.no_sessions) {
        return Err(usage(format!(
            "{} sessions are not imported (see the README): --sessions-table and --no-sessions \
             do not apply",
            library.name()
        )));
    }
    if schema.accounts.is_none() && (args.accounts_table.is_some() || args.no_accounts) {
        return Err(usage(format!(
            "{} has no accounts table: --accounts-table and --no-accounts do not apply",
            library.name()
        )));
    }
    Ok(())
}

/// The tables an import reads (users first), with their columns resolved; one error listing
/// every table and column missing.
fn find_tables(
    source: &mut Source,
    schema: &'static Schema,
    args: &ImportArgs,
) -> Result<Vec<Table>, Failure> {
    let mut overrides: HashMap<(String, String), String> = HashMap::new();
    for entry in &args.columns {
        let parsed = entry.split_once('=').and_then(|(field, column)| {
            let (table, field) = field.split_once('.')?;
            (!column.is_empty()).then(|| ((table.to_owned(), field.to_owned()), column.to_owned()))
        });
        let Some((key, column)) = parsed else {
            return Err(usage(format!(
                "--column {entry:?}: expected TABLE.FIELD=COLUMN, as users.email=mail"
            )));
        };
        overrides.insert(key, column);
    }
    let mut wanted: Vec<(&'static TableSpec, String)> = vec![(
        &schema.users,
        args.users_table
            .clone()
            .unwrap_or_else(|| schema.users.default_name.to_owned()),
    )];
    if let Some(spec) = &schema.accounts
        && !args.no_accounts
    {
        wanted.push((
            spec,
            args.accounts_table
                .clone()
                .unwrap_or_else(|| spec.default_name.to_owned()),
        ));
    }
    if let Some(spec) = &schema.sessions
        && !args.no_sessions
    {
        wanted.push((
            spec,
            args.sessions_table
                .clone()
                .unwrap_or_else(|| spec.default_name.to_owned()),
        ));
    }
    for (table, field) in overrides.keys() {
        let spec = wanted.iter().find(|(spec, _)| spec.role == table);
        if spec.is_none_or(|(spec, _)| spec.index(field).is_none()) {
            let fields: Vec<String> = wanted
                .iter()
                .flat_map(|(spec, _)| {
                    spec.fields
                        .iter()
                        .map(|f| format!("{}.{}", spec.role, f.key))
                })
                .collect();
            return Err(usage(format!(
                "--column {table}.{field}: no such field; fields: {}",
                fields.join(", ")
            )));
        }
    }
    let mut missing = Vec::new();
    let mut tables = Vec::new();
    for (spec, name) in wanted {
        let Some(found) = source
            .columns(&name)
            .map_err(|error| failed("cannot read the source", error))?
        else {
            missing.push(format!("table {} ({})", source::quote(&name), spec.role));
            continue;
        };
        let mut columns = Vec::new();
        for field in spec.fields {
            let chosen = match overrides.get(&(spec.role.to_owned(), field.key.to_owned())) {
                Some(column) => found.iter().find(|c| &c.name == column),
                None => field.spellings.iter().find_map(|spelling| {
                    found
                        .iter()
                        .find(|c| c.name == *spelling)
                        .or_else(|| found.iter().find(|c| c.name.eq_ignore_ascii_case(spelling)))
                }),
            };
            if chosen.is_none()
                && (field.required
                    || overrides.contains_key(&(spec.role.to_owned(), field.key.to_owned())))
            {
                let names = overrides
                    .get(&(spec.role.to_owned(), field.key.to_owned()))
                    .map_or_else(
                        || {
                            field
                                .spellings
                                .iter()
                                .map(|s| source::quote(s))
                                .collect::<Vec<_>>()
                        },
                        |column| vec![source::quote(column)],
                    );
                missing.push(format!(
                    "column {}.{}",
                    source::quote(&name),
                    names.join(" or ")
                ));
            }
            columns.push(chosen.map(|c| c.name.clone()));
        }
        let key_index = spec.index(spec.key).unwrap_or(0);
        let key = columns[key_index]
            .as_ref()
            .and_then(|name| found.iter().find(|c| &c.name == name))
            .cloned();
        if let Some(key) = key {
            tables.push(Table {
                spec,
                name,
                columns,
                key,
            });
        }
    }
    if let Some(users) = tables.first()
        && users.spec.index("username").is_some()
        && users
            .spec
            .index("email")
            .is_some_and(|index| !users.spec.fields[index].required)
        && ["username", "email"].iter().all(|key| {
            users
                .spec
                .index(key)
                .is_some_and(|index| users.columns[index].is_none())
        })
    {
        missing.push(format!(
            "column {}.\"email\" or {}",
            source::quote(&users.name),
            users.spec.fields[users.spec.index("username").unwrap_or(0)]
                .spellings
                .iter()
                .map(|s| source::quote(s))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if !missing.is_empty() {
        return Err(usage(format!("the source lacks {}", missing.join("; "))));
    }
    Ok(tables)
}

/// Accounts and sessions of the users whose ids lie in `range`, by user id.
struct Related {
    accounts: HashMap<String, Vec<Vec<Option<String>>>>,
    sessions: HashMap<String, Vec<Vec<Option<String>>>>,
}

/// The most rows of one related table read for one batch of users.
const MAX_RELATED_ROWS: usize = 1_000_000;

fn read_related(
    source: &mut Source,
    tables: &[Table],
    range: (&str, &str),
) -> Result<Related, Failure> {
    let mut related = Related {
        accounts: HashMap::new(),
        sessions: HashMap::new(),
    };
    for table in tables {
        let rows = source
            .range(
                &table.name,
                &table.columns,
                &table.key,
                range,
                MAX_RELATED_ROWS,
            )
            .map_err(|error| failed("cannot read the source", error))?;
        let key_index = table.spec.index(table.spec.key).unwrap_or(0);
        let into = if table.spec.role == "sessions" {
            &mut related.sessions
        } else {
            &mut related.accounts
        };
        for row in rows {
            if let Some(Some(user_id)) = row.get(key_index).cloned() {
                into.entry(user_id).or_default().push(row);
            }
        }
    }
    Ok(related)
}

/// An import under way.
struct Run {
    convert: Convert,
    report: Report,
    /// Normalised address → the first user id that had it, in this run.
    seen_emails: HashMap<String, String>,
    seen_usernames: HashMap<String, String>,
}

impl Run {
    /// The users of a page of rows, with their passwords, links and sessions; what is skipped
    /// is recorded.
    fn batch(
        &mut self,
        spec: &'static TableSpec,
        rows: &[Vec<Option<String>>],
        mut related: Related,
    ) -> Vec<ImportedUser> {
        let schema = mapping::schema(self.convert.library);
        let mut batch = Vec::new();
        for values in rows {
            self.report.read += 1;
            let row = Row { spec, values };
            let label = row
                .get("id")
                .unwrap_or("(no id)")
                .chars()
                .take(64)
                .collect::<String>();
            let mut notes = Vec::new();
            let user = match self.convert.user(&row, &mut notes) {
                Ok(user) => user,
                Err(skip) => {
                    self.report.skipped.add(&skip.name(), &label);
                    continue;
                }
            };
            if let Some(first) = self.seen_emails.get(&user.email)
                && *first != user.id
            {
                self.report.skipped.add("duplicate-email", &label);
                continue;
            }
            if let Some(username) = &user.username
                && let Some(first) = self.seen_usernames.get(username)
                && *first != user.id
            {
                self.report.skipped.add("duplicate-username", &label);
                continue;
            }
            self.seen_emails.insert(user.email.clone(), user.id.clone());
            if let Some(username) = &user.username {
                self.seen_usernames
                    .insert(username.clone(), user.id.clone());
            }
            let mut password = match self.convert.user_password(&row) {
                Ok(password) => password,
                Err(note) => {
                    notes.push(note);
                    None
                }
            };
            let mut accounts = Vec::new();
            if let Some(spec) = &schema.accounts {
                for values in related.accounts.remove(&user.id).unwrap_or_default() {
                    let row = Row {
                        spec,
                        values: &values,
                    };
                    match self.convert.account(&row, &user.id) {
                        Some(Account::Credential(Ok(hash))) => password = password.or(hash),
                        Some(Account::Credential(Err(note))) => notes.push(note),
                        Some(Account::Provider(account)) => accounts.push(*account),
                        None => self.report.accounts_left_out += 1,
                    }
                }
            }
            let mut sessions = Vec::new();
            if let Some(spec) = &schema.sessions {
                for values in related.sessions.remove(&user.id).unwrap_or_default() {
                    let row = Row {
                        spec,
                        values: &values,
                    };
                    match self.convert.session(&row, &user.id) {
                        Some(session) => sessions.push(session),
                        None => self.report.sessions_left_out += 1,
                    }
                }
            }
            notes.dedup();
            for note in notes {
                self.report.notes.add(note.name(), &label);
            }
            batch.push(ImportedUser {
                has_admin: self.convert.has_admin,
                has_updated_at: self.convert.has_updated_at,
                has_created_at: self.convert.has_created_at,
                user,
                password,
                accounts,
                sessions,
            });
        }
        batch
    }

    fn record(&mut self, batch: &[ImportedUser], outcome: BatchOutcome) {
        let report = &mut self.report;
        for (imported, written) in batch.iter().zip(&outcome.users) {
            let label = shown(&imported.user.id);
            match written {
                UserOutcome::Inserted => report.inserted += 1,
                UserOutcome::Updated => report.updated += 1,
                UserOutcome::Unchanged => report.unchanged += 1,
                UserOutcome::NewerHere => report.newer_here += 1,
                UserOutcome::EmailTaken(_) => report.conflicts.add("email-taken", &label),
                UserOutcome::UsernameTaken(_) => report.conflicts.add("username-taken", &label),
            }
            if written.is_written() && imported.password.is_some() {
                report.with_password += 1;
            }
        }
        report.passwords_set += outcome.passwords_set;
        report.passwords_kept += outcome.passwords_kept;
        report.accounts_written += outcome.accounts_written;
        report.sessions_written += outcome.sessions_written;
        for (user_id, ..) in &outcome.accounts_taken {
            report
                .conflicts
                .add("provider-account-taken", &shown(user_id));
        }
    }
}

/// A source id as the summary prints it: at most 64 characters, control characters as `?`, so a
/// source cannot send escape sequences to the terminal.
fn shown(id: &str) -> String {
    id.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Counts by reason, with the first few user ids of each.
#[derive(Debug, Default)]
struct Tally(BTreeMap<String, (usize, Vec<String>)>);

/// How many example ids a reason lists.
const EXAMPLES_PER_REASON: usize = 10;

impl Tally {
    fn add(&mut self, reason: &str, id: &str) {
        let entry = self.0.entry(reason.to_owned()).or_default();
        entry.0 += 1;
        if entry.1.len() < EXAMPLES_PER_REASON {
            entry.1.push(id.to_owned());
        }
    }

    fn total(&self) -> usize {
        self.0.values().map(|(count, _)| count).sum()
    }

    fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(reason, (count, ids))| {
                    (reason.clone(), json!({"count": count, "examples": ids}))
                })
                .collect(),
        )
    }

    fn to_text(&self, heading: &str, out: &mut String) {
        if self.0.is_empty() {
            return;
        }
        out.push_str(&format!("{heading}:\n"));
        for (reason, (count, ids)) in &self.0 {
            let more = if *count > ids.len() { ", …" } else { "" };
            out.push_str(&format!(
                "  {reason}: {count} ({}{more})\n  {}\n",
                ids.join(", "),
                describe(reason)
            ));
        }
    }
}

/// What a reason means, for the text summary.
fn describe(reason: &str) -> String {
    let text = match reason {
        "no-id" => "the row has no id",
        "no-email-or-username" => "the user has neither an address nor a username to sign in with",
        "invalid-email" => "the address is not one gatehouse accepts",
        "invalid-username" => "the username breaks gatehouse's rule (3 to 30 of A-Za-z0-9_.)",
        "duplicate-email" => "another user of the source has the same address once lower-cased",
        "duplicate-username" => "another user of the source has the same username once lower-cased",
        "email-taken" => "another gatehouse user (another id) has this address",
        "username-taken" => "another gatehouse user (another id) has this username",
        "provider-account-taken" => "the provider account is linked to another gatehouse user",
        "unknown-password-hash" => {
            "imported without a password: the hash is in no format gatehouse verifies (reset or magic link)"
        }
        "image-too-long" => "the image URL is over 2048 characters: left out",
        "display-username-too-long" => "the display username is over 100 characters: left out",
        "unknown-role" => "a role other than user and admin: left out",
        "ban-reason-cut" => "the ban reason is cut at 500 characters",
        "unreadable-date" => "a date in no known form: the import's time stands in",
        other if other.starts_with("too-long:") => "a field longer than gatehouse keeps",
        other if other.starts_with("nul-character:") => "a field holds a NUL character",
        _ => "",
    };
    text.to_owned()
}

#[derive(Debug, Default)]
struct Report {
    read: usize,
    inserted: usize,
    updated: usize,
    unchanged: usize,
    newer_here: usize,
    with_password: usize,
    passwords_set: usize,
    passwords_kept: usize,
    accounts_written: usize,
    accounts_left_out: usize,
    sessions_written: usize,
    sessions_left_out: usize,
    skipped: Tally,
    conflicts: Tally,
    notes: Tally,
}

impl Report {
    fn to_json(&self, library: Library, dry_run: bool) -> Value {
        json!({
            "source": library.name(),
            "dryRun": dry_run,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "newerHere": self.newer_here,
            "withPassword": self.with_password,
            "passwordsSet": self.passwords_set,
            "passwordsKept": self.passwords_kept,
            "accounts": self.accounts_written,
            "accountsLeftOut": self.accounts_left_out,
            "sessions": self.sessions_written,
            "sessionsLeftOut": self.sessions_left_out,
            "skipped": self.skipped.to_json(),
            "conflicts": self.conflicts.to_json(),
            "notes": self.notes.to_json(),
        })
    }

    fn to_text(&self, library: Library, dry_run: bool) -> String {
        let mut out = format!(
            "{}import from {}: {} users read\n  inserted {}, updated {}, unchanged {}, newer in gatehouse (kept) {}\n  \
             skipped {}, conflicts {}\n  passwords: {} written, {} kept (gatehouse holds its own bcrypt hash)\n  \
             provider links: {} written, {} left out\n  sessions: {} written, {} left out (expired or malformed)\n",
            if dry_run {
                "dry run (nothing written): "
            } else {
                ""
            },
            library.name(),
            self.read,
            self.inserted,
            self.updated,
            self.unchanged,
            self.newer_here,
            self.skipped.total(),
            self.conflicts.total(),
            self.passwords_set,
            self.passwords_kept,
            self.accounts_written,
            self.accounts_left_out,
            self.sessions_written,
            self.sessions_left_out,
        );
        self.skipped.to_text("skipped (not imported)", &mut out);
        self.conflicts.to_text("conflicts (not imported)", &mut out);
        self.notes.to_text("imported with changes", &mut out);
        out
    }
}
