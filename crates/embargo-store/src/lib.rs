//! Embargo's storage: one set of repository functions that serve both SQLite and PostgreSQL.
//!
//! Everything goes through an [`sqlx::AnyPool`], so each query is written once with `$N`
//! placeholders and runs on either backend. The schema sticks to types both backends share
//! (TEXT ids, BIGINT Unix microseconds, BOOLEAN, TEXT JSON). Where SQL must differ, the
//! difference lives in [`dialect`], and nowhere else.
//!
//! Repository functions take a connection or transaction (`&mut AnyConnection`) so that the
//! service layer decides the transaction boundaries; they return row structs or plain values,
//! never HTTP or domain-service concepts.

pub mod catalog;
mod db;
pub mod dialect;
mod error;
mod time;
pub mod tokens;
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

/// A transaction on either backend.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
