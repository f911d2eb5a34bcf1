//! PostgreSQL over TLS, as managed services (Neon, RDS, Cloud SQL) require it: libpq and OpenSSL
//! are compiled into the binary, and `sslmode=require` must work against a real server. Runs on
//! PostgreSQL only (`TEST_DATABASE_URL`), against a server with SSL on (Debian's is, with its
//! snakeoil certificate).

use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::helpers::{TestDatabase, builder};

#[actix_web::test]
#[ignore = "needs PostgreSQL with SSL on: set TEST_DATABASE_URL and run ignored tests (scripts/test.sh does)"]
async fn sign_up_works_over_a_tls_connection_and_every_connection_is_encrypted() {
    let database = Arc::new(TestDatabase::new());
    let Some(name) = database.postgres_name() else {
        println!("skipped: runs on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    };
    let url = format!("{}?sslmode=require", database.url);
    let app = builder()
        .database(Arc::clone(&database))
        .var("DATABASE_URL", &url)
        .spawn()
        .await;

    let user = app.sign_up_user().await;
    let session = app.get_session_with_cookie(&user.cookie).await;
    let (encrypted, all): (i64, i64) = diesel::select((
        diesel::dsl::sql::<BigInt>(&format!(
            "(SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
             WHERE datname = '{name}' AND ssl)"
        )),
        diesel::dsl::sql::<BigInt>(&format!(
            "(SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}')"
        )),
    ))
    .get_result(&mut database.admin_connection())
    .unwrap();

    assert_eq!(session.body["user"]["id"], user.id.as_str());
    assert!(all >= 1, "gatehouse holds no connection to {name}");
    assert_eq!(encrypted, all, "{encrypted} of {all} connections use TLS");
}
