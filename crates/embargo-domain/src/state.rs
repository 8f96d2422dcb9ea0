//! Case states and the transition table.
//!
//! ```text
//! from \ to        allowed targets (in this order)
//! new              acknowledged
//! acknowledged     triage, rejected, needs-info
//! triage           accepted, rejected, needs-info
//! needs-info       <the state it came from>, rejected
//! accepted         fix-in-progress, rejected, needs-info
//! rejected         triage                     (reopen; a reason is required)
//! fix-in-progress  fix-verified, rejected
//! fix-verified     released, fix-in-progress  (back when verification fails)
//! released         disclosed
//! disclosed        (none: terminal)
//! ```
//!
//! Decisions:
//! - **Acknowledged may go straight to rejected.** Obvious spam and out-of-scope mail should not have
//!   to sit through triage; the reporter has been acknowledged, so they hear the outcome.
//! - **New may not be rejected.** Every report is acknowledged first, because the acknowledgement
//!   deadline is a promise to every reporter; spam is rejected right after acknowledging it.
//! - **Needs-info** is allowed from acknowledged, triage and accepted: the phases that wait on the
//!   reporter's knowledge. It returns only to the state it came from (or ends in rejected when the
//!   reporter never answers). It is not allowed once a fix is being built, so the vendor cannot pause
//!   its own fix clock.
//! - **Rejected after acceptance**: accepted and fix-in-progress may still be rejected (a duplicate
//!   found late, an issue that turns out not to be exploitable). Fix-verified and later may not: a
//!   verified fix ships.
//! - **Reopen** is rejected → triage and needs a reason.

use std::fmt;

use jiff::Timestamp;

use crate::ids::CaseId;

/// The name of a state, without its data. Printed in kebab case (`fix-in-progress`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum StateKind {
    New,
    Acknowledged,
    Triage,
    NeedsInfo,
    Accepted,
    Rejected,
    FixInProgress,
    FixVerified,
    Released,
    Disclosed,
}

impl StateKind {
    pub const ALL: [StateKind; 10] = [
        StateKind::New,
        StateKind::Acknowledged,
        StateKind::Triage,
        StateKind::NeedsInfo,
        StateKind::Accepted,
        StateKind::Rejected,
        StateKind::FixInProgress,
        StateKind::FixVerified,
        StateKind::Released,
        StateKind::Disclosed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
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
        }
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a case was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectReason {
    NotAVulnerability,
    /// Already tracked by another case.
    Duplicate(CaseId),
    OutOfScope,
    /// True, but not a vulnerability worth a fix (hardening advice, best practice).
    Informative,
}

/// The states a needs-info pause can return to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResumeTo {
    Acknowledged,
    Triage,
    Accepted,
}

impl ResumeTo {
    pub const fn kind(self) -> StateKind {
        match self {
            ResumeTo::Acknowledged => StateKind::Acknowledged,
            ResumeTo::Triage => StateKind::Triage,
            ResumeTo::Accepted => StateKind::Accepted,
        }
    }
}

/// A case's state, with the data some states carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CaseState {
    New,
    Acknowledged,
    Triage,
    /// Waiting on the reporter since `since`; the deadline clock is paused.
    NeedsInfo {
        resume_to: ResumeTo,
        since: Timestamp,
    },
    Accepted,
    Rejected {
        reason: RejectReason,
    },
    FixInProgress,
    FixVerified,
    Released,
    Disclosed,
}

impl CaseState {
    pub const fn kind(&self) -> StateKind {
        match self {
            CaseState::New => StateKind::New,
            CaseState::Acknowledged => StateKind::Acknowledged,
            CaseState::Triage => StateKind::Triage,
            CaseState::NeedsInfo { .. } => StateKind::NeedsInfo,
            CaseState::Accepted => StateKind::Accepted,
            CaseState::Rejected { .. } => StateKind::Rejected,
            CaseState::FixInProgress => StateKind::FixInProgress,
            CaseState::FixVerified => StateKind::FixVerified,
            CaseState::Released => StateKind::Released,
            CaseState::Disclosed => StateKind::Disclosed,
        }
    }

    /// The transition table: where a case may go from here, in the order shown to users.
    pub fn allowed(&self) -> AllowedTargets {
        use StateKind as K;
        AllowedTargets(match self {
            CaseState::New => vec![K::Acknowledged],
            CaseState::Acknowledged => vec![K::Triage, K::Rejected, K::NeedsInfo],
            CaseState::Triage => vec![K::Accepted, K::Rejected, K::NeedsInfo],
            CaseState::NeedsInfo { resume_to, .. } => vec![resume_to.kind(), K::Rejected],
            CaseState::Accepted => vec![K::FixInProgress, K::Rejected, K::NeedsInfo],
            CaseState::Rejected { .. } => vec![K::Triage],
            CaseState::FixInProgress => vec![K::FixVerified, K::Rejected],
            CaseState::FixVerified => vec![K::Released, K::FixInProgress],
            CaseState::Released => vec![K::Disclosed],
            CaseState::Disclosed => vec![],
        })
    }
}

/// Where a transition goes. Rejection carries its reason; needs-info finds its way back by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Acknowledged,
    Triage,
    NeedsInfo,
    Accepted,
    Rejected(RejectReason),
    FixInProgress,
    FixVerified,
    Released,
    Disclosed,
}

impl Target {
    pub const fn kind(&self) -> StateKind {
        match self {
            Target::Acknowledged => StateKind::Acknowledged,
            Target::Triage => StateKind::Triage,
            Target::NeedsInfo => StateKind::NeedsInfo,
            Target::Accepted => StateKind::Accepted,
            Target::Rejected(_) => StateKind::Rejected,
            Target::FixInProgress => StateKind::FixInProgress,
            Target::FixVerified => StateKind::FixVerified,
            Target::Released => StateKind::Released,
            Target::Disclosed => StateKind::Disclosed,
        }
    }
}

/// The states a case may move to, printed as `accepted, rejected, needs-info` (or `none`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllowedTargets(Vec<StateKind>);

impl AllowedTargets {
    pub fn contains(&self, kind: StateKind) -> bool {
        self.0.contains(&kind)
    }

    pub fn as_slice(&self) -> &[StateKind] {
        &self.0
    }
}

impl fmt::Display for AllowedTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(k.as_str())?;
        }
        Ok(())
    }
}
