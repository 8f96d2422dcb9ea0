//! OSV (Open Source Vulnerability format, schema 1.7).
//!
//! # Why no `package` and which range type
//!
//! OSV's `affected[].package.ecosystem` must be one of the registered
//! ecosystems (npm, PyPI, Debian, …). A vendor's product is in none of them,
//! and inventing an ecosystem string fails the schema and would mislead
//! scanners into matching unrelated packages. So each `affected[]` entry
//! (one per product edition) has no `package`, as OSV allows for software
//! outside any ecosystem, and names the vendor, product and edition in
//! `database_specific`.
//!
//! Its `ranges[]` hold one range per affected release line:
//!
//! - `SEMVER` when every version in it is `MAJOR.MINOR.PATCH`: SemVer 2.0
//!   orders such versions without any ecosystem, so consumers can evaluate the
//!   range on their own;
//! - `ECOSYSTEM` otherwise (four-part versions such as `1.25.3.1` are not
//!   SemVer), with `database_specific.version_scheme` saying the versions
//!   compare as dotted numbers. `GIT` needs commit hashes, which an
//!   advisory about released products does not have.
//!
//! Events: `introduced` (the first affected version, else the line's first
//! version), then `fixed` when the line has a released fix, else `limit` at the
//! next line's first version (`3.4.x` → `3.5.0`) so the range does not run
//! into later lines. Lines that are not affected or under investigation have
//! no OSV status; they are listed in the record's `database_specific`.
//!
//! `aliases` holds our CVE and other aliases; an upstream project's ids go in
//! `upstream`, as OSV asks of downstream advisories.

use embargo_cvss::Cvss;
use serde_json::{Map, Value, json};

use crate::common::{self, is_affected, is_semver, line_next};
use crate::model::{Advisory, LineStatus, Publisher, ReferenceKind, Status};
use crate::{ExportError, GENERATOR, GENERATOR_VERSION};

/// The OSV schema version we write.
pub const SCHEMA_VERSION: &str = "1.7.0";

/// An OSV record for the advisory. Its `id` is the publisher's
/// [`Publisher::osv_id_prefix`] followed by the advisory id.
pub fn record(advisory: &Advisory, publisher: &Publisher) -> Result<Value, ExportError> {
    let cvss = common::validate(advisory)?;
    let mut o = Map::new();
    o.insert("schema_version".into(), json!(SCHEMA_VERSION));
    o.insert(
        "id".into(),
        json!(format!("{}{}", publisher.osv_id_prefix, advisory.id)),
    );
    let modified = advisory
        .current_revision()
        .map_or(advisory.published, |r| r.date);
    o.insert("modified".into(), json!(modified.to_string()));
    o.insert("published".into(), json!(advisory.published.to_string()));

    let upstream_ids: Vec<&String> = advisory.upstream.iter().flat_map(|u| &u.ids).collect();
    let mut aliases: Vec<&String> = Vec::new();
    for a in advisory.cve.iter().chain(&advisory.aliases) {
        if !aliases.contains(&a) && !upstream_ids.contains(&a) {
            aliases.push(a);
        }
    }
    if !aliases.is_empty() {
        o.insert("aliases".into(), json!(aliases));
    }
    if !upstream_ids.is_empty() {
        o.insert("upstream".into(), json!(upstream_ids));
    }
    o.insert("summary".into(), json!(advisory.summary));
    o.insert("details".into(), json!(details(advisory)));
    if !cvss.is_empty() {
        let severity: Vec<Value> = cvss
            .iter()
            .map(|c| {
                let kind = match c {
                    Cvss::V2(_) => "CVSS_V2",
                    Cvss::V30(_) | Cvss::V31(_) => "CVSS_V3",
                    Cvss::V40(_) => "CVSS_V4",
                };
                json!({ "type": kind, "score": c.to_string() })
            })
            .collect();
        o.insert("severity".into(), Value::Array(severity));
    }
    let affected = affected(advisory);
    if !affected.is_empty() {
        o.insert("affected".into(), Value::Array(affected));
    }
    let references = references(advisory);
    if !references.is_empty() {
        o.insert("references".into(), Value::Array(references));
    }
    if !advisory.credits.is_empty() {
        let credits: Vec<Value> = advisory
            .credits
            .iter()
            .map(|c| json!({ "name": c.name, "type": c.kind.osv() }))
            .collect();
        o.insert("credits".into(), Value::Array(credits));
    }
    o.insert(
        "database_specific".into(),
        database_specific(advisory, publisher),
    );
    Ok(Value::Object(o))
}

/// The description, then the workarounds under their own heading.
fn details(advisory: &Advisory) -> String {
    match &advisory.workarounds_md {
        Some(w) => format!("{}\n\n## Workarounds\n\n{}", advisory.description_md, w),
        None => advisory.description_md.clone(),
    }
}

fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Affected => "affected",
        Status::NotAffected { .. } => "not_affected",
        Status::Fixed => "fixed",
        Status::UnderInvestigation => "under_investigation",
    }
}

fn range(l: &LineStatus) -> Value {
    let introduced = common::introduced(l).unwrap_or_else(|| "0".to_owned());
    let mut events = vec![json!({ "introduced": introduced })];
    let mut versions = vec![introduced.as_str()];
    let end = match common::released_fix(l) {
        Some(fixed) => Some(("fixed", fixed.clone())),
        None => line_next(&l.line).map(|next| ("limit", next)),
    };
    if let Some((kind, v)) = &end {
        events.push(json!({ *kind: v }));
        versions.push(v);
    }
    let semver = versions.iter().all(|v| *v == "0" || is_semver(v));
    let mut db = Map::new();
    db.insert("line".into(), json!(l.line));
    db.insert("status".into(), json!(status_name(&l.status)));
    if !semver {
        db.insert("version_scheme".into(), json!("dotted-numeric"));
    }
    json!({
        "type": if semver { "SEMVER" } else { "ECOSYSTEM" },
        "events": events,
        "database_specific": db,
    })
}

fn affected(advisory: &Advisory) -> Vec<Value> {
    let mut out = Vec::new();
    for product in &advisory.products {
        for edition in &product.editions {
            let ranges: Vec<Value> = edition
                .lines
                .iter()
                .filter(|l| is_affected(l))
                .map(range)
                .collect();
            if ranges.is_empty() {
                continue;
            }
            out.push(json!({
                "ranges": ranges,
                "database_specific": {
                    "vendor": advisory.vendor,
                    "product": product.name,
                    "edition": edition.name,
                },
            }));
        }
    }
    out
}

fn reference_type(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Advisory => "ADVISORY",
        ReferenceKind::Patch => "FIX",
        ReferenceKind::Report => "REPORT",
        ReferenceKind::Article => "ARTICLE",
        ReferenceKind::ReleaseNotes | ReferenceKind::Web => "WEB",
    }
}

fn references(advisory: &Advisory) -> Vec<Value> {
    let mut out: Vec<Value> = advisory
        .references
        .iter()
        .map(|r| json!({ "type": reference_type(r.kind), "url": r.url }))
        .collect();
    if let Some(u) = &advisory.upstream
        && !advisory.references.iter().any(|r| r.url == u.advisory_url)
    {
        out.push(json!({ "type": "ADVISORY", "url": u.advisory_url }));
    }
    out
}

/// What OSV has no field for: our id and revision, the title, CWEs, the
/// upstream project, and the lines that are not affected or under investigation.
fn database_specific(advisory: &Advisory, publisher: &Publisher) -> Value {
    let mut db = Map::new();
    db.insert("source".into(), json!(publisher.name));
    db.insert("advisory_id".into(), json!(advisory.id));
    if let Some(r) = advisory.current_revision() {
        db.insert("revision".into(), json!(r.number));
    }
    db.insert("title".into(), json!(advisory.title));
    if !advisory.cwes.is_empty() {
        let ids: Vec<&str> = advisory.cwes.iter().map(|c| c.id.as_str()).collect();
        db.insert("cwe_ids".into(), json!(ids));
    }
    if let Some(u) = &advisory.upstream {
        db.insert(
            "upstream_project".into(),
            json!({ "name": u.project, "advisory_url": u.advisory_url }),
        );
    }
    let mut not_affected = Vec::new();
    let mut investigating = Vec::new();
    for product in &advisory.products {
        for edition in &product.editions {
            for l in &edition.lines {
                let base = || {
                    let mut m = Map::new();
                    m.insert("product".into(), json!(product.name));
                    m.insert("edition".into(), json!(edition.name));
                    m.insert("line".into(), json!(l.line));
                    m
                };
                match &l.status {
                    Status::NotAffected { justification } => {
                        let mut m = base();
                        m.insert("justification".into(), json!(justification.code()));
                        not_affected.push(Value::Object(m));
                    }
                    Status::UnderInvestigation => investigating.push(Value::Object(base())),
                    Status::Affected | Status::Fixed => {}
                }
            }
        }
    }
    if !not_affected.is_empty() {
        db.insert("not_affected".into(), Value::Array(not_affected));
    }
    if !investigating.is_empty() {
        db.insert("under_investigation".into(), Value::Array(investigating));
    }
    db.insert(
        "generator".into(),
        json!(format!("{GENERATOR} {GENERATOR_VERSION}")),
    );
    Value::Object(db)
}
