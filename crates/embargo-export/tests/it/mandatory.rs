//! `csaf_mandatory_checks`: our CSAF 2.0 mandatory tests must agree with the
//! OASIS conformance documents (testcases.json lists, per test, documents that
//! must fail and documents that must pass) and pass the published samples.

use embargo_export::csaf::mandatory::{IMPLEMENTED, check};

use crate::schemas::{load, samples};

const TESTDATA: &str = "csaf/samples/validator-testdata";

#[test]
fn csaf_mandatory_checks() {
    let cases = load(&format!("{TESTDATA}/testcases.json"));
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for case in cases["tests"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let Some(test) = IMPLEMENTED.iter().find(|t| **t == id) else {
            continue;
        };
        for (key, must_fail) in [("failures", true), ("valid", false)] {
            for doc in case[key].as_array().into_iter().flatten() {
                let name = doc["name"].as_str().unwrap();
                let findings = check(&load(&format!("{TESTDATA}/{name}")));
                let failed = findings.iter().any(|f| f.test == *test);
                checked += 1;
                if failed != must_fail {
                    disagreements.push(format!(
                        "{test} {name}: expected {}, got {:?}",
                        if must_fail { "a failure" } else { "a pass" },
                        findings
                            .iter()
                            .filter(|f| f.test == *test)
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(
        checked >= 120,
        "only {checked} conformance documents checked"
    );
}

#[test]
fn published_csaf_documents_pass_every_implemented_test() {
    for dir in [
        "csaf/samples/advisories",
        "csaf/samples/vex",
        "csaf/samples/cisa",
    ] {
        for (name, doc) in samples(dir) {
            let findings = check(&doc);
            assert!(findings.is_empty(), "{name}: {findings:#?}");
        }
    }
}
