//! CSAF 2.0 (OASIS Common Security Advisory Framework): a
//! `csaf_security_advisory` document that also carries full VEX product status.
//!
//! We pick `csaf_security_advisory` over `csaf_vex` because the document is
//! the vendor's advisory (description, remediations, scores, credits), and
//! it still answers every VEX question: `known_affected`, `fixed`,
//! `known_not_affected` (each with a VEX justification flag) and
//! `under_investigation` per release line.
//!
//! # Product tree and product ids
//!
//! `vendor` › `product_name` (one per edition, `Widget (enterprise edition)`)
//! › leaves per release line:
//!
//! - a `product_version_range` leaf, in `vers:generic` syntax, for the line's
//!   affected versions (`vers:generic/>=3.4.0|<3.4.5`), or for the whole line
//!   when it is not affected or under investigation (`>=3.4.0|<3.5.0`);
//!   product id `<product>/<edition>/<line>`, e.g. `widget/enterprise/3.4.x`;
//! - a `product_version` leaf for the fixed version, product id
//!   `<product>/<edition>/<line>/<version>`, e.g. `widget/enterprise/3.4.x/3.4.5`.
//!
//! Ids come from names (slugs), not positions, so they stay stable when a
//! revision adds a product, edition or line, and they are unique because a
//! line appears once per edition.
//!
//! # What CSAF 2.0 cannot hold
//!
//! CSAF 2.0 scores know CVSS v2 and v3.x only: a v4.0 vector goes into a
//! vulnerability note (category `other`, title `CVSS v4.0`) with its score.
//! `cwe` holds one weakness: further CWEs go into a note as well. TLP 2.0
//! CLEAR is written as CSAF 2.0's `WHITE`, its TLP 1.0 equivalent.

pub mod mandatory;

use embargo_cvss::Cvss;
use serde_json::{Map, Value, json};

use crate::common::{self, edition_product_name, is_affected, line_first, line_next, slug};
use crate::model::{Advisory, LineStatus, Publisher, Status, Tlp};
use crate::{ExportError, GENERATOR, GENERATOR_VERSION, cvss_json};

pub const CATEGORY: &str = "csaf_security_advisory";

/// Product ids of one release line.
struct LineIds {
    /// The line's range leaf.
    range: String,
    /// The fixed-version leaf.
    fixed: Option<String>,
}

/// A CSAF 2.0 security advisory for the advisory.
pub fn document(advisory: &Advisory, publisher: &Publisher) -> Result<Value, ExportError> {
    let cvss = common::validate(advisory)?;
    let mut branches = Vec::new();
    // (line, ids) in document order, for the vulnerability's product status.
    let mut lines: Vec<(&LineStatus, LineIds)> = Vec::new();
    for product in &advisory.products {
        for edition in &product.editions {
            let name = edition_product_name(&product.name, &edition.name);
            let full = format!("{} {}", advisory.vendor, name);
            let mut leaves = Vec::new();
            for l in &edition.lines {
                let range_id = format!(
                    "{}/{}/{}",
                    slug(&product.name),
                    slug(&edition.name),
                    slug(&l.line)
                );
                leaves.push(range_leaf(l, &full, &range_id));
                let fixed = match common::released_fix(l) {
                    Some(version) => {
                        let id = format!("{range_id}/{version}");
                        leaves.push(json!({
                            "category": "product_version",
                            "name": version,
                            "product": { "name": format!("{full} {version}"), "product_id": id },
                        }));
                        Some(id)
                    }
                    _ => None,
                };
                lines.push((
                    l,
                    LineIds {
                        range: range_id,
                        fixed,
                    },
                ));
            }
            if !leaves.is_empty() {
                branches
                    .push(json!({ "category": "product_name", "name": name, "branches": leaves }));
            }
        }
    }
    let mut doc = Map::new();
    doc.insert("document".into(), document_meta(advisory, publisher, &cvss));
    if !branches.is_empty() {
        doc.insert(
            "product_tree".into(),
            json!({ "branches": [{ "category": "vendor", "name": advisory.vendor, "branches": branches }] }),
        );
    }
    doc.insert(
        "vulnerabilities".into(),
        json!([vulnerability(advisory, publisher, &cvss, &lines)]),
    );
    Ok(Value::Object(doc))
}

/// The leaf for a line's affected versions (or the whole line).
fn range_leaf(l: &LineStatus, full: &str, id: &str) -> Value {
    let from = if is_affected(l) {
        common::introduced(l)
    } else {
        line_first(&l.line)
    };
    let to = match common::released_fix(l) {
        Some(fixed) => Some(fixed.clone()),
        None => line_next(&l.line),
    };
    let constraints: Vec<String> = from
        .map(|f| format!(">={f}"))
        .into_iter()
        .chain(to.map(|t| format!("<{t}")))
        .collect();
    if constraints.is_empty() {
        // Not a numeric line: name the line itself.
        return json!({
            "category": "product_version",
            "name": l.line,
            "product": { "name": format!("{full} {}", l.line), "product_id": id },
        });
    }
    let vers = format!("vers:generic/{}", constraints.join("|"));
    json!({
        "category": "product_version_range",
        "name": vers,
        "product": { "name": format!("{full} {vers}"), "product_id": id },
    })
}

fn document_meta(advisory: &Advisory, publisher: &Publisher, cvss: &[Cvss]) -> Value {
    let mut d = Map::new();
    d.insert("category".into(), json!(CATEGORY));
    d.insert("csaf_version".into(), json!("2.0"));
    d.insert("lang".into(), json!("en"));
    d.insert("title".into(), json!(advisory.title));
    d.insert(
        "publisher".into(),
        json!({
            "category": "vendor",
            "name": publisher.name,
            "namespace": publisher.namespace_url,
            "contact_details": publisher.contact,
        }),
    );
    let (label, text) = match advisory.tlp {
        Tlp::Clear => ("WHITE", "TLP:CLEAR"),
    };
    d.insert(
        "distribution".into(),
        json!({ "text": text, "tlp": { "label": label, "url": "https://www.first.org/tlp/" } }),
    );
    if let Some(c) = common::headline(cvss) {
        d.insert(
            "aggregate_severity".into(),
            json!({ "text": c.severity().as_str() }),
        );
    }
    d.insert(
        "notes".into(),
        json!([{ "category": "summary", "title": "Summary", "text": advisory.summary }]),
    );
    let mut refs: Vec<Value> = advisory
        .references
        .iter()
        .map(|r| {
            json!({
                "category": "external",
                "summary": r.name.clone().unwrap_or_else(|| r.url.clone()),
                "url": r.url,
            })
        })
        .collect();
    if let Some(u) = &advisory.upstream
        && !advisory.references.iter().any(|r| r.url == u.advisory_url)
    {
        refs.push(json!({
            "category": "external",
            "summary": format!("{} advisory", u.project),
            "url": u.advisory_url,
        }));
    }
    if !refs.is_empty() {
        d.insert("references".into(), Value::Array(refs));
    }
    let history: Vec<Value> = advisory
        .revisions
        .iter()
        .map(|r| json!({ "date": r.date.to_string(), "number": r.number.to_string(), "summary": r.summary }))
        .collect();
    let current = advisory.current_revision();
    d.insert(
        "tracking".into(),
        json!({
            "id": advisory.id,
            "status": "final",
            "version": current.map_or_else(|| "1".to_owned(), |r| r.number.to_string()),
            "initial_release_date": advisory.published.to_string(),
            "current_release_date": current.map_or(advisory.published, |r| r.date).to_string(),
            "revision_history": history,
            "generator": { "engine": { "name": GENERATOR, "version": GENERATOR_VERSION } },
        }),
    );
    Value::Object(d)
}

fn ids_where<'a>(
    lines: &'a [(&LineStatus, LineIds)],
    pick: impl Fn(&LineStatus, &'a LineIds) -> Option<&'a String>,
) -> Vec<&'a String> {
    lines.iter().filter_map(|(l, ids)| pick(l, ids)).collect()
}

fn vulnerability(
    advisory: &Advisory,
    publisher: &Publisher,
    cvss: &[Cvss],
    lines: &[(&LineStatus, LineIds)],
) -> Value {
    let mut v = Map::new();
    if let Some(cve) = advisory.any_cve() {
        v.insert("cve".into(), json!(cve));
    }
    let mut ids = vec![json!({ "system_name": publisher.name, "text": advisory.id })];
    for a in &advisory.aliases {
        if Some(a.as_str()) != advisory.any_cve() {
            let system = a.split('-').next().unwrap_or(a);
            ids.push(json!({ "system_name": system, "text": a }));
        }
    }
    v.insert("ids".into(), Value::Array(ids));
    v.insert("title".into(), json!(advisory.title));
    v.insert("release_date".into(), json!(advisory.published.to_string()));
    if let Some(first) = advisory.cwes.first() {
        v.insert("cwe".into(), json!({ "id": first.id, "name": first.name }));
    }

    let mut notes = vec![json!({
        "category": "description",
        "title": "Description",
        "text": advisory.description_md,
    })];
    if advisory.cwes.len() > 1 {
        let more: Vec<String> = advisory.cwes[1..]
            .iter()
            .map(|c| format!("{}: {}", c.id, c.name))
            .collect();
        notes.push(
            json!({ "category": "other", "title": "Further weaknesses", "text": more.join("\n") }),
        );
    }
    for c in cvss.iter().filter(|c| matches!(c, Cvss::V40(_))) {
        notes.push(json!({
            "category": "other",
            "title": "CVSS v4.0",
            "text": format!(
                "{c} (score {}, {}). CSAF 2.0 has no field for CVSS v4.0, so this note carries the vector.",
                c.score(),
                c.severity()
            ),
        }));
    }
    v.insert("notes".into(), Value::Array(notes));

    let affected = ids_where(lines, |l, ids| is_affected(l).then_some(&ids.range));
    let fixed = ids_where(lines, |_, ids| ids.fixed.as_ref());
    let not_affected = ids_where(lines, |l, ids| {
        matches!(l.status, Status::NotAffected { .. }).then_some(&ids.range)
    });
    let investigating = ids_where(lines, |l, ids| {
        (l.status == Status::UnderInvestigation).then_some(&ids.range)
    });
    let mut status = Map::new();
    for (key, list) in [
        ("known_affected", &affected),
        ("fixed", &fixed),
        ("known_not_affected", &not_affected),
        ("under_investigation", &investigating),
    ] {
        if !list.is_empty() {
            status.insert(key.into(), json!(list));
        }
    }
    v.insert("product_status".into(), Value::Object(status));

    let mut remediations = Vec::new();
    for (l, ids) in lines.iter().filter(|(l, _)| is_affected(l)) {
        match (common::released_fix(l), &l.fixed_in) {
            (Some(version), _) => remediations.push(json!({
                "category": "vendor_fix",
                "details": format!("Update release line {} to {version} or later.", l.line),
                "product_ids": [ids.range],
            })),
            (None, Some(planned)) => remediations.push(json!({
                "category": "none_available",
                "details": format!("No fixed version is available yet; the fix is planned for {planned}."),
                "product_ids": [ids.range],
            })),
            (None, None) => {}
        }
    }
    let unfixed = ids_where(lines, |l, ids| {
        (is_affected(l) && l.fixed_in.is_none()).then_some(&ids.range)
    });
    if !unfixed.is_empty() {
        remediations.push(json!({
            "category": "none_available",
            "details": "No fixed version is available yet.",
            "product_ids": unfixed,
        }));
    }
    if let (Some(w), false) = (&advisory.workarounds_md, affected.is_empty()) {
        remediations
            .push(json!({ "category": "workaround", "details": w, "product_ids": affected }));
    }
    if !remediations.is_empty() {
        v.insert("remediations".into(), Value::Array(remediations));
    }

    if !affected.is_empty() {
        let scores: Vec<Value> = cvss
            .iter()
            .filter_map(|c| {
                let key = match c {
                    Cvss::V2(_) => "cvss_v2",
                    Cvss::V30(_) | Cvss::V31(_) => "cvss_v3",
                    Cvss::V40(_) => return None,
                };
                Some(json!({ key: cvss_json::object(c), "products": affected }))
            })
            .collect();
        if !scores.is_empty() {
            v.insert("scores".into(), Value::Array(scores));
        }
    }

    // One flag per justification, so no product carries two (test 6.1.33).
    let mut flags: Vec<(&'static str, Vec<&String>)> = Vec::new();
    let mut threats = Vec::new();
    if !affected.is_empty() {
        threats.push(
            json!({ "category": "impact", "details": advisory.summary, "product_ids": affected }),
        );
    }
    for (l, ids) in lines {
        if let Status::NotAffected { justification } = &l.status {
            let code = justification.code();
            match flags.iter_mut().find(|(c, _)| *c == code) {
                Some((_, list)) => list.push(&ids.range),
                None => flags.push((code, vec![&ids.range])),
            }
            threats.push(json!({
                "category": "impact",
                "details": justification.explanation(),
                "product_ids": [ids.range],
            }));
        }
    }
    if !flags.is_empty() {
        let flags: Vec<Value> = flags
            .into_iter()
            .map(|(label, ids)| json!({ "label": label, "product_ids": ids }))
            .collect();
        v.insert("flags".into(), Value::Array(flags));
    }
    if !threats.is_empty() {
        v.insert("threats".into(), Value::Array(threats));
    }
    if !advisory.credits.is_empty() {
        let acks: Vec<Value> = advisory
            .credits
            .iter()
            .map(|c| json!({ "names": [c.name], "summary": c.kind.cve() }))
            .collect();
        v.insert("acknowledgments".into(), Value::Array(acks));
    }
    Value::Object(v)
}
