//! CVSS v2: parsing, printing and scoring (FIRST "A Complete Guide to the
//! Common Vulnerability Scoring System Version 2.0").
//!
//! # Parsing rules
//!
//! - No prefix: a v2 vector starts with `AV:` (section 2.4).
//! - The six base metrics are mandatory; temporal and environmental metrics
//!   are optional, and `ND` (Not Defined) is the same as leaving one out.
//! - Metrics must appear in the order of Table 13 (section 2.4: "the vector
//!   lists these metrics in a predetermined order"); a group may be given in
//!   part.
//! - Names and values are case-sensitive (`Au`, `POC`); each metric at most
//!   once; unknown metrics are rejected.
//!
//! # Scoring
//!
//! Section 3.2's equations in exact decimal arithmetic (fixed-point
//! integers), rounding to one decimal half up, as the Python `cvss` package
//! does with `Decimal`. A temporal or environmental score exists only when
//! at least one metric of that group is defined (not `ND`).

use crate::error::{ErrorKind, ParseError};
use crate::metric::{
    MetricGroup, MetricInfo, Metrics, Order, ValueInfo, parse_components, v, write_components,
};
use crate::{Score, Severity, Version};
use std::fmt;
use std::str::FromStr;

use MetricGroup::{Base, Environmental, Temporal};

const ND: ValueInfo = v(
    "ND",
    "Not Defined",
    "The metric is not used: it does not change the score.",
);
const AV: &[ValueInfo] = &[
    v(
        "L",
        "Local",
        "The attacker needs physical access or a local (shell) account.",
    ),
    v(
        "A",
        "Adjacent Network",
        "The attacker needs access to the broadcast or collision domain of the vulnerable software.",
    ),
    v(
        "N",
        "Network",
        "Remotely exploitable: the vulnerable software is bound to the network stack.",
    ),
];
const AC: &[ValueInfo] = &[
    v(
        "H",
        "High",
        "Specialized access conditions exist, such as a race condition with a narrow window or social engineering that knowledgeable people would detect.",
    ),
    v(
        "M",
        "Medium",
        "The access conditions are somewhat specialized.",
    ),
    v(
        "L",
        "Low",
        "No specialized access conditions or extenuating circumstances exist.",
    ),
];
const AU: &[ValueInfo] = &[
    v(
        "M",
        "Multiple",
        "The attacker must authenticate two or more times, even with the same credentials.",
    ),
    v(
        "S",
        "Single",
        "The attacker must be logged into the system once.",
    ),
    v("N", "None", "No authentication is required."),
];
const CIA: &[ValueInfo] = &[
    v("N", "None", "No impact on the property."),
    v(
        "P",
        "Partial",
        "Considerable impact, but the attacker controls only part of the system or information.",
    ),
    v(
        "C",
        "Complete",
        "Total loss of the property for the whole system.",
    ),
];
const E: &[ValueInfo] = &[
    ND,
    v(
        "U",
        "Unproven",
        "No exploit code is available, or an exploit is entirely theoretical.",
    ),
    v(
        "POC",
        "Proof-of-Concept",
        "Proof-of-concept exploit code or an attack demonstration is available, but not practical for most systems.",
    ),
    v(
        "F",
        "Functional",
        "Functional exploit code is available and works in most situations.",
    ),
    v(
        "H",
        "High",
        "Functional autonomous code exists, or no exploit is required, and details are widely available.",
    ),
];
const RL: &[ValueInfo] = &[
    ND,
    v(
        "OF",
        "Official Fix",
        "A complete vendor solution is available: an official patch or upgrade.",
    ),
    v(
        "TF",
        "Temporary Fix",
        "An official but temporary fix is available.",
    ),
    v(
        "W",
        "Workaround",
        "An unofficial, non-vendor solution is available.",
    ),
    v(
        "U",
        "Unavailable",
        "There is no solution available or it is impossible to apply.",
    ),
];
const RC: &[ValueInfo] = &[
    ND,
    v(
        "UC",
        "Unconfirmed",
        "A single unconfirmed source, or several conflicting reports.",
    ),
    v(
        "UR",
        "Uncorroborated",
        "Multiple non-official sources, possibly with some inconsistency.",
    ),
    v(
        "C",
        "Confirmed",
        "Acknowledged by the vendor or author, or confirmed by a functional exploit.",
    ),
];
const CDP: &[ValueInfo] = &[
    ND,
    v(
        "N",
        "None",
        "No potential for loss of life, physical assets, productivity or revenue.",
    ),
    v(
        "L",
        "Low",
        "Potential for slight physical or property damage, or slight loss of revenue or productivity.",
    ),
    v(
        "LM",
        "Low-Medium",
        "Potential for moderate physical or property damage, or moderate loss of revenue or productivity.",
    ),
    v(
        "MH",
        "Medium-High",
        "Potential for significant physical or property damage or loss.",
    ),
    v(
        "H",
        "High",
        "Potential for catastrophic physical or property damage and loss.",
    ),
];
const TD: &[ValueInfo] = &[
    ND,
    v(
        "N",
        "None",
        "No target systems exist, or targets exist only in laboratory settings (0%).",
    ),
    v(
        "L",
        "Low",
        "Targets exist inside the environment on a small scale (1% to 25%).",
    ),
    v(
        "M",
        "Medium",
        "Targets exist inside the environment on a medium scale (26% to 75%).",
    ),
    v(
        "H",
        "High",
        "Targets exist inside the environment on a considerable scale (76% to 100%).",
    ),
];
const REQ: &[ValueInfo] = &[
    ND,
    v(
        "L",
        "Low",
        "Loss of this property is likely to have only a limited adverse effect on the organization.",
    ),
    v(
        "M",
        "Medium",
        "Loss of this property is likely to have a serious adverse effect on the organization.",
    ),
    v(
        "H",
        "High",
        "Loss of this property is likely to have a catastrophic adverse effect on the organization.",
    ),
];

const fn m(
    abbrev: &'static str,
    name: &'static str,
    group: MetricGroup,
    description: &'static str,
    values: &'static [ValueInfo],
) -> MetricInfo {
    MetricInfo {
        abbrev,
        name,
        description,
        group,
        mandatory: matches!(group, MetricGroup::Base),
        values,
    }
}

/// Every CVSS v2 metric in the order of the guide's Table 13 (section 2.4).
pub static METRICS: &[MetricInfo; 14] = &[
    m(
        "AV",
        "Access Vector",
        Base,
        "How the vulnerability is exploited (section 2.1.1).",
        AV,
    ),
    m(
        "AC",
        "Access Complexity",
        Base,
        "The complexity of the attack required to exploit the vulnerability once access is gained (section 2.1.2).",
        AC,
    ),
    m(
        "Au",
        "Authentication",
        Base,
        "The number of times an attacker must authenticate to exploit the vulnerability (section 2.1.3).",
        AU,
    ),
    m(
        "C",
        "Confidentiality Impact",
        Base,
        "Impact on confidentiality of a successful exploit (section 2.1.4).",
        CIA,
    ),
    m(
        "I",
        "Integrity Impact",
        Base,
        "Impact on integrity of a successful exploit (section 2.1.5).",
        CIA,
    ),
    m(
        "A",
        "Availability Impact",
        Base,
        "Impact on availability of a successful exploit (section 2.1.6).",
        CIA,
    ),
    m(
        "E",
        "Exploitability",
        Temporal,
        "The current state of exploit techniques or code availability (section 2.2.1).",
        E,
    ),
    m(
        "RL",
        "Remediation Level",
        Temporal,
        "The kind of remediation available (section 2.2.2).",
        RL,
    ),
    m(
        "RC",
        "Report Confidence",
        Temporal,
        "The degree of confidence in the existence of the vulnerability and the credibility of its details (section 2.2.3).",
        RC,
    ),
    m(
        "CDP",
        "Collateral Damage Potential",
        Environmental,
        "The potential for loss of life or physical assets through damage or theft (section 2.3.1).",
        CDP,
    ),
    m(
        "TD",
        "Target Distribution",
        Environmental,
        "The proportion of vulnerable systems in the environment (section 2.3.2).",
        TD,
    ),
    m(
        "CR",
        "Confidentiality Requirement",
        Environmental,
        "The importance of the affected asset's confidentiality to the organization (section 2.3.3).",
        REQ,
    ),
    m(
        "IR",
        "Integrity Requirement",
        Environmental,
        "The importance of the affected asset's integrity to the organization (section 2.3.3).",
        REQ,
    ),
    m(
        "AR",
        "Availability Requirement",
        Environmental,
        "The importance of the affected asset's availability to the organization (section 2.3.3).",
        REQ,
    ),
];

/// The metric groups of CVSS v2, in guide order.
pub static GROUPS: &[MetricGroup] = &[Base, Temporal, Environmental];

/// A CVSS v2 metric, in the order of Table 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(clippy::upper_case_acronyms)]
pub enum Metric {
    AV,
    AC,
    Au,
    C,
    I,
    A,
    E,
    RL,
    RC,
    CDP,
    TD,
    CR,
    IR,
    AR,
}

impl Metric {
    /// The metric's name, description and allowed values.
    pub fn info(self) -> &'static MetricInfo {
        &METRICS[self as usize]
    }
}

/// A parsed CVSS v2 vector: one value per metric, held as the index of the
/// value in [`METRICS`], with no heap allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vector {
    values: [u8; 14],
}

/// Scores and sub-scores of a v2 vector (section 3.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// BaseScore (section 3.2.1).
    pub base: Score,
    /// TemporalScore (section 3.2.2); `None` when no temporal metric is defined.
    pub temporal: Option<Score>,
    /// EnvironmentalScore (section 3.2.3); `None` when no environmental metric is defined.
    pub environmental: Option<Score>,
    /// Impact = 10.41 × (1 − (1−C)(1−I)(1−A)), exact.
    pub impact: f64,
    /// Exploitability = 20 × AV × AC × Au, exact.
    pub exploitability: f64,
    /// AdjustedImpact = min(10, 10.41 × (1 − (1−C×CR)(1−I×IR)(1−A×AR))), exact.
    pub adjusted_impact: f64,
}

/// NVD's qualitative rating for v2 scores: Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0.
/// (The v2 guide itself defines no severity ratings.)
pub fn severity(score: Score) -> Severity {
    match score.tenths() {
        0..=39 => Severity::Low,
        40..=69 => Severity::Medium,
        _ => Severity::High,
    }
}

impl Scores {
    pub fn base_severity(&self) -> Severity {
        severity(self.base)
    }
    pub fn temporal_severity(&self) -> Option<Severity> {
        self.temporal.map(severity)
    }
    pub fn environmental_severity(&self) -> Option<Severity> {
        self.environmental.map(severity)
    }
}

// Section 3.2.4 parameter values as exact integers, indexed like METRICS' values.
/// × 1000.
const AV_W: [i128; 3] = [395, 646, 1000];
const AC_W: [i128; 3] = [350, 610, 710];
const AU_W: [i128; 3] = [450, 560, 704];
const CIA_W: [i128; 3] = [0, 275, 660];
/// × 100.
const E_W: [i128; 5] = [100, 85, 90, 95, 100];
const RL_W: [i128; 5] = [100, 87, 90, 95, 100];
const RC_W: [i128; 4] = [100, 90, 95, 100];
const TD_W: [i128; 5] = [100, 0, 25, 75, 100];
const REQ_W: [i128; 4] = [100, 50, 100, 151];
/// × 10.
const CDP_W: [i128; 6] = [0, 0, 1, 3, 4, 5];

/// `x / scale` rounded to an integer, halves away from zero (Decimal's ROUND_HALF_UP).
fn round_half_up(x: i128, scale: i128) -> i128 {
    if x >= 0 {
        (x + scale / 2) / scale
    } else {
        -((-x + scale / 2) / scale)
    }
}

const E10: i128 = 10_000_000_000;

impl Vector {
    /// The value of `metric`; `ND` (Not Defined) for an absent optional metric.
    pub fn get(&self, metric: Metric) -> &'static ValueInfo {
        let vi = usize::from(self.values[metric as usize]);
        &metric.info().values[vi]
    }

    /// Whether `metric` has a value other than Not Defined.
    pub fn is_defined(&self, metric: Metric) -> bool {
        metric.info().mandatory || self.values[metric as usize] != 0
    }

    /// Whether any temporal metric is defined (not ND).
    pub fn has_temporal(&self) -> bool {
        self.values[6..9].iter().any(|&v| v != 0)
    }

    /// Whether any environmental metric is defined (not ND).
    pub fn has_environmental(&self) -> bool {
        self.values[9..].iter().any(|&v| v != 0)
    }

    /// The defined metrics and their values, in canonical order.
    pub fn metrics(&self) -> Metrics {
        Metrics::new(&METRICS[..], &self.values)
    }

    /// Base, temporal and environmental scores (section 3.2).
    pub fn scores(&self) -> Scores {
        let [av, ac, au, c, i, a, e, rl, rc, cdp, td, cr, ir, ar] = self.values.map(usize::from);

        // Scale 1e11: 10.41 (×100) × (1 − product of three ×1000 factors) (×1e9).
        let impact =
            1041 * (1_000_000_000 - (1000 - CIA_W[c]) * (1000 - CIA_W[i]) * (1000 - CIA_W[a]));
        // Scale 1e9.
        let exploitability = 20 * AV_W[av] * AC_W[ac] * AU_W[au];
        // Scale 1e11 for impact; returns tenths.
        let base_with = |impact_1e11: i128| -> i128 {
            if impact_1e11 == 0 {
                return 0;
            }
            // (0.6 × Impact + 0.4 × Exploitability − 1.5) × 1.176, at scale 1e15.
            let inner = 6 * impact_1e11 + 4 * exploitability * 100 - 15 * E10 * 10;
            round_half_up(inner * 1176, 100_000_000_000_000).max(0)
        };
        let temporal_with = |base_tenths: i128| -> i128 {
            // Scale 10 × 1e6.
            round_half_up(base_tenths * E_W[e] * RL_W[rl] * RC_W[rc], 1_000_000)
        };
        let base = base_with(impact);

        // AdjustedImpact at scale 1e17: C (×1000) × CR (×100) per factor.
        let adj_product = (100_000 - CIA_W[c] * REQ_W[cr])
            * (100_000 - CIA_W[i] * REQ_W[ir])
            * (100_000 - CIA_W[a] * REQ_W[ar]);
        let adjusted_1e17 =
            (1041 * (1_000_000_000_000_000 - adj_product)).min(10 * 100_000_000_000_000_000);
        // AdjustedBase: the base equation at scale 1e21, to tenths.
        let adjusted_base = {
            if adjusted_1e17 == 0 {
                0
            } else {
                let inner =
                    6 * adjusted_1e17 + 4 * exploitability * 100_000_000 - 15 * E10 * 10_000_000;
                round_half_up(inner * 1176, 100_000_000_000_000_000_000).max(0)
            }
        };
        let adjusted_temporal = temporal_with(adjusted_base);
        // (AdjustedTemporal + (10 − AdjustedTemporal) × CDP) × TD, at scale 1e4.
        let env = round_half_up(
            (adjusted_temporal * 10 + (100 - adjusted_temporal) * CDP_W[cdp]) * TD_W[td],
            1000,
        )
        .max(0);

        let to_score = |t: i128| Score::from_tenths(t.clamp(0, 100) as u8).unwrap_or(Score::MAX);
        Scores {
            base: to_score(base),
            temporal: self
                .has_temporal()
                .then(|| to_score(temporal_with(base).max(0))),
            environmental: self.has_environmental().then(|| to_score(env)),
            impact: impact as f64 / 1e11,
            exploitability: exploitability as f64 / 1e9,
            adjusted_impact: adjusted_1e17 as f64 / 1e17,
        }
    }

    /// The most specific score: environmental if any environmental metric is
    /// defined, else temporal if any temporal metric is defined, else base.
    pub fn score(&self) -> Score {
        let s = self.scores();
        s.environmental.or(s.temporal).unwrap_or(s.base)
    }
}

impl FromStr for Vector {
    type Err = ParseError;

    /// Parses a v2 vector (see the module docs for the rules).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(ParseError::new(s, ErrorKind::Empty));
        }
        let values = parse_components(s, 0, METRICS, Order::Canonical, Version::V2)?;
        Ok(Vector { values })
    }
}

impl fmt::Display for Vector {
    /// The canonical vector: metrics in Table 13 order, leaving out `ND` ones.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_components(f, &METRICS[..], &self.values, true)
    }
}
