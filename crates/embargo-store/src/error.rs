/// Errors from the storage layer. Infrastructure failures carry the sqlx cause; the
/// service layer adds context and decides what the user sees.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database URL {url:?} is not a sqlite:// or postgres:// URL")]
    UnsupportedUrl { url: String },
    #[error("cannot open the database")]
    Connect(#[source] sqlx::Error),
    #[error("applying migrations failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("stored value in {column} is not valid: {value:?}")]
    Corrupt { column: &'static str, value: String },
    /// An optimistic-concurrency check failed: the row was changed since it was read.
    #[error("the record changed since it was read (expected version {expected}, found {found})")]
    VersionConflict { expected: i64, found: i64 },
    #[error("no {entity} with id {id}")]
    NotFound { entity: &'static str, id: String },
    /// A report can belong to one case only.
    #[error("report {report} is already attached to case {case}")]
    ReportAttachedElsewhere { report: String, case: String },
    /// The caller passed something the store cannot write as asked (a programming error upstream).
    #[error("cannot store {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
}

/// Which integrity rule of the schema a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Unique,
    ForeignKey,
    Check,
    NotNull,
}

impl StoreError {
    /// The schema rule this error reports breaking, if it is one, on either backend.
    pub fn violation(&self) -> Option<Violation> {
        let StoreError::Database(sqlx::Error::Database(e)) = self else {
            return None;
        };
        match e.kind() {
            sqlx::error::ErrorKind::UniqueViolation => Some(Violation::Unique),
            sqlx::error::ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
            sqlx::error::ErrorKind::CheckViolation => Some(Violation::Check),
            sqlx::error::ErrorKind::NotNullViolation => Some(Violation::NotNull),
            _ => None,
        }
    }
}
