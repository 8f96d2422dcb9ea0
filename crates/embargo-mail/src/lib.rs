//! Inbound mail analysis (crate docs below are completed in a later step).

pub mod auth;
pub mod auto;
mod error;
mod headers;
pub mod html;
mod inbound;
mod limits;
pub mod pgp;
mod safety;
pub mod thread;
mod walk;

pub use auth::{AuthOutcome, AuthResult, Verification};
pub use auto::AutoKind;
pub use error::{HeaderError, ReportError, TokenError};
pub use inbound::{InboundMail, MailAttachment, Mailbox, analyze};
pub use limits::Limits;
pub use pgp::{PgpKey, PgpKind};
pub use safety::{
    MAX_DISPLAY_NAME_CHARS, MAX_FILE_NAME_BYTES, MAX_HEADER_VALUE, header_safe, one_line,
    sanitize_display_name, sanitize_file_name,
};
pub use thread::ThreadToken;
