//! The public side of advisories: pages, JSON documents, the Atom feed and the CSAF provider.
//! The canary: an advisory saved but not yet published, with a unique marker in every text
//! field, is absent from every public URL (its own are 404, the shared ones never show the
//! marker); once published it is everywhere, valid, hashed and signed.

use std::sync::OnceLock;
use std::time::Duration;

use embargo_pgp::PublicKey;
use jsonschema::{Registry, Resource, Validator};
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::{Reply, Server, Site, embargo};

const PUBLIC_URL: &str = "https://advisories.vendor.test";
const CNA_ORG: &str = "6c1d1c7b-0a3e-4b8e-9d6f-3f1f3b1e2a10";
const CANARY_CVE: &str = "CVE-2026-71001";
/// In every text field of the canary advisory, and in nothing else.
const MARK: &str = "Qx7canaryZ";

const FORMATS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/formats"
);

fn schema(rel: &str) -> Value {
    let path = format!("{FORMATS}/{rel}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A validator for `schema_rel`, with the CSAF schema and the FIRST CVSS schemas it
/// `$ref`s registered from the local copies (no network).
fn validator(schema_rel: &str) -> Validator {
    let mut registry = Registry::new();
    for (uri, rel) in [
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
        (
            "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
            "csaf/schemas/csaf_2.0/json_schema/csaf_json_schema.json",
        ),
    ] {
        registry = registry
            .add(uri, Resource::from_contents(schema(rel)))
            .unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema(schema_rel))
        .unwrap_or_else(|e| panic!("{schema_rel}: {e}"))
}

fn csaf_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf/schemas/csaf_2.0/json_schema/csaf_json_schema.json"))
}

fn provider_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("csaf/schemas/csaf_2.0/json_schema/provider_json_schema.json"))
}

fn osv_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("osv/schemas/schema.json"))
}

fn cve_schema() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| validator("cve5/schemas/CVE_Record_Format_bundled_5.1.1.json"))
}

#[track_caller]
fn assert_valid(v: &Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}",
        errors.join("\n")
    );
}

/// `s` seconds from the wall-clock now: the server under test runs on the system clock.
#[allow(clippy::disallowed_methods)]
fn in_secs(s: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_secs(s)
}

fn run(site: &Site, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .env("EMBARGO_DATABASE_URL", &site.t.url)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "embargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A case affected on Gateway OSS 3.4.x, scored with `vectors`, accepted (taking a CVE id
/// from the pool if there is one), fixed by a shipped 3.4.x release: ready to publish.
async fn released_case(site: &Site, title: &str, reporter: &str, vectors: &[&str]) -> String {
    let reply = site
        .call(
            reqwest::Method::POST,
            None,
            "/api/v1/reports",
            Some(json!({
                "title": title,
                "description": format!("Details of {title}."),
                "reporter_email": "finder@r.test",
                "reporter_name": reporter,
                "credit_consent": true,
            })),
        )
        .await
        .expect(201);
    let tracking = reply.json["tracking_id"].as_str().unwrap().to_owned();
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = site
        .lines()
        .await
        .into_iter()
        .find(|(e, l)| e == "OSS" && l["name"] == "3.4.x")
        .unwrap()
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = site.version(&id).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{id}/affected/{line}"),
        json!({ "status": "affected", "expected_version": v }),
    )
    .await
    .expect(200);
    for vector in vectors {
        let v = site.version(&id).await;
        site.put(
            &site.team,
            &format!("/api/v1/cases/{id}/cvss"),
            json!({ "vector": vector, "expected_version": v }),
        )
        .await
        .expect(200);
    }
    for state in ["triage", "accepted", "fix-in-progress", "fix-verified"] {
        site.transition(&site.team, &id, state).await.expect(200);
    }
    let r = site
        .post(
            &site.team,
            "/api/v1/releases",
            json!({ "release_line": "gateway/oss/3.4.x" }),
        )
        .await
        .expect(201)
        .json;
    let rid = r["id"].as_str().unwrap();
    site.post(
        &site.team,
        &format!("/api/v1/releases/{rid}/cases"),
        json!({ "case": id }),
    )
    .await
    .expect(200);
    site.post(
        &site.team,
        &format!("/api/v1/releases/{rid}/ship"),
        json!({}),
    )
    .await
    .expect(200);
    id
}

/// Saves the case's advisory (a draft while unpublished) with `embargo`; returns its public id.
async fn save(site: &Site, case: &str, text: &Value, embargo: jiff::Timestamp) -> String {
    let mut body = text.clone();
    body["embargo"] = json!(embargo.to_string());
    body["embargo_reason"] = json!("agreed with the reporter");
    site.put(&site.team, &format!("/api/v1/cases/{case}/advisory"), body)
        .await
        .expect(200)
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Polls until the publisher job has published the case's advisory (or 20 s pass).
async fn wait_published(site: &Site, case: &str) {
    for _ in 0..100 {
        let a = site
            .get(&site.team, &format!("/api/v1/cases/{case}/advisory"))
            .await
            .expect(200)
            .json;
        if a["state"] == "published" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the advisory of {case} was never published");
}

/// A public GET, without a token; the body as bytes and text.
async fn fetch(site: &Site, path: &str) -> (u16, Vec<u8>, String) {
    let resp = site
        .http
        .get(site.server.url(path))
        .send()
        .await
        .expect("sending a request");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (status, bytes, text)
}

#[track_caller]
fn ok(reply: &(u16, Vec<u8>, String), path: &str) {
    assert_eq!(reply.0, 200, "GET {path}: {}", reply.2);
}

fn year_of(public_id: &str) -> &str {
    &public_id[4..8]
}

/// Every URL that exists for one published advisory and only for it.
fn own_urls(public_id: &str, cve: Option<&str>) -> Vec<String> {
    let lower = public_id.to_lowercase();
    let folder = format!(
        "/.well-known/csaf/clear/{}/{lower}.json",
        year_of(public_id)
    );
    let mut urls = vec![
        format!("/advisories/{public_id}"),
        format!("/advisories/{lower}"),
        format!("/advisories/{public_id}.cve.json"),
        format!("/advisories/{public_id}.osv.json"),
        format!("/advisories/{public_id}.csaf.json"),
        folder.clone(),
        format!("{folder}.sha256"),
        format!("{folder}.sha512"),
        format!("{folder}.asc"),
    ];
    if let Some(cve) = cve {
        urls.push(format!("/advisories/{cve}"));
    }
    urls
}

/// The URLs every published advisory shares.
fn shared_urls() -> Vec<String> {
    [
        "/advisories",
        &format!("/advisories?q={MARK}"),
        &format!("/advisories?q={}", MARK.to_lowercase()),
        "/advisories?product=Gateway",
        "/advisories?severity=high",
        "/advisories/feed.atom",
        "/.well-known/csaf/provider-metadata.json",
        "/.well-known/csaf/clear/index.txt",
        "/.well-known/csaf/clear/changes.csv",
        "/.well-known/security.txt",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The site restarted with a public URL and a CNA organisation id (with the new server's data
/// directory); the team key is made later, by the test.
async fn site() -> (Site, tempfile::TempDir) {
    let mut site = Site::start().await;
    site.server.child.kill().unwrap();
    site.server.child.wait().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = embargo(dir.path());
    cmd.env("EMBARGO_DATABASE_URL", &site.t.url)
        .env("EMBARGO_PUBLIC_URL", PUBLIC_URL)
        .env("EMBARGO_ADVISORIES__CNA_ORG_ID", CNA_ORG)
        .env("EMBARGO_ADVISORIES__CNA_SHORT_NAME", "ExampleNet");
    site.server = Server::start(cmd);
    (site, dir)
}

/// The canary's text; a revision (with `summary`) changes the workaround.
fn canary_text(summary: Option<&str>) -> Value {
    let mut v = json!({
        "title": format!("{MARK} title: request smuggling"),
        "summary": format!("{MARK} summary: an attacker can smuggle requests."),
        "description": format!(
            "{MARK} description with *emphasis*, a [link](https://vendor.test/{MARK}/desc), \
             <script>alert('{MARK}')</script> and [bad](javascript:alert(1))."
        ),
        "workarounds": format!("{MARK} workaround: disable **HTTP/1.0**."),
        "references": [{
            "url": format!("https://vendor.test/notes/{MARK}"),
            "kind": "release-notes",
            "name": format!("{MARK} release notes"),
        }],
    });
    if let Some(s) = summary {
        v["revision_summary"] = json!(s);
        v["workarounds"] = json!(format!("{MARK} workaround: disable HTTP/1.0 and HTTP/1.1."));
    }
    v
}

#[tokio::test]
async fn an_unpublished_advisory_is_on_no_public_url_and_a_published_one_is_on_all_of_them() {
    let (site, _dir) = site().await;

    // The demo data has published advisories: security.txt names the CSAF provider.
    let (_, _, txt) = fetch(&site, "/.well-known/security.txt").await;
    assert!(txt.contains("CSAF: "), "{txt}");
    let (_, _, demo_index) = fetch(&site, "/.well-known/csaf/clear/index.txt").await;
    let demo = demo_index.lines().count();

    // A control advisory, published, while there is no team key yet.
    let control_case = released_case(
        &site,
        "Control report",
        "Casey Control",
        &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
    )
    .await;
    let control_text = json!({
        "title": "Control: header injection",
        "summary": "Control summary.",
        "description": "Control description.",
        "references": [{ "url": "https://vendor.test/notes/control", "kind": "release-notes" }],
    });
    let control = save(&site, &control_case, &control_text, in_secs(1)).await;
    wait_published(&site, &control_case).await;
    let control_folder = format!(
        "/.well-known/csaf/clear/{}/{}.json",
        year_of(&control),
        control.to_lowercase()
    );
    let (status, _, _) = fetch(&site, &format!("{control_folder}.asc")).await;
    assert_eq!(status, 404, "no team key: no signature");
    let (status, _, meta) = fetch(&site, "/.well-known/csaf/provider-metadata.json").await;
    assert_eq!(status, 200);
    let meta: Value = serde_json::from_str(&meta).unwrap();
    assert_valid(provider_schema(), &meta, "provider-metadata.json");
    assert!(meta.get("public_openpgp_keys").is_none(), "{meta}");
    // The control has no CVE id of ours (the pool was empty): no CVE record.
    let (status, _, _) = fetch(&site, &format!("/advisories/{control}.cve.json")).await;
    assert_eq!(status, 404);

    // The team key, and a CVE id for the canary's case.
    let fingerprint = run(&site, &["pgp", "generate", "--as", "ada"])
        .trim()
        .to_owned();
    run(&site, &["cve-pool", "add", CANARY_CVE, "--as", "ada"]);

    // The canary: released, with a draft advisory whose embargo is far away.
    let case = released_case(
        &site,
        &format!("{MARK} report title"),
        &format!("{MARK} Finder"),
        &[
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        ],
    )
    .await;
    assert_eq!(site.case(&case).await["cve"], CANARY_CVE);
    // A CWE, straight into the case (no API sets one yet).
    sqlx::query("INSERT INTO case_cwes (case_id, position, cwe) VALUES ($1, 0, 444)")
        .bind(&case)
        .execute(site.t.db.pool())
        .await
        .unwrap();
    let public_id = save(&site, &case, &canary_text(None), in_secs(3600)).await;
    assert_ne!(public_id, control);

    // Before publication: its own URLs are 404 and the marker, its id and its CVE id appear
    // nowhere.
    let own = own_urls(&public_id, Some(CANARY_CVE));
    for path in own.iter().chain(shared_urls().iter()) {
        let (status, _, text) = fetch(&site, path).await;
        // A search page shows the words searched for in its search box, and nothing else of
        // them.
        let text = match path.split_once("?q=") {
            Some((_, q)) => text.replacen(&format!("value=\"{q}\""), "", 1),
            None => text,
        };
        if own.contains(path) {
            assert_eq!(status, 404, "GET {path} before publication: {text}");
        } else {
            assert_eq!(status, 200, "GET {path}: {text}");
        }
        for secret in [
            MARK,
            &MARK.to_lowercase(),
            &public_id,
            &public_id.to_lowercase(),
            CANARY_CVE,
        ] {
            assert!(
                !text.contains(secret),
                "GET {path} shows {secret:?} before publication: {text}"
            );
        }
    }
    // The shared documents are not empty: the control is in them.
    let (_, _, index) = fetch(&site, "/.well-known/csaf/clear/index.txt").await;
    assert!(index.contains(&control.to_lowercase()), "{index}");
    let (_, _, list) = fetch(&site, &format!("/advisories?q={MARK}")).await;
    assert!(list.contains("0 advisories"), "{list}");

    // Publication: the embargo moves to now and the publisher job does the rest.
    save(&site, &case, &canary_text(None), in_secs(1)).await;
    wait_published(&site, &case).await;

    for path in &own {
        let reply = fetch(&site, path).await;
        ok(&reply, path);
        let signed_or_hashed = [".sha256", ".sha512", ".asc"]
            .iter()
            .any(|s| path.ends_with(s));
        if !signed_or_hashed {
            assert!(
                reply.2.contains(MARK),
                "GET {path} lacks the advisory: {}",
                reply.2
            );
        }
    }

    // The page: every part, escaped and sanitized.
    let (_, _, page) = fetch(&site, &format!("/advisories/{public_id}")).await;
    for part in [
        &format!("{MARK} title: request smuggling"),
        &format!("{MARK} summary"),
        "<em>emphasis</em>",
        &format!("href=\"https://vendor.test/{MARK}/desc\""),
        "<strong>HTTP/1.0</strong>",
        &format!("{MARK} release notes"),
        &format!("{MARK} Finder"),
        CANARY_CVE,
        "7.5",
        "8.7",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        "CWE-444",
        // The control's release shipped 3.4.2; the canary's is the next one.
        "<td>Gateway</td><td>OSS</td><td>3.4.x</td><td>Fixed</td><td>3.4.3</td>",
        "Initial publication.",
        &format!("/advisories/{public_id}.csaf.json"),
        &format!("/advisories/{public_id}.osv.json"),
        &format!("/advisories/{public_id}.cve.json"),
    ] {
        assert!(page.contains(part), "the page lacks {part:?}:\n{page}");
    }
    for bad in ["<script", "javascript:"] {
        assert!(!page.contains(bad), "the page has {bad:?}:\n{page}");
    }
    let (_, _, by_cve) = fetch(&site, &format!("/advisories/{CANARY_CVE}")).await;
    assert!(by_cve.contains(&public_id), "{by_cve}");

    // List, search and filters.
    let (_, _, all) = fetch(&site, "/advisories").await;
    let (first, second) = (
        all.find(&public_id).expect("canary listed"),
        all.find(&control).expect("control listed"),
    );
    assert!(first < second, "newest first:\n{all}");
    let (_, _, found) = fetch(&site, &format!("/advisories?q={}", MARK.to_lowercase())).await;
    assert!(
        found.contains(&public_id) && !found.contains(&control),
        "{found}"
    );
    let (_, _, high) = fetch(&site, "/advisories?severity=high").await;
    assert!(
        high.contains(&public_id) && !high.contains(&control),
        "{high}"
    );
    let (_, _, critical) = fetch(&site, "/advisories?severity=Critical").await;
    assert!(
        critical.contains(&control) && !critical.contains(&public_id),
        "{critical}"
    );
    let (_, _, gateway) = fetch(&site, "/advisories?product=gateway").await;
    assert!(
        gateway.contains(&control) && gateway.contains(&public_id),
        "{gateway}"
    );
    let (_, _, other) = fetch(&site, "/advisories?product=Nothing").await;
    assert!(
        !other.contains(&control) && !other.contains(&public_id),
        "{other}"
    );
    let (status, _, bad) = fetch(&site, "/advisories?severity=severe").await;
    assert_eq!(status, 400);
    assert!(bad.contains("severe"), "{bad}");

    // The JSON documents, valid against their schemas.
    let doc = |format: &'static str| {
        let path = format!("/advisories/{public_id}.{format}.json");
        let site = &site;
        async move {
            let (status, bytes, text) = fetch(site, &path).await;
            assert_eq!(status, 200, "{path}: {text}");
            (bytes, serde_json::from_str::<Value>(&text).unwrap())
        }
    };
    let (csaf_bytes, csaf) = doc("csaf").await;
    assert_valid(csaf_schema(), &csaf, "the CSAF document");
    assert_eq!(csaf["document"]["tracking"]["id"], public_id.as_str());
    assert_valid(osv_schema(), &doc("osv").await.1, "the OSV record");
    let cve = doc("cve").await.1;
    assert_valid(cve_schema(), &cve, "the CVE record");
    assert_eq!(cve["cveMetadata"]["cveId"], CANARY_CVE);
    assert_eq!(cve["cveMetadata"]["assignerOrgId"], CNA_ORG);

    // The CSAF folder: the same bytes, their hashes, a signature by the team key.
    let name = format!("{}.json", public_id.to_lowercase());
    let folder = format!("/.well-known/csaf/clear/{}/{name}", year_of(&public_id));
    let (_, bytes, _) = fetch(&site, &folder).await;
    assert_eq!(bytes, csaf_bytes, "one document at both URLs");
    let (_, _, sha256) = fetch(&site, &format!("{folder}.sha256")).await;
    assert_eq!(
        sha256,
        format!("{}  {name}\n", hex::encode(sha2::Sha256::digest(&bytes)))
    );
    let (_, _, sha512) = fetch(&site, &format!("{folder}.sha512")).await;
    assert_eq!(
        sha512,
        format!("{}  {name}\n", hex::encode(sha2::Sha512::digest(&bytes)))
    );
    let (_, _, key) = fetch(&site, "/.well-known/openpgp-key.asc").await;
    let key = PublicKey::from_armored(&key, in_secs(0)).unwrap();
    assert_eq!(key.fingerprint(), fingerprint);
    let (_, asc, _) = fetch(&site, &format!("{folder}.asc")).await;
    let status = embargo_pgp::verify_detached(std::slice::from_ref(&key), &bytes, &asc).unwrap();
    assert!(status.is_good(), "{status:?}");
    let tampered = [&bytes[..], b" "].concat();
    let status = embargo_pgp::verify_detached(std::slice::from_ref(&key), &tampered, &asc).unwrap();
    assert!(!status.is_good(), "a changed document must not verify");
    let (_, again, _) = fetch(&site, &format!("{folder}.asc")).await;
    assert_eq!(
        asc, again,
        "the signature is made once per document and key"
    );
    let (_, control_asc, _) = fetch(&site, &format!("{control_folder}.asc")).await;
    let (_, control_bytes, _) = fetch(&site, &control_folder).await;
    assert!(
        embargo_pgp::verify_detached(std::slice::from_ref(&key), &control_bytes, &control_asc)
            .unwrap()
            .is_good()
    );

    // index.txt and changes.csv: paths relative to the folder; changes newest first.
    let path = format!("{}/{name}", year_of(&public_id));
    let (_, _, index) = fetch(&site, "/.well-known/csaf/clear/index.txt").await;
    assert!(index.lines().any(|l| l == path), "{index}");
    assert_eq!(index.lines().count(), demo + 2, "{index}");
    let (_, _, changes) = fetch(&site, "/.well-known/csaf/clear/changes.csv").await;
    let rows: Vec<(String, jiff::Timestamp)> = changes
        .lines()
        .map(|l| {
            let (p, d) = l.split_once(',').unwrap();
            let unquote = |s: &str| {
                s.strip_prefix('"')
                    .unwrap()
                    .strip_suffix('"')
                    .unwrap()
                    .to_owned()
            };
            (unquote(p), unquote(d).parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), demo + 2, "{changes}");
    assert_eq!(rows[0].0, path, "newest first: {changes}");
    assert!(rows[0].1 >= rows[1].1, "{changes}");
    let current: jiff::Timestamp = csaf["document"]["tracking"]["current_release_date"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(rows[0].1, current);

    // The provider metadata, now with the team key.
    let (_, _, meta) = fetch(&site, "/.well-known/csaf/provider-metadata.json").await;
    let meta: Value = serde_json::from_str(&meta).unwrap();
    assert_valid(provider_schema(), &meta, "provider-metadata.json");
    assert_eq!(meta["role"], "csaf_provider");
    assert_eq!(
        meta["canonical_url"],
        format!("{PUBLIC_URL}/.well-known/csaf/provider-metadata.json")
    );
    assert_eq!(
        meta["distributions"][0]["directory_url"],
        format!("{PUBLIC_URL}/.well-known/csaf/clear/")
    );
    assert_eq!(
        meta["public_openpgp_keys"][0]["fingerprint"],
        fingerprint.as_str()
    );
    assert_eq!(
        meta["public_openpgp_keys"][0]["url"],
        format!("{PUBLIC_URL}/.well-known/openpgp-key.asc")
    );
    assert_eq!(meta["publisher"]["category"], "vendor");

    // The feed: well-formed Atom with the entry.
    let (_, _, atom) = fetch(&site, "/advisories/feed.atom").await;
    let xml = roxmltree::Document::parse(&atom).unwrap_or_else(|e| panic!("{e}:\n{atom}"));
    let ns = "http://www.w3.org/2005/Atom";
    let root = xml.root_element();
    assert!(root.has_tag_name((ns, "feed")));
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name((ns, "entry")))
        .collect();
    assert_eq!(entries.len(), demo + 2);
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((ns, name)))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_owned()
    };
    let entry = entries[0];
    assert!(
        child(entry, "title").contains(&format!("{MARK} title")),
        "{atom}"
    );
    assert!(child(entry, "id").starts_with("urn:uuid:"), "{atom}");
    let updated: jiff::Timestamp = child(entry, "updated").parse().unwrap();
    assert_eq!(updated.as_second(), current.as_second());
    assert!(
        child(entry, "content").contains("<script>"),
        "text content, escaped once"
    );

    // security.txt names the provider and is still signed.
    let (_, _, txt) = fetch(&site, "/.well-known/security.txt").await;
    let verified = embargo_pgp::verify_cleartext(std::slice::from_ref(&key), &txt).unwrap();
    assert!(verified.signature.is_good(), "{txt}");
    assert!(
        verified.text.contains(&format!(
            "CSAF: {PUBLIC_URL}/.well-known/csaf/provider-metadata.json"
        )),
        "{txt}"
    );

    // A revision: same id and entry id, new updated, new document, new signature.
    let entry_id = child(entry, "id");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{case}/advisory"),
        canary_text(Some(&format!("{MARK} revision: clarified the workaround."))),
    )
    .await
    .expect(200);
    let (_, _, page) = fetch(&site, &format!("/advisories/{public_id}")).await;
    assert!(page.contains("clarified the workaround"), "{page}");
    let (_, revised, _) = fetch(&site, &folder).await;
    assert_ne!(revised, bytes);
    let (_, asc2, _) = fetch(&site, &format!("{folder}.asc")).await;
    assert!(
        embargo_pgp::verify_detached(&[key], &revised, &asc2)
            .unwrap()
            .is_good()
    );
    let (_, _, atom) = fetch(&site, "/advisories/feed.atom").await;
    let xml = roxmltree::Document::parse(&atom).unwrap();
    let entry = xml
        .root_element()
        .children()
        .find(|n| n.has_tag_name((ns, "entry")) && child(*n, "id") == entry_id)
        .expect("the same entry id after a revision");
    let updated2: jiff::Timestamp = child(entry, "updated").parse().unwrap();
    assert!(updated2 > updated, "{atom}");
}

#[tokio::test]
async fn unknown_public_paths_are_404_and_hostile_names_are_not_reflected() {
    let site = Site::start().await;
    for path in [
        "/advisories/EMB-2026-9999",
        "/advisories/EMB-2026-9999.csaf.json",
        "/advisories/EMB-2026-9999.pdf.json",
        "/advisories/CVE-2026-0000",
        "/advisories/%3Cscript%3Ex",
        "/.well-known/csaf/clear/2026/emb-2026-9999.json",
        "/.well-known/csaf/clear/2026/emb-2026-9999.json.asc",
        "/.well-known/csaf/clear/2026/emb-2026-9999.txt",
    ] {
        let Reply { status, text, .. } = site.call(reqwest::Method::GET, None, path, None).await;
        assert_eq!(status, 404, "GET {path}: {text}");
        assert!(!text.contains("<script"), "{text}");
    }
    let (status, _, list) = fetch(&site, "/advisories?q=%3Cscript%3E").await;
    assert_eq!(status, 200);
    assert!(
        !list.contains("<script>"),
        "the search box value is escaped: {list}"
    );
    assert!(
        list.contains("&lt;script&gt;") || list.contains("&#60;script&#62;"),
        "{list}"
    );
}
