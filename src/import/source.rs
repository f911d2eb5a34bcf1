//! The database an import reads: a SQLite file (opened read-only) or a PostgreSQL database (in a
//! read-only session). Its tables are whatever the other library's schema made, so nothing here
//! is typed by diesel's schema: columns are found by introspection and every value is read as
//! text, cut at [`MAX_VALUE_CHARS`] so a huge field costs no more memory than a long one.

use std::os::unix::fs::MetadataExt as _;

use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use crate::config::DatabaseUrl;

/// The most characters of any value read: longer ones are cut and refused by the field checks
/// (the longest field gatehouse keeps is 2 048 characters; hashes and tokens are shorter).
pub const MAX_VALUE_CHARS: usize = 4_096;
/// The most columns read from one table in one query.
pub const MAX_COLUMNS: usize = 16;

/// One source row: up to [`MAX_COLUMNS`] values as text, `None` for SQL NULL.
#[derive(Debug, QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    c0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c4: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c5: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c6: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c7: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c8: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c9: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c10: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c11: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c12: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c13: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c14: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c15: Option<String>,
}

impl TextRow {
    fn into_values(self, width: usize) -> Vec<Option<String>> {
        let mut values = vec![
            self.c0, self.c1, self.c2, self.c3, self.c4, self.c5, self.c6, self.c7, self.c8,
            self.c9, self.c10, self.c11, self.c12, self.c13, self.c14, self.c15,
        ];
        values.truncate(width);
        values
    }
}

#[derive(Debug, QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

#[derive(Debug, QueryableByName)]
struct IdentityRow {
    #[diesel(sql_type = Nullable<Text>)]
    identity: Option<String>,
}

/// A column of a source table: its name as the database spells it, and whether values compare
/// as text (so a key can be compared with a text parameter as it is, using its index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub is_text: bool,
}

/// The backends a source can be on.
enum SourceConnection {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

/// An open source database.
pub struct Source {
    conn: SourceConnection,
    /// How to tell whether the source is the target: the SQLite file's device and inode, or the
    /// PostgreSQL cluster and database.
    identity: String,
}

/// Why a source could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}: no such file")]
    NoFile(String),
    #[error("cannot open the source {0}: {1}")]
    Connect(String, String),
    #[error(
        "{0}: gatehouse imports from SQLite and PostgreSQL sources; MySQL sources are not supported yet"
    )]
    Unsupported(String),
}

impl Source {
    /// Opens `location`: a `postgres://` URL, or a SQLite file as a path or `sqlite://<path>`.
    pub fn open(location: &str) -> Result<Self, OpenError> {
        let url = DatabaseUrl::parse(location).unwrap_or_else(|_| {
            DatabaseUrl::Sqlite(location.trim_start_matches("file:").to_owned())
        });
        let shown = url.to_string();
        let connect = |error: String| OpenError::Connect(shown.clone(), one_line(&error));
        match url {
            DatabaseUrl::Sqlite(path) => {
                let metadata =
                    std::fs::metadata(&path).map_err(|_| OpenError::NoFile(path.clone()))?;
                let uri = format!("file:{}?mode=ro", percent_path(&path));
                let mut conn = diesel::SqliteConnection::establish(&uri)
                    .map_err(|e| connect(e.to_string()))?;
                conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;")
                    .map_err(|e| connect(e.to_string()))?;
                Ok(Self {
                    conn: SourceConnection::Sqlite(conn),
                    identity: format!("sqlite:{}:{}", metadata.dev(), metadata.ino()),
                })
            }
            DatabaseUrl::Postgres(raw) => {
                let mut conn =
                    crate::db::postgres_connect(&raw).map_err(|e| connect(e.to_string()))?;
                conn.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                    .map_err(|e| connect(e.to_string()))?;
                let identity = postgres_identity(&mut conn).map_err(|e| connect(e.to_string()))?;
                Ok(Self {
                    conn: SourceConnection::Postgres(conn),
                    identity,
                })
            }
            DatabaseUrl::Mysql(_) => Err(OpenError::Unsupported(shown)),
        }
    }

    /// Whether this source is the database at `target` (the same SQLite file, by device and
    /// inode, or the same PostgreSQL database of the same cluster, by its system identifier).
    pub fn is_same_database(&self, target: &DatabaseUrl) -> Result<bool, String> {
        match target {
            DatabaseUrl::Sqlite(_) if target.is_in_memory() => Ok(false),
            DatabaseUrl::Sqlite(path) => Ok(std::fs::metadata(path).is_ok_and(|metadata| {
                self.identity == format!("sqlite:{}:{}", metadata.dev(), metadata.ino())
            })),
            DatabaseUrl::Postgres(raw) => {
                if !self.identity.starts_with("postgres:") {
                    return Ok(false);
                }
                let mut conn =
                    crate::db::postgres_connect(raw).map_err(|e| one_line(&e.to_string()))?;
                let identity =
                    postgres_identity(&mut conn).map_err(|e| one_line(&e.to_string()))?;
                Ok(identity == self.identity)
            }
            // A source is never MySQL (`open` refuses one).
            DatabaseUrl::Mysql(_) => Ok(false),
        }
    }

    /// The columns of `table`, or `None` when there is no such table.
    pub fn columns(&mut self, table: &str) -> QueryResult<Option<Vec<Column>>> {
        let rows: Vec<ColumnRow> = match &mut self.conn {
            SourceConnection::Sqlite(conn) => diesel::sql_query(
                "SELECT name, CAST(type AS TEXT) AS kind FROM pragma_table_info(?) ORDER BY cid",
            )
            .bind::<Text, _>(table)
            .load(conn)?,
            SourceConnection::Postgres(conn) => diesel::sql_query(
                "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS kind \
                 FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = ANY (current_schemas(false)) \
                 ORDER BY ordinal_position",
            )
            .bind::<Text, _>(table)
            .load(conn)?,
        };
        if rows.is_empty() {
            return Ok(None);
        }
        let is_sqlite = matches!(self.conn, SourceConnection::Sqlite(_));
        Ok(Some(
            rows.into_iter()
                .map(|row| Column {
                    is_text: is_sqlite
                        || ["text", "character varying", "character"].contains(&row.kind.as_str()),
                    name: row.name,
                })
                .collect(),
        ))
    }

    /// How many rows `table` has.
    pub fn count(&mut self, table: &str) -> QueryResult<i64> {
        let sql = format!("SELECT COUNT(*) AS count FROM {}", quote(table));
        let row: CountRow = match &mut self.conn {
            SourceConnection::Sqlite(conn) => diesel::sql_query(sql).get_result(conn)?,
            SourceConnection::Postgres(conn) => diesel::sql_query(sql).get_result(conn)?,
        };
        Ok(row.count)
    }

    /// The next `limit` rows of `table` by `key` after `after` (from the start when `None`), as
    /// text: one value per entry of `columns`, `None` for an entry that names no column.
    pub fn page(
        &mut self,
        table: &str,
        columns: &[Option<String>],
        key: &Column,
        after: Option<&str>,
        limit: usize,
    ) -> QueryResult<Vec<Vec<Option<String>>>> {
        let key_sql = self.key_sql(key);
        let mut sql = format!("SELECT {} FROM {}", self.select_list(columns), quote(table));
        if after.is_some() {
            sql.push_str(&format!(" WHERE {key_sql} > {}", self.placeholder(1)));
        }
        sql.push_str(&format!(" ORDER BY {key_sql} LIMIT {limit}"));
        self.load(sql, columns.len(), after.into_iter().collect())
    }

    /// The rows of `table` whose `key` lies between `first` and `last` (both included), ordered
    /// by it, at most `limit` of them.
    pub fn range(
        &mut self,
        table: &str,
        columns: &[Option<String>],
        key: &Column,
        (first, last): (&str, &str),
        limit: usize,
    ) -> QueryResult<Vec<Vec<Option<String>>>> {
        let key_sql = self.key_sql(key);
        let sql = format!(
            "SELECT {} FROM {} WHERE {key_sql} >= {} AND {key_sql} <= {} ORDER BY {key_sql} LIMIT {limit}",
            self.select_list(columns),
            quote(table),
            self.placeholder(1),
            self.placeholder(2),
        );
        self.load(sql, columns.len(), vec![first, last])
    }

    fn load(
        &mut self,
        sql: String,
        width: usize,
        binds: Vec<&str>,
    ) -> QueryResult<Vec<Vec<Option<String>>>> {
        let rows: Vec<TextRow> = match &mut self.conn {
            SourceConnection::Sqlite(conn) => {
                let mut query = diesel::sql_query(sql).into_boxed();
                for bind in binds {
                    query = query.bind::<Text, _>(bind.to_owned());
                }
                query.load(conn)?
            }
            SourceConnection::Postgres(conn) => {
                let mut query = diesel::sql_query(sql).into_boxed();
                for bind in binds {
                    query = query.bind::<Text, _>(bind.to_owned());
                }
                query.load(conn)?
            }
        };
        Ok(rows.into_iter().map(|row| row.into_values(width)).collect())
    }

    fn placeholder(&self, index: usize) -> String {
        match self.conn {
            SourceConnection::Sqlite(_) => "?".to_owned(),
            SourceConnection::Postgres(_) => format!("${index}"),
        }
    }

    /// A key compared as the database stores it when it is text (its index serves the pages),
    /// else as its text form.
    fn key_sql(&self, key: &Column) -> String {
        if key.is_text {
            quote(&key.name)
        } else {
            format!("CAST({} AS TEXT)", quote(&key.name))
        }
    }

    /// `c0, c1, …`: each named column as text, cut at [`MAX_VALUE_CHARS`] + 1 characters (so a
    /// longer value is seen to be too long), and NULL for the others.
    fn select_list(&self, columns: &[Option<String>]) -> String {
        columns
            .iter()
            .chain(std::iter::repeat(&None))
            .take(MAX_COLUMNS)
            .enumerate()
            .map(|(index, column)| match column {
                Some(name) => format!(
                    "substr(CAST({} AS TEXT), 1, {}) AS c{index}",
                    quote(name),
                    MAX_VALUE_CHARS + 1
                ),
                None => format!("CAST(NULL AS TEXT) AS c{index}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The cluster's system identifier (or, for a role that may not read it, the server's start time
/// and port) and the database's name.
fn postgres_identity(pg: &mut diesel::PgConnection) -> QueryResult<String> {
    let exact: QueryResult<IdentityRow> = diesel::sql_query(
        "SELECT CAST(system_identifier AS TEXT) || '/' || current_database() AS identity \
         FROM pg_control_system()",
    )
    .get_result(pg);
    let row = match exact {
        Ok(row) => row,
        Err(_) => diesel::sql_query(
            "SELECT CAST(pg_postmaster_start_time() AS TEXT) || ':' || \
             COALESCE(CAST(inet_server_port() AS TEXT), 'socket') || '/' || current_database() \
             AS identity",
        )
        .get_result(pg)?,
    };
    Ok(format!("postgres:{}", row.identity.unwrap_or_default()))
}

/// A double-quoted SQL identifier (both backends), its quotes doubled.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A path for a `file:` URI: `%`, `?` and `#` escaped.
fn percent_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
