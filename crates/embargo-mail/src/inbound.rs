//! [`analyze`] and its result, [`InboundMail`].

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use embargo_domain::{
    Attachment, Channel, MediaType, NewReport, RawOriginal, ReportId, ReporterEmail,
    ReporterIdentity, Sha256Digest,
};
use jiff::Timestamp;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};

use crate::auth::{AuthResult, Verification, parse_authentication_results, verify};
use crate::auto::{self, AutoKind};
use crate::error::ReportError;
use crate::headers::{self, RawField, simple_addresses, top_level_fields};
use crate::limits::Limits;
use crate::pgp::{PgpKey, PgpKind};
use crate::safety::{one_line, sanitize_display_name, truncate_at_boundary};
use crate::thread::{self, ThreadToken};

/// One mailbox of an address field: display name (decoded, on one line) and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// The address as a domain [`ReporterEmail`], if it is one.
    pub fn email(&self) -> Option<ReporterEmail> {
        ReporterEmail::parse(&self.address).ok()
    }

    /// The domain part of the address, lower-cased.
    pub fn domain(&self) -> Option<String> {
        self.address
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase())
    }
}

/// One attachment: metadata always, bytes when they fit the [`Limits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// Sanitised file name (see [`sanitize_file_name`](crate::sanitize_file_name)); never empty.
    pub name: String,
    /// As declared by the sender; `application/octet-stream` when missing or malformed.
    pub media_type: MediaType,
    /// Decoded size in bytes, also when the bytes were not kept.
    pub size: u64,
    /// SHA-256 of the decoded content, also when the bytes were not kept.
    pub sha256: Sha256Digest,
    /// The decoded content; `None` when a limit dropped it (a note says which).
    pub bytes: Option<Vec<u8>>,
}

impl MailAttachment {
    /// The domain metadata of this attachment.
    pub fn to_domain(&self) -> Attachment {
        Attachment {
            name: self.name.clone(),
            media_type: self.media_type.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
        }
    }
}

/// Everything Embargo reads from one received message. Built by [`analyze`]; plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// `false` when the MIME parser could not make sense of the message at all; the fields then
    /// hold what the plain header reader found and `body_text` the raw text.
    pub parsed: bool,
    /// The first mailbox of From.
    pub from: Option<Mailbox>,
    /// Every mailbox of Reply-To.
    pub reply_to: Vec<Mailbox>,
    pub sender: Option<Mailbox>,
    /// Addresses of To, Cc, Delivered-To and X-Original-To.
    pub recipients: Vec<String>,
    /// Decoded, on one line.
    pub subject: Option<String>,
    /// Without angle brackets, as are the ids below.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub date: Option<Timestamp>,
    /// The best human-readable text (see the crate documentation), `\n` line endings.
    pub body_text: String,
    pub attachments: Vec<MailAttachment>,
    /// Everything lossy or unusual about the analysis, in words for the case handler.
    pub notes: Vec<String>,
    /// Why this message must never be acknowledged; `None` when it may be.
    pub auto: Option<AutoKind>,
    pub authentication: Vec<AuthResult>,
    pub pgp: PgpKind,
    pub pgp_keys: Vec<PgpKey>,
    /// The most trusted well-formed thread token candidate (see [`crate::thread`]).
    pub thread_token: Option<ThreadToken>,
    /// Every distinct candidate, most trusted first.
    pub thread_token_candidates: Vec<ThreadToken>,
}

impl InboundMail {
    /// Where an acknowledgement goes: the first Reply-To mailbox that is a valid address, else
    /// the From address if valid. RFC 5322 §3.6.2: Reply-To "indicates the address(es) to which
    /// the author of the message suggests that replies be sent".
    pub fn reply_address(&self) -> Option<ReporterEmail> {
        self.reply_to
            .iter()
            .find_map(Mailbox::email)
            .or_else(|| self.from.as_ref().and_then(Mailbox::email))
    }

    /// The author's display name, safe to show and to quote in a header.
    pub fn display_name(&self) -> Option<String> {
        self.from
            .as_ref()
            .and_then(|m| m.name.as_deref())
            .map(sanitize_display_name)
            .filter(|n| !n.is_empty())
    }

    /// Whether the author's From domain is vouched for by the authentication results that our own
    /// MTA, `trusted_authserv_id`, wrote. See [`crate::auth::verify`] for the rules.
    pub fn sender_verified(&self, trusted_authserv_id: &str) -> Verification {
        verify(
            &self.authentication,
            trusted_authserv_id,
            self.from.as_ref().and_then(Mailbox::domain).as_deref(),
        )
    }

    /// Whether an acknowledgement may be sent (no [`AutoKind`] applies).
    pub fn may_acknowledge(&self) -> bool {
        self.auto.is_none()
    }

    /// The domain report for this message. The reporter is [`Self::reply_address`]; the body is
    /// `body_text` followed by the notes, so that nothing lossy goes unmentioned; the attachments
    /// are those whose bytes were kept (the others are named in the notes). The subject is cut to
    /// the 998 bytes a report allows.
    ///
    /// Fails with [`ReportError::NoReplyAddress`] when there is nobody to answer; the caller then
    /// stores the report as having no reply address.
    pub fn to_new_report(
        &self,
        id: ReportId,
        tracking_random: [u8; 5],
        received_at: Timestamp,
        raw: RawOriginal,
    ) -> Result<NewReport, ReportError> {
        let email = self
            .reply_address()
            .ok_or_else(|| ReportError::NoReplyAddress {
                from: self.from.as_ref().map(|m| m.address.clone()),
                reply_to: self.reply_to.first().map(|m| m.address.clone()),
            })?;
        let mut subject = self.subject.clone().unwrap_or_default();
        truncate_at_boundary(&mut subject, 998);
        let mut body = self.body_text.clone();
        if !self.notes.is_empty() {
            body.push_str("\n\n[Embargo mail intake notes]\n");
            for note in &self.notes {
                body.push_str("- ");
                body.push_str(note);
                body.push('\n');
            }
        }
        Ok(NewReport {
            id,
            tracking_random,
            channel: Channel::Email,
            reporter: ReporterIdentity {
                email,
                name: self.display_name(),
            },
            received_at,
            subject,
            body,
            attachments: self
                .attachments
                .iter()
                .filter(|a| a.bytes.is_some())
                .map(MailAttachment::to_domain)
                .collect(),
            raw,
        })
    }
}

/// Reads one raw RFC 5322 message. Never panics and never fails: whatever cannot be read is
/// described in [`InboundMail::notes`], and a message the MIME parser cannot parse at all comes
/// back with `parsed == false`.
pub fn analyze(raw: &[u8], limits: &Limits) -> InboundMail {
    let (input, mut notes) = normalise_line_endings(raw);
    let fields = top_level_fields(&input);
    let analysed = catch_unwind(AssertUnwindSafe(|| {
        let parsed = MessageParser::default().parse(input.as_ref());
        parsed.map(|message| from_message(&message, &fields, limits))
    }));
    let mut mail = match analysed {
        Ok(Some(mail)) => mail,
        Ok(None) => {
            notes.push("the message has no readable header; it is kept as received".to_owned());
            unparsed(&input, &fields, limits)
        }
        Err(_) => {
            notes.push(
                "the MIME structure could not be analysed (parser failure); it is kept as received"
                    .to_owned(),
            );
            unparsed(&input, &fields, limits)
        }
    };
    notes.append(&mut mail.notes);
    mail.notes = notes;
    finish(mail, &fields)
}

/// A message with bare CR line endings (classic Mac OS) and no LF at all is read as if each CR
/// were CRLF; anything else is passed on unchanged.
fn normalise_line_endings(raw: &[u8]) -> (Cow<'_, [u8]>, Vec<String>) {
    if raw.contains(&b'\r') && !raw.contains(&b'\n') {
        let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
        for &b in raw {
            out.push(b);
            if b == b'\r' {
                out.push(b'\n');
            }
        }
        let note = "line endings were bare CR characters; they were read as line breaks".to_owned();
        (Cow::Owned(out), vec![note])
    } else {
        (Cow::Borrowed(raw), Vec::new())
    }
}

fn empty_mail(parsed: bool) -> InboundMail {
    InboundMail {
        parsed,
        from: None,
        reply_to: Vec::new(),
        sender: None,
        recipients: Vec::new(),
        subject: None,
        message_id: None,
        in_reply_to: Vec::new(),
        references: Vec::new(),
        date: None,
        body_text: String::new(),
        attachments: Vec::new(),
        notes: Vec::new(),
        auto: None,
        authentication: Vec::new(),
        pgp: PgpKind::None,
        pgp_keys: Vec::new(),
        thread_token: None,
        thread_token_candidates: Vec::new(),
    }
}

/// What the plain header reader can say about a message the MIME parser could not read.
fn unparsed(input: &[u8], fields: &[RawField], limits: &Limits) -> InboundMail {
    let mut mail = empty_mail(false);
    let address_of = |name: &str| {
        headers::first(fields, name)
            .and_then(|f| simple_addresses(&f.text()).into_iter().next())
            .map(|address| Mailbox {
                name: None,
                address,
            })
    };
    mail.from = address_of("From");
    mail.sender = address_of("Sender");
    mail.reply_to = address_of("Reply-To").into_iter().collect();
    mail.subject = headers::first(fields, "Subject").map(|f| one_line(&f.text()));
    mail.message_id = headers::first(fields, "Message-ID").and_then(|f| first_id(&f.text()));
    mail.in_reply_to = headers::all(fields, "In-Reply-To")
        .flat_map(|f| ids(&f.text()))
        .collect();
    mail.references = headers::all(fields, "References")
        .flat_map(|f| ids(&f.text()))
        .collect();
    for name in ["To", "Cc"] {
        for f in headers::all(fields, name) {
            mail.recipients.extend(simple_addresses(&f.text()));
        }
    }
    let mut text = String::from_utf8_lossy(input).replace("\r\n", "\n");
    if truncate_at_boundary(&mut text, limits.max_body_text_bytes) {
        mail.notes.push(format!(
            "the text was cut to {} bytes",
            limits.max_body_text_bytes
        ));
    }
    mail.body_text = text;
    mail
}

fn ids(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .map(|t| t.trim().trim_start_matches('<').trim_end_matches('>'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn first_id(s: &str) -> Option<String> {
    ids(s).into_iter().next()
}

/// Work common to parsed and unparsed messages: reply policy, authentication, thread tokens.
fn finish(mut mail: InboundMail, fields: &[RawField]) -> InboundMail {
    for name in ["Delivered-To", "X-Original-To"] {
        for f in headers::all(fields, name) {
            mail.recipients.extend(simple_addresses(&f.text()));
        }
    }
    mail.authentication = headers::all(fields, "Authentication-Results")
        .flat_map(|f| parse_authentication_results(&f.text()))
        .collect();
    mail.auto = auto::detect(fields, mail.reply_address().is_some());
    mail.thread_token_candidates =
        thread::candidates(&mail.in_reply_to, &mail.references, &mail.recipients);
    mail.thread_token = mail.thread_token_candidates.first().copied();
    if mail.thread_token_candidates.len() > 1 {
        mail.notes.push(format!(
            "{} different thread tokens were found; the one from the most direct reference is used",
            mail.thread_token_candidates.len()
        ));
    }
    mail
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    let address = addr.address()?.trim();
                    (!address.is_empty()).then(|| Mailbox {
                        name: addr.name().map(one_line).filter(|n| !n.is_empty()),
                        address: address.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The charset to read raw 8-bit header bytes with: the message's declared charset when there is
/// one, else windows-1252 (the superset of Latin-1 that raw 8-bit headers almost always are).
fn header_fallback_encoding(message: &Message<'_>) -> &'static encoding_rs::Encoding {
    let declared = message
        .parts
        .iter()
        .filter_map(|p| p.content_type())
        .find_map(|ct| ct.attribute("charset"));
    declared
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(encoding_rs::WINDOWS_1252)
}

/// RFC 6532 allows UTF-8 in header fields; other raw 8-bit bytes are not allowed at all, and
/// the MIME parser replaces them. When the Subject or an address field holds such bytes, the
/// fields are re-read after decoding them with [`header_fallback_encoding`].
fn reread_8bit_headers(
    message: &Message<'_>,
    fields: &[RawField],
    notes: &mut Vec<String>,
) -> Option<Message<'static>> {
    const NAMES: &[&str] = &["Subject", "From", "Reply-To", "Sender"];
    let bad: Vec<&RawField> = fields
        .iter()
        .filter(|f| NAMES.iter().any(|n| f.is(n)) && std::str::from_utf8(&f.value).is_err())
        .collect();
    if bad.is_empty() {
        return None;
    }
    let encoding = header_fallback_encoding(message);
    let mut synthetic = String::new();
    for f in fields.iter().filter(|f| NAMES.iter().any(|n| f.is(n))) {
        let (value, _, _) = encoding.decode(&f.value);
        synthetic.push_str(&f.name);
        synthetic.push_str(": ");
        synthetic.push_str(&value.replace(['\r', '\n'], " "));
        synthetic.push_str("\r\n");
    }
    synthetic.push_str("\r\n");
    for f in bad {
        notes.push(format!(
            "the {} header held raw 8-bit bytes; they were read as {}",
            f.name,
            encoding.name()
        ));
    }
    MessageParser::default()
        .parse_headers(synthetic.as_bytes())
        .map(Message::into_owned)
}

fn from_message(message: &Message<'_>, fields: &[RawField], limits: &Limits) -> InboundMail {
    let mut mail = empty_mail(true);
    let reread = reread_8bit_headers(message, fields, &mut mail.notes);
    let header_source = reread.as_ref().unwrap_or(message);

    mail.from = mailboxes(header_source.from()).into_iter().next();
    mail.reply_to = mailboxes(header_source.reply_to());
    mail.sender = mailboxes(header_source.sender()).into_iter().next();
    mail.subject = header_source.subject().map(one_line);
    if let Some(subject) = &mail.subject
        && subject.contains('\u{FFFD}')
    {
        mail.notes
            .push("the subject held bytes that could not be decoded; they were replaced".into());
    }
    mail.message_id = message.message_id().map(str::to_owned);
    mail.in_reply_to = id_list(message.in_reply_to());
    mail.references = id_list(message.references());
    mail.recipients = mailboxes(message.to())
        .into_iter()
        .chain(mailboxes(message.cc()))
        .map(|m| m.address)
        .collect();

    mail.date = message.date().and_then(timestamp);
    let date_field = headers::first(fields, "Date").map(|f| f.text());
    if mail.date.is_none()
        && let Some(text) = date_field.filter(|t| !t.trim().is_empty())
    {
        mail.notes.push(format!(
            "the Date header could not be read: {:?}",
            one_line(&text).chars().take(80).collect::<String>()
        ));
    }

    let mut walker = crate::walk::Walker::new(limits);
    walker.walk(message);
    walker.finish(&mut mail);
    mail
}

/// The instant a parsed Date names, if it is a real calendar date and time.
fn timestamp(d: &mail_parser::DateTime) -> Option<Timestamp> {
    let date = jiff::civil::Date::new(
        i16::try_from(d.year).ok()?,
        i8::try_from(d.month).ok()?,
        i8::try_from(d.day).ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(d.hour).ok()?,
        i8::try_from(d.minute).ok()?,
        i8::try_from(d.second.min(59)).ok()?,
        0,
    )
    .ok()?;
    let offset = (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60)
        * if d.tz_before_gmt { -1 } else { 1 };
    let offset = jiff::tz::Offset::from_seconds(offset).ok()?;
    offset.to_timestamp(date.to_datetime(time)).ok()
}
