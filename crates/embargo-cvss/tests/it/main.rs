//! The crate's integration tests, one module per feature.

mod differential;
mod properties;
mod reference;
mod report;
mod strictness;
