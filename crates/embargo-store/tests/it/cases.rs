use embargo_domain::{
    Actor, AffectedStatus, AuditAction, Case, CaseState, Justification, Message, MessageId,
    NewCase, Policy, Role, Target, Visibility,
};
use embargo_store::{StoreError, Violation, cases, reports};
use embargo_testkit::TestDb;
use uuid::Uuid;

use super::support::*;

#[tokio::test]
async fn a_case_in_every_state_reads_back_exactly_as_it_was_stored() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let original = report(100, "first@example.net", -48);
    store_report(&mut conn, &original).await;
    let target = bare_case(100, &original, CaseState::Triage, deadlines_from(10));
    cases::insert(&mut conn, &target, super::now())
        .await
        .unwrap();

    let statuses = [
        AffectedStatus::NotAffected {
            justification: Justification::ComponentNotPresent,
        },
        AffectedStatus::Affected,
        AffectedStatus::FixInProgress,
        AffectedStatus::Unknown,
    ];
    for (i, state) in every_state(target.id).into_iter().enumerate() {
        let n = i as u128 + 1;
        let a = report(n * 2, &format!("rea{n}@example.net"), -48);
        let b = report(n * 2 + 1, &format!("Second{n}@Example.org"), -47);
        store_report(&mut conn, &a).await;
        store_report(&mut conn, &b).await;
        let mut record = full_case(n, &w, &[&a, &b], state).into_record();
        record
            .affected
            .insert(w.line_40, statuses[i % statuses.len()].clone());
        let case = Case::restore(record);

        cases::insert(&mut conn, &case, super::now()).await.unwrap();
        let stored = cases::get(&mut conn, case.id).await.unwrap();

        assert_eq!(stored.as_ref(), Some(&case), "state {state:?}");
    }
}

#[tokio::test]
async fn a_case_with_nothing_optional_reads_back_exactly() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let r = report(1, "r@example.net", -1);
    store_report(&mut conn, &r).await;
    let case = bare_case(1, &r, CaseState::New, deadlines_from(5));

    cases::insert(&mut conn, &case, super::now()).await.unwrap();

    assert_eq!(cases::get(&mut conn, case.id).await.unwrap(), Some(case));
    assert_eq!(cases::get(&mut conn, case_id(99)).await.unwrap(), None);
}

#[tokio::test]
async fn an_update_rewrites_the_case_and_appends_only_new_messages() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let a = report(1, "rea@example.net", -48);
    let b = report(2, "sam@example.net", -20);
    store_report(&mut conn, &a).await;
    store_report(&mut conn, &b).await;
    let case = full_case(1, &w, &[&a], CaseState::Accepted);
    cases::insert(&mut conn, &case, super::now()).await.unwrap();

    let mut record = case.clone().into_record();
    record.version += 2;
    record.state = CaseState::FixInProgress;
    record.members.remove(1);
    record.affected.remove(&w.line_341);
    record
        .affected
        .insert(w.line_40, AffectedStatus::FixInProgress);
    record.cwes.reverse();
    record.cvss.v4_0 = None;
    record.upstream = None;
    record.estimate = None;
    record.cve = None;
    record.reports.push(b.id());
    record.messages.push(Message {
        id: MessageId::from_uuid(Uuid::from_u128(0xFEED)),
        author: w.team,
        author_role: Role::Team,
        at: at(0),
        visibility: Visibility::Internal,
        body: "fix is in review".into(),
    });
    let changed = Case::restore(record);
    cases::update(&mut conn, &changed, case.version, at(1))
        .await
        .unwrap();

    assert_eq!(
        cases::get(&mut conn, case.id).await.unwrap(),
        Some(changed.clone())
    );
    let attached = reports::get(&mut conn, b.id()).await.unwrap().unwrap();
    assert_eq!(attached.case, Some(case.id));

    // Dropping a stored message is not an update the store accepts: the thread is append-only.
    let mut shrunk = changed.clone().into_record();
    shrunk.version += 1;
    shrunk.messages.pop();
    let err = cases::update(&mut conn, &Case::restore(shrunk), changed.version, at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
}

#[tokio::test]
async fn a_stale_version_is_refused_and_nothing_is_written() {
    let t = TestDb::new().await;
    let w = {
        let mut conn = t.db.pool().acquire().await.unwrap();
        world(&mut conn).await
    };
    let r = report(1, "rea@example.net", -48);
    let case = full_case(1, &w, &[&r], CaseState::Triage);
    {
        let mut tx = t.db.begin().await.unwrap();
        store_report(&mut tx, &r).await;
        cases::insert(&mut tx, &case, super::now()).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut first = case.clone().into_record();
    first.version += 1;
    first.title = "First edit".into();
    let first = Case::restore(first);
    let mut tx = t.db.begin().await.unwrap();
    cases::update(&mut tx, &first, case.version, at(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut stale = case.clone().into_record();
    stale.version += 1;
    stale.title = "Edit based on the old version".into();
    stale.members.clear();
    stale.messages.push(Message {
        id: MessageId::from_uuid(Uuid::from_u128(0xBAD)),
        author: w.team,
        author_role: Role::Team,
        at: at(2),
        visibility: Visibility::Reporter,
        body: "should never be stored".into(),
    });
    let mut tx = t.db.begin().await.unwrap();
    let err = cases::update(&mut tx, &Case::restore(stale), case.version, at(2))
        .await
        .unwrap_err();
    tx.commit().await.unwrap();

    match err {
        StoreError::VersionConflict { expected, found } => {
            assert_eq!((expected, found), (case.version, first.version));
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    let mut conn = t.db.pool().acquire().await.unwrap();
    assert_eq!(cases::get(&mut conn, case.id).await.unwrap(), Some(first));
}

#[tokio::test]
async fn two_concurrent_updates_from_the_same_version_let_exactly_one_win() {
    let t = TestDb::new().await;
    let case = {
        let mut conn = t.db.pool().acquire().await.unwrap();
        let w = world(&mut conn).await;
        let r = report(1, "rea@example.net", -48);
        store_report(&mut conn, &r).await;
        let case = full_case(1, &w, &[&r], CaseState::Triage);
        cases::insert(&mut conn, &case, super::now()).await.unwrap();
        case
    };
    // On PostgreSQL both transactions are open before either writes; on SQLite the write lock
    // taken by BEGIN IMMEDIATE serialises them, so waiting for each other would deadlock.
    let both_open = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let postgres = t.dialect() == embargo_store::Dialect::Postgres;
    let mut handles = Vec::new();
    for title in ["Edit A", "Edit B"] {
        let db = t.db.clone();
        let barrier = both_open.clone();
        let mut record = case.clone().into_record();
        record.version += 1;
        record.title = title.into();
        let edited = Case::restore(record);
        let read = case.version;
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            if postgres {
                barrier.wait().await;
            }
            let result = cases::update(&mut tx, &edited, read, at(1)).await;
            tx.commit().await.unwrap();
            (edited, result)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for h in handles {
        match h.await.unwrap() {
            (edited, Ok(())) => winners.push(edited),
            (_, Err(StoreError::VersionConflict { .. })) => conflicts += 1,
            (_, Err(other)) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!((winners.len(), conflicts), (1, 1));
    let mut conn = t.db.pool().acquire().await.unwrap();
    assert_eq!(
        cases::get(&mut conn, case.id).await.unwrap().as_ref(),
        winners.first()
    );
}

#[tokio::test]
async fn updating_a_case_that_was_never_stored_is_not_found() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let r = report(1, "r@example.net", -1);
    store_report(&mut conn, &r).await;
    let mut record = bare_case(1, &r, CaseState::New, deadlines_from(5)).into_record();
    record.version = 2;

    let err = cases::update(&mut conn, &Case::restore(record), 1, at(0))
        .await
        .unwrap_err();

    assert!(
        matches!(err, StoreError::NotFound { entity: "case", .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_report_belongs_to_at_most_one_case() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let r = report(1, "r@example.net", -1);
    store_report(&mut conn, &r).await;
    let first = bare_case(1, &r, CaseState::New, deadlines_from(5));
    cases::insert(&mut conn, &first, super::now())
        .await
        .unwrap();

    let second = bare_case(2, &r, CaseState::New, deadlines_from(5));
    let err = cases::insert(&mut conn, &second, super::now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::ReportAttachedElsewhere { case, .. } if *case == first.id.to_string()),
        "{err:?}"
    );

    let unknown = report(9, "r@example.net", -1);
    let err = cases::insert(
        &mut conn,
        &bare_case(3, &unknown, CaseState::New, deadlines_from(5)),
        super::now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "report",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_case_is_found_through_the_tracking_id_of_any_of_its_reports() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let a = report(1, "a@example.net", -3);
    let b = report(2, "b@example.net", -2);
    let loose = report(3, "c@example.net", -1);
    for r in [&a, &b, &loose] {
        store_report(&mut conn, r).await;
    }
    let case = full_case(1, &w, &[&a, &b], CaseState::Triage);
    cases::insert(&mut conn, &case, super::now()).await.unwrap();

    for r in [&a, &b] {
        assert_eq!(
            cases::find_by_tracking(&mut conn, &r.tracking_id())
                .await
                .unwrap(),
            Some(case.id)
        );
    }
    assert_eq!(
        cases::find_by_tracking(&mut conn, &loose.tracking_id())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn two_cases_cannot_share_a_cve_id() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let a = report(1, "a@example.net", -3);
    let b = report(2, "b@example.net", -2);
    store_report(&mut conn, &a).await;
    store_report(&mut conn, &b).await;
    cases::insert(
        &mut conn,
        &full_case(1, &w, &[&a], CaseState::Triage),
        super::now(),
    )
    .await
    .unwrap();
    let mut record = full_case(2, &w, &[&b], CaseState::Triage).into_record();
    record.cve = full_case(1, &w, &[&a], CaseState::Triage).cve.clone();

    let err = cases::insert(&mut conn, &Case::restore(record), super::now())
        .await
        .unwrap_err();

    assert_eq!(err.violation(), Some(Violation::Unique), "{err:?}");
}

#[tokio::test]
async fn stored_messages_and_audit_events_cannot_be_changed_or_deleted() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let r = report(1, "rea@example.net", -48);
    store_report(&mut conn, &r).await;
    let (case, events) = opened_case(&r, &w);
    cases::insert(&mut conn, &case, super::now()).await.unwrap();
    cases::append_audit(&mut conn, &events).await.unwrap();
    let mut record = full_case(1, &w, &[&r], CaseState::Triage).into_record();
    record.id = case.id;
    record.version = case.version + 1;
    cases::update(&mut conn, &Case::restore(record), case.version, at(1))
        .await
        .unwrap();

    for statement in [
        "UPDATE messages SET body = 'rewritten'",
        "DELETE FROM messages",
        "UPDATE audit_events SET action = 'case-opened'",
        "DELETE FROM audit_events",
    ] {
        let result = sqlx::query(statement).execute(&mut *conn).await;
        assert!(result.is_err(), "{statement} was allowed");
    }
    assert_eq!(cases::audit(&mut conn, case.id).await.unwrap(), events);
    assert_eq!(
        cases::get(&mut conn, case.id)
            .await
            .unwrap()
            .unwrap()
            .messages
            .len(),
        4
    );
}

#[tokio::test]
async fn a_stored_value_the_domain_rejects_is_reported_as_corrupt_with_its_column() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let r = report(1, "rea@example.net", -48);
    store_report(&mut conn, &r).await;
    let case = full_case(1, &w, &[&r], CaseState::Triage);
    cases::insert(&mut conn, &case, super::now()).await.unwrap();
    sqlx::query("UPDATE cases SET cvss_v31 = 'CVSS:3.1/AV:Q' WHERE id = $1")
        .bind(case.id.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();

    let err = cases::get(&mut conn, case.id).await.unwrap_err();

    match err {
        StoreError::Corrupt { column, value } => {
            assert_eq!(
                (column, value.as_str()),
                ("cases.cvss_v31", "CVSS:3.1/AV:Q")
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A case opened through the domain, with its audit events.
pub fn opened_case(
    report: &embargo_domain::Report,
    w: &World,
) -> (Case, Vec<embargo_domain::AuditEvent>) {
    let team = Actor {
        id: w.team,
        role: Role::Team,
    };
    Case::open(
        NewCase {
            id: case_id(1),
            title: "Stored XSS in the admin console".into(),
            description: "From the report".into(),
        },
        report,
        &Policy::default(),
        &team,
        at(-47),
    )
    .unwrap()
}

#[tokio::test]
async fn audit_events_read_back_in_the_order_they_were_appended() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let w = world(&mut conn).await;
    let r = report(1, "rea@example.net", -48);
    let other_report = report(2, "x@example.net", -48);
    store_report(&mut conn, &r).await;
    store_report(&mut conn, &other_report).await;
    let team = Actor {
        id: w.team,
        role: Role::Team,
    };
    let (mut case, mut events) = opened_case(&r, &w);
    cases::insert(&mut conn, &case, super::now()).await.unwrap();
    cases::append_audit(&mut conn, &events).await.unwrap();
    let other = bare_case(2, &other_report, CaseState::New, deadlines_from(1));
    cases::insert(&mut conn, &other, super::now())
        .await
        .unwrap();

    let read = case.version;
    let mut more = Vec::new();
    more.extend(
        case.transition(Target::Acknowledged, &team, None, at(-46))
            .unwrap(),
    );
    more.extend(
        case.transition(Target::Triage, &team, None, at(-45))
            .unwrap(),
    );
    more.extend(
        case.transition(Target::NeedsInfo, &team, None, at(-44))
            .unwrap(),
    );
    more.extend(
        case.transition(Target::Triage, &team, Some("answered"), at(-40))
            .unwrap(),
    );
    more.extend(
        case.post_message(
            MessageId::from_uuid(Uuid::from_u128(77)),
            Visibility::Reporter,
            "Thanks, we are on it.",
            &team,
            at(-39),
        )
        .unwrap(),
    );
    cases::update(&mut conn, &case, read, at(-39))
        .await
        .unwrap();
    cases::append_audit(&mut conn, &more).await.unwrap();
    cases::append_audit(
        &mut conn,
        &[embargo_domain::AuditEvent {
            case: other.id,
            actor: w.team,
            actor_role: Role::Admin,
            at: at(-39),
            action: AuditAction::TitleChanged,
            before: None,
            after: Some(serde_json::json!("x")),
        }],
    )
    .await
    .unwrap();
    events.extend(more);

    let stored = cases::audit(&mut conn, case.id).await.unwrap();

    assert_eq!(stored, events);
    assert!(stored.len() >= 7, "{}", stored.len());
    assert_eq!(stored[0].action, AuditAction::CaseOpened);
    assert_eq!(cases::get(&mut conn, case.id).await.unwrap(), Some(case));
}
