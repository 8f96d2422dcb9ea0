//! The embargo and the pre-notification list, driven through the service on a fixed clock: the
//! default embargo follows the case's release plans (the later of the last patch release and
//! the upstream's date), an embargo set by hand needs a reason and stays until reset, and the
//! pre-notification list is mailed once per embargo instant, the policy's time before it lifts,
//! each entry only about its products, encrypted to its key, never about a published advisory.

use embargo_domain::{AffectedStatus, Channel, ReleaseLineId, Role, Target};
use embargo_service::accounts::{self, Principal};
use embargo_service::advisories::{self, AdvisoryInput};
use embargo_service::cases::{self, CaseRef};
use embargo_service::catalog::{self, LineRef, NewLine};
use embargo_service::intake::{self, Submission};
use embargo_service::mail::MailSettings;
use embargo_service::prenotify::{self, NewRecipient};
use embargo_service::releases;
use embargo_service::{App, Clock, ServiceError};
use embargo_store::mail::{OutboundFilter, list_outbound};
use jiff::{SignedDuration, Timestamp};

const T0: &str = "2026-03-02T09:00:00Z";
const DESCRIPTION_MARK: &str = "PRENOTE-DESC-k3j";
const INTERNAL_MARK: &str = "PRENOTE-INTERNAL-v8q";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

struct World {
    t: embargo_testkit::TestDb,
    app: App,
    clock: Clock,
    admin: Principal,
    team: Principal,
    engineer: Principal,
}

async fn world() -> World {
    let t = embargo_testkit::TestDb::new().await;
    let clock = Clock::fixed(ts(T0));
    let app = App::new(t.db.clone(), clock.clone()).with_mail(MailSettings {
        from: "security@vendor.test".to_owned(),
        team_name: "Vendor security".to_owned(),
        public_url: "https://embargo.test".to_owned(),
        ..MailSettings::default()
    });
    embargo_service::demo::seed(&app).await.unwrap();
    for (name, role) in [
        ("ada", Role::Admin),
        ("tess", Role::Team),
        ("emil", Role::Engineer),
    ] {
        accounts::create_account(&app, name, &format!("{name}@vendor.test"), name, role)
            .await
            .unwrap();
    }
    let admin = accounts::operator(&app, "ada").await.unwrap();
    // A second product, for entries limited to one.
    catalog::add_line(
        &app,
        &admin,
        &NewLine {
            at: LineRef {
                product: "Console".into(),
                edition: "OSS".into(),
                line: "1.0.x".into(),
            },
            scheme: "three-part".into(),
            latest: Some("1.0.4".into()),
            supported: true,
            lts: false,
            support_ends: None,
        },
    )
    .await
    .unwrap();
    World {
        team: accounts::operator(&app, "tess").await.unwrap(),
        engineer: accounts::operator(&app, "emil").await.unwrap(),
        admin,
        t,
        app,
        clock,
    }
}

impl World {
    async fn line(&self, product: &str, edition: &str, line: &str) -> ReleaseLineId {
        let catalog = catalog::load(&self.app, &self.team).await.unwrap();
        catalog
            .products
            .iter()
            .filter(|p| p.name == product)
            .flat_map(|p| p.editions.iter())
            .filter(|e| e.name == edition)
            .flat_map(|e| e.lines.iter())
            .find(|l| l.name() == line)
            .map(|l| l.id())
            .unwrap_or_else(|| panic!("no line {product} {edition} {line}"))
    }

    /// A case affected on `lines`, fixing, with an advisory draft and an internal note.
    async fn case(&self, lines: &[ReleaseLineId]) -> CaseRef {
        let receipt = intake::submit(
            &self.app,
            Channel::WebForm,
            Submission {
                title: "Request smuggling in the HTTP/2 gateway".into(),
                description: "Details.".into(),
                reporter_email: "rita@researcher.test".into(),
                reporter_name: None,
                product: None,
                version: None,
                credit_consent: false,
                ..Submission::default()
            },
            b"raw",
        )
        .await
        .unwrap();
        let case = CaseRef::Id(receipt.case);
        for line in lines {
            let v = cases::get(&self.app, &self.team, case)
                .await
                .unwrap()
                .case
                .version;
            cases::set_affected(
                &self.app,
                &self.team,
                case,
                v,
                *line,
                AffectedStatus::Affected,
            )
            .await
            .unwrap();
        }
        for to in [Target::Triage, Target::Accepted, Target::FixInProgress] {
            cases::transition(&self.app, &self.team, case, None, to, None, None)
                .await
                .unwrap();
        }
        cases::post_message(
            &self.app,
            &self.team,
            case,
            embargo_domain::Visibility::Internal,
            INTERNAL_MARK,
        )
        .await
        .unwrap();
        advisories::save(
            &self.app,
            &self.team,
            case,
            &AdvisoryInput {
                title: "HTTP/2 request smuggling".into(),
                summary: "A crafted request is forwarded twice.".into(),
                description_md: format!("Before the fix, {DESCRIPTION_MARK}."),
                ..AdvisoryInput::default()
            },
        )
        .await
        .unwrap();
        case
    }

    async fn embargo(&self, case: CaseRef) -> (Option<Timestamp>, Option<String>) {
        let c = cases::get(&self.app, &self.team, case).await.unwrap().case;
        (c.embargo, c.embargo_reason)
    }

    /// Queued pre-notification mails: (recipient, subject, raw).
    async fn notices(&self) -> Vec<(String, String, Vec<u8>)> {
        let mut conn = self.t.db.acquire().await.unwrap();
        let all = list_outbound(
            &mut conn,
            &OutboundFilter {
                case: None,
                state: None,
                limit: 1000,
            },
        )
        .await
        .unwrap();
        let mut out = Vec::new();
        for m in all.into_iter().filter(|m| m.kind == "pre-notification") {
            let raw: Vec<u8> = sqlx::query_scalar("SELECT raw FROM outbox WHERE id = $1")
                .bind(m.id.to_string())
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            out.push((m.recipient, m.subject, raw));
        }
        out
    }
}

#[tokio::test]
async fn the_default_embargo_follows_the_release_plans_until_set_by_hand() {
    let w = world().await;
    let ent = w.line("Gateway", "Enterprise", "3.4.x").await;
    let oss = w.line("Gateway", "OSS", "3.4.x").await;
    let case = w.case(&[ent, oss]).await;
    assert_eq!(w.embargo(case).await, (None, None), "no release planned");

    let a = releases::plan(
        &w.app,
        &w.team,
        ent,
        None,
        Some(jiff::civil::date(2026, 3, 20)),
    )
    .await
    .unwrap();
    releases::add_case(&w.app, &w.team, a.release.id, case)
        .await
        .unwrap();
    assert_eq!(
        w.embargo(case).await.0,
        None,
        "one affected line has no release yet"
    );
    let b = releases::plan(
        &w.app,
        &w.team,
        oss,
        None,
        Some(jiff::civil::date(2026, 3, 24)),
    )
    .await
    .unwrap();
    releases::add_case(&w.app, &w.team, b.release.id, case)
        .await
        .unwrap();
    assert_eq!(
        w.embargo(case).await,
        (Some(ts("2026-03-24T14:00:00Z")), None),
        "the later target day, at the policy's release time"
    );

    // Shipping the later one early (recorded on the 22nd) brings the default forward to the
    // earlier plan's day.
    w.clock.advance(days(20));
    releases::ship(&w.app, &w.team, b.release.id, None, None)
        .await
        .unwrap();
    assert_eq!(w.embargo(case).await.0, Some(ts("2026-03-22T14:00:00Z")));

    // By hand: a reason is required, and the default no longer moves it.
    let v = cases::get(&w.app, &w.team, case)
        .await
        .unwrap()
        .case
        .version;
    let err = cases::set_embargo(
        &w.app,
        &w.team,
        case,
        Some(v),
        Some(ts("2026-04-01T10:00:00Z")),
        " ",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Invalid {
                field: "reason",
                ..
            }
        ),
        "{err:?}"
    );
    let err = cases::set_embargo(
        &w.app,
        &w.engineer,
        case,
        Some(v),
        Some(ts("2026-04-01T10:00:00Z")),
        "x",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ServiceError::NotFound | ServiceError::Forbidden),
        "{err:?}"
    );
    cases::set_embargo(
        &w.app,
        &w.team,
        case,
        Some(v),
        Some(ts("2026-04-01T10:00:00Z")),
        "agreed with the reporter",
    )
    .await
    .unwrap();
    releases::ship(&w.app, &w.team, a.release.id, None, None)
        .await
        .unwrap();
    assert_eq!(
        w.embargo(case).await,
        (
            Some(ts("2026-04-01T10:00:00Z")),
            Some("agreed with the reporter".into())
        )
    );
    // The audit names the reason.
    let audit = cases::audit(&w.app, &w.team, case).await.unwrap();
    assert!(
        format!("{audit:?}").contains("agreed with the reporter"),
        "{audit:?}"
    );

    // Back to the default: both releases shipped, the later record counts.
    cases::reset_embargo(&w.app, &w.team, case, None)
        .await
        .unwrap();
    assert_eq!(
        w.embargo(case).await,
        (Some(ts("2026-03-22T14:00:00Z")), None)
    );
}

#[tokio::test]
async fn the_list_is_mailed_once_per_embargo_the_set_time_before_it_lifts() {
    let w = world().await;
    let ent = w.line("Gateway", "Enterprise", "3.4.x").await;
    let case = w.case(&[ent]).await;
    let embargo = ts("2026-03-20T14:00:00Z");
    let v = cases::get(&w.app, &w.team, case)
        .await
        .unwrap()
        .case
        .version;
    cases::set_embargo(
        &w.app,
        &w.team,
        case,
        Some(v),
        Some(embargo),
        "coordinated with distributors",
    )
    .await
    .unwrap();

    // The list: everything; Gateway only, with a key; Console only; and one removed again.
    embargo_service::openpgp::generate_team_key(&w.app, &w.admin, None)
        .await
        .unwrap();
    let distro_key = embargo_pgp::TeamKey::generate("Distro <keyed@distro.test>", ts(T0)).unwrap();
    let add = |name: &str, email: &str, products: &[&str], key: Option<&str>| NewRecipient {
        name: name.into(),
        email: email.into(),
        products: products.iter().map(|p| (*p).to_owned()).collect(),
        public_key: key.map(str::to_owned),
    };
    for r in [
        add("Every distro", "all@distro.test", &[], None),
        add(
            "Keyed distro",
            "keyed@distro.test",
            &["gateway"],
            Some(distro_key.public_armored()),
        ),
        add("Console distro", "console@distro.test", &["Console"], None),
    ] {
        prenotify::add(&w.app, &w.team, &r).await.unwrap();
    }
    let gone = prenotify::add(&w.app, &w.team, &add("Gone", "gone@distro.test", &[], None))
        .await
        .unwrap();
    prenotify::remove(&w.app, &w.team, &gone.recipient.id.to_string())
        .await
        .unwrap();

    // Bad entries are refused, naming the field; others may not touch the list.
    for (bad, field) in [
        (add("", "x@distro.test", &[], None), "name"),
        (add("X", "not an address", &[], None), "email"),
        (add("X", "x@distro.test", &["Toaster"], None), "products"),
        (
            add("X", "x@distro.test", &[], Some("not a key")),
            "public_key",
        ),
    ] {
        match prenotify::add(&w.app, &w.team, &bad).await {
            Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        prenotify::add(&w.app, &w.team, &add("Again", "ALL@distro.test", &[], None)).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        prenotify::list(&w.app, &w.engineer).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        prenotify::add(&w.app, &w.engineer, &add("E", "e@distro.test", &[], None)).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(prenotify::list(&w.app, &w.team).await.unwrap().len(), 3);

    // Six days before: too early. Five days before: the two Gateway entries, once.
    w.clock
        .advance(ts("2026-03-14T14:00:00Z").duration_since(ts(T0)));
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 0);
    assert!(w.notices().await.is_empty());
    w.clock.advance(days(1));
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 2);
    assert_eq!(
        prenotify::notify_due(&w.app).await.unwrap(),
        0,
        "once per embargo"
    );

    let sent = w.notices().await;
    let to: Vec<&str> = sent.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(to.len(), 2);
    assert!(
        to.contains(&"all@distro.test") && to.contains(&"keyed@distro.test"),
        "{to:?}"
    );
    let (_, subject, raw) = sent
        .iter()
        .find(|(r, _, _)| r == "all@distro.test")
        .unwrap();
    assert!(
        subject.contains("EMBARGOED until 2026-03-20 14:00 UTC"),
        "{subject}"
    );
    let text = String::from_utf8_lossy(raw).replace("=\r\n", "");
    assert!(text.contains(DESCRIPTION_MARK), "{text}");
    assert!(text.contains("Gateway Enterprise 3.4.x"), "{text}");
    assert!(
        !text.contains(INTERNAL_MARK),
        "an internal note reached the list"
    );
    assert!(
        !text.contains("rita@researcher.test"),
        "the reporter reached the list"
    );

    // The keyed entry's notice is encrypted: nothing readable outside, all of it inside.
    let (_, subject, raw) = sent
        .iter()
        .find(|(r, _, _)| r == "keyed@distro.test")
        .unwrap();
    assert!(!subject.contains("smuggling"), "{subject}");
    assert!(!String::from_utf8_lossy(raw).contains(DESCRIPTION_MARK));
    let inner = embargo_pgp::decrypt_mail(&distro_key, raw, &[])
        .unwrap()
        .expect("an encrypted mail");
    assert!(String::from_utf8_lossy(&inner.plaintext).contains(DESCRIPTION_MARK));

    // The case records who was told.
    let told = prenotify::notices(&w.app, &w.team, case).await.unwrap();
    assert_eq!(told.len(), 2);
    assert!(told.iter().all(|n| n.sent && n.embargo == embargo));

    // A moved embargo is announced again; past the embargo, nothing more is sent.
    let v = cases::get(&w.app, &w.team, case)
        .await
        .unwrap()
        .case
        .version;
    cases::set_embargo(
        &w.app,
        &w.team,
        case,
        Some(v),
        Some(embargo - days(1)),
        "a day earlier: the fix leaked",
    )
    .await
    .unwrap();
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 2);
    assert_eq!(w.notices().await.len(), 4);
    w.clock.advance(days(7));
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 0);
}

#[tokio::test]
async fn nothing_is_sent_about_a_published_advisory_or_without_a_draft() {
    let w = world().await;
    let ent = w.line("Gateway", "Enterprise", "3.4.x").await;
    prenotify::add(
        &w.app,
        &w.team,
        &NewRecipient {
            name: "Every distro".into(),
            email: "all@distro.test".into(),
            ..NewRecipient::default()
        },
    )
    .await
    .unwrap();
    // A case with an embargo but no advisory: nothing to send.
    let receipt = intake::submit(
        &w.app,
        Channel::Api,
        Submission {
            title: "No advisory yet".into(),
            description: "Details.".into(),
            reporter_email: "r@researcher.test".into(),
            reporter_name: None,
            product: None,
            version: None,
            credit_consent: false,
            ..Submission::default()
        },
        b"raw",
    )
    .await
    .unwrap();
    let bare = CaseRef::Id(receipt.case);
    let v = cases::get(&w.app, &w.team, bare)
        .await
        .unwrap()
        .case
        .version;
    cases::set_embargo(
        &w.app,
        &w.team,
        bare,
        Some(v),
        Some(ts(T0) + days(2)),
        "agreed",
    )
    .await
    .unwrap();
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 0);

    // Released and published at its embargo: after that, the list hears nothing.
    let case = w.case(&[ent]).await;
    let r = releases::plan(&w.app, &w.team, ent, None, None)
        .await
        .unwrap();
    releases::add_case(&w.app, &w.team, r.release.id, case)
        .await
        .unwrap();
    cases::transition(&w.app, &w.team, case, None, Target::FixVerified, None, None)
        .await
        .unwrap();
    releases::ship(&w.app, &w.team, r.release.id, None, None)
        .await
        .unwrap();
    let (embargo, _) = w.embargo(case).await;
    assert_eq!(
        embargo,
        Some(ts("2026-03-02T14:00:00Z")),
        "shipped today, at 14:00"
    );
    w.clock.advance(days(1));
    assert_eq!(advisories::publish_due(&w.app).await.unwrap().len(), 1);
    let v = cases::get(&w.app, &w.team, case)
        .await
        .unwrap()
        .case
        .version;
    let moved = cases::set_embargo(
        &w.app,
        &w.team,
        case,
        Some(v),
        Some(ts(T0) + days(3)),
        "late",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            moved,
            ServiceError::Invalid {
                field: "embargo",
                ..
            }
        ),
        "{moved:?}"
    );
    assert_eq!(prenotify::notify_due(&w.app).await.unwrap(), 0);
    assert!(w.notices().await.is_empty());
}

/// End to end through `embargo serve`: the team puts a distributor on the list and sets the
/// embargo in the case room; the serve job mails the distributor through real SMTP, the case room
/// and the CLI show the notice, and nothing of it reaches the reporter.
#[tokio::test]
async fn the_serve_job_mails_the_list_when_the_team_sets_an_embargo_in_the_case_room() {
    use crate::web_ui::{Web, csrf_of, mails_to, submit_report};
    use reqwest::StatusCode;

    let web = Web::start().await;
    let password = web.user("pn-team", "team");
    let team = web.login("pn-team", &password, None).await;
    let case = submit_report(
        &web,
        "rita@example.org",
        "Header injection in the admin API",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let description = dir.path().join("description.md");
    std::fs::write(&description, format!("Before the fix, {DESCRIPTION_MARK}.")).unwrap();
    web.run(&[
        "advisories",
        "set",
        &case,
        "--title",
        "Header injection",
        "--summary",
        "A crafted header is forwarded.",
        "--description-file",
        description.to_str().unwrap(),
    ]);

    // The list page: add an entry.
    let (status, _, page) = web.get(&team, "/prenotify").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let (status, _, page) = web
        .post(
            &team,
            "/prenotify",
            &[
                ("csrf", &csrf),
                ("action", "add"),
                ("name", "Debian security"),
                ("email", "team@security.distro.test"),
                ("public_key", ""),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("team@security.distro.test"), "{page}");

    // The case room: the default embargo (none yet), then one set by hand, two days out.
    let (_, _, room) = web.get(&team, &format!("/cases/{case}")).await;
    assert!(room.contains("none yet"), "{room}");
    let version = {
        let key = "name=\"version\" value=\"";
        let at = room.find(key).unwrap() + key.len();
        room[at..at + room[at..].find('"').unwrap()].to_owned()
    };
    #[allow(
        clippy::disallowed_methods,
        reason = "the server under test runs on the system clock"
    )]
    let at = (jiff::Timestamp::now() + days(2))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .datetime()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, _, room) = web
        .post(
            &team,
            &format!("/cases/{case}/embargo"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "set"),
                ("at", &at),
                ("reason", "coordinated with the distributors"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert!(
        room.contains("set by hand: coordinated with the distributors"),
        "{room}"
    );

    // The job mails the entry (within its one-second tick), over real SMTP.
    let mails = mails_to(&web, "team@security.distro.test", 1);
    assert_eq!(mails.len(), 1, "one notice");
    let text = String::from_utf8_lossy(&mails[0]).replace("=\r\n", "");
    assert!(text.contains("EMBARGOED until"), "{text}");
    assert!(text.contains(DESCRIPTION_MARK), "{text}");
    assert!(text.contains("Hello Debian security,"), "{text}");

    // The case room and the CLI show it; the reporter's mails never carry the advisory text.
    let (_, _, room) = web.get(&team, &format!("/cases/{case}")).await;
    let told = &room[room.find("id=\"prenotices\"").expect("the notices")..];
    assert!(told.contains("team@security.distro.test"), "{room}");
    let listed = web.run(&["prenotify", "notices", &case]);
    assert!(
        listed.contains("team@security.distro.test") && listed.contains("queued"),
        "{listed}"
    );
    for mail in mails_to(&web, "rita@example.org", 1) {
        assert!(!String::from_utf8_lossy(&mail).contains(DESCRIPTION_MARK));
    }
}
