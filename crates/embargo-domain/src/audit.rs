//! The audit trail: every change to a case yields [`AuditEvent`]s saying who, when, what, and the
//! value before and after. `service` stores them in the same transaction as the change.
//!
//! Snapshots hold structured values, never message bodies or descriptions: the audit log may be read
//! by more people than the case, and embargoed text stays in the case.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::access::{Actor, Role};
use crate::ids::{CaseId, UserId};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    CaseOpened,
    ReportAttached,
    StateChanged,
    TitleChanged,
    DescriptionChanged,
    CvssChanged,
    CweChanged,
    AffectedChanged,
    MemberAdded,
    MemberRemoved,
    AssigneeChanged,
    ReporterLinked,
    CreditChanged,
    EmbargoChanged,
    CveAssigned,
    LinkAdded,
    UpstreamChanged,
    MessagePosted,
    DeadlinesChanged,
    EstimateGiven,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::CaseOpened => "case-opened",
            AuditAction::ReportAttached => "report-attached",
            AuditAction::StateChanged => "state-changed",
            AuditAction::TitleChanged => "title-changed",
            AuditAction::DescriptionChanged => "description-changed",
            AuditAction::CvssChanged => "cvss-changed",
            AuditAction::CweChanged => "cwe-changed",
            AuditAction::AffectedChanged => "affected-changed",
            AuditAction::MemberAdded => "member-added",
            AuditAction::MemberRemoved => "member-removed",
            AuditAction::AssigneeChanged => "assignee-changed",
            AuditAction::ReporterLinked => "reporter-linked",
            AuditAction::CreditChanged => "credit-changed",
            AuditAction::EmbargoChanged => "embargo-changed",
            AuditAction::CveAssigned => "cve-assigned",
            AuditAction::LinkAdded => "link-added",
            AuditAction::UpstreamChanged => "upstream-changed",
            AuditAction::MessagePosted => "message-posted",
            AuditAction::DeadlinesChanged => "deadlines-changed",
            AuditAction::EstimateGiven => "estimate-given",
        }
    }
}

/// One audited change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub case: CaseId,
    pub actor: UserId,
    /// The actor's role at the time, since roles change.
    pub actor_role: Role,
    pub at: Timestamp,
    pub action: AuditAction,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEvent {
    pub(crate) fn new<B: Serialize, A: Serialize>(
        case: CaseId,
        actor: &Actor,
        at: Timestamp,
        action: AuditAction,
        before: Option<B>,
        after: Option<A>,
    ) -> Self {
        AuditEvent {
            case,
            actor: actor.id,
            actor_role: actor.role,
            at,
            action,
            before: before.map(|b| snapshot(&b)),
            after: after.map(|a| snapshot(&a)),
        }
    }
}

/// A JSON snapshot of a domain value. The domain's snapshot types serialize infallibly (string keys,
/// no non-finite floats); should one ever fail, the failure is recorded instead of lost.
pub(crate) fn snapshot<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("<unserializable: {e}>")))
}
