//! Errors of this crate. [`analyze`](crate::analyze) itself never fails; these come from the
//! helpers that turn its result into something else.

/// Why a value may not be written into an outgoing header field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    #[error("header value contains a line break ({found:?} at byte {at})")]
    LineBreak { found: char, at: usize },
    #[error("header value contains a NUL byte at byte {at}")]
    Nul { at: usize },
    #[error("header value contains the control character {found:?} at byte {at}")]
    ControlCharacter { found: char, at: usize },
    #[error("header value is {len} bytes long; at most {max} are allowed")]
    TooLong { len: usize, max: usize },
}

/// Why an [`InboundMail`](crate::InboundMail) cannot become a domain
/// [`NewReport`](embargo_domain::NewReport) as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Neither Reply-To nor From holds an address we could answer. The caller stores the
    /// message as a report with no reply address instead of dropping it.
    #[error("the message has no usable reply address (From: {from:?}, Reply-To: {reply_to:?})")]
    NoReplyAddress {
        from: Option<String>,
        reply_to: Option<String>,
    },
}

/// A string that is not a well-formed thread token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid thread token {value:?}: {reason}")]
pub struct TokenError {
    pub value: String,
    pub reason: &'static str,
}
