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
