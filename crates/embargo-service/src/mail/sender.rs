//! The outbox sender: a background job of `embargo serve` that hands queued mails to the SMTP
//! server.
//!
//! Each round claims one due mail at a time with a lease (see `embargo_store::mail`), sends its
//! stored bytes unchanged and records the outcome. A temporary failure (a 4xx reply, a refused
//! connection) is retried with exponential backoff; a permanent one (a 5xx reply) marks the mail
//! `failed` at once, visible on the case. A process killed mid-send leaves its lease to expire and
//! the mail is sent again by whichever sender claims it next, byte for byte the same, Message-ID
//! included.

use std::time::Duration;

use anyhow::Context;
use embargo_store::mail as store;
use jiff::SignedDuration;
use lettre::address::Envelope;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use crate::{App, ServiceError};

/// How long a claim holds a mail before another sender may take it, and the first retry delay
/// (doubled per attempt up to an hour).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub lease: SignedDuration,
    pub first_backoff: SignedDuration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            lease: SignedDuration::from_secs(120),
            first_backoff: SignedDuration::from_secs(30),
        }
    }
}

const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(3600);
/// Attempts before a mail is given up as `failed` (about a day with the backoff above).
const MAX_ATTEMPTS: i64 = 30;

/// An SMTP connection pool and this process's name as a claimant.
#[derive(Clone)]
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    envelope_from: Address,
    name: String,
    tuning: Tuning,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").field("name", &self.name).finish()
    }
}

impl Sender {
    /// A sender for `smtp://host:port` (STARTTLS when the server offers it is lettre's
    /// `?tls=opportunistic`; add `?tls=required` to insist) or `smtps://host:port` (implicit TLS),
    /// with optional `user:password@` credentials.
    pub fn from_url(url: &str, from: &str, tuning: Tuning) -> anyhow::Result<Sender> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Sender {
            transport,
            envelope_from: from
                .parse()
                .with_context(|| format!("mail_from {from:?} is not an address"))?,
            name: format!("{}-{}", std::process::id(), Uuid::now_v7().simple()),
            tuning,
        })
    }

    /// Sends every due mail, one at a time; returns how many were sent.
    pub async fn send_due(&self, app: &App) -> Result<usize, ServiceError> {
        let mut sent = 0;
        loop {
            let now = app.clock.now();
            let claimed = {
                let mut tx = app.db.begin().await.context("claiming a mail")?;
                let claimed = store::claim_next(
                    &mut tx,
                    app.db.dialect(),
                    &self.name,
                    now,
                    now.checked_add(self.tuning.lease).context("lease end")?,
                )
                .await?;
                tx.commit().await.context("committing a claim")?;
                claimed
            };
            let Some(mail) = claimed else {
                return Ok(sent);
            };
            let outcome = self.deliver(&mail).await;
            let now = app.clock.now();
            let mut conn = app.db.acquire().await?;
            match outcome {
                Ok(()) => {
                    store::mark_sent(&mut conn, mail.id, &self.name, now).await?;
                    tracing::info!(mail = %mail.id, message_id = %mail.message_id, "mail sent");
                    sent += 1;
                }
                Err(Failure { permanent, error }) => {
                    let attempts = mail.attempts + 1;
                    let retry_at = if permanent || attempts >= MAX_ATTEMPTS {
                        None
                    } else {
                        Some(
                            now.checked_add(backoff(self.tuning.first_backoff, attempts))
                                .context("retry time")?,
                        )
                    };
                    tracing::warn!(mail = %mail.id, attempts, permanent, error = %error, "sending a mail failed");
                    store::mark_failed(&mut conn, mail.id, &self.name, &error, retry_at).await?;
                    if !permanent {
                        // The server is likely down: leave the rest for the next round.
                        return Ok(sent);
                    }
                }
            }
        }
    }

    async fn deliver(&self, mail: &store::Claimed) -> Result<(), Failure> {
        let to: Address = mail.recipient.parse().map_err(|e| Failure {
            permanent: true,
            error: format!("recipient {:?}: {e}", mail.recipient),
        })?;
        let envelope =
            Envelope::new(Some(self.envelope_from.clone()), vec![to]).map_err(|e| Failure {
                permanent: true,
                error: format!("envelope: {e}"),
            })?;
        self.transport
            .send_raw(&envelope, &mail.raw)
            .await
            .map(|_| ())
            .map_err(|e| Failure {
                permanent: e.is_permanent(),
                error: e.to_string(),
            })
    }
}

struct Failure {
    permanent: bool,
    error: String,
}

/// The delay before attempt `attempts + 1`.
fn backoff(first: SignedDuration, attempts: i64) -> SignedDuration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let millis = first.as_millis().saturating_mul(1i128 << exp);
    SignedDuration::from_millis(
        i64::try_from(millis.min(MAX_BACKOFF.as_millis())).unwrap_or(i64::MAX),
    )
}

/// Runs the sender until `shutdown` changes: a round every `interval` (mail queued by any
/// process, `embargo mailgate` included, goes out within one interval).
pub async fn run(
    app: App,
    sender: Sender,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = sender.send_due(&app).await {
            tracing::warn!(error = %e, "outbox round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        let first = Tuning::default().first_backoff;
        assert_eq!(backoff(first, 1).as_secs(), 30);
        assert_eq!(backoff(first, 2).as_secs(), 60);
        assert_eq!(backoff(first, 3).as_secs(), 120);
        assert_eq!(backoff(first, 8).as_secs(), 3600);
        assert_eq!(backoff(first, 1000).as_secs(), 3600);
    }
}
