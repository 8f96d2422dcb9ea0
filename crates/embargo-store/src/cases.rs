//! Cases: the aggregate ([`Case`]) in normalised tables, its audit trail, and the work queue.
//!
//! A case is one row of `cases` plus ordered child rows (`case_reporters`, `case_members`,
//! `case_cwes`, `case_links`), one row per recorded release-line status (`case_affected`), the
//! append-only thread (`messages`) and the reports attached to it (`reports.case_id`, in the case's
//! order). [`get`] rebuilds exactly what [`insert`] or [`update`] wrote, through
//! [`Case::restore`].
//!
//! **Concurrency.** [`update`] writes only if the stored version is the one the caller read
//! (`UPDATE … WHERE id = $1 AND version = $2`); otherwise it fails with
//! [`StoreError::VersionConflict`] before anything is written. On PostgreSQL the row lock makes a
//! concurrent second writer re-check the version after the first commits; on SQLite write
//! transactions are serialised (`BEGIN IMMEDIATE`). Either way exactly one of two updates based on
//! the same version wins.
//!
//! **Work queue.** [`list`] orders the way [`Case::due_key`] does, in SQL, so that it can page:
//! overdue cases first (most overdue first), then by the earliest pending deadline, then cases with
//! nothing pending; ties by id. For this, every write stores two derived columns: `due_at`, the
//! earliest pending deadline that moves with a needs-info pause, and `due_pinned_at`, the pending
//! disclosure deadline when an upstream pins it. During needs-info the query adds the pause so far
//! (`now - paused_since`) to `due_at`, exactly as [`Case::effective_deadlines`] does.

use std::collections::BTreeMap;

use embargo_domain::state::{ResumeTo, StateKind};
use embargo_domain::{
    AffectedStatus, Assessment, AuditEvent, Case, CaseId, CaseRecord, CaseReporter, CaseState,
    Credit, CveId, CvssVector, CweId, DeadlineKind, Deadlines, Link, Member, Message, Milestones,
    ProductId, RejectReason, ReleaseLineId, ReporterEmail, ReporterEstimate, Score, Severity,
    TrackingId, Upstream, UserId, Version, Visibility,
};
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

use crate::codes::{
    action_code, case_role_code, justification_code, parse_action, parse_case_role,
    parse_justification, parse_resume, parse_role, parse_severity, parse_state, parse_visibility,
    resume_code, role_code, severity_code, state_code, visibility_code,
};
use crate::reports::{parse_email, reporter_key};
use crate::{Bind, StoreError, flag, from_micros, parse_uuid, to_micros};

// ----- writing -----

/// The columns of `cases` besides `id`, in the order [`case_values`] produces them (both are
/// arrays of the same length, so the compiler keeps their counts equal).
const CASE_COLUMNS: [&str; 37] = [
    "version",
    "title",
    "description",
    "state",
    "resume_to",
    "paused_since",
    "reject_reason",
    "duplicate_of",
    "opened_at",
    "clock_start",
    "cvss_v31",
    "cvss_v40",
    "score_tenths",
    "severity",
    "cve_id",
    "embargo_at",
    "embargo_reason",
    "assignee_id",
    "deadline_acknowledge",
    "deadline_triage",
    "deadline_fix",
    "deadline_disclose",
    "paused_micros",
    "acknowledged_at",
    "triaged_at",
    "released_at",
    "disclosed_at",
    "estimate_fix_by",
    "estimate_disclose_by",
    "estimate_given_at",
    "upstream_project",
    "upstream_advisory",
    "upstream_url",
    "upstream_disclosure",
    "due_at",
    "due_pinned_at",
    "updated_at",
];

/// A nullable value for a `cases` column.
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(Some(s.into()))
}
fn opt_text<S: Into<String>>(s: Option<S>) -> Value {
    Value::Text(s.map(Into::into))
}
fn int(i: i64) -> Value {
    Value::Int(Some(i))
}
fn opt_time(t: Option<Timestamp>) -> Value {
    Value::Int(t.map(to_micros))
}

fn reject_code(reason: &RejectReason) -> (&'static str, Option<CaseId>) {
    match reason {
        RejectReason::NotAVulnerability => ("not-a-vulnerability", None),
        RejectReason::Duplicate(of) => ("duplicate", Some(*of)),
        RejectReason::OutOfScope => ("out-of-scope", None),
        RejectReason::Informative => ("informative", None),
    }
}

/// The earliest pending deadline that moves with a needs-info pause, and the pending disclosure
/// deadline when an upstream pins it (see the module documentation).
fn due_columns(case: &Case) -> (Option<Timestamp>, Option<Timestamp>) {
    let pinned = case.disclose_pinned();
    let mut moving: Option<Timestamp> = None;
    let mut fixed = None;
    for kind in case.pending() {
        let at = case.deadlines.get(kind);
        if kind == DeadlineKind::Disclose && pinned {
            fixed = Some(at);
        } else {
            moving = Some(moving.map_or(at, |m| m.min(at)));
        }
    }
    (moving, fixed)
}

fn case_values(case: &Case, now: Timestamp) -> Result<[Value; CASE_COLUMNS.len()], StoreError> {
    let (resume_to, paused_since) = match case.state {
        CaseState::NeedsInfo { resume_to, since } => (Some(resume_code(resume_to)), Some(since)),
        _ => (None, None),
    };
    let (reject, duplicate_of) = match &case.state {
        CaseState::Rejected { reason } => {
            let (code, of) = reject_code(reason);
            (Some(code), of)
        }
        _ => (None, None),
    };
    let paused = i64::try_from(case.paused.as_micros()).map_err(|_| StoreError::Invalid {
        what: "case",
        reason: format!("needs-info pause {} is out of range", case.paused),
    })?;
    if paused < 0 {
        return Err(StoreError::Invalid {
            what: "case",
            reason: format!("negative needs-info pause {}", case.paused),
        });
    }
    let score = case.score();
    let estimate = case.estimate;
    let upstream = case.upstream.as_ref();
    let (due_at, due_pinned_at) = due_columns(case);
    let d = &case.deadlines;
    let m = &case.milestones;
    Ok([
        int(case.version),
        text(case.title.as_str()),
        text(case.description.as_str()),
        text(state_code(case.state.kind())),
        opt_text(resume_to),
        opt_time(paused_since),
        opt_text(reject),
        opt_text(duplicate_of.map(|c| c.to_string())),
        int(to_micros(case.opened_at)),
        int(to_micros(case.clock_start)),
        opt_text(case.cvss.v3_1.map(|v| v.to_string())),
        opt_text(case.cvss.v4_0.map(|v| v.to_string())),
        Value::Int(score.map(|s| i64::from(s.tenths()))),
        opt_text(score.map(|s| severity_code(s.severity()))),
        opt_text(case.cve.as_ref().map(ToString::to_string)),
        opt_time(case.embargo),
        opt_text(case.embargo_reason.as_deref()),
        opt_text(case.assignee.map(|u| u.to_string())),
        int(to_micros(d.acknowledge)),
        int(to_micros(d.triage)),
        int(to_micros(d.fix)),
        int(to_micros(d.disclose)),
        int(paused),
        opt_time(m.acknowledged_at),
        opt_time(m.triaged_at),
        opt_time(m.released_at),
        opt_time(m.disclosed_at),
        opt_time(estimate.map(|e| e.fix_by)),
        opt_time(estimate.map(|e| e.disclose_by)),
        opt_time(estimate.map(|e| e.given_at)),
        opt_text(upstream.map(|u| u.project.as_str())),
        opt_text(upstream.and_then(|u| u.advisory.as_deref())),
        opt_text(upstream.and_then(|u| u.url.as_ref().map(ToString::to_string))),
        opt_time(upstream.and_then(|u| u.disclosure)),
        opt_time(due_at),
        opt_time(due_pinned_at),
        int(to_micros(now)),
    ])
}

fn bind_values<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: [Value; CASE_COLUMNS.len()],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::Int(i) => query.bind(i),
        };
    }
    query
}

/// Stores a new case with all its child rows. Its reports must be stored already and not be
/// attached to another case; they are attached to this one in the case's order. `now` is recorded
/// as the case's last update.
pub async fn insert(
    conn: &mut AnyConnection,
    case: &Case,
    now: Timestamp,
) -> Result<(), StoreError> {
    let values = case_values(case, now)?;
    let columns = CASE_COLUMNS;
    let placeholders: Vec<String> = (2..=columns.len() + 1).map(|n| format!("${n}")).collect();
    let sql = format!(
        "INSERT INTO cases (id, {}) VALUES ($1, {})",
        columns.join(", "),
        placeholders.join(", ")
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(case.id.to_string());
    bind_values(query, values).execute(&mut *conn).await?;
    write_children(conn, case).await
}

/// Writes the case if the stored version is still `expected_version` (the version the caller read
/// and changed), and rewrites its child rows; messages are append-only, so only messages beyond the
/// stored ones are inserted. The case's own `version` must be newer than `expected_version` (every
/// domain change increments it).
///
/// Errors: [`StoreError::VersionConflict`] when someone else wrote first, [`StoreError::NotFound`]
/// when there is no such case; in both cases nothing has been written.
pub async fn update(
    conn: &mut AnyConnection,
    case: &Case,
    expected_version: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    if case.version <= expected_version {
        return Err(StoreError::Invalid {
            what: "case",
            reason: format!(
                "version {} is not newer than the version read, {expected_version}",
                case.version
            ),
        });
    }
    let values = case_values(case, now)?;
    let columns = CASE_COLUMNS;
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 3))
        .collect();
    let sql = format!(
        "UPDATE cases SET {} WHERE id = $1 AND version = $2",
        sets.join(", ")
    );
    let id = case.id.to_string();
    let query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&id)
        .bind(expected_version);
    let updated = bind_values(query, values)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if updated != 1 {
        let found: Option<i64> = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(match found {
            Some(found) => StoreError::VersionConflict {
                expected: expected_version,
                found,
            },
            None => StoreError::NotFound { entity: "case", id },
        });
    }
    write_children(conn, case).await
}

async fn write_children(conn: &mut AnyConnection, case: &Case) -> Result<(), StoreError> {
    let id = case.id.to_string();
    for (position, report) in case.reports.iter().enumerate() {
        let report_id = report.to_string();
        let attached = sqlx::query(
            "UPDATE reports SET case_id = $1, case_position = $2 \
             WHERE id = $3 AND (case_id IS NULL OR case_id = $1)",
        )
        .bind(&id)
        .bind(position as i64)
        .bind(&report_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if attached != 1 {
            let other: Option<Option<String>> =
                sqlx::query_scalar("SELECT case_id FROM reports WHERE id = $1")
                    .bind(&report_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            return Err(match other.flatten() {
                Some(other) => StoreError::ReportAttachedElsewhere {
                    report: report_id,
                    case: other,
                },
                None => StoreError::NotFound {
                    entity: "report",
                    id: report_id,
                },
            });
        }
    }

    for table in [
        "case_reporters",
        "case_members",
        "case_affected",
        "case_cwes",
        "case_links",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE case_id = $1"
        )))
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    }
    for (position, r) in case.reporters.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_reporters (case_id, position, email, email_key, name, user_id, \
             report_id, credit_consent, credit_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(position as i64)
        .bind(r.email.as_ref())
        .bind(reporter_key(&r.email))
        .bind(r.name.as_deref())
        .bind(r.user.map(|u| u.to_string()))
        .bind(r.report.to_string())
        .bind(flag(r.credit.consent))
        .bind(r.credit.name.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for (position, m) in case.members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_members (case_id, user_id, role, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(m.user.to_string())
        .bind(case_role_code(m.role))
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    for (line, status) in &case.affected {
        let row = AffectedColumns::from_status(status)?;
        sqlx::query(
            "INSERT INTO case_affected (case_id, release_line_id, status, justification, \
             fixed_in, links, verified_by, verified_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(line.to_string())
        .bind(row.status)
        .bind(row.justification)
        .bind(row.fixed_in)
        .bind(row.links)
        .bind(row.verified_by)
        .bind(row.verified_at)
        .bind(row.reason)
        .execute(&mut *conn)
        .await?;
    }
    for (position, cwe) in case.cwes.iter().enumerate() {
        sqlx::query("INSERT INTO case_cwes (case_id, position, cwe) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(position as i64)
            .bind(i64::from(cwe.number()))
            .execute(&mut *conn)
            .await?;
    }
    for (position, link) in case.links.iter().enumerate() {
        sqlx::query("INSERT INTO case_links (case_id, position, url) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(position as i64)
            .bind(link.as_ref())
            .execute(&mut *conn)
            .await?;
    }

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE case_id = $1")
        .bind(&id)
        .fetch_one(&mut *conn)
        .await?;
    let stored = usize::try_from(stored).unwrap_or(usize::MAX);
    if stored > case.messages.len() {
        return Err(StoreError::Invalid {
            what: "case messages",
            reason: format!(
                "{stored} messages are stored but the case holds {}; messages are append-only",
                case.messages.len()
            ),
        });
    }
    for (position, m) in case.messages.iter().enumerate().skip(stored) {
        sqlx::query(
            "INSERT INTO messages (id, case_id, position, author_id, author_role, visibility, \
             body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id.to_string())
        .bind(&id)
        .bind(position as i64)
        .bind(m.author.to_string())
        .bind(role_code(m.author_role))
        .bind(visibility_code(m.visibility))
        .bind(m.body.as_str())
        .bind(to_micros(m.at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One `case_affected` row's values besides its keys.
#[derive(Default)]
struct AffectedColumns {
    status: &'static str,
    justification: Option<&'static str>,
    fixed_in: Option<String>,
    links: Option<String>,
    verified_by: Option<String>,
    verified_at: Option<i64>,
    reason: Option<String>,
}

impl AffectedColumns {
    fn from_status(status: &AffectedStatus) -> Result<Self, StoreError> {
        Ok(match status {
            AffectedStatus::Unknown => AffectedColumns {
                status: "unknown",
                ..Default::default()
            },
            AffectedStatus::Affected => AffectedColumns {
                status: "affected",
                ..Default::default()
            },
            AffectedStatus::NotAffected { justification } => AffectedColumns {
                status: "not-affected",
                justification: Some(justification_code(*justification)),
                ..Default::default()
            },
            AffectedStatus::FixInProgress => AffectedColumns {
                status: "fix-in-progress",
                ..Default::default()
            },
            AffectedStatus::Fixed {
                fixed_in,
                links,
                verified_by,
                verified_at,
            } => {
                let urls: Vec<&str> = links.iter().map(AsRef::as_ref).collect();
                let links = serde_json::to_string(&urls).map_err(|e| StoreError::Invalid {
                    what: "fix links",
                    reason: e.to_string(),
                })?;
                AffectedColumns {
                    status: "fixed",
                    fixed_in: Some(fixed_in.to_string()),
                    links: Some(links),
                    verified_by: verified_by.map(|u| u.to_string()),
                    verified_at: verified_at.map(to_micros),
                    ..Default::default()
                }
            }
            AffectedStatus::WontFix { reason } => AffectedColumns {
                status: "wont-fix",
                reason: Some(reason.clone()),
                ..Default::default()
            },
        })
    }
}

// ----- reading -----

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    version: i64,
    title: String,
    description: String,
    state: String,
    resume_to: Option<String>,
    paused_since: Option<i64>,
    reject_reason: Option<String>,
    duplicate_of: Option<String>,
    opened_at: i64,
    clock_start: i64,
    cvss_v31: Option<String>,
    cvss_v40: Option<String>,
    cve_id: Option<String>,
    embargo_at: Option<i64>,
    embargo_reason: Option<String>,
    assignee_id: Option<String>,
    deadline_acknowledge: i64,
    deadline_triage: i64,
    deadline_fix: i64,
    deadline_disclose: i64,
    paused_micros: i64,
    acknowledged_at: Option<i64>,
    triaged_at: Option<i64>,
    released_at: Option<i64>,
    disclosed_at: Option<i64>,
    estimate_fix_by: Option<i64>,
    estimate_disclose_by: Option<i64>,
    estimate_given_at: Option<i64>,
    upstream_project: Option<String>,
    upstream_advisory: Option<String>,
    upstream_url: Option<String>,
    upstream_disclosure: Option<i64>,
}

fn corrupt(column: &'static str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        column,
        value: value.to_string(),
    }
}

fn opt_micros(column: &'static str, v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(|m| from_micros(column, m)).transpose()
}

fn user_id(column: &'static str, v: &str) -> Result<UserId, StoreError> {
    parse_uuid(column, v).map(UserId::from)
}

fn case_id(column: &'static str, v: &str) -> Result<CaseId, StoreError> {
    parse_uuid(column, v).map(CaseId::from)
}

/// Rebuilds the state from its columns.
fn restore_state(
    state: &str,
    resume_to: Option<&str>,
    paused_since: Option<i64>,
    reject_reason: Option<&str>,
    duplicate_of: Option<&str>,
) -> Result<CaseState, StoreError> {
    Ok(match parse_state("cases.state", state)? {
        StateKind::New => CaseState::New,
        StateKind::Acknowledged => CaseState::Acknowledged,
        StateKind::Triage => CaseState::Triage,
        StateKind::NeedsInfo => {
            let resume_to: ResumeTo = parse_resume(
                "cases.resume_to",
                resume_to.ok_or_else(|| corrupt("cases.resume_to", "NULL"))?,
            )?;
            let since = paused_since.ok_or_else(|| corrupt("cases.paused_since", "NULL"))?;
            CaseState::NeedsInfo {
                resume_to,
                since: from_micros("cases.paused_since", since)?,
            }
        }
        StateKind::Accepted => CaseState::Accepted,
        StateKind::Rejected => {
            let reason = match reject_reason {
                Some("not-a-vulnerability") => RejectReason::NotAVulnerability,
                Some("out-of-scope") => RejectReason::OutOfScope,
                Some("informative") => RejectReason::Informative,
                Some("duplicate") => RejectReason::Duplicate(case_id(
                    "cases.duplicate_of",
                    duplicate_of.ok_or_else(|| corrupt("cases.duplicate_of", "NULL"))?,
                )?),
                other => return Err(corrupt("cases.reject_reason", other.unwrap_or("NULL"))),
            };
            CaseState::Rejected { reason }
        }
        StateKind::FixInProgress => CaseState::FixInProgress,
        StateKind::FixVerified => CaseState::FixVerified,
        StateKind::Released => CaseState::Released,
        StateKind::Disclosed => CaseState::Disclosed,
    })
}

fn vector(column: &'static str, v: Option<&str>) -> Result<Option<CvssVector>, StoreError> {
    v.map(|s| CvssVector::parse(s).map_err(|_| corrupt(column, s)))
        .transpose()
}

fn link(column: &'static str, s: &str) -> Result<Link, StoreError> {
    Link::parse(s).map_err(|_| corrupt(column, s))
}

#[derive(sqlx::FromRow)]
struct ReporterRow {
    email: String,
    name: Option<String>,
    user_id: Option<String>,
    report_id: String,
    credit_consent: i64,
    credit_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: String,
    role: String,
}

#[derive(sqlx::FromRow)]
struct AffectedRow {
    release_line_id: String,
    status: String,
    justification: Option<String>,
    fixed_in: Option<String>,
    links: Option<String>,
    verified_by: Option<String>,
    verified_at: Option<i64>,
    reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: String,
    author_id: String,
    author_role: String,
    visibility: String,
    body: String,
    created_at: i64,
}

fn restore_affected(row: AffectedRow) -> Result<(ReleaseLineId, AffectedStatus), StoreError> {
    let line = parse_uuid("case_affected.release_line_id", &row.release_line_id)?.into();
    let status = match row.status.as_str() {
        "unknown" => AffectedStatus::Unknown,
        "affected" => AffectedStatus::Affected,
        "not-affected" => AffectedStatus::NotAffected {
            justification: parse_justification(
                "case_affected.justification",
                row.justification
                    .as_deref()
                    .ok_or_else(|| corrupt("case_affected.justification", "NULL"))?,
            )?,
        },
        "fix-in-progress" => AffectedStatus::FixInProgress,
        "fixed" => {
            let fixed_in = row
                .fixed_in
                .ok_or_else(|| corrupt("case_affected.fixed_in", "NULL"))?;
            let links_json = row
                .links
                .ok_or_else(|| corrupt("case_affected.links", "NULL"))?;
            let urls: Vec<String> = serde_json::from_str(&links_json)
                .map_err(|_| corrupt("case_affected.links", &links_json))?;
            AffectedStatus::Fixed {
                fixed_in: Version::parse(&fixed_in)
                    .map_err(|_| corrupt("case_affected.fixed_in", &fixed_in))?,
                links: urls
                    .iter()
                    .map(|u| link("case_affected.links", u))
                    .collect::<Result<_, _>>()?,
                verified_by: row
                    .verified_by
                    .as_deref()
                    .map(|u| user_id("case_affected.verified_by", u))
                    .transpose()?,
                verified_at: opt_micros("case_affected.verified_at", row.verified_at)?,
            }
        }
        "wont-fix" => AffectedStatus::WontFix {
            reason: row
                .reason
                .ok_or_else(|| corrupt("case_affected.reason", "NULL"))?,
        },
        other => return Err(corrupt("case_affected.status", other)),
    };
    Ok((line, status))
}

/// The whole case, or `None` when there is no case with this id.
pub async fn get(conn: &mut AnyConnection, id: CaseId) -> Result<Option<Case>, StoreError> {
    let id_text = id.to_string();
    let row: Option<CaseRow> = sqlx::query_as(
        "SELECT id, version, title, description, state, resume_to, paused_since, reject_reason, \
         duplicate_of, opened_at, clock_start, cvss_v31, cvss_v40, cve_id, embargo_at, \
         embargo_reason, assignee_id, deadline_acknowledge, deadline_triage, deadline_fix, deadline_disclose, \
         paused_micros, acknowledged_at, triaged_at, released_at, disclosed_at, estimate_fix_by, \
         estimate_disclose_by, estimate_given_at, upstream_project, upstream_advisory, \
         upstream_url, upstream_disclosure FROM cases WHERE id = $1",
    )
    .bind(&id_text)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };

    let report_ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM reports WHERE case_id = $1 ORDER BY case_position")
            .bind(&id_text)
            .fetch_all(&mut *conn)
            .await?;
    let reporters: Vec<ReporterRow> = sqlx::query_as(
        "SELECT email, name, user_id, report_id, credit_consent, credit_name \
         FROM case_reporters WHERE case_id = $1 ORDER BY position",
    )
    .bind(&id_text)
    .fetch_all(&mut *conn)
    .await?;
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT user_id, role FROM case_members WHERE case_id = $1 ORDER BY position",
    )
    .bind(&id_text)
    .fetch_all(&mut *conn)
    .await?;
    let affected: Vec<AffectedRow> = sqlx::query_as(
        "SELECT release_line_id, status, justification, fixed_in, links, verified_by, \
         verified_at, reason FROM case_affected WHERE case_id = $1",
    )
    .bind(&id_text)
    .fetch_all(&mut *conn)
    .await?;
    let cwes: Vec<i64> =
        sqlx::query_scalar("SELECT cwe FROM case_cwes WHERE case_id = $1 ORDER BY position")
            .bind(&id_text)
            .fetch_all(&mut *conn)
            .await?;
    let links: Vec<String> =
        sqlx::query_scalar("SELECT url FROM case_links WHERE case_id = $1 ORDER BY position")
            .bind(&id_text)
            .fetch_all(&mut *conn)
            .await?;
    let messages: Vec<MessageRow> = sqlx::query_as(
        "SELECT id, author_id, author_role, visibility, body, created_at \
         FROM messages WHERE case_id = $1 ORDER BY position",
    )
    .bind(&id_text)
    .fetch_all(&mut *conn)
    .await?;

    let state = restore_state(
        &row.state,
        row.resume_to.as_deref(),
        row.paused_since,
        row.reject_reason.as_deref(),
        row.duplicate_of.as_deref(),
    )?;
    let estimate = match (
        row.estimate_fix_by,
        row.estimate_disclose_by,
        row.estimate_given_at,
    ) {
        (None, None, None) => None,
        (Some(fix_by), Some(disclose_by), Some(given_at)) => Some(ReporterEstimate {
            fix_by: from_micros("cases.estimate_fix_by", fix_by)?,
            disclose_by: from_micros("cases.estimate_disclose_by", disclose_by)?,
            given_at: from_micros("cases.estimate_given_at", given_at)?,
        }),
        _ => return Err(corrupt("cases.estimate_given_at", "partial estimate")),
    };
    let upstream = match row.upstream_project {
        None => None,
        Some(project) => Some(Upstream {
            project,
            advisory: row.upstream_advisory,
            url: row
                .upstream_url
                .as_deref()
                .map(|u| link("cases.upstream_url", u))
                .transpose()?,
            disclosure: opt_micros("cases.upstream_disclosure", row.upstream_disclosure)?,
        }),
    };
    if row.paused_micros < 0 {
        return Err(corrupt("cases.paused_micros", row.paused_micros));
    }

    let record = CaseRecord {
        id: case_id("cases.id", &row.id)?,
        version: row.version,
        title: row.title,
        description: row.description,
        state,
        opened_at: from_micros("cases.opened_at", row.opened_at)?,
        clock_start: from_micros("cases.clock_start", row.clock_start)?,
        reports: report_ids
            .iter()
            .map(|r| parse_uuid("reports.id", r).map(Into::into))
            .collect::<Result<_, _>>()?,
        reporters: reporters
            .into_iter()
            .map(|r| {
                Ok(CaseReporter {
                    email: parse_email("case_reporters.email", &r.email)?,
                    name: r.name,
                    user: r
                        .user_id
                        .as_deref()
                        .map(|u| user_id("case_reporters.user_id", u))
                        .transpose()?,
                    report: parse_uuid("case_reporters.report_id", &r.report_id)?.into(),
                    credit: Credit {
                        consent: r.credit_consent != 0,
                        name: r.credit_name,
                    },
                })
            })
            .collect::<Result<_, StoreError>>()?,
        cvss: Assessment {
            v3_1: vector("cases.cvss_v31", row.cvss_v31.as_deref())?,
            v4_0: vector("cases.cvss_v40", row.cvss_v40.as_deref())?,
        },
        cwes: cwes
            .into_iter()
            .map(|n| CweId::parse(&format!("CWE-{n}")).map_err(|_| corrupt("case_cwes.cwe", n)))
            .collect::<Result<_, _>>()?,
        affected: affected
            .into_iter()
            .map(restore_affected)
            .collect::<Result<BTreeMap<_, _>, _>>()?,
        assignee: row
            .assignee_id
            .as_deref()
            .map(|u| user_id("cases.assignee_id", u))
            .transpose()?,
        members: members
            .into_iter()
            .map(|m| {
                Ok(Member {
                    user: user_id("case_members.user_id", &m.user_id)?,
                    role: parse_case_role("case_members.role", &m.role)?,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        embargo: opt_micros("cases.embargo_at", row.embargo_at)?,
        embargo_reason: row.embargo_reason,
        cve: row
            .cve_id
            .as_deref()
            .map(|c| CveId::parse(c).map_err(|_| corrupt("cases.cve_id", c)))
            .transpose()?,
        links: links
            .iter()
            .map(|l| link("case_links.url", l))
            .collect::<Result<_, _>>()?,
        upstream,
        messages: messages
            .into_iter()
            .map(|m| {
                Ok(Message {
                    id: parse_uuid("messages.id", &m.id)?.into(),
                    author: user_id("messages.author_id", &m.author_id)?,
                    author_role: parse_role("messages.author_role", &m.author_role)?,
                    at: from_micros("messages.created_at", m.created_at)?,
                    visibility: parse_visibility("messages.visibility", &m.visibility)?,
                    body: m.body,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        deadlines: Deadlines {
            acknowledge: from_micros("cases.deadline_acknowledge", row.deadline_acknowledge)?,
            triage: from_micros("cases.deadline_triage", row.deadline_triage)?,
            fix: from_micros("cases.deadline_fix", row.deadline_fix)?,
            disclose: from_micros("cases.deadline_disclose", row.deadline_disclose)?,
        },
        paused: SignedDuration::from_micros(row.paused_micros),
        milestones: Milestones {
            acknowledged_at: opt_micros("cases.acknowledged_at", row.acknowledged_at)?,
            triaged_at: opt_micros("cases.triaged_at", row.triaged_at)?,
            released_at: opt_micros("cases.released_at", row.released_at)?,
            disclosed_at: opt_micros("cases.disclosed_at", row.disclosed_at)?,
        },
        estimate,
    };
    Ok(Some(Case::restore(record)))
}

/// The case a report with this tracking id is attached to; `None` when there is no such report or
/// it is not attached yet.
pub async fn find_by_tracking(
    conn: &mut AnyConnection,
    tracking: &TrackingId,
) -> Result<Option<CaseId>, StoreError> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT case_id FROM reports WHERE tracking_id = $1")
            .bind(tracking.to_string())
            .fetch_optional(conn)
            .await?;
    found
        .flatten()
        .map(|c| case_id("reports.case_id", &c))
        .transpose()
}

// ----- audit -----

/// Appends audit events, in the order given. The table refuses updates and deletes.
pub async fn append_audit(
    conn: &mut AnyConnection,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    for e in events {
        sqlx::query(
            "INSERT INTO audit_events (case_id, actor_id, actor_role, occurred_at, action, \
             before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.case.to_string())
        .bind(e.actor.to_string())
        .bind(role_code(e.actor_role))
        .bind(to_micros(e.at))
        .bind(action_code(e.action))
        .bind(e.before.as_ref().map(ToString::to_string))
        .bind(e.after.as_ref().map(ToString::to_string))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    case_id: String,
    actor_id: String,
    actor_role: String,
    occurred_at: i64,
    action: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

fn json(column: &'static str, v: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    v.map(|s| serde_json::from_str(&s).map_err(|_| corrupt(column, &s)))
        .transpose()
}

/// The case's audit trail, in the order it was appended.
pub async fn audit(conn: &mut AnyConnection, id: CaseId) -> Result<Vec<AuditEvent>, StoreError> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT case_id, actor_id, actor_role, occurred_at, action, before_json, after_json \
         FROM audit_events WHERE case_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEvent {
                case: case_id("audit_events.case_id", &r.case_id)?,
                actor: user_id("audit_events.actor_id", &r.actor_id)?,
                actor_role: parse_role("audit_events.actor_role", &r.actor_role)?,
                at: from_micros("audit_events.occurred_at", r.occurred_at)?,
                action: parse_action("audit_events.action", &r.action)?,
                before: json("audit_events.before_json", r.before_json)?,
                after: json("audit_events.after_json", r.after_json)?,
            })
        })
        .collect()
}

// ----- the work queue -----

/// Which cases [`list`] returns. Every given condition must hold (they combine with AND); empty
/// lists and `None` do not filter. Access rules are the caller's: pass `member` for engineers and
/// collaborators, `reporter_user` (or `reporter_email`) for reporters.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// In one of these states.
    pub states: Vec<StateKind>,
    /// Of one of these severities (unscored cases never match).
    pub severities: Vec<Severity>,
    /// Affecting this release line: its recorded status is affected, fix-in-progress, fixed or
    /// won't-fix ([`AffectedStatus::is_affected`]).
    pub release_line: Option<ReleaseLineId>,
    /// Affecting a release line of this product (as `release_line`, for any of its lines).
    pub product: Option<ProductId>,
    pub assignee: Option<UserId>,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only cases this user is a member of (engineer or collaborator).
    pub member: Option<UserId>,
    /// Only cases with a reporter of this address (compared ignoring ASCII case).
    pub reporter_email: Option<ReporterEmail>,
    /// Only cases with a reporter linked to this account.
    pub reporter_user: Option<UserId>,
    /// `Some(true)`: upstream cases only; `Some(false)`: our own code only.
    pub upstream: Option<bool>,
    /// Words that must all appear (ignoring case) in the case's title or description, a report's
    /// subject or body (when `search_reports`), or a message of one of `search_visibilities`.
    pub search: Vec<String>,
    /// Whether the search looks into the reports as received (the team's view only).
    pub search_reports: bool,
    /// Whether the search looks into the case description (not the reporter's view).
    pub search_description: bool,
    /// Message visibilities the search may look into (the caller's, never more).
    pub search_visibilities: Vec<Visibility>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            states: Vec::new(),
            severities: Vec::new(),
            release_line: None,
            product: None,
            assignee: None,
            unassigned: false,
            member: None,
            reporter_email: None,
            reporter_user: None,
            upstream: None,
            search: Vec::new(),
            search_reports: false,
            search_description: false,
            search_visibilities: Vec::new(),
            limit: 100,
            offset: 0,
        }
    }
}

/// One line of the work queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub version: i64,
    pub title: String,
    pub state: CaseState,
    pub score: Option<Score>,
    pub severity: Option<Severity>,
    pub cve: Option<CveId>,
    pub assignee: Option<UserId>,
    pub upstream_project: Option<String>,
    pub opened_at: Timestamp,
    pub embargo: Option<Timestamp>,
    /// The earliest pending deadline as it stands at the `now` of the query (needs-info pauses
    /// included), `None` when nothing is pending; equal to `Case::due_key(now).next_deadline()`.
    pub next_deadline: Option<Timestamp>,
    /// The next deadline has passed (`Case::due_key(now).is_overdue()`).
    pub overdue: bool,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    version: i64,
    title: String,
    state: String,
    resume_to: Option<String>,
    paused_since: Option<i64>,
    reject_reason: Option<String>,
    duplicate_of: Option<String>,
    score_tenths: Option<i64>,
    severity: Option<String>,
    cve_id: Option<String>,
    assignee_id: Option<String>,
    upstream_project: Option<String>,
    opened_at: i64,
    embargo_at: Option<i64>,
    updated_at: i64,
    due_eff: Option<i64>,
}

/// Cases matching `filter`, in work-queue order at `now` (see the module documentation).
pub async fn list(
    conn: &mut AnyConnection,
    filter: &CaseFilter,
    now: Timestamp,
) -> Result<Vec<CaseSummary>, StoreError> {
    let mut binds = vec![Bind::Int(to_micros(now))];
    let next = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut conditions: Vec<String> = Vec::new();
    if !filter.states.is_empty() {
        let list: Vec<String> = filter
            .states
            .iter()
            .map(|s| next(&mut binds, Bind::Text(state_code(*s).into())))
            .collect();
        conditions.push(format!("c.state IN ({})", list.join(", ")));
    }
    if !filter.severities.is_empty() {
        let list: Vec<String> = filter
            .severities
            .iter()
            .map(|s| next(&mut binds, Bind::Text(severity_code(*s).into())))
            .collect();
        conditions.push(format!("c.severity IN ({})", list.join(", ")));
    }
    if let Some(line) = filter.release_line {
        let p = next(&mut binds, Bind::Text(line.to_string()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_affected a WHERE a.case_id = c.id \
             AND a.release_line_id = {p} \
             AND a.status IN ('affected', 'fix-in-progress', 'fixed', 'wont-fix'))"
        ));
    }
    if let Some(product) = filter.product {
        let p = next(&mut binds, Bind::Text(product.to_string()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_affected a \
             JOIN release_lines l ON l.id = a.release_line_id \
             JOIN editions e ON e.id = l.edition_id \
             WHERE a.case_id = c.id AND e.product_id = {p} \
             AND a.status IN ('affected', 'fix-in-progress', 'fixed', 'wont-fix'))"
        ));
    }
    if let Some(user) = filter.assignee {
        let p = next(&mut binds, Bind::Text(user.to_string()));
        conditions.push(format!("c.assignee_id = {p}"));
    }
    if filter.unassigned {
        conditions.push("c.assignee_id IS NULL".to_owned());
    }
    if let Some(user) = filter.member {
        let p = next(&mut binds, Bind::Text(user.to_string()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = {p})"
        ));
    }
    if let Some(email) = &filter.reporter_email {
        let p = next(&mut binds, Bind::Text(reporter_key(email)));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_reporters r WHERE r.case_id = c.id AND r.email_key = {p})"
        ));
    }
    if let Some(user) = filter.reporter_user {
        let p = next(&mut binds, Bind::Text(user.to_string()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_reporters r WHERE r.case_id = c.id AND r.user_id = {p})"
        ));
    }
    match filter.upstream {
        Some(true) => conditions.push("c.upstream_project IS NOT NULL".into()),
        Some(false) => conditions.push("c.upstream_project IS NULL".into()),
        None => {}
    }
    for word in filter.search.iter().filter(|w| !w.is_empty()) {
        let escaped = word
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = next(&mut binds, Bind::Text(format!("%{escaped}%")));
        let mut any = vec![format!("LOWER(c.title) LIKE {p} ESCAPE '\\'")];
        if filter.search_description {
            any.push(format!("LOWER(c.description) LIKE {p} ESCAPE '\\'"));
        }
        if filter.search_reports {
            any.push(format!(
                "EXISTS (SELECT 1 FROM reports rp WHERE rp.case_id = c.id AND \
                 (LOWER(rp.subject) LIKE {p} ESCAPE '\\' OR LOWER(rp.body) LIKE {p} ESCAPE '\\'))"
            ));
        }
        if !filter.search_visibilities.is_empty() {
            let vis: Vec<String> = filter
                .search_visibilities
                .iter()
                .map(|v| format!("'{}'", crate::codes::visibility_code(*v)))
                .collect();
            any.push(format!(
                "EXISTS (SELECT 1 FROM messages ms WHERE ms.case_id = c.id AND \
                 ms.visibility IN ({}) AND LOWER(ms.body) LIKE {p} ESCAPE '\\')",
                vis.join(", ")
            ));
        }
        conditions.push(format!("({})", any.join(" OR ")));
    }
    let limit = next(&mut binds, Bind::Int(filter.limit.max(0)));
    let offset = next(&mut binds, Bind::Int(filter.offset.max(0)));
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    // $1 is `now`. The pause so far applies only in needs-info; the pinned disclosure never moves.
    let shifted = "(c.due_at + CASE WHEN c.state = 'needs-info' AND $1 > c.paused_since \
                   THEN $1 - c.paused_since ELSE 0 END)";
    let sql = format!(
        "SELECT * FROM (SELECT c.id, c.version, c.title, c.state, c.resume_to, c.paused_since, \
         c.reject_reason, c.duplicate_of, c.score_tenths, c.severity, c.cve_id, c.assignee_id, \
         c.upstream_project, c.opened_at, c.embargo_at, c.updated_at, \
         CASE WHEN c.due_at IS NULL THEN c.due_pinned_at \
              WHEN c.due_pinned_at IS NULL OR {shifted} < c.due_pinned_at THEN {shifted} \
              ELSE c.due_pinned_at END AS due_eff \
         FROM cases c {where_clause}) q \
         ORDER BY CASE WHEN q.due_eff IS NULL THEN 2 WHEN q.due_eff < $1 THEN 0 ELSE 1 END, \
         q.due_eff, q.id LIMIT {limit} OFFSET {offset}"
    );
    let mut query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = bind.apply_as(query);
    }
    let rows = query.fetch_all(conn).await?;
    let now_micros = to_micros(now);
    rows.into_iter()
        .map(|r| {
            let score = r
                .score_tenths
                .map(|t| {
                    u8::try_from(t)
                        .ok()
                        .and_then(Score::from_tenths)
                        .ok_or_else(|| corrupt("cases.score_tenths", t))
                })
                .transpose()?;
            Ok(CaseSummary {
                id: case_id("cases.id", &r.id)?,
                version: r.version,
                title: r.title,
                state: restore_state(
                    &r.state,
                    r.resume_to.as_deref(),
                    r.paused_since,
                    r.reject_reason.as_deref(),
                    r.duplicate_of.as_deref(),
                )?,
                score,
                severity: r
                    .severity
                    .as_deref()
                    .map(|s| parse_severity("cases.severity", s))
                    .transpose()?,
                cve: r
                    .cve_id
                    .as_deref()
                    .map(|c| CveId::parse(c).map_err(|_| corrupt("cases.cve_id", c)))
                    .transpose()?,
                assignee: r
                    .assignee_id
                    .as_deref()
                    .map(|u| user_id("cases.assignee_id", u))
                    .transpose()?,
                upstream_project: r.upstream_project,
                opened_at: from_micros("cases.opened_at", r.opened_at)?,
                embargo: opt_micros("cases.embargo_at", r.embargo_at)?,
                next_deadline: opt_micros("cases.due_at", r.due_eff)?,
                overdue: r.due_eff.is_some_and(|d| d < now_micros),
                updated_at: from_micros("cases.updated_at", r.updated_at)?,
            })
        })
        .collect()
}
