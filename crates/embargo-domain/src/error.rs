//! The one error type of the domain crate.
//!
//! Every fallible constructor (`parse`), every checked change of a [`Case`](crate::Case) and the policy
//! loader return [`DomainError`]. Variants say what was wrong and carry the values, so that `service`
//! can map them without string matching: [`DomainError::Forbidden`] becomes "not found" or "forbidden",
//! [`DomainError::Conflict`] becomes "someone else changed this case, reload", everything else is an
//! invalid input that names its field or value.

use crate::access::Role;
use crate::catalog::VersionScheme;
use crate::ids::{CaseId, ReleaseLineId, UserId};
use crate::state::{AllowedTargets, StateKind};

/// Everything that can go wrong in the domain layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// A text field failed its rule (empty title, overlong name, ...).
    #[error("invalid {field}: {reason}")]
    InvalidField { field: &'static str, reason: String },

    #[error("invalid reporter email {value:?}: {reason}")]
    InvalidEmail { value: String, reason: &'static str },

    #[error("invalid tracking id {value:?}: expected EMB- and 8 Crockford base32 characters")]
    InvalidTrackingId { value: String },

    #[error("invalid CWE id {value:?}: expected CWE- and a positive number, e.g. CWE-79")]
    InvalidCweId { value: String },

    #[error("invalid CVE id {value:?}: expected CVE-YYYY-NNNN with at least four sequence digits")]
    InvalidCveId { value: String },

    #[error("invalid sha256 digest {value:?}: expected 64 hexadecimal characters")]
    InvalidSha256 { value: String },

    #[error("invalid media type {value:?}: expected type/subtype")]
    InvalidMediaType { value: String },

    #[error("invalid link {value:?}: expected an http or https URL")]
    InvalidLink { value: String },

    #[error("invalid version {value:?}: {reason}")]
    InvalidVersion { value: String, reason: &'static str },

    #[error("version {version} does not follow the {expected} scheme of this release line")]
    VersionSchemeMismatch {
        version: String,
        expected: VersionScheme,
    },

    #[error(
        "invalid release line name {value:?}: expected the version prefix and .x, e.g. {example}"
    )]
    InvalidLineName {
        value: String,
        example: &'static str,
    },

    #[error("version {version} does not belong to release line {line}")]
    VersionNotInLine { version: String, line: String },

    #[error("unknown release line {0}")]
    UnknownReleaseLine(ReleaseLineId),

    #[error("invalid CVSS vector {value:?}: {reason}")]
    InvalidCvss { value: String, reason: String },

    #[error("CVSS {version} cannot be a case's own assessment; use CVSS 3.1 or 4.0")]
    UnsupportedCvssVersion { version: &'static str },

    #[error("cannot move case from {from} to {to}; allowed: {allowed}")]
    InvalidTransition {
        from: StateKind,
        to: StateKind,
        allowed: AllowedTargets,
    },

    #[error("moving a case from {from} to {to} needs a reason")]
    ReasonRequired { from: StateKind, to: StateKind },

    #[error("case {0} cannot be a duplicate of itself")]
    DuplicateOfItself(CaseId),

    #[error("{role} {user} may not {action}")]
    Forbidden {
        user: UserId,
        role: Role,
        action: &'static str,
    },

    #[error(
        "the case changed since it was read (read version {read}, now {current}); reload and retry"
    )]
    Conflict { read: i64, current: i64 },

    #[error("user {0} is not a member of this case")]
    NotAMember(UserId),

    #[error("no reporter with email {0} on this case")]
    UnknownReporter(String),

    #[error("release {version} shipped on {on} and can no longer change")]
    ReleaseShipped {
        version: String,
        on: jiff::civil::Date,
    },

    /// A case may not be disclosed while a supported affected line has no fix, unless an admin
    /// overrides with a recorded reason.
    #[error(
        "supported affected release lines have no fix yet: {lines}; an admin may disclose anyway with a recorded override reason"
    )]
    UnfixedLines { lines: String },

    /// The timeline policy could not be read; `message` names the key at fault.
    #[error("invalid timeline policy: {message}")]
    Policy { message: String },
}
