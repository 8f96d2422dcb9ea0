//! CVSS v4.0 scoring: specification section 8 (MacroVectors, equivalence
//! sets EQ1..EQ6, and interpolation by severity distance), as FIRST's
//! reference calculator implements it.
//!
//! Everything is integer arithmetic: metric levels and severity distances are
//! counted in steps of 0.1, MacroVector scores in tenths, and the final
//! interpolation is an exact fraction rounded half up. The reference computes
//! in doubles and rounds `Math.round((x + 1e-6) * 10) / 10`; the epsilon
//! there exists only to undo floating-point error, and exact fractions here
//! never fall within 1e-6 below a rounding boundary (their denominators
//! divide 2520 × 5), so both agree on every vector.

use crate::{Score, Severity};
use std::fmt;

/// The six equivalence-set levels EQ1..EQ6 of a vector (section 8.1), each 0
/// (highest severity) to 2; written as six digits, e.g. `002201`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacroVector(pub [u8; 6]);

impl MacroVector {
    /// The level of EQ`n` (1 to 6); `None` for any other `n`.
    pub fn eq(&self, n: usize) -> Option<u8> {
        n.checked_sub(1).and_then(|i| self.0.get(i).copied())
    }
}

impl fmt::Display for MacroVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Which metric groups a v4.0 score takes into account (section 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Nomenclature {
    /// Base metrics only.
    CvssB,
    /// Base and Threat.
    CvssBT,
    /// Base and Environmental.
    CvssBE,
    /// Base, Threat and Environmental.
    CvssBTE,
}

impl Nomenclature {
    pub const fn as_str(self) -> &'static str {
        match self {
            Nomenclature::CvssB => "CVSS-B",
            Nomenclature::CvssBT => "CVSS-BT",
            Nomenclature::CvssBE => "CVSS-BE",
            Nomenclature::CvssBTE => "CVSS-BTE",
        }
    }
}

impl fmt::Display for Nomenclature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one equivalence set contributed to the score (section 8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EqDetail {
    /// Severity distance of the vector from the highest-severity vector of
    /// its MacroVector, over this set's metrics, in steps of 0.1.
    pub distance: u8,
    /// The depth of the MacroVector for this set (the reference's
    /// "max severity"), in steps of 0.1.
    pub depth: u8,
    /// Score of the next lower MacroVector for this set, if one exists; when
    /// none exists the set does not take part in the interpolation.
    pub next_lower: Option<Score>,
}

/// Score and explanation of a v4.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scores {
    /// The CVSS-B/BT/BE/BTE score (section 8).
    pub score: Score,
    pub nomenclature: Nomenclature,
    /// EQ1..EQ6 levels (section 8.1).
    pub macro_vector: MacroVector,
    /// The expert-assigned score of the MacroVector (section 8.2): the
    /// score of its highest-severity vectors.
    pub macro_vector_score: Score,
    /// Contribution of EQ1, EQ2, EQ3 with EQ6 (joint), EQ4 and EQ5.
    pub eqs: [EqDetail; 5],
}

impl Scores {
    /// Qualitative severity of the score (section 6).
    pub fn severity(&self) -> Severity {
        self.score.severity()
    }
}

/// MacroVector scores (section 8.2), in tenths, from the values published
/// with FIRST's v4.0 calculator. Rows: EQ1 × EQ2 × (EQ3, EQ6) where (EQ3, EQ6)
/// runs over (0,0), (0,1), (1,0), (1,1), (2,1) — EQ3 = 2 with EQ6 = 0 cannot
/// occur. Columns: (EQ4, EQ5) = (0,0), (0,1), (0,2), (1,0), …, (2,2).
#[rustfmt::skip]
const MACRO_VECTOR_SCORES: [[u8; 9]; 30] = [
    /* EQ1=0 EQ2=0 EQ3=0 EQ6=0 */ [100,  98,  95, 100,  93,  91,  93,  89,  81],
    /* EQ1=0 EQ2=0 EQ3=0 EQ6=1 */ [ 99,  95,  92,  96,  87,  81,  90,  80,  68],
    /* EQ1=0 EQ2=0 EQ3=1 EQ6=0 */ [ 98,  95,  90,  93,  89,  81,  88,  78,  69],
    /* EQ1=0 EQ2=0 EQ3=1 EQ6=1 */ [ 95,  92,  84,  92,  81,  65,  80,  70,  48],
    /* EQ1=0 EQ2=0 EQ3=2 EQ6=1 */ [ 92,  82,  72,  79,  69,  50,  69,  55,  27],
    /* EQ1=0 EQ2=1 EQ3=0 EQ6=0 */ [ 99,  95,  92,  95,  90,  84,  92,  82,  72],
    /* EQ1=0 EQ2=1 EQ3=0 EQ6=1 */ [ 97,  92,  85,  91,  83,  71,  81,  71,  53],
    /* EQ1=0 EQ2=1 EQ3=1 EQ6=0 */ [ 95,  92,  85,  92,  80,  70,  84,  71,  50],
    /* EQ1=0 EQ2=1 EQ3=1 EQ6=1 */ [ 93,  85,  73,  82,  72,  59,  70,  52,  30],
    /* EQ1=0 EQ2=1 EQ3=2 EQ6=1 */ [ 86,  75,  52,  71,  52,  29,  63,  29,  17],
    /* EQ1=1 EQ2=0 EQ3=0 EQ6=0 */ [ 98,  94,  91,  94,  86,  77,  87,  74,  63],
    /* EQ1=1 EQ2=0 EQ3=0 EQ6=1 */ [ 95,  87,  81,  89,  74,  64,  75,  63,  49],
    /* EQ1=1 EQ2=0 EQ3=1 EQ6=0 */ [ 94,  88,  76,  86,  74,  59,  72,  57,  52],
    /* EQ1=1 EQ2=0 EQ3=1 EQ6=1 */ [ 89,  77,  67,  76,  58,  50,  57,  52,  25],
    /* EQ1=1 EQ2=0 EQ3=2 EQ6=1 */ [ 83,  70,  54,  65,  58,  26,  53,  21,  13],
    /* EQ1=1 EQ2=1 EQ3=0 EQ6=0 */ [ 95,  88,  76,  90,  75,  61,  77,  68,  52],
    /* EQ1=1 EQ2=1 EQ3=0 EQ6=1 */ [ 90,  76,  70,  77,  62,  53,  66,  59,  30],
    /* EQ1=1 EQ2=1 EQ3=1 EQ6=0 */ [ 89,  76,  62,  74,  57,  47,  61,  57,  24],
    /* EQ1=1 EQ2=1 EQ3=1 EQ6=1 */ [ 78,  67,  58,  59,  57,  23,  52,  29,  16],
    /* EQ1=1 EQ2=1 EQ3=2 EQ6=1 */ [ 71,  59,  30,  58,  26,  15,  23,  13,   6],
    /* EQ1=2 EQ2=0 EQ3=0 EQ6=0 */ [ 93,  86,  75,  86,  74,  56,  70,  52,  40],
    /* EQ1=2 EQ2=0 EQ3=0 EQ6=1 */ [ 87,  72,  58,  74,  61,  34,  54,  40,  22],
    /* EQ1=2 EQ2=0 EQ3=1 EQ6=0 */ [ 85,  74,  62,  72,  55,  46,  53,  34,  19],
    /* EQ1=2 EQ2=0 EQ3=1 EQ6=1 */ [ 75,  55,  51,  57,  41,  19,  36,  19,   8],
    /* EQ1=2 EQ2=0 EQ3=2 EQ6=1 */ [ 64,  51,  20,  47,  21,  11,  24,   9,   4],
    /* EQ1=2 EQ2=1 EQ3=0 EQ6=0 */ [ 88,  73,  60,  73,  59,  41,  54,  45,  20],
    /* EQ1=2 EQ2=1 EQ3=0 EQ6=1 */ [ 75,  53,  50,  55,  40,  20,  43,  22,  11],
    /* EQ1=2 EQ2=1 EQ3=1 EQ6=0 */ [ 75,  58,  40,  61,  48,  20,  46,  17,   8],
    /* EQ1=2 EQ2=1 EQ3=1 EQ6=1 */ [ 55,  45,  21,  51,  18,   9,  18,   7,   2],
    /* EQ1=2 EQ2=1 EQ3=2 EQ6=1 */ [ 53,  24,  14,  24,  12,   5,  10,   3,   1],
];

fn eq36_row(eq3: u8, eq6: u8) -> Option<usize> {
    match (eq3, eq6) {
        (0, 0) => Some(0),
        (0, 1) => Some(1),
        (1, 0) => Some(2),
        (1, 1) => Some(3),
        (2, 1) => Some(4),
        _ => None,
    }
}

/// The score of a MacroVector in tenths; `None` if it does not exist.
fn lookup(eq: [u8; 6]) -> Option<u8> {
    let [eq1, eq2, eq3, eq4, eq5, eq6] = eq;
    if eq1 > 2 || eq2 > 1 || eq4 > 2 || eq5 > 2 {
        return None;
    }
    let row = usize::from(eq1) * 10 + usize::from(eq2) * 5 + eq36_row(eq3, eq6)?;
    let col = usize::from(eq4) * 3 + usize::from(eq5);
    MACRO_VECTOR_SCORES.get(row)?.get(col).copied()
}

/// Depth of each MacroVector per set ("max severity" in the reference), in 0.1 steps.
const DEPTH_EQ1: [u8; 3] = [1, 4, 5];
const DEPTH_EQ2: [u8; 2] = [1, 2];
const DEPTH_EQ4: [u8; 3] = [6, 5, 4];
fn depth_eq36(eq3: u8, eq6: u8) -> u8 {
    match (eq3, eq6) {
        (0, 0) => 7,
        (0, 1) => 6,
        (1, 0) | (1, 1) => 8,
        _ => 10,
    }
}

// Highest-severity vectors of each MacroVector level, as metric levels (in
// 0.1 steps, 0 = most severe), in the order the reference tries them.
/// EQ1: (AV, PR, UI).
const MAX_EQ1: [&[[u8; 3]]; 3] = [
    &[[0, 0, 0]],
    &[[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    &[[3, 0, 0], [1, 1, 1]],
];
/// EQ2: (AC, AT).
const MAX_EQ2: [&[[u8; 2]]; 2] = [&[[0, 0]], &[[1, 0], [0, 1]]];
/// EQ3 and EQ6: (VC, VI, VA, CR, IR, AR), by the row of `eq36_row`.
const MAX_EQ36: [&[[u8; 6]]; 5] = [
    &[[0, 0, 0, 0, 0, 0]],
    &[[0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]],
    &[[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]],
    &[
        [1, 0, 1, 0, 1, 0],
        [1, 0, 0, 0, 1, 1],
        [0, 1, 0, 1, 0, 1],
        [0, 1, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 1],
    ],
    &[[1, 1, 1, 0, 0, 0]],
];
/// EQ4: (SC, SI, SA), with SI/SA level 0 meaning Safety.
const MAX_EQ4: [&[[u8; 3]]; 3] = [&[[1, 0, 0]], &[[1, 1, 1]], &[[2, 2, 2]]];

/// Effective metric levels (section 8: modified metrics replace base ones;
/// E:X scores as A, CR/IR/AR:X as H), in 0.1 steps, 0 = most severe.
struct Levels {
    av: u8,
    ac: u8,
    at: u8,
    pr: u8,
    ui: u8,
    vc: u8,
    vi: u8,
    va: u8,
    /// H = 1, L = 2, N = 3.
    sc: u8,
    /// S = 0, H = 1, L = 2, N = 3.
    si: u8,
    sa: u8,
    e: u8,
    cr: u8,
    ir: u8,
    ar: u8,
}

impl Levels {
    fn of(v: &[u8; 32]) -> Levels {
        // Modified metrics list X then the base values, so index k > 0 is base level k - 1.
        let eff = |base: usize, modified: usize| {
            if v[modified] == 0 {
                v[base]
            } else {
                v[modified] - 1
            }
        };
        // X (index 0) scores as the most severe value; otherwise index k is level k - 1.
        let worst_if_x = |i: usize| v[i].saturating_sub(1);
        Levels {
            av: eff(0, 15),
            ac: eff(1, 16),
            at: eff(2, 17),
            pr: eff(3, 18),
            ui: eff(4, 19),
            vc: eff(5, 20),
            vi: eff(6, 21),
            va: eff(7, 22),
            // MSC is X, H, L, N: index k is level k.
            sc: if v[23] == 0 { v[8] + 1 } else { v[23] },
            // MSI/MSA are X, S, H, L, N: index k is level k - 1.
            si: if v[24] == 0 { v[9] + 1 } else { v[24] - 1 },
            sa: if v[25] == 0 { v[10] + 1 } else { v[25] - 1 },
            e: worst_if_x(11),
            cr: worst_if_x(12),
            ir: worst_if_x(13),
            ar: worst_if_x(14),
        }
    }

    /// Section 8.1, Tables 24 to 29.
    fn macro_vector(&self) -> [u8; 6] {
        let eq1 = if self.av == 0 && self.pr == 0 && self.ui == 0 {
            0
        } else if (self.av == 0 || self.pr == 0 || self.ui == 0) && self.av != 3 {
            1
        } else {
            2
        };
        let eq2 = if self.ac == 0 && self.at == 0 { 0 } else { 1 };
        let eq3 = if self.vc == 0 && self.vi == 0 {
            0
        } else if self.vc == 0 || self.vi == 0 || self.va == 0 {
            1
        } else {
            2
        };
        let eq4 = if self.si == 0 || self.sa == 0 {
            0
        } else if self.sc == 1 || self.si == 1 || self.sa == 1 {
            1
        } else {
            2
        };
        let eq5 = self.e;
        let eq6 = if (self.cr == 0 && self.vc == 0)
            || (self.ir == 0 && self.vi == 0)
            || (self.ar == 0 && self.va == 0)
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }
}

/// The first candidate that is at least as severe as `actual` on every
/// metric, with the summed distance; `None` if there is none.
fn first_max<const K: usize>(candidates: &[[u8; K]], actual: [u8; K]) -> Option<u8> {
    candidates.iter().find_map(|max| {
        let mut sum = 0u8;
        for (a, m) in actual.iter().zip(max) {
            sum += a.checked_sub(*m)?;
        }
        Some(sum)
    })
}

/// Distance from the last candidate, used (as the reference does) when no
/// candidate is at least as severe on every metric. Can be negative.
fn last_distance<const K: usize>(candidates: &[[u8; K]], actual: [u8; K]) -> i64 {
    candidates.last().map_or(0, |max| {
        actual
            .iter()
            .zip(max)
            .map(|(a, m)| i64::from(*a) - i64::from(*m))
            .sum()
    })
}

pub(super) fn nomenclature(v: &[u8; 32]) -> Nomenclature {
    let threat = v[11] != 0;
    let environmental = v[12..26].iter().any(|&x| x != 0);
    match (threat, environmental) {
        (false, false) => Nomenclature::CvssB,
        (true, false) => Nomenclature::CvssBT,
        (false, true) => Nomenclature::CvssBE,
        (true, true) => Nomenclature::CvssBTE,
    }
}

fn score_of(tenths: i64) -> Score {
    Score::from_tenths(tenths.clamp(0, 100) as u8).unwrap_or(Score::MAX)
}

pub(super) fn compute(v: &[u8; 32]) -> Scores {
    let l = Levels::of(v);
    let eq = l.macro_vector();
    let [eq1, eq2, eq3, eq4, _, eq6] = eq;
    let value = lookup(eq).map_or(0, i64::from);

    // 8.3 step 1a: the next lower MacroVector of each set, if it exists.
    let bump = |i: usize, by: u8| {
        let mut next = eq;
        next[i] += by;
        lookup(next)
    };
    let next_eq36 = match (eq3, eq6) {
        (0, 0) => match (bump(5, 1), bump(2, 1)) {
            (Some(left), Some(right)) => Some(left.max(right)),
            _ => None,
        },
        (0, 1) | (1, 1) => bump(2, 1),
        (1, 0) => bump(5, 1),
        _ => None,
    };
    let next_lower = [bump(0, 1), bump(1, 1), next_eq36, bump(3, 1), bump(4, 1)];

    // 8.3 step 1b: severity distance from the MacroVector's highest-severity vector.
    let row36 = usize::from(eq36_row(eq3, eq6).unwrap_or(4));
    let a1 = [l.av, l.pr, l.ui];
    let a2 = [l.ac, l.at];
    let a36 = [l.vc, l.vi, l.va, l.cr, l.ir, l.ar];
    let a4 = [l.sc, l.si, l.sa];
    let c1 = MAX_EQ1[usize::from(eq1.min(2))];
    let c2 = MAX_EQ2[usize::from(eq2.min(1))];
    let c36 = MAX_EQ36[row36];
    let c4 = MAX_EQ4[usize::from(eq4.min(2))];
    let distances: [i64; 5] = match (
        first_max(c1, a1),
        first_max(c2, a2),
        first_max(c36, a36),
        first_max(c4, a4),
    ) {
        (Some(d1), Some(d2), Some(d36), Some(d4)) => {
            [d1.into(), d2.into(), d36.into(), d4.into(), 0]
        }
        _ => [
            last_distance(c1, a1),
            last_distance(c2, a2),
            last_distance(c36, a36),
            last_distance(c4, a4),
            0,
        ],
    };
    let depths = [
        DEPTH_EQ1[usize::from(eq1.min(2))],
        DEPTH_EQ2[usize::from(eq2.min(1))],
        depth_eq36(eq3, eq6),
        DEPTH_EQ4[usize::from(eq4.min(2))],
        1,
    ];

    // 8.3 steps 1c, 1d, 2, 3: value - mean(available distance × distance / depth),
    // as one exact fraction over 2520 × n (2520 is a multiple of every depth).
    const UNIT: i64 = 2520;
    let mut n = 0i64;
    let mut numerator = 0i64;
    for i in 0..5 {
        if let Some(lower) = next_lower[i] {
            n += 1;
            let available = value - i64::from(lower);
            numerator += available * distances[i] * (UNIT / i64::from(depths[i]));
        }
    }
    let tenths = if n == 0 {
        value
    } else {
        let den = UNIT * n;
        let x = (value * den - numerator).clamp(0, 100 * den);
        // Round half up.
        (2 * x + den) / (2 * den)
    };

    let no_impact = l.vc == 2 && l.vi == 2 && l.va == 2 && l.sc == 3 && l.si == 3 && l.sa == 3;
    let score = if no_impact { 0 } else { tenths };

    let mut eqs = [EqDetail {
        distance: 0,
        depth: 0,
        next_lower: None,
    }; 5];
    for (i, d) in eqs.iter_mut().enumerate() {
        *d = EqDetail {
            distance: distances[i].clamp(0, 255) as u8,
            depth: depths[i],
            next_lower: next_lower[i].map(|t| score_of(i64::from(t))),
        };
    }
    Scores {
        score: score_of(score),
        nomenclature: nomenclature(v),
        macro_vector: MacroVector(eq),
        macro_vector_score: score_of(value),
        eqs,
    }
}
