//! Embargo's use cases. The web UI, the REST API and the CLI all call this crate, so they
//! share its rules: access checks, transaction boundaries, audit and background jobs.
//!
//! Errors: every public function returns [`ServiceError`]; infrastructure failures carry
//! context (`.context("storing report")`) and become `Unexpected`.

pub mod accounts;
pub mod auth;
pub mod bootstrap;
mod clock;
pub mod demo;
mod error;

use embargo_store::Db;
pub use embargo_store::Readiness;

pub use clock::Clock;
pub use error::ServiceError;

/// Everything a use case needs: the database and the clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
}

impl App {
    pub fn new(db: Db, clock: Clock) -> App {
        App { db, clock }
    }

    /// Whether the database can serve requests (see `/readyz`).
    pub async fn readiness(&self) -> Readiness {
        self.db.readiness().await
    }
}
