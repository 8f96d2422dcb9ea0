//! One poll of the mailbox: list, fetch, hand to `store`, move what was stored.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};

use crate::transport::{Session, connect_and_login, within};
use crate::{ImapConfig, ImapError};

/// One message taken from the mailbox, as the server holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedMail {
    /// UIDVALIDITY of the folder when the message was fetched.
    pub uid_validity: u32,
    /// The message's UID in the polled folder.
    pub uid: u32,
    /// The raw RFC 5322 bytes, exactly as the server sends them (`BODY[]`), at most
    /// [`ImapConfig::max_message_bytes`] long.
    pub raw: Vec<u8>,
    /// The full size of the message according to the server (`RFC822.SIZE`).
    pub size: u32,
    /// True if `raw` holds only the first [`ImapConfig::max_message_bytes`] bytes. The complete
    /// message is still moved to the processed folder.
    pub truncated: bool,
    /// `user@host/folder`, the mailbox part of the source key.
    mailbox: Arc<str>,
}

impl FetchedMail {
    /// A stable identifier of this message, `imap:{user}@{host}/{folder}:{uidvalidity}:{uid}`.
    ///
    /// A message can be offered twice (see the crate documentation); both times it has the same
    /// key, so the caller stores a message at most once by refusing a key it already has.
    pub fn source_key(&self) -> String {
        format!("imap:{}:{}:{}", self.mailbox, self.uid_validity, self.uid)
    }
}

impl fmt::Debug for FetchedMail {
    // The raw message may be an embargoed report: show its size, never its text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedMail")
            .field("source_key", &self.source_key())
            .field("raw_len", &self.raw.len())
            .field("size", &self.size)
            .field("truncated", &self.truncated)
            .finish()
    }
}

/// What one poll did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollStats {
    /// Messages stored and moved to the processed folder.
    pub taken: usize,
    /// Messages whose `store` failed; they stay in the folder for the next poll.
    pub failed: usize,
    /// Messages in the folder when the poll ended: the failed ones plus any that arrived
    /// during the poll.
    pub left: usize,
}

/// Takes every message currently in the folder, once: fetch, `store`, then move.
///
/// `store` must make the message durable before returning `Ok`; only then is the message moved
/// to the processed folder. If `store` fails, the message stays and the poll goes on with the
/// others. `store` may see a message it already stored (after a crash or a failed move): it
/// must accept that, deduplicating by [`FetchedMail::source_key`].
///
/// Messages are fetched in batches of [`ImapConfig::fetch_batch`] and handed to `store` one at a
/// time as they arrive. Fetching uses `BODY.PEEK[]`, so it does not set `\Seen`.
///
/// # Errors
///
/// An [`ImapError`] naming the step that failed. Messages stored before the error and not yet
/// moved are offered again on the next poll.
pub async fn poll_once<F, Fut, E>(cfg: &ImapConfig, mut store: F) -> Result<PollStats, ImapError>
where
    F: FnMut(FetchedMail) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    cfg.validate()?;
    let mut session = connect_and_login(cfg).await?;
    let result = take_all(cfg, &mut session, &mut store).await;
    // Say goodbye whatever happened; the outcome of the poll does not depend on it.
    match within(cfg.timeout, "logout", session.logout()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!(error = %e, "IMAP logout failed"),
        Err(e) => tracing::debug!(error = %e, "IMAP logout failed"),
    }
    let stats = result?;
    tracing::debug!(
        taken = stats.taken,
        failed = stats.failed,
        left = stats.left,
        folder = %cfg.folder,
        "IMAP poll finished"
    );
    Ok(stats)
}

/// Polls every `interval` until `shutdown` completes, logging failed polls and going on.
///
/// `shutdown` may interrupt a poll at any point, including inside `store`. That never loses a
/// message (a message is moved only after its `store` returned `Ok`), provided an interrupted
/// `store` leaves either nothing or the whole message behind, as a database transaction does.
pub async fn run_poller<F, Fut, E>(
    cfg: &ImapConfig,
    interval: Duration,
    mut store: F,
    shutdown: impl Future<Output = ()>,
) where
    F: FnMut(FetchedMail) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            result = poll_once(cfg, &mut store) => match result {
                Ok(stats) if stats.taken > 0 || stats.failed > 0 => tracing::info!(
                    taken = stats.taken,
                    failed = stats.failed,
                    left = stats.left,
                    "took reports from IMAP"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "IMAP poll failed; trying again later"),
            },
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

async fn take_all<F, Fut, E>(
    cfg: &ImapConfig,
    session: &mut Session,
    store: &mut F,
) -> Result<PollStats, ImapError>
where
    F: FnMut(FetchedMail) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let capabilities = within(cfg.timeout, "CAPABILITY", session.capabilities())
        .await?
        .map_err(|e| ImapError::Command {
            command: "CAPABILITY",
            reason: e.to_string(),
        })?;
    let has = |name: &str| {
        capabilities.iter().any(|c| match c {
            async_imap::types::Capability::Atom(atom) => atom.eq_ignore_ascii_case(name),
            _ => false,
        })
    };
    let mover = if has("MOVE") {
        Mover::Move
    } else if has("UIDPLUS") {
        Mover::CopyUidExpunge
    } else {
        Mover::CopyExpunge
    };

    let processed = prepare_processed_folder(cfg, session).await?;

    let mailbox = within(cfg.timeout, "SELECT", session.select(&cfg.folder))
        .await?
        .map_err(|e| ImapError::Select {
            folder: cfg.folder.clone(),
            reason: e.to_string(),
        })?;
    let uid_validity = mailbox.uid_validity.ok_or_else(|| ImapError::Select {
        folder: cfg.folder.clone(),
        reason: "the server sent no UIDVALIDITY".to_owned(),
    })?;
    let mailbox_id: Arc<str> = format!(
        "{}@{}/{}",
        cfg.user,
        cfg.host.to_ascii_lowercase(),
        cfg.folder
    )
    .into();

    // Every message still in the folder is one not yet taken, \Deleted ones included: a
    // message leaves only by being moved after a successful store.
    let uids = search_all(cfg, session).await?;
    let mut stats = PollStats::default();
    let query = format!("(UID RFC822.SIZE BODY.PEEK[]<0.{}>)", cfg.max_message_bytes);
    for batch in uids.chunks(cfg.fetch_batch) {
        let wanted: BTreeSet<u32> = batch.iter().copied().collect();
        let mut stored = Vec::with_capacity(batch.len());
        let fetch_err = |reason: String| ImapError::Fetch {
            folder: cfg.folder.clone(),
            reason,
        };
        let mut fetches = within(
            cfg.timeout,
            "UID FETCH",
            session.uid_fetch(uid_set(batch), &query),
        )
        .await?
        .map_err(|e| fetch_err(e.to_string()))?;
        while let Some(fetch) = within(cfg.timeout, "UID FETCH", fetches.next()).await? {
            let fetch = fetch.map_err(|e| fetch_err(e.to_string()))?;
            // Unsolicited FETCH responses (flag changes by other clients) carry no body.
            let Some(uid) = fetch.uid.filter(|uid| wanted.contains(uid)) else {
                continue;
            };
            let Some(body) = fetch.body() else {
                tracing::warn!(
                    uid,
                    "IMAP server sent no body for a message; left for the next poll"
                );
                stats.failed += 1;
                continue;
            };
            // The server honours the partial fetch; cut anyway should one send more.
            let limit = usize::try_from(cfg.max_message_bytes).unwrap_or(usize::MAX);
            let raw = body[..body.len().min(limit)].to_vec();
            let raw_len = u32::try_from(raw.len()).unwrap_or(u32::MAX);
            let size = fetch.size.unwrap_or(raw_len).max(raw_len);
            let mail = FetchedMail {
                uid_validity,
                uid,
                truncated: size > raw_len,
                size,
                raw,
                mailbox: Arc::clone(&mailbox_id),
            };
            if mail.truncated {
                tracing::warn!(
                    uid,
                    size,
                    limit = cfg.max_message_bytes,
                    "IMAP message larger than the limit; handing over its beginning only"
                );
            }
            match store(mail).await {
                Ok(()) => stored.push(uid),
                Err(e) => {
                    tracing::warn!(uid, error = %e, "storing a fetched message failed; it stays in the folder for the next poll");
                    stats.failed += 1;
                }
            }
        }
        drop(fetches);
        if !stored.is_empty() {
            mover.run(cfg, session, &processed, &stored).await?;
            stats.taken += stored.len();
        }
        // Untagged answers nobody asked for (EXPUNGE, COPYUID, ...) queue up in the session;
        // this poll has no use for them.
        while session.unsolicited_responses.try_recv().is_ok() {}
    }

    stats.left = search_all(cfg, session).await?.len();
    Ok(stats)
}

async fn search_all(cfg: &ImapConfig, session: &mut Session) -> Result<Vec<u32>, ImapError> {
    let found = within(cfg.timeout, "UID SEARCH", session.uid_search("ALL"))
        .await?
        .map_err(|e| ImapError::Search {
            folder: cfg.folder.clone(),
            reason: e.to_string(),
        })?;
    let mut uids: Vec<u32> = found.into_iter().collect();
    uids.sort_unstable();
    Ok(uids)
}

/// Resolves the processed folder's name with the server's hierarchy delimiter and creates the
/// folder if it does not exist yet. Returns the name to use in commands.
async fn prepare_processed_folder(
    cfg: &ImapConfig,
    session: &mut Session,
) -> Result<String, ImapError> {
    let err = |reason: String| ImapError::ProcessedFolder {
        folder: cfg.processed_folder.clone(),
        reason,
    };
    // `LIST "" ""` answers with the hierarchy delimiter.
    let names = within(
        cfg.timeout,
        "LIST",
        collect(session.list(Some(""), Some("\"\""))),
    )
    .await?
    .map_err(|e| err(e.to_string()))?;
    let delimiter = names.first().and_then(|n| n.delimiter().map(str::to_owned));
    let name = match delimiter.as_deref() {
        Some(d) if d != "/" => cfg.processed_folder.replace('/', d),
        _ => cfg.processed_folder.clone(),
    };

    let pattern = quote(&name);
    let existing = within(
        cfg.timeout,
        "LIST",
        collect(session.list(Some(""), Some(&pattern))),
    )
    .await?
    .map_err(|e| err(e.to_string()))?;
    if !existing.iter().any(|n| n.name() == name) {
        within(cfg.timeout, "CREATE", session.create(&name))
            .await?
            .map_err(|e| err(format!("creating it: {e}")))?;
        // Subscribing only helps people look at the folder in a mail client.
        if let Ok(Err(e)) = within(cfg.timeout, "SUBSCRIBE", session.subscribe(&name)).await {
            tracing::debug!(error = %e, "subscribing to the processed folder failed");
        }
        tracing::info!(folder = %name, "created IMAP folder for processed reports");
    }
    Ok(name)
}

/// How stored messages leave the polled folder, depending on what the server offers.
#[derive(Debug, Clone, Copy)]
enum Mover {
    /// RFC 6851 `UID MOVE`.
    Move,
    /// `UID COPY`, `UID STORE +FLAGS (\Deleted)`, RFC 4315 `UID EXPUNGE` of exactly those UIDs.
    CopyUidExpunge,
    /// `UID COPY`, `UID STORE +FLAGS (\Deleted)`, then a plain `EXPUNGE`, with the `\Deleted`
    /// flag of every other message lifted meanwhile so that none of them is expunged untaken.
    CopyExpunge,
}

impl Mover {
    async fn run(
        self,
        cfg: &ImapConfig,
        session: &mut Session,
        to: &str,
        uids: &[u32],
    ) -> Result<(), ImapError> {
        let set = uid_set(uids);
        let err = |step: &str, e: async_imap::error::Error| ImapError::Move {
            from: cfg.folder.clone(),
            to: to.to_owned(),
            uids: set.clone(),
            reason: format!("{step}: {e}"),
        };
        let t = cfg.timeout;
        match self {
            Mover::Move => within(t, "UID MOVE", session.uid_mv(&set, to))
                .await?
                .map_err(|e| err("UID MOVE", e))?,
            Mover::CopyUidExpunge => {
                within(t, "UID COPY", session.uid_copy(&set, to))
                    .await?
                    .map_err(|e| err("UID COPY", e))?;
                within(t, "UID STORE", collect(session.uid_store(&set, DELETE)))
                    .await?
                    .map_err(|e| err("UID STORE", e))?;
                within(t, "UID EXPUNGE", collect(session.uid_expunge(&set)))
                    .await?
                    .map_err(|e| err("UID EXPUNGE", e))?;
            }
            Mover::CopyExpunge => {
                within(t, "UID COPY", session.uid_copy(&set, to))
                    .await?
                    .map_err(|e| err("UID COPY", e))?;
                within(t, "UID STORE", collect(session.uid_store(&set, DELETE)))
                    .await?
                    .map_err(|e| err("UID STORE", e))?;
                let ours: BTreeSet<u32> = uids.iter().copied().collect();
                let mut others: Vec<u32> = within(t, "UID SEARCH", session.uid_search("DELETED"))
                    .await?
                    .map_err(|e| err("UID SEARCH DELETED", e))?
                    .into_iter()
                    .filter(|uid| !ours.contains(uid))
                    .collect();
                others.sort_unstable();
                let others = uid_set(&others);
                if !others.is_empty() {
                    within(
                        t,
                        "UID STORE",
                        collect(session.uid_store(&others, UNDELETE)),
                    )
                    .await?
                    .map_err(|e| err("UID STORE", e))?;
                }
                let expunged = within(t, "EXPUNGE", collect(session.expunge()))
                    .await?
                    .map_err(|e| err("EXPUNGE", e));
                if !others.is_empty() {
                    within(t, "UID STORE", collect(session.uid_store(&others, DELETE)))
                        .await?
                        .map_err(|e| err("UID STORE", e))?;
                }
                expunged?;
            }
        }
        Ok(())
    }
}

const DELETE: &str = "+FLAGS.SILENT (\\Deleted)";
const UNDELETE: &str = "-FLAGS.SILENT (\\Deleted)";

/// Runs a command whose answer is a stream and reads the stream to its end, which also reads the
/// command's completion so that the next command starts on a clean connection.
async fn collect<'a, T, S>(
    command: impl Future<Output = async_imap::error::Result<S>>,
) -> async_imap::error::Result<Vec<T>>
where
    S: Stream<Item = async_imap::error::Result<T>> + 'a,
{
    let stream = command.await?;
    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}

/// IMAP quoted string.
fn quote(s: &str) -> String {
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// A compact IMAP sequence set for sorted UIDs: `[1, 2, 3, 7]` becomes `1:3,7`.
fn uid_set(sorted: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(&start) = sorted.get(i) {
        let mut end = start;
        while sorted.get(i + 1) == Some(&end.saturating_add(1)) {
            end += 1;
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_set_collapses_runs() {
        let check = |uids: &[u32], expect: &str| assert_eq!(uid_set(uids), expect);
        check(&[], "");
        check(&[5], "5");
        check(&[1, 2, 3, 7], "1:3,7");
        check(&[1, 3, 4, 5, 9, 10], "1,3:5,9:10");
        check(&[u32::MAX - 1, u32::MAX], "4294967294:4294967295");
    }

    #[test]
    fn quote_escapes_quotes_and_backslashes() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn debug_output_hides_the_message_text() {
        let mail = FetchedMail {
            uid_validity: 7,
            uid: 42,
            raw: b"Subject: secret exploit".to_vec(),
            size: 23,
            truncated: false,
            mailbox: "u@h/INBOX".into(),
        };
        let shown = format!("{mail:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("imap:u@h/INBOX:7:42"), "{shown}");
    }
}
