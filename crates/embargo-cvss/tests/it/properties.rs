//! Property tests: canonical printing round-trips for generated vectors of
//! every version, and no input (junk or mutated vectors) makes parsing,
//! scoring or reporting panic.

use embargo_cvss::report::{explain, score_line};
use embargo_cvss::{Cvss, MetricInfo, v2, v3, v4};
use proptest::prelude::*;
use proptest::sample::Index;

/// A vector string over `metrics` in canonical order: every mandatory
/// metric, each optional one left out, written as Not Defined, or set.
fn vector_string(
    prefix: &'static str,
    metrics: &'static [MetricInfo],
) -> impl Strategy<Value = String> {
    let picks = metrics
        .iter()
        .map(|_| (any::<Index>(), 0u8..3))
        .collect::<Vec<_>>();
    picks.prop_map(move |picks| {
        let mut parts = Vec::new();
        for (m, (index, presence)) in metrics.iter().zip(picks) {
            let value = &m.values[index.index(m.values.len())];
            // Optional metrics: 0 = left out, 1 = written explicitly as whatever
            // was picked (X or ND included), 2 = written with a defined value.
            if m.mandatory || presence == 1 {
                parts.push(format!("{}:{}", m.abbrev, value.abbrev));
            } else if presence == 2 {
                let defined = &m.values[1 + index.index(m.values.len() - 1)];
                parts.push(format!("{}:{}", m.abbrev, defined.abbrev));
            }
        }
        format!("{prefix}{}", parts.join("/"))
    })
}

fn any_vector_string() -> impl Strategy<Value = String> {
    prop_oneof![
        vector_string("", &v2::METRICS[..]),
        vector_string("CVSS:3.0/", &v3::METRICS[..]),
        vector_string("CVSS:3.1/", &v3::METRICS[..]),
        vector_string("CVSS:4.0/", &v4::METRICS[..]),
    ]
}

/// Parsing, scoring and reporting must not panic; a parsed vector must
/// print canonically and parse back to itself.
fn exercise(input: &str) -> Result<(), TestCaseError> {
    let report = score_line(input).to_string();
    let well_formed = report.starts_with('{') && report.ends_with('}');
    prop_assert!(well_formed, "report is not a JSON object: {}", report);
    match input.parse::<Cvss>() {
        Ok(cvss) => {
            let _ = (cvss.score(), cvss.base_score(), cvss.severity());
            let _ = explain(&cvss).to_string();
            let again: Cvss = cvss.to_string().parse().map_err(|e| {
                TestCaseError::fail(format!("canonical form of {input:?} does not parse: {e}"))
            })?;
            prop_assert_eq!(again, cvss);
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.is_empty());
            prop_assert!(e.position() <= input.len());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_vectors_round_trip_through_display(s in any_vector_string()) {
        let cvss: Cvss = s.parse().map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
        let printed = cvss.to_string();
        let again: Cvss = printed.parse().map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(again, cvss);
        // Printing is canonical: printing again gives the same text.
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn v3_vectors_parse_the_same_in_any_order(
        s in vector_string("", &v3::METRICS[..]),
        seed in any::<u64>(),
    ) {
        let mut parts: Vec<&str> = s.split('/').collect();
        // Deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..parts.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            parts.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let canonical: v3::Vector = format!("CVSS:3.1/{s}").parse().unwrap();
        let shuffled: v3::Vector = format!("CVSS:3.1/{}", parts.join("/")).parse().unwrap();
        prop_assert_eq!(shuffled, canonical);
    }

    #[test]
    fn random_junk_never_panics(s in ".{0,120}") {
        exercise(&s)?;
    }

    #[test]
    fn junk_from_the_vector_alphabet_never_panics(s in "(CVSS:[0-9.]{0,4}/)?[A-Za-z:/XS]{0,80}") {
        exercise(&s)?;
    }

    #[test]
    fn mutated_vectors_never_panic(
        s in any_vector_string(),
        edits in proptest::collection::vec((any::<Index>(), 0u8..4, any::<char>()), 1..4),
    ) {
        let mut bytes: Vec<char> = s.chars().collect();
        for (at, kind, c) in edits {
            if bytes.is_empty() {
                bytes.push(c);
                continue;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, c),
                2 => bytes[i] = c,
                _ => {
                    // Swap two neighbouring characters (often reorders metrics).
                    let j = (i + 1) % bytes.len();
                    bytes.swap(i, j);
                }
            }
        }
        let mutated: String = bytes.into_iter().collect();
        exercise(&mutated)?;
    }
}
