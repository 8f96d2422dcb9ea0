//! Imports of the 30 real OSV and 30 real CVE samples: nothing is lost.
//! Each count below is taken from the raw JSON, independently of the importer.

use embargo_export::import::{self, Event, ImportError};
use serde_json::{Value, json};

use crate::fixtures::{self, publisher};
use crate::schemas::samples;

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn items(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

#[test]
fn all_osv_samples_import_with_every_id_range_event_and_severity() {
    let all = samples("osv/samples");
    assert_eq!(all.len(), 30);
    for (name, raw) in &all {
        let imported = import::from_osv(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(imported.id, raw["id"], "{name}");
        assert_eq!(
            imported.aliases.len(),
            len(&raw["aliases"]),
            "{name} aliases"
        );
        assert_eq!(
            imported.related.len(),
            len(&raw["related"]),
            "{name} related"
        );
        assert_eq!(
            imported.upstream.len(),
            len(&raw["upstream"]),
            "{name} upstream"
        );
        assert_eq!(
            imported.affected.len(),
            len(&raw["affected"]),
            "{name} affected"
        );

        let raw_ranges: Vec<&Value> = items(&raw["affected"])
            .flat_map(|a| items(&a["ranges"]))
            .collect();
        let ranges: Vec<_> = imported.affected.iter().flat_map(|a| &a.ranges).collect();
        assert_eq!(ranges.len(), raw_ranges.len(), "{name} ranges");
        for kind in ["introduced", "fixed", "last_affected", "limit"] {
            let raw_count = raw_ranges
                .iter()
                .flat_map(|r| items(&r["events"]))
                .filter(|e| e.get(kind).is_some())
                .count();
            let count = ranges
                .iter()
                .flat_map(|r| &r.events)
                .filter(|e| {
                    matches!(
                        (kind, e),
                        ("introduced", Event::Introduced(_))
                            | ("fixed", Event::Fixed(_))
                            | ("last_affected", Event::LastAffected(_))
                            | ("limit", Event::Limit(_))
                    )
                })
                .count();
            assert_eq!(count, raw_count, "{name} {kind} events");
        }
        let raw_versions: usize = items(&raw["affected"]).map(|a| len(&a["versions"])).sum();
        let versions: usize = imported.affected.iter().map(|a| a.versions.len()).sum();
        assert_eq!(versions, raw_versions, "{name} versions");

        let raw_severity = len(&raw["severity"])
            + items(&raw["affected"])
                .map(|a| len(&a["severity"]))
                .sum::<usize>();
        let severity = imported.severity.len()
            + imported
                .affected
                .iter()
                .map(|a| a.severity.len())
                .sum::<usize>();
        assert_eq!(severity, raw_severity, "{name} severity");
        for (s, r) in imported.severity.iter().zip(items(&raw["severity"])) {
            assert_eq!(s.vector.as_deref(), r["score"].as_str(), "{name}");
        }
        assert_eq!(
            imported.references.len(),
            len(&raw["references"]),
            "{name} references"
        );
        assert_eq!(
            imported.credits.len(),
            len(&raw["credits"]),
            "{name} credits"
        );
        assert_eq!(
            imported.modified.is_some(),
            raw.get("modified").is_some(),
            "{name}"
        );
        assert_eq!(
            imported.published.is_some(),
            raw.get("published").is_some(),
            "{name}"
        );
    }
}

#[test]
fn all_cve_samples_import_with_every_affected_version_metric_and_reference() {
    let all = samples("cve5/samples");
    assert_eq!(all.len(), 30);
    for (name, raw) in &all {
        let imported = import::from_cve(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(imported.id, raw["cveMetadata"]["cveId"], "{name}");
        assert_eq!(
            imported.state.as_deref(),
            raw["cveMetadata"]["state"].as_str(),
            "{name}"
        );
        let containers: Vec<&Value> = std::iter::once(&raw["containers"]["cna"])
            .chain(items(&raw["containers"]["adp"]))
            .collect();
        let sum = |f: &dyn Fn(&Value) -> usize| containers.iter().map(|c| f(c)).sum::<usize>();

        assert_eq!(
            imported.affected.len(),
            sum(&|c| len(&c["affected"])),
            "{name} affected"
        );
        let raw_versions = sum(&|c| items(&c["affected"]).map(|a| len(&a["versions"])).sum());
        let versions: usize = imported
            .affected
            .iter()
            .map(|a| a.version_entries.len())
            .sum();
        assert_eq!(versions, raw_versions, "{name} versions");
        let raw_changes = sum(&|c| {
            items(&c["affected"])
                .flat_map(|a| items(&a["versions"]))
                .map(|v| len(&v["changes"]))
                .sum()
        });
        let changes: usize = imported
            .affected
            .iter()
            .flat_map(|a| &a.version_entries)
            .map(|v| v.changes.len())
            .sum();
        assert_eq!(changes, raw_changes, "{name} changes");
        let raw_bounds = sum(&|c| {
            items(&c["affected"])
                .flat_map(|a| items(&a["versions"]))
                .filter(|v| v.get("lessThan").is_some() || v.get("lessThanOrEqual").is_some())
                .count()
        });
        let bounds = imported
            .affected
            .iter()
            .flat_map(|a| &a.version_entries)
            .filter(|v| v.less_than.is_some() || v.less_than_or_equal.is_some())
            .count();
        assert_eq!(bounds, raw_bounds, "{name} ranges");

        let raw_metrics = sum(&|c| {
            items(&c["metrics"])
                .map(|m| {
                    ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0", "other"]
                        .iter()
                        .filter(|k| m.get(**k).is_some())
                        .count()
                })
                .sum()
        });
        assert_eq!(imported.severity.len(), raw_metrics, "{name} metrics");
        assert_eq!(
            imported.references.len(),
            sum(&|c| len(&c["references"])),
            "{name} references"
        );
        assert_eq!(
            imported.credits.len(),
            sum(&|c| len(&c["credits"])),
            "{name} credits"
        );
        let mut raw_cwes: Vec<&str> = containers
            .iter()
            .flat_map(|c| items(&c["problemTypes"]))
            .flat_map(|p| items(&p["descriptions"]))
            .filter_map(|d| d["cweId"].as_str())
            .collect();
        raw_cwes.dedup();
        let mut unique = Vec::new();
        for c in raw_cwes {
            if !unique.contains(&c) {
                unique.push(c);
            }
        }
        assert_eq!(imported.cwes, unique, "{name} cwes");
        assert_eq!(
            imported.published.is_some(),
            raw["cveMetadata"].get("datePublished").is_some(),
            "{name}"
        );
    }
}

#[test]
fn import_is_deterministic() {
    for (name, raw) in samples("osv/samples") {
        assert_eq!(
            import::from_osv(&raw).unwrap(),
            import::from_osv(&raw).unwrap(),
            "{name}"
        );
    }
    for (name, raw) in samples("cve5/samples") {
        assert_eq!(
            import::from_cve(&raw).unwrap(),
            import::from_cve(&raw).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn zone_less_cve_timestamps_are_read_as_utc() {
    let raw = json!({
        "cveMetadata": {"cveId": "CVE-2020-0001", "state": "PUBLISHED", "datePublished": "2020-01-02T03:04:05"},
        "containers": {"cna": {}}
    });
    let imported = import::from_cve(&raw).unwrap();
    assert_eq!(
        imported.published.unwrap().to_string(),
        "2020-01-02T03:04:05Z"
    );
}

#[test]
fn malformed_input_names_the_json_path() {
    let check = |raw: Value, expect: &str| {
        let err: ImportError = import::from_osv(&raw).unwrap_err();
        assert_eq!(err.to_string(), expect);
    };
    check(
        json!({"modified": "2024-01-01T00:00:00Z"}),
        "/id: required field is missing",
    );
    check(
        json!({"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"introduced": 0}]}]}]}),
        "/affected/0/ranges/0/events/0/introduced: expected a string, found a number",
    );
    check(
        json!({"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}]}),
        "/affected/0/ranges/0/events/0: an event has exactly one of introduced, fixed, last_affected, limit; found 2",
    );
    check(
        json!({"id": "GHSA-x", "modified": "yesterday"}),
        "/modified: invalid timestamp \"yesterday\"",
    );
    check(
        json!(["not", "an", "object"]),
        ": expected an object, found an array",
    );

    let err = import::from_cve(&json!({"cveMetadata": {"cveId": "CVE-2024-1", "state": "PUBLISHED"}, "containers": {"cna": {"affected": [{"versions": [{"status": "affected"}]}]}}})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/containers/cna/affected/0/versions/0/version: required field is missing"
    );
}

#[test]
fn our_own_exports_import_back_with_their_ranges() {
    for (name, advisory) in fixtures::all() {
        let osv = embargo_export::osv::record(&advisory, &publisher()).unwrap();
        let back = import::from_osv(&osv).unwrap();
        assert_eq!(back.id, osv["id"], "{name}");
        let raw_events: usize = items(&osv["affected"])
            .flat_map(|a| items(&a["ranges"]))
            .map(|r| len(&r["events"]))
            .sum();
        let events: usize = back
            .affected
            .iter()
            .flat_map(|a| &a.ranges)
            .map(|r| r.events.len())
            .sum();
        assert_eq!(events, raw_events, "{name}");
        assert_eq!(back.severity.len(), advisory.cvss.len(), "{name}");

        if advisory.cve.is_some() {
            let cve = embargo_export::cve::record(&advisory, &publisher()).unwrap();
            let back = import::from_cve(&cve).unwrap();
            assert_eq!(back.severity.len(), advisory.cvss.len(), "{name}");
            assert_eq!(back.cwes.len(), advisory.cwes.len(), "{name}");
        }
    }
}
