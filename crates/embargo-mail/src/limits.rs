//! Resource limits applied while analysing one message.

/// How much of a message [`analyze`](crate::analyze) keeps. Going over a limit never fails the
/// analysis: the content concerned is dropped or truncated, its metadata is kept and a line in
/// [`InboundMail::notes`](crate::InboundMail::notes) says what happened. The raw original is
/// stored by the caller in full, so nothing is lost for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Attachments whose bytes are kept; later ones keep only their metadata.
    pub max_attachments: usize,
    /// Largest single attachment whose bytes are kept.
    pub max_attachment_bytes: u64,
    /// Total bytes of kept attachments; an attachment that would exceed it keeps only metadata.
    pub max_total_attachment_bytes: u64,
    /// MIME parts analysed, counted over the message and every message nested in it.
    pub max_parts: usize,
    /// Deepest MIME nesting analysed (each multipart or message/rfc822 level counts one).
    pub max_depth: usize,
    /// Longest `body_text`, in bytes; longer text is cut at a character boundary.
    pub max_body_text_bytes: usize,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_attachments: 50,
            max_attachment_bytes: 10 * MIB,
            max_total_attachment_bytes: 25 * MIB,
            max_parts: 200,
            max_depth: 20,
            max_body_text_bytes: 2 * MIB as usize,
        }
    }
}
