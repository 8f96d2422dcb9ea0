//! Metric metadata shared by every CVSS version, and the strict parser that
//! reads a vector string against it.

use crate::Version;
use crate::error::{ErrorKind, ParseError};
use std::fmt;

/// A metric group, as the specifications name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetricGroup {
    /// Intrinsic characteristics (v2 section 2.1, v3.1 section 2, v4.0 section 2).
    Base,
    /// Characteristics that change over time (v2 section 2.2, v3.1 section 3).
    Temporal,
    /// v4.0 Threat metrics (section 3), the successor of Temporal.
    Threat,
    /// Characteristics of the user's environment (v2 2.3, v3.1 section 4, v4.0 section 4).
    Environmental,
    /// v4.0 Supplemental metrics (section 5): informative, never scored.
    Supplemental,
}

impl MetricGroup {
    pub const fn name(self) -> &'static str {
        match self {
            MetricGroup::Base => "Base",
            MetricGroup::Temporal => "Temporal",
            MetricGroup::Threat => "Threat",
            MetricGroup::Environmental => "Environmental",
            MetricGroup::Supplemental => "Supplemental",
        }
    }
}

impl fmt::Display for MetricGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One allowed value of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ValueInfo {
    /// As written in a vector string, e.g. `N`.
    pub abbrev: &'static str,
    /// e.g. `Network`.
    pub name: &'static str,
    pub description: &'static str,
}

/// A metric: its abbreviation, names, description and allowed values.
///
/// For an optional metric (`mandatory == false`), `values[0]` is always the
/// "Not Defined" value (`X`, or `ND` in v2), which scores as if the metric
/// were absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetricInfo {
    /// As written in a vector string, e.g. `AV`.
    pub abbrev: &'static str,
    /// e.g. `Attack Vector`.
    pub name: &'static str,
    pub description: &'static str,
    pub group: MetricGroup,
    /// Base metrics are mandatory in every version.
    pub mandatory: bool,
    pub values: &'static [ValueInfo],
}

impl MetricInfo {
    /// The value with abbreviation `abbrev` (case-sensitive), as its index in `values`.
    pub fn value_index(&self, abbrev: &str) -> Option<usize> {
        self.values.iter().position(|v| v.abbrev == abbrev)
    }
}

pub(crate) const fn v(
    abbrev: &'static str,
    name: &'static str,
    description: &'static str,
) -> ValueInfo {
    ValueInfo {
        abbrev,
        name,
        description,
    }
}

/// Whether a vector's metrics must appear in the table's order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// CVSS v3.x: any order (FIRST's calculators accept any order).
    Any,
    /// CVSS v2 (guide section 2.4) and v4.0 (specification section 7).
    Canonical,
}

/// Parses the `/`-separated `NAME:VALUE` components of `input` starting at
/// byte `start` against `metrics`, into the index of each metric's value
/// (0, the "Not Defined" value, for an absent optional metric).
///
/// Allocates only to build an error.
pub(crate) fn parse_components<const N: usize>(
    input: &str,
    start: usize,
    metrics: &'static [MetricInfo; N],
    order: Order,
    version: Version,
) -> Result<[u8; N], ParseError> {
    let mut values = [0u8; N];
    // Offset at which each metric was seen; usize::MAX if not seen.
    let mut seen = [usize::MAX; N];
    let bytes = input.as_bytes();
    let mut pos = start;
    // Index of the previous metric; the next one is most likely right after it.
    let mut last: Option<usize> = None;
    let err = |kind| Err(ParseError::new(input, kind));

    if start > input.len() {
        return err(ErrorKind::EmptyMetric { position: start });
    }
    loop {
        let rest = &bytes[pos..];
        let len = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
        let component = &rest[..len];
        if component.is_empty() {
            return err(ErrorKind::EmptyMetric { position: pos });
        }
        let Some(colon) = component.iter().position(|&b| b == b':') else {
            return err(ErrorKind::Malformed {
                component: String::from_utf8_lossy(component).into_owned(),
                position: pos,
            });
        };
        let name = &component[..colon];
        let value = &component[colon + 1..];

        let hint = last.map_or(0, |l| l + 1);
        let Some(index) = (0..N)
            .map(|i| (hint + i) % N)
            .find(|&i| metrics[i].abbrev.as_bytes() == name)
        else {
            return err(ErrorKind::UnknownMetric {
                metric: String::from_utf8_lossy(name).into_owned(),
                position: pos,
                version,
            });
        };
        let info = &metrics[index];
        if seen[index] != usize::MAX {
            return err(ErrorKind::DuplicateMetric {
                metric: info.abbrev,
                position: pos,
                first: seen[index],
            });
        }
        if order == Order::Canonical {
            if let Some(l) = last
                && index < l
            {
                return err(ErrorKind::OutOfOrder {
                    metric: info.abbrev,
                    position: pos,
                    after: metrics[l].abbrev,
                });
            }
            if let Some(missing) = metrics[hint..index].iter().find(|m| m.mandatory) {
                // If it comes later, the real fault is the order.
                if let Some(later) = find_component(input, pos + len, missing.abbrev) {
                    return err(ErrorKind::OutOfOrder {
                        metric: missing.abbrev,
                        position: later,
                        after: info.abbrev,
                    });
                }
                return err(ErrorKind::MissingMetric {
                    metric: missing.abbrev,
                    position: pos,
                });
            }
        }
        let Some(vi) = info
            .values
            .iter()
            .position(|v| v.abbrev.as_bytes() == value)
        else {
            return err(ErrorKind::InvalidValue {
                metric: info.abbrev,
                value: String::from_utf8_lossy(value).into_owned(),
                position: pos,
                allowed: info.values,
            });
        };
        // Tables hold fewer than 256 values per metric.
        values[index] = vi as u8;
        seen[index] = pos;
        last = Some(index);

        pos += len;
        if pos >= bytes.len() {
            break;
        }
        // Skip the '/'.
        pos += 1;
    }
    if let Some(missing) = (0..N).find(|&i| metrics[i].mandatory && seen[i] == usize::MAX) {
        return err(ErrorKind::MissingMetric {
            metric: metrics[missing].abbrev,
            position: input.len(),
        });
    }
    Ok(values)
}

/// The offset of the first component named `name` at or after byte `from`.
fn find_component(input: &str, from: usize, name: &str) -> Option<usize> {
    let mut pos = from;
    for component in input.get(from..)?.split('/') {
        if component.split(':').next() == Some(name) && component.contains(':') {
            return Some(pos);
        }
        pos += component.len() + 1;
    }
    None
}

/// Writes `NAME:VALUE` components for every mandatory metric and every
/// optional metric whose value is defined, in canonical order.
pub(crate) fn write_components(
    f: &mut fmt::Formatter<'_>,
    metrics: &'static [MetricInfo],
    values: &[u8],
    mut first: bool,
) -> fmt::Result {
    for (info, &vi) in metrics.iter().zip(values) {
        if !info.mandatory && vi == 0 {
            continue;
        }
        if !first {
            f.write_str("/")?;
        }
        first = false;
        f.write_str(info.abbrev)?;
        f.write_str(":")?;
        f.write_str(info.values.get(usize::from(vi)).map_or("?", |v| v.abbrev))?;
    }
    Ok(())
}

/// The not-defined value of optional metrics in v3.x and v4.0.
pub(crate) const NOT_DEFINED: ValueInfo = v(
    "X",
    "Not Defined",
    "The metric is not used: it scores as the specification's default for it.",
);

/// Iterator over the defined metrics of a vector and their values, in
/// canonical order: every mandatory metric, and each optional metric whose
/// value is not "Not Defined".
#[derive(Debug, Clone)]
pub struct Metrics {
    metrics: &'static [MetricInfo],
    values: [u8; 32],
    next: usize,
}

impl Metrics {
    pub(crate) fn new(metrics: &'static [MetricInfo], values: &[u8]) -> Metrics {
        let mut copy = [0u8; 32];
        for (c, v) in copy.iter_mut().zip(values) {
            *c = *v;
        }
        Metrics {
            metrics,
            values: copy,
            next: 0,
        }
    }
}

impl Iterator for Metrics {
    type Item = (&'static MetricInfo, &'static ValueInfo);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(info) = self.metrics.get(self.next) {
            let vi = self.values.get(self.next).copied().unwrap_or(0);
            self.next += 1;
            if info.mandatory || vi != 0 {
                if let Some(value) = info.values.get(usize::from(vi)) {
                    return Some((info, value));
                }
            }
        }
        None
    }
}
