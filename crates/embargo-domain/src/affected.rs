//! Whether a case affects a release line, and what is being done about it.

use jiff::Timestamp;

use crate::DomainError;
use crate::catalog::{ReleaseLine, Version};
use crate::identifiers::Link;
use crate::ids::UserId;

/// Why a line is not affected, as CISA's VEX status justifications (also CSAF `flags` labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    pub const fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// The status of one (case, release line) pair. Lines without an entry are [`AffectedStatus::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum AffectedStatus {
    #[default]
    Unknown,
    Affected,
    NotAffected {
        justification: Justification,
    },
    FixInProgress,
    Fixed {
        /// The first release of the line with the fix.
        fixed_in: Version,
        links: Vec<Link>,
        verified_by: Option<UserId>,
        verified_at: Option<Timestamp>,
    },
    WontFix {
        reason: String,
    },
}

impl AffectedStatus {
    /// The line has (or had) the vulnerability: affected, being fixed, fixed, or won't be fixed.
    pub fn is_affected(&self) -> bool {
        matches!(
            self,
            AffectedStatus::Affected
                | AffectedStatus::FixInProgress
                | AffectedStatus::Fixed { .. }
                | AffectedStatus::WontFix { .. }
        )
    }

    /// Checks the status against the line it is for: a fix version of the line's scheme that
    /// belongs to the line, verification recorded as who and when together, a reason for won't-fix.
    pub fn check_for(&self, line: &ReleaseLine) -> Result<(), DomainError> {
        match self {
            AffectedStatus::Fixed {
                fixed_in,
                verified_by,
                verified_at,
                ..
            } => {
                line.check_version(fixed_in)?;
                if verified_by.is_some() != verified_at.is_some() {
                    return Err(DomainError::InvalidField {
                        field: "verification",
                        reason: "verified_by and verified_at go together".into(),
                    });
                }
                Ok(())
            }
            AffectedStatus::WontFix { reason } if reason.trim().is_empty() => {
                Err(DomainError::InvalidField {
                    field: "won't-fix reason",
                    reason: "empty".into(),
                })
            }
            _ => Ok(()),
        }
    }
}
