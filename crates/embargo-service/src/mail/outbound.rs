//! Mails to reporters: which changes of a case cause one, and how each is rendered and queued.
//!
//! A mail is rendered in full (headers, Message-ID, body) and put in the outbox inside the
//! transaction of the change that causes it: the change and its mail commit together or not at
//! all. The sender ([`super::sender`]) delivers it later.
//!
//! Every mail about a report carries that report's thread token twice: in its Message-ID,
//! `<emb.{token}.{n}@{domain}>`, and in its Reply-To, `{local}+{token}@{domain}`. A reply quotes
//! one or the other, which is how it finds its case (see [`super::inbound`]).

use std::collections::BTreeMap;
use std::time::SystemTime;

use anyhow::Context;
use embargo_domain::{
    AffectedStatus, CaseRecord, CaseReporter, CaseState, Catalog, RejectReason, ReportId,
    StateKind, Visibility,
};
use embargo_mail::ThreadToken;
use embargo_store::{AnyConnection, mail as store, reports};
use jiff::Timestamp;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox, Message, SinglePart};
use rand::RngCore;
use uuid::Uuid;

use super::MailSettings;
use super::templates::{MailKind, Template};

/// `Auto-Submitted: auto-replied` (RFC 3834 §5): Embargo's mails are automatic responses, so
/// well-behaved responders do not answer them and no mail loop starts.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".to_owned())
    }
}

/// The thread token of a report, created on first use.
pub(crate) async fn thread_token(
    conn: &mut AnyConnection,
    report: ReportId,
    now: Timestamp,
) -> anyhow::Result<ThreadToken> {
    if let Some(token) = store::thread_of_report(conn, report.as_uuid().to_owned()).await? {
        return ThreadToken::parse(&token)
            .map_err(|e| anyhow::anyhow!("stored thread token of report {report}: {e}"));
    }
    let mut random = [0u8; 16];
    rand::rng().fill_bytes(&mut random);
    let token = ThreadToken::generate(random);
    store::insert_thread(conn, token.as_str(), report.as_uuid().to_owned(), now)
        .await
        .context("storing a thread token")?;
    Ok(token)
}

/// Queues the mails that the change from `before` (`None`: the case was just opened) to `after`
/// causes for the case's reporters. `original_message_id` is the Message-ID of the reporter's
/// own mail, quoted by the acknowledgement so that it threads under it.
pub(crate) async fn queue_case_mails(
    conn: &mut AnyConnection,
    settings: &MailSettings,
    before: Option<&CaseRecord>,
    after: &CaseRecord,
    catalog: Option<&Catalog>,
    original_message_id: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<usize> {
    let mut mails: Vec<(MailKind, BTreeMap<&'static str, String>)> = Vec::new();
    let before_state = before.map_or(StateKind::New, |b| b.state.kind());
    if before_state != after.state.kind() {
        let mut values = BTreeMap::new();
        let kind = match after.state {
            CaseState::Acknowledged if before_state == StateKind::New => {
                Some(MailKind::Acknowledgement)
            }
            CaseState::Accepted if before_state != StateKind::NeedsInfo => {
                let severity = after
                    .cvss
                    .severity()
                    .map_or_else(|| "not yet scored".to_owned(), |s| s.to_string());
                values.insert("severity", severity);
                Some(MailKind::Confirmed)
            }
            CaseState::Rejected { reason, .. } => {
                values.insert("reason", reject_reason_text(reason).to_owned());
                Some(MailKind::Rejected)
            }
            CaseState::Released => {
                values.insert("fixed_versions", fixed_versions(after, catalog));
                Some(MailKind::Released)
            }
            CaseState::Disclosed => {
                values.insert(
                    "cve",
                    after
                        .cve
                        .as_ref()
                        .map(|c| format!("as {c}"))
                        .unwrap_or_default(),
                );
                Some(MailKind::Disclosed)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            mails.push((kind, values));
        }
    }
    let before_estimate = before.and_then(|b| b.estimate);
    if let Some(estimate) = after.estimate
        && before_estimate.map(|e| (e.fix_by, e.disclose_by))
            != Some((estimate.fix_by, estimate.disclose_by))
    {
        let mut values = BTreeMap::new();
        values.insert("fix_by", day(estimate.fix_by));
        values.insert("disclose_by", day(estimate.disclose_by));
        mails.push((MailKind::Estimate, values));
    }
    let seen = before.map_or(0, |b| b.messages.len());
    for message in after.messages.iter().skip(seen) {
        let from_reporter = after
            .reporters
            .iter()
            .any(|r| r.user == Some(message.author));
        if message.visibility == Visibility::Reporter && !from_reporter {
            let mut values = BTreeMap::new();
            values.insert("message", message.body.clone());
            mails.push((MailKind::Message, values));
        }
    }

    let mut queued = 0;
    for (kind, values) in mails {
        let template = load_template(conn, kind).await?;
        for reporter in &after.reporters {
            let quoted = if kind == MailKind::Acknowledgement {
                original_message_id
            } else {
                None
            };
            if enqueue_for(
                conn,
                settings,
                after,
                reporter,
                kind,
                &template,
                values.clone(),
                quoted,
                now,
            )
            .await?
            {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// The admin's template for `kind`, or the shipped one.
pub(crate) async fn load_template(
    conn: &mut AnyConnection,
    kind: MailKind,
) -> anyhow::Result<Template> {
    Ok(match store::template(conn, kind.as_str()).await? {
        Some(t) => Template {
            subject: t.subject,
            body: t.body,
        },
        None => Template::default_for(kind),
    })
}

/// Renders one mail to one reporter and queues it. `false` when the reporter's address cannot
/// receive mail (reserved `.invalid` addresses, or one the SMTP library refuses).
#[allow(clippy::too_many_arguments)]
async fn enqueue_for(
    conn: &mut AnyConnection,
    settings: &MailSettings,
    case: &CaseRecord,
    reporter: &CaseReporter,
    kind: MailKind,
    template: &Template,
    mut values: BTreeMap<&'static str, String>,
    quoted: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let address = reporter.email.as_ref();
    if address.to_ascii_lowercase().ends_with(".invalid") {
        return Ok(false);
    }
    let tracking = reports::get(conn, reporter.report)
        .await?
        .map(|r| r.report.tracking_id().to_string())
        .unwrap_or_default();
    let token = thread_token(conn, reporter.report, now).await?;
    common_values(
        &mut values,
        settings,
        tracking,
        &case.title,
        reporter.name.as_deref(),
    );
    // Every mail to a reporter with an account carries a fresh single-use sign-in link to their
    // reports, created in the transaction that queues the mail.
    if let Some(user) = reporter.user {
        let secret = crate::sessions::issue_link(conn, *user.as_uuid(), now).await?;
        values.insert(
            "portal_link",
            format!(
                "{}/signin/{}",
                settings.public_url.trim_end_matches('/'),
                secrecy::ExposeSecret::expose_secret(&secret)
            ),
        );
    }
    let (subject, body) = template.render(&values);

    // n = 0 is the acknowledgement, which later mails refer to; others draw a random n.
    let n = if kind == MailKind::Acknowledgement {
        0
    } else {
        u64::from(rand::rng().next_u32()) + 1
    };
    let message_id = token.message_id(n, settings.domain());
    let root = token.message_id(0, settings.domain());
    let reply_to = token.reply_address(settings.local_part(), settings.domain());
    // A reporter who gave us a key gets the mail encrypted to it and signed; the subject, which
    // would otherwise carry the title, says only what it is.
    let encryption = match crate::openpgp::reporter_key(conn, address, now).await? {
        Some(key) => match crate::openpgp::team_keys(conn, now)
            .await?
            .into_iter()
            .next()
        {
            Some(team) => Some((team, key)),
            None => {
                tracing::warn!(case = %case.id, "reporter has an OpenPGP key but there is no team key: mail sent unencrypted");
                None
            }
        },
        None => None,
    };
    let subject = match &encryption {
        Some(_) => format!(
            "[{}] Encrypted message from {}",
            values.get("tracking_id").map_or("", String::as_str),
            settings.team_name
        ),
        None => subject,
    };
    let raw = match render(
        settings,
        &Outgoing {
            to: address,
            to_name: reporter.name.as_deref(),
            reply_to: &reply_to,
            subject: &subject,
            body: &body,
            message_id: &message_id,
            in_reply_to: quoted.or((n != 0).then_some(root.as_str())),
            date: now,
        },
        encryption.as_ref().map(|(team, key)| (team, key)),
    ) {
        Ok(raw) => raw,
        Err(e) => {
            tracing::warn!(case = %case.id, kind = kind.as_str(), error = %e, "mail not queued: the address cannot be written");
            return Ok(false);
        }
    };
    store::enqueue(
        conn,
        &store::NewOutbound {
            id: Uuid::now_v7(),
            case: Some(case.id.as_uuid().to_owned()),
            report: Some(reporter.report.as_uuid().to_owned()),
            kind: kind.as_str(),
            recipient: address,
            message_id: &message_id,
            subject: &subject,
            raw: &raw,
            encrypted: encryption.is_some(),
        },
        now,
    )
    .await
    .context("queueing a mail")?;
    Ok(true)
}

/// One mail, before it is written.
pub(crate) struct Outgoing<'a> {
    pub to: &'a str,
    pub to_name: Option<&'a str>,
    pub reply_to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub date: Timestamp,
}

/// Fills the placeholders every kind of mail provides.
pub(crate) fn common_values(
    values: &mut BTreeMap<&'static str, String>,
    settings: &MailSettings,
    tracking_id: String,
    title: &str,
    reporter_name: Option<&str>,
) {
    values.insert("tracking_id", tracking_id);
    values.insert("title", title.to_owned());
    values.insert(
        "reporter_name",
        reporter_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("there")
            .to_owned(),
    );
    values.insert("team_name", settings.team_name.clone());
    values.insert("security_address", settings.from.clone());
    // A page shows this; only a mail, which reaches the address's owner alone, carries a real
    // sign-in link (see `enqueue_for`).
    values.insert(
        "portal_link",
        format!("{}/login", settings.public_url.trim_end_matches('/')),
    );
}

/// The full RFC 5322 message. lettre writes every header: the subject is RFC 2047-encoded where
/// needed and the display name quoted, so no value can add a header line. With `encryption`,
/// the text part is encrypted to the recipient's key and signed by the team key (PGP/MIME,
/// RFC 3156).
pub(crate) fn render(
    settings: &MailSettings,
    mail: &Outgoing<'_>,
    encryption: Option<(&embargo_pgp::TeamKey, &embargo_pgp::PublicKey)>,
) -> anyhow::Result<Vec<u8>> {
    let from = Mailbox::new(
        Some(settings.team_name.clone()),
        settings.from.parse().context("the security address")?,
    );
    let to = Mailbox::new(
        mail.to_name.map(embargo_mail::sanitize_display_name),
        mail.to
            .parse()
            .with_context(|| format!("recipient address {:?}", mail.to))?,
    );
    let date = SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(mail.date.as_second().max(0).unsigned_abs());
    let mut builder = Message::builder()
        .from(from)
        .reply_to(mail.reply_to.parse().context("reply-to address")?)
        .to(to)
        .subject(mail.subject)
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date(date)
        .header(AutoSubmitted);
    if let Some(quoted) = mail.in_reply_to {
        let quoted = embargo_mail::header_safe(quoted)
            .map_err(|e| anyhow::anyhow!("quoted Message-ID: {e}"))?;
        builder = builder
            .in_reply_to(format!("<{quoted}>"))
            .references(format!("<{quoted}>"));
    }
    let message = match encryption {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.to_owned())
            .context("building the mail")?,
        Some((team, recipient)) => {
            let inner = SinglePart::plain(mail.body.to_owned()).formatted();
            let encrypted = embargo_pgp::pgp_mime::encrypt_entity(team, recipient, &inner)
                .map_err(|e| anyhow::anyhow!("encrypting the mail: {e}"))?;
            let body = Body::new_with_encoding(encrypted.body, ContentTransferEncoding::SevenBit)
                .map_err(|_| anyhow::anyhow!("the encrypted body is not 7-bit"))?;
            builder
                .header(
                    ContentType::parse(&encrypted.content_type)
                        .context("the PGP/MIME content type")?,
                )
                .body(body)
                .context("building the mail")?
        }
    };
    Ok(message.formatted())
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

fn reject_reason_text(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::NotAVulnerability => "it is not a vulnerability",
        RejectReason::Duplicate(_) => "it duplicates an issue we are already handling",
        RejectReason::OutOfScope => "it is outside the scope of our security process",
        RejectReason::Informative => {
            "it is useful information, but not a vulnerability that needs a security fix"
        }
    }
}

fn fixed_versions(case: &CaseRecord, catalog: Option<&Catalog>) -> String {
    let mut lines = Vec::new();
    for (line, status) in &case.affected {
        if let AffectedStatus::Fixed { fixed_in, .. } = status {
            let name = catalog
                .and_then(|c| c.line(*line))
                .map(|p| format!("{} {} {}", p.product.name, p.edition.name, p.line.name()))
                .unwrap_or_else(|| line.to_string());
            lines.push(format!("- {name}: {fixed_in}"));
        }
    }
    if lines.is_empty() {
        "- (see the advisory)".to_owned()
    } else {
        lines.join("\n")
    }
}
