use embargo_export::csaf;
use serde_json::{Value, json};

use crate::fixtures::{self, publisher};
use crate::schemas::{self, assert_valid};

fn assert_passes_mandatory_tests(doc: &Value, what: &str) {
    let findings = csaf::mandatory::check(doc);
    assert!(findings.is_empty(), "{what}: {findings:#?}");
}

#[test]
fn every_fixture_exports_a_csaf_document_valid_against_the_schema_and_mandatory_tests() {
    for (name, advisory) in fixtures::all() {
        let doc = csaf::document(&advisory, &publisher()).unwrap();
        assert_valid(schemas::csaf_2_0(), &doc, name);
        assert_passes_mandatory_tests(&doc, name);
        insta::assert_json_snapshot!(format!("csaf_{name}"), doc, {
            ".document.tracking.generator.engine.version" => "[version]",
        });
    }
}

#[test]
fn a_cvss_v4_vector_is_carried_in_a_note_never_dropped() {
    let doc = csaf::document(&fixtures::dual_cvss(), &publisher()).unwrap();
    let notes = doc["vulnerabilities"][0]["notes"].as_array().unwrap();
    let v4 = notes.iter().find(|n| n["title"] == "CVSS v4.0").unwrap();
    assert!(v4["text"].as_str().unwrap().starts_with(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N (score 9.3, Critical)"
    ));
    // The second CWE is not dropped either.
    assert!(
        notes
            .iter()
            .any(|n| n["text"] == "CWE-306: Missing Authentication for Critical Function")
    );
}

#[test]
fn each_line_gets_stable_product_ids_and_vex_status() {
    let doc = csaf::document(&fixtures::not_affected(), &publisher()).unwrap();
    let v = &doc["vulnerabilities"][0];
    assert_eq!(
        v["product_status"]["known_affected"],
        json!(["widget-server/enterprise/3.4.x"])
    );
    assert_eq!(
        v["product_status"]["fixed"],
        json!(["widget-server/enterprise/3.4.x/3.4.8"])
    );
    assert_eq!(
        v["product_status"]["known_not_affected"],
        json!([
            "widget-server/enterprise/3.3.x",
            "widget-server/open-source/3.4.x"
        ])
    );
    assert_eq!(
        v["flags"],
        json!([
            {"label": "vulnerable_code_not_present", "product_ids": ["widget-server/enterprise/3.3.x"]},
            {"label": "component_not_present", "product_ids": ["widget-server/open-source/3.4.x"]},
        ])
    );
}

#[test]
fn an_upstream_advisory_names_the_upstream_cve() {
    let doc = csaf::document(&fixtures::openssl_upstream(), &publisher()).unwrap();
    assert_eq!(doc["vulnerabilities"][0]["cve"], "CVE-2024-5535");
    assert_eq!(
        doc["vulnerabilities"][0]["product_status"]["under_investigation"],
        json!(["widget-gateway/enterprise/1.26.0.x"])
    );
}

#[test]
fn a_revision_bumps_the_version_in_every_format_and_keeps_the_id() {
    let a = fixtures::revised();
    let csaf = csaf::document(&a, &publisher()).unwrap();
    assert_eq!(csaf["document"]["tracking"]["id"], "EMB-2026-0003");
    assert_eq!(csaf["document"]["tracking"]["version"], "3");
    assert_eq!(
        csaf["document"]["tracking"]["current_release_date"],
        "2026-04-02T08:00:00Z"
    );
    assert_eq!(
        csaf["document"]["tracking"]["revision_history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let osv = embargo_export::osv::record(&a, &publisher()).unwrap();
    assert_eq!(osv["id"], "x_EMB-2026-0003");
    assert_eq!(osv["modified"], "2026-04-02T08:00:00Z");
    assert_eq!(osv["database_specific"]["revision"], 3);

    let cve = embargo_export::cve::record(&a, &publisher()).unwrap();
    assert_eq!(cve["cveMetadata"]["dateUpdated"], "2026-04-02T08:00:00Z");
    assert_eq!(
        cve["containers"]["cna"]["timeline"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_fixed_line_without_a_fixed_version_is_refused() {
    let mut a = fixtures::multi_line();
    a.products[0].editions[0].lines[0].fixed_in = None;
    let err = csaf::document(&a, &publisher()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Widget Server enterprise 3.4.x is fixed but names no fixed version"
    );
}

#[test]
fn a_planned_fix_is_not_presented_as_fixed() {
    let doc = csaf::document(&fixtures::multi_line(), &publisher()).unwrap();
    let v = &doc["vulnerabilities"][0];
    let fixed = v["product_status"]["fixed"].as_array().unwrap();
    assert!(!fixed.iter().any(|id| id.as_str().unwrap().contains("3.6")));
    let planned = v["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["product_ids"] == json!(["widget-server/enterprise/3.6.x"]))
        .unwrap();
    assert_eq!(planned["category"], "none_available");
    assert_eq!(
        planned["details"],
        "No fixed version is available yet; the fix is planned for 3.6.1."
    );
}
