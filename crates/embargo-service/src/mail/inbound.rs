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
    let (raw, truncated, size, received_at) = {
        let mut conn = app.db.acquire().await?;
        let stored = store::get_inbound(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if stored.outcome != InboundOutcome::Pending {
            return Ok(stored.outcome);
        }
        let raw = store::inbound_raw(&mut conn, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("pending mail {id} has no bytes"))?;
        (raw, stored.truncated, stored.size, stored.received_at)
    };
    let mut mail = analyze(&raw, &app.mail.limits);
    if truncated {
        mail.notes.push(format!(
            "the message was {size} bytes, over the {} byte limit: only the first {} bytes were stored",
            app.mail.max_message_bytes,
            raw.len()
        ));
    }
    let now = app.clock.now();
    let (mut mail, pgp) = read_openpgp(app, &raw, mail, now).await?;
    // What our own MTA's SPF/DKIM/DMARC verdicts say about the sender, for the team to see.
    if let Some(authserv) = &app.mail.trusted_authserv_id {
        mail.notes.push(match mail.sender_verified(authserv) {
            embargo_mail::Verification::Verified => {
                format!("sender verified: DMARC or DKIM passed for the From domain ({authserv})")
            }
            embargo_mail::Verification::Failed => format!(
                "SENDER NOT VERIFIED: DMARC failed for the From domain ({authserv}); the address may be forged"
            ),
            embargo_mail::Verification::Unknown => {
                format!("sender not verified: no passing DKIM or DMARC result from {authserv}")
            }
        });
    }

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
    // A key the reporter attached: mail to them is encrypted from now on. The first key for an
    // address wins; replacing it is the team's decision.
    if let (InboundOutcome::Report { .. } | InboundOutcome::Reply { .. }, Some(address)) =
        (&outcome, mail.reply_address())
        && embargo_store::openpgp::reporter_key(&mut tx, address.as_ref())
            .await?
            .is_none()
    {
        for key in embargo_pgp::keys_in_mail(&raw, now) {
            let said =
                crate::openpgp::learn_reporter_key(&mut tx, address.as_ref(), &key, "mail", now)
                    .await?;
            let learned = said.starts_with("OpenPGP key");
            mail.notes.push(said);
            if learned {
                break;
            }
        }
    }
    let details = details(&mail, app, pgp);
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

/// Decrypts mail encrypted to one of the team's keys and checks signatures. Returns the mail
/// as the team should read it (the decrypted content, analysed like any mail; the raw original
/// stays stored as received) and what was found, for the details.
///
/// EFAIL: a message whose integrity protection is missing or broken is never shown decrypted;
/// the team sees a note instead.
async fn read_openpgp(
    app: &App,
    raw: &[u8],
    mail: InboundMail,
    now: Timestamp,
) -> Result<(InboundMail, serde_json::Value), ServiceError> {
    use embargo_mail::PgpKind;
    use embargo_pgp::{MailKind, PgpError};
    if mail.pgp == PgpKind::None || mail.pgp == PgpKind::PublicKey {
        return Ok((mail, serde_json::Value::Null));
    }
    let (keys, signers) = {
        let mut conn = app.db.acquire().await?;
        let keys = crate::openpgp::team_keys(&mut conn, now).await?;
        let mut signers = embargo_pgp::keys_in_mail(raw, now);
        if let Some(address) = mail.reply_address()
            && let Some(key) =
                crate::openpgp::reporter_key(&mut conn, address.as_ref(), now).await?
        {
            signers.push(key);
        }
        (keys, signers)
    };
    let encrypted = matches!(mail.pgp, PgpKind::MimeEncrypted | PgpKind::InlineEncrypted);
    if !encrypted {
        let status = embargo_pgp::verify_mail(raw, &signers);
        let mut mail = mail;
        if let Some(status) = &status {
            mail.notes
                .push(format!("OpenPGP signature: {}", signature_text(status)));
        }
        return Ok((
            mail,
            serde_json::json!({ "signature": status.as_ref().map(signature_text) }),
        ));
    }
    let mut mail = mail;
    if keys.is_empty() {
        mail.notes.push(
            "the message is OpenPGP-encrypted, but no team key is configured (`embargo pgp generate`)"
                .to_owned(),
        );
        return Ok((
            mail,
            serde_json::json!({ "decrypted": false, "reason": "no team key" }),
        ));
    }
    let mut failure = String::from("it is not encrypted to any team key");
    for key in &keys {
        match embargo_pgp::decrypt_mail(key, raw, &signers) {
            Ok(Some(decrypted)) => {
                let signature = signature_text(&decrypted.signature);
                let mut read = match decrypted.kind {
                    MailKind::PgpMime => analyze(
                        &with_outer_headers(raw, &decrypted.plaintext),
                        &app.mail.limits,
                    ),
                    MailKind::Inline => {
                        let mut read = mail.clone();
                        read.body_text = String::from_utf8_lossy(&decrypted.plaintext).into_owned();
                        read
                    }
                };
                // The outer message decides threading, reply policy and sender checks.
                read.auto = mail.auto.clone();
                read.thread_token = mail.thread_token;
                read.thread_token_candidates = mail.thread_token_candidates.clone();
                read.authentication = mail.authentication.clone();
                read.from = mail.from.clone();
                read.reply_to = mail.reply_to.clone();
                read.message_id = mail.message_id.clone();
                read.pgp = mail.pgp;
                let mut notes = mail.notes.clone();
                notes.push(format!(
                    "decrypted with the team key {}; OpenPGP signature: {signature}",
                    key.fingerprint()
                ));
                notes.append(&mut read.notes);
                read.notes = notes;
                return Ok((
                    read,
                    serde_json::json!({
                        "decrypted": true,
                        "team_key": key.fingerprint(),
                        "signature": signature,
                    }),
                ));
            }
            Ok(None) => {
                failure = "no encrypted part was found".to_owned();
                break;
            }
            Err(PgpError::NotForTeamKey { .. }) => continue,
            Err(e @ (PgpError::IntegrityMissing | PgpError::IntegrityFailed)) => {
                failure = format!(
                    "its integrity protection is missing or broken ({e}); it is not shown decrypted (EFAIL)"
                );
                break;
            }
            Err(e) => {
                failure = e.to_string();
                break;
            }
        }
    }
    mail.notes.push(format!(
        "the message is OpenPGP-encrypted and was not decrypted: {failure}"
    ));
    // The armored ciphertext is of no use to a reader; the raw original keeps it.
    mail.body_text = "[OpenPGP-encrypted message, not decrypted; see the notes]".to_owned();
    Ok((
        mail,
        serde_json::json!({ "decrypted": false, "reason": failure }),
    ))
}

fn signature_text(status: &embargo_pgp::SignatureStatus) -> String {
    use embargo_pgp::SignatureStatus;
    match status {
        SignatureStatus::Unsigned => "none".to_owned(),
        SignatureStatus::Good { fingerprint } => format!("good, by {fingerprint}"),
        SignatureStatus::UnknownKey { issuer } => {
            format!("by an unknown key ({issuer}), not verified")
        }
        SignatureStatus::Bad { .. } => "BAD: the signed content was changed or forged".to_owned(),
        _ => "not understood".to_owned(),
    }
}

/// A message made of the outer header block (without its MIME fields) and the decrypted inner
/// entity, so that the inner entity is analysed with the outer From, Subject and Date.
fn with_outer_headers(raw: &[u8], inner: &[u8]) -> Vec<u8> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut out = Vec::with_capacity(end + inner.len() + 32);
    let mut skipping = false;
    for line in head.split_inclusive('\n') {
        let continuation = line.starts_with([' ', '\t']);
        if !continuation {
            let name = line
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            skipping = name.starts_with("content-") || name == "mime-version";
        }
        if !skipping {
            out.extend_from_slice(line.as_bytes());
        }
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(inner);
    out
}

/// What the team sees about how the mail was read: notes, sender authentication, OpenPGP.
fn details(mail: &InboundMail, app: &App, pgp: serde_json::Value) -> String {
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
        "openpgp": pgp,
        "attachments": mail.attachments.iter().map(|a| serde_json::json!({
            "name": a.name, "media_type": a.media_type.as_ref(), "size": a.size, "kept": a.bytes.is_some(),
        })).collect::<Vec<_>>(),
        "notes": mail.notes,
    })
    .to_string()
}

/// `s` cut to at most `max` bytes at a character boundary.
fn truncate(s: &str, max: usize) -> String {
    let mut s = s.to_owned();
    embargo_mail::truncate_at_boundary(&mut s, max);
    s
}
