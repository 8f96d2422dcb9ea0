use std::collections::BTreeSet;

use embargo_domain::state::{ResumeTo, StateKind};
use embargo_domain::{
    AffectedStatus, Case, CaseId, CaseRole, CaseState, CvssVector, Member, Milestones,
    RejectReason, Severity, Upstream,
};
use embargo_store::AnyConnection;
use embargo_store::cases::{self, CaseFilter};
use embargo_testkit::TestDb;

use super::support::*;

struct Three {
    w: World,
    /// Triage, critical, upstream, engineer + collaborator members, assigned to the engineer,
    /// reporter linked to `w.reporter`, 3.4.x fixed and 4.0.x not affected.
    a: CaseId,
    /// New, medium, own code, `w.other_engineer` member, assigned to the team, 4.0.x affected.
    b: CaseId,
    /// Accepted, unscored, reporter linked to `w.other_reporter`.
    c: CaseId,
}

async fn three_cases(conn: &mut AnyConnection) -> Three {
    let w = world(conn).await;
    let ra = report(1, "Rea1@Example.net", -50);
    let rb = report(2, "bob@example.org", -40);
    let rc = report(3, "otto@example.com", -30);
    for r in [&ra, &rb, &rc] {
        store_report(conn, r).await;
    }
    let a = full_case(1, &w, &[&ra], CaseState::Triage);

    let mut b = bare_case(2, &rb, CaseState::New, deadlines_from(5)).into_record();
    b.cvss.v3_1 = Some(CvssVector::parse(V31_MEDIUM).unwrap());
    b.members.push(Member {
        user: w.other_engineer,
        role: CaseRole::Engineer,
    });
    b.assignee = Some(w.team);
    b.affected.insert(w.line_40, AffectedStatus::Affected);
    let b = Case::restore(b);

    let mut c = bare_case(3, &rc, CaseState::Accepted, deadlines_from(6)).into_record();
    c.reporters[0].user = Some(w.other_reporter);
    let c = Case::restore(c);

    for case in [&a, &b, &c] {
        cases::insert(conn, case, super::now()).await.unwrap();
    }
    Three {
        a: a.id,
        b: b.id,
        c: c.id,
        w,
    }
}

async fn ids(conn: &mut AnyConnection, filter: &CaseFilter) -> BTreeSet<CaseId> {
    cases::list(conn, filter, super::now())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn set(ids: &[CaseId]) -> BTreeSet<CaseId> {
    ids.iter().copied().collect()
}

#[tokio::test]
async fn without_filters_every_case_is_listed() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    assert_eq!(
        ids(&mut conn, &CaseFilter::default()).await,
        set(&[s.a, s.b, s.c])
    );
}

#[tokio::test]
async fn the_state_filter_keeps_cases_in_any_of_the_given_states() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by_states = |states: Vec<StateKind>| CaseFilter {
        states,
        ..Default::default()
    };
    assert_eq!(
        ids(&mut conn, &by_states(vec![StateKind::Triage])).await,
        set(&[s.a])
    );
    assert_eq!(
        ids(
            &mut conn,
            &by_states(vec![StateKind::New, StateKind::Accepted])
        )
        .await,
        set(&[s.b, s.c])
    );
    assert_eq!(
        ids(&mut conn, &by_states(vec![StateKind::Disclosed])).await,
        set(&[])
    );
}

#[tokio::test]
async fn the_severity_filter_uses_the_preferred_vector_and_skips_unscored_cases() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by = |severities: Vec<Severity>| CaseFilter {
        severities,
        ..Default::default()
    };
    assert_eq!(
        ids(&mut conn, &by(vec![Severity::Critical])).await,
        set(&[s.a])
    );
    assert_eq!(
        ids(&mut conn, &by(vec![Severity::Medium])).await,
        set(&[s.b])
    );
    assert_eq!(
        ids(
            &mut conn,
            &by(vec![Severity::Low, Severity::None, Severity::High])
        )
        .await,
        set(&[])
    );
    let listed = cases::list(&mut conn, &by(vec![Severity::Critical]), super::now())
        .await
        .unwrap();
    assert_eq!(
        listed[0].score.map(|s| s.tenths()),
        Some(93),
        "v4.0 decides"
    );
    assert_eq!(listed[0].severity, Some(Severity::Critical));
}

#[tokio::test]
async fn the_release_line_filter_keeps_cases_that_affect_the_line() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by = |line| CaseFilter {
        release_line: Some(line),
        ..Default::default()
    };
    assert_eq!(
        ids(&mut conn, &by(s.w.line_34)).await,
        set(&[s.a]),
        "fixed counts"
    );
    assert_eq!(
        ids(&mut conn, &by(s.w.line_40)).await,
        set(&[s.b]),
        "not-affected does not count"
    );
}

#[tokio::test]
async fn the_assignee_filter_keeps_the_users_assigned_cases() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by = |user| CaseFilter {
        assignee: Some(user),
        ..Default::default()
    };
    assert_eq!(ids(&mut conn, &by(s.w.engineer)).await, set(&[s.a]));
    assert_eq!(ids(&mut conn, &by(s.w.team)).await, set(&[s.b]));
    assert_eq!(ids(&mut conn, &by(s.w.collaborator)).await, set(&[]));
}

#[tokio::test]
async fn the_member_filter_never_returns_a_case_the_user_is_not_a_member_of() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let w = &s.w;
    let expected = [
        (w.engineer, set(&[s.a])),
        (w.collaborator, set(&[s.a])),
        (w.other_engineer, set(&[s.b])),
        (w.team, set(&[])),
        (w.reporter, set(&[])),
    ];
    for (user, want) in expected {
        let filter = CaseFilter {
            member: Some(user),
            ..Default::default()
        };
        let got = ids(&mut conn, &filter).await;
        for id in &got {
            let case = cases::get(&mut conn, *id).await.unwrap().unwrap();
            assert!(
                case.members.iter().any(|m| m.user == user),
                "{user} got {id}"
            );
        }
        assert_eq!(got, want, "{user}");
    }
    // Combined with other filters, membership still holds.
    let filter = CaseFilter {
        member: Some(w.engineer),
        states: vec![StateKind::New, StateKind::Accepted],
        ..Default::default()
    };
    assert_eq!(ids(&mut conn, &filter).await, set(&[]));
}

#[tokio::test]
async fn the_reporter_filters_never_return_another_reporters_case() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by_email = |e: &str| CaseFilter {
        reporter_email: Some(email(e)),
        ..Default::default()
    };
    assert_eq!(
        ids(&mut conn, &by_email("rea1@example.NET")).await,
        set(&[s.a]),
        "addresses compare ignoring ASCII case"
    );
    assert_eq!(
        ids(&mut conn, &by_email("bob@example.org")).await,
        set(&[s.b])
    );
    assert_eq!(ids(&mut conn, &by_email("eve@example.org")).await, set(&[]));

    let by_user = |u| CaseFilter {
        reporter_user: Some(u),
        ..Default::default()
    };
    assert_eq!(ids(&mut conn, &by_user(s.w.reporter)).await, set(&[s.a]));
    assert_eq!(
        ids(&mut conn, &by_user(s.w.other_reporter)).await,
        set(&[s.c])
    );
    assert_eq!(ids(&mut conn, &by_user(s.w.engineer)).await, set(&[]));
}

#[tokio::test]
async fn the_upstream_filter_separates_upstream_cases_from_our_own() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let s = three_cases(&mut conn).await;
    let by = |upstream| CaseFilter {
        upstream: Some(upstream),
        ..Default::default()
    };
    assert_eq!(ids(&mut conn, &by(true)).await, set(&[s.a]));
    assert_eq!(ids(&mut conn, &by(false)).await, set(&[s.b, s.c]));
}

#[tokio::test]
async fn the_queue_lists_overdue_cases_first_then_by_the_next_deadline_as_due_key_orders() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let now = super::now();
    let acknowledged = Milestones {
        acknowledged_at: Some(at(-100)),
        ..Default::default()
    };
    let triaged = Milestones {
        acknowledged_at: Some(at(-100)),
        triaged_at: Some(at(-90)),
        ..Default::default()
    };
    let all_done = Milestones {
        acknowledged_at: Some(at(-100)),
        triaged_at: Some(at(-90)),
        released_at: Some(at(-80)),
        disclosed_at: Some(at(-70)),
    };
    // (n, state, deadlines from, milestones, pinned upstream disclosure)
    let specs = [
        (1, CaseState::New, -10, Milestones::default(), None),
        (2, CaseState::Acknowledged, -3, acknowledged, None),
        (3, CaseState::Triage, 5, acknowledged, None),
        (
            4,
            CaseState::NeedsInfo {
                resume_to: ResumeTo::Acknowledged,
                since: at(-3),
            },
            -1,
            Milestones::default(),
            None,
        ),
        (
            5,
            CaseState::NeedsInfo {
                resume_to: ResumeTo::Accepted,
                since: at(-12),
            },
            -3,
            triaged,
            Some(at(4)),
        ),
        (6, CaseState::Disclosed, -50, all_done, None),
        (
            7,
            CaseState::Rejected {
                reason: RejectReason::OutOfScope,
            },
            -50,
            triaged,
            None,
        ),
        (8, CaseState::FixInProgress, 100, triaged, None),
    ];
    let mut stored = Vec::new();
    for (n, state, from, milestones, pinned) in specs {
        let r = report(n, &format!("r{n}@example.net"), -200);
        store_report(&mut conn, &r).await;
        let mut record = bare_case(n, &r, state, deadlines_from(from)).into_record();
        record.milestones = milestones;
        if let Some(date) = pinned {
            record.deadlines.disclose = date;
            record.upstream = Some(Upstream {
                project: "zlib".into(),
                advisory: None,
                url: None,
                disclosure: Some(date),
            });
        }
        let case = Case::restore(record);
        cases::insert(&mut conn, &case, now).await.unwrap();
        stored.push(case);
    }
    let mut expected = stored.clone();
    expected.sort_by_key(|c| (c.due_key(now), c.id));

    let listed = cases::list(&mut conn, &CaseFilter::default(), now)
        .await
        .unwrap();

    let order: Vec<CaseId> = listed.iter().map(|s| s.id).collect();
    let want: Vec<CaseId> = expected.iter().map(|c| c.id).collect();
    assert_eq!(order, want);
    assert_eq!(
        order,
        [1, 2, 4, 5, 3, 8, 6, 7].map(case_id).to_vec(),
        "overdue 1 and 2; needs-info 4 moved to +2h by its pause; 5 pinned at +4h"
    );
    for (summary, case) in listed.iter().zip(&expected) {
        let key = case.due_key(now);
        assert_eq!(summary.next_deadline, key.next_deadline(), "{}", case.title);
        assert_eq!(summary.overdue, key.is_overdue(), "{}", case.title);
        assert_eq!(summary.state, case.state);
    }

    let page = cases::list(
        &mut conn,
        &CaseFilter {
            limit: 2,
            offset: 2,
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        page.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![case_id(4), case_id(5)]
    );
}
