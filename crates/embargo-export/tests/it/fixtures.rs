//! Fixture advisories, built with a small builder so each test states only what it is about.

use embargo_export::model::*;
use jiff::Timestamp;

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn publisher() -> Publisher {
    Publisher {
        name: "Example Corp PSIRT".into(),
        namespace_url: "https://example.com".into(),
        contact: "security@example.com".into(),
        cna_org_id: Some("6c1d1c7b-0a3e-4b8e-9d6f-3f1f3b1e2a10".parse().unwrap()),
        cna_short_name: Some("ExampleCorp".into()),
        osv_id_prefix: "x_".into(),
    }
}

pub fn line(line: &str, status: Status, from: Option<&str>, fixed: Option<&str>) -> LineStatus {
    LineStatus {
        line: line.into(),
        status,
        affected_from: from.map(Into::into),
        fixed_in: fixed.map(Into::into),
    }
}

pub fn edition(name: &str, lines: Vec<LineStatus>) -> Edition {
    Edition {
        name: name.into(),
        lines,
    }
}

fn base(id: &str, cve: Option<&str>, title: &str) -> Advisory {
    Advisory {
        id: id.into(),
        cve: cve.map(Into::into),
        aliases: Vec::new(),
        title: title.into(),
        summary: format!("{title}."),
        description_md: format!("{title}.\n\nAn attacker can exploit this **remotely**."),
        published: t("2026-03-10T09:00:00Z"),
        revisions: vec![Revision {
            number: 1,
            date: t("2026-03-10T09:00:00Z"),
            summary: "Initial publication.".into(),
        }],
        cvss: vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N".into()],
        cwes: vec![Cwe {
            id: "CWE-79".into(),
            name: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')".into(),
        }],
        vendor: "Example Corp".into(),
        products: Vec::new(),
        workarounds_md: None,
        references: vec![Reference {
            url: format!("https://example.com/security/advisories/{id}"),
            kind: ReferenceKind::Advisory,
            name: Some(format!("Example Corp advisory {id}")),
        }],
        credits: Vec::new(),
        upstream: None,
        tlp: Tlp::Clear,
    }
}

/// Fixed on several lines of two editions; one line with a fix planned, not released.
pub fn multi_line() -> Advisory {
    let mut a = base(
        "EMB-2026-0001",
        Some("CVE-2026-31001"),
        "Stored cross-site scripting in the Widget Server dashboard",
    );
    a.products = vec![Product {
        name: "Widget Server".into(),
        editions: vec![
            edition(
                "enterprise",
                vec![
                    line("3.4.x", Status::Fixed, Some("3.4.0"), Some("3.4.5")),
                    line("3.5.x", Status::Fixed, Some("3.5.1"), Some("3.5.2")),
                    line("3.6.x", Status::Affected, None, Some("3.6.1")),
                ],
            ),
            edition(
                "open source",
                vec![
                    line("3.4.x", Status::Fixed, None, Some("3.4.7")),
                    line("3.5.x", Status::Fixed, None, Some("3.5.3")),
                ],
            ),
        ],
    }];
    a.workarounds_md = Some("Disable the *dashboard* plugin until you can update.".into());
    a.credits = vec![
        Credit {
            name: "Ada Lovelace".into(),
            kind: CreditKind::Finder,
        },
        Credit {
            name: "Example Corp PSIRT".into(),
            kind: CreditKind::Coordinator,
        },
    ];
    a.references.push(Reference {
        url: "https://example.com/releases/3.4.5".into(),
        kind: ReferenceKind::ReleaseNotes,
        name: None,
    });
    a
}

/// An upstream OpenSSL vulnerability in a product with four-part versions.
pub fn openssl_upstream() -> Advisory {
    let mut a = base(
        "EMB-2026-0002",
        None,
        "OpenSSL SSL_select_next_proto buffer overread in Widget Gateway",
    );
    a.cvss = vec!["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N".into()];
    a.cwes = vec![Cwe {
        id: "CWE-200".into(),
        name: "Exposure of Sensitive Information to an Unauthorized Actor".into(),
    }];
    a.upstream = Some(Upstream {
        project: "OpenSSL".into(),
        ids: vec!["CVE-2024-5535".into()],
        advisory_url: "https://openssl-library.org/news/secadv/20240627.txt".into(),
    });
    a.products = vec![Product {
        name: "Widget Gateway".into(),
        editions: vec![edition(
            "enterprise",
            vec![
                line(
                    "1.25.3.x",
                    Status::Fixed,
                    Some("1.25.3.0"),
                    Some("1.25.3.2"),
                ),
                line("1.26.0.x", Status::UnderInvestigation, None, None),
            ],
        )],
    }];
    a
}

/// Revised twice: the id stays, the revision number climbs to 3.
pub fn revised() -> Advisory {
    let mut a = base(
        "EMB-2026-0003",
        Some("CVE-2026-31003"),
        "Path traversal in the Widget Server backup import",
    );
    a.cvss = vec!["CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H".into()];
    a.cwes = vec![Cwe {
        id: "CWE-22".into(),
        name: "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')"
            .into(),
    }];
    a.revisions.push(Revision {
        number: 2,
        date: t("2026-03-14T12:30:00Z"),
        summary: "Added the fixed version for the 3.5.x line.".into(),
    });
    a.revisions.push(Revision {
        number: 3,
        date: t("2026-04-02T08:00:00Z"),
        summary: "Credited the reporter.".into(),
    });
    a.credits = vec![Credit {
        name: "Grace Hopper".into(),
        kind: CreditKind::Reporter,
    }];
    a.products = vec![Product {
        name: "Widget Server".into(),
        editions: vec![edition(
            "enterprise",
            vec![
                line("3.4.x", Status::Fixed, Some("3.4.2"), Some("3.4.6")),
                line("3.5.x", Status::Fixed, None, Some("3.5.4")),
            ],
        )],
    }];
    a
}

/// Scored with both CVSS v3.1 and v4.0, and two CWEs.
pub fn dual_cvss() -> Advisory {
    let mut a = base(
        "EMB-2026-0004",
        Some("CVE-2026-31004"),
        "Authentication bypass in the Widget Server API",
    );
    a.aliases = vec!["GHSA-wx9m-4c5r-2h8q".into()];
    a.cvss = vec![
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
    ];
    a.cwes = vec![
        Cwe {
            id: "CWE-287".into(),
            name: "Improper Authentication".into(),
        },
        Cwe {
            id: "CWE-306".into(),
            name: "Missing Authentication for Critical Function".into(),
        },
    ];
    a.products = vec![Product {
        name: "Widget Server".into(),
        editions: vec![edition(
            "open source",
            vec![line("3.5.x", Status::Fixed, Some("3.5.0"), Some("3.5.3"))],
        )],
    }];
    a
}

/// One line affected, two not affected with different justifications.
pub fn not_affected() -> Advisory {
    let mut a = base(
        "EMB-2026-0005",
        Some("CVE-2026-31005"),
        "Denial of service in the Widget Server image resizer",
    );
    a.cvss = vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into()];
    a.cwes = vec![Cwe {
        id: "CWE-400".into(),
        name: "Uncontrolled Resource Consumption".into(),
    }];
    a.products = vec![Product {
        name: "Widget Server".into(),
        editions: vec![
            edition(
                "enterprise",
                vec![
                    line(
                        "3.3.x",
                        Status::NotAffected {
                            justification: Justification::VulnerableCodeNotPresent,
                        },
                        None,
                        None,
                    ),
                    line("3.4.x", Status::Fixed, Some("3.4.1"), Some("3.4.8")),
                ],
            ),
            edition(
                "open source",
                vec![line(
                    "3.4.x",
                    Status::NotAffected {
                        justification: Justification::ComponentNotPresent,
                    },
                    None,
                    None,
                )],
            ),
        ],
    }];
    a
}

/// Every fixture, named.
pub fn all() -> Vec<(&'static str, Advisory)> {
    vec![
        ("multi_line", multi_line()),
        ("openssl_upstream", openssl_upstream()),
        ("revised", revised()),
        ("dual_cvss", dual_cvss()),
        ("not_affected", not_affected()),
    ]
}
