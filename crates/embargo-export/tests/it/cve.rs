use embargo_export::{ExportError, cve};
use serde_json::Value;

use crate::fixtures::{self, publisher};
use crate::schemas::{self, assert_valid};

fn generator_redacted(name: &str, v: &Value) {
    insta::assert_json_snapshot!(format!("cve_{name}"), v, {
        ".containers.cna.x_generator.engine" => "[generator]",
        ".cnaContainer.x_generator.engine" => "[generator]",
    });
}

#[test]
fn every_fixture_with_a_cve_exports_a_record_valid_against_cve_5_1_1_and_5_2_0() {
    let mut exported = 0;
    for (name, advisory) in fixtures::all() {
        if advisory.cve.is_none() {
            continue;
        }
        let record = cve::record(&advisory, &publisher()).unwrap();
        assert_valid(schemas::cve_5_1_1(), &record, name);
        assert_valid(schemas::cve_5_2_0(), &record, name);
        let body = cve::cna_container(&advisory, &publisher()).unwrap();
        assert_valid(schemas::cve_cna_published(), &body, name);
        assert_eq!(body["cnaContainer"], record["containers"]["cna"]);
        generator_redacted(name, &record);
        exported += 1;
    }
    assert_eq!(exported, 4);
}

#[test]
fn an_upstream_cve_is_not_ours_to_publish() {
    let err = cve::record(&fixtures::openssl_upstream(), &publisher()).unwrap_err();
    assert!(matches!(err, ExportError::NoCveId { ref advisory } if advisory == "EMB-2026-0002"));
}

#[test]
fn a_publisher_that_is_not_a_cna_cannot_export_a_record() {
    let mut p = publisher();
    p.cna_org_id = None;
    let err = cve::record(&fixtures::multi_line(), &p).unwrap_err();
    assert!(matches!(err, ExportError::NoCnaOrgId { .. }));
}

#[test]
fn fixed_lines_are_affected_up_to_the_fix_and_unaffected_to_the_end_of_the_line() {
    let record = cve::record(&fixtures::multi_line(), &publisher()).unwrap();
    let versions = &record["containers"]["cna"]["affected"][0]["versions"];
    assert_eq!(
        versions[0],
        serde_json::json!({"version": "3.4.0", "lessThan": "3.4.5", "status": "affected", "versionType": "semver"})
    );
    assert_eq!(
        versions[1],
        serde_json::json!({"version": "3.4.5", "lessThanOrEqual": "3.4.*", "status": "unaffected", "versionType": "semver"})
    );
    // The unfixed 3.6.x line is affected to its end.
    assert_eq!(versions[4]["lessThanOrEqual"], "3.6.*");
    assert_eq!(versions[4]["status"], "affected");
}

#[test]
fn both_cvss_versions_become_metrics_with_our_scores() {
    let record = cve::record(&fixtures::dual_cvss(), &publisher()).unwrap();
    let metrics = &record["containers"]["cna"]["metrics"];
    assert_eq!(metrics[0]["cvssV3_1"]["baseScore"], 9.8);
    assert_eq!(metrics[0]["cvssV3_1"]["baseSeverity"], "CRITICAL");
    assert_eq!(metrics[1]["cvssV4_0"]["baseScore"], 9.3);
    assert_eq!(metrics[1]["cvssV4_0"]["baseSeverity"], "CRITICAL");
    assert_eq!(metrics[1]["cvssV4_0"]["attackRequirements"], "NONE");
}

#[test]
fn an_invalid_vector_is_refused_with_the_vector_named() {
    let mut a = fixtures::multi_line();
    a.cvss = vec!["CVSS:3.1/AV:N/AC:L".into()];
    let err = cve::record(&a, &publisher()).unwrap_err();
    assert!(err.to_string().contains("CVSS:3.1/AV:N/AC:L"), "{err}");
}
