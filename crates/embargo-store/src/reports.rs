//! Reports as received, their attachments and their raw original.
//!
//! A report row is written once by [`insert`] and never changed afterwards, except for the case it
//! is attached to ([`attach_to_case`], or [`crate::cases::insert`]/[`crate::cases::update`], which
//! attach the case's reports in the case's order).
//!
//! **Raw originals.** The untouched bytes (MIME message, form post, import file) are stored in
//! `report_raw`, one row per report. The domain's opaque [`RawOriginal`] reference of a report
//! stored here is always `db:<report id>` ([`raw_original`]); [`insert`] refuses any other
//! reference, so a stored report can never point at bytes that are somewhere else.

use embargo_domain::{
    Attachment, CaseId, MediaType, NewReport, RawOriginal, Report, ReportId, ReporterEmail,
    ReporterIdentity, Sha256Digest, TrackingId,
};
use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::codes::{channel_code, parse_channel};
use crate::{StoreError, from_micros, parse_uuid, to_micros};

/// A stored report and the case it is attached to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    pub report: Report,
    pub case: Option<CaseId>,
}

/// One line of the report list: no body, no attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    pub id: ReportId,
    pub tracking_id: TrackingId,
    pub channel: embargo_domain::Channel,
    pub reporter: ReporterIdentity,
    pub received_at: Timestamp,
    pub subject: String,
    pub attachments: i64,
    pub case: Option<CaseId>,
}

/// Which reports [`list`] returns. The default lists the 50 newest of all reports.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    /// Only reports not attached to any case (the intake queue).
    pub unattached_only: bool,
    /// Only reports attached to this case.
    pub case: Option<CaseId>,
    /// Only reports from this address (compared ignoring ASCII case, as the domain does).
    pub reporter_email: Option<ReporterEmail>,
    /// Only reports received strictly before this instant (paging by `received_at`).
    pub received_before: Option<Timestamp>,
    pub limit: i64,
}

impl Default for ReportFilter {
    fn default() -> Self {
        ReportFilter {
            unattached_only: false,
            case: None,
            reporter_email: None,
            received_before: None,
            limit: 50,
        }
    }
}

/// The [`RawOriginal`] reference of a report whose raw bytes are kept in this database.
pub fn raw_original(id: ReportId) -> RawOriginal {
    // "db:" and a uuid is never empty, the only thing `RawOriginal::new` refuses.
    RawOriginal::new(format!("db:{id}")).unwrap_or_else(|_| unreachable!("non-empty reference"))
}

/// The key reporters are matched by: the address in ASCII lower case, as
/// [`ReporterEmail::same_reporter`] compares.
pub(crate) fn reporter_key(email: &ReporterEmail) -> String {
    email.as_ref().to_ascii_lowercase()
}

/// Stores a report with its raw original and, where given, its attachments' bytes.
///
/// `attachment_contents[i]` holds the bytes of `report.attachments()[i]` (`None`: not kept in the
/// database); it may be shorter than the attachment list, but not longer, and given bytes must be as
/// long as the attachment's declared size. `now` is when the report was stored (for imports it
/// differs from the receipt time). A tracking id already in use is a unique violation.
pub async fn insert(
    conn: &mut AnyConnection,
    report: &Report,
    raw: &[u8],
    attachment_contents: &[Option<&[u8]>],
    now: Timestamp,
) -> Result<(), StoreError> {
    let expected = raw_original(report.id());
    if report.raw() != &expected {
        return Err(StoreError::Invalid {
            what: "report",
            reason: format!(
                "raw original reference {:?}, expected {:?}",
                report.raw().as_ref(),
                expected.as_ref()
            ),
        });
    }
    let attachments = report.attachments();
    if attachment_contents.len() > attachments.len() {
        return Err(StoreError::Invalid {
            what: "report attachments",
            reason: format!(
                "{} contents for {} attachments",
                attachment_contents.len(),
                attachments.len()
            ),
        });
    }
    let id = report.id().to_string();
    sqlx::query(
        "INSERT INTO reports (id, tracking_id, channel, reporter_email, reporter_key, \
         reporter_name, received_at, subject, body, case_id, case_position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10)",
    )
    .bind(&id)
    .bind(report.tracking_id().to_string())
    .bind(channel_code(report.channel()))
    .bind(report.reporter().email.as_ref())
    .bind(reporter_key(&report.reporter().email))
    .bind(report.reporter().name.as_deref())
    .bind(to_micros(report.received_at()))
    .bind(report.subject())
    .bind(report.body())
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO report_raw (report_id, bytes) VALUES ($1, $2)")
        .bind(&id)
        .bind(raw)
        .execute(&mut *conn)
        .await?;
    for (position, attachment) in attachments.iter().enumerate() {
        let content = attachment_contents.get(position).copied().flatten();
        let size = i64::try_from(attachment.size).map_err(|_| StoreError::Invalid {
            what: "report attachment",
            reason: format!("size {} is too large", attachment.size),
        })?;
        if let Some(bytes) = content
            && bytes.len() as u64 != attachment.size
        {
            return Err(StoreError::Invalid {
                what: "report attachment",
                reason: format!(
                    "{:?} declares {} bytes, content has {}",
                    attachment.name,
                    attachment.size,
                    bytes.len()
                ),
            });
        }
        sqlx::query(
            "INSERT INTO report_attachments (report_id, position, name, media_type, size, \
             sha256, content) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(position as i64)
        .bind(&attachment.name)
        .bind(attachment.media_type.as_ref())
        .bind(size)
        .bind(attachment.sha256.as_ref())
        .bind(content)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: String,
    tracking_id: String,
    channel: String,
    reporter_email: String,
    reporter_name: Option<String>,
    received_at: i64,
    subject: String,
    body: String,
    case_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    name: String,
    media_type: String,
    size: i64,
    sha256: String,
}

macro_rules! select_report {
    ($rest:literal) => {
        concat!(
            "SELECT id, tracking_id, channel, reporter_email, reporter_name, received_at, ",
            "subject, body, case_id FROM reports ",
            $rest
        )
    };
}

/// The report with its attachment metadata, and its case.
pub async fn get(
    conn: &mut AnyConnection,
    id: ReportId,
) -> Result<Option<StoredReport>, StoreError> {
    let row: Option<ReportRow> = sqlx::query_as(select_report!("WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(restore(conn, row).await?)),
        None => Ok(None),
    }
}

/// The report with this tracking id (as quoted to the reporter, in any accepted spelling).
pub async fn find_by_tracking(
    conn: &mut AnyConnection,
    tracking: &TrackingId,
) -> Result<Option<StoredReport>, StoreError> {
    let row: Option<ReportRow> = sqlx::query_as(select_report!("WHERE tracking_id = $1"))
        .bind(tracking.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(restore(conn, row).await?)),
        None => Ok(None),
    }
}

async fn restore(conn: &mut AnyConnection, row: ReportRow) -> Result<StoredReport, StoreError> {
    let attachments: Vec<AttachmentRow> = sqlx::query_as(
        "SELECT name, media_type, size, sha256 FROM report_attachments \
         WHERE report_id = $1 ORDER BY position",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let attachments = attachments
        .into_iter()
        .map(|a| {
            Ok(Attachment {
                media_type: MediaType::parse(&a.media_type).map_err(|_| StoreError::Corrupt {
                    column: "report_attachments.media_type",
                    value: a.media_type.clone(),
                })?,
                size: u64::try_from(a.size).map_err(|_| StoreError::Corrupt {
                    column: "report_attachments.size",
                    value: a.size.to_string(),
                })?,
                sha256: Sha256Digest::parse(&a.sha256).map_err(|_| StoreError::Corrupt {
                    column: "report_attachments.sha256",
                    value: a.sha256.clone(),
                })?,
                name: a.name,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let id: ReportId = parse_uuid("reports.id", &row.id)?.into();
    let tracking = parse_tracking(&row.tracking_id)?;
    let case = row
        .case_id
        .as_deref()
        .map(|c| parse_uuid("reports.case_id", c).map(CaseId::from))
        .transpose()?;
    let new = NewReport {
        id,
        tracking_random: [0; 5], // replaced by the stored tracking id
        channel: parse_channel("reports.channel", &row.channel)?,
        reporter: ReporterIdentity {
            email: parse_email("reports.reporter_email", &row.reporter_email)?,
            name: row.reporter_name,
        },
        received_at: from_micros("reports.received_at", row.received_at)?,
        subject: row.subject,
        body: row.body,
        attachments,
        raw: raw_original(id),
    };
    let report = Report::restore(tracking, new).map_err(|e| StoreError::Corrupt {
        column: "reports",
        value: e.to_string(),
    })?;
    Ok(StoredReport { report, case })
}

pub(crate) fn parse_email(column: &'static str, value: &str) -> Result<ReporterEmail, StoreError> {
    ReporterEmail::parse(value).map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

fn parse_tracking(value: &str) -> Result<TrackingId, StoreError> {
    TrackingId::parse(value).map_err(|_| StoreError::Corrupt {
        column: "reports.tracking_id",
        value: value.to_owned(),
    })
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    tracking_id: String,
    channel: String,
    reporter_email: String,
    reporter_name: Option<String>,
    received_at: i64,
    subject: String,
    case_id: Option<String>,
    attachments: i64,
}

/// Reports, newest first (by receipt, then id), with the case each is attached to.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &ReportFilter,
) -> Result<Vec<ReportSummary>, StoreError> {
    let mut sql = String::from(
        "SELECT r.id, r.tracking_id, r.channel, r.reporter_email, r.reporter_name, \
         r.received_at, r.subject, r.case_id, \
         (SELECT COUNT(*) FROM report_attachments a WHERE a.report_id = r.id) AS attachments \
         FROM reports r WHERE 1 = 1",
    );
    let mut binds: Vec<crate::Bind> = Vec::new();
    if filter.unattached_only {
        sql.push_str(" AND r.case_id IS NULL");
    }
    if let Some(case) = filter.case {
        binds.push(crate::Bind::Text(case.to_string()));
        sql.push_str(&format!(" AND r.case_id = ${}", binds.len()));
    }
    if let Some(email) = &filter.reporter_email {
        binds.push(crate::Bind::Text(reporter_key(email)));
        sql.push_str(&format!(" AND r.reporter_key = ${}", binds.len()));
    }
    if let Some(before) = filter.received_before {
        binds.push(crate::Bind::Int(to_micros(before)));
        sql.push_str(&format!(" AND r.received_at < ${}", binds.len()));
    }
    binds.push(crate::Bind::Int(filter.limit.max(0)));
    sql.push_str(&format!(
        " ORDER BY r.received_at DESC, r.id DESC LIMIT ${}",
        binds.len()
    ));
    let mut query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = bind.apply_as(query);
    }
    let rows = query.fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            Ok(ReportSummary {
                id: parse_uuid("reports.id", &r.id)?.into(),
                tracking_id: parse_tracking(&r.tracking_id)?,
                channel: parse_channel("reports.channel", &r.channel)?,
                reporter: ReporterIdentity {
                    email: parse_email("reports.reporter_email", &r.reporter_email)?,
                    name: r.reporter_name,
                },
                received_at: from_micros("reports.received_at", r.received_at)?,
                subject: r.subject,
                attachments: r.attachments,
                case: r
                    .case_id
                    .as_deref()
                    .map(|c| parse_uuid("reports.case_id", c).map(CaseId::from))
                    .transpose()?,
            })
        })
        .collect()
}

/// The raw original, byte for byte; `None` when there is no such report.
pub async fn raw(conn: &mut AnyConnection, id: ReportId) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT bytes FROM report_raw WHERE report_id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// The bytes of attachment `position` (its index in [`Report::attachments`]); `None` when there is
/// no such attachment or its bytes are not kept in the database.
pub async fn attachment_content(
    conn: &mut AnyConnection,
    id: ReportId,
    position: usize,
) -> Result<Option<Vec<u8>>, StoreError> {
    let content: Option<Option<Vec<u8>>> = sqlx::query_scalar(
        "SELECT content FROM report_attachments WHERE report_id = $1 AND position = $2",
    )
    .bind(id.to_string())
    .bind(position as i64)
    .fetch_optional(conn)
    .await?;
    Ok(content.flatten())
}

/// Attaches a report to a case, after the case's other reports. Attaching it again to the same case
/// changes nothing; a report attached to another case is [`StoreError::ReportAttachedElsewhere`].
/// The case's own list ([`embargo_domain::CaseRecord::reports`]) is written by
/// [`crate::cases::update`], which puts the reports in the case's order.
pub async fn attach_to_case(
    conn: &mut AnyConnection,
    report: ReportId,
    case: CaseId,
) -> Result<(), StoreError> {
    let report_id = report.to_string();
    let case_id = case.to_string();
    let current: Option<Option<String>> =
        sqlx::query_scalar("SELECT case_id FROM reports WHERE id = $1")
            .bind(&report_id)
            .fetch_optional(&mut *conn)
            .await?;
    match current {
        None => Err(StoreError::NotFound {
            entity: "report",
            id: report_id,
        }),
        Some(Some(existing)) if existing == case_id => Ok(()),
        Some(Some(existing)) => Err(StoreError::ReportAttachedElsewhere {
            report: report_id,
            case: existing,
        }),
        Some(None) => {
            let updated = sqlx::query(
                "UPDATE reports SET case_id = $1, case_position = \
                 (SELECT COALESCE(MAX(o.case_position) + 1, 0) FROM reports o WHERE o.case_id = $1) \
                 WHERE id = $2 AND case_id IS NULL",
            )
            .bind(&case_id)
            .bind(&report_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if updated == 1 {
                Ok(())
            } else {
                Err(StoreError::ReportAttachedElsewhere {
                    report: report_id,
                    case: "another case (attached concurrently)".into(),
                })
            }
        }
    }
}
