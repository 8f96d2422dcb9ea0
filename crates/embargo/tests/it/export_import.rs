//! Advisory export and upstream import through the command line: `embargo import osv|cve` of the
//! real OSV and CVE samples as files, as a directory and as a zip, compared field by field with
//! the raw records and idempotent on re-import; `embargo export` of the demo's published
//! advisories, valid against the official schemas and the CSAF mandatory tests, and never of an
//! advisory under embargo.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use jsonschema::{Registry, Resource, Validator};
use serde_json::Value;

use crate::support::embargo;

const FORMATS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/formats"
);
const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts");
const CNA_ORG_ID: &str = "6c1d1c7b-0a3e-4b8e-9d6f-3f1f3b1e2a10";

/// A fresh database and data directory, and the CLI on them.
struct Cli {
    t: embargo_testkit::TestDb,
    dir: tempfile::TempDir,
}

impl Cli {
    async fn new() -> Cli {
        Cli {
            t: embargo_testkit::TestDb::new().await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        embargo(self.dir.path())
            .env("EMBARGO_DATABASE_URL", &self.t.url)
            .env("EMBARGO_ADVISORIES__CNA_ORG_ID", CNA_ORG_ID)
            .env("EMBARGO_ADVISORIES__CNA_SHORT_NAME", "ExampleNet")
            .env(
                "EMBARGO_ADVISORIES__PUBLISHER_NAME",
                "Example Networks PSIRT",
            )
            .env(
                "EMBARGO_ADVISORIES__NAMESPACE_URL",
                "https://gateway.example",
            )
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "embargo {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `import list` as JSON, by (format, id).
    fn imported(&self) -> BTreeMap<(String, String), Value> {
        let list: Value = serde_json::from_str(&self.ok(&["import", "list", "--format", "json"]))
            .expect("import list prints JSON");
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    (
                        r["format"].as_str().unwrap().to_owned(),
                        r["id"].as_str().unwrap().to_owned(),
                    ),
                    r.clone(),
                )
            })
            .collect()
    }
}

fn samples_dir(kind: &str) -> PathBuf {
    PathBuf::from(FORMATS).join(kind).join("samples")
}

/// The sample files of `kind` (`osv` or `cve5`), sorted, with their JSON.
fn samples(kind: &str) -> Vec<(PathBuf, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{kind}: {} samples", files.len());
    files
        .into_iter()
        .map(|p| {
            let v = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            (p, v)
        })
        .collect()
}

fn summary(stdout: &str) -> &str {
    stdout.lines().last().unwrap_or("")
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn strs(v: &Value) -> Vec<String> {
    arr(v)
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Checks that the stored record of an OSV sample says what the sample says.
fn check_osv(raw: &Value, row: &Value) {
    let id = raw["id"].as_str().unwrap();
    let a = &row["advisory"];
    assert_eq!(a["id"], raw["id"]);
    assert_eq!(strs(&row["aliases"]), strs(&raw["aliases"]), "{id}");
    assert_eq!(
        a["aliases"],
        Value::Array(arr(&raw["aliases"]).to_vec()),
        "{id}"
    );
    assert_eq!(row["modified"].is_null(), raw["modified"].is_null(), "{id}");
    assert_eq!(
        arr(&a["affected"]).len(),
        arr(&raw["affected"]).len(),
        "{id}: affected"
    );
    for (i, (got, want)) in arr(&a["affected"])
        .iter()
        .zip(arr(&raw["affected"]))
        .enumerate()
    {
        assert_eq!(
            got["package"].as_str(),
            want["package"]["name"].as_str(),
            "{id} affected {i}"
        );
        assert_eq!(
            arr(&got["ranges"]).len(),
            arr(&want["ranges"]).len(),
            "{id} {i}"
        );
        for (r, (g, w)) in arr(&got["ranges"])
            .iter()
            .zip(arr(&want["ranges"]))
            .enumerate()
        {
            assert_eq!(g["kind"], w["type"], "{id} {i} range {r}");
            assert_eq!(
                arr(&g["events"]).len(),
                arr(&w["events"]).len(),
                "{id} {i} range {r} events"
            );
        }
        assert_eq!(
            arr(&got["versions"]).len(),
            arr(&want["versions"]).len(),
            "{id} {i}"
        );
    }
    let vectors: Vec<&Value> = arr(&a["severity"]).iter().map(|s| &s["vector"]).collect();
    let want: Vec<&Value> = arr(&raw["severity"]).iter().map(|s| &s["score"]).collect();
    assert_eq!(vectors, want, "{id}: severity");
    assert_eq!(
        arr(&a["references"]).len(),
        arr(&raw["references"]).len(),
        "{id}: references"
    );
}

/// Checks that the stored record of a CVE sample says what the sample says.
fn check_cve(raw: &Value, row: &Value) {
    let id = raw["cveMetadata"]["cveId"].as_str().unwrap();
    let a = &row["advisory"];
    assert_eq!(a["id"], id);
    assert_eq!(a["state"], raw["cveMetadata"]["state"], "{id}");
    let containers: Vec<&Value> = std::iter::once(&raw["containers"]["cna"])
        .chain(arr(&raw["containers"]["adp"]))
        .collect();
    let affected: Vec<&Value> = containers
        .iter()
        .flat_map(|c| arr(&c["affected"]))
        .collect();
    assert_eq!(arr(&a["affected"]).len(), affected.len(), "{id}: affected");
    for (i, (got, want)) in arr(&a["affected"]).iter().zip(&affected).enumerate() {
        assert_eq!(
            got["product"].as_str(),
            want["product"].as_str(),
            "{id} {i}"
        );
        assert_eq!(
            arr(&got["version_entries"]).len(),
            arr(&want["versions"]).len(),
            "{id} affected {i}: versions"
        );
    }
    // Every CVSS score of the CNA and the ADPs, as numbers.
    let mut want: Vec<f64> = containers
        .iter()
        .flat_map(|c| arr(&c["metrics"]))
        .flat_map(|m| {
            ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"]
                .into_iter()
                .filter_map(|k| m[k]["baseScore"].as_f64())
        })
        .collect();
    let mut got: Vec<f64> = arr(&a["severity"])
        .iter()
        .filter(|s| s["kind"].as_str().unwrap().starts_with("cvss"))
        .map(|s| s["base_score"].as_f64().unwrap())
        .collect();
    want.sort_by(f64::total_cmp);
    got.sort_by(f64::total_cmp);
    assert_eq!(got, want, "{id}: scores");
    let refs: usize = containers.iter().map(|c| arr(&c["references"]).len()).sum();
    assert_eq!(arr(&a["references"]).len(), refs, "{id}: references");
}

/// The samples of `kind` in a zip, under a folder, as OSV's all.zip holds them.
fn zip_of(kind: &str, to: &Path) -> PathBuf {
    let path = to.join(format!("{kind}.zip"));
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.add_directory("records/", options).unwrap();
    for (p, _) in samples(kind) {
        let name = p.file_name().unwrap().to_str().unwrap();
        z.start_file(format!("records/{name}"), options).unwrap();
        z.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    z.start_file("README.txt", options).unwrap();
    z.write_all(b"not a record").unwrap();
    z.finish().unwrap();
    path
}

/// What must not differ between two imports of the same documents.
fn comparable(rows: &BTreeMap<(String, String), Value>) -> Vec<(String, String, Value, Value)> {
    rows.iter()
        .map(|(k, r)| {
            (
                k.0.clone(),
                k.1.clone(),
                r["advisory"].clone(),
                r["sha256"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_osv_and_cve_sample_imports_as_files_a_directory_or_a_zip_without_loss_and_again_changes_nothing()
 {
    let osv = samples("osv");
    let cve = samples("cve5");
    let zips = tempfile::tempdir().unwrap();

    // As files.
    let files = Cli::new().await;
    let args = |format: &'static str, list: &[(PathBuf, Value)]| -> Vec<String> {
        ["import", format]
            .into_iter()
            .map(str::to_owned)
            .chain(list.iter().map(|(p, _)| p.display().to_string()))
            .collect()
    };
    let osv_args = args("osv", &osv);
    let out = files.ok(&osv_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        summary(&out),
        format!(
            "osv {0} document(s): {0} new, 0 updated, 0 unchanged, 0 failed",
            osv.len()
        )
    );
    let cve_args = args("cve", &cve);
    let out = files.ok(&cve_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        summary(&out),
        format!(
            "cve {0} document(s): {0} new, 0 updated, 0 unchanged, 0 failed",
            cve.len()
        )
    );
    let stored = files.imported();
    assert_eq!(stored.len(), osv.len() + cve.len());
    for (path, raw) in &osv {
        let id = raw["id"].as_str().unwrap().to_owned();
        let row = &stored[&("osv".to_owned(), id)];
        check_osv(raw, row);
        assert_eq!(row["source"], path.display().to_string());
    }
    for (_, raw) in &cve {
        let id = raw["cveMetadata"]["cveId"].as_str().unwrap().to_owned();
        check_cve(raw, &stored[&("cve".to_owned(), id)]);
    }

    // Again, as a directory and as a zip: nothing changes.
    for (format, kind) in [("osv", "osv"), ("cve", "cve5")] {
        let n = samples(kind).len();
        let unchanged =
            format!("{format} {n} document(s): 0 new, 0 updated, {n} unchanged, 0 failed");
        let dir = samples_dir(kind);
        let out = files.ok(&["import", format, dir.to_str().unwrap()]);
        assert_eq!(summary(&out), unchanged);
        let zip = zip_of(kind, zips.path());
        let out = files.ok(&["import", format, zip.to_str().unwrap()]);
        assert_eq!(summary(&out), unchanged);
    }
    let after = files.imported();
    assert_eq!(comparable(&after), comparable(&stored));

    // A directory alone, and a zip alone, store exactly what the files did.
    let from_dir = Cli::new().await;
    from_dir.ok(&["import", "osv", samples_dir("osv").to_str().unwrap()]);
    from_dir.ok(&["import", "cve", samples_dir("cve5").to_str().unwrap()]);
    assert_eq!(comparable(&from_dir.imported()), comparable(&stored));
    let from_zip = Cli::new().await;
    let out = from_zip.ok(&[
        "import",
        "osv",
        zip_of("osv", zips.path()).to_str().unwrap(),
    ]);
    assert!(
        summary(&out).contains(&format!("{} new", osv.len())),
        "{out}"
    );
    from_zip.ok(&[
        "import",
        "cve",
        zip_of("cve5", zips.path()).to_str().unwrap(),
    ]);
    let zipped = from_zip.imported();
    assert_eq!(comparable(&zipped), comparable(&stored));
    let some = zipped.values().next().unwrap();
    assert!(
        some["source"].as_str().unwrap().contains(".zip!records/"),
        "{some}"
    );
}

#[tokio::test]
async fn a_newer_record_updates_an_older_one_is_kept_out_and_a_bad_file_fails_alone() {
    let cli = Cli::new().await;
    let work = tempfile::tempdir().unwrap();
    let (path, raw) = samples("osv")
        .into_iter()
        .find(|(_, v)| v["id"] == "GO-2022-0536")
        .unwrap();
    cli.ok(&["import", "osv", path.to_str().unwrap()]);

    let mut newer = raw.clone();
    newer["modified"] = Value::from("2099-01-01T00:00:00Z");
    newer["aliases"] = serde_json::json!(["CVE-2099-0001"]);
    let newer_path = work.path().join("newer.json");
    std::fs::write(&newer_path, serde_json::to_vec(&newer).unwrap()).unwrap();
    let mut older = raw.clone();
    older["modified"] = Value::from("2000-01-01T00:00:00Z");
    older["summary"] = Value::from("An older text");
    let older_path = work.path().join("older.json");
    std::fs::write(&older_path, serde_json::to_vec(&older).unwrap()).unwrap();
    let not_json = work.path().join("broken.json");
    std::fs::write(&not_json, b"{ \"id\": ").unwrap();
    let cve_record = samples("cve5").remove(0).0;
    let missing = work.path().join("missing.json");

    let out = cli.run(&[
        "import",
        "osv",
        newer_path.to_str().unwrap(),
        not_json.to_str().unwrap(),
        older_path.to_str().unwrap(),
        cve_record.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "a failed document fails the command");
    assert_eq!(
        summary(&stdout),
        "osv 5 document(s): 0 new, 1 updated, 1 unchanged, 3 failed"
    );
    let failure = |file: &Path, reason: &str| {
        let line = stderr
            .lines()
            .find(|l| l.contains(&*file.display().to_string()))
            .unwrap_or_else(|| panic!("no failure line for {}: {stderr}", file.display()));
        assert!(line.contains(reason), "{line}");
    };
    failure(&not_json, "not JSON");
    failure(&cve_record, "not a osv record");
    failure(&missing, "no such file");

    let stored = cli.imported();
    let row = &stored[&("osv".to_owned(), "GO-2022-0536".to_owned())];
    assert_eq!(row["modified"], "2099-01-01T00:00:00Z");
    assert_eq!(row["aliases"], serde_json::json!(["CVE-2099-0001"]));
    assert_eq!(row["source"], newer_path.display().to_string());
    // Found by its alias, the way a case will look for it.
    assert_eq!(stored.len(), 1);
}

// --- exports ------------------------------------------------------------------------------

fn load(rel: &str) -> Value {
    let p = PathBuf::from(FORMATS).join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
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

fn cve_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| build("cve5/schemas/CVE_Record_Format_bundled_5.2.0.json", &[]))
}

fn osv_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| build("osv/schemas/schema.json", &[]))
}

fn csaf_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        build(
            "csaf/schemas/csaf_2.0/json_schema/csaf_json_schema.json",
            &[
                (
                    "https://www.first.org/cvss/cvss-v2.0.json",
                    "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v2.0.json",
                ),
                (
                    "https://www.first.org/cvss/cvss-v3.0.json",
                    "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v3.0.json",
                ),
                (
                    "https://www.first.org/cvss/cvss-v3.1.json",
                    "csaf/schemas/csaf_2.0/referenced_schema/first/cvss-v3.1.json",
                ),
            ],
        )
    })
}

#[track_caller]
fn assert_valid(validator: &Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}",
        errors.join("\n")
    );
}

/// Schema (and for CSAF, mandatory-test) validation of one exported document.
#[track_caller]
fn validate(format: &str, doc: &Value, what: &str) {
    match format {
        "cve" => assert_valid(cve_schema(), doc, what),
        "osv" => assert_valid(osv_schema(), doc, what),
        "csaf" => {
            assert_valid(csaf_schema(), doc, what);
            let findings = embargo_export::csaf::mandatory::check(doc);
            assert!(findings.is_empty(), "{what}: {findings:?}");
        }
        other => panic!("format {other}"),
    }
}

/// The demo's advisories as `advisories list` shows them: (id, state, title).
fn demo_advisories(cli: &Cli) -> Vec<Value> {
    let list: Value =
        serde_json::from_str(&cli.ok(&["advisories", "list", "--format", "json"])).unwrap();
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_demo_publishes_advisories_in_every_format_and_export_all_writes_them_valid() {
    let cli = Cli::new().await;
    cli.ok(&["demo"]);
    let advisories = demo_advisories(&cli);
    let published: Vec<&Value> = advisories
        .iter()
        .filter(|a| a["state"] == "published")
        .collect();
    let drafts: Vec<&Value> = advisories
        .iter()
        .filter(|a| a["state"] == "draft")
        .collect();
    assert_eq!(published.len(), 3, "{advisories:?}");
    assert_eq!(drafts.len(), 1, "{advisories:?}");
    assert!(
        published.iter().any(|a| a["revision"] == 2),
        "{advisories:?}"
    );
    // Seeding again changes nothing.
    let again = cli.ok(&["demo"]);
    assert!(again.contains(" 0 new demo cases"), "{again}");
    assert_eq!(demo_advisories(&cli), advisories);

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("export");
    let stdout = cli.ok(&["export", "all", "--out", dir.to_str().unwrap()]);
    assert!(
        stdout.contains("exported 3 published advisories")
            && stdout.contains("2 CVE records, 3 OSV records")
            && stdout.contains("3 CSAF documents; 1 skipped"),
        "{stdout}"
    );

    // Every file, validated; the CSAF documents in the provider layout.
    let mut seen: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for format in ["cve", "osv", "csaf"] {
        let mut stack = vec![dir.join(format)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    let doc: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                    validate(format, &doc, &p.display().to_string());
                    let rel = p.strip_prefix(&dir).unwrap().to_str().unwrap().to_owned();
                    match format {
                        "csaf" => {
                            let id = doc["document"]["tracking"]["id"].as_str().unwrap();
                            let year = &doc["document"]["tracking"]["initial_release_date"]
                                .as_str()
                                .unwrap()[..4];
                            assert_eq!(rel, format!("csaf/{year}/{}.json", id.to_lowercase()));
                        }
                        "osv" => {
                            assert_eq!(rel, format!("osv/{}.json", doc["id"].as_str().unwrap()))
                        }
                        _ => {
                            let id = doc["cveMetadata"]["cveId"].as_str().unwrap();
                            assert!(id.starts_with("CVE-2026-3100"), "{id}");
                        }
                    }
                    seen.entry(format).or_default().push(doc);
                }
            }
        }
    }
    assert_eq!(seen["cve"].len(), 2);
    assert_eq!(seen["osv"].len(), 3);
    assert_eq!(seen["csaf"].len(), 3);

    // What the demo is there to show, as the formats say it.
    let csaf = &seen["csaf"];
    let revised = csaf
        .iter()
        .find(|d| arr(&d["document"]["tracking"]["revision_history"]).len() == 2)
        .expect("a CSAF document with two revisions");
    assert_eq!(revised["document"]["tracking"]["version"], "2");
    let openssl = csaf
        .iter()
        .find(|d| d.to_string().contains("CVE-2024-5535"))
        .expect("the upstream OpenSSL advisory");
    assert_eq!(openssl["vulnerabilities"][0]["cve"], "CVE-2024-5535");
    let heap = csaf
        .iter()
        .find(|d| d.to_string().contains("CVE-2026-31001"))
        .expect("the multi-line advisory");
    let fixed = arr(&heap["vulnerabilities"][0]["product_status"]["fixed"]).len();
    assert!(fixed >= 4, "fixed on four lines: {heap}");
    let branches = heap["product_tree"].to_string();
    assert!(
        branches.contains("Enterprise") && branches.contains("OSS"),
        "{branches}"
    );
    assert!(
        heap["vulnerabilities"][0]["scores"][0]["cvss_v3"]["vectorString"]
            .as_str()
            .unwrap()
            .starts_with("CVSS:3.1/")
    );
    assert!(
        heap.to_string().contains("CVSS:4.0/"),
        "v4.0 vector kept: {heap}"
    );
    let heap_osv = seen["osv"]
        .iter()
        .find(|d| d.to_string().contains("CVE-2026-31001"))
        .unwrap();
    let types: Vec<&str> = arr(&heap_osv["severity"])
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["CVSS_V3", "CVSS_V4"]);
    // The embargoed advisory is nowhere.
    let everything = serde_json::to_string(&seen).unwrap();
    assert!(
        !everything.contains("CVE-2026-31003"),
        "embargoed CVE leaked"
    );
    assert!(
        !everything.contains("chunk extensions"),
        "embargoed text leaked"
    );

    // all.zip: exactly the OSV files, byte for byte.
    let zip = std::fs::File::open(dir.join("osv/all.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(zip).unwrap();
    assert_eq!(zip.len(), 3);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let name = entry.name().unwrap().into_owned();
        let on_disk = std::fs::read(dir.join("osv").join(&name)).unwrap();
        assert_eq!(bytes, on_disk, "{name}");
    }

    // The CSAF documents pass the BSI validator's schema and mandatory tests too.
    csaf_validator(&dir.join("csaf"));
}

/// Runs `scripts/csaf-validate.mjs` on `dir` when node and the script's packages are installed
/// (`npm ci --prefix scripts`); under CI (`CI=true`) they must be.
fn csaf_validator(dir: &Path) {
    let script = Path::new(SCRIPTS).join("csaf-validate.mjs");
    let installed = Path::new(SCRIPTS)
        .join("node_modules/@secvisogram/csaf-validator-lib")
        .is_dir();
    let node = std::process::Command::new("node").arg("--version").output();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match (&node, installed) {
        (Ok(n), true) if n.status.success() => {}
        _ if ci => panic!(
            "CI=true: node and the validator are required (run `npm ci --prefix scripts`): \
             node {node:?}, installed {installed}"
        ),
        _ => {
            eprintln!("skipping the BSI CSAF validator: node or scripts/node_modules missing");
            return;
        }
    }
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "csaf-validate: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("3 of 3 CSAF document(s) valid"), "{stdout}");
}

#[tokio::test]
async fn one_advisory_exports_by_public_or_cve_id_and_an_embargoed_one_is_refused_without_output() {
    let cli = Cli::new().await;
    cli.ok(&["demo"]);
    let advisories = demo_advisories(&cli);
    let draft = advisories.iter().find(|a| a["state"] == "draft").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for format in ["cve", "osv", "csaf"] {
        for id in [draft.as_str(), "CVE-2026-31003", &draft.to_lowercase()] {
            let out = cli.run(&["export", format, id]);
            assert!(!out.status.success(), "{format} {id} exported");
            assert!(out.stdout.is_empty(), "{format} {id}: printed something");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!("advisory {draft} is not published")),
                "{format} {id}: {err}"
            );
            assert!(!err.contains("X-Forwarded-Host"), "{err}");
        }
    }
    let unknown = cli.run(&["export", "osv", "EMB-1999-0001"]);
    assert!(!unknown.status.success() && unknown.stdout.is_empty());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no advisory \"EMB-1999-0001\""));

    // By CVE id, to stdout; by public id, to a file: the same document.
    let doc: Value = serde_json::from_str(&cli.ok(&["export", "cve", "CVE-2026-31001"])).unwrap();
    validate("cve", &doc, "CVE-2026-31001");
    assert_eq!(doc["cveMetadata"]["assignerOrgId"], CNA_ORG_ID);
    let public_id = advisories
        .iter()
        .find(|a| a["title"] == "Heap overflow in HTTP/2 header decoding")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("a/b.json");
    cli.ok(&["export", "cve", &public_id, "--out", file.to_str().unwrap()]);
    let from_file: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(from_file, doc);
    for format in ["osv", "csaf"] {
        let doc: Value = serde_json::from_str(&cli.ok(&["export", format, &public_id])).unwrap();
        validate(format, &doc, &format!("{public_id} as {format}"));
    }
    // The upstream advisory has no CVE id of ours: no CVE record, and the reason says so.
    let openssl = advisories
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("OpenSSL"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = cli.run(&["export", "cve", &openssl]);
    assert!(!refused.status.success() && refused.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no CVE id of ours"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // `export list` shows the published ones only.
    let list: Value =
        serde_json::from_str(&cli.ok(&["export", "list", "--format", "json"])).unwrap();
    let ids: Vec<&str> = arr(&list)
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(!ids.contains(&draft.as_str()));
}
