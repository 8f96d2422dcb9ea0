//! The walk over a parsed message: body text, attachments, OpenPGP, within [`Limits`].
//!
//! The walk is iterative (an explicit stack), so nesting depth costs heap, not call stack.

use std::collections::BTreeSet;

use embargo_domain::{MediaType, Sha256Digest};
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use crate::html::html_to_text;
use crate::inbound::{InboundMail, MailAttachment};
use crate::limits::Limits;
use crate::pgp::{self, PgpKey, PgpKind};
use crate::safety::{one_line, sanitize_file_name, truncate_at_boundary};

pub(crate) struct Walker<'l> {
    limits: &'l Limits,
    notes: Vec<String>,
    sections: Vec<String>,
    attachments: Vec<MailAttachment>,
    kept_bytes: u64,
    kept_count: usize,
    parts_seen: usize,
    parts_skipped: usize,
    too_deep: usize,
    pgp: PgpKind,
    pgp_keys: Vec<PgpKey>,
    /// Notes about charsets and malformed parts, deduplicated.
    decoding_notes: BTreeSet<String>,
}

struct Pending<'m> {
    message: &'m Message<'m>,
    depth: usize,
    heading: Option<String>,
}

impl<'l> Walker<'l> {
    pub fn new(limits: &'l Limits) -> Self {
        Walker {
            limits,
            notes: Vec::new(),
            sections: Vec::new(),
            attachments: Vec::new(),
            kept_bytes: 0,
            kept_count: 0,
            parts_seen: 0,
            parts_skipped: 0,
            too_deep: 0,
            pgp: PgpKind::None,
            pgp_keys: Vec::new(),
            decoding_notes: BTreeSet::new(),
        }
    }

    pub fn walk(&mut self, root: &Message<'_>) {
        let mut stack = vec![Pending {
            message: root,
            depth: 0,
            heading: None,
        }];
        while let Some(item) = stack.pop() {
            let nested = self.message(item);
            stack.extend(nested.into_iter().rev());
        }
    }

    /// Analyses one message's own parts; returns the messages nested in it.
    fn message<'m>(&mut self, item: Pending<'m>) -> Vec<Pending<'m>> {
        let msg = item.message;
        let n = msg.parts.len();
        let depths = part_depths(msg, item.depth);
        let allowed = n.min(self.limits.max_parts.saturating_sub(self.parts_seen));
        self.parts_seen += allowed;
        self.parts_skipped += n - allowed;
        let max_depth = self.limits.max_depth;
        let usable = |id: usize| id < allowed && depths.get(id).is_some_and(|d| *d <= max_depth);
        self.too_deep += (0..allowed).filter(|&id| depths[id] > max_depth).count();

        for (id, part) in msg.parts.iter().enumerate().take(allowed) {
            if !usable(id) || !part.is_multipart() {
                continue;
            }
            if let Some(ct) = part.content_type() {
                let kind = pgp::mime_kind(
                    ct.ctype(),
                    ct.subtype().unwrap_or_default(),
                    ct.attribute("protocol"),
                );
                self.pgp = self.pgp.max(kind);
            }
        }

        // Body: the text/plain parts the parser chose; HTML only when they are empty.
        let collect = |this: &mut Self, ids: &[u32]| -> String {
            let mut texts = Vec::new();
            for &id in ids {
                let id = id as usize;
                if !usable(id) {
                    continue;
                }
                let Some(part) = msg.parts.get(id) else {
                    continue;
                };
                this.check_decoding(id, part);
                let declared_html = part
                    .content_type()
                    .is_some_and(|ct| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("html")));
                match &part.body {
                    PartType::Text(t) if declared_html => {
                        texts.push(html_to_text(&t.replace("\r\n", "\n")));
                    }
                    PartType::Text(t) => texts.push(t.replace("\r\n", "\n")),
                    PartType::Html(h) => texts.push(html_to_text(&h.replace("\r\n", "\n"))),
                    _ => {}
                }
            }
            texts.join("\n\n")
        };
        let mut text = collect(self, &msg.text_body);
        if text.trim().is_empty() {
            text = collect(self, &msg.html_body);
        }
        // A message whose whole content is one text part has that text as its body, even when
        // the parser filed the part as an attachment (it does so for some nested messages).
        let mut root_is_body = false;
        if text.trim().is_empty()
            && msg
                .parts
                .first()
                .is_some_and(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_)))
        {
            text = collect(self, &[0]);
            root_is_body = !text.trim().is_empty();
        }
        let text = text.trim_start_matches(['\r', '\n']);
        let text = text.trim_end().to_owned();
        let is_body = |id: usize| root_is_body && id == 0;
        self.scan_text_for_pgp(&text);
        match item.heading {
            Some(heading) => self.sections.push(format!("{heading}\n\n{text}")),
            None if !text.trim().is_empty() => self.sections.push(text),
            None => {}
        }

        let mut nested = Vec::new();
        for &id in &msg.attachments {
            let id = id as usize;
            if !usable(id) || is_body(id) {
                continue;
            }
            let Some(part) = msg.parts.get(id) else {
                continue;
            };
            let depth = depths.get(id).copied().unwrap_or(item.depth);
            if let PartType::Message(inner) = &part.body {
                let bytes: &[u8] = if part.encoding == Encoding::None {
                    msg.raw_message
                        .get(part.offset_body as usize..part.offset_end as usize)
                        .unwrap_or_default()
                } else {
                    &inner.raw_message
                };
                let name = self.add_attachment(part, "message/rfc822", bytes);
                if !inner.parts.is_empty() {
                    nested.push(Pending {
                        message: inner,
                        depth: depth + 1,
                        heading: Some(heading(&name, inner)),
                    });
                }
                continue;
            }
            self.check_decoding(id, part);
            let decoded;
            let bytes: &[u8] = match is_uuencoded(part).then(|| uudecode(part.contents())) {
                Some(Some(d)) => {
                    decoded = d;
                    &decoded
                }
                _ => part.contents(),
            };
            let default_type = match part.body {
                PartType::Text(_) => "text/plain",
                PartType::Html(_) => "text/html",
                _ => "application/octet-stream",
            };
            self.add_attachment(part, default_type, bytes);
        }
        nested
    }

    fn check_decoding(&mut self, id: usize, part: &MessagePart<'_>) {
        if part.is_encoding_problem {
            self.decoding_notes.insert(format!(
                "part {id} was malformed (e.g. a broken transfer encoding or missing boundary); its content is shown as received"
            ));
        }
        if !part.is_text() {
            return;
        }
        if let Some(charset) = part.content_type().and_then(|ct| ct.attribute("charset")) {
            let known = mail_parser::decoders::charsets::map::charset_decoder(charset.as_bytes())
                .is_some()
                || ["us-ascii", "ascii", "utf-8", "utf8"]
                    .iter()
                    .any(|c| charset.trim().trim_matches('"').eq_ignore_ascii_case(c));
            if !known {
                self.decoding_notes.insert(format!(
                    "the charset {:?} is not supported; the text was read as UTF-8",
                    one_line(charset)
                ));
            }
        }
        if part.text_contents().is_some_and(|t| t.contains('\u{FFFD}')) {
            self.decoding_notes.insert(
                "some text could not be decoded in its declared charset; undecodable bytes were replaced with \u{FFFD}"
                    .to_owned(),
            );
        }
    }

    fn scan_text_for_pgp(&mut self, text: &str) {
        self.pgp = self.pgp.max(pgp::scan_text(text));
        for block in pgp::key_blocks(text) {
            self.pgp_keys.push(PgpKey {
                source: "body".to_owned(),
                bytes: block.as_bytes().to_vec(),
            });
        }
    }

    /// Records an attachment (keeping its bytes if the limits allow); returns its name.
    fn add_attachment(
        &mut self,
        part: &MessagePart<'_>,
        default_type: &str,
        bytes: &[u8],
    ) -> String {
        let number = self.attachments.len() + 1;
        let media_type = part
            .content_type()
            .and_then(|ct| {
                let essence = match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                };
                MediaType::parse(&essence).ok()
            })
            .or_else(|| MediaType::parse(default_type).ok());
        let Some(media_type) =
            media_type.or_else(|| MediaType::parse("application/octet-stream").ok())
        else {
            return String::new();
        };
        let name = part
            .attachment_name()
            .and_then(sanitize_file_name)
            .unwrap_or_else(|| format!("attachment-{number}.{}", extension(media_type.as_ref())));
        let size = bytes.len() as u64;
        let Ok(sha256) = Sha256Digest::parse(&hex::encode(Sha256::digest(bytes))) else {
            return name;
        };

        // PGP: keys and encrypted files, whatever they are called.
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
        let head = head.trim_start();
        if media_type.as_ref() == "application/pgp-keys" || head.starts_with(pgp::BEGIN_KEY) {
            self.pgp = self.pgp.max(PgpKind::PublicKey);
            self.pgp_keys.push(PgpKey {
                source: name.clone(),
                bytes: bytes.to_vec(),
            });
        } else if head.starts_with(pgp::BEGIN_MESSAGE) {
            self.pgp = self.pgp.max(PgpKind::InlineEncrypted);
        } else if head.starts_with(pgp::BEGIN_SIGNED) {
            self.pgp = self.pgp.max(PgpKind::InlineSigned);
        }

        let refusal = if self.kept_count >= self.limits.max_attachments {
            Some(format!(
                "more than {} attachments",
                self.limits.max_attachments
            ))
        } else if size > self.limits.max_attachment_bytes {
            Some(format!(
                "larger than the {} bytes allowed for one attachment",
                self.limits.max_attachment_bytes
            ))
        } else if self.kept_bytes + size > self.limits.max_total_attachment_bytes {
            Some(format!(
                "the attachments together would exceed {} bytes",
                self.limits.max_total_attachment_bytes
            ))
        } else {
            None
        };
        let kept = match refusal {
            Some(why) => {
                self.notes.push(format!(
                    "attachment {name:?} ({size} bytes, sha256 {}) was not kept: {why}; it remains in the stored original",
                    sha256.as_ref()
                ));
                None
            }
            None => {
                self.kept_count += 1;
                self.kept_bytes += size;
                Some(bytes.to_vec())
            }
        };
        self.attachments.push(MailAttachment {
            name: name.clone(),
            media_type,
            size,
            sha256,
            bytes: kept,
        });
        name
    }

    pub fn finish(mut self, mail: &mut InboundMail) {
        if self.parts_skipped > 0 {
            self.notes.push(format!(
                "the message has more than {} MIME parts; {} parts were not analysed (they remain in the stored original)",
                self.limits.max_parts, self.parts_skipped
            ));
        }
        if self.too_deep > 0 {
            self.notes.push(format!(
                "{} MIME parts are nested deeper than {} levels and were not analysed (they remain in the stored original)",
                self.too_deep, self.limits.max_depth
            ));
        }
        let mut body = self.sections.join("\n\n");
        if truncate_at_boundary(&mut body, self.limits.max_body_text_bytes) {
            self.notes.push(format!(
                "the text was cut to {} bytes; the rest remains in the stored original",
                self.limits.max_body_text_bytes
            ));
        }
        mail.body_text = body;
        mail.attachments = self.attachments;
        mail.pgp = self.pgp;
        mail.pgp_keys = self.pgp_keys;
        mail.notes.extend(self.decoding_notes);
        mail.notes.extend(self.notes);
    }
}

/// The MIME nesting depth of each part: `base` for the root, one more per multipart level.
fn part_depths(msg: &Message<'_>, base: usize) -> Vec<usize> {
    let n = msg.parts.len();
    let mut depths = vec![base; n];
    let mut visited = vec![false; n];
    let mut stack = vec![0usize];
    if n > 0 {
        visited[0] = true;
    }
    while let Some(id) = stack.pop() {
        let Some(PartType::Multipart(children)) = msg.parts.get(id).map(|p| &p.body) else {
            continue;
        };
        for &child in children {
            let child = child as usize;
            if child < n && !visited[child] {
                visited[child] = true;
                depths[child] = depths[id] + 1;
                stack.push(child);
            }
        }
    }
    depths
}

/// The block shown above the text of a nested (forwarded or bounced) message.
fn heading(name: &str, inner: &Message<'_>) -> String {
    let mut lines = vec![format!("---------- Attached message: {name} ----------")];
    let mailbox = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .map(|addr| match (addr.name(), addr.address()) {
                (Some(n), Some(a)) => format!("{} <{}>", one_line(n), one_line(a)),
                (None, Some(a)) => one_line(a),
                (Some(n), None) => one_line(n),
                (None, None) => String::new(),
            })
    };
    if let Some(from) = mailbox(inner.from()).filter(|s| !s.is_empty()) {
        lines.push(format!("From: {from}"));
    }
    if let Some(to) = mailbox(inner.to()).filter(|s| !s.is_empty()) {
        lines.push(format!("To: {to}"));
    }
    if let Some(date) = inner.date() {
        lines.push(format!("Date: {}", date.to_rfc822()));
    }
    if let Some(subject) = inner.subject() {
        lines.push(format!("Subject: {}", one_line(subject)));
    }
    lines.join("\n")
}

fn is_uuencoded(part: &MessagePart<'_>) -> bool {
    part.content_transfer_encoding().is_some_and(|cte| {
        let cte = cte.trim().to_ascii_lowercase();
        matches!(cte.as_str(), "x-uuencode" | "uuencode" | "x-uue" | "uue")
    })
}

/// Decodes the first `begin … end` block of uuencoded data; `None` if there is none.
fn uudecode(data: &[u8]) -> Option<Vec<u8>> {
    let mut lines = data
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    lines.by_ref().find(|l| l.starts_with(b"begin "))?;
    let mut out = Vec::new();
    for line in lines {
        if line == b"end" || line.is_empty() {
            break;
        }
        let len = usize::from(line[0].wrapping_sub(b' ') & 0x3f);
        if len == 0 {
            break;
        }
        let sextet = |i: usize| line.get(i).map_or(0, |c| c.wrapping_sub(b' ') & 0x3f);
        let mut decoded = Vec::with_capacity(len + 2);
        let mut i = 1;
        while decoded.len() < len && i < line.len() {
            let (a, b, c, d) = (sextet(i), sextet(i + 1), sextet(i + 2), sextet(i + 3));
            decoded.push((a << 2) | (b >> 4));
            decoded.push((b << 4) | (c >> 2));
            decoded.push((c << 6) | d);
            i += 4;
        }
        decoded.truncate(len);
        out.extend_from_slice(&decoded);
    }
    Some(out)
}

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "message/rfc822" => "eml",
        "text/plain" => "txt",
        "text/html" => "html",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/pgp-keys" => "asc",
        "application/pgp-signature" => "asc",
        "application/pgp-encrypted" => "pgp",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "text/rfc822-headers" => "txt",
        "message/delivery-status" => "txt",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuencoded_data_decodes() {
        let data = b"begin 644 cat.txt\n#0V%T\n`\nend\n";
        assert_eq!(uudecode(data), Some(b"Cat".to_vec()));
        assert_eq!(uudecode(b"no block here"), None);
    }
}
