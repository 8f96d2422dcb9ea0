//! Connection and behaviour settings for one polled mailbox.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::ImapError;

/// How the connection to the IMAP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (IMAPS, usually port 993).
    Implicit,
    /// Plain connection upgraded with `STARTTLS` before logging in (usually port 143).
    StartTls,
    /// No encryption at all. Only for a server on the loopback interface, such as in tests.
    Plain,
}

/// Where to poll and how. Build it with [`ImapConfig::new`] and adjust the public fields.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// Server host name (or IP address); also the name the TLS certificate must carry.
    pub host: String,
    /// Server port: 993 for [`TlsMode::Implicit`], 143 otherwise.
    pub port: u16,
    /// How the connection is secured.
    pub tls: TlsMode,
    /// Login name.
    pub user: String,
    /// Login password. Never logged nor put into an error.
    pub password: SecretString,
    /// Folder that receives the reports. Default `INBOX`.
    pub folder: String,
    /// Folder that taken messages are moved to; created if missing. Default
    /// `Embargo/Processed`. A `/` separates hierarchy levels and is replaced by the server's own
    /// delimiter (Dovecot's Maildir default is `.`). Names are sent as given (apart from that
    /// replacement), so use ASCII names and include the personal namespace prefix on servers
    /// that need one (such as `INBOX/Embargo/Processed`).
    pub processed_folder: String,
    /// An extra trusted root certificate (PEM, may hold several), for a server with a
    /// self-signed or private-CA certificate. The public web roots stay trusted as well.
    pub ca_file: Option<PathBuf>,
    /// Largest number of bytes fetched of one message. Default 25 MiB. Longer messages are
    /// delivered cut to this length with [`FetchedMail::truncated`](crate::FetchedMail) set.
    pub max_message_bytes: u32,
    /// Number of messages fetched per `UID FETCH` command, and moved together afterwards.
    /// Default 50. Messages are handed to `store` one by one as they arrive, so memory holds
    /// about one message regardless of this number.
    pub fetch_batch: usize,
    /// Longest wait for connecting, for the TLS handshake and for any single server answer
    /// (for a fetch: the arrival of one message). Default 60 s.
    pub timeout: Duration,
}

impl ImapConfig {
    /// Settings for `user` on `host` over implicit TLS (port 993), polling `INBOX`.
    pub fn new(host: impl Into<String>, user: impl Into<String>, password: SecretString) -> Self {
        ImapConfig {
            host: host.into(),
            port: 993,
            tls: TlsMode::Implicit,
            user: user.into(),
            password,
            folder: "INBOX".to_owned(),
            processed_folder: "Embargo/Processed".to_owned(),
            ca_file: None,
            max_message_bytes: 25 * 1024 * 1024,
            fetch_batch: 50,
            timeout: Duration::from_secs(60),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ImapError> {
        let invalid = |field: &'static str, reason: &str| {
            Err(ImapError::Config {
                field,
                reason: reason.to_owned(),
            })
        };
        if self.host.is_empty() {
            return invalid("host", "must not be empty");
        }
        for (field, name) in [
            ("folder", &self.folder),
            ("processed_folder", &self.processed_folder),
        ] {
            if name.is_empty() {
                return invalid(field, "must not be empty");
            }
            if name.chars().any(|c| c.is_control()) {
                return invalid(field, "must not contain control characters");
            }
        }
        if self.folder.trim_matches('/') == self.processed_folder.trim_matches('/')
            || (self.folder.eq_ignore_ascii_case("INBOX")
                && self.processed_folder.eq_ignore_ascii_case("INBOX"))
        {
            return invalid(
                "processed_folder",
                "must differ from folder, or taken messages would be taken again",
            );
        }
        if self.max_message_bytes == 0 {
            return invalid("max_message_bytes", "must be at least 1");
        }
        if self.fetch_batch == 0 {
            return invalid("fetch_batch", "must be at least 1");
        }
        if self.timeout.is_zero() {
            return invalid("timeout", "must be longer than zero");
        }
        Ok(())
    }
}
