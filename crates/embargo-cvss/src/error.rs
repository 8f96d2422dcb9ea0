//! Parse errors: values, never panics.
//!
//! Every error names what was wrong and where. Positions are **0-based byte
//! offsets into the input string**: for a metric, the offset of the first
//! byte of its `NAME:VALUE` component; for a missing mandatory metric, the
//! offset of the component that came where it was expected (CVSS v2 and v4.0,
//! which require the canonical order) or the length of the input (CVSS v3.x,
//! which allows any order).

use crate::Version;
use crate::metric::ValueInfo;
use std::fmt;

/// A vector string that could not be parsed.
///
/// `Display` shows the input up to the offending component (with `…` when
/// more follows), then what was wrong, e.g.
/// `CVSS:3.1/AV:N/AV:L…: metric AV given twice at 14 (first at 9)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
    kind: ErrorKind,
}

/// What was wrong with a vector string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was empty.
    Empty,
    /// The input starts with `CVSS:` but names no supported version, or a
    /// version-specific parser was given another version's prefix.
    BadPrefix {
        /// The prefix found, up to the first `/`.
        found: String,
        /// What the parser accepts.
        expected: &'static str,
    },
    /// An empty component: a doubled, leading or trailing `/`.
    EmptyMetric { position: usize },
    /// A component that is not `NAME:VALUE`.
    Malformed { component: String, position: usize },
    /// A metric name this CVSS version does not define (names are case-sensitive).
    UnknownMetric {
        metric: String,
        position: usize,
        version: Version,
    },
    /// A value the metric does not allow (values are case-sensitive).
    InvalidValue {
        metric: &'static str,
        value: String,
        position: usize,
        allowed: &'static [ValueInfo],
    },
    /// The same metric given more than once.
    DuplicateMetric {
        metric: &'static str,
        position: usize,
        first: usize,
    },
    /// A metric out of the canonical order required by CVSS v2 (section 2.4)
    /// and v4.0 (section 7).
    OutOfOrder {
        metric: &'static str,
        position: usize,
        after: &'static str,
    },
    /// A mandatory (base) metric is absent.
    MissingMetric {
        metric: &'static str,
        position: usize,
    },
}

impl ParseError {
    pub(crate) fn new(input: &str, kind: ErrorKind) -> ParseError {
        ParseError {
            input: input.to_owned(),
            kind,
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The rejected input, unchanged.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The 0-based byte offset of the fault in the input.
    pub fn position(&self) -> usize {
        match &self.kind {
            ErrorKind::Empty | ErrorKind::BadPrefix { .. } => 0,
            ErrorKind::EmptyMetric { position }
            | ErrorKind::Malformed { position, .. }
            | ErrorKind::UnknownMetric { position, .. }
            | ErrorKind::InvalidValue { position, .. }
            | ErrorKind::DuplicateMetric { position, .. }
            | ErrorKind::OutOfOrder { position, .. }
            | ErrorKind::MissingMetric { position, .. } => *position,
        }
    }

    /// The metric at fault, when there is one.
    pub fn metric(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::UnknownMetric { metric, .. } => Some(metric),
            ErrorKind::InvalidValue { metric, .. }
            | ErrorKind::DuplicateMetric { metric, .. }
            | ErrorKind::OutOfOrder { metric, .. }
            | ErrorKind::MissingMetric { metric, .. } => Some(metric),
            _ => None,
        }
    }

    /// The input up to the end of the faulty component, at most about 80
    /// characters, with `…` where text was cut.
    fn excerpt(&self) -> (bool, &str, bool) {
        let input = self.input.as_str();
        let pos = self.position().min(input.len());
        let end = match input.get(pos..).and_then(|rest| rest.find('/')) {
            Some(i) => pos + i,
            None => input.len(),
        };
        let mut start = end.saturating_sub(80);
        while !input.is_char_boundary(start) {
            start += 1;
        }
        let mut end = end;
        while !input.is_char_boundary(end) {
            end += 1;
        }
        let text = input.get(start..end).unwrap_or("");
        (start > 0, text, end < input.len())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.input.is_empty() {
            let (cut_before, text, cut_after) = self.excerpt();
            if cut_before {
                f.write_str("…")?;
            }
            for c in text.chars() {
                // Keep the message on one line, whatever the input holds.
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            if cut_after {
                f.write_str("…")?;
            }
            f.write_str(": ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Empty => f.write_str("empty CVSS vector string"),
            ErrorKind::BadPrefix { found, expected } => {
                write!(f, "unknown prefix {found:?} at 0, expected {expected}")
            }
            ErrorKind::EmptyMetric { position } => {
                write!(
                    f,
                    "empty metric at {position} (doubled, leading or trailing '/')"
                )
            }
            ErrorKind::Malformed {
                component,
                position,
            } => write!(
                f,
                "malformed metric {component:?} at {position}, expected NAME:VALUE"
            ),
            ErrorKind::UnknownMetric {
                metric,
                position,
                version,
            } => write!(
                f,
                "unknown metric {metric:?} at {position} for CVSS {}",
                version.as_str()
            ),
            ErrorKind::InvalidValue {
                metric,
                value,
                position,
                allowed,
            } => {
                write!(
                    f,
                    "invalid value {value:?} for metric {metric} at {position}, allowed: "
                )?;
                for (i, v) in allowed.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(v.abbrev)?;
                }
                Ok(())
            }
            ErrorKind::DuplicateMetric {
                metric,
                position,
                first,
            } => write!(
                f,
                "metric {metric} given twice at {position} (first at {first})"
            ),
            ErrorKind::OutOfOrder {
                metric,
                position,
                after,
            } => write!(
                f,
                "metric {metric} at {position} is out of order: it must come before {after}"
            ),
            ErrorKind::MissingMetric { metric, position } => {
                write!(f, "mandatory metric {metric} missing at {position}")
            }
        }
    }
}

impl std::error::Error for ParseError {}
