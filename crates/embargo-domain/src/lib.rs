//! Embargo's domain model: pure types and rules, no I/O.
//!
//! A **[`Report`]** is one submission exactly as received (email, web form, API or import): the
//! reporter's [`ReporterEmail`], subject, body, attachment metadata and an opaque reference to the raw
//! original. Reports are never edited or deleted; each gets a public [`TrackingId`] (`EMB-7Q2K9M4X`).
//!
//! A **[`Case`]** is one vulnerability. One or more reports attach to it. It carries the assessment
//! (CVSS 3.1 and/or 4.0 vectors, of which 4.0 decides score and severity; CWE ids), the
//! [`AffectedStatus`] of each [`ReleaseLine`] of the [`Catalog`] (Product › Edition › ReleaseLine), its
//! reporters with their credit wishes, members (engineers and invited collaborators), the embargo
//! date, CVE id, links, an optional [`Upstream`] and a message thread where every message has exactly
//! one [`Visibility`]: reporter, collaborators or internal.
//!
//! A case moves through **states** ([`CaseState`]): new → acknowledged → triage → accepted →
//! fix-in-progress → fix-verified → released → disclosed, with rejected (and reopen), and needs-info,
//! which pauses the deadline clock while waiting on the reporter. [`Case::transition`] checks both
//! the table and who is asking; a refusal names what is allowed
//! (`cannot move case from triage to released; allowed: accepted, rejected, needs-info`).
//!
//! ```text
//! from             allowed targets                     who
//! new              acknowledged                        team
//! acknowledged     triage, rejected, needs-info        team
//! triage           accepted, rejected, needs-info      team
//! needs-info       <the state it came from>, rejected  team
//! accepted         fix-in-progress, rejected, needs-info  team; engineer member to fix-in-progress
//! rejected         triage (reopen, reason required)    team
//! fix-in-progress  fix-verified, rejected              team; engineer member to fix-verified
//! fix-verified     released, fix-in-progress           team; engineer member to fix-in-progress
//! released         disclosed                           team
//! disclosed        (terminal)
//! ```
//!
//! The reasons behind the table (why acknowledged may reject spam, why needs-info stops once a fix
//! is being built) are in [`state`].
//!
//! **Access** is a set of pure functions of an [`Actor`] and their [`Membership`] of the case
//! ([`access`]): the team sees and runs everything, an engineer works on cases they are a member of, a
//! collaborator reads reporter and collaborator messages of the case they were invited to, a reporter
//! reads their own case's reporter messages. Every change method of `Case` applies them itself.
//!
//! Every change returns **[`AuditEvent`]s** (who, when, what, before and after) and increments the
//! case's `version`; an edit based on an older version fails with [`DomainError::Conflict`]
//! ([`Case::at_version`]).
//!
//! **Deadlines** come from the TOML timeline [`Policy`] ([`DEFAULT_POLICY_TOML`]): acknowledge,
//! triage, fix and disclose, by severity band, whether the latest major release line is affected and
//! the edition; first matching rule wins. They are stored on the case, recomputed (and audited) when
//! the score, the affected lines, the upstream or the policy change, and pushed back by time spent in
//! needs-info. An upstream's disclosure date replaces the policy's disclosure deadline. The shipped
//! defaults: acknowledge within 24 hours, triage within 5 days, fix critical / high / medium / low
//! within 14 / 30 / 60 / 120 days (7 / 14 / 30 days for critical / high / medium when the latest major
//! release line is affected; unscored cases count as medium), disclose 7 days after the fix deadline.
//! [`Case::overdue`] and [`Case::due_key`] drive the work queue.
//!
//! Time and randomness are parameters: nothing here reads the clock or generates ids.

pub mod access;
mod advisory;
mod affected;
mod audit;
mod case;
mod catalog;
mod cvss;
mod error;
#[cfg(test)]
mod fixtures;
mod identifiers;
mod ids;
mod policy;
mod release;
mod report;
pub mod state;

pub use access::{Access, Actor, CaseRole, Membership, Role, Visibility};
pub use advisory::{Advisory, AdvisoryContent, AdvisoryReference, ReferenceKind, Revision};
pub use affected::{AffectedStatus, Justification};
pub use audit::{AuditAction, AuditEvent};
pub use case::{
    Assessment, Case, CaseRecord, CaseReporter, Credit, DueKey, Member, Message, Milestones,
    NewCase, ReporterEstimate, Upstream,
};
pub use catalog::{
    Catalog, Component, Edition, LinePath, Product, ReleaseLine, Version, VersionScheme,
};
pub use cvss::{CvssVector, CvssVersion};
pub use embargo_cvss::{Score, Severity};
pub use error::DomainError;
pub use identifiers::{CveId, CweId, Link};
pub use ids::{
    AdvisoryId, CaseId, EditionId, MessageId, ProductId, ReleaseId, ReleaseLineId, ReportId, UserId,
};
pub use policy::{
    CaseFacts, DEFAULT_POLICY_TOML, DeadlineKind, Deadlines, Disclosure, Durations, Policy, Rule,
};
pub use release::{Release, Shipped};
pub use report::{
    Attachment, Channel, MediaType, NewReport, RawOriginal, Report, ReporterEmail,
    ReporterIdentity, Sha256Digest, TrackingId,
};
pub use state::{AllowedTargets, CaseState, RejectReason, ResumeTo, StateKind, Target};
