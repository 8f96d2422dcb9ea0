use embargo_domain::{CaseState, Report};
use embargo_store::reports::{self, ReportFilter};
use embargo_store::{StoreError, Violation, cases};
use embargo_testkit::TestDb;

use super::support::*;

/// Bytes no text decoding would keep: invalid UTF-8, a NUL, CR LF and high bytes.
const RAW: &[u8] =
    b"From: a@example.net\r\nSubject: \xff\xfe broken\r\n\r\nbody\x00tail \xc3\x28 \x80\x81";

#[tokio::test]
async fn a_report_with_attachments_and_raw_bytes_reads_back_byte_for_byte() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let pcap: &[u8] = b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00";
    let log: &[u8] = b"line one\nline two\x00\xff";
    let report = report_with(
        1,
        "Alice@Example.net",
        -5,
        vec![
            attachment("capture.pcap", "application/vnd.tcpdump.pcap", pcap, 'a'),
            attachment("server.log", "text/plain", log, 'B'),
            attachment("video.mp4", "video/mp4", &[0; 4096], 'c'),
        ],
    );

    reports::insert(
        &mut conn,
        &report,
        RAW,
        &[Some(pcap), Some(log)],
        super::now(),
    )
    .await
    .unwrap();

    let stored = reports::get(&mut conn, report.id()).await.unwrap().unwrap();
    assert_eq!(stored.report, report);
    assert_eq!(stored.case, None);
    assert_eq!(
        reports::raw(&mut conn, report.id())
            .await
            .unwrap()
            .as_deref(),
        Some(RAW)
    );
    let expected: [Option<&[u8]>; 4] = [Some(pcap), Some(log), None, None];
    for (i, want) in expected.into_iter().enumerate() {
        let got = reports::attachment_content(&mut conn, report.id(), i)
            .await
            .unwrap();
        assert_eq!(got.as_deref(), want, "attachment {i}");
    }
    assert_eq!(reports::raw(&mut conn, report_id(2)).await.unwrap(), None);
}

#[tokio::test]
async fn an_empty_raw_original_and_empty_attachment_are_kept_as_empty() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let report = report_with(
        1,
        "a@example.net",
        -5,
        vec![attachment("empty.txt", "text/plain", b"", 'd')],
    );

    reports::insert(&mut conn, &report, b"", &[Some(b"")], super::now())
        .await
        .unwrap();

    assert_eq!(
        reports::raw(&mut conn, report.id()).await.unwrap(),
        Some(Vec::new())
    );
    assert_eq!(
        reports::attachment_content(&mut conn, report.id(), 0)
            .await
            .unwrap(),
        Some(Vec::new())
    );
}

#[tokio::test]
async fn tracking_ids_are_unique() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let first = report(1, "a@example.net", -5);
    store_report(&mut conn, &first).await;
    // Another report that happened to draw the same random bytes.
    let clash = Report::restore(
        first.tracking_id(),
        embargo_domain::NewReport {
            id: report_id(2),
            tracking_random: [0; 5],
            channel: embargo_domain::Channel::WebForm,
            reporter: first.reporter().clone(),
            received_at: at(-1),
            subject: "another".into(),
            body: String::new(),
            attachments: Vec::new(),
            raw: reports::raw_original(report_id(2)),
        },
    )
    .unwrap();

    let err = reports::insert(&mut conn, &clash, b"x", &[], super::now())
        .await
        .unwrap_err();

    assert_eq!(err.violation(), Some(Violation::Unique), "{err:?}");
    assert_eq!(reports::get(&mut conn, report_id(2)).await.unwrap(), None);
}

#[tokio::test]
async fn a_report_is_found_by_its_tracking_id_in_any_accepted_spelling() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let report = report(1, "a@example.net", -5);
    store_report(&mut conn, &report).await;
    let typed = embargo_domain::TrackingId::parse(&report.tracking_id().to_string().to_lowercase())
        .unwrap();

    let found = reports::find_by_tracking(&mut conn, &typed).await.unwrap();

    assert_eq!(found.map(|s| s.report), Some(report));
    let unknown = embargo_domain::TrackingId::from_random([9, 9, 9, 9, 9]);
    assert_eq!(
        reports::find_by_tracking(&mut conn, &unknown)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_raw_reference_other_than_this_databases_is_refused() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let mut new = embargo_domain::NewReport {
        id: report_id(1),
        tracking_random: [1, 2, 3, 4, 5],
        channel: embargo_domain::Channel::Api,
        reporter: embargo_domain::ReporterIdentity {
            email: email("a@example.net"),
            name: None,
        },
        received_at: at(0),
        subject: String::new(),
        body: String::new(),
        attachments: Vec::new(),
        raw: embargo_domain::RawOriginal::new("blob/elsewhere").unwrap(),
    };
    let elsewhere = Report::receive(new.clone()).unwrap();
    let err = reports::insert(&mut conn, &elsewhere, b"x", &[], super::now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");

    new.raw = reports::raw_original(report_id(1));
    assert_eq!(new.raw.as_ref(), format!("db:{}", report_id(1)));
    let here = Report::receive(new).unwrap();
    let err = reports::insert(&mut conn, &here, b"x", &[Some(b"extra")], super::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { .. }),
        "more contents than attachments: {err:?}"
    );
    assert_eq!(reports::get(&mut conn, report_id(1)).await.unwrap(), None);
}

#[tokio::test]
async fn reports_are_listed_newest_first_with_their_case_and_filtered() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let older = report(1, "Alice@Example.net", -30);
    let middle = report_with(
        2,
        "bob@example.net",
        -20,
        vec![attachment("a.txt", "text/plain", b"a", 'a')],
    );
    let newest = report(3, "alice@example.net", -10);
    for r in [&older, &middle, &newest] {
        store_report(&mut conn, r).await;
    }
    let case = bare_case(1, &middle, CaseState::New, deadlines_from(5));
    cases::insert(&mut conn, &case, super::now()).await.unwrap();

    let all = reports::list(&mut conn, &ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![newest.id(), middle.id(), older.id()]
    );
    assert_eq!(all[1].case, Some(case.id));
    assert_eq!(all[1].attachments, 1);
    assert_eq!(all[1].tracking_id, middle.tracking_id());
    assert_eq!(all[0].case, None);
    assert_eq!(all[0].subject, newest.subject());

    assert_eq!(
        ids(
            &mut conn,
            ReportFilter {
                unattached_only: true,
                ..Default::default()
            }
        )
        .await,
        vec![newest.id(), older.id()]
    );
    assert_eq!(
        ids(
            &mut conn,
            ReportFilter {
                reporter_email: Some(email("ALICE@example.net")),
                ..Default::default()
            }
        )
        .await,
        vec![newest.id(), older.id()]
    );
    assert_eq!(
        ids(
            &mut conn,
            ReportFilter {
                case: Some(case.id),
                ..Default::default()
            }
        )
        .await,
        vec![middle.id()]
    );
    assert_eq!(
        ids(
            &mut conn,
            ReportFilter {
                received_before: Some(at(-10)),
                limit: 1,
                ..Default::default()
            }
        )
        .await,
        vec![middle.id()]
    );
}

#[tokio::test]
async fn attaching_a_report_to_a_case_is_idempotent_and_exclusive() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let first = report(1, "a@example.net", -30);
    let second = report(2, "b@example.net", -20);
    let other = report(3, "c@example.net", -20);
    for r in [&first, &second, &other] {
        store_report(&mut conn, r).await;
    }
    let case = bare_case(1, &first, CaseState::New, deadlines_from(5));
    let other_case = bare_case(2, &other, CaseState::New, deadlines_from(5));
    cases::insert(&mut conn, &case, super::now()).await.unwrap();
    cases::insert(&mut conn, &other_case, super::now())
        .await
        .unwrap();

    reports::attach_to_case(&mut conn, second.id(), case.id)
        .await
        .unwrap();
    reports::attach_to_case(&mut conn, second.id(), case.id)
        .await
        .unwrap();

    let stored = reports::get(&mut conn, second.id()).await.unwrap().unwrap();
    assert_eq!(stored.case, Some(case.id));
    let err = reports::attach_to_case(&mut conn, second.id(), other_case.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ReportAttachedElsewhere { .. }),
        "{err:?}"
    );
    let err = reports::attach_to_case(&mut conn, report_id(42), case.id)
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
    let listed = cases::get(&mut conn, case.id).await.unwrap().unwrap();
    assert_eq!(
        listed.reports,
        vec![first.id(), second.id()],
        "attached after the first"
    );
}

async fn ids(
    conn: &mut embargo_store::AnyConnection,
    filter: ReportFilter,
) -> Vec<embargo_domain::ReportId> {
    reports::list(conn, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}
