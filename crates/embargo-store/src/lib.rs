//! Embargo's storage: one set of repository functions that serve both SQLite and PostgreSQL.
//!
//! Everything goes through an [`sqlx::AnyPool`], so each query is written once with `$N`
//! placeholders and runs on either backend. The schema sticks to types both backends share
//! (TEXT ids, BIGINT Unix microseconds, 0/1 integer flags, TEXT JSON, BLOB/BYTEA bytes). Where SQL must differ, the
//! difference lives in [`dialect`], and nowhere else.
//!
//! Repository functions take a connection or transaction (`&mut AnyConnection`) so that the
//! service layer decides the transaction boundaries. Reports, cases, audit events and the catalog
//! come back as `embargo-domain` types: row structs stay private to this crate and are converted
//! at its edge, and a stored value the domain would not accept is [`StoreError::Corrupt`].
//!
//! Map of the schema (migrations `0001_foundation` to `0007_upstream_advisories`):
//! - `users`; the catalog `products` › `editions` › `release_lines` › `components`;
//! - `reports` with `report_attachments` and `report_raw` (the original bytes), see [`reports`];
//! - `cases` (one row per case: state, assessment, deadlines, milestones, estimate, upstream) with
//!   `case_reporters`, `case_members`, `case_affected`, `case_cwes`, `case_links`, and the
//!   append-only `messages` and `audit_events`, see [`cases`];
//! - `api_tokens`, see [`tokens`]; `sessions`, `login_links` and `user_totp`, see [`sessions`];
//! - `inbound_mail`, `mail_threads`, `outbox` and `mail_templates`, see [`mail`];
//! - `team_keys` and `reporter_keys`, see [`openpgp`];
//! - `releases` with `release_cases`, see [`releases`];
//! - `advisories` with `advisory_revisions`, and `cve_pool`, see [`advisories`];
//! - `upstream_advisories` with `upstream_advisory_aliases`, see [`upstream`].
//! - `document_signatures` (`0008`: cached `.asc` signatures of published documents), see
//!   [`signatures`].
//! - `settings` (`0011`: values an admin changes at run time; each change is an `audit_events`
//!   row without a case), see [`settings`].
//! - `message_files` (`0012`: files added to a case's thread, per message), see
//!   [`message_files`].

pub mod advisories;
pub mod cases;
pub mod catalog;
pub mod codes;
mod db;
pub mod dialect;
mod error;
pub mod mail;
pub mod message_files;
pub mod openpgp;
pub mod prenotify;
pub mod releases;
pub mod reports;
pub mod sessions;
pub mod settings;
pub mod signatures;
mod time;
pub mod tokens;
pub mod upstream;
pub mod users;

pub use db::{Db, DbOptions, Readiness, migrations_fingerprint_source, redact_url};
pub use dialect::Dialect;
pub use error::{StoreError, Violation};
pub use sqlx::{AnyConnection, Transaction};
pub use time::{from_micros, to_micros};

/// Flags are stored as 0/1 integers on both backends (the Any driver cannot read SQLite
/// BOOLEAN columns); rows turn them back into `bool` with `!= 0`.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Parses a stored uuid; anything else is [`StoreError::Corrupt`].
pub(crate) fn parse_uuid(column: &'static str, value: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(value).map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

/// A value bound to a query assembled at run time (filters), in placeholder order.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

impl Bind {
    pub(crate) fn apply_as<'q, O>(
        self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
        match self {
            Bind::Text(s) => query.bind(s),
            Bind::Int(i) => query.bind(i),
        }
    }
}

/// A pooled connection on either backend.
pub type Conn = sqlx::pool::PoolConnection<sqlx::Any>;

/// A transaction on either backend.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
