//! CVSS v4.0: parsing, printing and scoring (FIRST CVSS v4.0 specification).
//!
//! # Parsing rules
//!
//! - The prefix `CVSS:4.0/` is mandatory (section 7).
//! - All eleven base metrics are mandatory; threat, environmental and
//!   supplemental metrics are optional, and `X` (Not Defined) is the same as
//!   leaving one out.
//! - Metrics must appear in the canonical order of section 7 (Table 23), as
//!   the specification requires and FIRST's calculator enforces.
//! - Names and values are case-sensitive; each metric at most once; unknown
//!   metrics are rejected. `S` (Safety) is a value of `MSI` and `MSA` only;
//!   `SI:S` and `SA:S` are rejected.

mod metrics;
mod score;

pub use metrics::{GROUPS, METRICS};
pub use score::{EqDetail, MacroVector, Nomenclature, Scores};

use crate::Version;
use crate::error::{ErrorKind, ParseError};
use crate::metric::{Metrics, Order, ValueInfo, parse_components, write_components};
use std::fmt;
use std::str::FromStr;

/// The vector string prefix (section 7).
pub const PREFIX: &str = "CVSS:4.0/";

/// A CVSS v4.0 metric, in the canonical order of section 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(clippy::upper_case_acronyms)]
pub enum Metric {
    AV,
    AC,
    AT,
    PR,
    UI,
    VC,
    VI,
    VA,
    SC,
    SI,
    SA,
    E,
    CR,
    IR,
    AR,
    MAV,
    MAC,
    MAT,
    MPR,
    MUI,
    MVC,
    MVI,
    MVA,
    MSC,
    MSI,
    MSA,
    S,
    AU,
    R,
    V,
    RE,
    U,
}

impl Metric {
    /// The metric's name, description and allowed values.
    pub fn info(self) -> &'static crate::MetricInfo {
        &METRICS[self as usize]
    }
}

/// A parsed CVSS v4.0 vector: one value per metric, held as the index of the
/// value in [`METRICS`], with no heap allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vector {
    values: [u8; 32],
}

impl Vector {
    /// The value of `metric`; `X` (Not Defined) for an absent optional metric.
    pub fn get(&self, metric: Metric) -> &'static ValueInfo {
        let vi = usize::from(self.values[metric as usize]);
        &metric.info().values[vi]
    }

    /// Whether `metric` has a value other than Not Defined.
    pub fn is_defined(&self, metric: Metric) -> bool {
        metric.info().mandatory || self.values[metric as usize] != 0
    }

    /// The defined metrics and their values, in canonical order.
    pub fn metrics(&self) -> Metrics {
        Metrics::new(&METRICS[..], &self.values)
    }

    /// The score, nomenclature, MacroVector and severity distances (section 8).
    pub fn scores(&self) -> Scores {
        score::compute(&self.values)
    }

    /// The CVSS-B, -BT, -BE or -BTE score of this vector (section 8).
    pub fn score(&self) -> crate::Score {
        self.scores().score
    }

    /// Which metric groups the score takes into account (section 1.3).
    pub fn nomenclature(&self) -> Nomenclature {
        score::nomenclature(&self.values)
    }

    pub(crate) fn parse_body(input: &str) -> Result<Vector, ParseError> {
        let values = parse_components(
            input,
            PREFIX.len(),
            &METRICS,
            Order::Canonical,
            Version::V40,
        )?;
        Ok(Vector { values })
    }
}

impl FromStr for Vector {
    type Err = ParseError;

    /// Parses a `CVSS:4.0/…` vector (see the module docs for the rules).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with(PREFIX) {
            Vector::parse_body(s)
        } else if s.is_empty() {
            Err(ParseError::new(s, ErrorKind::Empty))
        } else if let Some(e) = crate::bare_prefix(s).filter(|_| s == "CVSS:4.0") {
            Err(e)
        } else {
            Err(ParseError::new(
                s,
                ErrorKind::BadPrefix {
                    found: crate::prefix_of(s).to_owned(),
                    expected: PREFIX,
                },
            ))
        }
    }
}

impl fmt::Display for Vector {
    /// The canonical vector: prefix, then metrics in section 7 order, leaving
    /// out optional metrics that are Not Defined.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        write_components(f, &METRICS[..], &self.values, true)
    }
}
