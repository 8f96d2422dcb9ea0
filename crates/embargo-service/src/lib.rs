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
pub mod exports;
pub mod files;
pub mod intake;
pub mod mail;
pub mod openpgp;
pub mod prenotify;
pub mod public;
pub mod releases;
pub mod sessions;
pub mod settings;
pub mod upstream;

use std::sync::{Arc, RwLock};

use embargo_domain::Policy;
use embargo_store::Db;
pub use embargo_store::Readiness;

pub use clock::Clock;
pub use error::ServiceError;

/// Everything a use case needs: the database, the clock, the timeline policy, the mail
/// settings and who publishes advisories. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
    /// The timeline policy in effect; [`App::policy`] reads it, [`settings::set_policy`]
    /// replaces it.
    policy: Arc<RwLock<Arc<Policy>>>,
    pub mail: Arc<mail::MailSettings>,
    /// The advisories' publisher (CSAF `publisher`, CVE CNA, OSV id prefix); an empty name
    /// means the catalog's vendor.
    pub publisher: Arc<embargo_export::Publisher>,
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
            policy: Arc::new(RwLock::new(Arc::new(policy))),
            mail: Arc::new(mail::MailSettings::default()),
            publisher: Arc::new(default_publisher()),
        }
    }

    /// The timeline policy in effect.
    pub fn policy(&self) -> Arc<Policy> {
        // A panic while holding the lock cannot leave a half-written Arc: take the value.
        Arc::clone(&self.policy.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Makes `policy` the timeline policy of this app and every clone of it.
    pub(crate) fn replace_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
    }

    /// The same app with this advisory publisher.
    pub fn with_publisher(mut self, publisher: embargo_export::Publisher) -> App {
        self.publisher = Arc::new(publisher);
        self
    }

    /// The same app with these mail settings.
    pub fn with_mail(mut self, settings: mail::MailSettings) -> App {
        self.mail = Arc::new(settings);
        self
    }

    /// Whether the database can serve requests (see `/readyz`).
    pub async fn readiness(&self) -> Readiness {
        self.db.readiness().await
    }
}

/// The publisher when none is configured: named after the catalog's vendor, no CNA (so no CVE
/// records), OSV ids with the `x_` prefix OSV requires of unregistered databases.
pub fn default_publisher() -> embargo_export::Publisher {
    embargo_export::Publisher {
        name: String::new(),
        namespace_url: "http://localhost".to_owned(),
        contact: "security@localhost".to_owned(),
        cna_org_id: None,
        cna_short_name: None,
        osv_id_prefix: "x_".to_owned(),
    }
}
