use embargo_store::{Db, DbOptions, Dialect, Readiness};
use embargo_testkit::{TestDb, backend};

#[tokio::test]
async fn a_migrated_database_reports_ready() {
    let t = TestDb::new().await;
    assert_eq!(t.db.readiness().await, Readiness::Ready);
    assert_eq!(t.dialect(), backend());
}

#[tokio::test]
async fn migrating_again_changes_nothing() {
    let t = TestDb::new().await;
    let before = t.db.schema_columns().await.unwrap();
    t.db.migrate().await.unwrap();
    assert_eq!(t.db.schema_columns().await.unwrap(), before);
    assert_eq!(t.db.readiness().await, Readiness::Ready);
}

#[tokio::test]
async fn an_unmigrated_database_is_not_ready_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(
        &format!("sqlite://{}", dir.path().join("fresh.db").display()),
        &DbOptions::default(),
    )
    .await
    .unwrap();
    match db.readiness().await {
        Readiness::MigrationsPending { applied, expected } => {
            assert_eq!(applied, None);
            assert!(expected >= 1);
        }
        other => panic!("expected pending migrations, got {other:?}"),
    }
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(
        &format!("sqlite://{}", dir.path().join("ref.db").display()),
        &DbOptions::default(),
    )
    .await
    .unwrap();
    sqlite.migrate().await.unwrap();
    let reference = sqlite.schema_columns().await.unwrap();
    assert!(
        reference
            .iter()
            .any(|(t, c)| t == "release_lines" && c == "latest_version")
    );
    // On the SQLite pass this compares SQLite with itself; the PostgreSQL pass is the real check.
    assert_eq!(t.db.schema_columns().await.unwrap(), reference);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys() {
    let t = TestDb::new().await;
    if t.dialect() != Dialect::Sqlite {
        return; // PRAGMAs exist on SQLite only.
    }
    let pool = t.db.pool();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .unwrap();
    let fks: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
    assert_eq!(fks, 1);
    assert!(busy >= 5000, "{busy}");
}

#[tokio::test]
async fn a_row_that_references_nothing_is_refused() {
    let t = TestDb::new().await;
    let err = sqlx::query(
        "INSERT INTO components (release_line_id, name, version) VALUES ($1, 'openssl', '3.2.1')",
    )
    .bind("00000000-0000-0000-0000-000000000000")
    .execute(t.db.pool())
    .await
    .unwrap_err();
    let message = err.to_string().to_lowercase();
    assert!(message.contains("foreign key"), "{message}");
}

#[tokio::test]
async fn committed_data_survives_reopening_the_database() {
    let t = TestDb::new().await;
    let mut tx = t.db.begin().await.unwrap();
    embargo_store::catalog::ensure_product(
        &mut tx,
        &embargo_store::catalog::NewProduct {
            slug: "gateway",
            name: "Gateway",
            vendor: "Example Networks",
        },
        super::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.db.close().await;

    let reopened = Db::connect(&t.url, &DbOptions::default()).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(reopened.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
    reopened.close().await;
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    let t = TestDb::new().await;
    let mut tx = t.db.begin().await.unwrap();
    embargo_store::catalog::ensure_product(
        &mut tx,
        &embargo_store::catalog::NewProduct {
            slug: "gateway",
            name: "Gateway",
            vendor: "Example Networks",
        },
        super::now(),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}
