//! The one error type of this crate: [`ImapError`] says which step of a poll failed.
//!
//! Server answers and I/O errors are carried as text, so that `async-imap` stays an
//! implementation detail. No variant ever contains the password.

use std::path::PathBuf;
use std::time::Duration;

/// What went wrong while polling the mailbox. Failures of the caller's `store` function are not
/// errors of the poll: they are counted in [`PollStats::failed`](crate::PollStats).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImapError {
    /// A setting cannot work.
    #[error("invalid IMAP setting {field}: {reason}")]
    Config { field: &'static str, reason: String },
    /// The extra trust root could not be read.
    #[error("reading the IMAP CA file {path:?}: {reason}")]
    CaFile { path: PathBuf, reason: String },
    /// The TCP connection could not be opened.
    #[error("connecting to IMAP server {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up (handshake, certificate, or STARTTLS refused).
    #[error("TLS with IMAP server {host}: {reason}")]
    Tls { host: String, reason: String },
    /// The server closed the connection or sent garbage instead of its greeting.
    #[error("IMAP server {host} sent no greeting: {reason}")]
    Greeting { host: String, reason: String },
    /// The server refused the login (the password is never included).
    #[error("IMAP login as {user:?} on {host} failed: {reason}")]
    Login {
        host: String,
        user: String,
        reason: String,
    },
    /// A command outside the steps below failed (such as `CAPABILITY`).
    #[error("IMAP {command} failed: {reason}")]
    Command {
        command: &'static str,
        reason: String,
    },
    /// The folder to poll could not be selected.
    #[error("selecting IMAP folder {folder:?}: {reason}")]
    Select { folder: String, reason: String },
    /// The processed folder could not be looked up or created.
    #[error("preparing IMAP folder {folder:?} for processed messages: {reason}")]
    ProcessedFolder { folder: String, reason: String },
    /// Listing the messages of the folder failed.
    #[error("listing messages in IMAP folder {folder:?}: {reason}")]
    Search { folder: String, reason: String },
    /// Fetching messages failed.
    #[error("fetching messages from IMAP folder {folder:?}: {reason}")]
    Fetch { folder: String, reason: String },
    /// Moving stored messages to the processed folder failed. They were stored and will be
    /// offered again on the next poll under the same source key.
    #[error("moving stored messages (UIDs {uids}) from {from:?} to {to:?}: {reason}")]
    Move {
        from: String,
        to: String,
        uids: String,
        reason: String,
    },
    /// The server did not answer in time.
    #[error("IMAP {step} timed out after {after:?}")]
    Timeout { step: &'static str, after: Duration },
}
