//! OpenPGP detection (no cryptography here: decryption and verification come later).
//!
//! A reporter may protect a report in one of these ways, all of which we recognise:
//! - PGP/MIME encrypted (RFC 3156 §4): `multipart/encrypted; protocol="application/pgp-encrypted"`;
//! - PGP/MIME signed (RFC 3156 §5): `multipart/signed; protocol="application/pgp-signature"`;
//! - inline PGP: an ASCII-armored block (RFC 4880 §6.2) in the text or in an attached file,
//!   `-----BEGIN PGP MESSAGE-----` (encrypted) or `-----BEGIN PGP SIGNED MESSAGE-----`;
//! - their public key, as an `application/pgp-keys` part (RFC 3156 §7) or an armored
//!   `-----BEGIN PGP PUBLIC KEY BLOCK-----`, so we can encrypt our answers.

/// The strongest OpenPGP use found in a message, in the order of the variants: an encrypted
/// message outranks a signed one, which outranks a message that only carries a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PgpKind {
    #[default]
    None,
    /// Only a public key was found (see [`InboundMail::pgp_keys`](crate::InboundMail::pgp_keys)).
    PublicKey,
    /// A cleartext-signed armored block.
    InlineSigned,
    /// `multipart/signed` with `application/pgp-signature`.
    MimeSigned,
    /// An armored `PGP MESSAGE` block, in the text or an attached file.
    InlineEncrypted,
    /// `multipart/encrypted` with `application/pgp-encrypted`.
    MimeEncrypted,
}

/// A public key found in the message, as it was sent (armored or binary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgpKey {
    /// Where it was found: the attachment name, or `body` for a block in the text.
    pub source: String,
    pub bytes: Vec<u8>,
}

pub(crate) const BEGIN_MESSAGE: &str = "-----BEGIN PGP MESSAGE-----";
pub(crate) const BEGIN_SIGNED: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
pub(crate) const BEGIN_KEY: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
pub(crate) const END_KEY: &str = "-----END PGP PUBLIC KEY BLOCK-----";

/// What armored blocks in `text` say.
pub(crate) fn scan_text(text: &str) -> PgpKind {
    if text.contains(BEGIN_MESSAGE) {
        PgpKind::InlineEncrypted
    } else if text.contains(BEGIN_SIGNED) {
        PgpKind::InlineSigned
    } else if text.contains(BEGIN_KEY) {
        PgpKind::PublicKey
    } else {
        PgpKind::None
    }
}

/// Every armored public key block in `text`, from BEGIN to END line inclusive (an unterminated
/// block runs to the end of the text).
pub(crate) fn key_blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN_KEY) {
        let block = &rest[start..];
        let end = block
            .find(END_KEY)
            .map_or(block.len(), |e| e + END_KEY.len());
        out.push(&block[..end]);
        rest = &block[end..];
    }
    out
}

/// The protocol of a `multipart/encrypted` or `multipart/signed` part, if it is OpenPGP.
pub(crate) fn mime_kind(ctype: &str, subtype: &str, protocol: Option<&str>) -> PgpKind {
    let protocol = protocol.unwrap_or_default().trim().to_ascii_lowercase();
    match (
        ctype.to_ascii_lowercase().as_str(),
        subtype.to_ascii_lowercase().as_str(),
        protocol.as_str(),
    ) {
        ("multipart", "encrypted", "application/pgp-encrypted") => PgpKind::MimeEncrypted,
        ("multipart", "signed", "application/pgp-signature") => PgpKind::MimeSigned,
        _ => PgpKind::None,
    }
}
