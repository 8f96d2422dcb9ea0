//! Test support, dev-only. [`TestDb`] gives each test a fresh, migrated database on the
//! backend chosen by `EMBARGO_TEST_DB` (`sqlite`, the default, or `postgres`).
//!
//! PostgreSQL: the server is `EMBARGO_TEST_DATABASE_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`). A template database is migrated once per
//! schema version and cloned for each test, then dropped when the test ends. When the
//! backend is `postgres` and the server cannot be reached, the test fails: it never skips.

use std::sync::OnceLock;
use std::time::Duration;

use embargo_store::{Db, DbOptions, Dialect};
use sqlx::{AnyConnection, Connection, Executor};
use uuid::Uuid;

/// Which backend the tests run on.
pub fn backend() -> Dialect {
    match std::env::var("EMBARGO_TEST_DB").as_deref() {
        Ok("postgres") => Dialect::Postgres,
        Ok("sqlite") | Err(_) => Dialect::Sqlite,
        Ok(other) => panic!("EMBARGO_TEST_DB={other:?}: use sqlite or postgres"),
    }
}

/// The PostgreSQL server URL for tests; panics with a clear message when missing.
pub fn postgres_server_url() -> String {
    std::env::var("EMBARGO_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!("EMBARGO_TEST_DB=postgres needs EMBARGO_TEST_DATABASE_URL (postgres://…/test)")
    })
}

/// A fresh, migrated database for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server: String, name: String },
}

impl TestDb {
    pub async fn new() -> TestDb {
        match backend() {
            Dialect::Sqlite => {
                let dir = tempfile::tempdir().expect("creating a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("embargo.db").display());
                let db = Db::connect(&url, &DbOptions::default())
                    .await
                    .expect("opening SQLite");
                db.migrate().await.expect("migrating SQLite");
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Dialect::Postgres => {
                let server = postgres_server_url();
                let name = format!("embargo_test_{}", Uuid::new_v4().simple());
                create_from_template(&server, &name).await;
                let url = with_database(&server, &name);
                let db = Db::connect(&url, &DbOptions::default())
                    .await
                    .expect("opening the test database");
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Postgres { server, name },
                }
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { server, name } = &self.cleanup {
            let server = server.clone();
            let name = name.clone();
            // Drop runs inside or outside a runtime; a thread with its own runtime works in both.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("building a runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = AnyConnection::connect(&server).await {
                        let _ = conn
                            .execute(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The URL of database `name` on the same server as `server`.
pub fn with_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("EMBARGO_TEST_DATABASE_URL is not a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A fingerprint of this build's migrations, so a schema change gets a new template.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in embargo_store::migrations_fingerprint_source().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("embargo_template_{hash:016x}")
    })
}

async fn create_from_template(server: &str, name: &str) {
    sqlx::any::install_default_drivers();
    let mut admin = connect_with_retry(server).await;
    // Serialise template creation and cloning across test processes.
    admin
        .execute("SELECT pg_advisory_lock(727274)")
        .await
        .expect("taking the template lock");
    let template = template_name();
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(template)
        .fetch_optional(&mut admin)
        .await
        .expect("looking up the template");
    if exists.is_none() {
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {template}")))
            .await
            .expect("creating the template database");
        let db = Db::connect(&with_database(server, template), &DbOptions::default())
            .await
            .expect("opening the template");
        db.migrate().await.expect("migrating the template");
        db.close().await;
    }
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE {template}"
        )))
        .await
        .expect("cloning the template");
    admin
        .execute("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("releasing the template lock");
}

async fn connect_with_retry(server: &str) -> AnyConnection {
    let mut last = None;
    for _ in 0..3 {
        match AnyConnection::connect(server).await {
            Ok(conn) => return conn,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "EMBARGO_TEST_DATABASE_URL: cannot reach PostgreSQL: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    )
}
