//! Advisory exports and imports: CVE JSON 5, OSV and CSAF 2.0 out of an
//! [`Advisory`]; CVE JSON 5 and OSV records in, as an [`import::ImportedAdvisory`].
//!
//! Pure: no database, no I/O, no clock. Every function takes what it needs and
//! returns a `serde_json::Value` (exports) or a typed value (imports).
//!
//! - [`cve::record`]: a full CVE record (`cveMetadata` + `containers.cna`);
//!   [`cve::cna_container`]: the body CVE Services takes to publish it.
//! - [`osv::record`]: an OSV record.
//! - [`csaf::document`]: a CSAF 2.0 `csaf_security_advisory` with VEX product
//!   status; [`csaf::mandatory`] runs the CSAF 2.0 mandatory tests we implement.
//! - [`import::from_osv`], [`import::from_cve`]: upstream advisories in.
//! - [`atom::feed`]: an Atom 1.0 feed of published advisories.
//!
//! # Errors
//!
//! Exports fail with [`ExportError`] when the advisory cannot be expressed
//! honestly in the format (no CVE id for a CVE record, a fixed line without a
//! fixed version, an unparsable CVSS vector, …). Imports fail with
//! [`import::ImportError`], which names the JSON Pointer of the bad value.

pub mod atom;
mod common;
pub mod csaf;
pub mod cve;
mod cvss_json;
pub mod import;
pub mod model;
pub mod osv;

pub use model::{
    Advisory, Credit, CreditKind, Cwe, Edition, Justification, LineStatus, Product, Publisher,
    Reference, ReferenceKind, Revision, Status, Tlp, Upstream,
};

/// Name and version written into every export's generator field.
pub const GENERATOR: &str = "Embargo";
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why an advisory cannot be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("advisory {advisory} has no CVE id of ours: a CVE record needs one")]
    NoCveId { advisory: String },
    #[error("publisher {publisher:?} has no CNA organisation id: a CVE record needs one")]
    NoCnaOrgId { publisher: String },
    #[error("invalid CVSS vector {vector:?}: {source}")]
    InvalidCvss {
        vector: String,
        source: embargo_cvss::ParseError,
    },
    #[error("two CVSS vectors of version {version}: {first:?} and {second:?}")]
    DuplicateCvssVersion {
        version: &'static str,
        first: String,
        second: String,
    },
    #[error("advisory {advisory} has no revision: the first publication is revision 1")]
    NoRevisions { advisory: String },
    #[error("revision {position} has number {number}, expected {expected} (numbers run 1, 2, 3…)")]
    RevisionNumber {
        position: usize,
        number: u32,
        expected: u32,
    },
    #[error("revision {number} is dated before the revision preceding it")]
    RevisionDate { number: u32 },
    #[error("{product} {edition} {line} is fixed but names no fixed version")]
    FixedWithoutVersion {
        product: String,
        edition: String,
        line: String,
    },
    #[error("{product} {edition} lists release line {line} twice")]
    DuplicateLine {
        product: String,
        edition: String,
        line: String,
    },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is {len} characters long; the format allows {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
}
