use std::fmt;

/// A CVSS score from 0.0 to 10.0, held exactly as tenths (0..=100) so that
/// comparisons and thresholds never suffer floating-point error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "f64", into = "f64"))]
pub struct Score(u8);

impl Score {
    pub const ZERO: Score = Score(0);
    pub const MAX: Score = Score(100);

    /// A score from tenths: `Score::from_tenths(98)` is 9.8. `None` above 100.
    pub const fn from_tenths(tenths: u8) -> Option<Score> {
        if tenths <= 100 {
            Some(Score(tenths))
        } else {
            None
        }
    }

    pub const fn tenths(self) -> u8 {
        self.0
    }

    pub fn value(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// The qualitative severity rating of CVSS v3.x and v4.0
    /// (v3.1 specification section 5, v4.0 specification section 6).
    pub const fn severity(self) -> Severity {
        match self.0 {
            0 => Severity::None,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl From<Score> for f64 {
    fn from(s: Score) -> f64 {
        s.value()
    }
}

/// Error for a number that is not a CVSS score with one decimal.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRangeError(pub f64);

impl fmt::Display for ScoreRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a CVSS score (0.0 to 10.0, one decimal)",
            self.0
        )
    }
}

impl std::error::Error for ScoreRangeError {}

impl TryFrom<f64> for Score {
    type Error = ScoreRangeError;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        let tenths = (v * 10.0).round();
        if !(0.0..=100.0).contains(&tenths) || ((tenths / 10.0) - v).abs() > 1e-9 {
            return Err(ScoreRangeError(v));
        }
        // In range 0..=100 after the check above.
        Ok(Score(tenths as u8))
    }
}

/// Qualitative severity rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_boundaries_follow_the_v3_and_v4_rating_table() {
        let check =
            |t: u8, s: Severity| assert_eq!(Score::from_tenths(t).unwrap().severity(), s, "{t}");
        check(0, Severity::None);
        check(1, Severity::Low);
        check(39, Severity::Low);
        check(40, Severity::Medium);
        check(69, Severity::Medium);
        check(70, Severity::High);
        check(89, Severity::High);
        check(90, Severity::Critical);
        check(100, Severity::Critical);
        assert_eq!(Score::from_tenths(101), None);
    }

    #[test]
    fn score_displays_one_decimal() {
        assert_eq!(Score::from_tenths(98).unwrap().to_string(), "9.8");
        assert_eq!(Score::from_tenths(100).unwrap().to_string(), "10.0");
        assert_eq!(Score::ZERO.to_string(), "0.0");
    }
}
