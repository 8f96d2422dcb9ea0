//! CVSS v3.x equations: v3.1 specification section 7 and Appendix A; v3.0
//! specification section 8.
//!
//! The formulas are evaluated in `f64` in the same order of operations as
//! FIRST's reference calculators, so that every intermediate value is the
//! same double. Rounding differs by version:
//!
//! - v3.1 uses Roundup from Appendix A, which works on an integer
//!   (`round(x * 100000)`) so that floating-point noise such as
//!   `4.000000000000001` does not round up to 4.1.
//! - v3.0 is defined by FIRST's v3.0 calculator, which rounds up with
//!   `Math.ceil(x * 10) / 10` on doubles; we reproduce that, errors included,
//!   so v3.0 scores match what FIRST published.

use super::Minor;
use crate::{Score, Severity};

/// Scores and sub-scores of a v3.x vector.
///
/// All three scores are always computed, as FIRST's calculators show them:
/// with no temporal metric defined the temporal score equals the base
/// score; with no environmental metric defined the environmental score is
/// computed from the base metrics (and can differ from the base score in
/// v3.1, because of the modified impact formula).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Base score (section 7.1).
    pub base: Score,
    /// Temporal score (section 7.2).
    pub temporal: Score,
    /// Environmental score (section 7.3).
    pub environmental: Score,
    /// Impact Sub-Score, ISS = 1 - (1-C)(1-I)(1-A) (section 7.1).
    pub iss: f64,
    /// Impact (section 7.1); the base score is 0 when this is not positive.
    pub impact: f64,
    /// Exploitability = 8.22 × AV × AC × PR × UI (section 7.1).
    pub exploitability: f64,
    /// Modified Impact Sub-Score, MISS, capped at 0.915 (section 7.3).
    pub modified_iss: f64,
    /// Modified Impact (section 7.3).
    pub modified_impact: f64,
    /// Modified Exploitability (section 7.3).
    pub modified_exploitability: f64,
}

impl Scores {
    /// Qualitative severity of the base score (section 5).
    pub fn base_severity(&self) -> Severity {
        self.base.severity()
    }
    /// Qualitative severity of the temporal score (section 5).
    pub fn temporal_severity(&self) -> Severity {
        self.temporal.severity()
    }
    /// Qualitative severity of the environmental score (section 5).
    pub fn environmental_severity(&self) -> Severity {
        self.environmental.severity()
    }
}

// Section 7.4, Table 16: metric weights, indexed like the values in METRICS.
const AV: [f64; 4] = [0.85, 0.62, 0.55, 0.2];
const AC: [f64; 2] = [0.77, 0.44];
const PR_UNCHANGED: [f64; 3] = [0.85, 0.62, 0.27];
const PR_CHANGED: [f64; 3] = [0.85, 0.68, 0.5];
const UI: [f64; 2] = [0.85, 0.62];
const CIA: [f64; 3] = [0.56, 0.22, 0.0];
const E: [f64; 5] = [1.0, 1.0, 0.97, 0.94, 0.91];
const RL: [f64; 5] = [1.0, 1.0, 0.97, 0.96, 0.95];
const RC: [f64; 4] = [1.0, 1.0, 0.96, 0.92];
const REQ: [f64; 4] = [1.0, 1.5, 1.0, 0.5];
const SCOPE_CHANGED: usize = 1;

/// v3.1 Appendix A Roundup: the smallest number with one decimal that is
/// equal to or higher than its input, computed on an integer. Returns tenths.
fn roundup_31(x: f64) -> i64 {
    // Scores here are within 0..=10, so the product fits easily.
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input / 10_000
    } else {
        int_input.div_euclid(10_000) + 1
    }
}

/// FIRST's v3.0 calculator: `Math.ceil(x * 10) / 10`. Returns tenths.
fn roundup_30(x: f64) -> i64 {
    (x * 10.0).ceil() as i64
}

fn to_score(tenths: i64) -> Score {
    Score::from_tenths(tenths.clamp(0, 100) as u8).unwrap_or(Score::MAX)
}

/// The value as the reference calculators hold it: tenths divided by ten.
fn as_f64(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// The base value when the modified metric is `X` (index 0), else the modified value.
fn effective(base: usize, modified: usize) -> usize {
    if modified == 0 { base } else { modified - 1 }
}

pub(super) fn compute(values: &[u8; 22], minor: Minor) -> Scores {
    let [
        av,
        ac,
        pr,
        ui,
        s,
        c,
        i,
        a,
        e,
        rl,
        rc,
        cr,
        ir,
        ar,
        mav,
        mac,
        mpr,
        mui,
        ms,
        mc,
        mi,
        ma,
    ] = values.map(usize::from);
    let roundup = match minor {
        Minor::V0 => roundup_30,
        Minor::V1 => roundup_31,
    };

    // 7.1 Base.
    let changed = s == SCOPE_CHANGED;
    let pr_w = if changed {
        PR_CHANGED[pr]
    } else {
        PR_UNCHANGED[pr]
    };
    let exploitability = 8.22 * AV[av] * AC[ac] * pr_w * UI[ui];
    let iss = 1.0 - ((1.0 - CIA[c]) * (1.0 - CIA[i]) * (1.0 - CIA[a]));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
    } else {
        6.42 * iss
    };
    let base = if impact <= 0.0 {
        0
    } else if changed {
        roundup((1.08 * (exploitability + impact)).min(10.0))
    } else {
        roundup((exploitability + impact).min(10.0))
    };

    // 7.2 Temporal.
    let temporal_of = |tenths: i64| roundup(as_f64(tenths) * E[e] * RL[rl] * RC[rc]);
    let temporal = temporal_of(base);

    // 7.3 Environmental.
    let m_changed = effective(s, ms) == SCOPE_CHANGED;
    let (mav, mac, mpr, mui) = (
        effective(av, mav),
        effective(ac, mac),
        effective(pr, mpr),
        effective(ui, mui),
    );
    let (mc, mi, ma) = (effective(c, mc), effective(i, mi), effective(a, ma));
    let mpr_w = if m_changed {
        PR_CHANGED[mpr]
    } else {
        PR_UNCHANGED[mpr]
    };
    let modified_exploitability = 8.22 * AV[mav] * AC[mac] * mpr_w * UI[mui];
    let modified_iss = (1.0
        - ((1.0 - CIA[mc] * REQ[cr]) * (1.0 - CIA[mi] * REQ[ir]) * (1.0 - CIA[ma] * REQ[ar])))
        .min(0.915);
    let modified_impact = if !m_changed {
        6.42 * modified_iss
    } else {
        match minor {
            Minor::V1 => {
                7.52 * (modified_iss - 0.029) - 3.25 * (modified_iss * 0.9731 - 0.02).powf(13.0)
            }
            Minor::V0 => 7.52 * (modified_iss - 0.029) - 3.25 * (modified_iss - 0.02).powf(15.0),
        }
    };
    let environmental = if modified_impact <= 0.0 {
        0
    } else if m_changed {
        temporal_of(roundup(
            (1.08 * (modified_impact + modified_exploitability)).min(10.0),
        ))
    } else {
        temporal_of(roundup(
            (modified_impact + modified_exploitability).min(10.0),
        ))
    };

    Scores {
        base: to_score(base),
        temporal: to_score(temporal),
        environmental: to_score(environmental),
        iss,
        impact,
        exploitability,
        modified_iss,
        modified_impact,
        modified_exploitability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundup_31_ignores_floating_point_noise() {
        // Appendix A's own examples.
        assert_eq!(roundup_31(4.000_000_000_000_001), 40);
        assert_eq!(roundup_31(4.02), 41);
        assert_eq!(roundup_31(4.0), 40);
        // v3.0's reference rounding does not.
        assert_eq!(roundup_30(4.000_000_000_000_001), 41);
    }
}
