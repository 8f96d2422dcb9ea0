//! Reports for command-line and API output: one JSON object per vector, and
//! a human-readable explanation. No I/O: both are `Display` values, written
//! straight into whatever buffer the caller holds, and the JSON is
//! hand-formatted so the crate needs no JSON dependency.
//!
//! JSON shapes (one object, one line):
//!
//! - v3.x: `{"vector","version","base","temporal","environmental",
//!   "base_severity","temporal_severity","environmental_severity"}`, all three
//!   scores computed as FIRST's calculator shows them;
//! - v2: the same, with `temporal` / `environmental` and their severities
//!   `null` when no metric of that group is defined;
//! - v4.0: `{"vector","version","score","nomenclature","severity","macrovector"}`;
//! - invalid input: `{"input","error"}`.
//!
//! Scores are JSON numbers with one decimal (`9.8`, `10.0`); severities and
//! vectors are strings; `vector` is the canonical vector string.

use crate::{Cvss, MetricGroup, ParseError, Score, Severity, v2, v3, v4};
use std::fmt::{self, Write as _};

/// The JSON report of one input line; see the module docs for its shape.
#[derive(Debug, Clone)]
pub struct ScoreReport<'a> {
    input: &'a str,
    result: Result<Cvss, ParseError>,
}

/// Parses `input` and prepares its JSON report.
pub fn score_line(input: &str) -> ScoreReport<'_> {
    ScoreReport {
        input,
        result: input.parse(),
    }
}

impl ScoreReport<'_> {
    /// Whether the input was a valid vector.
    pub fn is_valid(&self) -> bool {
        self.result.is_ok()
    }

    pub fn result(&self) -> &Result<Cvss, ParseError> {
        &self.result
    }
}

/// A `fmt::Write` that escapes everything written through it as the inside
/// of a JSON string.
struct JsonEscape<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for JsonEscape<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut plain = 0;
        for (i, c) in s.char_indices() {
            let escape = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                c if (c as u32) < 0x20 => None,
                _ => continue,
            };
            self.0.write_str(&s[plain..i])?;
            match escape {
                Some(e) => self.0.write_str(e)?,
                None => write!(self.0, "\\u{:04x}", c as u32)?,
            }
            plain = i + c.len_utf8();
        }
        self.0.write_str(&s[plain..])
    }
}

/// Writes `"…"` with `value` escaped as a JSON string.
fn json_string(f: &mut fmt::Formatter<'_>, value: impl fmt::Display) -> fmt::Result {
    f.write_str("\"")?;
    write!(JsonEscape(f), "{value}")?;
    f.write_str("\"")
}

fn json_score(f: &mut fmt::Formatter<'_>, key: &str, score: Option<Score>) -> fmt::Result {
    match score {
        Some(s) => write!(f, ",\"{key}\":{s}"),
        None => write!(f, ",\"{key}\":null"),
    }
}

fn json_severity(f: &mut fmt::Formatter<'_>, key: &str, severity: Option<Severity>) -> fmt::Result {
    match severity {
        Some(s) => write!(f, ",\"{key}\":\"{}\"", s.as_str()),
        None => write!(f, ",\"{key}\":null"),
    }
}

impl fmt::Display for ScoreReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cvss = match &self.result {
            Ok(cvss) => cvss,
            Err(e) => {
                f.write_str("{\"input\":")?;
                json_string(f, self.input)?;
                f.write_str(",\"error\":")?;
                json_string(f, e)?;
                return f.write_str("}");
            }
        };
        // Canonical vectors hold only ASCII letters, digits, ':', '.' and '/'.
        write!(
            f,
            "{{\"vector\":\"{cvss}\",\"version\":\"{}\"",
            cvss.version()
        )?;
        let (base, temporal, environmental, severities) = match cvss {
            Cvss::V2(v) => {
                let s = v.scores();
                let sev = [
                    Some(s.base_severity()),
                    s.temporal_severity(),
                    s.environmental_severity(),
                ];
                (s.base, s.temporal, s.environmental, sev)
            }
            Cvss::V30(v) | Cvss::V31(v) => {
                let minor = match cvss {
                    Cvss::V30(_) => v3::Minor::V0,
                    _ => v3::Minor::V1,
                };
                let s = v.with_minor(minor).scores();
                let sev = [
                    Some(s.base_severity()),
                    Some(s.temporal_severity()),
                    Some(s.environmental_severity()),
                ];
                (s.base, Some(s.temporal), Some(s.environmental), sev)
            }
            Cvss::V40(v) => {
                let s = v.scores();
                return write!(
                    f,
                    ",\"score\":{},\"nomenclature\":\"{}\",\"severity\":\"{}\",\"macrovector\":\"{}\"}}",
                    s.score,
                    s.nomenclature,
                    s.severity(),
                    s.macro_vector
                );
            }
        };
        json_score(f, "base", Some(base))?;
        json_score(f, "temporal", temporal)?;
        json_score(f, "environmental", environmental)?;
        json_severity(f, "base_severity", severities[0])?;
        json_severity(f, "temporal_severity", severities[1])?;
        json_severity(f, "environmental_severity", severities[2])?;
        f.write_str("}")
    }
}

/// A human-readable, multi-line explanation of a vector: its metrics with
/// names and chosen values, the sub-scores or MacroVector, and each score
/// with its severity.
#[derive(Debug, Clone, Copy)]
pub struct Explanation<'a>(&'a Cvss);

/// Explains `cvss`; see [`Explanation`].
pub fn explain(cvss: &Cvss) -> Explanation<'_> {
    Explanation(cvss)
}

fn metrics_section(f: &mut fmt::Formatter<'_>, cvss: &Cvss) -> fmt::Result {
    let mut group: Option<MetricGroup> = None;
    for (metric, value) in cvss.metrics() {
        if group != Some(metric.group) {
            writeln!(f, "  {} metrics", metric.group)?;
            group = Some(metric.group);
        }
        let label = format!("{} ({})", metric.name, metric.abbrev);
        writeln!(f, "    {label:<48} {:<6} {}", value.abbrev, value.name)?;
    }
    Ok(())
}

fn score_line_text(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    score: Score,
    severity: Severity,
) -> fmt::Result {
    writeln!(f, "  {label:<14} {score:>4}  {severity}")
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cvss = self.0;
        writeln!(f, "CVSS {} vector {cvss}", cvss.version())?;
        writeln!(f, "Metrics:")?;
        metrics_section(f, cvss)?;
        match cvss {
            Cvss::V2(v) => explain_v2(f, v),
            Cvss::V30(v) => explain_v3(f, &v.with_minor(v3::Minor::V0)),
            Cvss::V31(v) => explain_v3(f, &v.with_minor(v3::Minor::V1)),
            Cvss::V40(v) => explain_v4(f, v),
        }
    }
}

fn explain_v2(f: &mut fmt::Formatter<'_>, v: &v2::Vector) -> fmt::Result {
    let s = v.scores();
    writeln!(f, "Sub-scores (guide section 3.2):")?;
    writeln!(f, "  Impact           {:.4}", s.impact)?;
    writeln!(f, "  Exploitability   {:.4}", s.exploitability)?;
    writeln!(f, "  Adjusted impact  {:.4}", s.adjusted_impact)?;
    writeln!(f, "Scores (severity: NVD v2 ranges):")?;
    score_line_text(f, "Base", s.base, s.base_severity())?;
    match (s.temporal, s.temporal_severity()) {
        (Some(t), Some(sev)) => score_line_text(f, "Temporal", t, sev)?,
        _ => writeln!(f, "  Temporal        n/a (no temporal metric defined)")?,
    }
    match (s.environmental, s.environmental_severity()) {
        (Some(e), Some(sev)) => score_line_text(f, "Environmental", e, sev),
        _ => writeln!(f, "  Environmental   n/a (no environmental metric defined)"),
    }
}

fn explain_v3(f: &mut fmt::Formatter<'_>, v: &v3::Vector) -> fmt::Result {
    let s = v.scores();
    writeln!(f, "Sub-scores:")?;
    writeln!(f, "  Impact sub-score (ISS)           {:.4}", s.iss)?;
    writeln!(f, "  Impact                           {:.4}", s.impact)?;
    writeln!(
        f,
        "  Exploitability                   {:.4}",
        s.exploitability
    )?;
    writeln!(
        f,
        "  Modified impact sub-score (MISS) {:.4}",
        s.modified_iss
    )?;
    writeln!(
        f,
        "  Modified impact                  {:.4}",
        s.modified_impact
    )?;
    writeln!(
        f,
        "  Modified exploitability          {:.4}",
        s.modified_exploitability
    )?;
    writeln!(f, "Scores:")?;
    score_line_text(f, "Base", s.base, s.base_severity())?;
    score_line_text(f, "Temporal", s.temporal, s.temporal_severity())?;
    score_line_text(
        f,
        "Environmental",
        s.environmental,
        s.environmental_severity(),
    )
}

fn explain_v4(f: &mut fmt::Formatter<'_>, v: &v4::Vector) -> fmt::Result {
    let s = v.scores();
    let mv = s.macro_vector.0;
    writeln!(
        f,
        "MacroVector {} (EQ1={} EQ2={} EQ3={} EQ4={} EQ5={} EQ6={}), MacroVector score {}",
        s.macro_vector, mv[0], mv[1], mv[2], mv[3], mv[4], mv[5], s.macro_vector_score
    )?;
    writeln!(
        f,
        "Severity distances (steps of 0.1) from the MacroVector's highest-severity vector:"
    )?;
    const NAMES: [&str; 5] = [
        "EQ1 (AV/PR/UI)",
        "EQ2 (AC/AT)",
        "EQ3+EQ6 (VC/VI/VA/CR/IR/AR)",
        "EQ4 (SC/SI/SA)",
        "EQ5 (E)",
    ];
    for (name, d) in NAMES.iter().zip(s.eqs) {
        let lower = match d.next_lower {
            Some(l) => format!("next lower MacroVector scores {l}"),
            None => "no lower MacroVector".to_owned(),
        };
        writeln!(
            f,
            "  {name:<28} distance {:>2} of depth {:>2}; {lower}",
            d.distance, d.depth
        )?;
    }
    writeln!(f, "Score:")?;
    score_line_text(f, s.nomenclature.as_str(), s.score, s.severity())
}
