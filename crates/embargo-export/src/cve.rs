//! CVE JSON 5 (CVE Record Format 5.x): a full published record, and the CNA
//! container that CVE Services takes to publish one.
//!
//! Mapping, by CVE Record Format field:
//!
//! - `affected[]`: one entry per product edition (`vendor`, `product` =
//!   `"Widget (enterprise edition)"`), `defaultStatus: "unknown"` (we only
//!   speak for the release lines we list), and per release line:
//!   an `affected` entry from the first affected version `lessThan` the fixed
//!   version plus an `unaffected` entry from the fixed version to the end of
//!   the line (`lessThanOrEqual: "3.4.*"`, the wildcard form the format
//!   documents); an unfixed line is `affected` to the end of the line; a
//!   not-affected line is `unaffected`, a line under investigation `unknown`.
//!   `versionType` is `semver` for `MAJOR.MINOR.PATCH` and `custom` otherwise.
//! - `descriptions[]`: the description (Markdown source as plain text), with the
//!   same text as `supportingMedia` of type `text/markdown`.
//! - `metrics[]`: one item per CVSS vector (`cvssV4_0`, `cvssV3_1`, `cvssV3_0`,
//!   `cvssV2_0`), every property derived from the vector by our scorer.
//! - `timeline[]`: one event per revision. `x_generator`: Embargo and its version.

use embargo_cvss::Cvss;
use serde_json::{Map, Value, json};

use crate::common::{self, edition_product_name, is_affected, is_semver, line_wildcard};
use crate::model::{Advisory, Publisher, ReferenceKind, Status};
use crate::{ExportError, GENERATOR, GENERATOR_VERSION, cvss_json};

/// The record format version we write. The bundled 5.1.1 and 5.2.0 schemas both accept it.
pub const DATA_VERSION: &str = "5.1";

/// Longest `descriptions[].value` the format allows (`supportingMedia` allows more).
const DESCRIPTION_MAX: usize = 4096;

/// A full published CVE record: `dataType`, `dataVersion`, `cveMetadata` and `containers.cna`.
///
/// Fails if the advisory has no CVE id of ours ([`Advisory::cve`]; an
/// upstream project's CVE is not ours to publish) or the publisher is not a CNA.
pub fn record(advisory: &Advisory, publisher: &Publisher) -> Result<Value, ExportError> {
    let cna = container(advisory, publisher)?;
    let (cve_id, org_id) = ids(advisory, publisher)?;
    let updated = updated(advisory);
    let mut meta = Map::new();
    meta.insert("cveId".into(), json!(cve_id));
    meta.insert("assignerOrgId".into(), json!(org_id));
    if let Some(short) = &publisher.cna_short_name {
        meta.insert("assignerShortName".into(), json!(short));
    }
    meta.insert("state".into(), json!("PUBLISHED"));
    meta.insert(
        "datePublished".into(),
        json!(advisory.published.to_string()),
    );
    meta.insert("dateUpdated".into(), json!(updated));
    Ok(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": meta,
        "containers": { "cna": cna },
    }))
}

/// The body of CVE Services' publish call (`POST /cve/{id}/cna`):
/// `{"cnaContainer": …}`, valid against the `cnaPublishedContainer` schema.
pub fn cna_container(advisory: &Advisory, publisher: &Publisher) -> Result<Value, ExportError> {
    Ok(json!({ "cnaContainer": container(advisory, publisher)? }))
}

fn ids(advisory: &Advisory, publisher: &Publisher) -> Result<(String, String), ExportError> {
    let cve = advisory.cve.clone().ok_or_else(|| ExportError::NoCveId {
        advisory: advisory.id.clone(),
    })?;
    let org = publisher
        .cna_org_id
        .ok_or_else(|| ExportError::NoCnaOrgId {
            publisher: publisher.name.clone(),
        })?;
    Ok((cve, org.hyphenated().to_string()))
}

fn updated(advisory: &Advisory) -> String {
    advisory
        .current_revision()
        .map_or(advisory.published, |r| r.date)
        .to_string()
}

fn text(value: &str, field: &'static str) -> Result<Value, ExportError> {
    let len = value.chars().count();
    if len > DESCRIPTION_MAX {
        return Err(ExportError::TooLong {
            field,
            len,
            max: DESCRIPTION_MAX,
        });
    }
    Ok(json!({
        "lang": "en",
        "value": value,
        "supportingMedia": [{ "type": "text/markdown", "base64": false, "value": value }],
    }))
}

fn container(advisory: &Advisory, publisher: &Publisher) -> Result<Value, ExportError> {
    let cvss = common::validate(advisory)?;
    let (_, org_id) = ids(advisory, publisher)?;
    let mut cna = Map::new();

    let mut provider = Map::new();
    provider.insert("orgId".into(), json!(org_id));
    if let Some(short) = &publisher.cna_short_name {
        provider.insert("shortName".into(), json!(short));
    }
    provider.insert("dateUpdated".into(), json!(updated(advisory)));
    cna.insert("providerMetadata".into(), Value::Object(provider));
    cna.insert("datePublic".into(), json!(advisory.published.to_string()));
    let title_len = advisory.title.chars().count();
    if title_len > 256 {
        return Err(ExportError::TooLong {
            field: "title",
            len: title_len,
            max: 256,
        });
    }
    cna.insert("title".into(), json!(advisory.title));
    cna.insert(
        "descriptions".into(),
        json!([text(&advisory.description_md, "description_md")?]),
    );
    cna.insert("affected".into(), Value::Array(affected(advisory)));

    if !advisory.cwes.is_empty() {
        let descriptions: Vec<Value> = advisory
            .cwes
            .iter()
            .map(|c| {
                json!({
                    "lang": "en",
                    "cweId": c.id,
                    "description": format!("{}: {}", c.id, c.name),
                    "type": "CWE",
                })
            })
            .collect();
        cna.insert(
            "problemTypes".into(),
            json!([{ "descriptions": descriptions }]),
        );
    }

    let references = references(advisory);
    if references.is_empty() {
        return Err(ExportError::Empty {
            field: "references",
        });
    }
    cna.insert("references".into(), Value::Array(references));

    if !cvss.is_empty() {
        cna.insert("metrics".into(), Value::Array(metrics(&cvss)));
    }
    if let Some(w) = &advisory.workarounds_md {
        cna.insert("workarounds".into(), json!([text(w, "workarounds_md")?]));
    }
    if let Some(s) = solution(advisory) {
        cna.insert("solutions".into(), json!([{ "lang": "en", "value": s }]));
    }
    let timeline: Vec<Value> = advisory
        .revisions
        .iter()
        .map(|r| {
            json!({
                "time": r.date.to_string(),
                "lang": "en",
                "value": format!("Revision {}: {}", r.number, r.summary),
            })
        })
        .collect();
    cna.insert("timeline".into(), Value::Array(timeline));
    if !advisory.credits.is_empty() {
        let credits: Vec<Value> = advisory
            .credits
            .iter()
            .map(|c| json!({ "lang": "en", "value": c.name, "type": c.kind.cve() }))
            .collect();
        cna.insert("credits".into(), Value::Array(credits));
    }
    cna.insert(
        "source".into(),
        json!({ "advisory": advisory.id, "discovery": "UNKNOWN" }),
    );
    cna.insert(
        "x_generator".into(),
        json!({ "engine": format!("{GENERATOR} {GENERATOR_VERSION}") }),
    );
    Ok(Value::Object(cna))
}

fn version_type(version: &str) -> &'static str {
    if is_semver(version) {
        "semver"
    } else {
        "custom"
    }
}

fn affected(advisory: &Advisory) -> Vec<Value> {
    let mut out = Vec::new();
    for product in &advisory.products {
        for edition in &product.editions {
            let mut versions = Vec::new();
            for l in &edition.lines {
                let end = line_wildcard(&l.line);
                let first = common::introduced(l).unwrap_or_else(|| l.line.clone());
                let kind = version_type(&first);
                match (&l.status, common::released_fix(l)) {
                    (Status::Affected | Status::Fixed, Some(fixed)) => {
                        versions.push(json!({
                            "version": first, "lessThan": fixed,
                            "status": "affected", "versionType": kind,
                        }));
                        versions.push(json!({
                            "version": fixed, "lessThanOrEqual": end,
                            "status": "unaffected", "versionType": version_type(fixed),
                        }));
                    }
                    (Status::Affected | Status::Fixed, None) => versions.push(json!({
                        "version": first, "lessThanOrEqual": end,
                        "status": "affected", "versionType": kind,
                    })),
                    (Status::NotAffected { .. }, _) => versions.push(json!({
                        "version": first, "lessThanOrEqual": end,
                        "status": "unaffected", "versionType": kind,
                    })),
                    (Status::UnderInvestigation, _) => versions.push(json!({
                        "version": first, "lessThanOrEqual": end,
                        "status": "unknown", "versionType": kind,
                    })),
                }
            }
            let mut entry = Map::new();
            entry.insert("vendor".into(), json!(advisory.vendor));
            entry.insert(
                "product".into(),
                json!(edition_product_name(&product.name, &edition.name)),
            );
            if !versions.is_empty() {
                entry.insert("versions".into(), Value::Array(versions));
            }
            entry.insert("defaultStatus".into(), json!("unknown"));
            out.push(Value::Object(entry));
        }
    }
    out
}

/// One sentence per fixed line: "Widget (enterprise edition) 3.4.x: update to 3.4.5 or later."
fn solution(advisory: &Advisory) -> Option<String> {
    let mut sentences = Vec::new();
    for product in &advisory.products {
        for edition in &product.editions {
            for l in edition.lines.iter().filter(|l| is_affected(l)) {
                if let Some(fixed) = common::released_fix(l) {
                    sentences.push(format!(
                        "{} {}: update to {fixed} or later.",
                        edition_product_name(&product.name, &edition.name),
                        l.line
                    ));
                }
            }
        }
    }
    (!sentences.is_empty()).then(|| sentences.join("\n"))
}

fn reference_tag(kind: ReferenceKind, upstream: bool) -> Option<&'static str> {
    match kind {
        ReferenceKind::Advisory if upstream => Some("third-party-advisory"),
        ReferenceKind::Advisory => Some("vendor-advisory"),
        ReferenceKind::Patch => Some("patch"),
        ReferenceKind::Report => Some("issue-tracking"),
        ReferenceKind::Article => Some("technical-description"),
        ReferenceKind::ReleaseNotes => Some("release-notes"),
        ReferenceKind::Web => None,
    }
}

fn references(advisory: &Advisory) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut push = |url: &str, name: Option<&str>, tag: Option<&str>| {
        if out.iter().any(|r| r["url"] == url) {
            return;
        }
        let mut r = Map::new();
        r.insert("url".into(), json!(url));
        if let Some(n) = name {
            r.insert("name".into(), json!(n));
        }
        if let Some(t) = tag {
            r.insert("tags".into(), json!([t]));
        }
        out.push(Value::Object(r));
    };
    for r in &advisory.references {
        push(&r.url, r.name.as_deref(), reference_tag(r.kind, false));
    }
    if let Some(u) = &advisory.upstream {
        let name = format!("{} advisory", u.project);
        push(
            &u.advisory_url,
            Some(&name),
            reference_tag(ReferenceKind::Advisory, true),
        );
    }
    out
}

fn metrics(cvss: &[Cvss]) -> Vec<Value> {
    cvss.iter()
        .map(|c| {
            let key = match c {
                Cvss::V2(_) => "cvssV2_0",
                Cvss::V30(_) => "cvssV3_0",
                Cvss::V31(_) => "cvssV3_1",
                Cvss::V40(_) => "cvssV4_0",
            };
            let mut m = Map::new();
            m.insert("format".into(), json!("CVSS"));
            m.insert(
                "scenarios".into(),
                json!([{ "lang": "en", "value": "GENERAL" }]),
            );
            m.insert(key.into(), cvss_json::object(c));
            Value::Object(m)
        })
        .collect()
}
