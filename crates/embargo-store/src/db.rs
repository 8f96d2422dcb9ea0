use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection, Executor};

use crate::{Dialect, StoreError, Tx};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Pool settings.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long a caller waits for a connection before the database counts as unreachable.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Whether the database can serve requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    Unreachable(String),
    MigrationsPending { applied: Option<i64>, expected: i64 },
}

/// A connection pool on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
}

impl Db {
    /// Opens a pool. SQLite files are created when missing. Connecting is lazy: a database
    /// that is down now does not prevent start-up, it makes [`Db::readiness`] report it.
    pub fn connect_lazy(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url).ok_or_else(|| StoreError::UnsupportedUrl {
            url: redact_url(url),
        })?;
        let url = match dialect {
            Dialect::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let connect_options: AnyConnectOptions = url.parse().map_err(StoreError::Connect)?;
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for statement in dialect.connection_setup() {
                        conn.execute(*statement).await?;
                    }
                    Ok(())
                })
            })
            .connect_lazy_with(connect_options);
        Ok(Db { pool, dialect })
    }

    /// Opens a pool and checks that the database answers.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, StoreError> {
        let db = Db::connect_lazy(url, options)?;
        db.pool.acquire().await.map_err(StoreError::Connect)?;
        Ok(db)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    fn migrator(&self) -> &'static Migrator {
        match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations. Safe to run from several processes at once: on
    /// PostgreSQL the migrator holds an advisory lock, on SQLite the write lock serialises it.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// The newest migration version this binary knows.
    pub fn expected_migration(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Database reachable and every migration this binary knows applied.
    pub async fn readiness(&self) -> Readiness {
        let applied: Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await;
        let expected = self.expected_migration();
        match applied {
            Ok(Some(v)) if v >= expected => Readiness::Ready,
            Ok(applied) => Readiness::MigrationsPending { applied, expected },
            Err(sqlx::Error::Database(e)) if is_missing_table(e.message()) => {
                Readiness::MigrationsPending {
                    applied: None,
                    expected,
                }
            }
            Err(e) => Readiness::Unreachable(e.to_string()),
        }
    }

    /// A connection from the pool, for reads and single statements.
    pub async fn acquire(&self) -> Result<crate::Conn, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a transaction that will write. See [`Dialect::begin_write`].
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin_with(self.dialect.begin_write()).await?)
    }

    /// Lists `(table, column)` pairs of the application schema.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query_as(self.dialect.schema_columns_query())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    /// Closes every connection; waits for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks that a connection can be had and answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }
}

fn is_missing_table(message: &str) -> bool {
    message.contains("no such table") || message.contains("does not exist")
}

/// A database URL with any password replaced, safe to show in errors and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

/// The text of every embedded migration of both backends, for tools that must notice a
/// schema change (the test template database).
pub fn migrations_fingerprint_source() -> String {
    let mut all = String::new();
    for migrator in [&SQLITE_MIGRATIONS, &POSTGRES_MIGRATIONS] {
        for m in migrator.iter() {
            all.push_str(&m.version.to_string());
            all.push_str(m.sql.as_str());
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_a_redacted_url() {
        let shown = redact_url("postgres://app:s3cret@db.example:5432/embargo");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example"));
    }

    #[test]
    fn other_schemes_are_refused_with_the_url_named() {
        let err = Db::connect_lazy("mysql://localhost/x", &DbOptions::default()).unwrap_err();
        assert!(err.to_string().contains("mysql://localhost/x"), "{err}");
    }
}
