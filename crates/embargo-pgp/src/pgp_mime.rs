//! PGP/MIME, RFC 3156: building `multipart/encrypted` bodies.

use rand08::Rng;
use rand08::distributions::Alphanumeric;

use crate::error::{PgpError, Result};
use crate::key::{PublicKey, TeamKey};
use crate::message::encrypt_and_sign;

/// A MIME body ready to put into a mail: the `Content-Type` header value and the body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MimeBody {
    /// The full `Content-Type` header value, with `protocol` and `boundary` parameters.
    pub content_type: String,
    /// The body, with CRLF line ends.
    pub body: Vec<u8>,
}

/// Encrypts and signs a complete MIME entity (its own headers, a blank line, its body) for
/// `recipient` and the team, and wraps it as RFC 3156 §4 `multipart/encrypted`:
/// part 1 `application/pgp-encrypted` with `Version: 1`, part 2 `application/octet-stream`
/// with the ASCII-armored message.
///
/// The boundary is random and checked never to occur in the armored text.
pub fn encrypt_entity(
    team: &TeamKey,
    recipient: &PublicKey,
    inner_mime_entity: &[u8],
) -> Result<MimeBody> {
    let armored = encrypt_and_sign(team, recipient, inner_mime_entity)?;
    let armored = crlf(&armored);
    let boundary = boundary_not_in(&armored)?;
    let body = format!(
        "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
         --{boundary}\r\n\
         Content-Type: application/pgp-encrypted\r\n\
         Content-Description: PGP/MIME version identification\r\n\
         \r\n\
         Version: 1\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
         Content-Description: OpenPGP encrypted message\r\n\
         Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\
         \r\n\
         {armored}\r\n\
         --{boundary}--\r\n"
    );
    Ok(MimeBody {
        content_type: format!(
            "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"{boundary}\""
        ),
        body: body.into_bytes(),
    })
}

/// A random boundary that does not occur in `text`.
fn boundary_not_in(text: &str) -> Result<String> {
    let mut rng = rand08::thread_rng();
    for _ in 0..8 {
        let random: String = (&mut rng)
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let boundary = format!("=_embargo_{random}");
        if !text.contains(&boundary) {
            return Ok(boundary);
        }
    }
    Err(PgpError::Encryption {
        reason: "could not choose a MIME boundary absent from the message".to_owned(),
    })
}

/// `text` with every line ending as CRLF and no trailing line break.
fn crlf(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\r\n")
}
