//! Published advisories in the exchange formats: CVE JSON 5, OSV and CSAF 2.0.
//!
//! Only a **published** advisory exists here: an advisory still a draft (its case under embargo)
//! is [`ServiceError::NotFound`] to [`model`], [`render`] and [`render_bytes`], whatever id it is
//! asked by, so a public caller learns nothing of it, not even that its CVE id is taken.
//! [`render_as`] is for the team (the CLI): it names the reason instead.
//!
//! Each document is built by `embargo-export` from [`advisories::export_model`] and the
//! publisher of [`App::publisher`]. [`path`] is where a document goes in an export tree or on a
//! web server: `cve/<ID>.json`, `osv/<OSV id>.json` (file name = record id, as osv.dev names
//! them, so a zip of them is what OSV consumers read; see [`zip`]), `csaf/<year>/<id>.json`
//! (the CSAF 2.0 provider layout, section 7.1.11: the year of the initial release, the id in
//! lower case).

use std::io::Write as _;

use anyhow::Context;
use embargo_domain::{Advisory, Role};
use embargo_export::model as export;
use embargo_store::advisories as store;
use jiff::Timestamp;
use serde_json::Value;

use crate::accounts::{Principal, Scope, system_principal};
use crate::{App, ServiceError, advisories, cases};

/// An exchange format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A CVE JSON 5 record (`cveMetadata` + `containers.cna`).
    Cve,
    Osv,
    /// A CSAF 2.0 security advisory with VEX product status.
    Csaf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Cve, Format::Osv, Format::Csaf];

    pub fn parse(s: &str) -> Result<Format, ServiceError> {
        match s.to_ascii_lowercase().as_str() {
            "cve" => Ok(Format::Cve),
            "osv" => Ok(Format::Osv),
            "csaf" => Ok(Format::Csaf),
            other => Err(ServiceError::Invalid {
                field: "format",
                reason: format!("{other:?} is not one of cve, osv, csaf"),
            }),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Cve => "cve",
            Format::Osv => "osv",
            Format::Csaf => "csaf",
        }
    }
}

/// A published advisory, as a listing shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedAdvisory {
    /// `EMB-YYYY-NNNN`.
    pub public_id: String,
    /// Our CVE id, if the case has one.
    pub cve: Option<String>,
    /// The upstream project's ids (e.g. OpenSSL's CVE), for an advisory about a component.
    pub upstream_ids: Vec<String>,
    /// The OSV record id (the publisher's OSV prefix and the public id).
    pub osv_id: String,
    pub revision: u32,
    /// First publication (revision 1).
    pub published_at: Timestamp,
    /// The current revision's date.
    pub modified_at: Timestamp,
    pub title: String,
    pub summary: String,
    /// The CVSS vectors (v3.1 first, then v4.0).
    pub cvss: Vec<String>,
    /// The base score and rating of the first vector, e.g. `(9.8, "Critical")`.
    pub score: Option<(f64, &'static str)>,
    /// Whether a CVE record can be made (it needs a CVE id of ours and a CNA organisation id).
    pub has_cve_record: bool,
}

impl PublishedAdvisory {
    fn from_model(m: &export::Advisory, publisher: &export::Publisher) -> PublishedAdvisory {
        let score = m
            .cvss
            .first()
            .and_then(|v| v.parse::<embargo_cvss::Cvss>().ok())
            .map(|c| (c.base_score().value(), c.severity().as_str()));
        let current = m.current_revision();
        PublishedAdvisory {
            public_id: m.id.clone(),
            cve: m.cve.clone(),
            upstream_ids: m
                .upstream
                .as_ref()
                .map(|u| u.ids.clone())
                .unwrap_or_default(),
            osv_id: format!("{}{}", publisher.osv_id_prefix, m.id),
            revision: current.map_or(1, |r| r.number),
            published_at: m.published,
            modified_at: current.map_or(m.published, |r| r.date),
            title: m.title.clone(),
            summary: m.summary.clone(),
            cvss: m.cvss.clone(),
            score,
            has_cve_record: m.cve.is_some() && publisher.cna_org_id.is_some(),
        }
    }
}

/// The publisher of `m`: the configured one, named after the catalog's vendor when no name is
/// configured.
fn publisher_for(app: &App, m: &export::Advisory) -> export::Publisher {
    let mut p = (*app.publisher).clone();
    if p.name.trim().is_empty() {
        p.name = if m.vendor.trim().is_empty() {
            "Security team".to_owned()
        } else {
            m.vendor.clone()
        };
    }
    p
}

/// Every published advisory, oldest first (by public id).
pub async fn published(app: &App) -> Result<Vec<PublishedAdvisory>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let now = app.clock.now();
    let mut out = Vec::new();
    let mut list = store::list(&mut conn, true).await?;
    list.sort_by(|a, b| a.public_id.cmp(&b.public_id));
    for a in list {
        let m = advisories::export_model(&mut conn, &a, now).await?;
        out.push(PublishedAdvisory::from_model(&m, &publisher_for(app, &m)));
    }
    Ok(out)
}

/// The advisory known as `id`: its public id (`EMB-…`, any case) or our CVE id, or an upstream
/// CVE id it is about. Drafts included; callers decide what to show.
async fn find(
    conn: &mut embargo_store::AnyConnection,
    id: &str,
) -> Result<Option<Advisory>, ServiceError> {
    let id = id.trim();
    if let Some(a) = store::get_by_public_id(conn, &id.to_ascii_uppercase()).await? {
        return Ok(Some(a));
    }
    if !id.to_ascii_uppercase().starts_with("CVE-") {
        return Ok(None);
    }
    let wanted = id.to_ascii_uppercase();
    let mut upstream_match = None;
    for a in store::list(conn, false).await? {
        let case = cases::get_in(conn, &system_principal(), a.case).await?;
        if case.cve.as_ref().is_some_and(|c| c.to_string() == wanted) {
            return Ok(Some(a));
        }
        let upstream = case
            .upstream
            .as_ref()
            .and_then(|u| u.advisory.as_ref())
            .is_some_and(|u| u.eq_ignore_ascii_case(&wanted));
        if upstream && upstream_match.is_none() {
            upstream_match = Some(a);
        }
    }
    Ok(upstream_match)
}

/// The export model of the published advisory `id` (see [`find`]); `NotFound` when there is
/// none or it is not published.
pub async fn model(app: &App, id: &str) -> Result<export::Advisory, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let advisory = find(&mut conn, id)
        .await?
        .filter(|a| a.published().is_some())
        .ok_or(ServiceError::NotFound)?;
    advisories::export_model(&mut conn, &advisory, app.clock.now()).await
}

fn build(app: &App, m: &export::Advisory, format: Format) -> Result<Value, ServiceError> {
    let publisher = publisher_for(app, m);
    let doc = match format {
        Format::Cve => embargo_export::cve::record(m, &publisher),
        Format::Osv => embargo_export::osv::record(m, &publisher),
        Format::Csaf => embargo_export::csaf::document(m, &publisher),
    };
    doc.map_err(|e| ServiceError::Invalid {
        field: "format",
        reason: format!("{} as {}: {e}", m.id, format.as_str()),
    })
}

/// The published advisory `id` as a `format` document. `NotFound` when there is no published
/// advisory of that id; `Invalid { field: "format" }` when the format cannot express it (a CVE
/// record of an advisory without a CVE id of ours, or without a configured CNA organisation id).
pub async fn render(app: &App, id: &str, format: Format) -> Result<Value, ServiceError> {
    let m = model(app, id).await?;
    build(app, &m, format)
}

/// [`render`] as the bytes of the file: pretty-printed JSON and a final newline.
pub async fn render_bytes(app: &App, id: &str, format: Format) -> Result<Vec<u8>, ServiceError> {
    to_bytes(&render(app, id, format).await?)
}

/// [`render`] for the team: an advisory that exists but is not published is refused with a
/// `Conflict` that says so (a draft, and the embargo if set), instead of `NotFound`.
pub async fn render_as(
    app: &App,
    who: &Principal,
    id: &str,
    format: Format,
) -> Result<Value, ServiceError> {
    who.require(Scope::Read)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    match render(app, id, format).await {
        Err(ServiceError::NotFound) => {}
        other => return other,
    }
    let mut conn = app.db.acquire().await?;
    let Some(a) = find(&mut conn, id).await? else {
        return Err(ServiceError::Invalid {
            field: "advisory",
            reason: format!("no advisory {id:?} (give EMB-YYYY-NNNN or a CVE id)"),
        });
    };
    let case = cases::get_in(&mut conn, &system_principal(), a.case).await?;
    let embargo = case
        .embargo
        .map_or_else(|| "no embargo set".to_owned(), |e| format!("embargo {e}"));
    Err(ServiceError::Conflict(format!(
        "advisory {} is not published (a draft; {embargo}): only published advisories are exported",
        a.public_id
    )))
}

/// Pretty-printed JSON with a final newline.
pub fn to_bytes(doc: &Value) -> Result<Vec<u8>, ServiceError> {
    let mut bytes = serde_json::to_vec_pretty(doc).context("printing JSON")?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Where the `format` document of `a` goes in an export tree, `/`-separated.
pub fn path(format: Format, a: &PublishedAdvisory) -> String {
    match format {
        Format::Cve => format!("cve/{}.json", a.public_id),
        Format::Osv => format!("osv/{}.json", a.osv_id),
        Format::Csaf => format!(
            "csaf/{}/{}.json",
            a.published_at
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .year(),
            a.public_id.to_ascii_lowercase()
        ),
    }
}

/// One document of [`all`].
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub public_id: String,
    pub format: Format,
    /// See [`path`].
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A document that could not be made, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub public_id: String,
    pub format: Format,
    pub reason: String,
}

/// Every published advisory in every format. A format that cannot express an advisory (a CVE
/// record needs a CVE id of ours and a CNA organisation id) is skipped with the reason; every
/// other failure is an error. `progress` is called after each advisory with (done, total).
pub async fn all(
    app: &App,
    mut progress: impl FnMut(usize, usize),
) -> Result<(Vec<ExportFile>, Vec<Skipped>), ServiceError> {
    let list = published(app).await?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for (n, a) in list.iter().enumerate() {
        let m = model(app, &a.public_id).await?;
        for format in Format::ALL {
            match build(app, &m, format) {
                Ok(doc) => files.push(ExportFile {
                    public_id: a.public_id.clone(),
                    format,
                    path: path(format, a),
                    bytes: to_bytes(&doc)?,
                }),
                Err(ServiceError::Invalid { reason, .. }) if format == Format::Cve => {
                    skipped.push(Skipped {
                        public_id: a.public_id.clone(),
                        format,
                        reason,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        progress(n + 1, list.len());
    }
    Ok((files, skipped))
}

/// A zip archive (deflate) of `files`, each stored under its file name (the part of its path
/// after the last `/`), in the given order: the form of osv.dev's `all.zip`. Entries carry no
/// timestamp (the zip epoch), so the same documents make the same bytes.
pub fn zip(files: &[&ExportFile]) -> Result<Vec<u8>, ServiceError> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for f in files {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        out.start_file(name, options)
            .with_context(|| format!("adding {name} to the zip"))?;
        out.write_all(&f.bytes)
            .with_context(|| format!("adding {name} to the zip"))?;
    }
    let cursor = out.finish().context("finishing the zip")?;
    Ok(cursor.into_inner())
}
