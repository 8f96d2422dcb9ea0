//! Messages built to hurt: oversized, deeply nested, injecting, random, empty.

use embargo_mail::{AutoKind, Limits, analyze, header_safe};

use crate::analyze_default;

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn with_attachments(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut m = String::from(
        "From: Alice <alice@example.org>\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nsee attached\r\n",
    );
    for (name, data) in files {
        m.push_str(&format!(
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}\r\n",
            base64(data)
        ));
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

#[test]
fn attachments_over_the_limits_keep_metadata_and_leave_a_note() {
    let limits = Limits {
        max_attachments: 3,
        max_attachment_bytes: 1000,
        max_total_attachment_bytes: 1500,
        ..Limits::default()
    };
    let raw = with_attachments(&[
        ("a.bin", vec![1; 800]),
        ("too-big.bin", vec![2; 1001]),
        ("over-total.bin", vec![3; 800]),
        ("b.bin", vec![4; 10]),
        ("c.bin", vec![5; 10]),
        ("d.bin", vec![6; 10]),
    ]);
    let mail = analyze(&raw, &limits);
    let kept: Vec<(&str, u64, bool)> = mail
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.size, a.bytes.is_some()))
        .collect();
    assert_eq!(
        kept,
        [
            ("a.bin", 800, true),
            ("too-big.bin", 1001, false),
            ("over-total.bin", 800, false),
            ("b.bin", 10, true),
            ("c.bin", 10, true),
            ("d.bin", 10, false),
        ]
    );
    for (name, why) in [
        ("too-big.bin", "larger than the 1000 bytes"),
        ("over-total.bin", "would exceed 1500 bytes"),
        ("d.bin", "more than 3 attachments"),
    ] {
        assert!(
            mail.notes
                .iter()
                .any(|n| n.contains(name) && n.contains(why)),
            "{name}: {:?}",
            mail.notes
        );
    }
    assert_eq!(mail.attachments[1].sha256.as_ref().len(), 64);
}

#[test]
fn a_huge_text_body_is_cut_with_a_note() {
    let limits = Limits {
        max_body_text_bytes: 1000,
        ..Limits::default()
    };
    let raw = format!(
        "From: a@example.org\r\nSubject: long\r\n\r\n{}",
        "é".repeat(5000)
    );
    let mail = analyze(raw.as_bytes(), &limits);
    assert!(mail.body_text.len() <= 1000);
    assert!(mail.body_text.chars().all(|c| c == 'é'));
    assert!(
        mail.notes.iter().any(|n| n.contains("cut to 1000 bytes")),
        "{:?}",
        mail.notes
    );
}

#[test]
fn a_thousand_nested_multiparts_neither_overflow_the_stack_nor_pass_silently() {
    let mut m = String::from(
        "From: a@example.org\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n",
    );
    for i in 1..=1000 {
        m.push_str(&format!(
            "--b{}\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n",
            i - 1
        ));
    }
    m.push_str("--b1000\r\nContent-Type: text/plain\r\n\r\nbottom\r\n");
    for i in (0..=1000).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    let mail = analyze_default(m.as_bytes());
    assert!(
        mail.notes
            .iter()
            .any(|n| n.contains("more than 200 MIME parts")),
        "{:?}",
        mail.notes
    );
    assert!(
        mail.notes
            .iter()
            .any(|n| n.contains("nested deeper than 20 levels")),
        "{:?}",
        mail.notes
    );
    assert!(!mail.body_text.contains("bottom"));
}

#[test]
fn a_thousand_nested_forwarded_messages_are_analysed_without_overflow() {
    let mut m = String::new();
    for i in 0..1000 {
        m.push_str(&format!(
            "From: a{i}@example.org\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    m.push_str("From: z@example.org\r\nSubject: bottom\r\n\r\nbottom text\r\n");
    let mail = analyze_default(m.as_bytes());
    assert_eq!(mail.subject.as_deref(), Some("level 0"));
    assert!(!mail.notes.is_empty(), "limits were reached and said so");
}

#[test]
fn encoded_line_breaks_in_subject_and_from_cannot_inject_headers() {
    let raw = b"From: =?utf-8?Q?Mallory=0D=0ABcc:_victim@example.org?= <mallory@example.org>\r\n\
Subject: =?utf-8?Q?Hello=0D=0ABcc:_victim@example.org=0A=0A<body>?=\r\n\r\nhi\r\n";
    let mail = analyze_default(raw);
    let subject = mail.subject.clone().unwrap();
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    assert_eq!(header_safe(&subject), Ok(subject.as_str()));
    let name = mail.display_name().unwrap();
    assert!(!name.contains(['\r', '\n']));
    assert!(header_safe(&name).is_ok());
    // The decoded text itself, before it is put on one line, is refused outright.
    assert!(header_safe("Hello\r\nBcc: victim@example.org").is_err());
    assert_eq!(
        mail.reply_address().unwrap().as_ref(),
        "mallory@example.org"
    );
}

#[test]
fn a_forged_in_reply_to_with_a_malformed_token_yields_no_thread() {
    for forged in [
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaa.1@vendor.example>", // 25 characters
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaab.1@vendor.example>", // 27 characters
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaa1a.1@vendor.example>", // '1' is not base32
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaab.1@vendor.example>",
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaab.x@vendor.example>", // counter not a number
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaab@vendor.example>",   // no counter
        "<emb.aaaaaaaaaaaaaaaaaaaaaaaaab.1>",                // no domain
        "<xyz.aaaaaaaaaaaaaaaaaaaaaaaaaa.1@vendor.example>", // not our form
    ] {
        let raw = format!(
            "From: a@example.org\r\nTo: security@vendor.example\r\nSubject: Re: x\r\nIn-Reply-To: {forged}\r\nReferences: {forged}\r\n\r\nhi\r\n"
        );
        let mail = analyze_default(raw.as_bytes());
        assert_eq!(mail.thread_token, None, "{forged}");
    }
}

#[test]
fn random_bytes_empty_input_and_headers_only_are_stored_without_panicking() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..65_536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let mail = analyze_default(&random);
    assert!(mail.auto.is_some(), "nobody to answer");

    let empty = analyze_default(b"");
    assert!(!empty.parsed);
    assert_eq!(empty.auto, Some(AutoKind::NoReplyAddress));
    assert!(!empty.notes.is_empty());
    assert!(empty.body_text.is_empty());

    let headers_only = analyze_default(b"From: Bob <bob@example.org>\r\nSubject: only headers\r\n");
    assert_eq!(headers_only.subject.as_deref(), Some("only headers"));
    assert!(headers_only.body_text.is_empty());
    assert_eq!(
        headers_only.reply_address().unwrap().as_ref(),
        "bob@example.org"
    );
    assert!(headers_only.auto.is_none());
}

#[test]
fn hostile_attachment_names_are_made_harmless() {
    let raw = with_attachments(&[
        ("../../etc/passwd", vec![1]),
        ("C:\\\\Windows\\\\evil.dll", vec![2]),
        ("invoice\u{202E}fdp.exe", vec![3]),
        ("...", vec![4]),
    ]);
    let mail = analyze_default(&raw);
    let names: Vec<&str> = mail.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), 4);
    for name in &names {
        assert!(!name.contains(['/', '\\', ':', '\u{202E}']), "{name:?}");
        assert!(!name.starts_with('.'), "{name:?}");
        assert!(!name.is_empty());
    }
    assert_eq!(names[0], "_.._etc_passwd");
    assert_eq!(names[2], "invoicefdp.exe");
    assert_eq!(names[3], "attachment-4.bin");
}

#[test]
fn auto_reply_signals_outside_the_corpus_are_honoured() {
    let check = |extra: &str, expect: Option<&str>| {
        let raw = format!("From: a@example.org\r\n{extra}Subject: s\r\n\r\nbody\r\n");
        let mail = analyze_default(raw.as_bytes());
        assert_eq!(
            mail.auto
                .as_ref()
                .map(|a| a.to_string())
                .as_deref()
                .map(|s| s.split(':').next().unwrap_or(s).to_owned()),
            expect.map(str::to_owned),
            "{extra:?}: {:?}",
            mail.auto
        );
    };
    check("Auto-Submitted: no\r\n", None);
    check("Auto-Submitted: No (a person)\r\n", None);
    check("Auto-Submitted: auto-notified\r\n", Some("Auto-Submitted"));
    check("X-Autoreply: yes\r\n", Some("X-Autoreply"));
    check("X-Autorespond: Out of office\r\n", Some("X-Autorespond"));
    check(
        "X-Auto-Response-Suppress: DR, RN\r\n",
        Some("X-Auto-Response-Suppress"),
    );
    check("X-Auto-Response-Suppress: OOF\r\n", None);
    check("Precedence: first-class\r\n", None);
    check(
        "List-Unsubscribe: <mailto:u@example.org>\r\n",
        Some("mailing-list traffic (List-Unsubscribe)"),
    );
    check("Return-Path: < >\r\n", Some("null Return-Path <>"));
    check(
        "Sender: postmaster@example.org\r\n",
        Some("sent by mail software (postmaster@example.org)"),
    );
    check(
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n",
        Some("multipart/report (disposition-notification)"),
    );
}
