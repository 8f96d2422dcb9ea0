//! The one integration test binary of embargo-export: exports of fixture
//! advisories validated against the official schemas and pinned by snapshots,
//! the CSAF mandatory tests against the OASIS conformance documents, and
//! imports of the real CVE and OSV samples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csaf;
mod cve;
mod fixtures;
mod import;
mod mandatory;
mod osv;
mod schemas;
