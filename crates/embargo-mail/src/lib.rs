//! Inbound mail analysis: raw RFC 5322 bytes in, an [`InboundMail`] out. Pure: no I/O, no
//! clock, no randomness, no async.
//!
//! # The model
//!
//! Most vulnerability reports arrive by email, and the rule for intake is *never lose one*. So
//! [`analyze`] never fails and never panics: it returns what it could read, and says in
//! [`InboundMail::notes`] what it could not (a truncated text, an attachment over a [`Limits`]
//! bound, a charset it did not know, bare-CR line endings, a message the MIME parser gave up on,
//! which comes back with `parsed == false` and its raw text). The caller stores the raw
//! original next to the result, so every loss here is a loss of convenience, not of data.
//!
//! What is read:
//! - **who**: From, Reply-To and Sender (RFC 2047 decoded, names on one line), and
//!   [`InboundMail::reply_address`], where an acknowledgement goes: the first valid Reply-To
//!   address, else From (RFC 5322 §3.6.2);
//! - **what**: the subject, and [`InboundMail::body_text`], the best human-readable text:
//!   text/plain preferred, HTML-only mail rendered to plain text by [`html::html_to_text`]
//!   (scripts and styles dropped, link targets kept, nothing fetched), every charset the MIME
//!   parser knows decoded (Shift_JIS, ISO-2022-JP, EUC-KR, GB2312/GBK, windows-125x, UTF-7, …),
//!   raw 8-bit header bytes read in the message's charset or windows-1252, and forwarded
//!   `message/rfc822` parts appended under a short header block;
//! - **attachments**: sanitised name ([`sanitize_file_name`]), declared media type, size and
//!   SHA-256 always; the bytes only within [`Limits`];
//! - **threading**: Message-ID, In-Reply-To, References and the [`ThreadToken`] candidates
//!   found in them or in our plus addresses (see [`thread`]);
//! - **trust**: the parsed Authentication-Results ([`auth`]) and [`InboundMail::sender_verified`];
//!   OpenPGP use ([`pgp`]);
//! - **reply policy**: [`InboundMail::auto`].
//!
//! The MIME structure is walked with an explicit stack, bounded by [`Limits::max_parts`] and
//! [`Limits::max_depth`], so a message of a thousand nested multiparts costs neither call stack
//! nor unbounded work.
//!
//! # Reply policy (RFC 3834)
//!
//! Embargo acknowledges reports automatically, which makes it an automatic responder, and RFC
//! 3834 says when such a responder must keep quiet. We answer people only: never auto-replies,
//! bounces or mailing lists. The key rules, with the text they rest on:
//!
//! - RFC 3834 §2: "Automatic responses SHOULD NOT be issued in response to any message which
//!   contains an Auto-Submitted header field (see below), where that field has any value other
//!   than "no"." → [`AutoKind::AutoSubmitted`].
//! - RFC 3834 §2: "Responders MUST NOT generate any response for which the destination of that
//!   response would be a null address (e.g., an address for which SMTP MAIL FROM or Return-Path
//!   is <>), since the response would not be delivered to a useful destination." →
//!   [`AutoKind::NullReturnPath`]; and "Responders MAY refuse to generate responses for addresses
//!   commonly used as return addresses by responders - e.g., those with local-parts matching
//!   "owner-*", "*-request", "MAILER-DAEMON", etc." → [`AutoKind::MailerDaemon`].
//! - RFC 3834 §2: "A responder MAY refuse to send a response to a subject message which contains
//!   any header or content which makes it appear to the responder that a response would not be
//!   appropriate", for instance a Precedence field of "list" ([`AutoKind::Precedence`]), and "a
//!   responder MAY ignore any subject message with a List-* field \[RFC2369\]"
//!   ([`AutoKind::MailingList`]). Delivery and disposition reports (`multipart/report`, RFC 6522)
//!   are such content ([`AutoKind::Report`]), as are the vendor fields of responders that do not
//!   write Auto-Submitted ([`AutoKind::AutoReplyField`]).
//! - A message with no usable From or Reply-To address has nobody to answer
//!   ([`AutoKind::NoReplyAddress`]); it is still stored.
//!
//! Only top-level fields count: a bounce quoted inside a person's forward says nothing about the
//! forward. The full table, and the signals deliberately *not* used, are in [`auto`].
//!
//! # Outbound safety
//!
//! No user text reaches an outgoing header unchecked: [`header_safe`] refuses line breaks, NUL,
//! other control characters and over-long values, and [`sanitize_display_name`] turns a sender's
//! name into something safe to quote.
//!
//! # Example
//!
//! ```
//! use embargo_mail::{Limits, analyze};
//!
//! let raw = b"From: Alice <alice@example.org>\r\nSubject: XSS in login\r\n\r\nSteps...\r\n";
//! let mail = analyze(raw, &Limits::default());
//! assert_eq!(mail.reply_address().unwrap().as_ref(), "alice@example.org");
//! assert!(mail.may_acknowledge());
//! assert_eq!(mail.body_text, "Steps...");
//! ```

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
    sanitize_display_name, sanitize_file_name, truncate_at_boundary,
};
pub use thread::ThreadToken;
