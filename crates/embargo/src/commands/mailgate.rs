//! `embargo mailgate`: one message on stdin, from an MTA pipe (Postfix `pipe`, an alias
//! `|embargo mailgate`, Exim, procmail, `.forward`).
//!
//! Contract with the MTA: exit 0 only once the message is stored durably (it may then be
//! forgotten); exit 75 (EX_TEMPFAIL, sysexits.h) on any failure before that, so the MTA keeps the
//! message and tries again later. A message stored twice (the MTA retried after a crash between
//! our commit and our exit) is recognised by its bytes and stored once.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use embargo_store::mail::InboundOutcome;
use sha2::{Digest, Sha256};

use crate::config::Config;

/// sysexits.h EX_TEMPFAIL: "temporary failure; the user is invited to retry".
pub const EX_TEMPFAIL: u8 = 75;

pub async fn run(config: Config, source: String) -> anyhow::Result<ExitCode> {
    // Read everything first, hashing every byte and keeping up to the size limit: the MTA is
    // waiting for us to take the whole message.
    let limit = usize::try_from(config.mail.max_message_bytes).unwrap_or(usize::MAX);
    let mut kept = Vec::new();
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading the message from stdin"),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        size += n as u64;
        let room = limit.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
    }
    drop(stdin);
    if size == 0 {
        anyhow::bail!("stdin: empty message");
    }
    let sha256 = hex::encode(hasher.finalize());
    let app = super::open_app(&config).await?;
    let received =
        embargo_service::mail::inbound::receive_kept(&app, &kept, size, &sha256, &source)
            .await
            .context("storing the message")?;
    if size > kept.len() as u64 {
        tracing::warn!(mail = %received.mail, size, "message over mail.max_message_bytes; stored truncated");
    }
    match (&received.outcome, received.tracking_id) {
        (InboundOutcome::Report { .. }, Some(t)) => println!("{t}"),
        (InboundOutcome::Reply { .. }, Some(t)) => println!("{t} reply"),
        (InboundOutcome::Held { reason, .. }, _) => {
            println!("held {} ({reason})", received.mail)
        }
        (_, _) => println!(
            "stored {} (processing deferred: {})",
            received.mail,
            received.deferred.as_deref().unwrap_or("pending")
        ),
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
