//! OpenPGP in mail: find and decrypt PGP/MIME (RFC 3156) and inline PGP, verify signed mail,
//! collect attached keys.

use jiff::Timestamp;
use mail_parser::{MessageParser, MessagePart, MimeHeaders, PartType};

use crate::error::{PgpError, Result};
use crate::key::{PublicKey, TeamKey};
use crate::message;
use crate::sign::{SignatureStatus, verify_cleartext, verify_detached};

/// How an encrypted mail carried its OpenPGP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// RFC 3156 `multipart/encrypted`; the plaintext is a MIME entity.
    PgpMime,
    /// An armored `PGP MESSAGE` block in a `text/plain` part; the plaintext is text.
    Inline,
}

/// A decrypted mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptedMail {
    /// How the mail was encrypted.
    pub kind: MailKind,
    /// For PGP/MIME the inner MIME entity (headers and body), for inline PGP the text.
    pub plaintext: Vec<u8>,
    /// The signature inside the encryption, or for PGP/MIME on the inner `multipart/signed`.
    pub signature: SignatureStatus,
}

const MESSAGE_BEGIN: &str = "-----BEGIN PGP MESSAGE-----";
const MESSAGE_END: &str = "-----END PGP MESSAGE-----";
const SIGNED_BEGIN: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const SIGNATURE_END: &str = "-----END PGP SIGNATURE-----";
const KEY_BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const KEY_END: &str = "-----END PGP PUBLIC KEY BLOCK-----";

/// Decrypts a raw RFC 5322 mail with the team key, if it is OpenPGP-encrypted.
///
/// Detects PGP/MIME (`multipart/encrypted; protocol="application/pgp-encrypted"`) first, then an
/// inline `-----BEGIN PGP MESSAGE-----` block in a text part. Returns `Ok(None)` for a mail that
/// is neither. Signatures are checked against `known_signers`.
///
/// Fails with [`PgpError::IntegrityMissing`] or [`PgpError::IntegrityFailed`] rather than return
/// plaintext of a message without valid integrity protection (EFAIL).
pub fn decrypt_mail(
    team: &TeamKey,
    raw_rfc5322: &[u8],
    known_signers: &[PublicKey],
) -> Result<Option<DecryptedMail>> {
    let mail =
        MessageParser::default()
            .parse(raw_rfc5322)
            .ok_or_else(|| PgpError::MalformedMail {
                reason: "not an RFC 5322 message".to_owned(),
            })?;

    if let Some(children) = multipart_children(&mail, "encrypted", "application/pgp-encrypted") {
        let encrypted = children
            .get(1)
            .and_then(|id| mail.parts.get(*id))
            .ok_or_else(|| PgpError::MalformedMail {
                reason: "multipart/encrypted without its second (application/octet-stream) part"
                    .to_owned(),
            })?;
        let decrypted = message::decrypt(team, part_bytes(encrypted), known_signers)?;
        let mut signature = decrypted.signature;
        // RFC 3156 §6.1: signed, then encrypted; the signature is on the inner entity.
        if signature == SignatureStatus::Unsigned
            && let Some(inner) = verify_mail(&decrypted.plaintext, known_signers)
        {
            signature = inner;
        }
        return Ok(Some(DecryptedMail {
            kind: MailKind::PgpMime,
            plaintext: decrypted.plaintext,
            signature,
        }));
    }

    for part in &mail.parts {
        let PartType::Text(text) = &part.body else {
            continue;
        };
        if let Some(block) = armored_blocks(text, MESSAGE_BEGIN, MESSAGE_END).next() {
            let decrypted = message::decrypt(team, block.as_bytes(), known_signers)?;
            return Ok(Some(DecryptedMail {
                kind: MailKind::Inline,
                plaintext: decrypted.plaintext,
                signature: decrypted.signature,
            }));
        }
    }
    Ok(None)
}

/// Checks the OpenPGP signature of a mail that is signed but not encrypted.
///
/// Handles PGP/MIME `multipart/signed` (RFC 3156 §5: the first part's exact bytes, headers
/// included, with line ends canonicalised to CRLF) and inline cleartext-signed text. Returns
/// `None` when the mail carries no OpenPGP signature; a signature that cannot be read is
/// [`SignatureStatus::Bad`].
pub fn verify_mail(raw_rfc5322: &[u8], known_signers: &[PublicKey]) -> Option<SignatureStatus> {
    let mail = MessageParser::default().parse(raw_rfc5322)?;
    let unreadable = SignatureStatus::Bad { fingerprint: None };

    if let Some(children) = multipart_children(&mail, "signed", "application/pgp-signature") {
        let (Some(signed), Some(signature)) = (
            children.first().and_then(|id| mail.parts.get(*id)),
            children.get(1).and_then(|id| mail.parts.get(*id)),
        ) else {
            return Some(unreadable);
        };
        let start = usize::try_from(signed.offset_header).ok()?;
        let end = usize::try_from(signed.offset_end).ok()?;
        let Some(signed_bytes) = mail.raw_message.get(start..end) else {
            return Some(unreadable);
        };
        let canonical = to_crlf(signed_bytes);
        return Some(
            verify_detached(known_signers, &canonical, part_bytes(signature)).unwrap_or(unreadable),
        );
    }

    for part in &mail.parts {
        let PartType::Text(text) = &part.body else {
            continue;
        };
        if let Some(block) = armored_blocks(text, SIGNED_BEGIN, SIGNATURE_END).next() {
            return Some(
                verify_cleartext(known_signers, block)
                    .map(|verified| verified.signature)
                    .unwrap_or(unreadable),
            );
        }
    }
    None
}

/// The usable public keys attached to a mail, checked at `now`: `application/pgp-keys` parts and
/// armored `PUBLIC KEY BLOCK`s in any part. Keys that fail to import are skipped; each key appears
/// once.
pub fn keys_in_mail(raw_rfc5322: &[u8], now: Timestamp) -> Vec<PublicKey> {
    let Some(mail) = MessageParser::default().parse(raw_rfc5322) else {
        return Vec::new();
    };
    let mut keys: Vec<PublicKey> = Vec::new();
    let mut add = |key: PublicKey| {
        if !keys.iter().any(|k| k.fingerprint() == key.fingerprint()) {
            keys.push(key);
        }
    };
    for part in &mail.parts {
        let bytes = part_bytes(part);
        let text = String::from_utf8_lossy(bytes);
        let mut found = false;
        for block in armored_blocks(&text, KEY_BEGIN, KEY_END) {
            found = true;
            if let Ok(key) = PublicKey::from_armored(block, now) {
                add(key);
            }
        }
        let is_key_part = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("application")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("pgp-keys"))
        });
        if is_key_part
            && !found
            && let Ok(key) = PublicKey::from_bytes(bytes, now)
        {
            add(key);
        }
    }
    keys
}

/// The child part indices of the first `multipart/<subtype>` part whose `protocol` is `protocol`.
fn multipart_children(
    mail: &mail_parser::Message<'_>,
    subtype: &str,
    protocol: &str,
) -> Option<Vec<usize>> {
    mail.parts.iter().find_map(|part| {
        let ct = part.content_type()?;
        let matches = ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case(subtype))
            && ct
                .attribute("protocol")
                .is_some_and(|p| p.trim().eq_ignore_ascii_case(protocol));
        if !matches {
            return None;
        }
        match &part.body {
            PartType::Multipart(ids) => Some(
                ids.iter()
                    .filter_map(|id| usize::try_from(*id).ok())
                    .collect(),
            ),
            _ => None,
        }
    })
}

/// The decoded body bytes of a leaf part (empty for containers).
fn part_bytes<'a>(part: &'a MessagePart<'_>) -> &'a [u8] {
    match &part.body {
        PartType::Text(text) | PartType::Html(text) => text.as_bytes(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes,
        PartType::Message(_) | PartType::Multipart(_) => &[],
    }
}

/// The armored blocks in `text` from a `begin` line to the matching `end` line, inclusive.
fn armored_blocks<'t>(
    text: &'t str,
    begin: &'t str,
    end: &'t str,
) -> impl Iterator<Item = &'t str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(begin)?;
        let after = &rest[start..];
        let stop = after.find(end)? + end.len();
        let block = &after[..stop];
        rest = &after[stop..];
        Some(block)
    })
}

/// `bytes` with every bare LF and bare CR turned into CRLF (RFC 3156 §5 canonical form).
fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut iter = bytes.iter().peekable();
    while let Some(&byte) = iter.next() {
        match byte {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if iter.peek() == Some(&&b'\n') {
                    iter.next();
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{armored_blocks, to_crlf};

    #[test]
    fn line_ends_become_crlf() {
        assert_eq!(to_crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd".to_vec());
    }

    #[test]
    fn armored_blocks_are_found_in_order_and_unfinished_ones_ignored() {
        let text = "x\n-----B-----\n1\n-----E-----\ny -----B-----\n2\n-----E----- -----B----- 3";
        let blocks: Vec<_> = armored_blocks(text, "-----B-----", "-----E-----").collect();
        assert_eq!(
            blocks,
            ["-----B-----\n1\n-----E-----", "-----B-----\n2\n-----E-----"]
        );
    }
}
