//! Mail tables: received messages (`inbound_mail`), thread tokens (`mail_threads`), the outbox
//! and admin-edited templates. See migration `0004_mail` for what each state means.
//!
//! The outbox is a queue shared by every `embargo serve` process on one database. A sender
//! claims the oldest due row with a lease ([`claim_next`]); on PostgreSQL the claim skips rows
//! another sender holds locked (`FOR UPDATE SKIP LOCKED`), on SQLite the write transaction
//! serialises senders. A sender that dies mid-send leaves its lease to expire, and the row is
//! claimed again: at-least-once delivery, with the same bytes and Message-ID each time.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{Dialect, StoreError, flag, from_micros, parse_uuid, to_micros};

// ----- inbound mail -----

/// A received message just stored, before it is read.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    pub id: Uuid,
    pub received_at: Timestamp,
    pub source: &'a str,
    /// SHA-256 (hex) of the bytes as received, before any truncation.
    pub sha256: &'a str,
    /// Size as received.
    pub size: u64,
    /// The bytes kept: all of them, or the first part when over the size limit.
    pub raw: &'a [u8],
    pub truncated: bool,
}

/// Stores a received message in state `pending`. If the same bytes were stored before, nothing
/// is written and the earlier message's id comes back with `false`.
pub async fn insert_inbound(
    conn: &mut AnyConnection,
    mail: &NewInbound<'_>,
) -> Result<(Uuid, bool), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO inbound_mail (id, received_at, source, sha256, size, raw, truncated, state, \
         attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(mail.id.to_string())
    .bind(to_micros(mail.received_at))
    .bind(mail.source)
    .bind(mail.sha256)
    .bind(i64::try_from(mail.size).unwrap_or(i64::MAX))
    .bind(mail.raw)
    .bind(flag(mail.truncated))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok((mail.id, true));
    }
    let existing: String = sqlx::query_scalar("SELECT id FROM inbound_mail WHERE sha256 = $1")
        .bind(mail.sha256)
        .fetch_one(&mut *conn)
        .await?;
    Ok((parse_uuid("inbound_mail.id", &existing)?, false))
}

/// What a stored message became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    Pending,
    /// It opened this report.
    Report {
        report: Uuid,
        case: Option<Uuid>,
    },
    /// It joined the thread of this report's case as message `message`.
    Reply {
        report: Uuid,
        case: Uuid,
        message: Uuid,
    },
    /// Kept, never answered; `case` when it answered one of our mails.
    Held {
        reason: String,
        report: Option<Uuid>,
        case: Option<Uuid>,
    },
}

/// One stored message, for lists and processing.
#[derive(Debug, Clone)]
pub struct InboundMail {
    pub id: Uuid,
    pub received_at: Timestamp,
    pub source: String,
    pub sha256: String,
    pub size: u64,
    pub truncated: bool,
    pub outcome: InboundOutcome,
    pub from_address: Option<String>,
    pub subject: Option<String>,
    /// JSON written at processing: analysis notes, authentication, OpenPGP.
    pub details: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InboundRow {
    id: String,
    received_at: i64,
    source: String,
    sha256: String,
    size: i64,
    truncated: i64,
    state: String,
    held_reason: Option<String>,
    report_id: Option<String>,
    case_id: Option<String>,
    message_id: Option<String>,
    from_address: Option<String>,
    subject: Option<String>,
    details: Option<String>,
    attempts: i64,
    last_error: Option<String>,
}

const SELECT_INBOUND: &str = "SELECT id, received_at, source, sha256, size, truncated, state, \
     held_reason, report_id, case_id, message_id, from_address, subject, details, attempts, \
     last_error FROM inbound_mail ";

fn restore_inbound(row: InboundRow) -> Result<InboundMail, StoreError> {
    let opt = |column: &'static str, v: &Option<String>| {
        v.as_deref().map(|s| parse_uuid(column, s)).transpose()
    };
    let report = opt("inbound_mail.report_id", &row.report_id)?;
    let case = opt("inbound_mail.case_id", &row.case_id)?;
    let message = opt("inbound_mail.message_id", &row.message_id)?;
    let corrupt = || StoreError::Corrupt {
        column: "inbound_mail.state",
        value: row.state.clone(),
    };
    let outcome = match row.state.as_str() {
        "pending" => InboundOutcome::Pending,
        "report" => InboundOutcome::Report {
            report: report.ok_or_else(corrupt)?,
            case,
        },
        "reply" => InboundOutcome::Reply {
            report: report.ok_or_else(corrupt)?,
            case: case.ok_or_else(corrupt)?,
            message: message.ok_or_else(corrupt)?,
        },
        "held" => InboundOutcome::Held {
            reason: row.held_reason.clone().ok_or_else(corrupt)?,
            report,
            case,
        },
        _ => return Err(corrupt()),
    };
    Ok(InboundMail {
        id: parse_uuid("inbound_mail.id", &row.id)?,
        received_at: from_micros("inbound_mail.received_at", row.received_at)?,
        source: row.source,
        sha256: row.sha256,
        size: u64::try_from(row.size).unwrap_or(0),
        truncated: row.truncated != 0,
        outcome,
        from_address: row.from_address,
        subject: row.subject,
        details: row.details,
        attempts: row.attempts,
        last_error: row.last_error,
    })
}

pub async fn get_inbound(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<InboundMail>, StoreError> {
    let row: Option<InboundRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_INBOUND}WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(restore_inbound).transpose()
}

/// The kept bytes of a message (`None` once they moved into its report's raw original).
pub async fn inbound_raw(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<Vec<u8>>, StoreError> {
    let raw: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT raw FROM inbound_mail WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(raw.flatten())
}

/// Which stored messages [`list_inbound`] returns.
#[derive(Debug, Clone, Default)]
pub struct InboundFilter {
    /// Only messages in these states (`pending`, `report`, `reply`, `held`); all when empty.
    pub states: Vec<&'static str>,
    pub case: Option<Uuid>,
    pub limit: i64,
}

/// Stored messages, newest first.
pub async fn list_inbound(
    conn: &mut AnyConnection,
    filter: &InboundFilter,
) -> Result<Vec<InboundMail>, StoreError> {
    let mut sql = format!("{SELECT_INBOUND}WHERE 1 = 1");
    let mut binds: Vec<crate::Bind> = Vec::new();
    if !filter.states.is_empty() {
        let mut marks = Vec::new();
        for state in &filter.states {
            binds.push(crate::Bind::Text((*state).to_owned()));
            marks.push(format!("${}", binds.len()));
        }
        sql.push_str(&format!(" AND state IN ({})", marks.join(", ")));
    }
    if let Some(case) = filter.case {
        binds.push(crate::Bind::Text(case.to_string()));
        sql.push_str(&format!(" AND case_id = ${}", binds.len()));
    }
    binds.push(crate::Bind::Int(filter.limit.max(0)));
    sql.push_str(&format!(
        " ORDER BY received_at DESC, id DESC LIMIT ${}",
        binds.len()
    ));
    let mut query = sqlx::query_as::<_, InboundRow>(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = bind.apply_as(query);
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(restore_inbound)
        .collect()
}

/// Ids of messages still `pending`, oldest first, that have been tried fewer than
/// `max_attempts` times.
pub async fn pending_inbound(
    conn: &mut AnyConnection,
    max_attempts: i64,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM inbound_mail WHERE state = 'pending' AND attempts < $1 \
         ORDER BY received_at, id LIMIT $2",
    )
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    ids.iter()
        .map(|id| parse_uuid("inbound_mail.id", id))
        .collect()
}

/// Locks a pending message for processing inside the caller's write transaction; `false` when
/// it is no longer pending (another process got there first).
pub async fn lock_pending(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: Uuid,
) -> Result<bool, StoreError> {
    let sql = match dialect {
        Dialect::Sqlite => "SELECT id FROM inbound_mail WHERE id = $1 AND state = 'pending'",
        Dialect::Postgres => {
            "SELECT id FROM inbound_mail WHERE id = $1 AND state = 'pending' FOR UPDATE"
        }
    };
    let found: Option<String> = sqlx::query_scalar(sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Fields read from the message, recorded with its outcome.
#[derive(Debug, Clone, Default)]
pub struct InboundSummary<'a> {
    pub from_address: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub details: Option<&'a str>,
}

/// Records what a pending message became. A message that became a report hands its bytes to
/// the report's raw original, so they are not kept twice.
pub async fn finish_inbound(
    conn: &mut AnyConnection,
    id: Uuid,
    outcome: &InboundOutcome,
    summary: &InboundSummary<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    let (state, reason, report, case, message) = match outcome {
        InboundOutcome::Pending => {
            return Err(StoreError::Invalid {
                what: "inbound mail outcome",
                reason: "a processed message cannot stay pending".to_owned(),
            });
        }
        InboundOutcome::Report { report, case } => {
            ("report", None, s(Some(*report)), s(*case), None)
        }
        InboundOutcome::Reply {
            report,
            case,
            message,
        } => (
            "reply",
            None,
            s(Some(*report)),
            s(Some(*case)),
            s(Some(*message)),
        ),
        InboundOutcome::Held {
            reason,
            report,
            case,
        } => ("held", Some(reason.as_str()), s(*report), s(*case), None),
    };
    let updated = sqlx::query(
        "UPDATE inbound_mail SET state = $2, held_reason = $3, report_id = $4, case_id = $5, \
         message_id = $6, from_address = $7, subject = $8, details = $9, processed_at = $10, \
         last_error = NULL, raw = CASE WHEN $2 = 'report' THEN NULL ELSE raw END \
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id.to_string())
    .bind(state)
    .bind(reason)
    .bind(report)
    .bind(case)
    .bind(message)
    .bind(summary.from_address)
    .bind(summary.subject)
    .bind(summary.details)
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected();
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            entity: "pending inbound mail",
            id: id.to_string(),
        })
    }
}

/// Counts a failed processing attempt; the message stays pending.
pub async fn inbound_failed(
    conn: &mut AnyConnection,
    id: Uuid,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE inbound_mail SET attempts = attempts + 1, last_error = $2 \
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id.to_string())
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

// ----- thread tokens -----

/// Records the thread token of a report.
pub async fn insert_thread(
    conn: &mut AnyConnection,
    token: &str,
    report: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO mail_threads (token, report_id, created_at) VALUES ($1, $2, $3)")
        .bind(token)
        .bind(report.to_string())
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// The thread token of a report, if it has one.
pub async fn thread_of_report(
    conn: &mut AnyConnection,
    report: Uuid,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT token FROM mail_threads WHERE report_id = $1")
            .bind(report.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// The report a thread token belongs to, with the report's case.
pub async fn report_of_thread(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<(Uuid, Option<Uuid>)>, StoreError> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT t.report_id, r.case_id FROM mail_threads t JOIN reports r ON r.id = t.report_id \
         WHERE t.token = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await?;
    row.map(|(report, case)| {
        Ok((
            parse_uuid("mail_threads.report_id", &report)?,
            case.as_deref()
                .map(|c| parse_uuid("reports.case_id", c))
                .transpose()?,
        ))
    })
    .transpose()
}

// ----- outbox -----

/// A rendered mail to queue.
#[derive(Debug, Clone)]
pub struct NewOutbound<'a> {
    pub id: Uuid,
    pub case: Option<Uuid>,
    pub report: Option<Uuid>,
    pub kind: &'a str,
    pub recipient: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub subject: &'a str,
    pub raw: &'a [u8],
    pub encrypted: bool,
}

pub async fn enqueue(
    conn: &mut AnyConnection,
    mail: &NewOutbound<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, case_id, report_id, kind, recipient, message_id, subject, raw, \
         encrypted, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', 0, $10, $10)",
    )
    .bind(mail.id.to_string())
    .bind(mail.case.map(|c| c.to_string()))
    .bind(mail.report.map(|r| r.to_string()))
    .bind(mail.kind)
    .bind(mail.recipient)
    .bind(mail.message_id)
    .bind(mail.subject)
    .bind(mail.raw)
    .bind(flag(mail.encrypted))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Delivery state of one queued mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundStatus {
    pub id: Uuid,
    pub case: Option<Uuid>,
    pub report: Option<Uuid>,
    pub kind: String,
    pub recipient: String,
    pub message_id: String,
    pub subject: String,
    pub encrypted: bool,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct OutboundRow {
    id: String,
    case_id: Option<String>,
    report_id: Option<String>,
    kind: String,
    recipient: String,
    message_id: String,
    subject: String,
    encrypted: i64,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

const SELECT_OUTBOUND: &str = "SELECT id, case_id, report_id, kind, recipient, message_id, \
     subject, encrypted, state, attempts, next_attempt_at, last_error, created_at, sent_at \
     FROM outbox ";

fn restore_outbound(r: OutboundRow) -> Result<OutboundStatus, StoreError> {
    Ok(OutboundStatus {
        id: parse_uuid("outbox.id", &r.id)?,
        case: r
            .case_id
            .as_deref()
            .map(|c| parse_uuid("outbox.case_id", c))
            .transpose()?,
        report: r
            .report_id
            .as_deref()
            .map(|c| parse_uuid("outbox.report_id", c))
            .transpose()?,
        kind: r.kind,
        recipient: r.recipient,
        message_id: r.message_id,
        subject: r.subject,
        encrypted: r.encrypted != 0,
        state: r.state,
        attempts: r.attempts,
        next_attempt_at: from_micros("outbox.next_attempt_at", r.next_attempt_at)?,
        last_error: r.last_error,
        created_at: from_micros("outbox.created_at", r.created_at)?,
        sent_at: r
            .sent_at
            .map(|t| from_micros("outbox.sent_at", t))
            .transpose()?,
    })
}

/// Which queued mails [`list_outbound`] returns.
#[derive(Debug, Clone, Default)]
pub struct OutboundFilter {
    pub case: Option<Uuid>,
    pub state: Option<&'static str>,
    pub limit: i64,
}

/// Queued mails, oldest first.
pub async fn list_outbound(
    conn: &mut AnyConnection,
    filter: &OutboundFilter,
) -> Result<Vec<OutboundStatus>, StoreError> {
    let mut sql = format!("{SELECT_OUTBOUND}WHERE 1 = 1");
    let mut binds: Vec<crate::Bind> = Vec::new();
    if let Some(case) = filter.case {
        binds.push(crate::Bind::Text(case.to_string()));
        sql.push_str(&format!(" AND case_id = ${}", binds.len()));
    }
    if let Some(state) = filter.state {
        binds.push(crate::Bind::Text(state.to_owned()));
        sql.push_str(&format!(" AND state = ${}", binds.len()));
    }
    binds.push(crate::Bind::Int(filter.limit.max(0)));
    sql.push_str(&format!(" ORDER BY created_at, id LIMIT ${}", binds.len()));
    let mut query = sqlx::query_as::<_, OutboundRow>(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = bind.apply_as(query);
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(restore_outbound)
        .collect()
}

/// A claimed mail, ready to hand to the SMTP server.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub message_id: String,
    pub raw: Vec<u8>,
    pub attempts: i64,
}

/// Claims the oldest due mail for `sender` until `lease_until`: a queued mail whose next attempt
/// is due, or a mail whose sender's lease expired. Run in a write transaction; see the module
/// documentation for how two senders never hold the same mail.
pub async fn claim_next(
    conn: &mut AnyConnection,
    dialect: Dialect,
    sender: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Option<Claimed>, StoreError> {
    let pick = match dialect {
        Dialect::Sqlite => {
            "SELECT id FROM outbox WHERE (state = 'queued' AND next_attempt_at <= $1) \
             OR (state = 'sending' AND claimed_until < $1) \
             ORDER BY next_attempt_at, id LIMIT 1"
        }
        Dialect::Postgres => {
            "SELECT id FROM outbox WHERE (state = 'queued' AND next_attempt_at <= $1) \
             OR (state = 'sending' AND claimed_until < $1) \
             ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        }
    };
    let id: Option<String> = sqlx::query_scalar(pick)
        .bind(to_micros(now))
        .fetch_optional(&mut *conn)
        .await?;
    let Some(id) = id else { return Ok(None) };
    let row: (String, String, Vec<u8>, i64) = sqlx::query_as(
        "UPDATE outbox SET state = 'sending', claimed_by = $2, claimed_until = $3 \
         WHERE id = $1 RETURNING recipient, message_id, raw, attempts",
    )
    .bind(&id)
    .bind(sender)
    .bind(to_micros(lease_until))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(Claimed {
        id: parse_uuid("outbox.id", &id)?,
        recipient: row.0,
        message_id: row.1,
        raw: row.2,
        attempts: row.3,
    }))
}

/// Marks a claimed mail sent. `false` when `sender` no longer holds it (its lease expired and
/// another sender took it; that sender will record the outcome).
pub async fn mark_sent(
    conn: &mut AnyConnection,
    id: Uuid,
    sender: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = $3, attempts = attempts + 1, \
         claimed_by = NULL, claimed_until = NULL, last_error = NULL \
         WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
    )
    .bind(id.to_string())
    .bind(sender)
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Records a failed attempt: the mail is tried again at `retry_at`, or, when `retry_at` is
/// `None` (a permanent failure, or too many attempts), it stays `failed`.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: Uuid,
    sender: &str,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE outbox SET state = CASE WHEN $4 IS NULL THEN 'failed' ELSE 'queued' END, \
         next_attempt_at = COALESCE($4, next_attempt_at), attempts = attempts + 1, \
         claimed_by = NULL, claimed_until = NULL, last_error = $3 \
         WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
    )
    .bind(id.to_string())
    .bind(sender)
    .bind(error)
    .bind(retry_at.map(to_micros))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Puts a failed mail back in the queue (an operator's retry).
pub async fn requeue(
    conn: &mut AnyConnection,
    id: Uuid,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE outbox SET state = 'queued', next_attempt_at = $2 WHERE id = $1 AND state = 'failed'",
    )
    .bind(id.to_string())
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

// ----- templates -----

/// An admin's version of a mail template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub updated_by: Uuid,
    pub updated_at: Timestamp,
}

pub async fn template(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<Option<StoredTemplate>, StoreError> {
    let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT kind, subject, body, updated_by, updated_at FROM mail_templates WHERE kind = $1",
    )
    .bind(kind)
    .fetch_optional(conn)
    .await?;
    row.map(|(kind, subject, body, by, at)| {
        Ok(StoredTemplate {
            kind,
            subject,
            body,
            updated_by: parse_uuid("mail_templates.updated_by", &by)?,
            updated_at: from_micros("mail_templates.updated_at", at)?,
        })
    })
    .transpose()
}

/// Stores an admin's template, replacing any earlier one.
pub async fn put_template(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
    body: &str,
    by: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mail_templates (kind, subject, body, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind) DO UPDATE SET subject = excluded.subject, \
         body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(kind)
    .bind(subject)
    .bind(body)
    .bind(by.to_string())
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes an admin's template, so the shipped default applies again.
pub async fn reset_template(conn: &mut AnyConnection, kind: &str) -> Result<bool, StoreError> {
    let n = sqlx::query("DELETE FROM mail_templates WHERE kind = $1")
        .bind(kind)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}
