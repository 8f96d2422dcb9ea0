//! CVSS v2, v3.0, v3.1 and v4.0: strict parsing, exact scoring and explanation.
//!
//! Pure: no I/O, no async, no workspace dependencies.

mod score;

pub use score::{Score, Severity};
