//! The case: one vulnerability, from first report to disclosure.

use std::collections::BTreeMap;
use std::ops::Deref;

use embargo_cvss::{Score, Severity};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::DomainError;
use crate::access::{self, Actor, CaseRole, Membership, Role, Visibility};
use crate::affected::AffectedStatus;
use crate::audit::{AuditAction, AuditEvent, snapshot};
use crate::catalog::Catalog;
use crate::cvss::{CvssVector, CvssVersion};
use crate::identifiers::{CveId, CweId, Link};
use crate::ids::{CaseId, MessageId, ReleaseLineId, ReportId, UserId};
use crate::policy::{CaseFacts, DeadlineKind, Deadlines, Disclosure, Policy};
use crate::release::Release;
use crate::report::{Report, ReporterEmail};
use crate::state::{CaseState, RejectReason, ResumeTo, StateKind, Target};

const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 200_000;

/// A case's own CVSS assessment: a v3.1 vector, a v4.0 vector, or both.
///
/// **Score and severity come from v4.0 when present, else from v3.1.** CVSS 4.0 is the current
/// standard and its single score already folds in threat and environmental metrics when given; v3.1 is
/// kept alongside because NVD, scanners and many customers still consume it. A case never mixes
/// them: the one preferred vector decides deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Assessment {
    pub v3_1: Option<CvssVector>,
    pub v4_0: Option<CvssVector>,
}

impl Assessment {
    /// The vector that decides score and severity.
    pub fn preferred(&self) -> Option<&CvssVector> {
        self.v4_0.as_ref().or(self.v3_1.as_ref())
    }

    pub fn score(&self) -> Option<Score> {
        self.preferred().map(CvssVector::score)
    }

    pub fn severity(&self) -> Option<Severity> {
        self.preferred().map(CvssVector::severity)
    }

    fn slot(&mut self, version: CvssVersion) -> &mut Option<CvssVector> {
        match version {
            CvssVersion::V3_1 => &mut self.v3_1,
            CvssVersion::V4_0 => &mut self.v4_0,
        }
    }
}

/// A reporter of the case, with their wish about public credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseReporter {
    pub email: ReporterEmail,
    pub name: Option<String>,
    /// Their account, once they have one.
    pub user: Option<UserId>,
    /// The report through which they joined the case.
    pub report: ReportId,
    pub credit: Credit,
}

/// Public credit in the advisory: only with consent, under the name they chose.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Credit {
    pub consent: bool,
    /// The name to credit; the reporter's own name when `None`.
    pub name: Option<String>,
}

/// A member of the case (engineers and invited collaborators; the team needs no membership).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user: UserId,
    pub role: CaseRole,
}

/// The upstream project a vulnerability comes from, when it is not our own code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub project: String,
    /// Upstream's advisory id (`GHSA-...`, `OSSA-2026-001`).
    pub advisory: Option<String>,
    pub url: Option<Link>,
    /// When upstream goes public. It becomes the case's embargo and disclosure deadline.
    pub disclosure: Option<Timestamp>,
}

/// One message in the case's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub author: UserId,
    pub author_role: Role,
    pub at: Timestamp,
    pub visibility: Visibility,
    pub body: String,
}

/// What the reporter was told about the timeline, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReporterEstimate {
    pub fix_by: Timestamp,
    pub disclose_by: Timestamp,
    pub given_at: Timestamp,
}

/// When each deadline was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Milestones {
    pub acknowledged_at: Option<Timestamp>,
    /// Accepted or rejected. Cleared when a rejected case is reopened.
    pub triaged_at: Option<Timestamp>,
    /// Released: the fix is available to customers.
    pub released_at: Option<Timestamp>,
    pub disclosed_at: Option<Timestamp>,
}

/// Everything a case holds. Readable by everyone through [`Case`]'s `Deref`; changed only by
/// [`Case`]'s methods. `store` converts rows to and from it ([`Case::restore`], [`Case::into_record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    /// Optimistic concurrency: incremented by every change.
    pub version: i64,
    pub title: String,
    pub description: String,
    pub state: CaseState,
    pub opened_at: Timestamp,
    /// Receipt of the first report: the deadline clock starts here.
    pub clock_start: Timestamp,
    pub reports: Vec<ReportId>,
    pub reporters: Vec<CaseReporter>,
    pub cvss: Assessment,
    pub cwes: Vec<CweId>,
    /// Per release line; a line without an entry is [`AffectedStatus::Unknown`].
    pub affected: BTreeMap<ReleaseLineId, AffectedStatus>,
    pub assignee: Option<UserId>,
    pub members: Vec<Member>,
    /// When the advisory goes public. Unless set by hand, the default: the later of the case's
    /// last patch release and the upstream's public date ([`Case::default_embargo`]).
    pub embargo: Option<Timestamp>,
    /// Why the team set the embargo by hand; `None` while the default applies.
    pub embargo_reason: Option<String>,
    pub cve: Option<CveId>,
    pub links: Vec<Link>,
    pub upstream: Option<Upstream>,
    pub messages: Vec<Message>,
    /// Policy deadlines, with finished needs-info pauses already added back.
    pub deadlines: Deadlines,
    /// Total time of finished needs-info pauses.
    pub paused: SignedDuration,
    pub milestones: Milestones,
    pub estimate: Option<ReporterEstimate>,
}

/// What [`Case::open`] needs besides the first report.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: CaseId,
    pub title: String,
    pub description: String,
}

/// Where a case stands in the work queue: overdue cases first (the most overdue first), then by the
/// earliest pending deadline; cases with nothing pending last. Sort ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DueKey {
    rank: u8,
    at: Timestamp,
}

impl DueKey {
    pub fn is_overdue(&self) -> bool {
        self.rank == 0
    }

    /// The deadline the key sorts by, if any is pending.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        (self.rank < 2).then_some(self.at)
    }
}

/// A vulnerability case. See the crate documentation for the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case(CaseRecord);

impl Deref for Case {
    type Target = CaseRecord;
    fn deref(&self) -> &CaseRecord {
        &self.0
    }
}

type Events = Result<Vec<AuditEvent>, DomainError>;

impl Case {
    /// Opens a case from its first report. Only the team opens cases. The reporter joins the case
    /// without consent to credit; the deadline clock starts at the report's receipt.
    pub fn open(
        new: NewCase,
        report: &Report,
        policy: &Policy,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(Case, Vec<AuditEvent>), DomainError> {
        if !access::can_manage(actor, &Membership::default()) {
            return Err(forbidden(actor, "open a case"));
        }
        let title = check_title(&new.title)?;
        check_text("description", &new.description)?;
        let start = report.received_at();
        let case = Case(CaseRecord {
            id: new.id,
            version: 1,
            title,
            description: new.description,
            state: CaseState::New,
            opened_at: now,
            clock_start: start,
            reports: vec![report.id()],
            reporters: vec![reporter_from(report)],
            cvss: Assessment::default(),
            cwes: Vec::new(),
            affected: BTreeMap::new(),
            assignee: None,
            members: Vec::new(),
            embargo: None,
            embargo_reason: None,
            cve: None,
            links: Vec::new(),
            upstream: None,
            messages: Vec::new(),
            deadlines: policy.deadlines(&CaseFacts::default(), start),
            paused: SignedDuration::ZERO,
            milestones: Milestones::default(),
            estimate: None,
        });
        let opened = serde_json::json!({
            "title": case.title,
            "report": report.id(),
            "tracking_id": report.tracking_id(),
            "deadlines": case.deadlines,
        });
        let event = AuditEvent::new(
            case.id,
            actor,
            now,
            AuditAction::CaseOpened,
            None::<()>,
            Some(opened),
        );
        Ok((case, vec![event]))
    }

    /// Rebuilds a stored case.
    pub fn restore(record: CaseRecord) -> Case {
        Case(record)
    }

    pub fn into_record(self) -> CaseRecord {
        self.0
    }

    /// Checks the version an edit was based on: `case.at_version(read)?.transition(..)`. A mismatch
    /// is [`DomainError::Conflict`]; `store` also guards its `UPDATE` with the version.
    pub fn at_version(&mut self, read: i64) -> Result<&mut Case, DomainError> {
        if read != self.version {
            return Err(DomainError::Conflict {
                read,
                current: self.version,
            });
        }
        Ok(self)
    }

    /// How `actor` relates to this case.
    pub fn membership(&self, actor: &Actor) -> Membership {
        Membership {
            role: self
                .members
                .iter()
                .find(|m| m.user == actor.id)
                .map(|m| m.role),
            reporter: self.reporters.iter().any(|r| r.user == Some(actor.id)),
        }
    }

    pub fn can_view(&self, actor: &Actor) -> bool {
        access::can_view_case(actor, &self.membership(actor))
    }

    /// The messages `actor` may read, oldest first.
    pub fn visible_messages<'a>(&'a self, actor: &Actor) -> impl Iterator<Item = &'a Message> + 'a {
        let membership = self.membership(actor);
        let actor = *actor;
        self.messages
            .iter()
            .filter(move |m| access::can_view_message(&actor, &membership, m.visibility))
    }

    /// The score that decides deadlines: v4.0 if present, else v3.1.
    pub fn score(&self) -> Option<Score> {
        self.cvss.score()
    }

    pub fn severity(&self) -> Option<Severity> {
        self.cvss.severity()
    }

    pub fn affected_status(&self, line: ReleaseLineId) -> &AffectedStatus {
        static UNKNOWN: AffectedStatus = AffectedStatus::Unknown;
        self.affected.get(&line).unwrap_or(&UNKNOWN)
    }

    /// The planned disclosure: the agreed embargo, else the disclosure deadline.
    pub fn planned_disclosure(&self) -> Timestamp {
        self.embargo.unwrap_or(self.deadlines.disclose)
    }

    /// Release lines supported on `today` where the case is affected and no fix has shipped
    /// ([`AffectedStatus::Affected`] or [`AffectedStatus::FixInProgress`]). A won't-fix line is a
    /// decision, not a missing fix; an unsupported line gets no fix.
    pub fn unfixed_lines(&self, catalog: &Catalog, today: jiff::civil::Date) -> Vec<ReleaseLineId> {
        self.affected
            .iter()
            .filter(|(_, s)| matches!(s, AffectedStatus::Affected | AffectedStatus::FixInProgress))
            .filter(|(line, _)| {
                catalog
                    .line(**line)
                    .is_some_and(|p| p.line.is_supported_on(today))
            })
            .map(|(line, _)| *line)
            .collect()
    }

    /// Whether the fix has shipped everywhere it must: some line is fixed and no supported
    /// affected line is left without a fix.
    pub fn fixed_everywhere(&self, catalog: &Catalog, today: jiff::civil::Date) -> bool {
        self.affected
            .values()
            .any(|s| matches!(s, AffectedStatus::Fixed { .. }))
            && self.unfixed_lines(catalog, today).is_empty()
    }

    /// The disclosure rule: a case is disclosed only when no supported affected line lacks a fix,
    /// unless an admin overrides with a reason. Returns the note the audit records for an
    /// override (`None` when none was needed).
    pub fn check_disclosure(
        &self,
        catalog: &Catalog,
        today: jiff::civil::Date,
        actor: &Actor,
        override_reason: Option<&str>,
    ) -> Result<Option<String>, DomainError> {
        let unfixed = self.unfixed_lines(catalog, today);
        if unfixed.is_empty() {
            return Ok(None);
        }
        let names: Vec<String> = unfixed
            .iter()
            .filter_map(|l| catalog.line(*l))
            .map(|p| format!("{} {} {}", p.product.name, p.edition.name, p.line.name()))
            .collect();
        let names = names.join(", ");
        match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
            None => Err(DomainError::UnfixedLines { lines: names }),
            Some(_) if actor.role != Role::Admin => {
                Err(forbidden(actor, "disclose a case with unfixed lines"))
            }
            Some(reason) => Ok(Some(format!(
                "disclosed without a fix on {names} (admin override): {reason}"
            ))),
        }
    }

    /// What the policy looks at, from this case and the catalog.
    pub fn facts(&self, catalog: &Catalog) -> CaseFacts {
        let mut facts = CaseFacts {
            score: self.score(),
            latest_major_affected: false,
            editions: Vec::new(),
            upstream_disclosure: self.upstream.as_ref().and_then(|u| u.disclosure),
        };
        for (line, status) in &self.affected {
            if !status.is_affected() {
                continue;
            }
            facts.latest_major_affected |= catalog.is_latest_major(*line);
            if let Some(path) = catalog.line(*line)
                && !facts.editions.contains(&path.edition.name)
            {
                facts.editions.push(path.edition.name.clone());
            }
        }
        facts
    }

    // ----- transitions -----

    /// Moves the case to `to`, if `actor` may and the transition table allows it. `reason` is
    /// recorded in the audit event; reopening a rejected case requires one.
    pub fn transition(
        &mut self,
        to: Target,
        actor: &Actor,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Events {
        let membership = self.membership(actor);
        let from = self.state;
        if !access::can_transition(actor, &membership, to.kind()) {
            return Err(forbidden(actor, "move this case to that state"));
        }
        let allowed = from.allowed();
        if !allowed.contains(to.kind()) {
            return Err(DomainError::InvalidTransition {
                from: from.kind(),
                to: to.kind(),
                allowed,
            });
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if from.kind() == StateKind::Rejected && reason.is_none() {
            return Err(DomainError::ReasonRequired {
                from: from.kind(),
                to: to.kind(),
            });
        }
        if let Target::Rejected(RejectReason::Duplicate(of)) = to
            && of == self.id
        {
            return Err(DomainError::DuplicateOfItself(of));
        }
        let next = match to {
            Target::Acknowledged => CaseState::Acknowledged,
            Target::Triage => CaseState::Triage,
            Target::NeedsInfo => {
                let resume_to = match from {
                    CaseState::Acknowledged => ResumeTo::Acknowledged,
                    CaseState::Triage => ResumeTo::Triage,
                    CaseState::Accepted => ResumeTo::Accepted,
                    _ => {
                        return Err(DomainError::InvalidTransition {
                            from: from.kind(),
                            to: to.kind(),
                            allowed,
                        });
                    }
                };
                CaseState::NeedsInfo {
                    resume_to,
                    since: now,
                }
            }
            Target::Accepted => CaseState::Accepted,
            Target::Rejected(reason) => CaseState::Rejected { reason },
            Target::FixInProgress => CaseState::FixInProgress,
            Target::FixVerified => CaseState::FixVerified,
            Target::Released => CaseState::Released,
            Target::Disclosed => CaseState::Disclosed,
        };

        let mut events = Vec::new();
        let before_deadlines = self.deadlines;
        if let CaseState::NeedsInfo { since, .. } = from {
            let pause = now.duration_since(since).max(SignedDuration::ZERO);
            self.0.paused = self.paused.saturating_add(pause);
            self.0.deadlines = self.deadlines.shifted(pause, self.disclose_pinned());
        }
        let r = &mut self.0.milestones;
        match next.kind() {
            StateKind::Acknowledged => {
                r.acknowledged_at.get_or_insert(now);
            }
            StateKind::Accepted | StateKind::Rejected => {
                r.triaged_at.get_or_insert(now);
            }
            StateKind::Triage if from.kind() == StateKind::Rejected => r.triaged_at = None,
            StateKind::Released => {
                r.released_at.get_or_insert(now);
            }
            StateKind::Disclosed => {
                r.disclosed_at.get_or_insert(now);
            }
            _ => {}
        }
        self.0.state = next;
        let mut after = snapshot(&next);
        if let (Some(note), serde_json::Value::Object(map)) = (reason, &mut after) {
            map.insert("note".into(), note.into());
        }
        events.push(AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::StateChanged,
            Some(from),
            Some(after),
        ));
        if before_deadlines != self.deadlines {
            events.push(AuditEvent::new(
                self.id,
                actor,
                now,
                AuditAction::DeadlinesChanged,
                Some(before_deadlines),
                Some(serde_json::json!({ "deadlines": self.deadlines, "paused": self.paused.to_string(), "why": "needs-info pause added back" })),
            ));
        }
        Ok(self.commit(events))
    }

    // ----- deadlines -----

    /// Whether the disclosure deadline is pinned by an upstream's disclosure date: such a deadline
    /// does not move with needs-info pauses (see [`Case::effective_deadlines`]). `store` needs it to
    /// order the work queue in SQL the way [`Case::due_key`] does.
    pub fn disclose_pinned(&self) -> bool {
        self.upstream
            .as_ref()
            .is_some_and(|u| u.disclosure.is_some())
    }

    /// Recomputes the deadlines from the policy (after a score, affected-line, upstream or policy
    /// change), adding back finished needs-info pauses. Audited when they change; no events otherwise.
    pub fn recompute_deadlines(
        &mut self,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        if !access::can_edit(actor, &self.membership(actor)) {
            return Err(forbidden(actor, "recompute deadlines"));
        }
        let events = self.recompute(policy, catalog, actor, now);
        Ok(self.commit(events))
    }

    fn recompute(
        &mut self,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Vec<AuditEvent> {
        let facts = self.facts(catalog);
        let rule = policy.matching_rule(&facts).map(|r| r.name.clone());
        let next = policy
            .deadlines(&facts, self.clock_start)
            .shifted(self.paused, self.disclose_pinned());
        if next == self.deadlines {
            return Vec::new();
        }
        let before = std::mem::replace(&mut self.0.deadlines, next);
        vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::DeadlinesChanged,
            Some(before),
            Some(
                serde_json::json!({ "deadlines": next, "rule": rule, "score": facts.score.map(|s| s.to_string()) }),
            ),
        )]
    }

    /// The deadlines as they stand at `now`: during a needs-info pause the clock is stopped, so every
    /// deadline (except an upstream's fixed disclosure date) moves with `now`.
    pub fn effective_deadlines(&self, now: Timestamp) -> Deadlines {
        match self.state {
            CaseState::NeedsInfo { since, .. } => self.deadlines.shifted(
                now.duration_since(since).max(SignedDuration::ZERO),
                self.disclose_pinned(),
            ),
            _ => self.deadlines,
        }
    }

    /// Deadlines not met yet. A rejected case has no fix or disclosure deadline.
    pub fn pending(&self) -> Vec<DeadlineKind> {
        let m = &self.milestones;
        let live = self.state.kind() != StateKind::Rejected;
        DeadlineKind::ALL
            .into_iter()
            .filter(|k| match k {
                DeadlineKind::Acknowledge => m.acknowledged_at.is_none(),
                DeadlineKind::Triage => m.triaged_at.is_none(),
                DeadlineKind::Fix => live && m.released_at.is_none(),
                DeadlineKind::Disclose => live && m.disclosed_at.is_none(),
            })
            .collect()
    }

    /// Pending deadlines already passed at `now` (a deadline is met up to and including its instant).
    pub fn overdue(&self, now: Timestamp) -> Vec<DeadlineKind> {
        let d = self.effective_deadlines(now);
        self.pending()
            .into_iter()
            .filter(|k| now > d.get(*k))
            .collect()
    }

    /// The sort key for the work queue; see [`DueKey`].
    pub fn due_key(&self, now: Timestamp) -> DueKey {
        let d = self.effective_deadlines(now);
        let next = self.pending().into_iter().map(|k| d.get(k)).min();
        match next {
            Some(at) if now > at => DueKey { rank: 0, at },
            Some(at) => DueKey { rank: 1, at },
            None => DueKey {
                rank: 2,
                at: Timestamp::MAX,
            },
        }
    }

    /// Records the timeline given to the reporter.
    pub fn give_estimate(
        &mut self,
        fix_by: Timestamp,
        disclose_by: Timestamp,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "give the reporter an estimate")?;
        if disclose_by < fix_by {
            return Err(DomainError::InvalidField {
                field: "estimate",
                reason: "disclosure before the fix".into(),
            });
        }
        let next = ReporterEstimate {
            fix_by,
            disclose_by,
            given_at: now,
        };
        let before = self.0.estimate.replace(next);
        Ok(self.one(actor, now, AuditAction::EstimateGiven, before, Some(next)))
    }

    // ----- assessment -----

    /// Sets the case's CVSS vector of that version (v3.1 or v4.0) and recomputes the deadlines.
    pub fn set_cvss(
        &mut self,
        vector: CvssVector,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_edit(actor, "change the CVSS assessment")?;
        let slot = self.0.cvss.slot(vector.version());
        if slot.as_ref() == Some(&vector) {
            return Ok(Vec::new());
        }
        let before = slot.replace(vector);
        let mut events = vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::CvssChanged,
            before,
            Some(vector),
        )];
        events.extend(self.recompute(policy, catalog, actor, now));
        Ok(self.commit(events))
    }

    /// Removes the case's vector of that version and recomputes the deadlines.
    pub fn remove_cvss(
        &mut self,
        version: CvssVersion,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_edit(actor, "change the CVSS assessment")?;
        let Some(before) = self.0.cvss.slot(version).take() else {
            return Ok(Vec::new());
        };
        let mut events = vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::CvssChanged,
            Some(before),
            None::<()>,
        )];
        events.extend(self.recompute(policy, catalog, actor, now));
        Ok(self.commit(events))
    }

    /// Replaces the CWE list (duplicates dropped, order kept).
    pub fn set_cwes(&mut self, cwes: Vec<CweId>, actor: &Actor, now: Timestamp) -> Events {
        self.require_edit(actor, "change the CWE ids")?;
        let mut next: Vec<CweId> = Vec::with_capacity(cwes.len());
        for c in cwes {
            if !next.contains(&c) {
                next.push(c);
            }
        }
        if next == self.cwes {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut self.0.cwes, next.clone());
        Ok(self.one(
            actor,
            now,
            AuditAction::CweChanged,
            Some(before),
            Some(next),
        ))
    }

    pub fn set_title(&mut self, title: &str, actor: &Actor, now: Timestamp) -> Events {
        self.require_edit(actor, "edit this case")?;
        let next = check_title(title)?;
        if next == self.title {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut self.0.title, next.clone());
        Ok(self.one(
            actor,
            now,
            AuditAction::TitleChanged,
            Some(before),
            Some(next),
        ))
    }

    /// Replaces the description. The audit records the change, not the text.
    pub fn set_description(&mut self, description: &str, actor: &Actor, now: Timestamp) -> Events {
        self.require_edit(actor, "edit this case")?;
        check_text("description", description)?;
        if description == self.description {
            return Ok(Vec::new());
        }
        let before_len = self.description.chars().count();
        self.0.description = description.to_owned();
        let after_len = description.chars().count();
        Ok(self.one(
            actor,
            now,
            AuditAction::DescriptionChanged,
            Some(serde_json::json!({ "chars": before_len })),
            Some(serde_json::json!({ "chars": after_len })),
        ))
    }

    /// Sets the status of one release line, checked against the line (a fix version must belong to
    /// it), and recomputes the deadlines, since the latest major line or an edition may now be
    /// affected.
    pub fn set_affected(
        &mut self,
        line: ReleaseLineId,
        status: AffectedStatus,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_edit(actor, "change affected release lines")?;
        let path = catalog
            .line(line)
            .ok_or(DomainError::UnknownReleaseLine(line))?;
        status.check_for(path.line)?;
        let before = self.affected_status(line).clone();
        if before == status {
            return Ok(Vec::new());
        }
        if status == AffectedStatus::Unknown {
            self.0.affected.remove(&line);
        } else {
            self.0.affected.insert(line, status.clone());
        }
        let mut events = vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::AffectedChanged,
            Some(serde_json::json!({ "line": line, "name": path.line.name(), "status": before })),
            Some(serde_json::json!({ "line": line, "name": path.line.name(), "status": status })),
        )];
        events.extend(self.recompute(policy, catalog, actor, now));
        Ok(self.commit(events))
    }

    pub fn add_link(&mut self, link: Link, actor: &Actor, now: Timestamp) -> Events {
        self.require_edit(actor, "add links")?;
        if self.links.contains(&link) {
            return Ok(Vec::new());
        }
        self.0.links.push(link.clone());
        Ok(self.one(actor, now, AuditAction::LinkAdded, None::<()>, Some(link)))
    }

    // ----- management -----

    /// Attaches a further report (a duplicate submission, a second reporter). Its reporter joins the
    /// case unless already on it. The report itself is not changed.
    pub fn attach_report(&mut self, report: &Report, actor: &Actor, now: Timestamp) -> Events {
        self.require_manage(actor, "attach reports")?;
        if self.reports.contains(&report.id()) {
            return Ok(Vec::new());
        }
        self.0.reports.push(report.id());
        let joined = !self
            .reporters
            .iter()
            .any(|r| r.email.same_reporter(&report.reporter().email));
        if joined {
            self.0.reporters.push(reporter_from(report));
        }
        let after = serde_json::json!({ "report": report.id(), "tracking_id": report.tracking_id(), "reporter_joined": joined });
        Ok(self.one(
            actor,
            now,
            AuditAction::ReportAttached,
            None::<()>,
            Some(after),
        ))
    }

    /// Links a reporter to their account, so that they can follow the case.
    pub fn link_reporter_account(
        &mut self,
        email: &ReporterEmail,
        user: UserId,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change reporters")?;
        let id = self.id;
        let r = self.reporter_mut(email)?;
        if r.user == Some(user) {
            return Ok(Vec::new());
        }
        let before = r.user.replace(user);
        let after = serde_json::json!({ "email": r.email, "user": user });
        let before = serde_json::json!({ "email": r.email, "user": before });
        let event = AuditEvent::new(
            id,
            actor,
            now,
            AuditAction::ReporterLinked,
            Some(before),
            Some(after),
        );
        Ok(self.commit(vec![event]))
    }

    /// Records a reporter's consent to public credit and the name to use.
    pub fn set_credit(
        &mut self,
        email: &ReporterEmail,
        credit: Credit,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change credit")?;
        if let Some(name) = &credit.name {
            check_name("credit name", name)?;
        }
        let id = self.id;
        let r = self.reporter_mut(email)?;
        if r.credit == credit {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut r.credit, credit.clone());
        let event = AuditEvent::new(
            id,
            actor,
            now,
            AuditAction::CreditChanged,
            Some(serde_json::json!({ "email": r.email, "credit": before })),
            Some(serde_json::json!({ "email": r.email, "credit": credit })),
        );
        Ok(self.commit(vec![event]))
    }

    /// A reporter's own wish about public credit: only their own entry, only by themselves.
    pub fn set_own_credit(&mut self, credit: Credit, actor: &Actor, now: Timestamp) -> Events {
        if let Some(name) = &credit.name {
            check_name("credit name", name)?;
        }
        let id = self.id;
        let Some(r) = self
            .0
            .reporters
            .iter_mut()
            .find(|r| r.user == Some(actor.id))
        else {
            return Err(forbidden(actor, "change credit"));
        };
        if r.credit == credit {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut r.credit, credit.clone());
        let event = AuditEvent::new(
            id,
            actor,
            now,
            AuditAction::CreditChanged,
            Some(serde_json::json!({ "email": r.email, "credit": before })),
            Some(serde_json::json!({ "email": r.email, "credit": credit })),
        );
        Ok(self.commit(vec![event]))
    }

    /// Adds a member, or changes their role.
    pub fn add_member(
        &mut self,
        user: UserId,
        role: CaseRole,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change members")?;
        let next = Member { user, role };
        let before = match self.0.members.iter_mut().find(|m| m.user == user) {
            Some(m) if m.role == role => return Ok(Vec::new()),
            Some(m) => Some(std::mem::replace(m, next)),
            None => {
                self.0.members.push(next);
                None
            }
        };
        Ok(self.one(actor, now, AuditAction::MemberAdded, before, Some(next)))
    }

    /// Removes a member; an assignee who leaves is unassigned too.
    pub fn remove_member(&mut self, user: UserId, actor: &Actor, now: Timestamp) -> Events {
        self.require_manage(actor, "change members")?;
        let pos = self
            .members
            .iter()
            .position(|m| m.user == user)
            .ok_or(DomainError::NotAMember(user))?;
        let removed = self.0.members.remove(pos);
        let mut events = vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::MemberRemoved,
            Some(removed),
            None::<()>,
        )];
        if self.assignee == Some(user) {
            self.0.assignee = None;
            events.push(AuditEvent::new(
                self.id,
                actor,
                now,
                AuditAction::AssigneeChanged,
                Some(user),
                None::<()>,
            ));
        }
        Ok(self.commit(events))
    }

    /// Assigns the case to a team member, or an engineer member of the case, or no one.
    /// (Whether `user` has the team role is `service`'s knowledge; it checks that before calling.)
    pub fn assign(&mut self, user: Option<UserId>, actor: &Actor, now: Timestamp) -> Events {
        self.require_manage(actor, "assign this case")?;
        if let Some(u) = user
            && self
                .members
                .iter()
                .any(|m| m.user == u && m.role == CaseRole::Collaborator)
        {
            return Err(DomainError::InvalidField {
                field: "assignee",
                reason: "collaborators cannot be assigned".into(),
            });
        }
        if user == self.assignee {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut self.0.assignee, user);
        Ok(self.one(actor, now, AuditAction::AssigneeChanged, before, user))
    }

    /// Sets the embargo by hand (`None` clears it), with the reason the audit records. From then
    /// on the default no longer moves it, until [`Case::reset_embargo`].
    pub fn set_embargo(
        &mut self,
        embargo: Option<Timestamp>,
        reason: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change the embargo")?;
        self.require_undisclosed()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::InvalidField {
                field: "reason",
                reason: "say why the embargo is set by hand".into(),
            });
        }
        check_text("reason", reason)?;
        if embargo == self.embargo && self.embargo_reason.as_deref() == Some(reason) {
            return Ok(Vec::new());
        }
        let before = self.embargo_audit();
        self.0.embargo = embargo;
        self.0.embargo_reason = Some(reason.to_owned());
        let after = self.embargo_audit();
        Ok(self.one(
            actor,
            now,
            AuditAction::EmbargoChanged,
            Some(before),
            Some(after),
        ))
    }

    /// Gives the embargo back to the default, `default` being [`Case::default_embargo`] now.
    pub fn reset_embargo(
        &mut self,
        default: Option<Timestamp>,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change the embargo")?;
        self.require_undisclosed()?;
        if self.embargo_reason.is_none() && self.embargo == default {
            return Ok(Vec::new());
        }
        let before = self.embargo_audit();
        self.0.embargo = default;
        self.0.embargo_reason = None;
        let after = self.embargo_audit();
        Ok(self.one(
            actor,
            now,
            AuditAction::EmbargoChanged,
            Some(before),
            Some(after),
        ))
    }

    /// The default embargo: the later of the case's last patch release and the upstream's
    /// public date. A release counts at its day (shipped) or target day (planned), at the
    /// policy's release time, and a shipped one not before it was recorded. While a supported
    /// affected line has no fix and no dated planned release of this case, the last release is
    /// unknown and only the upstream's date (if any) stands.
    pub fn default_embargo(
        &self,
        releases: &[Release],
        catalog: &Catalog,
        disclosure: &Disclosure,
        today: jiff::civil::Date,
    ) -> Option<Timestamp> {
        let upstream = self.upstream.as_ref().and_then(|u| u.disclosure);
        let mine: Vec<&Release> = releases
            .iter()
            .filter(|r| r.cases.contains(&self.id))
            .collect();
        let all_planned = self.unfixed_lines(catalog, today).iter().all(|line| {
            mine.iter()
                .any(|r| r.line == *line && !r.is_shipped() && r.target.is_some())
        });
        let instant = |r: &&Release| match (r.shipped, r.target) {
            (Some(s), _) => Some(disclosure.release_instant(s.on).max(s.at)),
            (None, Some(day)) => Some(disclosure.release_instant(day)),
            (None, None) => None,
        };
        let last_release = if all_planned {
            mine.iter().filter_map(instant).max()
        } else {
            None
        };
        match (last_release, upstream) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Moves a default embargo to `default` ([`Case::default_embargo`]); an embargo set by hand,
    /// and a case that is disclosed or rejected, stay as they are.
    pub fn refresh_embargo(
        &mut self,
        default: Option<Timestamp>,
        actor: &Actor,
        now: Timestamp,
    ) -> Vec<AuditEvent> {
        if self.embargo_reason.is_some()
            || self.embargo == default
            || matches!(
                self.state.kind(),
                StateKind::Disclosed | StateKind::Rejected
            )
        {
            return Vec::new();
        }
        let before = self.embargo_audit();
        self.0.embargo = default;
        let after = self.embargo_audit();
        self.one(
            actor,
            now,
            AuditAction::EmbargoChanged,
            Some(before),
            Some(after),
        )
    }

    /// A disclosed case's embargo is history.
    fn require_undisclosed(&self) -> Result<(), DomainError> {
        if self.state.kind() == StateKind::Disclosed {
            return Err(DomainError::InvalidField {
                field: "embargo",
                reason: "the case is disclosed; its embargo is over".into(),
            });
        }
        Ok(())
    }

    /// The embargo as the audit records it.
    fn embargo_audit(&self) -> serde_json::Value {
        serde_json::json!({
            "at": self.embargo,
            "set_by": if self.embargo_reason.is_some() { "hand" } else { "default" },
            "reason": self.embargo_reason,
        })
    }

    pub fn assign_cve(&mut self, cve: CveId, actor: &Actor, now: Timestamp) -> Events {
        self.require_manage(actor, "assign a CVE id")?;
        if self.cve.as_ref() == Some(&cve) {
            return Ok(Vec::new());
        }
        let before = self.0.cve.replace(cve.clone());
        Ok(self.one(actor, now, AuditAction::CveAssigned, before, Some(cve)))
    }

    /// Sets or clears the upstream reference. An upstream disclosure date becomes the embargo and the
    /// disclosure deadline (the policy's is ignored), and stays fixed through needs-info pauses.
    pub fn set_upstream(
        &mut self,
        upstream: Option<Upstream>,
        policy: &Policy,
        catalog: &Catalog,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        self.require_manage(actor, "change the upstream reference")?;
        if let Some(u) = &upstream {
            check_name("upstream project", &u.project)?;
        }
        if upstream == self.upstream {
            return Ok(Vec::new());
        }
        let before = std::mem::replace(&mut self.0.upstream, upstream.clone());
        let mut events = vec![AuditEvent::new(
            self.id,
            actor,
            now,
            AuditAction::UpstreamChanged,
            before,
            upstream.clone(),
        )];
        events.extend(self.recompute(policy, catalog, actor, now));
        Ok(self.commit(events))
    }

    // ----- thread -----

    /// Posts a message. Anyone may post at a visibility they can read: reporters only to
    /// [`Visibility::Reporter`], collaborators not to [`Visibility::Internal`].
    pub fn post_message(
        &mut self,
        id: MessageId,
        visibility: Visibility,
        body: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Events {
        if !access::can_post_message(actor, &self.membership(actor), visibility) {
            return Err(forbidden(actor, "post a message with that visibility"));
        }
        if body.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "message",
                reason: "empty".into(),
            });
        }
        check_text("message", body)?;
        self.0.messages.push(Message {
            id,
            author: actor.id,
            author_role: actor.role,
            at: now,
            visibility,
            body: body.to_owned(),
        });
        let after = serde_json::json!({ "message": id, "visibility": visibility });
        Ok(self.one(
            actor,
            now,
            AuditAction::MessagePosted,
            None::<()>,
            Some(after),
        ))
    }

    // ----- helpers -----

    fn require_edit(&self, actor: &Actor, action: &'static str) -> Result<(), DomainError> {
        if access::can_edit(actor, &self.membership(actor)) {
            Ok(())
        } else {
            Err(forbidden(actor, action))
        }
    }

    fn require_manage(&self, actor: &Actor, action: &'static str) -> Result<(), DomainError> {
        if access::can_manage(actor, &self.membership(actor)) {
            Ok(())
        } else {
            Err(forbidden(actor, action))
        }
    }

    fn reporter_mut(&mut self, email: &ReporterEmail) -> Result<&mut CaseReporter, DomainError> {
        self.0
            .reporters
            .iter_mut()
            .find(|r| r.email.same_reporter(email))
            .ok_or_else(|| DomainError::UnknownReporter(email.to_string()))
    }

    fn one<B: Serialize, A: Serialize>(
        &mut self,
        actor: &Actor,
        now: Timestamp,
        action: AuditAction,
        before: Option<B>,
        after: Option<A>,
    ) -> Vec<AuditEvent> {
        let event = AuditEvent::new(self.id, actor, now, action, before, after);
        self.commit(vec![event])
    }

    /// Every change that produced events moves the version on by one.
    fn commit(&mut self, events: Vec<AuditEvent>) -> Vec<AuditEvent> {
        if !events.is_empty() {
            self.0.version += 1;
        }
        events
    }
}

fn forbidden(actor: &Actor, action: &'static str) -> DomainError {
    DomainError::Forbidden {
        user: actor.id,
        role: actor.role,
        action,
    }
}

fn reporter_from(report: &Report) -> CaseReporter {
    CaseReporter {
        email: report.reporter().email.clone(),
        name: report.reporter().name.clone(),
        user: None,
        report: report.id(),
        credit: Credit::default(),
    }
}

fn check_title(title: &str) -> Result<String, DomainError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(DomainError::InvalidField {
            field: "title",
            reason: "empty".into(),
        });
    }
    if t.chars().count() > TITLE_MAX {
        return Err(DomainError::InvalidField {
            field: "title",
            reason: format!("longer than {TITLE_MAX} characters"),
        });
    }
    if t.chars().any(char::is_control) {
        return Err(DomainError::InvalidField {
            field: "title",
            reason: "contains control characters".into(),
        });
    }
    Ok(t.to_owned())
}

fn check_name(field: &'static str, name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() {
        return Err(DomainError::InvalidField {
            field,
            reason: "empty".into(),
        });
    }
    if name.chars().count() > TITLE_MAX {
        return Err(DomainError::InvalidField {
            field,
            reason: format!("longer than {TITLE_MAX} characters"),
        });
    }
    Ok(())
}

fn check_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.len() > TEXT_MAX {
        return Err(DomainError::InvalidField {
            field,
            reason: format!("longer than {TEXT_MAX} bytes"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
