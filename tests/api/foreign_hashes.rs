//! Password hashes other libraries made (what `gatehouse import` keeps): a user signs in with
//! the original password, and the hash becomes bcrypt in the sign-in's transaction; a wrong
//! password changes nothing. The hashes are those the libraries produced
//! (tests/import/vectors.mjs).

use diesel::prelude::*;
use gatehouse::db::schema::accounts;

use crate::helpers::{TestApp, TestUser, spawn_app};

const SCRYPT: &str = include_str!("../import/vectors/scrypt.txt");
const SCRYPT_LONG: &str = include_str!("../import/vectors/scrypt-long.txt");
const PBKDF2: &str = include_str!("../import/vectors/pbkdf2.txt");
const ARGON2: &str = include_str!("../import/vectors/argon2id.txt");
const PASSWORD: &str = "correct-horse-battery";

fn set_hash(app: &TestApp, user: &TestUser, hash: &str) {
    diesel::update(accounts::table.filter(accounts::user_id.eq(&user.id)))
        .set(accounts::password_hash.eq(hash))
        .execute(&mut app.database.connect())
        .unwrap();
}

fn stored_hash(app: &TestApp, user: &TestUser) -> String {
    accounts::table
        .filter(accounts::user_id.eq(&user.id))
        .select(accounts::password_hash)
        .first::<Option<String>>(&mut app.database.connect())
        .unwrap()
        .unwrap()
}

#[actix_web::test]
async fn imported_hashes_sign_in_once_and_become_bcrypt() {
    let app = spawn_app().await;
    let mut lines = PBKDF2.lines();
    let pbkdf2 = gatehouse::auth::foreign_hash::pbkdf2_from_columns(
        lines.next().unwrap(),
        lines.next().unwrap(),
        10_000,
    )
    .unwrap();

    for (name, hash) in [
        ("scrypt", SCRYPT.trim().to_owned()),
        ("pbkdf2", pbkdf2),
        ("argon2id", ARGON2.trim().to_owned()),
    ] {
        let user = app.sign_up_user().await;
        set_hash(&app, &user, &hash);

        let wrong = app.sign_in_email(&user.email, "not-the-password").await;
        assert_eq!(wrong.status, 401, "{name}: {}", wrong.text);
        assert_eq!(
            stored_hash(&app, &user),
            hash,
            "{name}: a failure changes nothing"
        );
        let first = app.sign_in_email(&user.email, PASSWORD).await;

        assert_eq!(first.status, 200, "{name}: {}", first.text);
        let upgraded = stored_hash(&app, &user);
        assert!(upgraded.starts_with("$2b$"), "{name}: {upgraded}");
        assert_eq!(app.sign_in_email(&user.email, PASSWORD).await.status, 200);
        assert_eq!(stored_hash(&app, &user), upgraded, "{name}");
    }
}

#[actix_web::test]
async fn a_password_longer_than_bcrypt_reads_keeps_its_imported_hash() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    set_hash(&app, &user, SCRYPT_LONG.trim());

    let signed_in = app.sign_in_email(&user.email, &"long-".repeat(20)).await;

    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(stored_hash(&app, &user), SCRYPT_LONG.trim());
}

#[actix_web::test]
async fn an_unknown_hash_format_matches_no_password() {
    let app = spawn_app().await;
    let user = app.sign_up_user().await;
    set_hash(&app, &user, PASSWORD);

    let refused = app.sign_in_email(&user.email, PASSWORD).await;

    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(stored_hash(&app, &user), PASSWORD);
}
