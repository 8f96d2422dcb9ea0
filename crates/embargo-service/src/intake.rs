//! Intake: a report arrives through the web form or the API and becomes a new case.
//!
//! The report (with its raw original: the submission exactly as received), the case opened from
//! it and the audit trail are committed in one transaction before the caller hears "accepted", so
//! an acknowledged report is never lost. A report through the web form or the API is acknowledged
//! at once, by the system account: the answer carrying the tracking id is the acknowledgement.
//! An imported report stays `new` until the team acknowledges it (nobody was answered).

use anyhow::Context;
use embargo_domain::{
    Actor, Attachment, Case, CaseId, Channel, Credit, MediaType, NewCase, NewReport, Report,
    ReportId, ReporterEmail, ReporterIdentity, Role, Sha256Digest, Target, TrackingId, UserId,
};
pub use embargo_store::reports::ReportSummary;
use embargo_store::reports::{self, ReportFilter};
use embargo_store::{Violation, cases, users};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::accounts::{Principal, Scope};
use crate::cases::from_domain;
use crate::{App, ServiceError};

/// A submission from the public form or API, before validation.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub title: String,
    pub description: String,
    pub reporter_email: String,
    pub reporter_name: Option<String>,
    pub product: Option<String>,
    pub version: Option<String>,
    pub credit_consent: bool,
    /// Files sent with the report.
    pub attachments: Vec<Upload>,
    /// The reporter's OpenPGP public key (ASCII armor): mail to them is encrypted to it.
    pub pgp_key: Option<String>,
}

/// A file sent with a report or a thread message, before validation.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    /// The file name the sender's system gave it (any directory part is dropped).
    pub name: String,
    /// The media type the sender declared; `application/octet-stream` when absent or unreadable.
    pub media_type: String,
    pub content: Vec<u8>,
}

/// At most this many files per report or message.
pub const MAX_FILES: usize = 20;

/// Checks uploads against the configured limits (`mail.max_attachment_bytes` per file,
/// `mail.max_total_attachment_bytes` together) and describes each: a cleaned name (no
/// directories, no control characters, at most 200 characters), a media type, size and SHA-256.
/// `field` names the form field in the error.
pub(crate) fn check_uploads(
    app: &App,
    uploads: &[Upload],
    field: &'static str,
) -> Result<Vec<Attachment>, ServiceError> {
    if uploads.len() > MAX_FILES {
        return Err(invalid(field, &format!("at most {MAX_FILES} files")));
    }
    let limits = &app.mail.limits;
    let total: u64 = uploads.iter().map(|u| u.content.len() as u64).sum();
    if total > limits.max_total_attachment_bytes {
        return Err(invalid(
            field,
            &format!(
                "the files come to {total} bytes; at most {} bytes together",
                limits.max_total_attachment_bytes
            ),
        ));
    }
    uploads
        .iter()
        .enumerate()
        .map(|(n, upload)| {
            let name = clean_file_name(&upload.name, n);
            let size = upload.content.len() as u64;
            if size > limits.max_attachment_bytes {
                return Err(invalid(
                    field,
                    &format!(
                        "{name:?} has {size} bytes; at most {} bytes per file",
                        limits.max_attachment_bytes
                    ),
                ));
            }
            let essence = upload.media_type.split(';').next().unwrap_or("").trim();
            let media_type = MediaType::parse(&essence.to_ascii_lowercase())
                .or_else(|_| MediaType::parse("application/octet-stream"))
                .map_err(from_domain)?;
            let sha256 = Sha256Digest::parse(&hex::encode(Sha256::digest(&upload.content)))
                .map_err(from_domain)?;
            Ok(Attachment {
                name,
                media_type,
                size,
                sha256,
            })
        })
        .collect()
}

/// The last path component of a sender's file name, without control characters, at most 200
/// characters; `file-N` when nothing is left.
fn clean_file_name(name: &str, n: usize) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    if cleaned.is_empty() {
        format!("file-{}", n + 1)
    } else {
        cleaned
    }
}

/// What the reporter is told.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub tracking_id: TrackingId,
    pub report: ReportId,
    pub case: CaseId,
}

/// The system account automated work acts as.
pub fn system_actor() -> Actor {
    Actor {
        id: UserId::from_uuid(users::SYSTEM_USER_ID),
        role: Role::Team,
    }
}

const MAX_TITLE: usize = 300;
const MAX_DESCRIPTION: usize = 200_000;

/// Validates, stores and acknowledges a submission. `raw` is the request body exactly as
/// received; it is kept untouched beside the parsed report.
pub async fn submit(
    app: &App,
    channel: Channel,
    submission: Submission,
    raw: &[u8],
) -> Result<Receipt, ServiceError> {
    let title = submission.title.trim();
    if title.is_empty() {
        return Err(invalid("title", "must not be empty"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(invalid("title", "at most 300 characters"));
    }
    if submission.description.trim().is_empty() {
        return Err(invalid("description", "must not be empty"));
    }
    if submission.description.len() > MAX_DESCRIPTION {
        return Err(invalid("description", "at most 200,000 bytes"));
    }
    let email =
        ReporterEmail::parse(&submission.reporter_email).map_err(|e| ServiceError::Invalid {
            field: "reporter_email",
            reason: e.to_string(),
        })?;
    let name = submission
        .reporter_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(invalid("reporter_name", "at most 200 characters"));
    }
    let mut body = submission.description.clone();
    for (label, value) in [
        ("Product", &submission.product),
        ("Affected version", &submission.version),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            if v.chars().count() > 200 {
                return Err(invalid(
                    if label == "Product" {
                        "product"
                    } else {
                        "version"
                    },
                    "at most 200 characters",
                ));
            }
            body.push_str(&format!("\n\n{label}: {v}"));
        }
    }
    let attachments = check_uploads(app, &submission.attachments, "attachments")?;
    let contents: Vec<Option<&[u8]>> = submission
        .attachments
        .iter()
        .map(|u| Some(u.content.as_slice()))
        .collect();

    let now = app.clock.now();
    let pgp_key = match submission
        .pgp_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(armored) => Some(reporter_public_key(armored, email.as_ref(), now)?),
    };
    for _attempt in 0..3 {
        let id = ReportId::from_uuid(Uuid::now_v7());
        let report = Report::receive(NewReport {
            id,
            tracking_random: tracking_random(),
            channel,
            reporter: ReporterIdentity {
                email: email.clone(),
                name: name.clone(),
            },
            received_at: now,
            subject: title.to_owned(),
            body: body.clone(),
            attachments: attachments.clone(),
            raw: reports::raw_original(id),
        })
        .map_err(from_domain)?;
        let mut tx = app
            .db
            .begin()
            .await
            .context("starting the intake transaction")?;
        // Learnt before the case opens, so the acknowledgement is already encrypted to it. The
        // first key of an address stays: a form anyone can fill in does not replace it.
        if let Some(key) = &pgp_key
            && embargo_store::openpgp::reporter_key(&mut tx, email.as_ref())
                .await?
                .is_none()
        {
            crate::openpgp::learn_reporter_key(&mut tx, email.as_ref(), key, "web form", now)
                .await?;
        }
        let opened = open_case(
            &mut tx,
            app,
            Opening {
                report: &report,
                raw,
                contents: &contents,
                title,
                description: &body,
                credit_consent: submission.credit_consent,
                acknowledge: matches!(channel, Channel::WebForm | Channel::Api),
                original_message_id: None,
            },
            now,
        )
        .await?;
        let Some(case) = opened else { continue };
        tx.commit().await.context("committing the report")?;
        tracing::info!(report = %id, case = %case, channel = ?channel, "report received");
        return Ok(Receipt {
            tracking_id: report.tracking_id(),
            report: id,
            case,
        });
    }
    Err(ServiceError::Unexpected(anyhow::anyhow!(
        "could not draw a free tracking id"
    )))
}

/// 40 random bits for a tracking id.
pub(crate) fn tracking_random() -> [u8; 5] {
    let mut random = [0u8; 5];
    rand::rng().fill_bytes(&mut random);
    random
}

/// A received report about to open a case.
pub(crate) struct Opening<'a> {
    pub report: &'a Report,
    /// The report's raw original, byte for byte.
    pub raw: &'a [u8],
    /// Attachment bytes, as [`reports::insert`] takes them.
    pub contents: &'a [Option<&'a [u8]>],
    pub title: &'a str,
    pub description: &'a str,
    pub credit_consent: bool,
    /// Acknowledge at once (the reporter is answered by mail and on screen).
    pub acknowledge: bool,
    /// The Message-ID of the reporter's mail, for the acknowledgement to quote.
    pub original_message_id: Option<&'a str>,
}

/// Stores the report, opens its case with the reporter's account linked, records the audit
/// trail and queues the mails, all in the caller's transaction. `None` when the report's
/// tracking id is taken (draw another and retry).
pub(crate) async fn open_case(
    tx: &mut embargo_store::AnyConnection,
    app: &App,
    opening: Opening<'_>,
    now: jiff::Timestamp,
) -> Result<Option<CaseId>, ServiceError> {
    let system = system_actor();
    let report = opening.report;
    match reports::insert(&mut *tx, report, opening.raw, opening.contents, now).await {
        Ok(()) => {}
        // A tracking id collision (40 random bits): draw again.
        Err(e) if e.violation() == Some(Violation::Unique) => return Ok(None),
        Err(e) => {
            return Err(ServiceError::Unexpected(
                anyhow::Error::new(e).context("storing the report"),
            ));
        }
    }
    let (mut case, mut events) = Case::open(
        NewCase {
            id: CaseId::from_uuid(Uuid::now_v7()),
            title: opening.title.to_owned(),
            description: opening.description.to_owned(),
        },
        report,
        &app.policy(),
        &system,
        now,
    )
    .map_err(from_domain)?;
    let email = &report.reporter().email;
    let (user, _role) = users::find_or_create_reporter(
        &mut *tx,
        email.as_ref(),
        report.reporter().name.as_deref().unwrap_or(""),
        now,
    )
    .await
    .context("finding the reporter's account")?;
    events.extend(
        case.link_reporter_account(email, UserId::from_uuid(user), &system, now)
            .map_err(from_domain)?,
    );
    if opening.credit_consent {
        events.extend(
            case.set_credit(
                email,
                Credit {
                    consent: true,
                    name: report.reporter().name.clone(),
                },
                &system,
                now,
            )
            .map_err(from_domain)?,
        );
    }
    if opening.acknowledge {
        events.extend(
            case.transition(Target::Acknowledged, &system, None, now)
                .map_err(from_domain)?,
        );
    }
    cases::insert(&mut *tx, &case, now)
        .await
        .context("storing the case")?;
    cases::append_audit(&mut *tx, &events)
        .await
        .context("recording the audit trail")?;
    crate::mail::outbound::queue_case_mails(
        &mut *tx,
        &app.mail,
        None,
        &case,
        None,
        opening.original_message_id,
        now,
    )
    .await?;
    Ok(Some(case.id))
}

/// Reports as received, newest first; the team only.
pub async fn list_reports(
    app: &App,
    who: &Principal,
    limit: Option<i64>,
) -> Result<Vec<ReportSummary>, ServiceError> {
    who.require(Scope::Read)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    let mut conn = app.db.acquire().await?;
    Ok(reports::list(
        &mut conn,
        &ReportFilter {
            limit: limit.unwrap_or(50).clamp(1, 1000),
            ..ReportFilter::default()
        },
    )
    .await?)
}

/// A reporter's key from the form: readable, able to encrypt, and naming their address.
fn reporter_public_key(
    armored: &str,
    email: &str,
    now: jiff::Timestamp,
) -> Result<embargo_pgp::PublicKey, ServiceError> {
    if armored.len() > 64 * 1024 {
        return Err(invalid("pgp_key", "at most 64 KiB of ASCII armor"));
    }
    let key = embargo_pgp::PublicKey::from_armored(armored, now).map_err(|e| {
        invalid(
            "pgp_key",
            &format!("not a readable OpenPGP public key: {e}"),
        )
    })?;
    if !key.emails().iter().any(|e| e.eq_ignore_ascii_case(email)) {
        return Err(invalid(
            "pgp_key",
            &format!(
                "key {} does not name {email} in its user ids",
                key.fingerprint()
            ),
        ));
    }
    if !key.can_encrypt() {
        return Err(invalid(
            "pgp_key",
            &format!("key {} has no subkey that can encrypt", key.fingerprint()),
        ));
    }
    Ok(key)
}

fn invalid(field: &'static str, reason: &str) -> ServiceError {
    ServiceError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

/// The tracking id of a report. Only for report ids taken from a case view the caller was
/// allowed to read: this reads no case and checks no access.
pub async fn tracking_id(
    app: &App,
    report: embargo_domain::ReportId,
) -> Result<Option<TrackingId>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(reports::get(&mut conn, report)
        .await?
        .map(|r| r.report.tracking_id()))
}
