//! Differential test against the RustSec `cvss` crate (3.0.0) on the shared
//! reference vectors: both must agree on every base score, and on every v4.0
//! score. RustSec's crate is lenient, so only valid vectors are compared.

use std::path::PathBuf;
use std::str::FromStr;

fn vectors(file: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/cvss")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect()
}

fn check(file: &str, ours: impl Fn(&str) -> f64, theirs: impl Fn(&str) -> f64) {
    let vs = vectors(file);
    let differ: Vec<String> = vs
        .iter()
        .filter_map(|v| {
            let (a, b) = (ours(v), theirs(v));
            (a != b).then(|| format!("{v}: ours {a}, RustSec {b}"))
        })
        .collect();
    println!("{file}: {} vectors compared with RustSec cvss", vs.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

#[test]
fn v3_base_scores_agree_with_rustsec() {
    for file in [
        "cvss31_base_all.tsv",
        "cvss30_base_all.tsv",
        "cvss31_full_5000.tsv",
    ] {
        check(
            file,
            |v| {
                embargo_cvss::v3::Vector::from_str(v)
                    .unwrap()
                    .scores()
                    .base
                    .value()
            },
            |v| cvss::v3::Vector::from_str(v).unwrap().base_score().value(),
        );
    }
}

#[test]
fn v2_base_scores_agree_with_rustsec() {
    check(
        "cvss2_full_5000.tsv",
        |v| {
            embargo_cvss::v2::Vector::from_str(v)
                .unwrap()
                .scores()
                .base
                .value()
        },
        |v| cvss::v2::Vector::from_str(v).unwrap().score().value(),
    );
}

#[test]
fn v4_scores_agree_with_rustsec() {
    for file in ["cvss40_base_sample_20000.tsv", "cvss40_full_5000.tsv"] {
        check(
            file,
            |v| {
                embargo_cvss::v4::Vector::from_str(v)
                    .unwrap()
                    .score()
                    .value()
            },
            |v| cvss::v4::Vector::from_str(v).unwrap().score().value(),
        );
    }
}
