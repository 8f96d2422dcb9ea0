//! Mail end to end: `embargo mailgate` takes messages as an MTA pipes them, `embargo serve`
//! sends the acknowledgements through a real SMTP server (aiosmtpd, `scripts/smtp-sink.py`), and
//! replies thread into their case.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::support::{Server, embargo};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/testdata/mail");
const FROM: &str = "security@vendor.test";

/// A real SMTP server on loopback that keeps what it accepts (see `scripts/smtp-sink.py`).
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start(extra: &[&str]) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/smtp-sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .args(["--port", &port.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the SMTP sink (scripts/test installs aiosmtpd)");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        assert!(
            line.starts_with("ready"),
            "the SMTP sink did not start (is aiosmtpd installed? `pip install aiosmtpd`): {line:?}"
        );
        SmtpSink { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far: (envelope recipients, raw bytes), oldest first.
    pub fn messages(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let raw = std::fs::read(p).unwrap();
                let end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
                let rcpt = String::from_utf8_lossy(&raw[..end])
                    .trim_start_matches("X-Sink-Rcpt: ")
                    .to_owned();
                (rcpt, raw[end + 2..].to_vec())
            })
            .collect()
    }

    /// Waits until `n` messages arrived, then a little longer to catch any extra.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<(String, Vec<u8>)> {
        let start = Instant::now();
        while self.messages().len() < n && start.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(600));
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut found: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(value) = found.as_mut() {
            if line.starts_with(' ') || line.starts_with('\t') {
                value.push_str(line.trim_start());
                continue;
            }
            return found;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            found = Some(v.trim().to_owned());
        }
    }
    found
}

/// `embargo` against the test database, with the mail settings of these tests.
fn cli(t: &embargo_testkit::TestDb, dir: &Path) -> Command {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url)
        .env("EMBARGO_MAIL_FROM", FROM);
    cmd
}

/// Pipes `raw` into `embargo mailgate`; returns (exit code, stdout).
fn mailgate(mut cmd: Command, raw: &[u8]) -> (i32, String) {
    cmd.arg("mailgate")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = raw.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() {
        eprintln!("mailgate stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
    (out.status.code().unwrap_or(-1), stdout)
}

fn run_json(mut cmd: Command, args: &[&str]) -> serde_json::Value {
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "embargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn serve_with_smtp(t: &embargo_testkit::TestDb, dir: &Path, sink: &SmtpSink) -> Server {
    let mut cmd = cli(t, dir);
    cmd.env("EMBARGO_SMTP_URL", sink.url())
        .env("EMBARGO_MAIL__SEND_INTERVAL_MS", "100")
        .env("EMBARGO_MAIL__RETRY_INITIAL_MS", "200")
        .env("EMBARGO_MAIL__CLAIM_LEASE_MS", "1500");
    Server::start(cmd)
}

struct ManifestRow {
    file: String,
    expect: String,
    reporters: Vec<String>,
}

fn manifest() -> Vec<ManifestRow> {
    let text = std::fs::read_to_string(format!("{CORPUS}/manifest.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            ManifestRow {
                file: cols[0].to_owned(),
                expect: cols[1].to_owned(),
                reporters: cols[2]
                    .split('|')
                    .filter(|r| *r != "-")
                    .map(|r| r.to_lowercase())
                    .collect(),
            }
        })
        .collect()
}

#[tokio::test]
async fn every_corpus_message_is_stored_listed_and_acknowledged_exactly_as_its_manifest_says() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let rows = manifest();
    assert_eq!(rows.len(), 46);

    let mut outputs = BTreeMap::new();
    for row in &rows {
        let raw = std::fs::read(format!("{CORPUS}/corpus/{}", row.file)).unwrap();
        let (code, stdout) = mailgate(cli(&t, dir.path()), &raw);
        assert_eq!(code, 0, "{}: {stdout}", row.file);
        match row.expect.as_str() {
            "yes" => assert!(stdout.starts_with("EMB-"), "{}: {stdout}", row.file),
            "no" => assert!(stdout.starts_with("held "), "{}: {stdout}", row.file),
            _ => {}
        }
        outputs.insert(row.file.clone(), stdout);
    }

    // Each message is listed, as a report or as held mail.
    let list = run_json(
        cli(&t, dir.path()),
        &["reports", "list", "--format", "json", "--limit", "500"],
    );
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 46, "{list:#?}");
    for (file, out) in &outputs {
        let key = out
            .split_whitespace()
            .nth(usize::from(out.starts_with("held ")))
            .unwrap();
        assert!(
            list.iter()
                .any(|r| r["tracking_id"] == *key || r["mail"] == *key),
            "{file}: {key} is not listed"
        );
    }
    let held: Vec<_> = list.iter().filter(|r| r["status"] == "held").collect();
    assert!(
        held.iter()
            .all(|r| r["held_reason"].as_str().is_some_and(|s| !s.is_empty()))
    );

    // Sent through a real SMTP server: one acknowledgement per `yes`, none for `no`.
    let yes = rows.iter().filter(|r| r.expect == "yes").count();
    let opt = rows.iter().filter(|r| r.expect == "opt").count();
    let sink = SmtpSink::start(&[]);
    let server = serve_with_smtp(&t, dir.path(), &sink);
    let sent = sink.wait_for(yes, Duration::from_secs(60));
    drop(server);
    assert!(
        sent.len() >= yes && sent.len() <= yes + opt,
        "{} mails for {yes} yes and {opt} optional",
        sent.len()
    );
    // Which report each mail is about: its Message-ID carries the report's thread token.
    let mut tracking_of_token = BTreeMap::new();
    for row in sqlx::query(
        "SELECT t.token, r.tracking_id FROM mail_threads t JOIN reports r ON r.id = t.report_id",
    )
    .fetch_all(t.db.pool())
    .await
    .unwrap()
    {
        tracking_of_token.insert(row.get::<String, _>(0), row.get::<String, _>(1));
    }
    let about = |raw: &[u8]| -> String {
        let id = header(raw, "Message-ID").unwrap();
        let token = id
            .trim_start_matches("<emb.")
            .split('.')
            .next()
            .unwrap()
            .to_owned();
        tracking_of_token.get(&token).cloned().unwrap_or_default()
    };
    for row in &rows {
        let out = &outputs[&row.file];
        let acks: Vec<&(String, Vec<u8>)> =
            sent.iter().filter(|(_, raw)| about(raw) == *out).collect();
        match row.expect.as_str() {
            "yes" => {
                assert_eq!(
                    acks.len(),
                    1,
                    "{}: {} acknowledgements",
                    row.file,
                    acks.len()
                );
                assert!(
                    row.reporters.contains(&acks[0].0.to_lowercase()),
                    "{}: acknowledged to {}, expected one of {:?}",
                    row.file,
                    acks[0].0,
                    row.reporters
                );
            }
            "no" => assert!(acks.is_empty(), "{}", row.file),
            _ => assert!(acks.len() <= 1, "{}", row.file),
        }
    }
    for (_, raw) in &sent {
        assert_eq!(
            header(raw, "Auto-Submitted").as_deref(),
            Some("auto-replied")
        );
        let id = header(raw, "Message-ID").unwrap();
        assert!(
            id.starts_with("<emb.") && id.ends_with(".0@vendor.test>"),
            "{id}"
        );
        let reply_to = header(raw, "Reply-To").unwrap();
        assert!(
            reply_to.starts_with("security+") && reply_to.ends_with("@vendor.test"),
            "{reply_to}"
        );
        let subject = header(raw, "Subject").unwrap();
        assert!(subject.contains("EMB-"), "{subject}");
    }
    // The acknowledgement of a mail with a Message-ID quotes it.
    let first = std::fs::read(format!("{CORPUS}/corpus/001-rfc2822-simple-crlf.eml")).unwrap();
    let original = header(&first, "Message-ID").unwrap();
    let ack = sent
        .iter()
        .find(|(rcpt, _)| rcpt == "jdoe@machine.example")
        .unwrap();
    assert_eq!(header(&ack.1, "In-Reply-To").unwrap(), original);

    // Everything is recorded as sent on the cases.
    let outbox = run_json(cli(&t, dir.path()), &["mail", "outbox", "--format", "json"]);
    let outbox = outbox.as_array().unwrap();
    assert_eq!(outbox.len(), sent.len());
    assert!(outbox.iter().all(|m| m["state"] == "sent"), "{outbox:#?}");
}

/// The token of the first mail queued for the report with this tracking id.
async fn thread_token_of(t: &embargo_testkit::TestDb, tracking: &str) -> String {
    let row = sqlx::query(
        "SELECT t.token FROM mail_threads t JOIN reports r ON r.id = t.report_id \
         WHERE r.tracking_id = $1",
    )
    .bind(tracking)
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    row.get::<String, _>(0)
}

async fn messages_of(t: &embargo_testkit::TestDb, tracking: &str) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT m.visibility, m.body FROM messages m JOIN reports r ON r.case_id = m.case_id \
         WHERE r.tracking_id = $1 ORDER BY m.position",
    )
    .bind(tracking)
    .fetch_all(t.db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
    .collect()
}

async fn count(t: &embargo_testkit::TestDb, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

fn mail_from(from: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {FROM}\r\nSubject: Heap overflow in the parser\r\n\
         Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn replies_join_their_case_only_through_an_unguessable_token() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let gate = || cli(&t, dir.path());

    let (code, tracking) = mailgate(
        gate(),
        &mail_from(
            "Alice <alice@example.org>",
            "Message-ID: <first@example.org>\r\n",
            "Steps to reproduce...",
        ),
    );
    assert_eq!(code, 0);
    assert!(tracking.starts_with("EMB-"), "{tracking}");
    let token = thread_token_of(&t, &tracking).await;

    // A reply quoting our Message-ID joins the thread as a reporter message.
    let reply = mail_from(
        "Alice <alice@example.org>",
        &format!(
            "Message-ID: <second@example.org>\r\nIn-Reply-To: <emb.{token}.0@vendor.test>\r\n"
        ),
        "More details: the overflow needs 4 KiB.",
    );
    let (code, out) = mailgate(gate(), &reply);
    assert_eq!(
        (code, out.as_str()),
        (0, format!("{tracking} reply").as_str())
    );
    let messages = messages_of(&t, &tracking).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "reporter");
    assert!(messages[0].1.contains("needs 4 KiB"));

    // So does a mail to our plus address, without any In-Reply-To.
    let to_plus = format!(
        "From: alice@example.org\r\nTo: security+{token}@vendor.test\r\nSubject: again\r\n\
         Message-ID: <third@example.org>\r\n\r\nA third note.\r\n"
    );
    let (_, out) = mailgate(gate(), to_plus.as_bytes());
    assert_eq!(out, format!("{tracking} reply"));
    assert_eq!(messages_of(&t, &tracking).await.len(), 2);

    // A forger who knows the tracking id, but not the token, opens a new report.
    for forged in [
        format!("In-Reply-To: <{tracking}@vendor.test>\r\nMessage-ID: <f1@evil.test>\r\n"),
        "In-Reply-To: <emb.aaaaaaaaaaaaaaaaaaaaaaaaaa.0@vendor.test>\r\nMessage-ID: <f2@evil.test>\r\n"
            .to_owned(),
        format!("References: <emb.{}.0@vendor.test>\r\nMessage-ID: <f3@evil.test>\r\n", &token[..25]),
    ] {
        let (code, out) = mailgate(
            gate(),
            &mail_from("Mallory <mallory@evil.test>", &forged, &format!("Re: {tracking}")),
        );
        assert_eq!(code, 0);
        assert!(out.starts_with("EMB-") && out != tracking, "{forged}: {out}");
    }
    assert_eq!(messages_of(&t, &tracking).await.len(), 2);

    // An out-of-office reply to our mail is kept with the case, but neither posted nor answered.
    let ooo = mail_from(
        "alice@example.org",
        &format!(
            "Auto-Submitted: auto-replied\r\nIn-Reply-To: <emb.{token}.0@vendor.test>\r\n\
             Message-ID: <ooo@example.org>\r\n"
        ),
        "I am away until Monday.",
    );
    let (_, out) = mailgate(gate(), &ooo);
    assert!(out.starts_with("held "), "{out}");
    assert_eq!(messages_of(&t, &tracking).await.len(), 2);

    // The same bytes delivered twice (an MTA retry) are one message.
    let before = count(&t, "SELECT COUNT(*) FROM inbound_mail").await;
    let (_, again) = mailgate(gate(), &reply);
    assert_eq!(again, format!("{tracking} reply"));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM inbound_mail").await, before);
    assert_eq!(messages_of(&t, &tracking).await.len(), 2);

    // Only the acknowledgements were queued: replies from the reporter send nothing.
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'"
        )
        .await,
        4
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM outbox").await, 4);
}

#[tokio::test]
async fn team_messages_and_state_changes_mail_the_reporter_but_internal_notes_never_do() {
    let site = crate::support::Site::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut gate = embargo(dir.path());
    gate.env("EMBARGO_DATABASE_URL", &site.t.url)
        .env("EMBARGO_MAIL_FROM", FROM);
    let (_, tracking) = mailgate(
        gate,
        &mail_from(
            "bob@example.org",
            "Message-ID: <b1@example.org>\r\n",
            "SQL injection in search",
        ),
    );
    let case = site
        .get(&site.team, &format!("/api/v1/cases/{tracking}"))
        .await
        .expect(200);
    let id = case.json["id"].as_str().unwrap().to_owned();

    site.post(
        &site.team,
        &format!("/api/v1/cases/{id}/messages"),
        serde_json::json!({"visibility": "internal", "body": "INTERNAL-CANARY looks real"}),
    )
    .await
    .expect(201);
    site.post(
        &site.team,
        &format!("/api/v1/cases/{id}/messages"),
        serde_json::json!({"visibility": "reporter", "body": "Could you send the request you used?"}),
    )
    .await
    .expect(201);
    let version = |v: &serde_json::Value| v["version"].as_i64().unwrap();
    let case = site
        .get(&site.team, &format!("/api/v1/cases/{id}"))
        .await
        .expect(200);
    let case = site
        .post(
            &site.team,
            &format!("/api/v1/cases/{id}/transitions"),
            serde_json::json!({"to": "triage", "expected_version": version(&case.json)}),
        )
        .await
        .expect(200);
    let case = site
        .post(
            &site.team,
            &format!("/api/v1/cases/{id}/transitions"),
            serde_json::json!({"to": "accepted", "expected_version": version(&case.json)}),
        )
        .await
        .expect(200);
    site.post(
        &site.team,
        &format!("/api/v1/cases/{id}/estimate"),
        serde_json::json!({"expected_version": version(&case.json)}),
    )
    .await
    .expect(200);

    let mails = site
        .get(&site.team, &format!("/api/v1/cases/{id}/mail"))
        .await
        .expect(200);
    let kinds: Vec<&str> = mails
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["acknowledgement", "message", "confirmed", "estimate"]
    );
    assert!(!mails.text.contains("INTERNAL-CANARY"));
    let raw: Vec<Vec<u8>> = sqlx::query("SELECT raw FROM outbox")
        .fetch_all(site.t.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.get::<Vec<u8>, _>(0))
        .collect();
    assert!(
        raw.iter()
            .all(|r| !String::from_utf8_lossy(r).contains("INTERNAL-CANARY"))
    );
    assert!(
        raw.iter()
            .any(|r| String::from_utf8_lossy(r).contains("send the request you used"))
    );

    // Delivery state is the team's: others get the same 404 as for an unknown case.
    site.get(&site.outsider_engineer, &format!("/api/v1/cases/{id}/mail"))
        .await
        .expect(404);
    site.get(
        &site.outsider_collaborator,
        &format!("/api/v1/cases/{id}/mail"),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn hostile_mail_is_stored_and_never_breaks_a_header() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let gate = || {
        let mut c = cli(&t, dir.path());
        c.env("EMBARGO_MAIL__MAX_MESSAGE_BYTES", "65536");
        c
    };

    // A subject that decodes to a line break and a Bcc field, and a display name trying the same.
    let injection = b"From: \"Eve\r\n Bcc: victim@example.net\" <eve@example.org>\r\n\
        To: security@vendor.test\r\n\
        Subject: =?utf-8?q?hello=0D=0ABcc:_victim@example.net=0D=0A?=\r\n\
        Message-ID: <inj@example.org>\r\n\r\nbody\r\n";
    let (code, tracking) = mailgate(gate(), injection);
    assert_eq!(code, 0);
    assert!(tracking.starts_with("EMB-"));
    let raw: Vec<u8> = sqlx::query("SELECT raw FROM outbox")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap();
    assert!(
        !head
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{head}"
    );
    assert_eq!(
        header(&raw, "To").map(|v| v.matches('@').count()),
        Some(1),
        "{head}"
    );

    // Over the size limit: stored truncated, with a note the team sees, never dropped.
    let mut huge = b"From: big@example.org\r\nSubject: big\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'A', 200_000));
    let (code, out) = mailgate(gate(), &huge);
    assert_eq!(code, 0, "{out}");
    let body: String = sqlx::query("SELECT body FROM reports WHERE tracking_id = $1")
        .bind(&out)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert!(
        body.contains("over the 65536 byte limit"),
        "{}",
        &body[body.len() - 300..]
    );
    let size: i64 = sqlx::query("SELECT size FROM inbound_mail WHERE truncated = 1")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(size as usize, huge.len());

    // A thousand nested multiparts: stored and answered.
    let mut deep = b"From: deep@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n".to_vec();
    for i in 0..1000 {
        deep.extend(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n").bytes(),
        );
    }
    deep.extend(b"Content-Type: text/plain\r\n\r\ninnermost\r\n");
    let (code, out) = mailgate(gate(), &deep);
    assert_eq!(code, 0);
    assert!(out.starts_with("EMB-"), "{out}");

    // Our MTA's verdicts are shown on the report: a DMARC failure stands out; another host's
    // Authentication-Results are not trusted.
    let spoofed =
        b"Authentication-Results: mx.vendor.test; dmarc=fail header.from=bank.example\r\n\
        From: ceo@bank.example\r\nSubject: urgent\r\nMessage-ID: <s1@bank.example>\r\n\r\nhi\r\n";
    let forged_pass =
        b"Authentication-Results: mx.evil.test; dmarc=pass header.from=bank.example\r\n\
        From: ceo@bank.example\r\nSubject: urgent 2\r\nMessage-ID: <s2@bank.example>\r\n\r\nhi\r\n";
    for (raw, expect) in [
        (&spoofed[..], "SENDER NOT VERIFIED"),
        (&forged_pass[..], "sender not verified: no passing"),
    ] {
        let mut c = gate();
        c.env("EMBARGO_MAIL__TRUSTED_AUTHSERV_ID", "mx.vendor.test");
        let (code, out) = mailgate(c, raw);
        assert_eq!(code, 0);
        let body: String = sqlx::query("SELECT body FROM reports WHERE tracking_id = $1")
            .bind(&out)
            .fetch_one(t.db.pool())
            .await
            .unwrap()
            .get(0);
        assert!(body.contains(expect), "{body}");
    }

    // Nothing on stdin, and a database that cannot be reached: 75, so the MTA retries.
    let (code, _) = mailgate(gate(), b"");
    assert_eq!(code, 75);
    let mut down = embargo(dir.path());
    down.env(
        "EMBARGO_DATABASE_URL",
        "postgres://postgres@127.0.0.1:1/none",
    )
    .env("EMBARGO_DATABASE__ACQUIRE_TIMEOUT_SECS", "1");
    let (code, _) = mailgate(down, &mail_from("a@example.org", "", "x"));
    assert_eq!(code, 75);
}

#[tokio::test]
async fn failed_sends_are_retried_and_a_crash_mid_send_resends_the_same_message() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();

    // The server answers the first two attempts with 451; the third gets through.
    let sink = SmtpSink::start(&["--tempfail", "2", "--reject", "bounce.test"]);
    let (_, tracking) = mailgate(
        cli(&t, dir.path()),
        &mail_from(
            "carol@example.org",
            "Message-ID: <c1@example.org>\r\n",
            "XSS",
        ),
    );
    let (_, _) = mailgate(
        cli(&t, dir.path()),
        &mail_from(
            "dave@bounce.test",
            "Message-ID: <d1@example.org>\r\n",
            "CSRF",
        ),
    );
    let server = serve_with_smtp(&t, dir.path(), &sink);
    let sent = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "carol@example.org");
    // Wait for the permanent failure to be recorded too.
    let start = Instant::now();
    loop {
        let failed = count(&t, "SELECT COUNT(*) FROM outbox WHERE state = 'failed'").await;
        if failed == 1 || start.elapsed() > Duration::from_secs(20) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    let outbox = run_json(cli(&t, dir.path()), &["mail", "outbox", "--format", "json"]);
    let by_rcpt = |r: &str| {
        outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["recipient"] == r)
            .unwrap()
            .clone()
    };
    let carol = by_rcpt("carol@example.org");
    assert_eq!(carol["state"], "sent");
    assert_eq!(carol["attempts"], 3, "{carol}");
    let dave = by_rcpt("dave@bounce.test");
    assert_eq!(dave["state"], "failed", "{dave}");
    assert!(
        dave["last_error"].as_str().unwrap().contains("550"),
        "{dave}"
    );
    assert!(tracking.starts_with("EMB-"));

    // Kill the server while the SMTP server holds a message it has already kept: the sender never
    // hears "250", so after restart the mail goes again, with the same Message-ID.
    let slow = SmtpSink::start(&["--delay", "3"]);
    mailgate(
        cli(&t, dir.path()),
        &mail_from(
            "erin@example.org",
            "Message-ID: <e1@example.org>\r\n",
            "RCE",
        ),
    );
    let mut server = serve_with_smtp(&t, dir.path(), &slow);
    let kept = slow.wait_for(1, Duration::from_secs(20));
    assert_eq!(kept.len(), 1);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    let _server = serve_with_smtp(&t, dir.path(), &slow);
    let both = slow.wait_for(2, Duration::from_secs(30));
    assert_eq!(both.len(), 2, "the interrupted mail was not sent again");
    assert_eq!(
        header(&both[0].1, "Message-ID"),
        header(&both[1].1, "Message-ID")
    );
    let start = Instant::now();
    loop {
        let sent = count(
            &t,
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'erin@example.org' AND state = 'sent'",
        )
        .await;
        if sent == 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "not recorded as sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn admins_edit_templates_safely_and_the_next_mail_uses_them() {
    let site = crate::support::Site::start().await;
    let path = "/api/v1/mail/templates/acknowledgement";
    let shipped = site.get(&site.team, path).await.expect(200);
    assert!(
        shipped.json["body"]
            .as_str()
            .unwrap()
            .contains("do not publicise")
    );
    assert!(
        shipped.json["variables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "tracking_id")
    );

    // Only admins with an admin-scoped token change templates; a placeholder this mail does not
    // fill is refused by name.
    let body = serde_json::json!({"subject": "Got it: {{ tracking_id }}", "body": "Thanks {{ reporter_name }}, ref {{ tracking_id }}."});
    site.put(&site.team, path, body.clone()).await.expect(403);
    site.put(&site.engineer, path, body.clone())
        .await
        .expect(403);
    site.put(&site.admin, path, body.clone()).await.expect(403);
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .env("EMBARGO_DATABASE_URL", &site.t.url)
        .args([
            "user",
            "token",
            site.admin.username,
            "--scopes",
            "read,write,admin",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let admin = crate::support::Account {
        username: site.admin.username,
        email: site.admin.email.clone(),
        token: String::from_utf8(out.stdout).unwrap().trim().to_owned(),
    };
    let bad = site
        .put(
            &admin,
            path,
            serde_json::json!({"subject": "x", "body": "{{ fix_by }}"}),
        )
        .await
        .expect(400);
    assert_eq!(bad.field(), "body");
    assert!(bad.message().contains("fix_by"), "{}", bad.message());
    site.put(&admin, "/api/v1/mail/templates/nonsense", body.clone())
        .await
        .expect(400);
    site.put(&admin, path, body).await.expect(200);

    let tracking = site
        .report("Template check", "details", "tess@example.org")
        .await;
    let raw: Vec<u8> = sqlx::query("SELECT raw FROM outbox WHERE recipient = 'tess@example.org'")
        .fetch_one(site.t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        header(&raw, "Subject").unwrap(),
        format!("Got it: {tracking}")
    );

    site.delete(&admin, path).await.expect(204);
    let back = site.get(&site.team, path).await.expect(200);
    assert_eq!(back.json["subject"], shipped.json["subject"]);
}

#[tokio::test]
async fn two_servers_on_one_database_send_each_mail_once() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    for n in 0..12 {
        let (code, _) = mailgate(
            cli(&t, dir.path()),
            &mail_from(
                &format!("r{n}@example.org"),
                &format!("Message-ID: <two-{n}@example.org>\r\n"),
                "details",
            ),
        );
        assert_eq!(code, 0);
    }
    let sink = SmtpSink::start(&["--delay", "0.05"]);
    let _a = serve_with_smtp(&t, dir.path(), &sink);
    let _b = serve_with_smtp(&t, dir.path(), &sink);
    let sent = sink.wait_for(12, Duration::from_secs(30));
    let mut ids: Vec<String> = sent
        .iter()
        .map(|(_, raw)| header(raw, "Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    assert_eq!(sent.len(), 12, "a mail was sent by both servers");
}
