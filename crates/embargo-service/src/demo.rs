//! Demo data: a realistic catalog to explore Embargo with. Seeding is idempotent: running it
//! again adds nothing and changes nothing the team has edited since.

use anyhow::Context;
use embargo_store::catalog::{self, NewEdition, NewProduct, NewReleaseLine};

use crate::{App, ServiceError};

struct DemoLine {
    name: &'static str,
    /// The latest versions before the demo's patch releases ship (see [`RELEASES`]), which
    /// bring the lines to `enterprise_latest` and `oss_latest`.
    enterprise_before: &'static str,
    oss_before: &'static str,
    enterprise_latest: &'static str,
    oss_latest: &'static str,
    enterprise_support_ends: &'static str,
    oss_supported: bool,
    oss_support_ends: &'static str,
    lts: bool,
    components: [(&'static str, &'static str); 3],
}

const LINES: [DemoLine; 4] = [
    DemoLine {
        name: "3.4.x",
        enterprise_before: "3.4.1.0",
        oss_before: "3.4.0",
        enterprise_latest: "3.4.1.1",
        oss_latest: "3.4.1",
        enterprise_support_ends: "2028-06-30",
        oss_supported: true,
        oss_support_ends: "2027-06-30",
        lts: false,
        components: [
            ("nginx", "1.25.3"),
            ("openresty", "1.25.3.2"),
            ("openssl", "3.2.1"),
        ],
    },
    DemoLine {
        name: "3.3.x",
        enterprise_before: "3.3.5.1",
        oss_before: "3.3.5",
        enterprise_latest: "3.3.5.2",
        oss_latest: "3.3.5",
        enterprise_support_ends: "2027-09-30",
        oss_supported: false,
        oss_support_ends: "2026-06-30",
        lts: false,
        components: [
            ("nginx", "1.21.4"),
            ("openresty", "1.21.4.3"),
            ("openssl", "3.0.13"),
        ],
    },
    DemoLine {
        name: "3.2.x",
        enterprise_before: "3.2.8.3",
        oss_before: "3.2.8",
        enterprise_latest: "3.2.8.3",
        oss_latest: "3.2.8",
        enterprise_support_ends: "2027-03-31",
        oss_supported: false,
        oss_support_ends: "2025-12-31",
        lts: false,
        components: [
            ("nginx", "1.21.4"),
            ("openresty", "1.21.4.1"),
            ("openssl", "1.1.1w"),
        ],
    },
    DemoLine {
        name: "2.8.x",
        enterprise_before: "2.8.14.0",
        oss_before: "2.8.14",
        enterprise_latest: "2.8.14.1",
        oss_latest: "2.8.14",
        enterprise_support_ends: "2028-12-31",
        oss_supported: false,
        oss_support_ends: "2024-12-31",
        lts: true,
        components: [
            ("nginx", "1.19.9"),
            ("openresty", "1.19.9.1"),
            ("openssl", "1.1.1w"),
        ],
    },
];

/// What seeding found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub release_lines: usize,
    /// Cases created by this run (0 when they were there already).
    pub cases: usize,
}

/// Seeds the demo catalog: product Gateway with editions Enterprise (four-part versions) and
/// OSS (three-part), release lines 3.4.x (latest), 3.3.x, 3.2.x and 2.8.x (LTS in
/// Enterprise), each bundling nginx, OpenResty and OpenSSL.
pub async fn seed(app: &App) -> Result<DemoSummary, ServiceError> {
    let now = app.clock.now();
    let mut tx = app
        .db
        .begin()
        .await
        .context("starting the demo transaction")?;
    let product = catalog::ensure_product(
        &mut tx,
        &NewProduct {
            slug: "gateway",
            name: "Gateway",
            vendor: "Example Networks",
        },
        now,
    )
    .await?;
    let editions = [
        ("enterprise", "Enterprise", "four-part"),
        ("oss", "OSS", "three-part"),
    ];
    let mut count = 0;
    for (slug, name, scheme) in editions {
        let edition = catalog::ensure_edition(
            &mut tx,
            &NewEdition {
                product_id: product,
                slug,
                name,
                version_scheme: scheme,
            },
            now,
        )
        .await?;
        let enterprise = slug == "enterprise";
        for line in &LINES {
            let id = catalog::ensure_release_line(
                &mut tx,
                &NewReleaseLine {
                    edition_id: edition,
                    name: line.name,
                    latest_version: Some(if enterprise {
                        line.enterprise_before
                    } else {
                        line.oss_before
                    }),
                    supported: enterprise || line.oss_supported,
                    lts: enterprise && line.lts,
                    support_ends_on: Some(if enterprise {
                        line.enterprise_support_ends
                    } else {
                        line.oss_support_ends
                    }),
                },
                now,
            )
            .await?;
            for (component, version) in line.components {
                catalog::ensure_component(&mut tx, id, component, version).await?;
            }
            count += 1;
        }
    }
    tx.commit().await.context("committing the demo data")?;
    let cases = seed_cases(app).await?;
    Ok(DemoSummary {
        release_lines: count,
        cases,
    })
}

/// The demo reporters' domain: seeding cases is skipped when a report from it exists.
const DEMO_REPORTER: &str = "alice@reporters.example";

struct DemoCase {
    title: &'static str,
    description: &'static str,
    reporter: &'static str,
    cvss: &'static [&'static str],
    /// (edition, line) pairs that are affected.
    affected: &'static [(&'static str, &'static str)],
    /// Transitions after acknowledgement, in order.
    path: &'static [&'static str],
    /// A CVE id of ours (as CNA), assigned after acceptance.
    cve: Option<&'static str>,
    /// (project, advisory id, advisory URL) of the upstream project.
    upstream: Option<(&'static str, Option<&'static str>, Option<&'static str>)>,
    messages: &'static [(Visibility, &'static str)],
    /// Arrived by import: stays `new` (nobody was acknowledged).
    imported: bool,
    advisory: Option<DemoAdvisory>,
}

/// The advisory the team writes for a demo case.
struct DemoAdvisory {
    title: &'static str,
    summary: &'static str,
    description: &'static str,
    workarounds: Option<&'static str>,
    /// (kind, url)
    references: &'static [(&'static str, &'static str)],
    publication: Publication,
}

enum Publication {
    /// Published by the publisher job once the case's releases shipped.
    Published,
    /// Published, then revised once: (new summary, revision summary).
    Revised(&'static str, &'static str),
    /// Still under embargo: the embargo is this many days after seeding.
    EmbargoedForDays(i64),
}

/// The demo's patch releases, shipped in this order: (edition, line, cases by title). Each
/// brings its line from the `*_before` to the `*_latest` version of [`LINES`].
const RELEASES: &[(&str, &str, &[&str])] = &[
    ("Enterprise", "3.4.x", &[HEAP_OVERFLOW, STATUS_LEAK]),
    ("Enterprise", "3.3.x", &[HEAP_OVERFLOW, OPENSSL_NPN]),
    ("Enterprise", "2.8.x", &[HEAP_OVERFLOW]),
    (
        "OSS",
        "3.4.x",
        &[HEAP_OVERFLOW, CACHE_POISONING, STATUS_LEAK],
    ),
];

const HEAP_OVERFLOW: &str = "Heap overflow in HTTP/2 header decoding";
const CACHE_POISONING: &str = "Cache poisoning through the X-Forwarded-Host header";
const OPENSSL_NPN: &str = "OpenSSL: SSL_select_next_proto buffer overread (bundled openssl)";
const STATUS_LEAK: &str = "Status page discloses upstream and client addresses";
const TO_VERIFIED: &[&str] = &["triage", "accepted", "fix-in-progress", "fix-verified"];

use embargo_domain::Visibility;

const CASES: &[DemoCase] = &[
    DemoCase {
        title: HEAP_OVERFLOW,
        description: "A crafted HPACK header block overflows a heap buffer in the HTTP/2 decoder; a remote, unauthenticated client crashes the worker and may execute code.",
        reporter: DEMO_REPORTER,
        cvss: &[
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        ],
        affected: &[
            ("Enterprise", "3.4.x"),
            ("Enterprise", "3.3.x"),
            ("Enterprise", "2.8.x"),
            ("OSS", "3.4.x"),
        ],
        path: TO_VERIFIED,
        cve: Some("CVE-2026-31001"),
        upstream: None,
        messages: &[
            (
                Visibility::Reporter,
                "Thank you, we reproduced the crash on 3.4.1 and are working on a fix.",
            ),
            (
                Visibility::Internal,
                "Root cause: missing bound check in hpack_decode_literal; fix on all lines.",
            ),
        ],
        imported: false,
        advisory: Some(DemoAdvisory {
            title: "Heap overflow in HTTP/2 header decoding",
            summary: "A remote, unauthenticated client can crash Gateway workers and may execute code through a crafted HTTP/2 header block.",
            description: "The HTTP/2 decoder of Gateway does not check the length of a literal header field against the size of its buffer. A crafted HPACK header block overflows a heap buffer: the worker crashes, and code execution cannot be ruled out.\n\nEvery Gateway edition and release line with HTTP/2 enabled is affected.",
            workarounds: Some(
                "Disable HTTP/2 (`http2 off;`) on every listener until you can update.",
            ),
            references: &[
                ("release-notes", "https://gateway.example/releases/3.4.1"),
                ("patch", "https://gateway.example/git/commit/5b1f0c2"),
            ],
            publication: Publication::Published,
        }),
    },
    DemoCase {
        title: "Request smuggling through chunked extensions",
        description: "Chunk extensions with bare LF let a front proxy and the gateway disagree on message boundaries.",
        reporter: "bob@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"],
        affected: &[
            ("Enterprise", "3.4.x"),
            ("Enterprise", "3.3.x"),
            ("OSS", "3.4.x"),
        ],
        path: &["triage", "accepted", "fix-in-progress"],
        cve: None,
        upstream: None,
        messages: &[(
            Visibility::Internal,
            "Patch under review; 3.3.x backport needs the parser refactor.",
        )],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: "Reflected XSS in the admin console search",
        description: "The q parameter of /admin/search is echoed without escaping.",
        reporter: "carol@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"],
        affected: &[("Enterprise", "3.4.x")],
        path: &["triage", "accepted"],
        cve: None,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Confirmed. We expect a fix within the timeline we sent you.",
        )],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: "Timing difference in API key comparison",
        description: "API keys are compared with memcmp; the response time leaks the matching prefix length.",
        reporter: "dan@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"],
        affected: &[],
        path: &["triage"],
        cve: None,
        upstream: None,
        messages: &[],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: "Open redirect after login",
        description: "The next parameter accepts absolute URLs.",
        reporter: "erin@reporters.example",
        cvss: &[],
        affected: &[],
        path: &["triage", "needs-info"],
        cve: None,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Which version and configuration did you test? We cannot reproduce it on 3.4.1.",
        )],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: "No rate limit on the password reset form",
        description: "The password reset form can be submitted without limit.",
        reporter: "frank@reporters.example",
        cvss: &[],
        affected: &[],
        path: &["triage", "rejected:informative"],
        cve: None,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Thanks; this is hardening advice rather than a vulnerability. We track it as an improvement.",
        )],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: "OpenSSL: excessive time checking DH keys (bundled openssl)",
        description: "Upstream OpenSSL issue affecting the bundled OpenSSL 3.0.13 of the 3.3.x lines.",
        reporter: "grace@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"],
        affected: &[("Enterprise", "3.3.x")],
        path: TO_VERIFIED,
        cve: None,
        upstream: Some(("OpenSSL", None, None)),
        messages: &[(
            Visibility::Internal,
            "Waiting for the OpenSSL release; our disclosure follows theirs.",
        )],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: CACHE_POISONING,
        description: "Responses cached with an attacker-controlled Host in redirects.",
        reporter: "heidi@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N"],
        affected: &[("OSS", "3.4.x")],
        path: TO_VERIFIED,
        cve: Some("CVE-2026-31003"),
        upstream: None,
        messages: &[],
        imported: false,
        advisory: Some(DemoAdvisory {
            title: "Cache poisoning through the X-Forwarded-Host header",
            summary: "Redirects built from X-Forwarded-Host can be cached and served to other users.",
            description: "Gateway OSS builds absolute redirects from the `X-Forwarded-Host` header and caches them. An attacker can poison the cache so that other users are redirected to a host of the attacker's choice.",
            workarounds: Some(
                "Strip `X-Forwarded-Host` at the edge, or disable caching of redirects.",
            ),
            references: &[("release-notes", "https://gateway.example/releases/3.4.1")],
            publication: Publication::EmbargoedForDays(30),
        }),
    },
    DemoCase {
        title: "Path traversal in the static file handler (imported)",
        description: "Imported from the previous tracker; not yet acknowledged.",
        reporter: "ivan@reporters.example",
        cvss: &[],
        affected: &[],
        path: &[],
        cve: None,
        upstream: None,
        messages: &[],
        imported: true,
        advisory: None,
    },
    DemoCase {
        title: "Server-side request forgery through webhook URLs",
        description: "Webhook targets may point at link-local addresses such as the cloud metadata service.",
        reporter: "judy@reporters.example",
        cvss: &[],
        affected: &[],
        path: &[],
        cve: None,
        upstream: None,
        messages: &[],
        imported: false,
        advisory: None,
    },
    DemoCase {
        title: OPENSSL_NPN,
        description: "Upstream OpenSSL CVE-2024-5535 in the bundled OpenSSL 3.0.13 of the 3.3.x lines: SSL_select_next_proto reads past its buffer with an empty client protocol list.",
        reporter: "kim@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H"],
        affected: &[("Enterprise", "3.3.x")],
        path: TO_VERIFIED,
        cve: None,
        upstream: Some((
            "OpenSSL",
            Some("CVE-2024-5535"),
            Some("https://www.openssl.org/news/secadv/20240627.txt"),
        )),
        messages: &[],
        imported: false,
        advisory: Some(DemoAdvisory {
            title: "OpenSSL: SSL_select_next_proto buffer overread (CVE-2024-5535)",
            summary: "Gateway Enterprise 3.3.x bundles an OpenSSL affected by CVE-2024-5535; a peer can make it read past a buffer.",
            description: "Gateway Enterprise 3.3.x ships OpenSSL 3.0.13. Calling `SSL_select_next_proto` with an empty supported client protocols buffer may crash or send up to 255 bytes of arbitrary memory to the peer. Gateway calls it for NPN, which is enabled only by the `ssl_npn on;` directive.",
            workarounds: Some("Leave NPN off (`ssl_npn off;`, the default)."),
            references: &[(
                "advisory",
                "https://www.openssl.org/news/secadv/20240627.txt",
            )],
            publication: Publication::Published,
        }),
    },
    DemoCase {
        title: STATUS_LEAK,
        description: "The /status page lists upstream server addresses and client IPs to anyone when the status module is on.",
        reporter: "leo@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"],
        affected: &[("Enterprise", "3.4.x"), ("OSS", "3.4.x")],
        path: TO_VERIFIED,
        cve: Some("CVE-2026-31002"),
        upstream: None,
        messages: &[],
        imported: false,
        advisory: Some(DemoAdvisory {
            title: "Information disclosure through the status page",
            summary: "The status page shows upstream addresses and client IPs without authentication.",
            description: "With the status module enabled, `/status` lists the addresses of upstream servers and the IP addresses of current clients to anyone who can reach it.",
            workarounds: Some("Restrict `/status` to trusted networks with `allow`/`deny`."),
            references: &[("release-notes", "https://gateway.example/releases/3.4.1")],
            publication: Publication::Revised(
                "The status page shows upstream addresses and client IPs without authentication; only setups with the status module enabled are affected.",
                "Names the configurations affected.",
            ),
        }),
    },
];

/// Seeds demo cases in every state (unless already seeded): reports from made-up reporters,
/// scored, with affected release lines, threads with reporter-visible and internal messages;
/// then the demo's patch releases shipped, the advisories written (one still under embargo)
/// and published by the publisher job at their embargo, one revised; and the audit history all
/// of that writes. Everything goes through the service functions the team uses.
pub async fn seed_cases(app: &App) -> Result<usize, ServiceError> {
    use embargo_domain::{Channel, CveId, Link, RejectReason, ReporterEmail, Target, Upstream};
    use embargo_store::reports::{self, ReportFilter};

    use crate::accounts::system_principal;
    use crate::cases::{self, CaseRef, from_domain};
    use crate::intake::{self, Submission};

    let mut conn = app.db.acquire().await?;
    let seeded = reports::list(
        &mut conn,
        &ReportFilter {
            reporter_email: ReporterEmail::parse(DEMO_REPORTER).ok(),
            limit: 1,
            ..ReportFilter::default()
        },
    )
    .await?;
    if !seeded.is_empty() {
        return Ok(0);
    }
    let catalog = embargo_store::catalog::load(&mut conn).await?;
    drop(conn);
    let who = system_principal();
    let mut ids = Vec::new();
    for demo in CASES {
        let channel = if demo.imported {
            Channel::Import
        } else {
            Channel::Api
        };
        let receipt = intake::submit(
            app,
            channel,
            Submission {
                title: demo.title.to_owned(),
                description: demo.description.to_owned(),
                reporter_email: demo.reporter.to_owned(),
                reporter_name: (demo.reporter == DEMO_REPORTER).then(|| "Alice Finder".to_owned()),
                product: Some("Gateway".to_owned()),
                version: None,
                credit_consent: demo.reporter == DEMO_REPORTER,
                ..Submission::default()
            },
            demo.description.as_bytes(),
        )
        .await?;
        let case = CaseRef::Id(receipt.case);
        ids.push((demo, receipt.case));
        for vector in demo.cvss {
            let v = cases::get(app, &who, case).await?.case.version;
            cases::set_cvss(app, &who, case, v, vector).await?;
        }
        for (edition, line) in demo.affected {
            let line = catalog
                .lines()
                .find(|p| p.edition.name == *edition && p.line.name() == *line)
                .map(|p| p.line.id())
                .ok_or_else(|| demo_error(format!("no demo line {edition} {line}")))?;
            let v = cases::get(app, &who, case).await?.case.version;
            cases::set_affected(
                app,
                &who,
                case,
                v,
                line,
                embargo_domain::AffectedStatus::Affected,
            )
            .await?;
        }
        if let Some((project, advisory, url)) = demo.upstream {
            let url = url.map(Link::parse).transpose().map_err(from_domain)?;
            cases::modify(app, &who, case, None, |c, ctx| {
                c.set_upstream(
                    Some(Upstream {
                        project: project.to_owned(),
                        advisory: advisory.map(str::to_owned),
                        url: url.clone(),
                        disclosure: None,
                    }),
                    &ctx.app.policy(),
                    ctx.catalog,
                    ctx.actor,
                    ctx.now,
                )
            })
            .await?;
        }
        for (visibility, body) in demo.messages {
            cases::post_message(app, &who, case, *visibility, body).await?;
        }
        for step in demo.path {
            let target = match *step {
                "triage" => Target::Triage,
                "accepted" => Target::Accepted,
                "needs-info" => Target::NeedsInfo,
                "fix-in-progress" => Target::FixInProgress,
                "fix-verified" => Target::FixVerified,
                "rejected:informative" => Target::Rejected(RejectReason::Informative),
                other => return Err(demo_error(format!("demo path step {other:?}"))),
            };
            cases::transition(app, &who, case, None, target, Some("demo"), None).await?;
            if target == Target::Accepted
                && let Some(cve) = demo.cve
            {
                let cve = CveId::parse(cve).map_err(from_domain)?;
                cases::modify(app, &who, case, None, |c, ctx| {
                    c.assign_cve(cve.clone(), ctx.actor, ctx.now)
                })
                .await?;
            }
        }
    }
    let case_of = |title: &str| {
        ids.iter()
            .find(|(d, _)| d.title == title)
            .map(|(_, id)| *id)
            .ok_or_else(|| demo_error(format!("no demo case {title:?}")))
    };

    // The patch releases: shipping the last line a case is affected on releases it.
    for (edition, line, fixes) in RELEASES {
        let demo_line = LINES
            .iter()
            .find(|l| l.name == *line)
            .ok_or_else(|| demo_error(format!("no demo line {line}")))?;
        let version = if *edition == "Enterprise" {
            demo_line.enterprise_latest
        } else {
            demo_line.oss_latest
        };
        let line_ref = format!("gateway/{}/{line}", edition.to_ascii_lowercase());
        let line_id = crate::releases::resolve_line(app, &line_ref).await?;
        let plan = crate::releases::plan(app, &who, line_id, Some(version), None).await?;
        for title in *fixes {
            crate::releases::add_case(app, &who, plan.release.id, CaseRef::Id(case_of(title)?))
                .await?;
        }
        crate::releases::ship(app, &who, plan.release.id, None, None).await?;
    }

    // The advisories: written with the embargo at once (or later), published by the publisher.
    let now = app.clock.now();
    let mut revise = Vec::new();
    for (demo, id) in &ids {
        let Some(a) = &demo.advisory else { continue };
        let embargo = match a.publication {
            Publication::Published | Publication::Revised(..) => now,
            Publication::EmbargoedForDays(days) => {
                now + jiff::SignedDuration::from_hours(days * 24)
            }
        };
        let mut input = AdvisoryInput {
            title: a.title.to_owned(),
            summary: a.summary.to_owned(),
            description_md: a.description.to_owned(),
            workarounds_md: a.workarounds.map(str::to_owned),
            references: a
                .references
                .iter()
                .map(|(kind, url)| ((*url).to_owned(), (*kind).to_owned(), None))
                .collect(),
            embargo: Some(embargo),
            embargo_reason: Some(match a.publication {
                Publication::EmbargoedForDays(_) => "agreed with the reporter".to_owned(),
                _ => "the fixed releases are out".to_owned(),
            }),
            revision_summary: None,
        };
        advisories::save(app, &who, CaseRef::Id(*id), &input).await?;
        if let Publication::Revised(summary, change) = a.publication {
            input.summary = summary.to_owned();
            input.embargo = None;
            input.embargo_reason = None;
            input.revision_summary = Some(change.to_owned());
            revise.push((*id, input));
        }
    }
    let published = advisories::publish_due(app).await?;
    if published.len() != 3 {
        return Err(demo_error(format!(
            "expected 3 demo advisories published, got {published:?}"
        )));
    }
    for (id, input) in revise {
        advisories::save(app, &who, CaseRef::Id(id), &input).await?;
    }
    Ok(CASES.len())
}

use crate::advisories::{self, AdvisoryInput};

fn demo_error(message: String) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!(message))
}
