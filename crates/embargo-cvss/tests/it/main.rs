//! The crate's integration tests, one module per feature.

// Tests may unwrap (clippy.toml allows it inside #[test] functions only; the
// helpers here are test code too).
#![allow(clippy::unwrap_used)]

mod differential;
mod properties;
mod reference;
mod report;
mod strictness;
