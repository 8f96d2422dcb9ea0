//! Embargo's use cases. The web UI, the REST API and the CLI all call this crate, so they
//! share its rules: access checks, transaction boundaries, audit and background jobs.
//!
//! Errors: every public function returns [`ServiceError`]; infrastructure failures carry
//! context (`.context("storing report")`) and become `Unexpected`.

pub mod accounts;
pub mod advisories;
pub mod auth;
pub mod bootstrap;
pub mod cases;
pub mod catalog;
mod clock;
pub mod demo;
mod error;
pub mod intake;
pub mod mail;
pub mod openpgp;
pub mod public;
pub mod releases;

use std::sync::Arc;

use embargo_domain::Policy;
use embargo_store::Db;
pub use embargo_store::Readiness;

pub use clock::Clock;
pub use error::ServiceError;

/// Everything a use case needs: the database, the clock, the timeline policy and the mail
/// settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
    pub policy: Arc<Policy>,
    pub mail: Arc<mail::MailSettings>,
    /// Who issues the public documents (CNA ids for CVE records).
    pub publisher: Arc<public::PublisherSettings>,
}

impl App {
    /// An app with the shipped default timeline policy.
    pub fn new(db: Db, clock: Clock) -> App {
        App::with_policy(db, clock, Policy::default())
    }

    pub fn with_policy(db: Db, clock: Clock, policy: Policy) -> App {
        App {
            db,
            clock,
            policy: Arc::new(policy),
            mail: Arc::new(mail::MailSettings::default()),
            publisher: Arc::new(public::PublisherSettings::default()),
        }
    }

    /// The same app with these mail settings.
    pub fn with_mail(mut self, settings: mail::MailSettings) -> App {
        self.mail = Arc::new(settings);
        self
    }

    /// The same app with these publisher settings.
    pub fn with_publisher(mut self, settings: public::PublisherSettings) -> App {
        self.publisher = Arc::new(settings);
        self
    }

    /// Whether the database can serve requests (see `/readyz`).
    pub async fn readiness(&self) -> Readiness {
        self.db.readiness().await
    }
}
