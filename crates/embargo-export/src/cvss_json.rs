//! CVSS objects in FIRST's JSON data representation (cvss-v2.0, cvss-v3.x and
//! cvss-v4.0 JSON schemas), which CVE JSON 5 and CSAF 2.0 embed.
//!
//! The vector string is authoritative: every property is derived from the
//! parsed vector and every score from our scorer, so the object cannot
//! contradict its vector (CSAF 2.0 mandatory tests 6.1.9 and 6.1.10).

use embargo_cvss::{Cvss, Score, Severity};
use serde_json::{Map, Value, json};

use crate::ExportError;

/// Parses a vector string, naming it in the error.
pub(crate) fn parse(vector: &str) -> Result<Cvss, ExportError> {
    vector
        .parse::<Cvss>()
        .map_err(|source| ExportError::InvalidCvss {
            vector: vector.to_owned(),
            source,
        })
}

pub(crate) fn score_value(score: Score) -> Value {
    // Tenths divided by ten prints with one decimal at most (9.8, 10.0 → 10.0).
    json!(score.value())
}

/// `CRITICAL`, `HIGH`, … as the FIRST schemas spell severities.
pub(crate) fn severity_upper(severity: Severity) -> &'static str {
    match severity {
        Severity::None => "NONE",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// The FIRST JSON object for a v2, v3.0, v3.1 or v4.0 vector.
pub(crate) fn object(cvss: &Cvss) -> Value {
    let mut o = Map::new();
    o.insert("version".into(), json!(cvss.version().as_str()));
    o.insert("vectorString".into(), json!(cvss.to_string()));
    match cvss {
        Cvss::V2(v) => {
            let s = v.scores();
            o.insert("baseScore".into(), score_value(s.base));
            if let Some(t) = s.temporal {
                o.insert("temporalScore".into(), score_value(t));
            }
            if let Some(e) = s.environmental {
                o.insert("environmentalScore".into(), score_value(e));
            }
            insert_metrics(&mut o, cvss, v2_property, v2_value);
        }
        Cvss::V30(v) | Cvss::V31(v) => {
            let minor = if matches!(cvss, Cvss::V30(_)) {
                embargo_cvss::v3::Minor::V0
            } else {
                embargo_cvss::v3::Minor::V1
            };
            let s = v.with_minor(minor).scores();
            insert_metrics(&mut o, cvss, v3_property, v3_value);
            o.insert("baseScore".into(), score_value(s.base));
            o.insert(
                "baseSeverity".into(),
                json!(severity_upper(s.base_severity())),
            );
            if v.has_temporal() {
                o.insert("temporalScore".into(), score_value(s.temporal));
                o.insert(
                    "temporalSeverity".into(),
                    json!(severity_upper(s.temporal_severity())),
                );
            }
            if v.has_environmental() {
                o.insert("environmentalScore".into(), score_value(s.environmental));
                o.insert(
                    "environmentalSeverity".into(),
                    json!(severity_upper(s.environmental_severity())),
                );
            }
        }
        Cvss::V40(v) => {
            let s = v.scores();
            o.insert("baseScore".into(), score_value(s.score));
            o.insert("baseSeverity".into(), json!(severity_upper(s.severity())));
            insert_metrics(&mut o, cvss, v4_property, v4_value);
        }
    }
    Value::Object(o)
}

fn insert_metrics(
    o: &mut Map<String, Value>,
    cvss: &Cvss,
    property: fn(&str) -> Option<&'static str>,
    value: fn(&str, &str) -> Option<&'static str>,
) {
    for (metric, v) in cvss.metrics() {
        if let (Some(p), Some(val)) = (property(metric.abbrev), value(metric.abbrev, v.abbrev)) {
            o.insert(p.into(), json!(val));
        }
    }
}

/// Vector abbreviation → FIRST JSON property name.
pub(crate) const V2_PROPERTIES: &[(&str, &str)] = &[
    ("AV", "accessVector"),
    ("AC", "accessComplexity"),
    ("Au", "authentication"),
    ("C", "confidentialityImpact"),
    ("I", "integrityImpact"),
    ("A", "availabilityImpact"),
    ("E", "exploitability"),
    ("RL", "remediationLevel"),
    ("RC", "reportConfidence"),
    ("CDP", "collateralDamagePotential"),
    ("TD", "targetDistribution"),
    ("CR", "confidentialityRequirement"),
    ("IR", "integrityRequirement"),
    ("AR", "availabilityRequirement"),
];

fn v2_property(metric: &str) -> Option<&'static str> {
    V2_PROPERTIES
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, p)| *p)
}

fn v2_value(metric: &str, value: &str) -> Option<&'static str> {
    Some(match (metric, value) {
        (_, "ND") => "NOT_DEFINED",
        ("AV", "L") => "LOCAL",
        ("AV", "A") => "ADJACENT_NETWORK",
        ("AV", "N") => "NETWORK",
        ("AC", "H") => "HIGH",
        ("AC", "M") => "MEDIUM",
        ("AC", "L") => "LOW",
        ("Au", "M") => "MULTIPLE",
        ("Au", "S") => "SINGLE",
        ("Au", "N") => "NONE",
        ("C" | "I" | "A", "N") => "NONE",
        ("C" | "I" | "A", "P") => "PARTIAL",
        ("C" | "I" | "A", "C") => "COMPLETE",
        ("E", "U") => "UNPROVEN",
        ("E", "POC") => "PROOF_OF_CONCEPT",
        ("E", "F") => "FUNCTIONAL",
        ("E", "H") => "HIGH",
        ("RL", "OF") => "OFFICIAL_FIX",
        ("RL", "TF") => "TEMPORARY_FIX",
        ("RL", "W") => "WORKAROUND",
        ("RL", "U") => "UNAVAILABLE",
        ("RC", "UC") => "UNCONFIRMED",
        ("RC", "UR") => "UNCORROBORATED",
        ("RC", "C") => "CONFIRMED",
        ("CDP", "N") => "NONE",
        ("CDP", "L") => "LOW",
        ("CDP", "LM") => "LOW_MEDIUM",
        ("CDP", "MH") => "MEDIUM_HIGH",
        ("CDP", "H") => "HIGH",
        ("TD", "N") => "NONE",
        ("TD", "L") => "LOW",
        ("TD", "M") => "MEDIUM",
        ("TD", "H") => "HIGH",
        ("CR" | "IR" | "AR", "L") => "LOW",
        ("CR" | "IR" | "AR", "M") => "MEDIUM",
        ("CR" | "IR" | "AR", "H") => "HIGH",
        _ => return None,
    })
}

/// Vector abbreviation → FIRST JSON property name.
pub(crate) const V3_PROPERTIES: &[(&str, &str)] = &[
    ("AV", "attackVector"),
    ("AC", "attackComplexity"),
    ("PR", "privilegesRequired"),
    ("UI", "userInteraction"),
    ("S", "scope"),
    ("C", "confidentialityImpact"),
    ("I", "integrityImpact"),
    ("A", "availabilityImpact"),
    ("E", "exploitCodeMaturity"),
    ("RL", "remediationLevel"),
    ("RC", "reportConfidence"),
    ("CR", "confidentialityRequirement"),
    ("IR", "integrityRequirement"),
    ("AR", "availabilityRequirement"),
    ("MAV", "modifiedAttackVector"),
    ("MAC", "modifiedAttackComplexity"),
    ("MPR", "modifiedPrivilegesRequired"),
    ("MUI", "modifiedUserInteraction"),
    ("MS", "modifiedScope"),
    ("MC", "modifiedConfidentialityImpact"),
    ("MI", "modifiedIntegrityImpact"),
    ("MA", "modifiedAvailabilityImpact"),
];

fn v3_property(metric: &str) -> Option<&'static str> {
    V3_PROPERTIES
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, p)| *p)
}

fn v3_value(metric: &str, value: &str) -> Option<&'static str> {
    Some(match (metric, value) {
        (_, "X") => "NOT_DEFINED",
        ("AV" | "MAV", "N") => "NETWORK",
        ("AV" | "MAV", "A") => "ADJACENT_NETWORK",
        ("AV" | "MAV", "L") => "LOCAL",
        ("AV" | "MAV", "P") => "PHYSICAL",
        ("AC" | "MAC", "L") => "LOW",
        ("AC" | "MAC", "H") => "HIGH",
        ("PR" | "MPR", "N") => "NONE",
        ("PR" | "MPR", "L") => "LOW",
        ("PR" | "MPR", "H") => "HIGH",
        ("UI" | "MUI", "N") => "NONE",
        ("UI" | "MUI", "R") => "REQUIRED",
        ("S" | "MS", "U") => "UNCHANGED",
        ("S" | "MS", "C") => "CHANGED",
        ("C" | "I" | "A" | "MC" | "MI" | "MA", "N") => "NONE",
        ("C" | "I" | "A" | "MC" | "MI" | "MA", "L") => "LOW",
        ("C" | "I" | "A" | "MC" | "MI" | "MA", "H") => "HIGH",
        ("E", "U") => "UNPROVEN",
        ("E", "P") => "PROOF_OF_CONCEPT",
        ("E", "F") => "FUNCTIONAL",
        ("E", "H") => "HIGH",
        ("RL", "O") => "OFFICIAL_FIX",
        ("RL", "T") => "TEMPORARY_FIX",
        ("RL", "W") => "WORKAROUND",
        ("RL", "U") => "UNAVAILABLE",
        ("RC", "U") => "UNKNOWN",
        ("RC", "R") => "REASONABLE",
        ("RC", "C") => "CONFIRMED",
        ("CR" | "IR" | "AR", "L") => "LOW",
        ("CR" | "IR" | "AR", "M") => "MEDIUM",
        ("CR" | "IR" | "AR", "H") => "HIGH",
        _ => return None,
    })
}

/// Vector abbreviation → FIRST JSON property name.
pub(crate) const V4_PROPERTIES: &[(&str, &str)] = &[
    ("AV", "attackVector"),
    ("AC", "attackComplexity"),
    ("AT", "attackRequirements"),
    ("PR", "privilegesRequired"),
    ("UI", "userInteraction"),
    ("VC", "vulnConfidentialityImpact"),
    ("VI", "vulnIntegrityImpact"),
    ("VA", "vulnAvailabilityImpact"),
    ("SC", "subConfidentialityImpact"),
    ("SI", "subIntegrityImpact"),
    ("SA", "subAvailabilityImpact"),
    ("E", "exploitMaturity"),
    ("CR", "confidentialityRequirement"),
    ("IR", "integrityRequirement"),
    ("AR", "availabilityRequirement"),
    ("MAV", "modifiedAttackVector"),
    ("MAC", "modifiedAttackComplexity"),
    ("MAT", "modifiedAttackRequirements"),
    ("MPR", "modifiedPrivilegesRequired"),
    ("MUI", "modifiedUserInteraction"),
    ("MVC", "modifiedVulnConfidentialityImpact"),
    ("MVI", "modifiedVulnIntegrityImpact"),
    ("MVA", "modifiedVulnAvailabilityImpact"),
    ("MSC", "modifiedSubConfidentialityImpact"),
    ("MSI", "modifiedSubIntegrityImpact"),
    ("MSA", "modifiedSubAvailabilityImpact"),
    ("S", "Safety"),
    ("AU", "Automatable"),
    ("R", "Recovery"),
    ("V", "valueDensity"),
    ("RE", "vulnerabilityResponseEffort"),
    ("U", "providerUrgency"),
];

fn v4_property(metric: &str) -> Option<&'static str> {
    V4_PROPERTIES
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, p)| *p)
}

fn v4_value(metric: &str, value: &str) -> Option<&'static str> {
    Some(match (metric, value) {
        (_, "X") => "NOT_DEFINED",
        ("AV" | "MAV", "N") => "NETWORK",
        ("AV" | "MAV", "A") => "ADJACENT",
        ("AV" | "MAV", "L") => "LOCAL",
        ("AV" | "MAV", "P") => "PHYSICAL",
        ("AC" | "MAC", "L") => "LOW",
        ("AC" | "MAC", "H") => "HIGH",
        ("AT" | "MAT", "N") => "NONE",
        ("AT" | "MAT", "P") => "PRESENT",
        ("PR" | "MPR", "N") => "NONE",
        ("PR" | "MPR", "L") => "LOW",
        ("PR" | "MPR", "H") => "HIGH",
        ("UI" | "MUI", "N") => "NONE",
        ("UI" | "MUI", "P") => "PASSIVE",
        ("UI" | "MUI", "A") => "ACTIVE",
        ("MSI" | "MSA", "S") => "SAFETY",
        (
            "VC" | "VI" | "VA" | "SC" | "SI" | "SA" | "MVC" | "MVI" | "MVA" | "MSC" | "MSI" | "MSA",
            v,
        ) => match v {
            "N" => "NONE",
            "L" => "LOW",
            "H" => "HIGH",
            _ => return None,
        },
        ("E", "A") => "ATTACKED",
        ("E", "P") => "PROOF_OF_CONCEPT",
        ("E", "U") => "UNREPORTED",
        ("CR" | "IR" | "AR", "L") => "LOW",
        ("CR" | "IR" | "AR", "M") => "MEDIUM",
        ("CR" | "IR" | "AR", "H") => "HIGH",
        ("S", "N") => "NEGLIGIBLE",
        ("S", "P") => "PRESENT",
        ("AU", "N") => "NO",
        ("AU", "Y") => "YES",
        ("R", "A") => "AUTOMATIC",
        ("R", "U") => "USER",
        ("R", "I") => "IRRECOVERABLE",
        ("V", "D") => "DIFFUSE",
        ("V", "C") => "CONCENTRATED",
        ("RE", "L") => "LOW",
        ("RE", "M") => "MODERATE",
        ("RE", "H") => "HIGH",
        ("U", "Clear") => "CLEAR",
        ("U", "Green") => "GREEN",
        ("U", "Amber") => "AMBER",
        ("U", "Red") => "RED",
        _ => return None,
    })
}
