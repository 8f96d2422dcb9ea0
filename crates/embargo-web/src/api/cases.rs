//! `/api/v1/cases`: the work queue, one case, and every change to it. Each change names the
//! `expected_version` it is based on; a stale one is a 409 the client can show.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use embargo_domain::{
    AffectedStatus, CaseRole, CvssVersion, Justification, Link, ReleaseLineId, StateKind, Version,
    Visibility,
};
use embargo_service::ServiceError;
use embargo_service::cases::{self, CaseQuery, CaseRef};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{ListErrors, ReadErrors, WriteErrors};

use super::wire::{self, CaseJson, CaseSummaryJson};
use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

type ApiResult<T> = Result<AppJson<T>, ApiError>;

fn invalid(field: &'static str, reason: impl Into<String>) -> ApiError {
    ApiError(ServiceError::Invalid {
        field,
        reason: reason.into(),
    })
}

fn parse_state(s: &str) -> Result<StateKind, ApiError> {
    Ok(cases::parse_state(s)?)
}

fn parse_severity(s: &str) -> Result<embargo_cvss::Severity, ApiError> {
    use embargo_cvss::Severity::*;
    [None, Low, Medium, High, Critical]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| invalid("severity", format!("unknown severity {s:?}")))
}

fn parse_uuid<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<T, ApiError> {
    s.parse()
        .map_err(|_| invalid(field, format!("{s:?} is not an id")))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Comma-separated states.
    state: Option<String>,
    /// Comma-separated severities.
    severity: Option<String>,
    release_line: Option<String>,
    /// A product id: cases affecting any of its release lines.
    product: Option<String>,
    /// A user id.
    assignee: Option<String>,
    /// `true`: only cases nobody is assigned to.
    unassigned: Option<bool>,
    upstream: Option<bool>,
    /// Words to search for in the cases, their reports and the messages the caller may read.
    q: Option<String>,
    limit: Option<i64>,
}

/// The work queue: the cases the caller may see, most urgent first.
#[utoipa::path(
    get,
    path = "/cases",
    operation_id = "list_cases",
    tag = "cases",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The cases", body = Vec<CaseSummaryJson>), ListErrors)
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<CaseSummaryJson>> {
    let split = |s: &Option<String>| -> Vec<String> {
        s.as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let query = CaseQuery {
        states: split(&q.state)
            .iter()
            .map(|s| parse_state(s))
            .collect::<Result<_, _>>()?,
        severities: split(&q.severity)
            .iter()
            .map(|s| parse_severity(s))
            .collect::<Result<_, _>>()?,
        release_line: q
            .release_line
            .as_deref()
            .map(|s| parse_uuid::<ReleaseLineId>("release_line", s))
            .transpose()?,
        product: q
            .product
            .as_deref()
            .map(|s| parse_uuid("product", s))
            .transpose()?,
        assignee: q
            .assignee
            .as_deref()
            .map(|s| parse_uuid("assignee", s))
            .transpose()?,
        unassigned: q.unassigned.unwrap_or(false),
        upstream: q.upstream,
        search: q.q,
        limit: q.limit,
    };
    let rows = cases::list(&state.app, &who, query).await?;
    Ok(AppJson(rows.iter().map(wire::summary_json).collect()))
}

/// One case, cut down to what the caller may see.
#[utoipa::path(
    get,
    path = "/cases/{case}",
    operation_id = "get_case",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), ReadErrors)
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> ApiResult<CaseJson> {
    let view = cases::get(&state.app, &who, CaseRef::parse(&case)?).await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// A move to another state.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransitionJson {
    to: String,
    expected_version: i64,
    reason: Option<String>,
    /// For `rejected`: not-a-vulnerability, duplicate, out-of-scope, informative.
    reject_reason: Option<String>,
    /// For a duplicate: the case it duplicates.
    duplicate_of: Option<String>,
    /// For `disclosed` while a supported affected line has no fix: an admin's recorded reason.
    override_reason: Option<String>,
}

/// Moves the case to another state.
#[utoipa::path(
    post,
    path = "/cases/{case}/transitions",
    operation_id = "transition_case",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = TransitionJson,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn transition(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<TransitionJson>,
) -> ApiResult<CaseJson> {
    let to = cases::parse_target(
        &body.to,
        body.reject_reason.as_deref(),
        body.duplicate_of.as_deref(),
    )?;
    let view = cases::transition(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        Some(body.expected_version),
        to,
        body.reason.as_deref(),
        body.override_reason.as_deref(),
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// A CVSS vector (3.1 or 4.0) for the case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CvssJson {
    vector: String,
    expected_version: i64,
}

/// Scores the case; its deadlines follow the timeline policy.
#[utoipa::path(
    put,
    path = "/cases/{case}/cvss",
    operation_id = "set_case_cvss",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = CvssJson,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn set_cvss(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<CvssJson>,
) -> ApiResult<CaseJson> {
    let view = cases::set_cvss(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
        &body.vector,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VersionQuery {
    /// The case version the change is based on.
    expected_version: i64,
}

/// Removes one CVSS vector of the case.
#[utoipa::path(
    delete,
    path = "/cases/{case}/cvss/{version}",
    operation_id = "remove_case_cvss",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        ("version" = String, Path, description = "The CVSS version: `3.1` or `4.0`"),
        VersionQuery
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn remove_cvss(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((case, version)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<CaseJson> {
    let version = match version.as_str() {
        "3.1" => CvssVersion::V3_1,
        "4.0" => CvssVersion::V4_0,
        other => return Err(invalid("version", format!("{other:?}: use 3.1 or 4.0"))),
    };
    let view = cases::remove_cvss(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        q.expected_version,
        version,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// Whether a release line is affected, and where it is fixed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AffectedBody {
    /// unknown, affected, not-affected, fix-in-progress, fixed or wont-fix.
    pub(crate) status: String,
    pub(crate) expected_version: i64,
    pub(crate) justification: Option<String>,
    pub(crate) fixed_in: Option<String>,
    #[serde(default)]
    pub(crate) links: Vec<String>,
    #[serde(default)]
    pub(crate) verified: bool,
    pub(crate) reason: Option<String>,
}

pub(crate) fn affected_status(
    b: &AffectedBody,
    who: &embargo_service::accounts::Principal,
    now: jiff::Timestamp,
) -> Result<AffectedStatus, ApiError> {
    Ok(match b.status.as_str() {
        "unknown" => AffectedStatus::Unknown,
        "affected" => AffectedStatus::Affected,
        "fix-in-progress" => AffectedStatus::FixInProgress,
        "not-affected" => {
            let j = b
                .justification
                .as_deref()
                .ok_or_else(|| invalid("justification", "not-affected needs a justification"))?;
            let justification = [
                Justification::ComponentNotPresent,
                Justification::VulnerableCodeNotPresent,
                Justification::VulnerableCodeNotInExecutePath,
                Justification::VulnerableCodeCannotBeControlledByAdversary,
                Justification::InlineMitigationsAlreadyExist,
            ]
            .into_iter()
            .find(|x| x.as_str() == j)
            .ok_or_else(|| invalid("justification", format!("unknown VEX justification {j:?}")))?;
            AffectedStatus::NotAffected { justification }
        }
        "fixed" => {
            let v = b
                .fixed_in
                .as_deref()
                .ok_or_else(|| invalid("fixed_in", "fixed needs the fixed-in version"))?;
            let fixed_in = Version::parse(v).map_err(|e| invalid("fixed_in", e.to_string()))?;
            let links = b
                .links
                .iter()
                .map(|l| Link::parse(l).map_err(|e| invalid("links", e.to_string())))
                .collect::<Result<_, _>>()?;
            AffectedStatus::Fixed {
                fixed_in,
                links,
                verified_by: b.verified.then_some(who.actor.id),
                verified_at: b.verified.then_some(now),
            }
        }
        "wont-fix" => AffectedStatus::WontFix {
            reason: b
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| invalid("reason", "wont-fix needs a reason"))?,
        },
        other => {
            return Err(invalid(
                "status",
                format!(
                    "unknown status {other:?}; one of unknown, affected, not-affected, fix-in-progress, fixed, wont-fix"
                ),
            ));
        }
    })
}

/// Records the case's status on one release line.
#[utoipa::path(
    put,
    path = "/cases/{case}/affected/{line}",
    operation_id = "set_case_affected",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        ("line" = String, Path, description = "A release line id"),
    ),
    request_body = AffectedBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn set_affected(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((case, line)): Path<(String, String)>,
    AppJson(body): AppJson<AffectedBody>,
) -> ApiResult<CaseJson> {
    let line: ReleaseLineId = parse_uuid("release_line", &line)?;
    let status = affected_status(&body, &who, state.app.clock.now())?;
    let view = cases::set_affected(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
        line,
        status,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// A message in the case's thread.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessageBody {
    /// reporter, collaborators or internal. Required: a message is never ambiguous.
    visibility: String,
    /// Markdown; may be empty when files are sent.
    #[serde(default)]
    body: String,
    /// Files sent with the message, readable by whoever may read it.
    #[serde(default)]
    files: Vec<super::reports::FileJson>,
}

/// Posts a message at a visibility the caller can read.
#[utoipa::path(
    post,
    path = "/cases/{case}/messages",
    operation_id = "post_case_message",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = MessageBody,
    security(("bearer" = [])),
    responses((status = 201, description = "The case with the message", body = CaseJson), WriteErrors)
)]
pub(crate) async fn post_message(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<MessageBody>,
) -> Result<(StatusCode, AppJson<CaseJson>), ApiError> {
    let visibility = match body.visibility.as_str() {
        "reporter" => Visibility::Reporter,
        "collaborators" => Visibility::Collaborators,
        "internal" => Visibility::Internal,
        other => {
            return Err(invalid(
                "visibility",
                format!("{other:?}: use reporter, collaborators or internal"),
            ));
        }
    };
    let uploads = super::reports::uploads(body.files, "files")?;
    let view = cases::post_message_with_files(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        visibility,
        &body.body,
        &uploads,
    )
    .await?;
    Ok((StatusCode::CREATED, AppJson(wire::case_json(&view))))
}

/// An account to invite to the case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberBody {
    /// A username.
    user: String,
    role: String,
    expected_version: i64,
}

/// Invites an engineer or collaborator to the case; the team only.
#[utoipa::path(
    post,
    path = "/cases/{case}/members",
    operation_id = "add_case_member",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = MemberBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn add_member(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<MemberBody>,
) -> ApiResult<CaseJson> {
    let role = match body.role.as_str() {
        "engineer" => CaseRole::Engineer,
        "collaborator" => CaseRole::Collaborator,
        other => {
            return Err(invalid(
                "role",
                format!("{other:?}: use engineer or collaborator"),
            ));
        }
    };
    let view = cases::add_member(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
        &body.user,
        role,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// Who works on the case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssigneeBody {
    /// A username (a team member, or an engineer invited to the case); null for nobody.
    user: Option<String>,
    expected_version: i64,
}

/// Assigns the case to a team member or an engineer of the case, or to nobody; the team only.
#[utoipa::path(
    put,
    path = "/cases/{case}/assignee",
    operation_id = "set_case_assignee",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = AssigneeBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn set_assignee(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<AssigneeBody>,
) -> ApiResult<CaseJson> {
    let view = cases::assign(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
        body.user.as_deref(),
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// Whether and how the reporter wants to be credited in the advisory.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreditBody {
    consent: bool,
    /// The name to credit; empty or absent: the name they reported under.
    name: Option<String>,
}

/// Sets the caller's own credit consent and name on a case they reported; reporters only.
#[utoipa::path(
    put,
    path = "/cases/{case}/credit",
    operation_id = "set_own_credit",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = CreditBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn set_credit(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<CreditBody>,
) -> ApiResult<CaseJson> {
    let view = cases::set_own_credit(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.consent,
        body.name.as_deref(),
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// The case version the estimate is based on.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EstimateBody {
    expected_version: i64,
}

/// Gives the reporter the case's current fix and disclosure deadlines as the estimate.
#[utoipa::path(
    post,
    path = "/cases/{case}/estimate",
    operation_id = "give_case_estimate",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = EstimateBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn give_estimate(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<EstimateBody>,
) -> ApiResult<CaseJson> {
    let view = cases::give_estimate(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// One entry of a case's audit trail.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditJson {
    actor: String,
    actor_role: &'static str,
    #[schema(value_type = String, format = DateTime)]
    at: jiff::Timestamp,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<serde_json::Value>,
}

/// The case's audit trail; the team and engineer members.
#[utoipa::path(
    get,
    path = "/cases/{case}/audit",
    operation_id = "get_case_audit",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The audit trail, oldest first", body = Vec<AuditJson>), ReadErrors)
)]
pub(crate) async fn audit(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> ApiResult<Vec<AuditJson>> {
    let events = cases::audit(&state.app, &who, CaseRef::parse(&case)?).await?;
    Ok(AppJson(
        events
            .into_iter()
            .map(|e| AuditJson {
                actor: e.actor.to_string(),
                actor_role: e.actor_role.as_str(),
                at: e.at,
                action: e.action.as_str(),
                before: e.before,
                after: e.after,
            })
            .collect(),
    ))
}

/// One mail to a reporter and its delivery state.
#[derive(Serialize, ToSchema)]
pub(crate) struct MailJson {
    id: String,
    kind: String,
    recipient: String,
    message_id: String,
    subject: String,
    state: String,
    attempts: i64,
    #[schema(value_type = String, format = DateTime)]
    next_attempt_at: jiff::Timestamp,
    last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    sent_at: Option<jiff::Timestamp>,
}

/// The mails about a case and whether each was delivered; the team only.
#[utoipa::path(
    get,
    path = "/cases/{case}/mail",
    operation_id = "get_case_mail",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The mails, oldest first", body = Vec<MailJson>), ReadErrors)
)]
pub(crate) async fn mail(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> ApiResult<Vec<MailJson>> {
    let mails =
        embargo_service::mail::case_outbox(&state.app, &who, CaseRef::parse(&case)?).await?;
    Ok(AppJson(
        mails
            .into_iter()
            .map(|m| MailJson {
                id: m.id.to_string(),
                kind: m.kind,
                recipient: m.recipient,
                message_id: m.message_id,
                subject: m.subject,
                state: m.state,
                attempts: m.attempts,
                next_attempt_at: m.next_attempt_at,
                last_error: m.last_error,
                created_at: m.created_at,
                sent_at: m.sent_at,
            })
            .collect(),
    ))
}

/// The embargo set by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmbargoBody {
    /// When the advisory goes public (RFC 3339); `null` clears it.
    #[schema(value_type = Option<String>, format = DateTime)]
    at: Option<jiff::Timestamp>,
    /// Why it is set by hand (recorded in the audit trail).
    reason: String,
    expected_version: Option<i64>,
}

/// Sets the case's embargo by hand; from then on the default no longer moves it. The team only.
#[utoipa::path(
    put,
    path = "/cases/{case}/embargo",
    operation_id = "set_case_embargo",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = EmbargoBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn set_embargo(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<EmbargoBody>,
) -> ApiResult<CaseJson> {
    let view = cases::set_embargo(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        body.expected_version,
        body.at,
        &body.reason,
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}

/// Gives the case's embargo back to the default: the later of its last patch release and the
/// upstream's public date. The team only.
#[utoipa::path(
    delete,
    path = "/cases/{case}/embargo",
    operation_id = "reset_case_embargo",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        VersionQuery
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseJson), WriteErrors)
)]
pub(crate) async fn reset_embargo(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<CaseJson> {
    let view = cases::reset_embargo(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        Some(q.expected_version),
    )
    .await?;
    Ok(AppJson(wire::case_json(&view)))
}
