//! CSAF 2.0 mandatory tests (section 6.1) that need no external data.
//!
//! A schema validator checks the shape of a document; these tests check what
//! a schema cannot: that every referenced product id is defined, that the
//! revision history agrees with `tracking.version`, that CVSS objects agree
//! with their vectors, and so on. [`check`] runs every test listed in
//! [`IMPLEMENTED`] and returns one [`Finding`] per failure.
//!
//! Not implemented: 6.1.8 (CVSS object against the FIRST schema: schema
//! validation does it), 6.1.11 (CWE names need the CWE catalogue), 6.1.12
//! (language subtags need the IANA registry) and 6.1.13 (PURL syntax).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use embargo_cvss::Cvss;
use jiff::Timestamp;
use serde_json::Value;

use crate::cvss_json;

/// The tests [`check`] runs.
pub const IMPLEMENTED: &[&str] = &[
    "6.1.1",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.1.5",
    "6.1.6",
    "6.1.7",
    "6.1.9",
    "6.1.10",
    "6.1.14",
    "6.1.15",
    "6.1.16",
    "6.1.17",
    "6.1.18",
    "6.1.19",
    "6.1.20",
    "6.1.21",
    "6.1.22",
    "6.1.23",
    "6.1.24",
    "6.1.25",
    "6.1.26",
    "6.1.27.1",
    "6.1.27.2",
    "6.1.27.3",
    "6.1.27.4",
    "6.1.27.5",
    "6.1.27.6",
    "6.1.27.7",
    "6.1.27.8",
    "6.1.27.9",
    "6.1.27.10",
    "6.1.27.11",
    "6.1.28",
    "6.1.29",
    "6.1.30",
    "6.1.31",
    "6.1.32",
    "6.1.33",
];

/// A failed mandatory test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The test's section number, e.g. `6.1.1`.
    pub test: &'static str,
    /// JSON Pointer of the value at fault.
    pub path: String,
    pub message: String,
}

/// Runs every implemented mandatory test on a CSAF 2.0 document.
pub fn check(doc: &Value) -> Vec<Finding> {
    let mut c = Checker {
        doc,
        out: Vec::new(),
    };
    c.product_ids();
    c.group_ids();
    c.vulnerabilities();
    c.revisions();
    c.document();
    c.profiles();
    c.out
}

struct Checker<'a> {
    doc: &'a Value,
    out: Vec<Finding>,
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn strs(v: &Value) -> impl Iterator<Item = (usize, &str)> {
    arr(v)
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_str().map(|s| (i, s)))
}

const STATUS_KEYS: [&str; 8] = [
    "first_affected",
    "first_fixed",
    "fixed",
    "known_affected",
    "known_not_affected",
    "last_affected",
    "recommended",
    "under_investigation",
];

const VEX_CATEGORY: &str = "csaf_vex";
const ADVISORY_CATEGORY: &str = "csaf_security_advisory";

impl<'a> Checker<'a> {
    fn fail(&mut self, test: &'static str, path: impl Into<String>, message: impl Into<String>) {
        self.out.push(Finding {
            test,
            path: path.into(),
            message: message.into(),
        });
    }

    fn category(&self) -> &'a str {
        self.doc["document"]["category"].as_str().unwrap_or("")
    }

    /// Every full product name definition: (path of product_id, product_id, definition).
    fn definitions(&self) -> Vec<(String, &'a str, &'a Value)> {
        fn walk<'v>(branches: &'v Value, path: &str, out: &mut Vec<(String, &'v str, &'v Value)>) {
            for (i, b) in arr(branches).iter().enumerate() {
                let p = format!("{path}/{i}");
                if let Some(id) = b["product"]["product_id"].as_str() {
                    out.push((format!("{p}/product/product_id"), id, &b["product"]));
                }
                walk(&b["branches"], &format!("{p}/branches"), out);
            }
        }
        let tree = &self.doc["product_tree"];
        let mut out = Vec::new();
        walk(&tree["branches"], "/product_tree/branches", &mut out);
        for (i, f) in arr(&tree["full_product_names"]).iter().enumerate() {
            if let Some(id) = f["product_id"].as_str() {
                out.push((
                    format!("/product_tree/full_product_names/{i}/product_id"),
                    id,
                    f,
                ));
            }
        }
        for (i, r) in arr(&tree["relationships"]).iter().enumerate() {
            let f = &r["full_product_name"];
            if let Some(id) = f["product_id"].as_str() {
                out.push((
                    format!("/product_tree/relationships/{i}/full_product_name/product_id"),
                    id,
                    f,
                ));
            }
        }
        out
    }

    /// 6.1.1, 6.1.2, 6.1.3, 6.1.25, 6.1.31.
    fn product_ids(&mut self) {
        let defs = self.definitions();
        let mut seen = BTreeSet::new();
        for (path, id, def) in &defs {
            if !seen.insert(*id) {
                self.fail(
                    "6.1.2",
                    path.clone(),
                    format!("product id {id} is defined twice"),
                );
            }
            for (h, hash) in arr(&def["product_identification_helper"]["hashes"])
                .iter()
                .enumerate()
            {
                let mut algorithms = BTreeSet::new();
                for f in arr(&hash["file_hashes"]) {
                    if let Some(a) = f["algorithm"].as_str()
                        && !algorithms.insert(a)
                    {
                        self.fail(
                            "6.1.25",
                            format!(
                                "{}/product_identification_helper/hashes/{h}",
                                path.trim_end_matches("/product_id")
                            ),
                            format!("hash algorithm {a} is used twice"),
                        );
                    }
                }
            }
        }
        let tree = &self.doc["product_tree"];
        let mut refs: Vec<(String, &str)> = Vec::new();
        for (g, group) in arr(&tree["product_groups"]).iter().enumerate() {
            for (i, id) in strs(&group["product_ids"]) {
                refs.push((
                    format!("/product_tree/product_groups/{g}/product_ids/{i}"),
                    id,
                ));
            }
        }
        for (r, rel) in arr(&tree["relationships"]).iter().enumerate() {
            for key in ["product_reference", "relates_to_product_reference"] {
                if let Some(id) = rel[key].as_str() {
                    refs.push((format!("/product_tree/relationships/{r}/{key}"), id));
                }
            }
        }
        for (v, vuln) in arr(&self.doc["vulnerabilities"]).iter().enumerate() {
            let base = format!("/vulnerabilities/{v}");
            for key in STATUS_KEYS {
                for (i, id) in strs(&vuln["product_status"][key]) {
                    refs.push((format!("{base}/product_status/{key}/{i}"), id));
                }
            }
            for (list, field) in [
                // The conformance documents (CSAF 2.0 errata) count flags as references too.
                ("flags", "product_ids"),
                ("remediations", "product_ids"),
                ("scores", "products"),
                ("threats", "product_ids"),
            ] {
                for (j, item) in arr(&vuln[list]).iter().enumerate() {
                    for (i, id) in strs(&item[field]) {
                        refs.push((format!("{base}/{list}/{j}/{field}/{i}"), id));
                    }
                }
            }
        }
        for (path, id) in refs {
            if !seen.contains(id) {
                self.fail(
                    "6.1.1",
                    path,
                    format!("product id {id} is not defined in the product tree"),
                );
            }
        }

        // 6.1.3: follow relationship references from each id they define.
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for rel in arr(&tree["relationships"]) {
            if let Some(id) = rel["full_product_name"]["product_id"].as_str() {
                let e = edges.entry(id).or_default();
                for key in ["product_reference", "relates_to_product_reference"] {
                    if let Some(r) = rel[key].as_str() {
                        e.push(r);
                    }
                }
            }
        }
        for (r, rel) in arr(&tree["relationships"]).iter().enumerate() {
            let Some(start) = rel["full_product_name"]["product_id"].as_str() else {
                continue;
            };
            let mut stack: Vec<&str> = edges.get(start).cloned().unwrap_or_default();
            let mut visited = BTreeSet::new();
            while let Some(next) = stack.pop() {
                if next == start {
                    self.fail(
                        "6.1.3",
                        format!("/product_tree/relationships/{r}/full_product_name/product_id"),
                        format!("product id {start} is defined in terms of itself"),
                    );
                    break;
                }
                if visited.insert(next) {
                    stack.extend(edges.get(next).into_iter().flatten());
                }
            }
        }

        // 6.1.31.
        fn walk(branches: &Value, path: &str, out: &mut Vec<(String, String)>) {
            for (i, b) in arr(branches).iter().enumerate() {
                let p = format!("{path}/{i}");
                if b["category"] == "product_version"
                    && let Some(name) = b["name"].as_str()
                {
                    out.push((format!("{p}/name"), name.to_lowercase()));
                }
                walk(&b["branches"], &format!("{p}/branches"), out);
            }
        }
        let mut names = Vec::new();
        walk(&tree["branches"], "/product_tree/branches", &mut names);
        // Words count as whole words: `after-eight` is a name, `4.2 and later` a range.
        const RANGE_WORDS: [&str; 7] = [
            "after", "all", "before", "earlier", "later", "prior", "versions",
        ];
        for (path, name) in names {
            if name.contains(['<', '>'])
                || name.split_whitespace().any(|w| RANGE_WORDS.contains(&w))
            {
                self.fail(
                    "6.1.31",
                    path,
                    format!("product_version {name:?} is a version range"),
                );
            }
        }
    }

    /// 6.1.4, 6.1.5.
    fn group_ids(&mut self) {
        let mut defined = BTreeSet::new();
        for (g, group) in arr(&self.doc["product_tree"]["product_groups"])
            .iter()
            .enumerate()
        {
            if let Some(id) = group["group_id"].as_str()
                && !defined.insert(id)
            {
                self.fail(
                    "6.1.5",
                    format!("/product_tree/product_groups/{g}/group_id"),
                    format!("group id {id} is defined twice"),
                );
            }
        }
        for (v, vuln) in arr(&self.doc["vulnerabilities"]).iter().enumerate() {
            for list in ["flags", "remediations", "threats"] {
                for (j, item) in arr(&vuln[list]).iter().enumerate() {
                    for (i, id) in strs(&item["group_ids"]) {
                        if !defined.contains(id) {
                            self.fail(
                                "6.1.4",
                                format!("/vulnerabilities/{v}/{list}/{j}/group_ids/{i}"),
                                format!("group id {id} is not defined in the product tree"),
                            );
                        }
                    }
                }
            }
        }
    }

    /// The product ids of a group.
    fn group(&self, id: &str) -> Vec<&'a str> {
        arr(&self.doc["product_tree"]["product_groups"])
            .iter()
            .filter(|g| g["group_id"] == id)
            .flat_map(|g| strs(&g["product_ids"]).map(|(_, p)| p))
            .collect()
    }

    /// Products an item (flag, threat, remediation) applies to, groups expanded.
    fn applies_to(&self, item: &'a Value) -> BTreeSet<&'a str> {
        let mut out: BTreeSet<&str> = strs(&item["product_ids"]).map(|(_, p)| p).collect();
        for (_, g) in strs(&item["group_ids"]) {
            out.extend(self.group(g));
        }
        out
    }

    /// 6.1.6, 6.1.7, 6.1.9, 6.1.10, 6.1.23, 6.1.24, 6.1.29, 6.1.32, 6.1.33.
    fn vulnerabilities(&mut self) {
        let mut cves: BTreeMap<&str, usize> = BTreeMap::new();
        for (v, vuln) in arr(&self.doc["vulnerabilities"]).iter().enumerate() {
            let base = format!("/vulnerabilities/{v}");
            if let Some(cve) = vuln["cve"].as_str()
                && let Some(first) = cves.insert(cve, v)
            {
                self.fail(
                    "6.1.23",
                    format!("{base}/cve"),
                    format!("{cve} is also used by vulnerability {first}"),
                );
            }

            let status = &vuln["product_status"];
            let groups: [(&str, &[&str]); 4] = [
                (
                    "affected",
                    &["first_affected", "known_affected", "last_affected"],
                ),
                ("not affected", &["known_not_affected"]),
                ("fixed", &["first_fixed", "fixed"]),
                ("under investigation", &["under_investigation"]),
            ];
            let mut member: BTreeMap<&str, &str> = BTreeMap::new();
            for (group, keys) in groups {
                for key in keys {
                    for (i, id) in strs(&status[*key]) {
                        match member.get(id) {
                            Some(other) if *other != group => self.fail(
                                "6.1.6",
                                format!("{base}/product_status/{key}/{i}"),
                                format!("{id} is both {other} and {group}"),
                            ),
                            _ => {
                                member.insert(id, group);
                            }
                        }
                    }
                }
            }

            let mut scored: BTreeSet<(&str, String)> = BTreeSet::new();
            for (s, score) in arr(&vuln["scores"]).iter().enumerate() {
                for key in ["cvss_v2", "cvss_v3"] {
                    let obj = &score[key];
                    if obj.is_null() {
                        continue;
                    }
                    let version = obj["version"].as_str().unwrap_or(key).to_owned();
                    for (_, p) in strs(&score["products"]) {
                        if !scored.insert((p, version.clone())) {
                            self.fail(
                                "6.1.7",
                                format!("{base}/scores/{s}"),
                                format!("{p} has two CVSS {version} scores"),
                            );
                        }
                    }
                    self.cvss(obj, &format!("{base}/scores/{s}/{key}"));
                }
            }

            let mut involvements: BTreeSet<(String, Option<Timestamp>)> = BTreeSet::new();
            for (i, inv) in arr(&vuln["involvements"]).iter().enumerate() {
                let party = inv["party"].as_str().unwrap_or("").to_owned();
                let date = inv["date"]
                    .as_str()
                    .and_then(|d| d.parse::<Timestamp>().ok());
                if !involvements.insert((party.clone(), date)) {
                    self.fail(
                        "6.1.24",
                        format!("{base}/involvements/{i}"),
                        format!("party {party} is listed twice at the same date"),
                    );
                }
            }

            for (list, test) in [("remediations", "6.1.29"), ("flags", "6.1.32")] {
                for (i, item) in arr(&vuln[list]).iter().enumerate() {
                    if item.get("product_ids").is_none() && item.get("group_ids").is_none() {
                        self.fail(
                            test,
                            format!("{base}/{list}/{i}"),
                            "no product_ids or group_ids",
                        );
                    }
                }
            }

            let mut flagged: BTreeSet<&str> = BTreeSet::new();
            for (i, flag) in arr(&vuln["flags"]).iter().enumerate() {
                for p in self.applies_to(flag) {
                    if !flagged.insert(p) {
                        self.fail(
                            "6.1.33",
                            format!("{base}/flags/{i}"),
                            format!("{p} has more than one VEX justification flag"),
                        );
                    }
                }
            }
        }
    }

    /// 6.1.9 and 6.1.10 for one cvss_v2 / cvss_v3 object.
    fn cvss(&mut self, obj: &Value, path: &str) {
        let Some(vector) = obj["vectorString"].as_str() else {
            return;
        };
        let Ok(cvss) = vector.parse::<Cvss>() else {
            return; // 6.1.8's business.
        };
        let expected = cvss_json::object(&cvss);
        for key in [
            "baseScore",
            "baseSeverity",
            "temporalScore",
            "temporalSeverity",
            "environmentalScore",
            "environmentalSeverity",
        ] {
            let Some(given) = obj.get(key) else { continue };
            let want = match (expected.get(key), &cvss) {
                (Some(w), _) => w.clone(),
                // Scores of groups with no metric defined equal the base (v3) or are absent.
                (None, Cvss::V30(v) | Cvss::V31(v)) => {
                    let s = v.scores();
                    match key {
                        "temporalScore" => cvss_json::score_value(s.temporal),
                        "temporalSeverity" => {
                            Value::from(cvss_json::severity_upper(s.temporal_severity()))
                        }
                        "environmentalScore" => cvss_json::score_value(s.environmental),
                        "environmentalSeverity" => {
                            Value::from(cvss_json::severity_upper(s.environmental_severity()))
                        }
                        _ => continue,
                    }
                }
                (None, _) => continue,
            };
            let same = match (given.as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => (g * 10.0).round() == (w * 10.0).round(),
                _ => *given == want,
            };
            if !same {
                self.fail(
                    "6.1.9",
                    format!("{path}/{key}"),
                    format!("{key} is {given}, the vector gives {want}"),
                );
            }
        }
        if let Some(version) = obj["version"].as_str()
            && version != cvss.version().as_str()
        {
            self.fail(
                "6.1.10",
                format!("{path}/version"),
                format!("version {version} contradicts {vector}"),
            );
        }
        let table = match cvss {
            Cvss::V2(_) => cvss_json::V2_PROPERTIES,
            Cvss::V30(_) | Cvss::V31(_) => cvss_json::V3_PROPERTIES,
            Cvss::V40(_) => cvss_json::V4_PROPERTIES,
        };
        for (_, property) in table {
            let Some(given) = obj.get(*property) else {
                continue;
            };
            let want = expected
                .get(*property)
                .cloned()
                .unwrap_or(Value::from("NOT_DEFINED"));
            if *given != want {
                self.fail(
                    "6.1.10",
                    format!("{path}/{property}"),
                    format!("{property} is {given}, the vector says {want}"),
                );
            }
        }
    }

    /// 6.1.14, 6.1.16 – 6.1.22, 6.1.30.
    fn revisions(&mut self) {
        let tracking = &self.doc["document"]["tracking"];
        let status = tracking["status"].as_str().unwrap_or("");
        let released = matches!(status, "final" | "interim");
        let version = tracking["version"].as_str().unwrap_or("");
        let history: Vec<(usize, &str, Option<Timestamp>)> = arr(&tracking["revision_history"])
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    i,
                    r["number"].as_str().unwrap_or(""),
                    r["date"].as_str().and_then(|d| d.parse::<Timestamp>().ok()),
                )
            })
            .collect();
        let path = "/document/tracking/revision_history";

        // Sorted by date, then number: items of the same date may come in any order.
        let mut sorted = history.clone();
        sorted.sort_by(|(_, a, da), (_, b, db)| da.cmp(db).then_with(|| compare(a, b)));
        for pair in sorted.windows(2) {
            if let [(_, a, _), (i, b, _)] = pair
                && compare(a, b) == Ordering::Greater
            {
                self.fail(
                    "6.1.14",
                    format!("{path}/{i}"),
                    format!("revision {b} is dated before revision {a}"),
                );
            }
        }

        if let Some((_, last, _)) = sorted.last() {
            let strip = |v: &str| {
                let v = v.split('+').next().unwrap_or(v).to_owned();
                if status == "draft" {
                    v.split('-').next().unwrap_or(&v).to_owned()
                } else {
                    v
                }
            };
            if strip(last) != strip(version) {
                self.fail(
                    "6.1.16",
                    "/document/tracking/version",
                    format!("version {version} is not the latest revision {last}"),
                );
            }
        }
        if (version == "0" || version.starts_with("0.") || pre_release(version))
            && status != "draft"
        {
            self.fail(
                "6.1.17",
                "/document/tracking/status",
                format!("version {version} needs status draft"),
            );
        }
        for (i, number, _) in &history {
            if released && (*number == "0" || number.starts_with("0.")) {
                self.fail(
                    "6.1.18",
                    format!("{path}/{i}/number"),
                    format!("revision {number} in a {status} document"),
                );
            }
            if pre_release(number) {
                self.fail(
                    "6.1.19",
                    format!("{path}/{i}/number"),
                    format!("revision {number} is a pre-release"),
                );
            }
        }
        if released && pre_release(version) {
            self.fail(
                "6.1.20",
                "/document/tracking/version",
                format!("version {version} is a pre-release"),
            );
        }
        let majors: Vec<(usize, Option<u64>)> = sorted
            .iter()
            .map(|(i, n, _)| {
                (
                    *i,
                    n.split(['.', '-', '+']).next().and_then(|m| m.parse().ok()),
                )
            })
            .collect();
        if let Some((i, Some(first))) = majors.first()
            && *first > 1
        {
            self.fail(
                "6.1.21",
                format!("{path}/{i}/number"),
                format!("the first revision is {first}, not 0 or 1"),
            );
        }
        for pair in majors.windows(2) {
            if let [(_, Some(a)), (i, Some(b))] = pair
                && *b > a + 1
            {
                self.fail(
                    "6.1.21",
                    format!("{path}/{i}/number"),
                    format!("revisions between {a} and {b} are missing"),
                );
            }
        }
        let mut numbers = BTreeSet::new();
        for (i, number, _) in &history {
            if !numbers.insert(*number) {
                self.fail(
                    "6.1.22",
                    format!("{path}/{i}/number"),
                    format!("revision {number} is listed twice"),
                );
            }
        }
        let integer = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
        let kinds: BTreeSet<bool> = history
            .iter()
            .map(|(_, n, _)| integer(n))
            .chain(std::iter::once(integer(version)))
            .collect();
        if kinds.len() > 1 {
            self.fail(
                "6.1.30",
                "/document/tracking/version",
                "integer and semantic versions are mixed",
            );
        }
    }

    /// 6.1.15, 6.1.26, 6.1.28.
    fn document(&mut self) {
        let d = &self.doc["document"];
        if d["publisher"]["category"] == "translator" && d.get("source_lang").is_none() {
            self.fail(
                "6.1.15",
                "/document/source_lang",
                "a translator's document needs source_lang",
            );
        }
        if let (Some(lang), Some(source)) = (d["lang"].as_str(), d["source_lang"].as_str())
            && lang.eq_ignore_ascii_case(source)
        {
            self.fail(
                "6.1.28",
                "/document/source_lang",
                format!("lang and source_lang are both {lang}"),
            );
        }
        let category = self.category();
        const PROFILES: [&str; 5] = [
            "csaf_base",
            "csaf_security_incident_response",
            "csaf_informational_advisory",
            "csaf_security_advisory",
            "csaf_vex",
        ];
        if !PROFILES.contains(&category) {
            let norm = |s: &str| s.to_lowercase().replace(['-', ' ', '_', '\t', '\n'], "");
            // Names and values of the other profiles, normalized.
            let prohibited = [
                "securityincidentresponse",
                "informationaladvisory",
                "securityadvisory",
                "vex",
                "csafsecurityincidentresponse",
                "csafinformationaladvisory",
                "csafsecurityadvisory",
                "csafvex",
            ];
            if category.to_lowercase().starts_with("csaf_")
                || prohibited.contains(&norm(category).as_str())
            {
                self.fail(
                    "6.1.26",
                    "/document/category",
                    format!("category {category:?} is reserved"),
                );
            }
        }
    }

    /// 6.1.27.x.
    fn profiles(&mut self) {
        let category = self.category();
        let d = &self.doc["document"];
        let vulns = self.doc.get("vulnerabilities");
        if matches!(
            category,
            "csaf_informational_advisory" | "csaf_security_incident_response"
        ) {
            if !arr(&d["notes"]).iter().any(|n| {
                matches!(
                    n["category"].as_str(),
                    Some("description" | "details" | "general" | "summary")
                )
            }) {
                self.fail(
                    "6.1.27.1",
                    "/document/notes",
                    "no note of category description, details, general or summary",
                );
            }
            if !arr(&d["references"])
                .iter()
                .any(|r| r["category"] == "external")
            {
                self.fail("6.1.27.2", "/document/references", "no external reference");
            }
        }
        if category == "csaf_informational_advisory" && vulns.is_some() {
            self.fail(
                "6.1.27.3",
                "/vulnerabilities",
                "an informational advisory has no vulnerabilities",
            );
        }
        if !matches!(category, ADVISORY_CATEGORY | VEX_CATEGORY) {
            return;
        }
        if self.doc.get("product_tree").is_none() {
            self.fail("6.1.27.4", "/product_tree", "missing");
        }
        if vulns.is_none() {
            self.fail("6.1.27.11", "/vulnerabilities", "missing");
        }
        for (v, vuln) in arr(&self.doc["vulnerabilities"]).iter().enumerate() {
            let base = format!("/vulnerabilities/{v}");
            if vuln.get("notes").is_none() {
                self.fail("6.1.27.5", format!("{base}/notes"), "missing");
            }
            if category == ADVISORY_CATEGORY && vuln.get("product_status").is_none() {
                self.fail("6.1.27.6", format!("{base}/product_status"), "missing");
            }
            if category != VEX_CATEGORY {
                continue;
            }
            let status = &vuln["product_status"];
            if ![
                "fixed",
                "known_affected",
                "known_not_affected",
                "under_investigation",
            ]
            .iter()
            .any(|k| status.get(*k).is_some())
            {
                self.fail(
                    "6.1.27.7",
                    format!("{base}/product_status"),
                    "no fixed, known_affected, known_not_affected or under_investigation",
                );
            }
            if vuln.get("cve").is_none() && vuln.get("ids").is_none() {
                self.fail("6.1.27.8", base.clone(), "neither cve nor ids");
            }
            let mut impact: BTreeSet<&str> = BTreeSet::new();
            for f in arr(&vuln["flags"]) {
                impact.extend(self.applies_to(f));
            }
            for t in arr(&vuln["threats"])
                .iter()
                .filter(|t| t["category"] == "impact")
            {
                impact.extend(self.applies_to(t));
            }
            for (i, p) in strs(&status["known_not_affected"]) {
                if !impact.contains(p) {
                    self.fail(
                        "6.1.27.9",
                        format!("{base}/product_status/known_not_affected/{i}"),
                        format!("no impact statement for {p}"),
                    );
                }
            }
            let mut action: BTreeSet<&str> = BTreeSet::new();
            for r in arr(&vuln["remediations"]) {
                action.extend(self.applies_to(r));
            }
            for (i, p) in strs(&status["known_affected"]) {
                if !action.contains(p) {
                    self.fail(
                        "6.1.27.10",
                        format!("{base}/product_status/known_affected/{i}"),
                        format!("no action statement for {p}"),
                    );
                }
            }
        }
    }
}

/// Whether a semantic version has a pre-release part (`1.0.0-rc`; a `-` in build metadata does not count).
fn pre_release(v: &str) -> bool {
    v.split('+').next().unwrap_or(v).contains('-')
}

/// Orders integer or semantic versions; pre-releases sort before their release.
fn compare(a: &str, b: &str) -> Ordering {
    fn key(v: &str) -> (Vec<u64>, bool, String) {
        let core = v.split('+').next().unwrap_or(v);
        let (nums, pre) = match core.split_once('-') {
            Some((n, p)) => (n, Some(p)),
            None => (core, None),
        };
        let parts = nums.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        (parts, pre.is_none(), pre.unwrap_or("").to_owned())
    }
    key(a).cmp(&key(b))
}
