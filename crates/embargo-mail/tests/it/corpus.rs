//! The 46 real messages of `shared/testdata/mail`, checked against `manifest.tsv`.

use std::fs;

use embargo_mail::{AuthOutcome, AutoKind, InboundMail, PgpKind, Verification};

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
                if let Some(r) = &reply
                    && !case.reporters.iter().any(|w| w.eq_ignore_ascii_case(r))
                {
                    failures.push(format!(
                        "{}: reply address {r} not in {:?}",
                        case.file, case.reporters
                    ));
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

/// Runs `expect` on the analysis of one corpus file.
fn check(file: &str, expect: impl FnOnce(&InboundMail)) {
    let mail = load(file);
    expect(&mail);
}

fn names(mail: &InboundMail) -> Vec<(&str, &str, u64)> {
    mail.attachments
        .iter()
        .map(|a| (a.name.as_str(), a.media_type.as_ref(), a.size))
        .collect()
}

#[test]
fn legacy_asian_charsets_are_decoded_in_bodies_and_subjects() {
    check("002-shift-jis-8bit.eml", |m| {
        assert!(
            m.body_text.contains("このメールはテスト用のメールです。"),
            "{}",
            m.body_text
        );
    });
    check("003-iso-2022-jp-reply-to.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("Re: TEST テストテスト"));
    });
    check("004-euc-kr-base64-rfc2047.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("NOTE: 한국말로 하는 것"));
        assert!(
            m.body_text.contains("대부분의 마찬가지로"),
            "{}",
            m.body_text
        );
    });
    check("044-utf8-8bit-reply-to.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("にゃんこ"));
        assert!(m.body_text.starts_with("にゃー"));
    });
}

#[test]
fn european_charsets_and_encoded_words_are_decoded() {
    check("005-rfc2047-from-qp-body.eml", |m| {
        assert_eq!(m.display_name().as_deref(), Some("Jørn Støylen"));
        assert!(
            m.body_text
                .contains("Jørn Støylen -- http://www.prikkprikkprikk.no")
        );
    });
    check("016-date-year-3609.eml", |m| {
        assert_eq!(m.display_name().as_deref(), Some("Атиковa"));
    });
    check("017-utf7-qp-lf.eml", |m| {
        assert_eq!(
            m.subject.as_deref(),
            Some("Die Hasen und die Frösche (Microsoft Outlook 00)")
        );
        assert!(m.body_text.contains("mißliche Lage"));
    });
    check("020-latin1-8bit-rfc2047.eml", |m| {
        assert!(
            m.body_text
                .contains("Die Hasen klagten einst über ihre mißliche Lage")
        );
    });
    check("031-utf8-rfc2047-reply.eml", |m| {
        assert_eq!(m.display_name().as_deref(), Some("sendeär"));
        assert!(
            m.notes.iter().any(|n| n.contains("replaced")),
            "{:?}",
            m.notes
        );
    });
    check("036-windows-1251-rfc2047.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("Свежий прайс-лист"));
        assert_eq!(m.display_name().as_deref(), Some("Прайсы || ПартКом"));
    });
    check("025-mixed-eol-encodings-no-from.eml", |m| {
        assert_eq!(
            m.body_text.matches("Move ♚ to ♛'s ♝").count(),
            4,
            "{}",
            m.body_text
        );
    });
    check("024-related-first-8bit.eml", |m| {
        assert!(m.body_text.contains("áóúäöüß"))
    });
}

#[test]
fn raw_8bit_headers_are_read_in_the_fallback_charset_with_a_note() {
    check("012-raw-8bit-subject-no-date.eml", |m| {
        assert_eq!(
            m.subject.as_deref(),
            Some("Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro")
        );
        assert_eq!(m.display_name().as_deref(), Some("Formação Frenetikpolis"));
        assert!(
            m.notes.iter().any(|n| n.contains("raw 8-bit")),
            "{:?}",
            m.notes
        );
        assert_eq!(m.date, None);
    });
    check("019-latin1-8bit-long-line.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("Die Hasen und die Frösche"));
    });
    check("014-utf8-headers-rfc6532.eml", |m| {
        assert_eq!(m.subject.as_deref(), Some("Säying Hello"));
        assert!(
            m.notes.is_empty(),
            "RFC 6532 UTF-8 is not raw 8-bit: {:?}",
            m.notes
        );
    });
}

#[test]
fn html_only_mail_is_rendered_as_plain_text() {
    check("018-html-only-qp.eml", |m| {
        assert!(
            m.body_text.starts_with("Die Hasen und die Frösche"),
            "{}",
            m.body_text
        );
        assert!(m.body_text.contains("mißliche Lage"));
        assert!(!m.body_text.contains('<'), "{}", m.body_text);
    });
    check("029-nested-related-very-long-line.eml", |m| {
        assert!(
            m.body_text.starts_with("This is an HTML message."),
            "text/plain is preferred"
        );
    });
    check("038-dsn-exim.eml", |m| {
        assert!(
            m.body_text.contains("Hallo, dies ist ein Beispiel-Text."),
            "{}",
            m.body_text
        );
    });
}

#[test]
fn attachments_keep_sanitised_names_types_sizes_and_digests() {
    check("006-pdf-attachment.eml", |m| {
        assert_eq!(names(m), [("broken.pdf", "application/pdf", 1026)]);
        let pdf = &m.attachments[0];
        let bytes = pdf.bytes.as_ref().unwrap();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        use sha2::Digest;
        assert_eq!(
            pdf.sha256.as_ref(),
            hex::encode(sha2::Sha256::digest(bytes))
        );
        assert!(m.subject.as_deref().unwrap().contains('🎉'));
    });
    check("007-attachment-only-gzip.eml", |m| {
        assert_eq!(names(m), [("blah.gz", "application/x-gzip", 288)]);
        assert!(m.body_text.is_empty());
    });
    check("021-pine-uppercase-mime.eml", |m| {
        assert_eq!(
            names(m),
            [
                ("redball.png", "application/octet-stream", 1453),
                ("blueball.png", "application/octet-stream", 1325)
            ]
        );
        assert!(
            m.attachments[0]
                .bytes
                .as_ref()
                .unwrap()
                .starts_with(b"\x89PNG")
        );
    });
    check("013-uuencode-list-sender.eml", |m| {
        assert_eq!(
            names(m),
            [("PGP_Cmts_on_12-14-01_Pkg.doc", "application/msword", 0)]
        );
    });
    check("029-nested-related-very-long-line.eml", |m| {
        assert_eq!(
            names(m),
            [
                ("logo.jpg", "image/gif", 2695),
                ("background.jpg", "image/gif", 18255),
                ("attachment.txt", "text/plain", 2229)
            ]
        );
    });
    check("036-windows-1251-rfc2047.eml", |m| {
        assert_eq!(
            names(m),
            [("Price4VladDaKar.xlsx", "application/octet-stream", 68)]
        );
    });
}

#[test]
fn forwarded_and_nested_messages_contribute_text_and_attachments() {
    check("008-forwarded-message-rfc822.eml", |m| {
        assert!(m.body_text.starts_with("This is the first part."));
        assert!(m.body_text.contains("Subject: Another PDF"));
        assert!(m.body_text.contains("Just attaching another PDF"));
        let n = names(m);
        assert_eq!(n[0].0, "ForwardedMessage.eml");
        assert_eq!(n[0].1, "message/rfc822");
        assert_eq!(n[1], ("broken.pdf", "application/pdf", 1026));
    });
    check("037-four-nested-rfc822.eml", |m| {
        for content in [
            "3-third-content",
            "2-second-content",
            "1-first-content",
            "0-zero-content",
        ] {
            assert!(
                m.body_text.contains(content),
                "{content} in {}",
                m.body_text
            );
        }
        let order: Vec<usize> = ["3-third", "2-second", "1-first", "0-zero"]
            .iter()
            .map(|c| m.body_text.find(c).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "outermost first");
        assert_eq!(
            m.attachments
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            [
                "2-second-email.eml",
                "1-first-email.eml",
                "0-zero-email.eml"
            ]
        );
    });
    check("027-rfc2046-forward-no-date.eml", |m| {
        assert!(m.body_text.contains("Fire up Air Force One!"));
        assert!(
            m.body_text
                .contains("Subject: Map of Argentina with Description")
        );
        assert_eq!(m.date, None);
    });
    check("040-iso-8859-2-embedded.eml", |m| {
        assert!(m.body_text.contains("TexT"));
        assert!(m.body_text.contains("some txt"));
        let n: Vec<&str> = m.attachments.iter().map(|a| a.name.as_str()).collect();
        assert!(
            n.contains(&"file3.xlsx") && n.contains(&"file4.zip"),
            "{n:?}"
        );
    });
}

#[test]
fn each_never_acknowledge_message_is_refused_for_its_own_reason() {
    let reason = |file: &str| load(file).auto.unwrap();
    assert_eq!(
        reason("009-tiny-subject-only-no-from.eml"),
        AutoKind::NoReplyAddress
    );
    assert_eq!(
        reason("010-dsn-sendmail-auto-generated.eml"),
        AutoKind::AutoSubmitted {
            value: "auto-generated".into()
        }
    );
    assert!(
        matches!(reason("015-precedence-junk-html.eml"), AutoKind::Precedence { value } if value == "junk")
    );
    for file in [
        "022-malformed-boundary-no-from.eml",
        "023-garbled-from-header.eml",
        "025-mixed-eol-encodings-no-from.eml",
        "035-missing-from.eml",
    ] {
        assert_eq!(reason(file), AutoKind::NoReplyAddress, "{file}");
    }
    assert_eq!(
        reason("028-dsn-gb2312-truncated.eml"),
        AutoKind::Report {
            report_type: Some("delivery-status".into())
        }
    );
    for file in [
        "038-dsn-exim.eml",
        "041-out-of-office-auto-replied.eml",
        "043-auto-replied-precedence-bulk.eml",
        "046-postfix-dsn-cr-only.eml",
    ] {
        assert_eq!(
            reason(file),
            AutoKind::AutoSubmitted {
                value: "auto-replied".into()
            },
            "{file}"
        );
    }
    assert!(matches!(
        reason("039-precedence-list-github.eml"),
        AutoKind::AutoReplyField { field, .. } if field == "X-Auto-Response-Suppress"
    ));
    assert_eq!(
        reason("042-exchange-auto-reply-null-sender.eml"),
        AutoKind::NullReturnPath
    );
    assert_eq!(
        reason("045-qmail-bounce-plain.eml"),
        AutoKind::NullReturnPath
    );
}

#[test]
fn nested_auto_headers_and_list_senders_do_not_block_a_persons_message() {
    check("026-real-reply-20k.eml", |m| {
        assert!(
            m.auto.is_none(),
            "quoted Auto-Submitted inside forwarded parts is not ours"
        );
        assert_eq!(
            m.attachments
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            ["training-mail.txt", "shop-mail.txt"]
        );
    });
    check("013-uuencode-list-sender.eml", |m| {
        assert!(m.auto.is_none());
        assert_eq!(
            m.sender.as_ref().unwrap().address,
            "RRGA-L@LIST.RTOWEST.ORG"
        );
    });
}

#[test]
fn headers_that_are_hard_to_read_still_yield_what_they_can() {
    check("009-tiny-subject-only-no-from.eml", |m| {
        assert!(m.parsed);
        assert_eq!(m.subject.as_deref(), Some("TEST"));
    });
    check("015-precedence-junk-html.eml", |m| {
        assert_eq!(m.date, None);
        assert!(
            m.notes.iter().any(|n| n.contains("Date header")),
            "{:?}",
            m.notes
        );
    });
    check("016-date-year-3609.eml", |m| {
        assert_eq!(m.date.unwrap().to_string(), "3609-06-30T09:33:50Z");
    });
    check("046-postfix-dsn-cr-only.eml", |m| {
        assert_eq!(
            m.subject.as_deref(),
            Some("Undelivered Mail Returned to Sender")
        );
        assert!(
            m.notes.iter().any(|n| n.contains("bare CR")),
            "{:?}",
            m.notes
        );
        assert!(m.body_text.contains("user\n    unknown"), "{}", m.body_text);
    });
    check("003-iso-2022-jp-reply-to.eml", |m| {
        assert_eq!(m.in_reply_to, ["rid_5582199198@msgid.example.com"]);
        assert_eq!(
            m.thread_token, None,
            "an unknown In-Reply-To is not a thread"
        );
        assert_eq!(m.reply_address().unwrap().as_ref(), "rudeboyjet@gmail.com");
    });
    check("001-rfc2822-simple-crlf.eml", |m| {
        assert_eq!(m.message_id.as_deref(), Some("1234@local.machine.example"));
        assert_eq!(m.date.unwrap().to_string(), "1997-11-21T15:55:06Z");
        assert_eq!(
            m.body_text,
            "This is a message just to say hello.\nSo, \"Hello\"."
        );
    });
}

#[test]
fn openpgp_and_authentication_results_are_recognised_in_the_corpus() {
    check("011-pgp-signed-multipart.eml", |m| {
        assert_eq!(m.pgp, PgpKind::MimeSigned)
    });
    check("001-rfc2822-simple-crlf.eml", |m| {
        assert_eq!(m.pgp, PgpKind::None)
    });
    check("026-real-reply-20k.eml", |m| {
        assert_eq!(m.sender_verified("gmx.net"), Verification::Verified);
        assert_eq!(
            m.sender_verified("mx.vendor.example"),
            Verification::Unknown
        );
    });
    check("038-dsn-exim.eml", |m| {
        let iprev = m
            .authentication
            .iter()
            .find(|r| r.method == "iprev")
            .unwrap();
        assert_eq!(iprev.authserv_id, "somewhere.your-server.de");
        assert_eq!(iprev.result, AuthOutcome::Pass);
        assert!(
            m.authentication
                .iter()
                .any(|r| r.method == "dmarc" && r.result == AuthOutcome::Other("skipped".into()))
                || m.authentication.iter().all(|r| r.method != "dmarc")
        );
    });
}
