//! How mail leaves: STARTTLS to a real SMTP server (aiosmtpd) whose certificate is trusted only
//! through `GATEHOUSE_MAIL_CA_FILE`, and messages from a `GATEHOUSE_MAIL_TEMPLATES` folder.

use std::path::Path;
use std::time::Duration;

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};
use serde_json::json;

use crate::helpers::{TestApp, builder};
use crate::smtp::SmtpServer;

fn new_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

/// A certificate for `subject`, signed by `issuer` (itself when `None`).
fn certificate(
    subject: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    ca: bool,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, subject).unwrap();
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    let serial = BigNum::from_u32(rand_serial())
        .unwrap()
        .to_asn1_integer()
        .unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(&name).unwrap();
    builder
        .set_issuer_name(issuer.map_or(&name, |(cert, _)| cert.subject_name()))
        .unwrap();
    builder.set_pubkey(key).unwrap();
    builder
        .set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::days_from_now(2).unwrap())
        .unwrap();
    if ca {
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        let san = SubjectAlternativeName::new()
            .dns("localhost")
            .ip("127.0.0.1")
            .build(&builder.x509v3_context(issuer.map(|(cert, _)| &**cert), None))
            .unwrap();
        builder.append_extension(san).unwrap();
    }
    let signer = issuer.map_or(key, |(_, key)| key);
    builder.sign(signer, MessageDigest::sha256()).unwrap();
    builder.build()
}

/// A random serial number, so no two test certificates share one.
fn rand_serial() -> u32 {
    let mut bytes = [0u8; 4];
    openssl::rand::rand_bytes(&mut bytes).unwrap();
    u32::from_le_bytes(bytes) | 1
}

/// A fresh certificate authority and a server certificate for `localhost` it signed, written
/// to `dir` as `ca.pem`, `server.pem` and `server.key`.
fn make_certificates(dir: &Path) {
    let ca_key = new_key();
    let ca = certificate("gatehouse test CA", &ca_key, None, true);
    let server_key = new_key();
    let server = certificate("localhost", &server_key, Some((&ca, &ca_key)), false);
    std::fs::write(dir.join("ca.pem"), ca.to_pem().unwrap()).unwrap();
    std::fs::write(dir.join("server.pem"), server.to_pem().unwrap()).unwrap();
    std::fs::write(
        dir.join("server.key"),
        server_key.private_key_to_pem_pkcs8().unwrap(),
    )
    .unwrap();
}

async fn request_reset(app: &TestApp, email: &str) {
    let asked = app
        .post_json(
            "/api/auth/request-password-reset",
            &json!({"email": email}),
            &[],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd (scripts/test.sh installs it)"]
async fn starttls_delivers_when_the_ca_file_trusts_the_server() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let smtp = SmtpServer::with_starttls(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    );
    let ca_file = dir.path().join("ca.pem");
    let app = builder()
        .mail_only_as_asked(&smtp)
        .var(
            "GATEHOUSE_SMTP_URL",
            &format!("smtp://localhost:{}?tls=required", smtp.port),
        )
        .var("GATEHOUSE_MAIL_CA_FILE", ca_file.to_str().unwrap())
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    request_reset(&app, &user.email).await;
    let mail = smtp.wait_for(1).await.remove(0);

    assert!(mail.tls, "delivered over the STARTTLS connection");
    assert_eq!(mail.rcpt_tos, vec![user.email.clone()]);
    assert!(mail.subject.starts_with("Reset your password"));
}

#[actix_web::test]
#[ignore = "needs aiosmtpd (scripts/test.sh installs it)"]
async fn smtps_delivers_over_tls_from_the_first_byte() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let smtp = SmtpServer::with_implicit_tls(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    );
    let app = builder()
        .mail_only_as_asked(&smtp)
        .var(
            "GATEHOUSE_SMTP_URL",
            &format!("smtps://localhost:{}", smtp.port),
        )
        .var(
            "GATEHOUSE_MAIL_CA_FILE",
            dir.path().join("ca.pem").to_str().unwrap(),
        )
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    request_reset(&app, &user.email).await;
    let mail = smtp.wait_for(1).await.remove(0);

    assert_eq!(mail.rcpt_tos, vec![user.email.clone()]);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd (scripts/test.sh installs it)"]
async fn an_untrusted_certificate_gets_no_mail_and_no_clear_text_fallback() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let smtp = SmtpServer::with_starttls(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    );
    // Opportunistic STARTTLS, and no CA file: the offered upgrade fails verification.
    let untrusting = builder()
        .mail_only_as_asked(&smtp)
        .var(
            "GATEHOUSE_SMTP_URL",
            &format!("smtp://localhost:{}", smtp.port),
        )
        .spawn()
        .await;
    // The control: the same server, trusted, in the same time.
    let trusting = builder()
        .mail_only_as_asked(&smtp)
        .var(
            "GATEHOUSE_SMTP_URL",
            &format!("smtp://localhost:{}", smtp.port),
        )
        .var(
            "GATEHOUSE_MAIL_CA_FILE",
            dir.path().join("ca.pem").to_str().unwrap(),
        )
        .spawn()
        .await;
    let (refused, delivered) = (
        untrusting.sign_up_user().await,
        trusting.sign_up_user().await,
    );

    request_reset(&untrusting, &refused.email).await;
    request_reset(&trusting, &delivered.email).await;
    smtp.wait_for_mail_to(&delivered.email, 1).await;
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;

    let recipients: Vec<String> = smtp
        .messages()
        .into_iter()
        .flat_map(|mail| mail.rcpt_tos)
        .collect();
    assert_eq!(recipients, vec![delivered.email]);
}

#[actix_web::test]
#[ignore = "needs aiosmtpd (scripts/test.sh installs it)"]
async fn a_template_folder_replaces_the_parts_it_holds() {
    let smtp = SmtpServer::start();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("reset-password.subject"),
        "Réinitialisez votre mot de passe, {{name}}\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("reset-password.txt"),
        "Code: {{token}}\nLien ({{expiresIn}}): {{url}}\n",
    )
    .unwrap();
    let app = builder()
        .mail_only_as_asked(&smtp)
        .var("GATEHOUSE_MAIL_TEMPLATES", folder.path().to_str().unwrap())
        .spawn()
        .await;
    let user = app.sign_up_user().await;

    request_reset(&app, &user.email).await;
    let mail = smtp.wait_for(1).await.remove(0);

    assert_eq!(mail.subject, "Réinitialisez votre mot de passe, Test User");
    let token = mail.token();
    assert_eq!(
        mail.text.replace("\r\n", "\n").trim_end(),
        format!("Code: {token}\nLien (1 hour): {}", mail.link())
    );
    assert!(
        mail.html.contains("Reset your password"),
        "the built-in HTML stays"
    );
}
