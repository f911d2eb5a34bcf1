//! Every backend's migration folder holds the same versions, and every migration runs up, down and up again
//! on the backend under test.

use diesel_migrations::MigrationHarness;
use gatehouse::db::{DbConnection, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

use crate::helpers::TestDatabase;

fn folder_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn every_backend_has_the_same_migrations() {
    let sqlite = folder_names("sqlite");

    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, folder_names("postgres"));
    assert_eq!(sqlite, folder_names("mysql"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres", "mysql"] {
            for file in ["up.sql", "down.sql"] {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(backend)
                    .join(name)
                    .join(file);
                assert!(path.is_file(), "{} is missing", path.display());
            }
        }
    }
}

fn redo<C: MigrationHarness<B>, B: diesel::backend::Backend>(
    conn: &mut C,
    migrations: impl Fn() -> diesel_migrations::EmbeddedMigrations,
) {
    let applied = conn.run_pending_migrations(migrations()).unwrap().len();
    let reverted = conn.revert_all_migrations(migrations()).unwrap().len();
    let reapplied = conn.run_pending_migrations(migrations()).unwrap().len();

    assert!(applied > 0);
    assert_eq!([reverted, reapplied], [applied, applied]);
    assert!(!conn.has_pending_migration(migrations()).unwrap());
}

#[test]
fn every_migration_runs_up_down_and_up_again() {
    let database = TestDatabase::new();

    match database.connect() {
        DbConnection::Postgres(mut conn) => redo(&mut conn, || POSTGRES_MIGRATIONS),
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(mut conn) => redo(&mut conn, || gatehouse::db::MYSQL_MIGRATIONS),
        DbConnection::Sqlite(mut conn) => redo(&mut conn, || SQLITE_MIGRATIONS),
    }
}
