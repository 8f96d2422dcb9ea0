//! OpenPGP and IMAP end to end: a team key from the CLI, a reporter's key learnt from their mail,
//! encrypted mail both ways, the EFAIL rule, the signed security.txt, and intake from a real
//! IMAP server (Dovecot).

use std::time::Duration;

use embargo_pgp::{PublicKey, SignatureStatus, TeamKey};
use sqlx::Row;

use crate::mail::{SmtpSink, header};
use crate::support::{Server, embargo};

#[path = "../../../embargo-imap/tests/it/dovecot.rs"]
#[allow(dead_code)]
mod dovecot;

const FROM: &str = "security@vendor.test";

fn cli(t: &embargo_testkit::TestDb, dir: &std::path::Path) -> std::process::Command {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url)
        .env("EMBARGO_MAIL_FROM", FROM);
    cmd
}

fn run(mut cmd: std::process::Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "embargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn mailgate(cmd: std::process::Command, raw: &[u8]) -> String {
    let mut cmd = cmd;
    cmd.arg("mailgate")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), raw).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Keys in these tests are made as of this instant (before any real clock reading of the
/// server, which must find them valid).
fn now() -> jiff::Timestamp {
    "2025-01-01T00:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn encrypted_mail_both_ways_with_the_team_key_and_the_reporters_key() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();

    // The team key, made by the CLI and served for security.txt.
    let fingerprint = run(cli(&t, dir.path()), &["pgp", "generate"])
        .trim()
        .to_owned();
    assert_eq!(fingerprint.len(), 40, "{fingerprint}");
    let team_public =
        PublicKey::from_armored(&run(cli(&t, dir.path()), &["pgp", "show"]), now()).unwrap();
    assert_eq!(team_public.fingerprint(), fingerprint);
    assert_eq!(team_public.emails(), [FROM]);

    // The reporter, with their own key, writes encrypted to the team and attaches their key.
    let reporter = TeamKey::generate("Rita Reporter <rita@example.org>", now()).unwrap();
    let inner = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSECRET-CANARY: the admin panel takes any password.\r\n";
    let body = embargo_pgp::pgp_mime::encrypt_entity(&reporter, &team_public, inner).unwrap();
    let key_block = reporter.public_armored().replace('\n', "\r\n");
    let raw_top = format!(
        "From: Rita Reporter <rita@example.org>\r\nTo: {FROM}\r\nSubject: Encrypted report\r\n\
         Message-ID: <rita-1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: {}\r\n\r\n{}",
        body.content_type,
        String::from_utf8_lossy(&body.body)
    );
    let tracking = mailgate(cli(&t, dir.path()), raw_top.as_bytes());
    assert!(tracking.starts_with("EMB-"), "{tracking}");
    let report_body: String = sqlx::query("SELECT body FROM reports WHERE tracking_id = $1")
        .bind(&tracking)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert!(
        report_body.contains("SECRET-CANARY"),
        "decrypted for the team: {report_body}"
    );
    assert!(
        report_body.contains(&format!("decrypted with the team key {fingerprint}")),
        "{report_body}"
    );

    // Her key arrives as an attachment of a plain follow-up report: learnt for her address.
    let with_key = format!(
        "From: rita@example.org\r\nTo: {FROM}\r\nSubject: my key\r\nMessage-ID: <rita-2@example.org>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nHere is my key.\r\n\
         --b\r\nContent-Type: application/pgp-keys; name=\"rita.asc\"\r\n\r\n{key_block}\r\n--b--\r\n"
    );
    mailgate(cli(&t, dir.path()), with_key.as_bytes());
    let learnt: String =
        sqlx::query("SELECT fingerprint FROM reporter_keys WHERE email_key = 'rita@example.org'")
            .fetch_one(t.db.pool())
            .await
            .unwrap()
            .get(0);
    assert_eq!(learnt, reporter.fingerprint());

    // From now on mail to her is encrypted to her key and signed by the team: she can read it,
    // nobody else can, and the subject gives nothing away.
    let third = mailgate(
        cli(&t, dir.path()),
        format!("From: rita@example.org\r\nTo: {FROM}\r\nSubject: Third issue in login\r\nMessage-ID: <rita-3@example.org>\r\n\r\nDetails.\r\n").as_bytes(),
    );
    let sink = SmtpSink::start(&[]);
    let mut serve = cli(&t, dir.path());
    serve
        .env("EMBARGO_SMTP_URL", sink.url())
        .env("EMBARGO_MAIL__SEND_INTERVAL_MS", "100");
    let server = Server::start(serve);
    let sent = sink.wait_for(3, Duration::from_secs(30));
    assert_eq!(sent.len(), 3);
    let (_, third_ack) = sent
        .iter()
        .find(|(_, raw)| header(raw, "Subject").is_some_and(|s| s.contains(&third)))
        .unwrap();
    let subject = header(third_ack, "Subject").unwrap();
    assert!(!subject.contains("login"), "{subject}");
    assert!(
        header(third_ack, "Content-Type")
            .unwrap()
            .starts_with("multipart/encrypted")
    );
    let decrypted =
        embargo_pgp::decrypt_mail(&reporter, third_ack, std::slice::from_ref(&team_public))
            .unwrap()
            .unwrap();
    assert_eq!(
        decrypted.signature,
        SignatureStatus::Good {
            fingerprint: fingerprint.clone()
        }
    );
    assert!(String::from_utf8_lossy(&decrypted.plaintext).contains(&third));
    // The first acknowledgement went out before her key was known: unencrypted.
    let outbox: Vec<i64> = sqlx::query("SELECT encrypted FROM outbox ORDER BY created_at")
        .fetch_all(t.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert_eq!(outbox, [0, 0, 1]);

    // security.txt names the key and is signed by it.
    let http = crate::support::client();
    let txt = http
        .get(server.url("/.well-known/security.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let verified = embargo_pgp::verify_cleartext(std::slice::from_ref(&team_public), &txt).unwrap();
    assert_eq!(
        verified.signature,
        SignatureStatus::Good {
            fingerprint: fingerprint.clone()
        }
    );
    assert!(verified.text.contains(&format!("Contact: mailto:{FROM}")));
    assert!(verified.text.contains("Encryption: "));
    let key = http
        .get(server.url("/.well-known/openpgp-key.asc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        PublicKey::from_armored(&key, now()).unwrap().fingerprint(),
        fingerprint
    );
}

#[tokio::test]
async fn a_message_with_broken_integrity_protection_is_never_shown_decrypted() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    run(cli(&t, dir.path()), &["pgp", "generate"]);
    let team_public =
        PublicKey::from_armored(&run(cli(&t, dir.path()), &["pgp", "show"]), now()).unwrap();
    let reporter = TeamKey::generate("Eve <eve@example.org>", now()).unwrap();
    let armored =
        embargo_pgp::encrypt_and_sign(&reporter, &team_public, b"EFAIL-CANARY plaintext").unwrap();
    // Flip one byte of the ciphertext inside the armor (not the header or the checksum line).
    let mut lines: Vec<String> = armored.lines().map(str::to_owned).collect();
    let target = lines.len() - 4;
    let mut chars: Vec<char> = lines[target].chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    lines[target] = chars.into_iter().collect();
    let tampered = lines.join("\r\n");
    let raw = format!(
        "From: eve@example.org\r\nTo: {FROM}\r\nSubject: inline\r\nMessage-ID: <eve@example.org>\r\n\r\n{tampered}\r\n"
    );
    let tracking = mailgate(cli(&t, dir.path()), raw.as_bytes());
    assert!(
        tracking.starts_with("EMB-"),
        "stored and answered: {tracking}"
    );
    let body: String = sqlx::query("SELECT body FROM reports WHERE tracking_id = $1")
        .bind(&tracking)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert!(!body.contains("EFAIL-CANARY"), "{body}");
    assert!(
        body.contains("not decrypted") && body.contains("integrity"),
        "{body}"
    );
}

#[tokio::test]
async fn reports_arrive_from_an_imap_mailbox_once_each_and_are_acknowledged() {
    let imap = dovecot::Dovecot::start();
    for n in 1..=3 {
        imap.append("INBOX", &dovecot::report(n)).await;
    }
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let with_imap = || {
        let mut cmd = cli(&t, dir.path());
        cmd.env("EMBARGO_IMAP__HOST", "127.0.0.1")
            .env("EMBARGO_IMAP__PORT", imap.port.to_string())
            .env("EMBARGO_IMAP__TLS", "plain")
            .env("EMBARGO_IMAP__USER", dovecot::USER)
            .env("EMBARGO_IMAP__PASSWORD", dovecot::PASSWORD)
            .env("EMBARGO_IMAP__PROCESSED_FOLDER", dovecot::PROCESSED)
            .env("EMBARGO_IMAP__POLL_INTERVAL_SECS", "1");
        cmd
    };
    // The password never shows in the printed configuration.
    let shown = run(with_imap(), &["config"]);
    assert!(
        !shown.contains(dovecot::PASSWORD) && shown.contains("***"),
        "{shown}"
    );

    assert_eq!(
        run(with_imap(), &["mail", "poll-imap"]).trim(),
        "taken 3, failed 0, left 0"
    );
    assert_eq!(
        run(with_imap(), &["mail", "poll-imap"]).trim(),
        "taken 0, failed 0, left 0"
    );
    assert_eq!(imap.messages("INBOX").await.len(), 0);
    assert_eq!(imap.messages(dovecot::PROCESSED).await.len(), 3);
    let reports: i64 = sqlx::query("SELECT COUNT(*) FROM reports")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(reports, 3);

    // The same message put back (a move that failed after storing) is not taken twice.
    imap.append("INBOX", &dovecot::report(1)).await;
    // While the server runs, a new report is taken and acknowledged within seconds.
    let sink = SmtpSink::start(&[]);
    let mut serve = with_imap();
    serve
        .env("EMBARGO_SMTP_URL", sink.url())
        .env("EMBARGO_MAIL__SEND_INTERVAL_MS", "100");
    let _server = Server::start(serve);
    imap.append("INBOX", &dovecot::report(4)).await;
    let sent = sink.wait_for(4, Duration::from_secs(30));
    assert_eq!(sent.len(), 4, "three earlier reports and the new one");
    assert!(sent.iter().any(|(rcpt, _)| rcpt == "reporter4@example.org"));
    let reports: i64 = sqlx::query("SELECT COUNT(*) FROM reports")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(reports, 4);
}
