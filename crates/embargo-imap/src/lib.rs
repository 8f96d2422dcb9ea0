//! Takes incoming vulnerability reports out of an IMAP mailbox.
//!
//! The mailbox folder is the queue: every message in [`ImapConfig::folder`] is a report not yet
//! taken. [`poll_once`] fetches each one with `BODY.PEEK[]` (so `\Seen` is left alone), hands it to
//! the caller's `store` function, and only after `store` returned `Ok` moves it to
//! [`ImapConfig::processed_folder`]. A message whose `store` failed stays where it is and is
//! offered again on the next poll. No state is kept between polls, so nothing can be skipped: a
//! message leaves the folder only after it was stored.
//!
//! # Duplicates: the caller dedupes by [`FetchedMail::source_key`]
//!
//! Storing and moving cannot be one atomic step. If the process dies, the connection drops or
//! the move fails after `store` returned `Ok` but before the server has moved the message, the
//! next poll offers the same message again with the same [`FetchedMail::source_key`]. `store`
//! must therefore treat an already-known key as success (for example a unique index on the key
//! and "insert or ignore"). The key changes only if the server resets the folder's UIDVALIDITY
//! (mailbox recreated), in which case a duplicate is possible but still no loss.
//!
//! # Oversized messages
//!
//! At most [`ImapConfig::max_message_bytes`] of a message are fetched (a partial
//! `BODY.PEEK[]<0.N>` fetch, so a huge message never has to fit in memory). A message cut short
//! is still handed to `store`, with [`FetchedMail::truncated`] set and [`FetchedMail::size`]
//! giving its full size, and is then moved like any other: the complete original stays in the
//! processed folder for an operator to look at.
//!
//! # Secrets and logs
//!
//! This crate never logs message contents or the password, and no [`ImapError`] contains the
//! password. The `async-imap` dependency logs every command and response through the `log`
//! crate at TRACE level (which includes the `LOGIN` command and message bodies), so the binary
//! must never enable TRACE for the `async_imap` target.

mod config;
mod error;
mod poll;
mod transport;

pub use config::{ImapConfig, TlsMode};
pub use error::ImapError;
pub use poll::{FetchedMail, PollStats, poll_once, run_poller};
