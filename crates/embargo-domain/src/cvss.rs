//! The seam between cases and `embargo-cvss`.
//!
//! A case's own assessment uses CVSS 3.1 and/or 4.0 only; [`CvssVector::parse`] rejects v2 and v3.0
//! with [`DomainError::UnsupportedCvssVersion`]. (Imported advisories may carry older vectors, but
//! those belong to the import, not to a case's assessment.)
//!
//! INTERIM: `embargo-cvss` does not parse vectors yet on this branch, so a vector is held with a
//! score supplied by the caller ([`CvssVector::with_score`]). When `embargo_cvss::Cvss` lands, only
//! this module changes: `CvssVector` will hold the parsed `Cvss` and take score and severity from it.

use std::fmt;

use embargo_cvss::{Score, Severity};

use crate::DomainError;
use crate::identifiers::strip_prefix_ignore_case;

/// The CVSS versions a case's own assessment may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum CvssVersion {
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    pub const fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A CVSS 3.1 or 4.0 vector of a case, with its score.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CvssVector {
    text: String,
    version: CvssVersion,
    score: Score,
}

impl CvssVector {
    /// INTERIM: checks the version prefix and the `metric:value` shape; the score comes from the caller.
    pub fn with_score(vector: &str, score: Score) -> Result<Self, DomainError> {
        let version = version_of(vector)?;
        let err = |reason: &str| DomainError::InvalidCvss {
            value: vector.to_owned(),
            reason: reason.to_owned(),
        };
        let body = vector.split_once('/').map(|(_, b)| b).unwrap_or_default();
        if body.is_empty() {
            return Err(err("no metrics"));
        }
        for pair in body.split('/') {
            let Some((m, v)) = pair.split_once(':') else {
                return Err(err("expected metric:value pairs"));
            };
            if m.is_empty()
                || v.is_empty()
                || !m
                    .bytes()
                    .chain(v.bytes())
                    .all(|b| b.is_ascii_alphanumeric())
            {
                return Err(err("expected metric:value pairs"));
            }
        }
        Ok(CvssVector {
            text: vector.to_owned(),
            version,
            score,
        })
    }

    pub fn version(&self) -> CvssVersion {
        self.version
    }

    /// The most specific score of the vector.
    pub fn score(&self) -> Score {
        self.score
    }

    pub fn severity(&self) -> Severity {
        self.score.severity()
    }
}

fn version_of(vector: &str) -> Result<CvssVersion, DomainError> {
    if strip_prefix_ignore_case(vector, "CVSS:3.1/").is_some() {
        Ok(CvssVersion::V3_1)
    } else if strip_prefix_ignore_case(vector, "CVSS:4.0/").is_some() {
        Ok(CvssVersion::V4_0)
    } else if strip_prefix_ignore_case(vector, "CVSS:3.0/").is_some() {
        Err(DomainError::UnsupportedCvssVersion { version: "3.0" })
    } else if vector.starts_with("AV:") || vector.starts_with("(AV:") {
        Err(DomainError::UnsupportedCvssVersion { version: "2.0" })
    } else {
        Err(DomainError::InvalidCvss {
            value: vector.to_owned(),
            reason: "expected a CVSS:3.1/ or CVSS:4.0/ vector".into(),
        })
    }
}

impl fmt::Display for CvssVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for CvssVector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CvssVector", 3)?;
        st.serialize_field("vector", &self.text)?;
        st.serialize_field("version", &self.version)?;
        st.serialize_field("score", &self.score.to_string())?;
        st.end()
    }
}
