use embargo_export::osv;
use serde_json::json;

use crate::fixtures::{self, publisher};
use crate::schemas::{self, assert_valid};

#[test]
fn every_fixture_exports_an_osv_record_valid_against_the_schema() {
    for (name, advisory) in fixtures::all() {
        let record = osv::record(&advisory, &publisher()).unwrap();
        assert_valid(schemas::osv(), &record, name);
        insta::assert_json_snapshot!(format!("osv_{name}"), record, {
            ".database_specific.generator" => "[generator]",
        });
    }
}

#[test]
fn semver_lines_get_semver_ranges_and_four_part_lines_ecosystem_ranges() {
    let semver = osv::record(&fixtures::multi_line(), &publisher()).unwrap();
    let ranges = &semver["affected"][0]["ranges"];
    assert_eq!(ranges[0]["type"], "SEMVER");
    assert_eq!(
        ranges[0]["events"],
        json!([{"introduced": "3.4.0"}, {"fixed": "3.4.5"}])
    );
    // The unfixed line stops where the next line starts.
    assert_eq!(
        ranges[2]["events"],
        json!([{"introduced": "3.6.0"}, {"limit": "3.7.0"}])
    );

    let four = osv::record(&fixtures::openssl_upstream(), &publisher()).unwrap();
    let range = &four["affected"][0]["ranges"][0];
    assert_eq!(range["type"], "ECOSYSTEM");
    assert_eq!(
        range["events"],
        json!([{"introduced": "1.25.3.0"}, {"fixed": "1.25.3.2"}])
    );
}

#[test]
fn an_upstream_cve_is_listed_as_upstream_not_as_an_alias() {
    let record = osv::record(&fixtures::openssl_upstream(), &publisher()).unwrap();
    assert_eq!(record["upstream"], json!(["CVE-2024-5535"]));
    assert!(record.get("aliases").is_none());
    assert_eq!(record["id"], "x_EMB-2026-0002");
}

#[test]
fn not_affected_lines_keep_their_justification() {
    let record = osv::record(&fixtures::not_affected(), &publisher()).unwrap();
    assert_eq!(record["affected"].as_array().unwrap().len(), 1);
    assert_eq!(
        record["database_specific"]["not_affected"][1],
        json!({"product": "Widget Server", "edition": "open source", "line": "3.4.x", "justification": "component_not_present"})
    );
}
