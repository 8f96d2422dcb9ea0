//! Builders shared by the storage tests: users, a small catalog, reports and fully populated cases.

use std::collections::BTreeMap;

use embargo_domain::state::ResumeTo;
use embargo_domain::{
    AffectedStatus, Assessment, Attachment, Case, CaseId, CaseRecord, CaseReporter, CaseRole,
    CaseState, Channel, Credit, CveId, CvssVector, CweId, Deadlines, Justification, Link,
    MediaType, Member, Message, MessageId, Milestones, NewReport, RejectReason, ReleaseLineId,
    Report, ReportId, ReporterEmail, ReporterEstimate, ReporterIdentity, Role, Sha256Digest,
    Upstream, UserId, Version, Visibility,
};
use embargo_store::catalog::{self, NewEdition, NewProduct, NewReleaseLine};
use embargo_store::{AnyConnection, reports, users};
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

pub const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
pub const V31_MEDIUM: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N";
pub const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

/// `now()` plus a number of hours (negative: earlier).
pub fn at(hours: i64) -> Timestamp {
    super::now() + SignedDuration::from_hours(hours)
}

pub fn email(s: &str) -> ReporterEmail {
    ReporterEmail::parse(s).unwrap()
}

pub fn link(s: &str) -> Link {
    Link::parse(s).unwrap()
}

/// Everyone and everything a case refers to.
pub struct World {
    pub team: UserId,
    pub engineer: UserId,
    pub collaborator: UserId,
    pub reporter: UserId,
    pub other_reporter: UserId,
    pub other_engineer: UserId,
    /// Gateway Community 3.4.x (three-part) and 4.0.x, Enterprise 3.4.x (four-part).
    pub line_34: ReleaseLineId,
    pub line_40: ReleaseLineId,
    pub line_341: ReleaseLineId,
}

async fn user(conn: &mut AnyConnection, name: &str, role: &str) -> UserId {
    let email = format!("{name}@example.test");
    let id = users::insert(
        conn,
        &users::NewUser {
            username: name,
            email: &email,
            display_name: name,
            role,
            password_hash: None,
            must_change_password: false,
        },
        super::now(),
    )
    .await
    .unwrap();
    UserId::from_uuid(id)
}

pub async fn world(conn: &mut AnyConnection) -> World {
    let now = super::now();
    let product = catalog::ensure_product(
        conn,
        &NewProduct {
            slug: "gateway",
            name: "Gateway",
            vendor: "Example Networks",
        },
        now,
    )
    .await
    .unwrap();
    let mut line = async |edition_slug: &str, scheme: &str, name: &str, latest: &str| {
        let edition = catalog::ensure_edition(
            conn,
            &NewEdition {
                product_id: product,
                slug: edition_slug,
                name: if edition_slug == "community" {
                    "Community"
                } else {
                    "Enterprise"
                },
                version_scheme: scheme,
            },
            now,
        )
        .await
        .unwrap();
        let id = catalog::ensure_release_line(
            conn,
            &NewReleaseLine {
                edition_id: edition,
                name,
                latest_version: Some(latest),
                supported: true,
                lts: false,
                support_ends_on: None,
            },
            now,
        )
        .await
        .unwrap();
        ReleaseLineId::from_uuid(id)
    };
    let line_34 = line("community", "three-part", "3.4.x", "3.4.9").await;
    let line_40 = line("community", "three-part", "4.0.x", "4.0.2").await;
    let line_341 = line("enterprise", "four-part", "3.4.x", "3.4.1.1").await;
    World {
        team: user(conn, "tess", "team").await,
        engineer: user(conn, "enzo", "engineer").await,
        collaborator: user(conn, "cora", "collaborator").await,
        reporter: user(conn, "rea", "reporter").await,
        other_reporter: user(conn, "otto", "reporter").await,
        other_engineer: user(conn, "erin", "engineer").await,
        line_34,
        line_40,
        line_341,
    }
}

pub fn report_id(n: u128) -> ReportId {
    ReportId::from_uuid(Uuid::from_u128(0xE000 + n))
}

pub fn case_id(n: u128) -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xC000 + n))
}

/// Report `n` from `from`, received `hours` after `now()`, with the given attachments.
pub fn report_with(n: u128, from: &str, hours: i64, attachments: Vec<Attachment>) -> Report {
    let id = report_id(n);
    Report::receive(NewReport {
        id,
        tracking_random: [n as u8, (n >> 8) as u8, 0x5a, 0x17, 0x42],
        channel: Channel::Email,
        reporter: ReporterIdentity {
            email: email(from),
            name: Some(format!("Reporter {n}")),
        },
        received_at: at(hours),
        subject: format!("Report {n}: stored XSS"),
        body: "Steps to reproduce: ...\n".into(),
        attachments,
        raw: reports::raw_original(id),
    })
    .unwrap()
}

pub fn report(n: u128, from: &str, hours: i64) -> Report {
    report_with(n, from, hours, Vec::new())
}

pub async fn store_report(conn: &mut AnyConnection, report: &Report) {
    reports::insert(conn, report, b"From: x\r\n\r\nraw", &[], super::now())
        .await
        .unwrap();
}

pub fn attachment(name: &str, media: &str, bytes: &[u8], digest_char: char) -> Attachment {
    Attachment {
        name: name.into(),
        media_type: MediaType::parse(media).unwrap(),
        size: bytes.len() as u64,
        sha256: Sha256Digest::parse(&digest_char.to_string().repeat(64)).unwrap(),
    }
}

/// A case with every part filled in: two reporters (one crediting under a chosen name, linked to
/// an account), an engineer and a collaborator, both CVSS vectors, CWEs, a status of every kind on
/// the three lines, CVE, links, upstream, messages of each visibility, milestones, an estimate and
/// a finished needs-info pause. `n` keeps the CVE id unique; the reports must be stored already.
pub fn full_case(n: u128, w: &World, reports: &[&Report], state: CaseState) -> Case {
    let first = reports[0];
    let mut reporters = vec![CaseReporter {
        email: first.reporter().email.clone(),
        name: first.reporter().name.clone(),
        user: Some(w.reporter),
        report: first.id(),
        credit: Credit {
            consent: true,
            name: Some("Rea P. (Example Labs)".into()),
        },
    }];
    for r in &reports[1..] {
        reporters.push(CaseReporter {
            email: r.reporter().email.clone(),
            name: None,
            user: None,
            report: r.id(),
            credit: Credit::default(),
        });
    }
    let mut affected = BTreeMap::new();
    affected.insert(
        w.line_34,
        AffectedStatus::Fixed {
            fixed_in: Version::parse("3.4.10").unwrap(),
            links: vec![
                link("https://git.example.com/gw/commit/abc123"),
                link("https://git.example.com/gw/commit/def456"),
            ],
            verified_by: Some(w.engineer),
            verified_at: Some(at(-2)),
        },
    );
    affected.insert(
        w.line_40,
        AffectedStatus::NotAffected {
            justification: Justification::VulnerableCodeNotInExecutePath,
        },
    );
    affected.insert(
        w.line_341,
        AffectedStatus::WontFix {
            reason: "end of life next month; customers were told to upgrade".into(),
        },
    );
    let messages = [
        (Visibility::Reporter, Role::Team, w.team),
        (
            Visibility::Collaborators,
            Role::Collaborator,
            w.collaborator,
        ),
        (Visibility::Internal, Role::Engineer, w.engineer),
        (Visibility::Reporter, Role::Reporter, w.reporter),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (visibility, author_role, author))| Message {
        id: MessageId::from_uuid(Uuid::from_u128((n << 16) + i as u128)),
        author,
        author_role,
        at: at(-40 + i as i64),
        visibility,
        body: format!("message {i}: ünïcödé, quotes ' \" and a tab\t"),
    })
    .collect();
    Case::restore(CaseRecord {
        id: case_id(n),
        version: 7,
        title: format!("Stored XSS in the admin console #{n}"),
        description: "Details of the issue.\nSecond line.".into(),
        state,
        opened_at: at(-47),
        clock_start: at(-48),
        reports: reports.iter().map(|r| r.id()).collect(),
        reporters,
        cvss: Assessment {
            v3_1: Some(CvssVector::parse(V31).unwrap()),
            v4_0: Some(CvssVector::parse(V40).unwrap()),
        },
        cwes: vec![
            CweId::parse("CWE-79").unwrap(),
            CweId::parse("CWE-1321").unwrap(),
        ],
        affected,
        assignee: Some(w.engineer),
        members: vec![
            Member {
                user: w.engineer,
                role: CaseRole::Engineer,
            },
            Member {
                user: w.collaborator,
                role: CaseRole::Collaborator,
            },
        ],
        embargo: Some(at(24 * 30)),
        embargo_reason: Some("agreed with the reporter".into()),
        cve: Some(CveId::parse(&format!("CVE-2026-{}", 10000 + n)).unwrap()),
        links: vec![link("https://tracker.example.com/SEC-42")],
        upstream: Some(Upstream {
            project: "openssl".into(),
            advisory: Some("OSSA-2026-001".into()),
            url: Some(link("https://openssl.example.org/news/secadv")),
            disclosure: Some(at(24 * 30)),
        }),
        messages,
        deadlines: Deadlines {
            acknowledge: at(-24),
            triage: at(24 * 3),
            fix: at(24 * 14),
            disclose: at(24 * 30),
        },
        paused: SignedDuration::from_micros(5 * 3_600_000_000 + 17),
        milestones: Milestones {
            acknowledged_at: Some(at(-30)),
            triaged_at: Some(at(-20)),
            released_at: None,
            disclosed_at: None,
        },
        estimate: Some(ReporterEstimate {
            fix_by: at(24 * 14),
            disclose_by: at(24 * 30),
            given_at: at(-19),
        }),
    })
}

/// A case with nothing optional: no scores, no members, no upstream, one report, no messages.
pub fn bare_case(n: u128, report: &Report, state: CaseState, deadlines: Deadlines) -> Case {
    Case::restore(CaseRecord {
        id: case_id(n),
        version: 1,
        title: format!("Case {n}"),
        description: String::new(),
        state,
        opened_at: report.received_at(),
        clock_start: report.received_at(),
        reports: vec![report.id()],
        reporters: vec![CaseReporter {
            email: report.reporter().email.clone(),
            name: report.reporter().name.clone(),
            user: None,
            report: report.id(),
            credit: Credit::default(),
        }],
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
        deadlines,
        paused: SignedDuration::ZERO,
        milestones: Milestones::default(),
        estimate: None,
    })
}

/// Deadlines `hours` after `now()` for acknowledge, then +1, +2, +3 hours for the others.
pub fn deadlines_from(hours: i64) -> Deadlines {
    Deadlines {
        acknowledge: at(hours),
        triage: at(hours + 1),
        fix: at(hours + 2),
        disclose: at(hours + 3),
    }
}

/// Every state a case can be in, with the data some carry; `duplicate_of` must be a stored case.
pub fn every_state(duplicate_of: CaseId) -> Vec<CaseState> {
    vec![
        CaseState::New,
        CaseState::Acknowledged,
        CaseState::Triage,
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Acknowledged,
            since: at(-3),
        },
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Triage,
            since: at(-4),
        },
        CaseState::NeedsInfo {
            resume_to: ResumeTo::Accepted,
            since: at(-5),
        },
        CaseState::Accepted,
        CaseState::Rejected {
            reason: RejectReason::NotAVulnerability,
        },
        CaseState::Rejected {
            reason: RejectReason::Duplicate(duplicate_of),
        },
        CaseState::Rejected {
            reason: RejectReason::OutOfScope,
        },
        CaseState::Rejected {
            reason: RejectReason::Informative,
        },
        CaseState::FixInProgress,
        CaseState::FixVerified,
        CaseState::Released,
        CaseState::Disclosed,
    ]
}
