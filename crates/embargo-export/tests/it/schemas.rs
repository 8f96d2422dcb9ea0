//! The official schemas, compiled once per test binary, offline: the FIRST
//! CVSS schemas that CSAF `$ref`s are registered under their `$ref` URIs from
//! the local copies.

use std::path::PathBuf;
use std::sync::OnceLock;

use jsonschema::{Registry, Resource, Validator};
use serde_json::Value;

pub const FORMATS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/formats"
);

pub fn path(rel: &str) -> PathBuf {
    PathBuf::from(FORMATS).join(rel)
}

pub fn load(rel: &str) -> Value {
    let p = path(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `.json` files of a folder, sorted by name.
pub fn samples(rel: &str) -> Vec<(String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(path(rel))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let v = load(&format!("{rel}/{n}"));
            (n, v)
        })
        .collect()
}

fn build(schema: &str, imports: &[(&str, &str)]) -> Validator {
    let mut registry = Registry::new();
    for (uri, rel) in imports {
        registry = registry
            .add(*uri, Resource::from_contents(load(rel)))
            .unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load(schema))
        .unwrap_or_else(|e| panic!("{schema}: {e}"))
}

macro_rules! validator {
    ($name:ident, $schema:expr $(, $uri:expr => $file:expr)* $(,)?) => {
        pub fn $name() -> &'static Validator {
            static V: OnceLock<Validator> = OnceLock::new();
            V.get_or_init(|| build($schema, &[$(($uri, $file)),*]))
        }
    };
}

validator!(
    cve_5_1_1,
    "cve5/schemas/CVE_Record_Format_bundled_5.1.1.json"
);
validator!(
    cve_5_2_0,
    "cve5/schemas/CVE_Record_Format_bundled_5.2.0.json"
);
validator!(
    cve_cna_published,
    "cve5/schemas/CVE_Record_Format_bundled_cnaPublishedContainer_5.2.0.json"
);
validator!(osv, "osv/schemas/schema.json");
validator!(
    csaf_2_0,
    "csaf/schemas/csaf_2.0/json_schema/csaf_json_schema.json",
    "https://www.first.org/cvss/cvss-v2.0.json" => "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v2.0.json",
    "https://www.first.org/cvss/cvss-v3.0.json" => "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v3.0.json",
    "https://www.first.org/cvss/cvss-v3.1.json" => "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v3.1.json",
);

/// Panics with every schema error when `instance` is invalid.
pub fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_schema_compiles_offline() {
    cve_5_1_1();
    cve_5_2_0();
    cve_cna_published();
    osv();
    csaf_2_0();
}

#[test]
fn the_published_samples_validate_against_their_schemas() {
    // Guards the harness: a validator that rejects real records is broken.
    for (name, v) in samples("cve5/samples") {
        assert_valid(cve_5_2_0(), &v, &name);
    }
    for (name, v) in samples("osv/samples") {
        assert_valid(osv(), &v, &name);
    }
    for dir in [
        "csaf/samples/advisories",
        "csaf/samples/vex",
        "csaf/samples/cisa",
    ] {
        for (name, v) in samples(dir) {
            assert_valid(csaf_2_0(), &v, &name);
        }
    }
}
