//! CVSS v2, v3.0, v3.1 and v4.0: strict parsing, exact scoring and explanation.
//!
//! Pure: no I/O, no async, no workspace dependencies.
//!
//! - [`Cvss`] parses any supported vector string, detecting the version from
//!   its prefix (`CVSS:3.0/`, `CVSS:3.1/`, `CVSS:4.0/`; no prefix means v2),
//!   prints the canonical vector and scores it.
//! - [`v2`], [`v3`] and [`v4`] hold each version's typed vector, scores with
//!   sub-scores for explanation, and metric metadata (`METRICS`, `GROUPS`)
//!   for calculators.
//! - Parsing follows each specification strictly and reports errors as
//!   values ([`ParseError`]) that name the metric and its byte offset; it
//!   never panics. Parsing and scoring never allocate on success.

mod error;
mod metric;
pub mod report;
mod score;
pub mod v2;
pub mod v3;
pub mod v4;

pub use error::{ErrorKind, ParseError};
pub use metric::{MetricGroup, MetricInfo, Metrics, ValueInfo};
pub use score::{Score, Severity};

use std::fmt;
use std::str::FromStr;

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Version {
    V2,
    V30,
    V31,
    V40,
}

impl Version {
    /// `"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::V2 => "2.0",
            Version::V30 => "3.0",
            Version::V31 => "3.1",
            Version::V40 => "4.0",
        }
    }

    /// The version's metrics in canonical order, with names, descriptions and values.
    pub fn metrics(self) -> &'static [MetricInfo] {
        match self {
            Version::V2 => &v2::METRICS[..],
            Version::V30 | Version::V31 => &v3::METRICS[..],
            Version::V40 => &v4::METRICS[..],
        }
    }

    /// The version's metric groups, in specification order.
    pub fn groups(self) -> &'static [MetricGroup] {
        match self {
            Version::V2 => v2::GROUPS,
            Version::V30 | Version::V31 => v3::GROUPS,
            Version::V40 => v4::GROUPS,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A CVSS vector of any supported version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cvss {
    V2(v2::Vector),
    V30(v3::Vector),
    V31(v3::Vector),
    V40(v4::Vector),
}

impl Cvss {
    pub fn version(&self) -> Version {
        match self {
            Cvss::V2(_) => Version::V2,
            Cvss::V30(_) => Version::V30,
            Cvss::V31(_) => Version::V31,
            Cvss::V40(_) => Version::V40,
        }
    }

    /// The base score; for v4.0, the CVSS-B, -BT, -BE or -BTE score of the
    /// vector as given (v4.0 has a single score).
    pub fn base_score(&self) -> Score {
        match self {
            Cvss::V2(v) => v.scores().base,
            Cvss::V30(v) => v.with_minor(v3::Minor::V0).scores().base,
            Cvss::V31(v) => v.with_minor(v3::Minor::V1).scores().base,
            Cvss::V40(v) => v.score(),
        }
    }

    /// The most specific score: for v2 and v3.x the environmental score if
    /// any environmental metric is defined, else the temporal score if any
    /// temporal metric is defined, else the base score; for v4.0 its score.
    pub fn score(&self) -> Score {
        match self {
            Cvss::V2(v) => v.score(),
            Cvss::V30(v) => v.with_minor(v3::Minor::V0).score(),
            Cvss::V31(v) => v.with_minor(v3::Minor::V1).score(),
            Cvss::V40(v) => v.score(),
        }
    }

    /// Severity of [`Cvss::score`]: the v3.x/v4.0 rating table, or NVD's
    /// Low/Medium/High ranges for v2.
    pub fn severity(&self) -> Severity {
        match self {
            Cvss::V2(v) => v2::severity(v.score()),
            _ => self.score().severity(),
        }
    }

    /// The defined metrics and their values, in canonical order.
    pub fn metrics(&self) -> Metrics {
        match self {
            Cvss::V2(v) => v.metrics(),
            Cvss::V30(v) | Cvss::V31(v) => v.metrics(),
            Cvss::V40(v) => v.metrics(),
        }
    }
}

/// The text up to the first `/`, for error messages about prefixes.
pub(crate) fn prefix_of(s: &str) -> &str {
    s.split('/').next().unwrap_or(s)
}

/// A known prefix with no metrics after it (`CVSS:3.1`): the first base
/// metric is missing at the end of the input.
pub(crate) fn bare_prefix(s: &str) -> Option<ParseError> {
    matches!(s, "CVSS:3.0" | "CVSS:3.1" | "CVSS:4.0").then(|| {
        ParseError::new(
            s,
            ErrorKind::MissingMetric {
                metric: "AV",
                position: s.len(),
            },
        )
    })
}

impl FromStr for Cvss {
    type Err = ParseError;

    /// Detects the version from the prefix (`CVSS:3.0/`, `CVSS:3.1/`,
    /// `CVSS:4.0/`; no `CVSS:` prefix means v2) and parses strictly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with(v3::Minor::V1.prefix()) {
            v3::Vector::parse_body(s, v3::Minor::V1).map(Cvss::V31)
        } else if s.starts_with(v4::PREFIX) {
            v4::Vector::parse_body(s).map(Cvss::V40)
        } else if s.starts_with(v3::Minor::V0.prefix()) {
            v3::Vector::parse_body(s, v3::Minor::V0).map(Cvss::V30)
        } else if let Some(e) = bare_prefix(s) {
            Err(e)
        } else if s.starts_with("CVSS:") {
            Err(ParseError::new(
                s,
                ErrorKind::BadPrefix {
                    found: prefix_of(s).to_owned(),
                    expected: "CVSS:3.0/, CVSS:3.1/, CVSS:4.0/ or a v2 vector without prefix",
                },
            ))
        } else {
            s.parse().map(Cvss::V2)
        }
    }
}

impl fmt::Display for Cvss {
    /// The canonical vector string of the variant's version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cvss::V2(v) => v.fmt(f),
            Cvss::V30(v) => v.with_minor(v3::Minor::V0).fmt(f),
            Cvss::V31(v) => v.with_minor(v3::Minor::V1).fmt(f),
            Cvss::V40(v) => v.fmt(f),
        }
    }
}
