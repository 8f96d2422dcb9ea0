use jiff::SignedDuration;
use serde_json::json;

use crate::fixtures::*;
use crate::*;

fn states() -> Vec<CaseState> {
    vec![
        CaseState::New,
        CaseState::Acknowledged,
        CaseState::Triage,
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Acknowledged,
            since: h(3),
        },
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Triage,
            since: h(3),
        },
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Accepted,
            since: h(3),
        },
        CaseState::Accepted,
        CaseState::Rejected {
            reason: RejectReason::OutOfScope,
        },
        CaseState::FixInProgress,
        CaseState::FixVerified,
        CaseState::Released,
        CaseState::Disclosed,
    ]
}

/// The transition table, written out independently of the implementation.
fn expected_targets(state: &CaseState) -> Vec<StateKind> {
    use StateKind::*;
    match state {
        CaseState::New => vec![Acknowledged],
        CaseState::Acknowledged => vec![Triage, Rejected, NeedsInfo],
        CaseState::Triage => vec![Accepted, Rejected, NeedsInfo],
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Acknowledged,
            ..
        } => vec![Acknowledged, Rejected],
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Triage,
            ..
        } => vec![Triage, Rejected],
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Accepted,
            ..
        } => vec![Accepted, Rejected],
        CaseState::Accepted => vec![FixInProgress, Rejected, NeedsInfo],
        CaseState::Rejected { .. } => vec![Triage],
        CaseState::FixInProgress => vec![FixVerified, Rejected],
        CaseState::FixVerified => vec![Released, FixInProgress],
        CaseState::Released => vec![Disclosed],
        CaseState::Disclosed => vec![],
    }
}

/// Every kind a transition can aim at (`new` is never a target: `Target` has no such variant).
fn target(kind: StateKind) -> Option<Target> {
    Some(match kind {
        StateKind::New => return None,
        StateKind::Acknowledged => Target::Acknowledged,
        StateKind::Triage => Target::Triage,
        StateKind::NeedsInfo => Target::NeedsInfo,
        StateKind::Accepted => Target::Accepted,
        StateKind::Rejected => Target::Rejected(RejectReason::NotAVulnerability),
        StateKind::FixInProgress => Target::FixInProgress,
        StateKind::FixVerified => Target::FixVerified,
        StateKind::Released => Target::Released,
        StateKind::Disclosed => Target::Disclosed,
    })
}

// ----- transitions -----

#[test]
fn every_state_pair_is_allowed_or_refused_exactly_as_the_table_says() {
    for actor in [team(), admin()] {
        for state in states() {
            let expected = expected_targets(&state);
            assert_eq!(state.allowed().as_slice(), &expected[..], "{state:?}");
            for kind in StateKind::ALL {
                let Some(to) = target(kind) else { continue };
                let mut case = case_in(state);
                let result = case.transition(to, &actor, Some("checked"), h(4));
                if expected.contains(&kind) {
                    let events = result.unwrap_or_else(|e| panic!("{state:?} -> {kind}: {e}"));
                    assert_eq!(case.state.kind(), kind, "{state:?} -> {kind}");
                    assert_eq!(events[0].action, AuditAction::StateChanged);
                } else {
                    match result {
                        Err(DomainError::InvalidTransition { from, to, allowed }) => {
                            assert_eq!((from, to), (state.kind(), kind));
                            assert_eq!(allowed.as_slice(), &expected[..]);
                        }
                        other => panic!("{state:?} -> {kind}: expected refusal, got {other:?}"),
                    }
                    assert_eq!(case.state, state, "a refused transition changes nothing");
                }
            }
        }
    }
}

#[test]
fn a_refused_transition_says_what_is_allowed_from_here() {
    let mut case = case_in(CaseState::Triage);
    let err = case
        .transition(Target::Released, &team(), None, h(4))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot move case from triage to released; allowed: accepted, rejected, needs-info"
    );
    let mut case = case_in(CaseState::Disclosed);
    let err = case
        .transition(Target::Triage, &team(), None, h(4))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot move case from disclosed to triage; allowed: none"
    );
}

#[test]
fn a_case_walks_the_whole_happy_path_and_records_its_milestones() {
    let mut case = open_case();
    for (to, at) in [
        (Target::Acknowledged, h(2)),
        (Target::Triage, h(3)),
        (Target::Accepted, d(2)),
        (Target::FixInProgress, d(3)),
        (Target::FixVerified, d(9)),
        (Target::Released, d(10)),
        (Target::Disclosed, d(17)),
    ] {
        case.transition(to, &team(), None, at).unwrap();
    }
    assert_eq!(case.state, CaseState::Disclosed);
    assert_eq!(
        case.milestones,
        Milestones {
            acknowledged_at: Some(h(2)),
            triaged_at: Some(d(2)),
            released_at: Some(d(10)),
            disclosed_at: Some(d(17))
        }
    );
    assert!(case.pending().is_empty());
}

#[test]
fn acknowledged_spam_can_be_rejected_without_triage() {
    let mut case = case_in(CaseState::Acknowledged);
    case.transition(
        Target::Rejected(RejectReason::NotAVulnerability),
        &team(),
        Some("spam"),
        h(2),
    )
    .unwrap();
    assert_eq!(
        case.state,
        CaseState::Rejected {
            reason: RejectReason::NotAVulnerability
        }
    );
    assert_eq!(case.milestones.triaged_at, Some(h(2)));
}

#[test]
fn reopening_a_rejected_case_needs_a_reason_and_returns_it_to_triage() {
    let mut case = case_in(CaseState::Triage);
    case.transition(
        Target::Rejected(RejectReason::Informative),
        &team(),
        None,
        h(5),
    )
    .unwrap();
    for reason in [None, Some(""), Some("   ")] {
        assert_eq!(
            case.transition(Target::Triage, &team(), reason, h(6)),
            Err(DomainError::ReasonRequired {
                from: StateKind::Rejected,
                to: StateKind::Triage
            })
        );
    }
    let events = case
        .transition(
            Target::Triage,
            &team(),
            Some("reporter sent a working exploit"),
            h(6),
        )
        .unwrap();
    assert_eq!(case.state, CaseState::Triage);
    assert_eq!(case.milestones.triaged_at, None, "triage is pending again");
    assert_eq!(
        events[0].after,
        Some(json!({ "state": "triage", "note": "reporter sent a working exploit" }))
    );
}

#[test]
fn a_case_cannot_be_a_duplicate_of_itself() {
    let mut case = case_in(CaseState::Triage);
    let id = case.id;
    assert_eq!(
        case.transition(
            Target::Rejected(RejectReason::Duplicate(id)),
            &team(),
            None,
            h(4)
        ),
        Err(DomainError::DuplicateOfItself(id))
    );
    case.transition(
        Target::Rejected(RejectReason::Duplicate(case_id(2))),
        &team(),
        None,
        h(4),
    )
    .unwrap();
    assert_eq!(
        case.state,
        CaseState::Rejected {
            reason: RejectReason::Duplicate(case_id(2))
        }
    );
}

#[test]
fn needs_info_returns_to_the_state_it_came_from() {
    for (from, resume) in [
        (CaseState::Acknowledged, ResumeTo::Acknowledged),
        (CaseState::Triage, ResumeTo::Triage),
        (CaseState::Accepted, ResumeTo::Accepted),
    ] {
        let mut case = case_in(from);
        case.transition(Target::NeedsInfo, &team(), Some("which version?"), h(4))
            .unwrap();
        assert_eq!(
            case.state,
            CaseState::NeedsInfo {
                resume_to: resume,
                since: h(4)
            }
        );
        let others: Vec<_> = [Target::Acknowledged, Target::Triage, Target::Accepted]
            .into_iter()
            .filter(|t| t.kind() != resume.kind())
            .collect();
        for other in others {
            assert!(matches!(
                case.transition(other, &team(), None, h(5)),
                Err(DomainError::InvalidTransition { .. })
            ));
        }
        case.transition(target(resume.kind()).unwrap(), &team(), None, h(6))
            .unwrap();
        assert_eq!(case.state, from);
    }
}

#[test]
fn an_engineer_member_moves_fixes_between_in_progress_and_verified() {
    let mut case = case_in(CaseState::Accepted);
    case.transition(Target::FixInProgress, &engineer(), None, d(1))
        .unwrap();
    case.transition(Target::FixVerified, &engineer(), None, d(2))
        .unwrap();
    case.transition(
        Target::FixInProgress,
        &engineer(),
        Some("regression on 3.4.x"),
        d(3),
    )
    .unwrap();
    case.transition(Target::FixVerified, &engineer(), None, d(4))
        .unwrap();
    assert_eq!(case.state, CaseState::FixVerified);
}

#[test]
fn an_engineer_member_cannot_run_triage_release_or_disclosure() {
    for (state, to) in [
        (CaseState::New, Target::Acknowledged),
        (CaseState::Acknowledged, Target::Triage),
        (CaseState::Triage, Target::Accepted),
        (
            CaseState::Triage,
            Target::Rejected(RejectReason::OutOfScope),
        ),
        (CaseState::Triage, Target::NeedsInfo),
        (CaseState::FixVerified, Target::Released),
        (CaseState::Released, Target::Disclosed),
    ] {
        let mut case = case_in(state);
        assert!(
            matches!(
                case.transition(to, &engineer(), None, d(1)),
                Err(DomainError::Forbidden { .. })
            ),
            "{state:?} -> {to:?}"
        );
        assert_eq!(case.state, state);
    }
}

#[test]
fn an_engineer_who_is_not_a_member_cannot_move_a_fix() {
    for actor in [other_engineer(), engineer_as_collaborator()] {
        let mut case = case_in(CaseState::FixInProgress);
        assert_eq!(
            case.transition(Target::FixVerified, &actor, None, d(1)),
            Err(DomainError::Forbidden {
                user: actor.id,
                role: Role::Engineer,
                action: "move this case to that state"
            })
        );
    }
}

#[test]
fn reporters_and_collaborators_never_transition() {
    for actor in [
        reporter(),
        collaborator(),
        other_reporter(),
        other_collaborator(),
    ] {
        for state in states() {
            for kind in StateKind::ALL {
                let Some(to) = target(kind) else { continue };
                let mut case = case_in(state);
                assert!(
                    matches!(
                        case.transition(to, &actor, Some("please"), d(1)),
                        Err(DomainError::Forbidden { .. })
                    ),
                    "{actor:?} {state:?} -> {kind}"
                );
            }
        }
    }
}

// ----- access through the case -----

fn thread() -> Case {
    let mut case = open_case();
    case.post_message(
        MessageId::from_uuid(uuid::Uuid::from_u128(1)),
        Visibility::Reporter,
        "Thanks, confirmed.",
        &team(),
        h(2),
    )
    .unwrap();
    case.post_message(
        MessageId::from_uuid(uuid::Uuid::from_u128(2)),
        Visibility::Collaborators,
        "Upstream patch attached.",
        &team(),
        h(3),
    )
    .unwrap();
    case.post_message(
        MessageId::from_uuid(uuid::Uuid::from_u128(3)),
        Visibility::Internal,
        "Customer X is exposed.",
        &team(),
        h(4),
    )
    .unwrap();
    case
}

fn seen(case: &Case, actor: &Actor) -> Vec<Visibility> {
    case.visible_messages(actor).map(|m| m.visibility).collect()
}

#[test]
fn each_reader_sees_exactly_the_messages_of_their_visibility() {
    use Visibility::*;
    let case = thread();
    assert_eq!(
        seen(&case, &team()),
        vec![Reporter, Collaborators, Internal]
    );
    assert_eq!(
        seen(&case, &admin()),
        vec![Reporter, Collaborators, Internal]
    );
    assert_eq!(
        seen(&case, &engineer()),
        vec![Reporter, Collaborators, Internal]
    );
    assert_eq!(seen(&case, &collaborator()), vec![Reporter, Collaborators]);
    assert_eq!(
        seen(&case, &engineer_as_collaborator()),
        vec![Reporter, Collaborators]
    );
    assert_eq!(seen(&case, &reporter()), vec![Reporter]);
}

#[test]
fn a_collaborator_cannot_read_an_internal_note() {
    let case = thread();
    assert!(
        case.visible_messages(&collaborator())
            .all(|m| m.visibility != Visibility::Internal)
    );
    assert!(!access::can_view_message(
        &collaborator(),
        &case.membership(&collaborator()),
        Visibility::Internal
    ));
}

#[test]
fn outsiders_see_neither_the_case_nor_any_message() {
    let case = thread();
    for actor in [other_engineer(), other_collaborator(), other_reporter()] {
        assert!(!case.can_view(&actor), "{actor:?}");
        assert_eq!(seen(&case, &actor), vec![], "{actor:?}");
    }
    assert!(case.can_view(&reporter()));
}

#[test]
fn nobody_can_post_at_a_visibility_they_cannot_read() {
    let mut case = open_case();
    let id = MessageId::from_uuid(uuid::Uuid::from_u128(9));
    for (actor, visibility) in [
        (reporter(), Visibility::Collaborators),
        (reporter(), Visibility::Internal),
        (collaborator(), Visibility::Internal),
        (other_reporter(), Visibility::Reporter),
        (other_engineer(), Visibility::Internal),
    ] {
        assert!(
            matches!(
                case.post_message(id, visibility, "hi", &actor, h(2)),
                Err(DomainError::Forbidden { .. })
            ),
            "{actor:?} {visibility:?}"
        );
    }
    assert!(case.messages.is_empty());
    case.post_message(id, Visibility::Reporter, "more details", &reporter(), h(2))
        .unwrap();
    case.post_message(
        id,
        Visibility::Collaborators,
        "patch",
        &collaborator(),
        h(2),
    )
    .unwrap();
    assert_eq!(case.messages.len(), 2);
    assert!(matches!(
        case.post_message(id, Visibility::Internal, "  ", &team(), h(2)),
        Err(DomainError::InvalidField { .. })
    ));
}

#[test]
fn only_team_and_engineer_members_edit_and_only_the_team_manages() {
    for actor in [
        reporter(),
        collaborator(),
        engineer_as_collaborator(),
        other_engineer(),
        other_reporter(),
    ] {
        let mut case = open_case();
        assert!(
            matches!(
                case.set_title("Changed", &actor, h(2)),
                Err(DomainError::Forbidden { .. })
            ),
            "{actor:?}"
        );
        assert!(matches!(
            case.set_cwes(vec![CweId::parse("CWE-79").unwrap()], &actor, h(2)),
            Err(DomainError::Forbidden { .. })
        ));
    }
    let mut case = open_case();
    case.set_title("Stored XSS in the admin console", &engineer(), h(2))
        .unwrap();
    for actor in [engineer(), collaborator(), reporter()] {
        assert!(
            matches!(
                case.set_embargo(Some(d(30)), "agreed", &actor, h(2)),
                Err(DomainError::Forbidden { .. })
            ),
            "{actor:?}"
        );
        assert!(matches!(
            case.add_member(uid(50), CaseRole::Engineer, &actor, h(2)),
            Err(DomainError::Forbidden { .. })
        ));
        assert!(matches!(
            case.assign_cve(CveId::parse("CVE-2026-1234").unwrap(), &actor, h(2)),
            Err(DomainError::Forbidden { .. })
        ));
    }
    let r = report(2, "x@example.org", h(1));
    assert!(matches!(
        Case::open(
            NewCase {
                id: case_id(3),
                title: "t".into(),
                description: String::new()
            },
            &r,
            &Policy::default(),
            &engineer(),
            h(1)
        ),
        Err(DomainError::Forbidden { .. })
    ));
}

// ----- optimistic concurrency -----

#[test]
fn every_change_moves_the_version_on_and_a_no_op_does_not() {
    let mut case = open_case();
    let v = case.version;
    case.set_title("New title", &team(), h(2)).unwrap();
    assert_eq!(case.version, v + 1);
    let events = case.set_title("New title", &team(), h(3)).unwrap();
    assert!(events.is_empty());
    assert_eq!(case.version, v + 1);
    assert!(case.set_title("", &team(), h(3)).is_err());
    assert_eq!(case.version, v + 1, "a refused change does not count");
}

#[test]
fn an_edit_based_on_a_stale_version_is_a_conflict() {
    let mut case = open_case();
    let read_by_alice = case.version;
    let read_by_bob = case.version;
    case.at_version(read_by_alice)
        .unwrap()
        .transition(Target::Acknowledged, &team(), None, h(2))
        .unwrap();
    let err = case
        .at_version(read_by_bob)
        .map(|c| c.set_title("Bob's title", &team(), h(3)));
    assert_eq!(
        err.unwrap_err(),
        DomainError::Conflict {
            read: read_by_bob,
            current: read_by_bob + 1
        }
    );
    assert_eq!(
        DomainError::Conflict {
            read: 4,
            current: 5
        }
        .to_string(),
        "the case changed since it was read (read version 4, now 5); reload and retry"
    );
}

// ----- audit -----

#[test]
fn every_change_is_audited_with_who_when_what_before_and_after() {
    let mut case = case_in(CaseState::Triage);
    let policy = Policy::default();
    let catalog = catalog();
    let mut all = Vec::new();
    all.extend(case.set_title("Renamed", &team(), h(5)).unwrap());
    all.extend(
        case.set_description("Longer description", &team(), h(5))
            .unwrap(),
    );
    all.extend(
        case.set_cvss(vector(V31_HIGH), &policy, &catalog, &team(), h(5))
            .unwrap(),
    );
    all.extend(
        case.set_cwes(vec![CweId::parse("CWE-79").unwrap()], &team(), h(5))
            .unwrap(),
    );
    all.extend(
        case.set_affected(
            line_id(1),
            AffectedStatus::Affected,
            &policy,
            &catalog,
            &team(),
            h(5),
        )
        .unwrap(),
    );
    all.extend(
        case.add_link(
            Link::parse("https://git.example.com/gw/issues/7").unwrap(),
            &team(),
            h(5),
        )
        .unwrap(),
    );
    all.extend(
        case.add_member(uid(40), CaseRole::Engineer, &team(), h(5))
            .unwrap(),
    );
    all.extend(case.assign(Some(uid(40)), &team(), h(5)).unwrap());
    all.extend(case.remove_member(uid(40), &team(), h(5)).unwrap());
    all.extend(
        case.set_credit(
            &email("rea@example.net"),
            Credit {
                consent: true,
                name: Some("Rea P.".into()),
            },
            &team(),
            h(5),
        )
        .unwrap(),
    );
    all.extend(
        case.set_embargo(Some(d(40)), "agreed with the reporter", &team(), h(5))
            .unwrap(),
    );
    all.extend(
        case.assign_cve(CveId::parse("CVE-2026-1234").unwrap(), &team(), h(5))
            .unwrap(),
    );
    all.extend(case.give_estimate(d(30), d(37), &team(), h(5)).unwrap());
    all.extend(
        case.attach_report(&report(2, "second@example.org", h(2)), &team(), h(5))
            .unwrap(),
    );
    all.extend(
        case.post_message(
            MessageId::from_uuid(uuid::Uuid::from_u128(1)),
            Visibility::Internal,
            "secret",
            &team(),
            h(5),
        )
        .unwrap(),
    );
    all.extend(
        case.transition(Target::Accepted, &team(), None, h(5))
            .unwrap(),
    );
    let actions: Vec<_> = all.iter().map(|e| e.action).collect();
    use AuditAction::*;
    assert_eq!(
        actions,
        vec![
            TitleChanged,
            DescriptionChanged,
            CvssChanged,
            DeadlinesChanged,
            CweChanged,
            AffectedChanged,
            LinkAdded,
            MemberAdded,
            AssigneeChanged,
            MemberRemoved,
            AssigneeChanged,
            CreditChanged,
            EmbargoChanged,
            CveAssigned,
            EstimateGiven,
            ReportAttached,
            MessagePosted,
            StateChanged,
        ]
    );
    for e in &all {
        assert_eq!(
            (e.case, e.actor, e.actor_role, e.at),
            (case.id, team().id, Role::Team, h(5))
        );
    }
    assert_eq!(all[0].before, Some(json!("Stored XSS in admin console")));
    assert_eq!(all[0].after, Some(json!("Renamed")));
    assert_eq!(all[17].before, Some(json!({ "state": "triage" })));
    assert_eq!(all[17].after, Some(json!({ "state": "accepted" })));
    let posted = serde_json::to_string(&all[16]).unwrap();
    assert!(
        !posted.contains("secret"),
        "message bodies stay out of the audit log: {posted}"
    );
    let described = serde_json::to_string(&all[1]).unwrap();
    assert!(!described.contains("Longer description"), "{described}");
}

#[test]
fn opening_a_case_is_audited_and_starts_the_clock_at_receipt() {
    let r = report(1, "rea@example.net", t(T0));
    let (case, events) = Case::open(
        NewCase {
            id: case_id(1),
            title: "  Title  ".into(),
            description: String::new(),
        },
        &r,
        &Policy::default(),
        &team(),
        h(5),
    )
    .unwrap();
    assert_eq!(case.title, "Title");
    assert_eq!(
        (case.state, case.version, case.clock_start),
        (CaseState::New, 1, t(T0))
    );
    assert_eq!(
        case.deadlines.acknowledge,
        h(24),
        "acknowledgement is due 24 hours after receipt, not after opening"
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::CaseOpened);
    assert_eq!(
        events[0].after.as_ref().unwrap()["tracking_id"],
        json!(r.tracking_id().to_string())
    );
}

#[test]
fn further_reports_attach_and_their_reporters_join_once() {
    let mut case = open_case();
    let same_person = report(2, "REA@example.net", h(3));
    let other_person = report(3, "sam@example.org", h(4));
    let events = case.attach_report(&same_person, &team(), h(5)).unwrap();
    assert_eq!(
        events[0].after.as_ref().unwrap()["reporter_joined"],
        json!(false)
    );
    case.attach_report(&other_person, &team(), h(5)).unwrap();
    assert!(
        case.attach_report(&other_person, &team(), h(6))
            .unwrap()
            .is_empty(),
        "attaching twice is a no-op"
    );
    assert_eq!(case.reports.len(), 3);
    assert_eq!(case.reporters.len(), 2);
    assert_eq!(
        case.reporters[1].credit,
        Credit::default(),
        "no credit without consent"
    );
    assert_eq!(
        case.clock_start,
        t(T0),
        "later reports do not restart the clock"
    );
}

#[test]
fn credit_is_set_per_reporter_and_unknown_reporters_are_an_error() {
    let mut case = open_case();
    case.set_credit(
        &email("rea@example.net"),
        Credit {
            consent: true,
            name: None,
        },
        &team(),
        h(2),
    )
    .unwrap();
    assert!(case.reporters[0].credit.consent);
    assert_eq!(
        case.set_credit(
            &email("nobody@example.net"),
            Credit::default(),
            &team(),
            h(2)
        ),
        Err(DomainError::UnknownReporter("nobody@example.net".into()))
    );
    assert!(matches!(
        case.set_credit(
            &email("rea@example.net"),
            Credit {
                consent: true,
                name: Some(" ".into())
            },
            &team(),
            h(2)
        ),
        Err(DomainError::InvalidField {
            field: "credit name",
            ..
        })
    ));
}

#[test]
fn members_can_be_reassigned_roles_and_collaborators_cannot_be_assignees() {
    let mut case = open_case();
    assert!(matches!(
        case.assign(Some(collaborator().id), &team(), h(2)),
        Err(DomainError::InvalidField {
            field: "assignee",
            ..
        })
    ));
    case.assign(Some(engineer().id), &team(), h(2)).unwrap();
    case.add_member(engineer().id, CaseRole::Collaborator, &team(), h(3))
        .unwrap();
    assert_eq!(
        case.membership(&engineer()).role,
        Some(CaseRole::Collaborator)
    );
    assert_eq!(
        case.remove_member(uid(99), &team(), h(3)),
        Err(DomainError::NotAMember(uid(99)))
    );
    case.remove_member(engineer().id, &team(), h(3)).unwrap();
    assert_eq!(case.assignee, None, "a member who leaves is unassigned");
    assert!(!case.can_view(&engineer()));
}

// ----- assessment -----

#[test]
fn score_and_severity_come_from_v4_when_present_else_v3_1() {
    let mut case = case_in(CaseState::Triage);
    let (policy, catalog) = (Policy::default(), catalog());
    assert_eq!(case.score(), None);
    case.set_cvss(vector(V31_MEDIUM), &policy, &catalog, &team(), h(5))
        .unwrap();
    assert_eq!(case.score(), Score::from_tenths(V31_MEDIUM.1));
    assert_eq!(case.severity(), Some(Severity::Medium));
    case.set_cvss(vector(V40_CRITICAL), &policy, &catalog, &team(), h(5))
        .unwrap();
    assert_eq!(case.score(), Score::from_tenths(V40_CRITICAL.1));
    assert_eq!(case.severity(), Some(Severity::Critical));
    assert!(case.cvss.v3_1.is_some(), "both vectors are kept");
    case.remove_cvss(CvssVersion::V4_0, &policy, &catalog, &team(), h(6))
        .unwrap();
    assert_eq!(case.severity(), Some(Severity::Medium));
}

#[test]
fn a_fix_version_must_belong_to_the_line_it_is_recorded_for() {
    let mut case = case_in(CaseState::FixInProgress);
    let (policy, catalog) = (Policy::default(), catalog());
    let fixed = |v: &str| AffectedStatus::Fixed {
        fixed_in: Version::parse(v).unwrap(),
        links: vec![],
        verified_by: None,
        verified_at: None,
    };
    assert!(matches!(
        case.set_affected(
            line_id(1),
            fixed("3.5.0"),
            &policy,
            &catalog,
            &engineer(),
            d(1)
        ),
        Err(DomainError::VersionNotInLine { .. })
    ));
    assert!(matches!(
        case.set_affected(
            line_id(1),
            fixed("3.4.10.1"),
            &policy,
            &catalog,
            &engineer(),
            d(1)
        ),
        Err(DomainError::VersionSchemeMismatch { .. })
    ));
    assert_eq!(
        case.set_affected(
            line_id(99),
            AffectedStatus::Affected,
            &policy,
            &catalog,
            &engineer(),
            d(1)
        ),
        Err(DomainError::UnknownReleaseLine(line_id(99)))
    );
    let half_verified = AffectedStatus::Fixed {
        fixed_in: Version::parse("3.4.10").unwrap(),
        links: vec![],
        verified_by: Some(uid(3)),
        verified_at: None,
    };
    assert!(
        case.set_affected(
            line_id(1),
            half_verified,
            &policy,
            &catalog,
            &engineer(),
            d(1)
        )
        .is_err()
    );
    assert!(
        case.set_affected(
            line_id(1),
            AffectedStatus::WontFix { reason: " ".into() },
            &policy,
            &catalog,
            &engineer(),
            d(1)
        )
        .is_err()
    );
    let next = catalog.line(line_id(1)).unwrap().line.next_patch();
    let verified = AffectedStatus::Fixed {
        fixed_in: next,
        links: vec![],
        verified_by: Some(uid(3)),
        verified_at: Some(d(2)),
    };
    case.set_affected(
        line_id(1),
        verified.clone(),
        &policy,
        &catalog,
        &engineer(),
        d(2),
    )
    .unwrap();
    assert_eq!(case.affected_status(line_id(1)), &verified);
    assert_eq!(next.to_string(), "3.4.10");
    case.set_affected(
        line_id(3),
        AffectedStatus::NotAffected {
            justification: Justification::ComponentNotPresent,
        },
        &policy,
        &catalog,
        &engineer(),
        d(2),
    )
    .unwrap();
    case.set_affected(
        line_id(3),
        AffectedStatus::Unknown,
        &policy,
        &catalog,
        &engineer(),
        d(2),
    )
    .unwrap();
    assert_eq!(case.affected_status(line_id(3)), &AffectedStatus::Unknown);
    assert!(!case.affected.contains_key(&line_id(3)));
}

// ----- deadlines -----

#[test]
fn scoring_recomputes_the_deadlines_and_audits_the_rule() {
    let mut case = case_in(CaseState::Triage);
    let (policy, catalog) = (Policy::default(), catalog());
    assert_eq!(
        case.deadlines.fix,
        d(60),
        "unscored: the default fix deadline"
    );
    let events = case
        .set_cvss(vector(V31_CRITICAL), &policy, &catalog, &team(), h(5))
        .unwrap();
    assert_eq!(case.deadlines.fix, d(14));
    assert_eq!(case.deadlines.disclose, d(21));
    let changed = &events[1];
    assert_eq!(changed.action, AuditAction::DeadlinesChanged);
    assert_eq!(changed.after.as_ref().unwrap()["rule"], json!("critical"));
    assert_eq!(changed.after.as_ref().unwrap()["score"], json!("9.8"));
    case.set_cvss(vector(V31_LOW), &policy, &catalog, &team(), h(6))
        .unwrap();
    assert_eq!(
        case.deadlines.fix,
        d(120),
        "below 4.0: the less urgent timeline"
    );
}

#[test]
fn the_latest_major_line_being_affected_shortens_the_fix_deadline() {
    let mut case = case_in(CaseState::Triage);
    let (policy, catalog) = (Policy::default(), catalog());
    case.set_cvss(vector(V31_HIGH), &policy, &catalog, &team(), h(5))
        .unwrap();
    case.set_affected(
        line_id(1),
        AffectedStatus::Affected,
        &policy,
        &catalog,
        &team(),
        h(5),
    )
    .unwrap();
    assert_eq!(case.deadlines.fix, d(30), "3.4.x is not the latest major");
    let events = case
        .set_affected(
            line_id(4),
            AffectedStatus::Affected,
            &policy,
            &catalog,
            &team(),
            h(6),
        )
        .unwrap();
    assert_eq!(case.deadlines.fix, d(14), "4.0.x is");
    assert_eq!(
        events.last().unwrap().after.as_ref().unwrap()["rule"],
        json!("high, latest major")
    );
    let facts = case.facts(&catalog);
    assert!(facts.latest_major_affected);
    assert_eq!(
        facts.editions,
        vec!["Community".to_owned(), "Enterprise".to_owned()]
    );
    case.set_affected(
        line_id(4),
        AffectedStatus::NotAffected {
            justification: Justification::VulnerableCodeNotPresent,
        },
        &policy,
        &catalog,
        &team(),
        h(7),
    )
    .unwrap();
    assert_eq!(
        case.deadlines.fix,
        d(30),
        "not affected after all: back to the normal timeline"
    );
}

#[test]
fn a_policy_change_recomputes_deadlines_only_when_they_move() {
    let mut case = case_in(CaseState::Triage);
    let catalog = catalog();
    assert!(
        case.recompute_deadlines(&Policy::default(), &catalog, &team(), h(5))
            .unwrap()
            .is_empty()
    );
    let strict = Policy::parse("[default]\nacknowledge = \"12h\"\ntriage = \"3d\"\nfix = \"30d\"\ndisclose_after_fix = \"14d\"\n").unwrap();
    let events = case
        .recompute_deadlines(&strict, &catalog, &team(), h(5))
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        case.deadlines,
        Deadlines {
            acknowledge: h(12),
            triage: d(3),
            fix: d(30),
            disclose: d(44)
        }
    );
    assert!(matches!(
        case.recompute_deadlines(&strict, &catalog, &reporter(), h(5)),
        Err(DomainError::Forbidden { .. })
    ));
}

#[test]
fn needs_info_pauses_the_clock_and_adds_the_pause_back() {
    let (policy, catalog) = (Policy::default(), catalog());
    let mut case = open_case();
    case.transition(Target::Acknowledged, &team(), None, h(2))
        .unwrap();
    case.transition(Target::Triage, &team(), None, h(3))
        .unwrap();
    assert_eq!(case.deadlines.triage, d(5));

    case.transition(Target::NeedsInfo, &team(), Some("which version?"), d(1))
        .unwrap();
    assert_eq!(
        case.overdue(d(30)),
        vec![],
        "nothing runs late while waiting on the reporter"
    );
    assert_eq!(
        case.effective_deadlines(d(10)).triage,
        d(14),
        "the clock stands still during the pause"
    );

    let events = case
        .transition(Target::Triage, &team(), None, d(10))
        .unwrap();
    assert_eq!(case.paused, SignedDuration::from_hours(9 * 24));
    assert_eq!(case.deadlines.triage, d(14));
    assert_eq!(case.deadlines.fix, d(69));
    assert_eq!(events[1].action, AuditAction::DeadlinesChanged);
    assert_eq!(
        case.overdue(d(14)),
        vec![],
        "due at the instant itself is not late"
    );
    assert_eq!(
        case.overdue(d(14) + SignedDuration::from_secs(1)),
        vec![DeadlineKind::Triage]
    );

    // A second pause adds up, and recomputation keeps both.
    case.transition(Target::NeedsInfo, &team(), None, d(11))
        .unwrap();
    case.transition(Target::Triage, &team(), None, d(13))
        .unwrap();
    assert_eq!(case.paused, SignedDuration::from_hours(11 * 24));
    case.set_cvss(vector(V31_CRITICAL), &policy, &catalog, &team(), d(13))
        .unwrap();
    assert_eq!(case.deadlines.fix, d(14 + 11));
    assert_eq!(case.deadlines.triage, d(5 + 11));
}

#[test]
fn an_upstream_disclosure_date_becomes_the_embargo_and_is_never_paused() {
    let (policy, catalog) = (Policy::default(), catalog());
    let mut case = case_in(CaseState::Triage);
    let upstream = Upstream {
        project: "openssl".into(),
        advisory: Some("OSSA-2026-001".into()),
        url: None,
        disclosure: Some(d(20)),
    };
    let events = case
        .set_upstream(Some(upstream), &policy, &catalog, &team(), h(5))
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![AuditAction::UpstreamChanged, AuditAction::DeadlinesChanged]
    );
    // The default embargo follows (the service refreshes it after every change).
    let default = case.default_embargo(
        &[],
        &catalog,
        policy.disclosure(),
        d(5).to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
    );
    assert_eq!(default, Some(d(20)));
    assert_eq!(case.refresh_embargo(default, &team(), h(5)).len(), 1);
    assert_eq!(case.embargo, Some(d(20)));
    assert_eq!(case.deadlines.disclose, d(20));
    assert_eq!(case.planned_disclosure(), d(20));
    case.transition(Target::NeedsInfo, &team(), None, d(1))
        .unwrap();
    assert_eq!(case.effective_deadlines(d(4)).disclose, d(20));
    case.transition(Target::Triage, &team(), None, d(4))
        .unwrap();
    assert_eq!(
        case.deadlines.disclose,
        d(20),
        "upstream's date does not move with our pauses"
    );
    assert_eq!(case.deadlines.fix, d(63));
    let bad = Upstream {
        project: " ".into(),
        advisory: None,
        url: None,
        disclosure: None,
    };
    assert!(
        case.set_upstream(Some(bad), &policy, &catalog, &team(), d(5))
            .is_err()
    );
}

#[test]
fn overdue_lists_missed_pending_deadlines_only() {
    let mut case = open_case();
    assert_eq!(case.overdue(h(24)), vec![]);
    assert_eq!(case.overdue(h(25)), vec![DeadlineKind::Acknowledge]);
    case.transition(Target::Acknowledged, &team(), None, h(30))
        .unwrap();
    assert_eq!(case.overdue(d(6)), vec![DeadlineKind::Triage]);
    assert_eq!(
        case.overdue(d(61)),
        vec![DeadlineKind::Triage, DeadlineKind::Fix]
    );
    case.transition(
        Target::Rejected(RejectReason::OutOfScope),
        &team(),
        None,
        d(6),
    )
    .unwrap();
    assert_eq!(
        case.overdue(d(400)),
        vec![],
        "a rejected case has no fix or disclosure to deliver"
    );
}

#[test]
fn the_queue_puts_the_most_overdue_first_then_the_earliest_deadline() {
    let now = d(3);
    let fresh = open_case(); // ack due h(24): overdue since two days
    let mut triaging = open_case(); // triage due d(5): pending
    triaging
        .transition(Target::Acknowledged, &team(), None, h(2))
        .unwrap();
    let mut late_fix = case_in(CaseState::FixInProgress); // fix due d(60)
    let mut record = late_fix.clone().into_record();
    record.milestones = Milestones {
        acknowledged_at: Some(h(2)),
        triaged_at: Some(h(5)),
        released_at: None,
        disclosed_at: None,
    };
    record.deadlines.fix = d(2); // overdue since a day
    late_fix = Case::restore(record);
    let mut done = case_in(CaseState::Disclosed);
    let mut record = done.clone().into_record();
    record.milestones = Milestones {
        acknowledged_at: Some(h(2)),
        triaged_at: Some(h(5)),
        released_at: Some(d(1)),
        disclosed_at: Some(d(2)),
    };
    done = Case::restore(record);

    let mut queue = [
        ("done", &done),
        ("triaging", &triaging),
        ("late fix", &late_fix),
        ("fresh", &fresh),
    ];
    queue.sort_by_key(|(_, c)| c.due_key(now));
    assert_eq!(
        queue.map(|(n, _)| n),
        ["fresh", "late fix", "triaging", "done"]
    );
    assert!(fresh.due_key(now).is_overdue());
    assert_eq!(triaging.due_key(now).next_deadline(), Some(d(5)));
    assert_eq!(done.due_key(now).next_deadline(), None);
}

#[test]
fn the_estimate_given_to_the_reporter_is_recorded_with_its_time() {
    let mut case = case_in(CaseState::Accepted);
    case.give_estimate(case.deadlines.fix, case.planned_disclosure(), &team(), d(2))
        .unwrap();
    assert_eq!(
        case.estimate,
        Some(ReporterEstimate {
            fix_by: d(60),
            disclose_by: d(67),
            given_at: d(2)
        })
    );
    assert!(matches!(
        case.give_estimate(d(10), d(9), &team(), d(2)),
        Err(DomainError::InvalidField {
            field: "estimate",
            ..
        })
    ));
    assert!(matches!(
        case.give_estimate(d(10), d(19), &engineer(), d(2)),
        Err(DomainError::Forbidden { .. })
    ));
}

#[test]
fn case_titles_are_required_short_and_single_line() {
    let mut case = open_case();
    for bad in ["", "   ", "line\nbreak"] {
        assert!(
            matches!(
                case.set_title(bad, &team(), h(2)),
                Err(DomainError::InvalidField { field: "title", .. })
            ),
            "{bad:?}"
        );
    }
    assert!(case.set_title(&"x".repeat(201), &team(), h(2)).is_err());
    assert!(case.set_title(&"x".repeat(200), &team(), h(2)).is_ok());
}

#[test]
fn only_an_upstream_disclosure_date_pins_the_disclosure_deadline() {
    let mut record = open_case().into_record();
    assert!(!Case::restore(record.clone()).disclose_pinned());
    record.upstream = Some(Upstream {
        project: "openssl".into(),
        advisory: None,
        url: None,
        disclosure: None,
    });
    assert!(!Case::restore(record.clone()).disclose_pinned());
    if let Some(u) = record.upstream.as_mut() {
        u.disclosure = Some(d(10));
    }
    assert!(Case::restore(record).disclose_pinned());
}

#[test]
fn disclosure_waits_for_a_fix_on_every_supported_affected_line_unless_an_admin_overrides() {
    let cat = catalog();
    let today = jiff::civil::date(2026, 3, 9);
    let mut case = case_in(CaseState::Released);
    let fixed = AffectedStatus::Fixed {
        fixed_in: Version::parse("3.4.10").unwrap(),
        links: vec![],
        verified_by: None,
        verified_at: None,
    };
    let p = Policy::default();
    case.set_affected(line_id(1), fixed, &p, &cat, &team(), h(2))
        .unwrap();
    case.set_affected(
        line_id(2),
        AffectedStatus::FixInProgress,
        &p,
        &cat,
        &team(),
        h(2),
    )
    .unwrap();
    case.set_affected(
        line_id(3),
        AffectedStatus::WontFix {
            reason: "end of life soon".into(),
        },
        &p,
        &cat,
        &team(),
        h(2),
    )
    .unwrap();
    assert_eq!(case.unfixed_lines(&cat, today), vec![line_id(2)]);
    assert!(!case.fixed_everywhere(&cat, today));

    let err = case
        .check_disclosure(&cat, today, &team(), None)
        .unwrap_err();
    assert!(err.to_string().contains("Gateway Community 4.0.x"), "{err}");
    let err = case
        .check_disclosure(&cat, today, &team(), Some("customers asked"))
        .unwrap_err();
    assert!(matches!(err, DomainError::Forbidden { .. }), "{err}");
    let err = case
        .check_disclosure(&cat, today, &admin(), Some("  "))
        .unwrap_err();
    assert!(matches!(err, DomainError::UnfixedLines { .. }), "{err}");
    let note = case
        .check_disclosure(&cat, today, &admin(), Some("exploited in the wild"))
        .unwrap()
        .unwrap();
    assert!(
        note.contains("exploited in the wild") && note.contains("4.0.x"),
        "{note}"
    );

    // An unsupported line needs no fix.
    let mut cat2 = cat.clone();
    cat2.products[0].editions[0].lines[1].supported = false;
    assert!(case.unfixed_lines(&cat2, today).is_empty());
    assert!(case.fixed_everywhere(&cat2, today));
    assert_eq!(case.check_disclosure(&cat2, today, &team(), None), Ok(None));
}

// ----- the embargo -----

fn release(n: u128, line: u128, case: CaseId, target: Option<jiff::civil::Date>) -> Release {
    Release {
        id: ReleaseId::from_uuid(uuid::Uuid::from_u128(0x5E00 + n)),
        line: line_id(line),
        version: Version::parse("3.4.10").unwrap(),
        target,
        cases: vec![case],
        shipped: None,
        created_by: uid(1),
        created_at: h(1),
    }
}

fn day(t: jiff::Timestamp) -> jiff::civil::Date {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// A case affected on Community 3.4.x (1) and Enterprise 3.4.x (3).
fn affected_case() -> (Case, Catalog, Policy) {
    let (policy, catalog) = (Policy::default(), catalog());
    let mut case = case_in(CaseState::FixInProgress);
    for line in [1, 3] {
        case.set_affected(
            line_id(line),
            AffectedStatus::Affected,
            &policy,
            &catalog,
            &team(),
            h(2),
        )
        .unwrap();
    }
    (case, catalog, policy)
}

#[test]
fn the_default_embargo_is_the_last_dated_release_at_the_release_time() {
    let (case, catalog, policy) = affected_case();
    let disclosure = policy.disclosure();
    let today = day(h(3));
    let first = jiff::civil::date(2026, 4, 1);
    let last = jiff::civil::date(2026, 4, 9);
    // One affected line without a dated release: the last release is not known.
    let one = [release(1, 1, case.id, Some(first))];
    assert_eq!(
        case.default_embargo(&one, &catalog, disclosure, today),
        None
    );
    let undated = [
        release(1, 1, case.id, Some(first)),
        release(2, 3, case.id, None),
    ];
    assert_eq!(
        case.default_embargo(&undated, &catalog, disclosure, today),
        None
    );
    // Both dated: the later, at 14:00 UTC. Releases of other cases do not count.
    let mut other = release(3, 3, case_id(99), Some(jiff::civil::date(2026, 5, 1)));
    other.cases = vec![case_id(99)];
    let both = [
        release(1, 1, case.id, Some(first)),
        release(2, 3, case.id, Some(last)),
        other,
    ];
    assert_eq!(
        case.default_embargo(&both, &catalog, disclosure, today),
        Some(t("2026-04-09T14:00:00Z"))
    );
}

#[test]
fn a_shipped_release_counts_at_its_day_but_not_before_it_was_recorded() {
    let (mut case, catalog, policy) = affected_case();
    for line in [1, 3] {
        case.set_affected(
            line_id(line),
            AffectedStatus::Fixed {
                fixed_in: Version::parse(if line == 1 { "3.4.10" } else { "3.4.1.2" }).unwrap(),
                links: Vec::new(),
                verified_by: None,
                verified_at: None,
            },
            &policy,
            &catalog,
            &team(),
            h(2),
        )
        .unwrap();
    }
    let mut a = release(1, 1, case.id, None);
    a.shipped = Some(Shipped {
        on: jiff::civil::date(2026, 4, 1),
        at: t("2026-04-01T09:00:00Z"),
    });
    let mut b = release(2, 3, case.id, Some(jiff::civil::date(2026, 4, 2)));
    // Recorded the day after it went out: the record counts.
    b.shipped = Some(Shipped {
        on: jiff::civil::date(2026, 4, 2),
        at: t("2026-04-03T08:30:00Z"),
    });
    let today = jiff::civil::date(2026, 4, 3);
    assert_eq!(
        case.default_embargo(&[a.clone()], &catalog, policy.disclosure(), today),
        Some(t("2026-04-01T14:00:00Z")),
        "every line is fixed: the shipped release alone is the last"
    );
    assert_eq!(
        case.default_embargo(&[a, b], &catalog, policy.disclosure(), today),
        Some(t("2026-04-03T08:30:00Z"))
    );
}

#[test]
fn an_upstream_date_later_than_our_releases_holds_the_default_back() {
    let (mut case, catalog, policy) = affected_case();
    let releases = [
        release(1, 1, case.id, Some(jiff::civil::date(2026, 4, 1))),
        release(2, 3, case.id, Some(jiff::civil::date(2026, 4, 2))),
    ];
    let today = day(h(3));
    for (upstream, expected) in [
        (t("2026-04-20T16:00:00Z"), t("2026-04-20T16:00:00Z")),
        (t("2026-03-20T16:00:00Z"), t("2026-04-02T14:00:00Z")),
    ] {
        case.set_upstream(
            Some(Upstream {
                project: "openssl".into(),
                advisory: None,
                url: None,
                disclosure: Some(upstream),
            }),
            &policy,
            &catalog,
            &team(),
            h(3),
        )
        .unwrap();
        assert_eq!(
            case.default_embargo(&releases, &catalog, policy.disclosure(), today),
            Some(expected)
        );
    }
    // Without a dated release for every line, the upstream's date is what is known.
    assert_eq!(
        case.default_embargo(&releases[..1], &catalog, policy.disclosure(), today),
        Some(t("2026-03-20T16:00:00Z"))
    );
}

#[test]
fn an_embargo_set_by_hand_needs_a_reason_and_stays_until_reset() {
    let (mut case, _, _) = affected_case();
    let err = case
        .set_embargo(Some(d(30)), "  ", &team(), h(3))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DomainError::InvalidField {
                field: "reason",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(case.embargo, None);

    // The default moves a default embargo…
    let events = case.refresh_embargo(Some(d(20)), &team(), h(3));
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].after,
        Some(json!({ "at": d(20), "set_by": "default", "reason": null }))
    );
    assert_eq!(case.embargo, Some(d(20)));
    assert!(
        case.refresh_embargo(Some(d(20)), &team(), h(3)).is_empty(),
        "no change, no event"
    );

    // …but not one set by hand.
    let events = case
        .set_embargo(
            Some(d(30)),
            "the reporter presents at a conference",
            &team(),
            h(4),
        )
        .unwrap();
    assert_eq!(
        events[0].after,
        Some(
            json!({ "at": d(30), "set_by": "hand", "reason": "the reporter presents at a conference" })
        )
    );
    assert!(case.refresh_embargo(Some(d(25)), &team(), h(5)).is_empty());
    assert_eq!(case.embargo, Some(d(30)));

    // Engineers and others may not set or reset it.
    for actor in [engineer(), collaborator(), reporter()] {
        assert!(matches!(
            case.reset_embargo(Some(d(25)), &actor, h(5)),
            Err(DomainError::Forbidden { .. })
        ));
    }
    let events = case.reset_embargo(Some(d(25)), &team(), h(6)).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(case.embargo, Some(d(25)));
    assert_eq!(case.embargo_reason, None);
    assert_eq!(case.refresh_embargo(Some(d(26)), &team(), h(7)).len(), 1);
}

#[test]
fn a_disclosed_case_keeps_its_embargo() {
    let mut case = case_in(CaseState::Disclosed);
    assert!(case.refresh_embargo(Some(d(20)), &team(), h(3)).is_empty());
    assert!(
        case.set_embargo(Some(d(20)), "late", &team(), h(3))
            .is_err()
    );
    assert!(case.reset_embargo(Some(d(20)), &team(), h(3)).is_err());
    assert_eq!(case.embargo, None);
}
