//! Intake: a report arrives through the web form or the API and becomes a new case.
//!
//! The report (with its raw original: the submission exactly as received), the case opened from
//! it and the audit trail are committed in one transaction before the caller hears "accepted", so
//! an acknowledged report is never lost. A report through the web form or the API is acknowledged
//! at once, by the system account: the answer carrying the tracking id is the acknowledgement.
//! An imported report stays `new` until the team acknowledges it (nobody was answered).

use anyhow::Context;
use embargo_domain::{
    Actor, Case, CaseId, Channel, Credit, NewCase, NewReport, Report, ReportId, ReporterEmail,
    ReporterIdentity, Role, Target, TrackingId, UserId,
};
pub use embargo_store::reports::ReportSummary;
use embargo_store::reports::{self, ReportFilter};
use embargo_store::{Violation, cases, users};
use rand::RngCore;
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

    let now = app.clock.now();
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
            attachments: Vec::new(),
            raw: reports::raw_original(id),
        })
        .map_err(from_domain)?;
        let mut tx = app
            .db
            .begin()
            .await
            .context("starting the intake transaction")?;
        let opened = open_case(
            &mut tx,
            app,
            Opening {
                report: &report,
                raw,
                contents: &[],
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
        &app.policy,
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
