//! Conversion into the domain's `NewReport`.

use embargo_domain::{RawOriginal, Report, ReportId};
use embargo_mail::{Limits, ReportError, analyze};
use jiff::Timestamp;

use crate::analyze_default;

fn convert(mail: &embargo_mail::InboundMail) -> Result<embargo_domain::NewReport, ReportError> {
    mail.to_new_report(
        ReportId::from_uuid(uuid::Uuid::from_u128(7)),
        [1, 2, 3, 4, 5],
        Timestamp::UNIX_EPOCH,
        RawOriginal::new("blob/1").unwrap(),
    )
}

#[test]
fn a_persons_message_becomes_a_report_the_domain_accepts() {
    let raw = b"From: =?utf-8?Q?J=C3=B6rn?= <jorn@example.org>\r\nReply-To: sec@example.org\r\nSubject: SQL injection\r\n\r\nDetails.\r\n";
    let new = convert(&analyze_default(raw)).unwrap();
    assert_eq!(new.reporter.email.as_ref(), "sec@example.org");
    assert_eq!(new.reporter.name.as_deref(), Some("Jörn"));
    assert_eq!(new.subject, "SQL injection");
    assert_eq!(new.body, "Details.");
    let report = Report::receive(new).unwrap();
    assert_eq!(report.channel(), embargo_domain::Channel::Email);
}

#[test]
fn a_message_without_a_reply_address_is_refused_with_a_handleable_error() {
    let mail = analyze_default(b"Subject: anonymous\r\n\r\nhi\r\n");
    assert!(matches!(
        convert(&mail),
        Err(ReportError::NoReplyAddress { from: None, .. })
    ));
    let mail = analyze_default(b"From: not-an-address\r\nSubject: x\r\n\r\nhi\r\n");
    assert!(matches!(
        convert(&mail),
        Err(ReportError::NoReplyAddress { .. })
    ));
}

#[test]
fn notes_overlong_subjects_and_dropped_attachments_stay_visible_in_the_report() {
    let limits = Limits {
        max_attachment_bytes: 2,
        ..Limits::default()
    };
    let raw = format!(
        "From: a@example.org\r\nSubject: {}\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b\r\nContent-Type: application/pdf; name=big.pdf\r\n\r\n0123456789\r\n--b\r\nContent-Type: text/plain; name=ok.txt\r\nContent-Disposition: attachment\r\n\r\nok\r\n--b--\r\n",
        "s".repeat(1200)
    );
    let mail = analyze(raw.as_bytes(), &limits);
    let new = convert(&mail).unwrap();
    assert_eq!(new.subject.len(), 998);
    assert_eq!(
        new.attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["ok.txt"]
    );
    assert!(
        new.body.contains("big.pdf") && new.body.contains("not kept"),
        "{}",
        new.body
    );
    assert!(Report::receive(new).is_ok());
}
