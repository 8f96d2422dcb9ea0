//! Test fixtures shared by the unit tests: actors, a catalog, reports, cases in any state.

use jiff::Timestamp;
use uuid::Uuid;

use crate::*;

pub const T0: &str = "2026-03-02T09:00:00Z";

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// `T0` plus a number of hours.
pub fn h(hours: i64) -> Timestamp {
    t(T0) + jiff::SignedDuration::from_hours(hours)
}

/// `T0` plus a number of days.
pub fn d(days: i64) -> Timestamp {
    h(days * 24)
}

pub fn uid(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}

pub fn case_id(n: u128) -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xC000 + n))
}

pub fn line_id(n: u128) -> ReleaseLineId {
    ReleaseLineId::from_uuid(Uuid::from_u128(0x1100 + n))
}

pub fn admin() -> Actor {
    Actor {
        id: uid(1),
        role: Role::Admin,
    }
}
pub fn team() -> Actor {
    Actor {
        id: uid(2),
        role: Role::Team,
    }
}
/// An engineer who is a member of the fixture case.
pub fn engineer() -> Actor {
    Actor {
        id: uid(3),
        role: Role::Engineer,
    }
}
/// A collaborator invited to the fixture case.
pub fn collaborator() -> Actor {
    Actor {
        id: uid(4),
        role: Role::Collaborator,
    }
}
/// The reporter of the fixture case, with an account.
pub fn reporter() -> Actor {
    Actor {
        id: uid(5),
        role: Role::Reporter,
    }
}
/// An engineer who is not a member of the fixture case.
pub fn other_engineer() -> Actor {
    Actor {
        id: uid(6),
        role: Role::Engineer,
    }
}
/// A collaborator not invited to the fixture case.
pub fn other_collaborator() -> Actor {
    Actor {
        id: uid(7),
        role: Role::Collaborator,
    }
}
/// A reporter of some other case.
pub fn other_reporter() -> Actor {
    Actor {
        id: uid(8),
        role: Role::Reporter,
    }
}
/// An engineer invited to the fixture case as a collaborator only.
pub fn engineer_as_collaborator() -> Actor {
    Actor {
        id: uid(9),
        role: Role::Engineer,
    }
}

pub fn email(s: &str) -> ReporterEmail {
    ReporterEmail::parse(s).unwrap()
}

pub fn report(n: u128, from: &str, received_at: Timestamp) -> Report {
    Report::receive(NewReport {
        id: ReportId::from_uuid(Uuid::from_u128(0xE000 + n)),
        tracking_random: [n as u8, 1, 2, 3, 4],
        channel: Channel::WebForm,
        reporter: ReporterIdentity {
            email: email(from),
            name: Some("Rea Porter".into()),
        },
        received_at,
        subject: "Stored XSS in the admin console".into(),
        body: "Steps to reproduce ...".into(),
        attachments: vec![],
        raw: RawOriginal::new(format!("raw/{n}")).unwrap(),
    })
    .unwrap()
}

/// Gateway: Community 3.4.x (1) and 4.0.x (2), Enterprise 3.4.x (3) and 4.0.x (4). Major 4 is
/// the latest.
pub fn catalog() -> Catalog {
    let semver = |n, name, latest: &str| {
        ReleaseLine::new(
            line_id(n),
            name,
            VersionScheme::Semver,
            Some(Version::parse(latest).unwrap()),
        )
        .unwrap()
    };
    let enterprise = |n, name, latest: &str| {
        ReleaseLine::new(
            line_id(n),
            name,
            VersionScheme::Enterprise,
            Some(Version::parse(latest).unwrap()),
        )
        .unwrap()
    };
    Catalog {
        products: vec![Product {
            id: ProductId::from_uuid(Uuid::from_u128(0xA0)),
            name: "Gateway".into(),
            editions: vec![
                Edition {
                    id: EditionId::from_uuid(Uuid::from_u128(0xB0)),
                    name: "Community".into(),
                    lines: vec![semver(1, "3.4.x", "3.4.9"), semver(2, "4.0.x", "4.0.2")],
                },
                Edition {
                    id: EditionId::from_uuid(Uuid::from_u128(0xB1)),
                    name: "Enterprise".into(),
                    lines: vec![
                        enterprise(3, "3.4.x", "3.4.1.1"),
                        enterprise(4, "4.0.x", "4.0.1.3"),
                    ],
                },
            ],
        }],
    }
}

/// Real vectors with their reference scores. The score is asserted when the vector is parsed.
pub const V31_CRITICAL: (&str, u8) = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98);
pub const V31_HIGH: (&str, u8) = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 75);
pub const V31_MEDIUM: (&str, u8) = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 53);
pub const V31_LOW: (&str, u8) = ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 18);
pub const V40_CRITICAL: (&str, u8) = (
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    93,
);

pub fn vector((text, tenths): (&str, u8)) -> CvssVector {
    let v = CvssVector::parse(text).unwrap();
    assert_eq!(v.score().tenths(), tenths, "{text}");
    v
}

/// A case opened by the team from a report received at `T0`, with `engineer()` as engineer member,
/// `collaborator()` and `engineer_as_collaborator()` as collaborators, and the reporter's account
/// linked to `reporter()`. Still in `new`, version as left by those changes.
pub fn open_case() -> Case {
    let r = report(1, "rea@example.net", t(T0));
    let (mut case, _) = Case::open(
        NewCase {
            id: case_id(1),
            title: "Stored XSS in admin console".into(),
            description: "...".into(),
        },
        &r,
        &Policy::default(),
        &team(),
        h(1),
    )
    .unwrap();
    case.add_member(engineer().id, CaseRole::Engineer, &team(), h(1))
        .unwrap();
    case.add_member(collaborator().id, CaseRole::Collaborator, &team(), h(1))
        .unwrap();
    case.add_member(
        engineer_as_collaborator().id,
        CaseRole::Collaborator,
        &team(),
        h(1),
    )
    .unwrap();
    case.link_reporter_account(&email("rea@example.net"), reporter().id, &team(), h(1))
        .unwrap();
    case
}

/// The fixture case put straight into `state` (as `store` would restore it).
pub fn case_in(state: CaseState) -> Case {
    let mut record = open_case().into_record();
    record.state = state;
    Case::restore(record)
}
