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
    Ok(DemoSummary {
        release_lines: count,
    })
}
