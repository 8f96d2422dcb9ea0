//! Demo data: a realistic catalog to explore Embargo with. Seeding is idempotent: running it
//! again adds nothing and changes nothing the team has edited since.

use anyhow::Context;
use embargo_store::catalog::{self, NewEdition, NewProduct, NewReleaseLine};

use crate::{App, ServiceError};

struct DemoLine {
    name: &'static str,
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
                        line.enterprise_latest
                    } else {
                        line.oss_latest
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
    /// Fix each affected line in its next patch when the path passes `released`.
    fixed: bool,
    upstream: Option<&'static str>,
    messages: &'static [(Visibility, &'static str)],
    /// Arrived by import: stays `new` (nobody was acknowledged).
    imported: bool,
}

use embargo_domain::Visibility;

const CASES: &[DemoCase] = &[
    DemoCase {
        title: "Heap overflow in HTTP/2 header decoding",
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
        path: &[
            "triage",
            "accepted",
            "fix-in-progress",
            "fix-verified",
            "released",
            "disclosed",
        ],
        fixed: true,
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
        fixed: false,
        upstream: None,
        messages: &[(
            Visibility::Internal,
            "Patch under review; 3.3.x backport needs the parser refactor.",
        )],
        imported: false,
    },
    DemoCase {
        title: "Reflected XSS in the admin console search",
        description: "The q parameter of /admin/search is echoed without escaping.",
        reporter: "carol@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"],
        affected: &[("Enterprise", "3.4.x")],
        path: &["triage", "accepted"],
        fixed: false,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Confirmed. We expect a fix within the timeline we sent you.",
        )],
        imported: false,
    },
    DemoCase {
        title: "Timing difference in API key comparison",
        description: "API keys are compared with memcmp; the response time leaks the matching prefix length.",
        reporter: "dan@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"],
        affected: &[],
        path: &["triage"],
        fixed: false,
        upstream: None,
        messages: &[],
        imported: false,
    },
    DemoCase {
        title: "Open redirect after login",
        description: "The next parameter accepts absolute URLs.",
        reporter: "erin@reporters.example",
        cvss: &[],
        affected: &[],
        path: &["triage", "needs-info"],
        fixed: false,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Which version and configuration did you test? We cannot reproduce it on 3.4.1.",
        )],
        imported: false,
    },
    DemoCase {
        title: "No rate limit on the password reset form",
        description: "The password reset form can be submitted without limit.",
        reporter: "frank@reporters.example",
        cvss: &[],
        affected: &[],
        path: &["triage", "rejected:informative"],
        fixed: false,
        upstream: None,
        messages: &[(
            Visibility::Reporter,
            "Thanks; this is hardening advice rather than a vulnerability. We track it as an improvement.",
        )],
        imported: false,
    },
    DemoCase {
        title: "OpenSSL: excessive time checking DH keys (bundled openssl)",
        description: "Upstream OpenSSL issue affecting the bundled OpenSSL 3.0.13 of the 3.3.x lines.",
        reporter: "grace@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"],
        affected: &[("Enterprise", "3.3.x")],
        path: &["triage", "accepted", "fix-in-progress", "fix-verified"],
        fixed: false,
        upstream: Some("OpenSSL"),
        messages: &[(
            Visibility::Internal,
            "Waiting for the OpenSSL release; our disclosure follows theirs.",
        )],
        imported: false,
    },
    DemoCase {
        title: "Cache poisoning through the X-Forwarded-Host header",
        description: "Responses cached with an attacker-controlled Host in redirects.",
        reporter: "heidi@reporters.example",
        cvss: &["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N"],
        affected: &[("OSS", "3.4.x")],
        path: &[
            "triage",
            "accepted",
            "fix-in-progress",
            "fix-verified",
            "released",
        ],
        fixed: true,
        upstream: None,
        messages: &[],
        imported: false,
    },
    DemoCase {
        title: "Path traversal in the static file handler (imported)",
        description: "Imported from the previous tracker; not yet acknowledged.",
        reporter: "ivan@reporters.example",
        cvss: &[],
        affected: &[],
        path: &[],
        fixed: false,
        upstream: None,
        messages: &[],
        imported: true,
    },
    DemoCase {
        title: "Server-side request forgery through webhook URLs",
        description: "Webhook targets may point at link-local addresses such as the cloud metadata service.",
        reporter: "judy@reporters.example",
        cvss: &[],
        affected: &[],
        path: &[],
        fixed: false,
        upstream: None,
        messages: &[],
        imported: false,
    },
];

/// Seeds demo cases in every state (unless already seeded): reports from made-up reporters,
/// scored, with affected release lines, fixes in the lines' next patch versions, threads with
/// reporter-visible and internal messages, and the audit history all of that writes.
pub async fn seed_cases(app: &App) -> Result<usize, ServiceError> {
    use embargo_domain::{AffectedStatus, Channel, RejectReason, ReporterEmail, Target, Upstream};
    use embargo_store::reports::{self, ReportFilter};

    use crate::accounts::system_principal;
    use crate::cases::{self, CaseRef};
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
                reporter_name: None,
                product: Some("Gateway".to_owned()),
                version: None,
                credit_consent: demo.reporter == DEMO_REPORTER,
            },
            demo.description.as_bytes(),
        )
        .await?;
        let case = CaseRef::Id(receipt.case);
        for vector in demo.cvss {
            let v = cases::get(app, &who, case).await?.case.version;
            cases::set_cvss(app, &who, case, v, vector).await?;
        }
        let affected_lines: Vec<&embargo_domain::ReleaseLine> = demo
            .affected
            .iter()
            .filter_map(|(edition, line)| {
                catalog
                    .lines()
                    .find(|p| p.edition.name == *edition && p.line.name() == *line)
                    .map(|p| p.line)
            })
            .collect();
        for line in &affected_lines {
            let v = cases::get(app, &who, case).await?.case.version;
            cases::set_affected(app, &who, case, v, line.id(), AffectedStatus::Affected).await?;
        }
        if let Some(project) = demo.upstream {
            cases::modify(app, &who, case, None, |c, ctx| {
                c.set_upstream(
                    Some(Upstream {
                        project: project.to_owned(),
                        advisory: None,
                        url: None,
                        disclosure: None,
                    }),
                    &ctx.app.policy,
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
            if *step == "released" && demo.fixed {
                for line in &affected_lines {
                    let v = cases::get(app, &who, case).await?.case.version;
                    let status = AffectedStatus::Fixed {
                        fixed_in: line.next_patch(),
                        links: Vec::new(),
                        verified_by: Some(who.actor.id),
                        verified_at: Some(app.clock.now()),
                    };
                    cases::set_affected(app, &who, case, v, line.id(), status).await?;
                }
            }
            let target = match *step {
                "triage" => Target::Triage,
                "accepted" => Target::Accepted,
                "needs-info" => Target::NeedsInfo,
                "fix-in-progress" => Target::FixInProgress,
                "fix-verified" => Target::FixVerified,
                "released" => Target::Released,
                "disclosed" => Target::Disclosed,
                "rejected:informative" => Target::Rejected(RejectReason::Informative),
                other => {
                    return Err(ServiceError::Unexpected(anyhow::anyhow!(
                        "demo path step {other:?}"
                    )));
                }
            };
            cases::transition(app, &who, case, None, target, Some("demo"), None).await?;
        }
    }
    Ok(CASES.len())
}
