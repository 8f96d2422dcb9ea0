//! Integration tests against a real Dovecot started per test (see `dovecot.rs`).
#![allow(clippy::unwrap_used)]

mod dovecot;
mod failures;
mod poll;
mod tls;
