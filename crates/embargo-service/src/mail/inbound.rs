//! Received mail: stored first, read second.
//!
//! [`receive`] commits the bytes as they arrived (up to the size limit, with the excess noted)
//! in a transaction of their own, before anything reads them: from then on the message cannot be
//! lost, and the MTA or IMAP poller may forget it. [`process`] then reads it and decides, in one
//! transaction, what it becomes:
//!
//! 1. **A reply.** A thread token from our Message-IDs (In-Reply-To, References) or our plus
//!    address (To, Cc) that belongs to a report binds the mail to that report's case: it is
//!    posted to the case thread as a reporter message, by the reporter's account. A guessable
//!    tracking id in the subject never binds.
//! 2. **Held.** Mail that must never be answered (RFC 3834: auto-replies, bounces, list
//!    traffic) or that has no address to answer is kept and listed for the team, unanswered.
//! 3. **A report.** Anything else opens a report and its case, and the acknowledgement is
//!    queued in the same transaction.
//!
//! A message whose processing fails stays `pending` with the error; the background job in
//! `embargo serve` tries it again. The same bytes delivered twice are one message.

use anyhow::Context;
use embargo_domain::{
    Actor, CaseId, MessageId, Report, ReportId, Role, TrackingId, UserId, Visibility,
};
use embargo_mail::{InboundMail, analyze};
use embargo_store::mail::{self as store, InboundOutcome, InboundSummary, NewInbound};
use embargo_store::{cases, reports, users};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::cases::from_domain;
use crate::intake::{Opening, open_case, tracking_random};
use crate::{App, ServiceError};

/// What became of a received message.
#[derive(Debug, Clone)]
pub struct Received {
    /// The stored message.
    pub mail: Uuid,
    /// The same bytes had been received before; this is the earlier message.
    pub duplicate: bool,
    pub outcome: InboundOutcome,
    /// The tracking id of the report it opened or joined.
    pub tracking_id: Option<TrackingId>,
    /// Why processing failed, when it did (the message is stored and will be retried).
    pub deferred: Option<String>,
}

/// Stores a received message durably, then processes it. Fails only when the message could not
/// be stored; a failure to process is reported in [`Received::deferred`].
pub async fn receive(app: &App, raw: &[u8], source: &str) -> Result<Received, ServiceError> {
    let limit = app.mail.max_message_bytes;
    let kept = &raw[..raw.len().min(limit)];
    let sha256 = hex::encode(Sha256::digest(raw));
    receive_kept(app, kept, raw.len() as u64, &sha256, source).await
}

/// [`receive`] for a caller that read the message as a stream: `kept` is its beginning (all of
/// it unless `size` is larger), `sha256` the hex digest of every byte.
pub async fn receive_kept(
    app: &App,
    kept: &[u8],
    size: u64,
    sha256: &str,
    source: &str,
) -> Result<Received, ServiceError> {
    let now = app.clock.now();
    let truncated = (kept.len() as u64) < size;
    let mut tx = app.db.begin().await.context("starting to store a mail")?;
    let (id, fresh) = store::insert_inbound(
        &mut tx,
        &NewInbound {
            id: Uuid::now_v7(),
            received_at: now,
            source,
            sha256,
            size,
            raw: kept,
            truncated,
        },
    )
    .await
    .context("storing the mail")?;
    tx.commit().await.context("committing the mail")?;
    if fresh {
        tracing::info!(mail = %id, size, source, truncated, "mail stored");
    } else {
        tracing::info!(mail = %id, source, "mail received again; already stored");
    }
    let (outcome, deferred) = match process(app, id).await {
        Ok(outcome) => (outcome, None),
        Err(e) => {
            let error = format!("{e:#}");
            tracing::warn!(mail = %id, error = %error, "mail stored; processing deferred");
            let mut conn = app.db.acquire().await?;
            store::inbound_failed(&mut conn, id, &error).await?;
            (InboundOutcome::Pending, Some(error))
        }
    };
    let tracking_id = tracking_of(app, &outcome).await?;
    Ok(Received {
        mail: id,
        duplicate: !fresh,
        outcome,
        tracking_id,
        deferred,
    })
}

async fn tracking_of(
    app: &App,
    outcome: &InboundOutcome,
) -> Result<Option<TrackingId>, ServiceError> {
    let report = match outcome {
        InboundOutcome::Report { report, .. } | InboundOutcome::Reply { report, .. } => *report,
        InboundOutcome::Held {
            report: Some(report),
            ..
        } => *report,
        _ => return Ok(None),
    };
    let mut conn = app.db.acquire().await?;
    Ok(reports::get(&mut conn, ReportId::from_uuid(report))
        .await?
        .map(|r| r.report.tracking_id()))
}

/// Processes every pending message (oldest first) that has failed fewer than `max_attempts`
/// times; returns how many were processed.
pub async fn process_pending(app: &App, max_attempts: i64) -> Result<usize, ServiceError> {
    let ids = {
        let mut conn = app.db.acquire().await?;
        store::pending_inbound(&mut conn, max_attempts, 100).await?
    };
    let mut done = 0;
    for id in ids {
        match process(app, id).await {
            Ok(_) => done += 1,
            Err(e) => {
                let error = format!("{e:#}");
                tracing::warn!(mail = %id, error = %error, "processing a stored mail failed");
                let mut conn = app.db.acquire().await?;
                store::inbound_failed(&mut conn, id, &error).await?;
            }
        }
    }
    Ok(done)
}

/// Processes stored mail left pending (a failed attempt, or a crash between storing and
/// processing) every `interval` until `shutdown` changes. A message is tried at most 20 times;
/// after that it stays pending, listed for the team with its last error.
pub async fn run_pending(
    app: App,
    interval: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match process_pending(&app, 20).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(mails = n, "pending mail processed"),
            Err(e) => tracing::warn!(error = %e, "processing pending mail failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Reads a stored message and decides what it becomes (see the module documentation). A
/// message already processed keeps its outcome.
pub async fn process(app: &App, id: Uuid) -> Result<InboundOutcome, ServiceError> {
    let raw = {
        let mut conn = app.db.acquire().await?;
        let stored = store::get_inbound(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if stored.outcome != InboundOutcome::Pending {
            return Ok(stored.outcome);
        }
        store::inbound_raw(&mut conn, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("pending mail {id} has no bytes"))?
    };
    let stored_truncated = {
        let mut conn = app.db.acquire().await?;
        store::get_inbound(&mut conn, id)
            .await?
            .map(|m| (m.truncated, m.size, m.received_at))
            .ok_or(ServiceError::NotFound)?
    };
    let (truncated, size, received_at) = stored_truncated;
    let mut mail = analyze(&raw, &app.mail.limits);
    if truncated {
        mail.notes.push(format!(
            "the message was {size} bytes, over the {} byte limit: only the first {} bytes were stored",
            app.mail.max_message_bytes,
            raw.len()
        ));
    }
    let now = app.clock.now();

    let mut tx = app.db.begin().await.context("starting to process a mail")?;
    if !store::lock_pending(&mut tx, app.db.dialect(), id).await? {
        drop(tx);
        let mut conn = app.db.acquire().await?;
        return Ok(store::get_inbound(&mut conn, id)
            .await?
            .map(|m| m.outcome)
            .unwrap_or(InboundOutcome::Pending));
    }
    let mut thread = None;
    for token in &mail.thread_token_candidates {
        if let Some(found) = store::report_of_thread(&mut tx, token.as_str()).await? {
            thread = Some(found);
            break;
        }
    }
    let outcome = match (thread, &mail.auto) {
        (Some((report, case)), Some(auto)) => InboundOutcome::Held {
            reason: auto.to_string(),
            report: Some(report),
            case,
        },
        (Some((report, Some(case))), None) => {
            let message = post_reply(&mut tx, &mail, report, case, now).await?;
            InboundOutcome::Reply {
                report,
                case,
                message,
            }
        }
        (Some((report, None)), None) => InboundOutcome::Held {
            reason: "a reply to a report that is not part of a case".to_owned(),
            report: Some(report),
            case: None,
        },
        (None, Some(auto)) => InboundOutcome::Held {
            reason: auto.to_string(),
            report: None,
            case: None,
        },
        (None, None) => match new_report(&mut tx, app, &mail, &raw, received_at, now).await? {
            Some((report, case)) => InboundOutcome::Report {
                report,
                case: Some(case),
            },
            None => InboundOutcome::Held {
                reason: "no usable reply address".to_owned(),
                report: None,
                case: None,
            },
        },
    };
    let details = details(&mail, app);
    let subject = mail.subject.as_deref().map(|s| truncate(s, 998));
    store::finish_inbound(
        &mut tx,
        id,
        &outcome,
        &InboundSummary {
            from_address: mail.from.as_ref().map(|m| m.address.as_str()),
            subject: subject.as_deref(),
            details: Some(&details),
        },
        now,
    )
    .await
    .context("recording what the mail became")?;
    tx.commit().await.context("committing the processed mail")?;
    tracing::info!(mail = %id, outcome = ?outcome, "mail processed");
    Ok(outcome)
}

/// Opens a report and case for the mail; `None` when it has no address to answer.
async fn new_report(
    tx: &mut embargo_store::AnyConnection,
    app: &App,
    mail: &InboundMail,
    raw: &[u8],
    received_at: Timestamp,
    now: Timestamp,
) -> Result<Option<(Uuid, Uuid)>, ServiceError> {
    for _attempt in 0..3 {
        let id = ReportId::from_uuid(Uuid::now_v7());
        let new = match mail.to_new_report(
            id,
            tracking_random(),
            received_at,
            reports::raw_original(id),
        ) {
            Ok(new) => new,
            Err(_) => return Ok(None),
        };
        let report = Report::receive(new).map_err(from_domain)?;
        let contents: Vec<Option<&[u8]>> = mail
            .attachments
            .iter()
            .filter_map(|a| a.bytes.as_deref())
            .map(Some)
            .collect();
        let subject = embargo_mail::one_line(mail.subject.as_deref().unwrap_or(""));
        let title = if subject.is_empty() {
            "(no subject)".to_owned()
        } else {
            truncate(&subject, 300)
        };
        let mut description = report.body().to_owned();
        if description.len() > 190_000 {
            description = truncate(&description, 190_000);
            description.push_str("\n\n[cut here; the report holds the full text]");
        }
        if let Some(opened) = open_case(
            tx,
            app,
            Opening {
                report: &report,
                raw,
                contents: &contents,
                title: &title,
                description: &description,
                credit_consent: false,
                acknowledge: true,
                original_message_id: mail.message_id.as_deref(),
            },
            now,
        )
        .await?
        {
            return Ok(Some((id.as_uuid().to_owned(), opened.as_uuid().to_owned())));
        }
    }
    Err(ServiceError::Unexpected(anyhow::anyhow!(
        "could not draw a free tracking id"
    )))
}

/// Posts a reply to the case thread as a reporter message, by the account of the reporter the
/// thread token belongs to.
async fn post_reply(
    tx: &mut embargo_store::AnyConnection,
    mail: &InboundMail,
    report: Uuid,
    case: Uuid,
    now: Timestamp,
) -> Result<Uuid, ServiceError> {
    let case_id = CaseId::from_uuid(case);
    let mut current = cases::get(&mut *tx, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("case {case} of a thread is missing"))?;
    let reporter = current
        .reporters
        .iter()
        .find(|r| r.report == ReportId::from_uuid(report))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("report {report} is not among its case's reporters"))?;
    let system = crate::intake::system_actor();
    let mut events = Vec::new();
    let user = match reporter.user {
        Some(user) => user,
        None => {
            let (user, _) = users::find_or_create_reporter(
                &mut *tx,
                reporter.email.as_ref(),
                reporter.name.as_deref().unwrap_or(""),
                now,
            )
            .await
            .context("finding the reporter's account")?;
            let user = UserId::from_uuid(user);
            events.extend(
                current
                    .link_reporter_account(&reporter.email, user, &system, now)
                    .map_err(from_domain)?,
            );
            user
        }
    };
    let role = users::get(&mut *tx, user.as_uuid().to_owned())
        .await?
        .and_then(|u| crate::accounts::parse_role(&u.role).ok())
        .unwrap_or(Role::Reporter);
    let author = Actor { id: user, role };
    let mut body = mail.body_text.trim().to_owned();
    if body.is_empty() {
        body = "(no text)".to_owned();
    }
    if !mail.attachments.is_empty() {
        body.push_str("\n\n[Attachments, kept with the mail:");
        for a in &mail.attachments {
            body.push_str(&format!(" {} ({} bytes);", a.name, a.size));
        }
        body.push(']');
    }
    if !mail.notes.is_empty() {
        body.push_str("\n\n[Embargo mail intake notes]\n");
        for note in &mail.notes {
            body.push_str("- ");
            body.push_str(note);
            body.push('\n');
        }
    }
    let body = truncate(&body, 190_000);
    let read = current.version;
    let message = MessageId::from_uuid(Uuid::now_v7());
    events.extend(
        current
            .post_message(message, Visibility::Reporter, &body, &author, now)
            .map_err(from_domain)?,
    );
    cases::update(&mut *tx, &current, read, now)
        .await
        .map_err(crate::cases::from_store)?;
    cases::append_audit(&mut *tx, &events)
        .await
        .context("recording the audit trail")?;
    Ok(message.as_uuid().to_owned())
}

/// What the team sees about how the mail was read: notes, sender authentication, OpenPGP.
fn details(mail: &InboundMail, app: &App) -> String {
    let verification = app
        .mail
        .trusted_authserv_id
        .as_deref()
        .map(|id| format!("{:?}", mail.sender_verified(id)).to_lowercase());
    serde_json::json!({
        "parsed": mail.parsed,
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
        "reply_address": mail.reply_address().map(|a| a.to_string()),
        "auto": mail.auto.as_ref().map(ToString::to_string),
        "sender_verification": verification,
        "authentication": mail.authentication.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>(),
        "pgp": format!("{:?}", mail.pgp),
        "attachments": mail.attachments.iter().map(|a| serde_json::json!({
            "name": a.name, "media_type": a.media_type.as_ref(), "size": a.size, "kept": a.bytes.is_some(),
        })).collect::<Vec<_>>(),
        "notes": mail.notes,
    })
    .to_string()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
