//! Upstream advisories in: OSV records and CVE JSON 5 records.
//!
//! [`ImportedAdvisory`] is richer than [`crate::Advisory`]: it keeps every
//! id, alias, affected package or product, range and event (`introduced`,
//! `fixed`, `last_affected`, `limit`), versions list, CVE version entry (with
//! `lessThan`, `lessThanOrEqual` and `changes`), severity vector or score,
//! reference and credit, in source order, so nothing the source states is
//! lost. CVE records contribute their CNA container and every ADP container
//! (e.g. CISA-ADP's CVSS scores and CWEs), each item tagged with its source.
//!
//! Malformed input fails with an [`ImportError`] that names the JSON Pointer
//! of the value at fault. Unknown fields are ignored, as both formats ask.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

/// Where the advisory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Osv,
    Cve,
}

/// An upstream advisory, as stated by its source.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportedAdvisory {
    pub format: Format,
    /// OSV `id` or CVE `cveMetadata.cveId`.
    pub id: String,
    /// OSV `schema_version` or CVE `dataVersion`.
    pub schema_version: Option<String>,
    /// CVE `cveMetadata.state` (`PUBLISHED`, `REJECTED`); `None` for OSV.
    pub state: Option<String>,
    /// CVE `assignerShortName`; `None` for OSV.
    pub assigner: Option<String>,
    pub aliases: Vec<String>,
    pub related: Vec<String>,
    pub upstream: Vec<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// OSV `details`; CVE English descriptions (or rejection reasons), joined by blank lines.
    pub details: Option<String>,
    pub published: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    pub withdrawn: Option<Timestamp>,
    /// Record-level severities (OSV `severity`, CVE `metrics`).
    pub severity: Vec<Severity>,
    /// CWE ids (CVE `problemTypes`, OSV `database_specific.cwe_ids`).
    pub cwes: Vec<String>,
    pub affected: Vec<Affected>,
    pub references: Vec<ImportedReference>,
    pub credits: Vec<ImportedCredit>,
}

/// A severity statement: a CVSS vector with its score when the source gives one,
/// or another scoring system's value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Severity {
    /// OSV `type` (`CVSS_V3`, `CVSS_V4`, `Ubuntu`…) or CVE metric key (`cvssV3_1`, `other`…).
    pub kind: String,
    /// The CVSS vector string, or OSV's score string for non-CVSS types.
    pub vector: Option<String>,
    pub base_score: Option<f64>,
    pub base_severity: Option<String>,
    /// For CVE `other` metrics: the `other` object as given.
    pub other: Option<Value>,
    /// `cna`, `adp:<shortName>` or `osv`.
    pub source: String,
}

/// One affected package (OSV) or product (CVE).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Affected {
    /// `cna` or `adp:<shortName>` for CVE; `osv` for OSV.
    pub source: String,
    /// OSV `package.ecosystem`.
    pub ecosystem: Option<String>,
    /// OSV `package.name`, CVE `packageName`.
    pub package: Option<String>,
    pub purl: Option<String>,
    /// CVE `vendor`, `product`, `collectionURL`, `repo`.
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub collection_url: Option<String>,
    pub repo: Option<String>,
    pub cpes: Vec<String>,
    pub platforms: Vec<String>,
    pub modules: Vec<String>,
    pub program_files: Vec<String>,
    /// CVE `defaultStatus`.
    pub default_status: Option<String>,
    /// OSV `ranges`.
    pub ranges: Vec<Range>,
    /// OSV `versions`.
    pub versions: Vec<String>,
    /// CVE `versions`.
    pub version_entries: Vec<VersionEntry>,
    /// OSV `affected[].severity`.
    pub severity: Vec<Severity>,
    pub ecosystem_specific: Option<Value>,
    pub database_specific: Option<Value>,
}

/// An OSV range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    pub kind: String,
    pub repo: Option<String>,
    pub events: Vec<Event>,
    pub database_specific: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "event", content = "value")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// A CVE `affected[].versions[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VersionEntry {
    pub version: String,
    pub status: String,
    pub version_type: Option<String>,
    pub less_than: Option<String>,
    pub less_than_or_equal: Option<String>,
    /// `(at, status)` pairs.
    pub changes: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportedReference {
    pub url: String,
    pub name: Option<String>,
    /// OSV `type` or CVE `tags`.
    pub kinds: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportedCredit {
    pub name: String,
    pub kind: Option<String>,
    pub contact: Vec<String>,
    pub source: String,
}

/// Malformed input, with the JSON Pointer of the value at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("{path}: required field is missing")]
    Missing { path: String },
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: invalid timestamp {value:?}")]
    InvalidTimestamp { path: String, value: String },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value with its JSON Pointer, for error messages.
#[derive(Clone, Copy)]
struct At<'a> {
    v: &'a Value,
    path: &'a str,
}

impl<'a> At<'a> {
    fn wrong(&self, expected: &'static str) -> ImportError {
        ImportError::WrongType {
            path: self.path.to_owned(),
            expected,
            found: kind_of(self.v),
        }
    }

    fn object(&self) -> Result<&'a Map<String, Value>, ImportError> {
        self.v.as_object().ok_or_else(|| self.wrong("an object"))
    }

    fn field(&self, key: &str) -> Result<Option<(&'a Value, String)>, ImportError> {
        let o = self.object()?;
        Ok(o.get(key)
            .filter(|v| !v.is_null())
            .map(|v| (v, format!("{}/{}", self.path, key))))
    }

    fn opt_str(&self, key: &str) -> Result<Option<String>, ImportError> {
        match self.field(key)? {
            None => Ok(None),
            Some((v, path)) => v
                .as_str()
                .map(|s| Some(s.to_owned()))
                .ok_or_else(|| At { v, path: &path }.wrong("a string")),
        }
    }

    fn req_str(&self, key: &str) -> Result<String, ImportError> {
        self.opt_str(key)?.ok_or_else(|| ImportError::Missing {
            path: format!("{}/{}", self.path, key),
        })
    }

    /// The items of an optional array, each with its path.
    fn items(&self, key: &str) -> Result<Vec<(&'a Value, String)>, ImportError> {
        match self.field(key)? {
            None => Ok(Vec::new()),
            Some((v, path)) => {
                let a = v
                    .as_array()
                    .ok_or_else(|| At { v, path: &path }.wrong("an array"))?;
                Ok(a.iter()
                    .enumerate()
                    .map(|(i, item)| (item, format!("{path}/{i}")))
                    .collect())
            }
        }
    }

    fn str_list(&self, key: &str) -> Result<Vec<String>, ImportError> {
        self.items(key)?
            .into_iter()
            .map(|(v, path)| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| At { v, path: &path }.wrong("a string"))
            })
            .collect()
    }

    fn opt_time(&self, key: &str) -> Result<Option<Timestamp>, ImportError> {
        let Some(s) = self.opt_str(key)? else {
            return Ok(None);
        };
        parse_time(&s)
            .map(Some)
            .ok_or_else(|| ImportError::InvalidTimestamp {
                path: format!("{}/{}", self.path, key),
                value: s,
            })
    }

    fn opt_number(&self, key: &str) -> Result<Option<f64>, ImportError> {
        match self.field(key)? {
            None => Ok(None),
            Some((v, path)) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| At { v, path: &path }.wrong("a number")),
        }
    }

    fn opt_object(&self, key: &str) -> Result<Option<Value>, ImportError> {
        match self.field(key)? {
            None => Ok(None),
            Some((v, path)) if v.is_object() => {
                let _ = path;
                Ok(Some(v.clone()))
            }
            Some((v, path)) => Err(At { v, path: &path }.wrong("an object")),
        }
    }
}

/// RFC 3339; also the zone-less timestamps of old CVE records, read as UTC.
fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok().or_else(|| {
        s.parse::<DateTime>()
            .ok()
            .and_then(|dt| TimeZone::UTC.to_timestamp(dt).ok())
    })
}

/// Imports an OSV record.
pub fn from_osv(json: &Value) -> Result<ImportedAdvisory, ImportError> {
    let root = At { v: json, path: "" };
    root.object()?;
    let mut affected = Vec::new();
    for (a, path) in root.items("affected")? {
        let at = At { v: a, path: &path };
        at.object()?;
        let mut item = Affected {
            source: "osv".into(),
            ..Affected::default()
        };
        if let Some((p, ppath)) = at.field("package")? {
            let pkg = At { v: p, path: &ppath };
            item.ecosystem = Some(pkg.req_str("ecosystem")?);
            item.package = Some(pkg.req_str("name")?);
            item.purl = pkg.opt_str("purl")?;
        }
        for (r, rpath) in at.items("ranges")? {
            let rat = At { v: r, path: &rpath };
            let mut events = Vec::new();
            for (e, epath) in rat.items("events")? {
                let eat = At { v: e, path: &epath };
                let obj = eat.object()?;
                let mut found = Vec::new();
                for (key, make) in [
                    ("introduced", Event::Introduced as fn(String) -> Event),
                    ("fixed", Event::Fixed),
                    ("last_affected", Event::LastAffected),
                    ("limit", Event::Limit),
                ] {
                    if obj.contains_key(key) {
                        found.push(make(eat.req_str(key)?));
                    }
                }
                if found.len() != 1 {
                    return Err(ImportError::Invalid {
                        path: epath,
                        reason: format!(
                            "an event has exactly one of introduced, fixed, last_affected, limit; found {}",
                            found.len()
                        ),
                    });
                }
                events.extend(found);
            }
            item.ranges.push(Range {
                kind: rat.req_str("type")?,
                repo: rat.opt_str("repo")?,
                events,
                database_specific: rat.opt_object("database_specific")?,
            });
        }
        item.versions = at.str_list("versions")?;
        item.severity = osv_severity(&at)?;
        item.ecosystem_specific = at.opt_object("ecosystem_specific")?;
        item.database_specific = at.opt_object("database_specific")?;
        affected.push(item);
    }
    let mut references = Vec::new();
    for (r, path) in root.items("references")? {
        let at = At { v: r, path: &path };
        references.push(ImportedReference {
            url: at.req_str("url")?,
            name: None,
            kinds: at.opt_str("type")?.into_iter().collect(),
            source: "osv".into(),
        });
    }
    let mut credits = Vec::new();
    for (c, path) in root.items("credits")? {
        let at = At { v: c, path: &path };
        credits.push(ImportedCredit {
            name: at.req_str("name")?,
            kind: at.opt_str("type")?,
            contact: at.str_list("contact")?,
            source: "osv".into(),
        });
    }
    let mut cwes = Vec::new();
    if let Some((db, path)) = root.field("database_specific")? {
        let at = At { v: db, path: &path };
        if at.object()?.get("cwe_ids").is_some_and(Value::is_array) {
            cwes = at.str_list("cwe_ids")?;
        }
    }
    Ok(ImportedAdvisory {
        format: Format::Osv,
        id: root.req_str("id")?,
        schema_version: root.opt_str("schema_version")?,
        state: None,
        assigner: None,
        aliases: root.str_list("aliases")?,
        related: root.str_list("related")?,
        upstream: root.str_list("upstream")?,
        title: None,
        summary: root.opt_str("summary")?,
        details: root.opt_str("details")?,
        published: root.opt_time("published")?,
        modified: Some(
            root.opt_time("modified")?
                .ok_or_else(|| ImportError::Missing {
                    path: "/modified".into(),
                })?,
        ),
        withdrawn: root.opt_time("withdrawn")?,
        severity: osv_severity(&root)?,
        cwes,
        affected,
        references,
        credits,
    })
}

fn osv_severity(at: &At<'_>) -> Result<Vec<Severity>, ImportError> {
    at.items("severity")?
        .into_iter()
        .map(|(s, path)| {
            let sat = At { v: s, path: &path };
            Ok(Severity {
                kind: sat.req_str("type")?,
                vector: Some(sat.req_str("score")?),
                base_score: None,
                base_severity: None,
                other: None,
                source: "osv".into(),
            })
        })
        .collect()
}

/// Imports a CVE JSON 5 record (published or rejected).
pub fn from_cve(json: &Value) -> Result<ImportedAdvisory, ImportError> {
    let root = At { v: json, path: "" };
    let (meta, meta_path) = root
        .field("cveMetadata")?
        .ok_or_else(|| ImportError::Missing {
            path: "/cveMetadata".into(),
        })?;
    let meta = At {
        v: meta,
        path: &meta_path,
    };
    let (containers, cpath) = root
        .field("containers")?
        .ok_or_else(|| ImportError::Missing {
            path: "/containers".into(),
        })?;
    let containers = At {
        v: containers,
        path: &cpath,
    };
    let (cna, cna_path) = containers
        .field("cna")?
        .ok_or_else(|| ImportError::Missing {
            path: format!("{cpath}/cna"),
        })?;
    let cna = At {
        v: cna,
        path: &cna_path,
    };

    let mut out = ImportedAdvisory {
        format: Format::Cve,
        id: meta.req_str("cveId")?,
        schema_version: root.opt_str("dataVersion")?,
        state: Some(meta.req_str("state")?),
        assigner: meta.opt_str("assignerShortName")?,
        aliases: Vec::new(),
        related: Vec::new(),
        upstream: Vec::new(),
        title: cna.opt_str("title")?,
        summary: None,
        details: None,
        published: meta.opt_time("datePublished")?,
        modified: meta.opt_time("dateUpdated")?,
        withdrawn: meta.opt_time("dateRejected")?,
        severity: Vec::new(),
        cwes: Vec::new(),
        affected: Vec::new(),
        references: Vec::new(),
        credits: Vec::new(),
    };
    let mut texts = Vec::new();
    for key in ["descriptions", "rejectedReasons"] {
        for (d, path) in cna.items(key)? {
            let at = At { v: d, path: &path };
            if at.req_str("lang")?.starts_with("en") {
                texts.push(at.req_str("value")?);
            }
        }
    }
    if !texts.is_empty() {
        out.details = Some(texts.join("\n\n"));
    }
    cve_container(&cna, "cna".into(), &mut out)?;
    for (adp, path) in containers.items("adp")? {
        let at = At {
            v: adp,
            path: &path,
        };
        let short = match at.field("providerMetadata")? {
            Some((p, ppath)) => At { v: p, path: &ppath }.opt_str("shortName")?,
            None => None,
        };
        let source = format!("adp:{}", short.as_deref().unwrap_or("unknown"));
        cve_container(&at, source, &mut out)?;
    }
    Ok(out)
}

/// What a CNA or ADP container contributes: affected, metrics, CWEs, references, credits.
fn cve_container(
    c: &At<'_>,
    source: String,
    out: &mut ImportedAdvisory,
) -> Result<(), ImportError> {
    for (a, path) in c.items("affected")? {
        let at = At { v: a, path: &path };
        at.object()?;
        let mut entries = Vec::new();
        for (v, vpath) in at.items("versions")? {
            let vat = At { v, path: &vpath };
            let mut changes = Vec::new();
            for (ch, chpath) in vat.items("changes")? {
                let cat = At {
                    v: ch,
                    path: &chpath,
                };
                changes.push((cat.req_str("at")?, cat.req_str("status")?));
            }
            entries.push(VersionEntry {
                version: vat.req_str("version")?,
                status: vat.req_str("status")?,
                version_type: vat.opt_str("versionType")?,
                less_than: vat.opt_str("lessThan")?,
                less_than_or_equal: vat.opt_str("lessThanOrEqual")?,
                changes,
            });
        }
        let routines = at.items("programRoutines")?;
        let _ = routines;
        out.affected.push(Affected {
            source: source.clone(),
            package: at.opt_str("packageName")?,
            purl: at.opt_str("packageURL")?,
            vendor: at.opt_str("vendor")?,
            product: at.opt_str("product")?,
            collection_url: at.opt_str("collectionURL")?,
            repo: at.opt_str("repo")?,
            cpes: at.str_list("cpes")?,
            platforms: at.str_list("platforms")?,
            modules: at.str_list("modules")?,
            program_files: at.str_list("programFiles")?,
            default_status: at.opt_str("defaultStatus")?,
            version_entries: entries,
            ..Affected::default()
        });
    }
    for (m, path) in c.items("metrics")? {
        let at = At { v: m, path: &path };
        let obj = at.object()?;
        for key in ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"] {
            if let Some((v, vpath)) = at.field(key)? {
                let vat = At { v, path: &vpath };
                out.severity.push(Severity {
                    kind: key.into(),
                    vector: Some(vat.req_str("vectorString")?),
                    base_score: vat.opt_number("baseScore")?,
                    base_severity: vat.opt_str("baseSeverity")?,
                    other: None,
                    source: source.clone(),
                });
            }
        }
        if let Some(other) = obj.get("other") {
            let oat = At {
                v: other,
                path: &format!("{path}/other"),
            };
            out.severity.push(Severity {
                kind: format!("other:{}", oat.req_str("type")?),
                vector: None,
                base_score: None,
                base_severity: None,
                other: oat.opt_object("content")?,
                source: source.clone(),
            });
        }
    }
    for (p, path) in c.items("problemTypes")? {
        let at = At { v: p, path: &path };
        for (d, dpath) in at.items("descriptions")? {
            let dat = At { v: d, path: &dpath };
            if let Some(cwe) = dat.opt_str("cweId")?
                && !out.cwes.contains(&cwe)
            {
                out.cwes.push(cwe);
            }
        }
    }
    for (r, path) in c.items("references")? {
        let at = At { v: r, path: &path };
        out.references.push(ImportedReference {
            url: at.req_str("url")?,
            name: at.opt_str("name")?,
            kinds: at.str_list("tags")?,
            source: source.clone(),
        });
    }
    for (cr, path) in c.items("credits")? {
        let at = At { v: cr, path: &path };
        out.credits.push(ImportedCredit {
            name: at.req_str("value")?,
            kind: at.opt_str("type")?,
            contact: Vec::new(),
            source: source.clone(),
        });
    }
    Ok(())
}
