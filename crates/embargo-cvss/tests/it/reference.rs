//! Replays the reference scores in `shared/testdata/cvss` (read in place),
//! produced by FIRST's calculators (v3.0, v3.1, v4.0) and the Python `cvss`
//! package (v2). Every column of every case must match.

use embargo_cvss::{Cvss, Severity, v2, v3, v4};
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/cvss")
}

/// The data lines of a reference file, split on tabs (headers skipped).
fn cases(file: &str) -> Vec<Vec<String>> {
    let path = data_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let cases: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    println!("{file}: {} cases", cases.len());
    assert!(!cases.is_empty(), "{file} holds no cases");
    cases
}

/// Runs `check` on every case and fails with every mismatch (up to 20 shown).
fn replay(file: &str, columns: usize, check: impl Fn(&[String]) -> Result<(), String>) -> usize {
    let cases = cases(file);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            if c.len() != columns {
                return Some(format!("{c:?}: expected {columns} columns"));
            }
            check(c).err().map(|e| format!("{}: {e}", c[0]))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{file}: {} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    cases.len()
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn check_v3_base(c: &[String]) -> Result<(), String> {
    let cvss: Cvss = c[0].parse().map_err(|e| format!("parse: {e}"))?;
    let v: v3::Vector = c[0].parse().map_err(|e| format!("parse: {e}"))?;
    let s = v.scores();
    expect_eq("base", s.base.to_string(), c[1].clone())?;
    expect_eq("base severity", s.base_severity().as_str(), c[2].as_str())?;
    expect_eq("Cvss::score", cvss.score(), s.base)?;
    expect_eq("Cvss::severity", cvss.severity().as_str(), c[2].as_str())?;
    expect_eq("round trip", cvss.to_string(), c[0].clone())
}

#[test]
fn cvss31_every_base_vector_matches_first() {
    let n = replay("cvss31_base_all.tsv", 3, check_v3_base);
    assert_eq!(n, 2592);
}

#[test]
fn cvss30_every_base_vector_matches_first() {
    let n = replay("cvss30_base_all.tsv", 3, check_v3_base);
    assert_eq!(n, 2592);
}

#[test]
fn cvss31_temporal_and_environmental_scores_match_first() {
    replay("cvss31_full_5000.tsv", 7, |c| {
        let v: v3::Vector = c[0].parse().map_err(|e| format!("parse: {e}"))?;
        let s = v.scores();
        expect_eq("base", s.base.to_string(), c[1].clone())?;
        expect_eq("temporal", s.temporal.to_string(), c[2].clone())?;
        expect_eq("environmental", s.environmental.to_string(), c[3].clone())?;
        expect_eq("base severity", s.base_severity().as_str(), c[4].as_str())?;
        expect_eq(
            "temporal severity",
            s.temporal_severity().as_str(),
            c[5].as_str(),
        )?;
        expect_eq(
            "env severity",
            s.environmental_severity().as_str(),
            c[6].as_str(),
        )?;
        // The canonical form drops X metrics and parses back to the same vector.
        let again: v3::Vector = v.to_string().parse().map_err(|e| format!("reparse: {e}"))?;
        expect_eq("round trip", again, v)
    });
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[test]
fn cvss2_scores_match_the_python_cvss_package() {
    replay("cvss2_full_5000.tsv", 7, |c| {
        let v: v2::Vector = c[0].parse().map_err(|e| format!("parse: {e}"))?;
        let s = v.scores();
        let text = |x: Option<embargo_cvss::Score>| x.map(|x| x.to_string());
        let sev = |x: Option<Severity>| x.map(|x| x.as_str().to_owned());
        expect_eq("base", s.base.to_string(), c[1].clone())?;
        expect_eq("temporal", text(s.temporal), opt(&c[2]).map(str::to_owned))?;
        expect_eq(
            "environmental",
            text(s.environmental),
            opt(&c[3]).map(str::to_owned),
        )?;
        expect_eq("base severity", s.base_severity().as_str(), c[4].as_str())?;
        expect_eq(
            "temporal severity",
            sev(s.temporal_severity()),
            opt(&c[5]).map(str::to_owned),
        )?;
        expect_eq(
            "env severity",
            sev(s.environmental_severity()),
            opt(&c[6]).map(str::to_owned),
        )?;
        let again: v2::Vector = v.to_string().parse().map_err(|e| format!("reparse: {e}"))?;
        expect_eq("round trip", again, v)
    });
}

fn check_v4(c: &[String]) -> Result<(), String> {
    let v: v4::Vector = c[0].parse().map_err(|e| format!("parse: {e}"))?;
    let s = v.scores();
    expect_eq("macrovector", s.macro_vector.to_string(), c[3].clone())?;
    expect_eq("score", s.score.to_string(), c[1].clone())?;
    expect_eq("severity", s.severity().as_str(), c[2].as_str())?;
    expect_eq("nomenclature", s.nomenclature.as_str(), c[4].as_str())?;
    let cvss: Cvss = c[0].parse().map_err(|e| format!("parse: {e}"))?;
    expect_eq("Cvss::score", cvss.score(), s.score)?;
    expect_eq("Cvss::base_score", cvss.base_score(), s.score)?;
    let again: v4::Vector = v.to_string().parse().map_err(|e| format!("reparse: {e}"))?;
    expect_eq("round trip", again, v)
}

#[test]
fn cvss40_base_vectors_match_first() {
    let n = replay("cvss40_base_sample_20000.tsv", 5, check_v4);
    assert_eq!(n, 20000);
}

#[test]
fn cvss40_threat_environmental_and_supplemental_vectors_match_first() {
    let n = replay("cvss40_full_5000.tsv", 5, check_v4);
    assert_eq!(n, 5000);
}
