use embargo_store::catalog::{self, NewEdition, NewProduct, NewReleaseLine};
use embargo_testkit::TestDb;

#[tokio::test]
async fn ensuring_catalog_entries_twice_keeps_one_of_each() {
    let t = TestDb::new().await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut tx = t.db.begin().await.unwrap();
        let product = catalog::ensure_product(
            &mut tx,
            &NewProduct {
                slug: "gateway",
                name: "Gateway",
                vendor: "Example Networks",
            },
            super::now(),
        )
        .await
        .unwrap();
        let edition = catalog::ensure_edition(
            &mut tx,
            &NewEdition {
                product_id: product,
                slug: "enterprise",
                name: "Enterprise",
                version_scheme: "four-part",
            },
            super::now(),
        )
        .await
        .unwrap();
        let line = catalog::ensure_release_line(
            &mut tx,
            &NewReleaseLine {
                edition_id: edition,
                name: "3.4.x",
                latest_version: Some("3.4.1.1"),
                supported: true,
                lts: false,
                support_ends_on: Some("2028-06-30"),
            },
            super::now(),
        )
        .await
        .unwrap();
        catalog::ensure_component(&mut tx, line, "openssl", "3.2.1")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push((product, edition, line));
    }
    assert_eq!(ids[0], ids[1]);

    let mut conn = t.db.pool().acquire().await.unwrap();
    let lines = catalog::list_release_lines(&mut conn).await.unwrap();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line.product, "Gateway");
    assert_eq!(line.edition, "Enterprise");
    assert_eq!(line.version_scheme, "four-part");
    assert_eq!(line.latest_version.as_deref(), Some("3.4.1.1"));
    assert!(line.supported);
    assert!(!line.lts);
    assert_eq!(line.support_ends_on.as_deref(), Some("2028-06-30"));
    let components = catalog::list_components(&mut conn, line.id).await.unwrap();
    assert_eq!(components.len(), 1);
    assert_eq!(components[0].name, "openssl");
    assert_eq!(components[0].version, "3.2.1");
}

#[tokio::test]
async fn an_unknown_version_scheme_is_refused_by_the_schema() {
    let t = TestDb::new().await;
    let mut tx = t.db.begin().await.unwrap();
    let product = catalog::ensure_product(
        &mut tx,
        &NewProduct {
            slug: "gateway",
            name: "Gateway",
            vendor: "Example Networks",
        },
        super::now(),
    )
    .await
    .unwrap();
    let err = catalog::ensure_edition(
        &mut tx,
        &NewEdition {
            product_id: product,
            slug: "x",
            name: "X",
            version_scheme: "calver",
        },
        super::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.violation(),
        Some(embargo_store::Violation::Check),
        "{err:?}"
    );
}

async fn seed_gateway(conn: &mut embargo_store::AnyConnection) {
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
    catalog::ensure_product(
        conn,
        &NewProduct {
            slug: "agent",
            name: "Agent",
            vendor: "Example Networks",
        },
        now,
    )
    .await
    .unwrap();
    for (slug, name, scheme, lines) in [
        (
            "enterprise",
            "Enterprise",
            "four-part",
            vec![("3.4.x", Some("3.4.1.2")), ("3.10.x", None)],
        ),
        (
            "oss",
            "OSS",
            "three-part",
            vec![("3.9.x", Some("3.9.12")), ("3.10.x", Some("3.10.0"))],
        ),
    ] {
        let edition = catalog::ensure_edition(
            conn,
            &NewEdition {
                product_id: product,
                slug,
                name,
                version_scheme: scheme,
            },
            now,
        )
        .await
        .unwrap();
        for (line, latest) in lines {
            let id = catalog::ensure_release_line(
                conn,
                &NewReleaseLine {
                    edition_id: edition,
                    name: line,
                    latest_version: latest,
                    supported: line != "3.9.x",
                    lts: line == "3.4.x",
                    support_ends_on: (line == "3.4.x").then_some("2028-06-30"),
                },
                now,
            )
            .await
            .unwrap();
            catalog::ensure_component(conn, id, "openssl", "3.2.1")
                .await
                .unwrap();
            catalog::ensure_component(conn, id, "nginx", "1.27.4")
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn the_catalog_loads_into_the_domain_model_with_schemes_support_and_components() {
    use embargo_domain::{Component, Version, VersionScheme};

    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    seed_gateway(&mut conn).await;

    let loaded = catalog::load(&mut conn).await.unwrap();

    let names: Vec<&str> = loaded.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Agent", "Gateway"]);
    assert!(loaded.products[0].editions.is_empty());
    let gateway = &loaded.products[1];
    let editions: Vec<&str> = gateway.editions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(editions, ["Enterprise", "OSS"]);
    let enterprise = &gateway.editions[0];
    let lines: Vec<String> = enterprise.lines.iter().map(|l| l.name()).collect();
    assert_eq!(lines, ["3.10.x", "3.4.x"], "newest first, numerically");
    let lts = &enterprise.lines[1];
    assert_eq!(lts.scheme(), VersionScheme::Enterprise);
    assert_eq!(lts.latest(), Some(Version::parse("3.4.1.2").unwrap()));
    assert!(lts.supported && lts.lts);
    assert_eq!(lts.support_ends, Some(jiff::civil::date(2028, 6, 30)));
    assert_eq!(
        lts.components,
        vec![
            Component::new("nginx", "1.27.4").unwrap(),
            Component::new("openssl", "3.2.1").unwrap()
        ]
    );
    assert_eq!(enterprise.lines[0].latest(), None);
    let oss = &gateway.editions[1];
    assert_eq!(oss.lines[0].scheme(), VersionScheme::Semver);
    assert_eq!(
        oss.lines.iter().map(|l| l.name()).collect::<Vec<_>>(),
        ["3.10.x", "3.9.x"]
    );
    assert!(!oss.lines[1].supported);
    assert!(!oss.lines[1].lts);
    assert_eq!(oss.lines[1].support_ends, None);

    // The domain's questions work on the loaded catalog.
    let line_3101 = enterprise.lines[0].id();
    let path = loaded.line(line_3101).unwrap();
    assert_eq!(
        (path.product.name.as_str(), path.edition.name.as_str()),
        ("Gateway", "Enterprise")
    );
    assert!(loaded.is_latest_major(line_3101));
}

#[tokio::test]
async fn a_cli_can_find_a_line_and_change_its_latest_version_support_and_components() {
    use embargo_domain::{Component, ReleaseLineId, Version};
    use embargo_store::catalog::LineSupport;

    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    seed_gateway(&mut conn).await;
    let id = catalog::find_release_line(&mut conn, "gateway", "oss", "3.9.x")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        catalog::find_release_line(&mut conn, "gateway", "oss", "9.9.x")
            .await
            .unwrap(),
        None
    );

    catalog::set_latest_version(&mut conn, id, &Version::parse("3.9.13").unwrap())
        .await
        .unwrap();
    catalog::set_support(
        &mut conn,
        id,
        &LineSupport {
            supported: true,
            lts: true,
            support_ends: Some(jiff::civil::date(2027, 12, 31)),
        },
    )
    .await
    .unwrap();
    catalog::set_component(&mut conn, id, &Component::new("openssl", "3.2.4").unwrap())
        .await
        .unwrap();
    catalog::set_component(&mut conn, id, &Component::new("zlib", "1.3.1").unwrap())
        .await
        .unwrap();
    assert!(
        catalog::remove_component(&mut conn, id, "nginx")
            .await
            .unwrap()
    );
    assert!(
        !catalog::remove_component(&mut conn, id, "nginx")
            .await
            .unwrap()
    );

    let loaded = catalog::load(&mut conn).await.unwrap();
    let line = loaded.line(id).unwrap().line;
    assert_eq!(
        line.latest().map(|v| v.to_string()).as_deref(),
        Some("3.9.13")
    );
    assert!(line.supported && line.lts);
    assert_eq!(line.support_ends, Some(jiff::civil::date(2027, 12, 31)));
    assert_eq!(
        line.components,
        vec![
            Component::new("openssl", "3.2.4").unwrap(),
            Component::new("zlib", "1.3.1").unwrap()
        ]
    );

    let missing = ReleaseLineId::from_uuid(uuid::Uuid::from_u128(1));
    let err = catalog::set_latest_version(&mut conn, missing, &Version::parse("1.0.0").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, embargo_store::StoreError::NotFound { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_stored_latest_version_of_the_wrong_scheme_is_reported_as_corrupt() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    seed_gateway(&mut conn).await;
    sqlx::query("UPDATE release_lines SET latest_version = '3.9.1.1' WHERE name = '3.9.x'")
        .execute(&mut *conn)
        .await
        .unwrap();

    let err = catalog::load(&mut conn).await.unwrap_err();

    assert!(
        matches!(
            &err,
            embargo_store::StoreError::Corrupt { column: "release_lines.latest_version", value }
                if value == "3.9.1.1"
        ),
        "{err:?}"
    );
}
