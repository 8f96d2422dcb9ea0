//! The 46 real messages of `shared/testdata/mail`, checked against `manifest.tsv`.

use std::fs;

use embargo_mail::{AutoKind, InboundMail, PgpKind};

use crate::{analyze_default, mail_testdata};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Yes,
    No,
    Optional,
}

struct Case {
    file: String,
    expect: Expect,
    reporters: Vec<String>,
    note: String,
}

fn manifest() -> Vec<Case> {
    let text = fs::read_to_string(mail_testdata().join("manifest.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "manifest line {line:?}");
            let expect = match cols[1] {
                "yes" => Expect::Yes,
                "no" => Expect::No,
                "opt" => Expect::Optional,
                other => panic!("unknown expect_ack {other:?}"),
            };
            let reporters = match cols[2] {
                "-" => Vec::new(),
                r => r.split('|').map(str::to_owned).collect(),
            };
            Case {
                file: cols[0].to_owned(),
                expect,
                reporters,
                note: cols[3].to_owned(),
            }
        })
        .collect()
}

fn load(file: &str) -> InboundMail {
    let raw = fs::read(mail_testdata().join("corpus").join(file)).unwrap();
    analyze_default(&raw)
}

fn raw_has_subject(raw: &[u8]) -> bool {
    let head = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n" || w.starts_with(b"\n\n"))
        .map_or(raw, |p| &raw[..p]);
    String::from_utf8_lossy(head)
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("subject:") && l.len() > "subject:".len() + 1)
}

#[test]
fn every_corpus_message_is_analysed_and_acknowledged_exactly_when_the_manifest_says() {
    let cases = manifest();
    assert_eq!(cases.len(), 46, "the manifest lists 46 messages");
    let mut failures = Vec::new();
    let (mut yes, mut no, mut opt) = (0, 0, 0);
    for case in &cases {
        let raw = fs::read(mail_testdata().join("corpus").join(&case.file)).unwrap();
        let mail = analyze_default(&raw);
        let reply = mail.reply_address().map(|r| r.to_string());
        println!(
            "{:<42} {:?} auto={:<60} reply={:<32} subject={:?} body={}B att={} notes={}",
            case.file,
            case.expect,
            mail.auto.as_ref().map_or("-".into(), |a| a.to_string()),
            reply.as_deref().unwrap_or("-"),
            mail.subject.as_deref().unwrap_or("-"),
            mail.body_text.len(),
            mail.attachments.len(),
            mail.notes.len()
        );
        match case.expect {
            Expect::Yes => {
                yes += 1;
                if let Some(auto) = &mail.auto {
                    failures.push(format!(
                        "{}: expected an acknowledgement, got {auto}",
                        case.file
                    ));
                }
                let ok = reply.as_deref().is_some_and(|r| {
                    case.reporters
                        .iter()
                        .any(|want| want.eq_ignore_ascii_case(r))
                });
                if !ok {
                    failures.push(format!(
                        "{}: reply address {reply:?} is not one of {:?} ({})",
                        case.file, case.reporters, case.note
                    ));
                }
            }
            Expect::No => {
                no += 1;
                if mail.auto.is_none() {
                    failures.push(format!(
                        "{}: must never be acknowledged ({})",
                        case.file, case.note
                    ));
                }
            }
            Expect::Optional => {
                opt += 1;
                if let Some(r) = &reply {
                    if !case
                        .reporters
                        .iter()
                        .any(|want| want.eq_ignore_ascii_case(r))
                    {
                        failures.push(format!(
                            "{}: reply address {r} not in {:?}",
                            case.file, case.reporters
                        ));
                    }
                }
            }
        }
        if raw_has_subject(&raw) && mail.subject.as_deref().is_none_or(str::is_empty) {
            failures.push(format!("{}: has a Subject but none was read", case.file));
        }
    }
    println!(
        "corpus: {} messages, {yes} to acknowledge, {no} never, {opt} optional",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dump_for_review() {
    for f in std::env::var("DUMP")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
    {
        let m = load(f);
        println!(
            "=== {f}\nnotes={:#?}\npgp={:?} keys={} token={:?} auth={:?}\nattachments={:?}\n--- body\n{}\n---",
            m.notes,
            m.pgp,
            m.pgp_keys.len(),
            m.thread_token,
            m.authentication,
            m.attachments
                .iter()
                .map(|a| (&a.name, a.media_type.as_ref(), a.size, a.bytes.is_some()))
                .collect::<Vec<_>>(),
            m.body_text.chars().take(1500).collect::<String>()
        );
    }
}
