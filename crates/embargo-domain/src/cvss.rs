//! The seam between cases and `embargo-cvss`.
//!
//! A case's own assessment uses CVSS 3.1 and/or 4.0 only; [`CvssVector::parse`] rejects v2 and v3.0
//! with [`DomainError::UnsupportedCvssVersion`]. (Imported advisories may carry older vectors; those
//! belong to the import, not to a case's assessment.) Everything else about CVSS (strict parsing,
//! canonical printing, exact scores) is `embargo_cvss::Cvss`'s business.

use std::fmt;
use std::str::FromStr;

use embargo_cvss::{Cvss, Score, Severity, Version};

use crate::DomainError;

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

/// A parsed CVSS 3.1 or 4.0 vector of a case. Prints as the canonical vector string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssVector(Cvss);

impl CvssVector {
    /// Parses a vector strictly; only `CVSS:3.1/` and `CVSS:4.0/` vectors are accepted.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let cvss: Cvss =
            s.parse()
                .map_err(|e: embargo_cvss::ParseError| DomainError::InvalidCvss {
                    value: s.to_owned(),
                    reason: e.to_string(),
                })?;
        Self::try_from(cvss)
    }

    /// The parsed vector, for explanation and export.
    pub fn cvss(&self) -> &Cvss {
        &self.0
    }

    pub fn version(&self) -> CvssVersion {
        match self.0.version() {
            Version::V40 => CvssVersion::V4_0,
            _ => CvssVersion::V3_1,
        }
    }

    /// The most specific score of the vector (environmental, else temporal, else base for v3.1;
    /// the single score for v4.0).
    pub fn score(&self) -> Score {
        self.0.score()
    }

    pub fn base_score(&self) -> Score {
        self.0.base_score()
    }

    pub fn severity(&self) -> Severity {
        self.0.severity()
    }
}

impl TryFrom<Cvss> for CvssVector {
    type Error = DomainError;
    fn try_from(cvss: Cvss) -> Result<Self, Self::Error> {
        match cvss.version() {
            Version::V31 | Version::V40 => Ok(CvssVector(cvss)),
            Version::V30 => Err(DomainError::UnsupportedCvssVersion { version: "3.0" }),
            Version::V2 => Err(DomainError::UnsupportedCvssVersion { version: "2.0" }),
        }
    }
}

impl FromStr for CvssVector {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for CvssVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Audit snapshot: `{"vector": "CVSS:3.1/...", "version": "3.1", "score": "9.8"}`.
impl serde::Serialize for CvssVector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CvssVector", 3)?;
        st.serialize_field("vector", &self.to_string())?;
        st.serialize_field("version", &self.version())?;
        st.serialize_field("score", &self.score().to_string())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_1_and_v4_0_vectors_parse_score_and_print_canonically() {
        let v = CvssVector::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(
            (v.version(), v.score().tenths(), v.severity()),
            (CvssVersion::V3_1, 98, Severity::Critical)
        );
        assert_eq!(
            v.to_string(),
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        );
        let v: CvssVector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
            .parse()
            .unwrap();
        assert_eq!((v.version(), v.score().tenths()), (CvssVersion::V4_0, 93));
        assert_eq!(
            serde_json::to_value(v).unwrap(),
            serde_json::json!({ "vector": v.to_string(), "version": "4.0", "score": "9.3" })
        );
    }

    #[test]
    fn a_case_assessment_rejects_cvss_versions_other_than_3_1_and_4_0() {
        assert_eq!(
            CvssVector::parse("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"),
            Err(DomainError::UnsupportedCvssVersion { version: "3.0" })
        );
        assert_eq!(
            CvssVector::parse("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            Err(DomainError::UnsupportedCvssVersion { version: "2.0" })
        );
        assert_eq!(
            DomainError::UnsupportedCvssVersion { version: "3.0" }.to_string(),
            "CVSS 3.0 cannot be a case's own assessment; use CVSS 3.1 or 4.0"
        );
    }

    #[test]
    fn malformed_vectors_are_rejected_with_the_parser_reason() {
        for bad in [
            "",
            "CVSS:3.1/",
            "CVSS:3.1/AV",
            "CVSS:9.9/AV:N",
            "hello",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X",
        ] {
            match CvssVector::parse(bad) {
                Err(DomainError::InvalidCvss { value, reason }) => {
                    assert_eq!(value, bad);
                    assert!(!reason.is_empty());
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
