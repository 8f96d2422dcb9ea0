#![allow(clippy::unwrap_used)]
//! Integration tests of `embargo-mail`: the shared mail corpus, hostile input, properties.

mod corpus;
mod hostile;
mod properties;
mod report;
mod safety;
mod threading;

use std::path::PathBuf;

use embargo_mail::{InboundMail, Limits, analyze};

/// `../shared/testdata/mail`, read in place.
pub fn mail_testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/mail")
}

pub fn analyze_default(raw: &[u8]) -> InboundMail {
    analyze(raw, &Limits::default())
}
