//! CVSS v3.0 and v3.1: parsing, printing and scoring.
//!
//! Implements the FIRST CVSS v3.1 specification (sections 2 to 7 and
//! Appendix A) and, for v3.0, the v3.0 specification as FIRST's v3.0
//! calculator computes it.
//!
//! # Parsing rules
//!
//! - The prefix `CVSS:3.0/` or `CVSS:3.1/` is mandatory (section 6).
//! - All eight base metrics are mandatory; temporal and environmental metrics
//!   are optional, and `X` (Not Defined) is the same as leaving one out.
//! - Metric names and values are case-sensitive; each metric at most once;
//!   unknown metrics are rejected.
//! - **Order:** any order is accepted. The v3.x specification gives the order
//!   of Table 15 as the one to write, and FIRST's v3.0 and v3.1 calculators
//!   accept metrics in any order (rejecting only duplicates), so refusing other
//!   orders would reject vectors the reference accepts. [`Vector`]'s `Display`
//!   always writes the canonical Table 15 order and leaves out `X` metrics.

mod metrics;
mod score;

pub use metrics::{GROUPS, METRICS};
pub use score::Scores;

use crate::Version;
use crate::error::{ErrorKind, ParseError};
use crate::metric::{Metrics, Order, ValueInfo, parse_components, write_components};
use std::fmt;
use std::str::FromStr;

/// Which v3 specification a vector follows; it changes the prefix and scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Minor {
    /// CVSS v3.0 (`CVSS:3.0/`).
    V0,
    /// CVSS v3.1 (`CVSS:3.1/`).
    V1,
}

impl Minor {
    pub const fn prefix(self) -> &'static str {
        match self {
            Minor::V0 => "CVSS:3.0/",
            Minor::V1 => "CVSS:3.1/",
        }
    }

    pub const fn version(self) -> Version {
        match self {
            Minor::V0 => Version::V30,
            Minor::V1 => Version::V31,
        }
    }
}

/// A CVSS v3.x metric, in the canonical order (v3.1 specification, Table 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(clippy::upper_case_acronyms)]
pub enum Metric {
    AV,
    AC,
    PR,
    UI,
    S,
    C,
    I,
    A,
    E,
    RL,
    RC,
    CR,
    IR,
    AR,
    MAV,
    MAC,
    MPR,
    MUI,
    MS,
    MC,
    MI,
    MA,
}

impl Metric {
    /// The metric's name, description and allowed values.
    pub fn info(self) -> &'static crate::MetricInfo {
        &METRICS[self as usize]
    }
}

/// A parsed CVSS v3.0 or v3.1 vector: one value per metric, held as the
/// index of the value in [`METRICS`], with no heap allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vector {
    minor: Minor,
    values: [u8; 22],
}

impl Vector {
    /// The v3 minor version, from the prefix.
    pub fn minor(&self) -> Minor {
        self.minor
    }

    /// The same metrics under another minor version (changes prefix and scoring).
    pub fn with_minor(self, minor: Minor) -> Vector {
        Vector { minor, ..self }
    }

    /// The value of `metric`; `X` (Not Defined) for an absent optional metric.
    pub fn get(&self, metric: Metric) -> &'static ValueInfo {
        let info = metric.info();
        let vi = usize::from(self.values[metric as usize]);
        &info.values[vi]
    }

    /// Whether `metric` has a value other than Not Defined.
    pub fn is_defined(&self, metric: Metric) -> bool {
        metric.info().mandatory || self.values[metric as usize] != 0
    }

    /// Whether any temporal metric (E, RL, RC) is defined.
    pub fn has_temporal(&self) -> bool {
        self.values[8..11].iter().any(|&v| v != 0)
    }

    /// Whether any environmental metric (CR..MA) is defined.
    pub fn has_environmental(&self) -> bool {
        self.values[11..].iter().any(|&v| v != 0)
    }

    /// The defined metrics and their values, in canonical order.
    pub fn metrics(&self) -> Metrics {
        Metrics::new(&METRICS[..], &self.values)
    }

    /// Base, temporal and environmental scores and sub-scores, with the
    /// formulas of this vector's minor version (v3.1 specification section 7,
    /// v3.0 specification section 8).
    pub fn scores(&self) -> Scores {
        score::compute(&self.values, self.minor)
    }

    /// The most specific score: environmental if any environmental metric is
    /// defined, else temporal if any temporal metric is defined, else base.
    pub fn score(&self) -> crate::Score {
        let s = self.scores();
        if self.has_environmental() {
            s.environmental
        } else if self.has_temporal() {
            s.temporal
        } else {
            s.base
        }
    }

    pub(crate) fn parse_body(input: &str, minor: Minor) -> Result<Vector, ParseError> {
        let values = parse_components(
            input,
            minor.prefix().len(),
            &METRICS,
            Order::Any,
            minor.version(),
        )?;
        Ok(Vector { minor, values })
    }
}

impl FromStr for Vector {
    type Err = ParseError;

    /// Parses a `CVSS:3.0/…` or `CVSS:3.1/…` vector (see the module docs for the rules).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let minor = if s.starts_with(Minor::V1.prefix()) {
            Minor::V1
        } else if s.starts_with(Minor::V0.prefix()) {
            Minor::V0
        } else if s.is_empty() {
            return Err(ParseError::new(s, ErrorKind::Empty));
        } else if let Some(e) = crate::bare_prefix(s).filter(|_| s.starts_with("CVSS:3")) {
            return Err(e);
        } else {
            return Err(ParseError::new(
                s,
                ErrorKind::BadPrefix {
                    found: crate::prefix_of(s).to_owned(),
                    expected: "CVSS:3.0/ or CVSS:3.1/",
                },
            ));
        };
        Vector::parse_body(s, minor)
    }
}

impl fmt::Display for Vector {
    /// The canonical vector: prefix, then metrics in Table 15 order, leaving
    /// out optional metrics that are Not Defined.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.minor.prefix())?;
        write_components(f, &METRICS[..], &self.values, true)
    }
}
