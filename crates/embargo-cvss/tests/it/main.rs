//! The crate's integration tests, one module per feature.

mod reference;
mod report;
mod strictness;
