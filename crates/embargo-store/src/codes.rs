//! How domain enums are spelled in the database. Each mapping is written once, as a list of
//! `variant => code` pairs: writing matches every variant (so a new variant fails to compile until
//! it has a code) and reading accepts exactly the listed codes; anything else is
//! [`StoreError::Corrupt`]. The codes are also the values the migrations' CHECK constraints allow.

use embargo_domain::state::{ResumeTo, StateKind};
use embargo_domain::{
    AuditAction, CaseRole, Channel, Justification, Role, Severity, VersionScheme, Visibility,
};

use crate::StoreError;

macro_rules! codes {
    ($(#[$doc:meta])* $ty:ty, $to:ident, $from:ident, { $($variant:path => $code:literal),* $(,)? }) => {
        $(#[$doc])*
        pub fn $to(value: $ty) -> &'static str {
            match value {
                $($variant => $code,)*
            }
        }

        pub(crate) fn $from(column: &'static str, code: &str) -> Result<$ty, StoreError> {
            match code {
                $($code => Ok($variant),)*
                _ => Err(StoreError::Corrupt { column, value: code.to_owned() }),
            }
        }
    };
}

codes!(StateKind, state_code, parse_state, {
    StateKind::New => "new",
    StateKind::Acknowledged => "acknowledged",
    StateKind::Triage => "triage",
    StateKind::NeedsInfo => "needs-info",
    StateKind::Accepted => "accepted",
    StateKind::Rejected => "rejected",
    StateKind::FixInProgress => "fix-in-progress",
    StateKind::FixVerified => "fix-verified",
    StateKind::Released => "released",
    StateKind::Disclosed => "disclosed",
});

codes!(ResumeTo, resume_code, parse_resume, {
    ResumeTo::Acknowledged => "acknowledged",
    ResumeTo::Triage => "triage",
    ResumeTo::Accepted => "accepted",
});

codes!(
    /// `none`, `low`, `medium`, `high`, `critical`.
    Severity, severity_code, parse_severity, {
    Severity::None => "none",
    Severity::Low => "low",
    Severity::Medium => "medium",
    Severity::High => "high",
    Severity::Critical => "critical",
});

codes!(Role, role_code, parse_role, {
    Role::Admin => "admin",
    Role::Team => "team",
    Role::Engineer => "engineer",
    Role::Collaborator => "collaborator",
    Role::Reporter => "reporter",
});

codes!(CaseRole, case_role_code, parse_case_role, {
    CaseRole::Engineer => "engineer",
    CaseRole::Collaborator => "collaborator",
});

codes!(Visibility, visibility_code, parse_visibility, {
    Visibility::Reporter => "reporter",
    Visibility::Collaborators => "collaborators",
    Visibility::Internal => "internal",
});

codes!(Channel, channel_code, parse_channel, {
    Channel::Email => "email",
    Channel::WebForm => "web-form",
    Channel::Api => "api",
    Channel::Import => "import",
});

codes!(Justification, justification_code, parse_justification, {
    Justification::ComponentNotPresent => "component_not_present",
    Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
    Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
    Justification::VulnerableCodeCannotBeControlledByAdversary => "vulnerable_code_cannot_be_controlled_by_adversary",
    Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
});

codes!(
    /// The `editions.version_scheme` values: `three-part` and `four-part`.
    VersionScheme, version_scheme_code, parse_version_scheme, {
    VersionScheme::Semver => "three-part",
    VersionScheme::Enterprise => "four-part",
});

codes!(AuditAction, action_code, parse_action, {
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
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_code_and_matches_the_domain_spelling() {
        for kind in StateKind::ALL {
            assert_eq!(state_code(kind), kind.as_str());
            assert_eq!(
                parse_state("cases.state", state_code(kind)).ok(),
                Some(kind)
            );
        }
    }

    #[test]
    fn audit_actions_and_roles_use_the_domain_spelling() {
        for action in [AuditAction::CaseOpened, AuditAction::EstimateGiven] {
            assert_eq!(action_code(action), action.as_str());
        }
        for role in [Role::Admin, Role::Reporter] {
            assert_eq!(role_code(role), role.as_str());
        }
    }

    #[test]
    fn an_unknown_code_is_reported_as_corrupt_with_its_column() {
        match parse_state("cases.state", "limbo") {
            Err(StoreError::Corrupt { column, value }) => {
                assert_eq!((column, value.as_str()), ("cases.state", "limbo"));
            }
            other => panic!("{other:?}"),
        }
    }
}
