//! The public side of published advisories: what anyone may read without an account. The web
//! pages, the JSON exports at stable URLs, the Atom feed and the CSAF provider folder all come
//! from here.
//!
//! **Only published advisories exist here.** Every function starts from [`published_at_now`]
//! (or checks the one advisory it loads the same way): an advisory whose first publication is
//! not at or before the clock's now (a draft, or anything else) is [`ServiceError::NotFound`],
//! exactly like an id that was never used. Nothing here can tell the two apart, so nothing
//! here can leak an embargo.
//!
//! Documents are built with [`advisories::export_model`] and `embargo-export`, and serialized
//! one way ([`to_bytes`]), so a document, its hashes and its signature always agree.
//! Signatures of CSAF documents are made once per document content and key and kept in
//! `document_signatures` ([`csaf_signature`]): repeated requests get the same `.asc`, a new
//! revision or a new team key gets a new one.

use anyhow::Context;
use embargo_cvss::{Cvss, Severity};
use embargo_export::model as export;
use embargo_export::{ExportError, Publisher};
use embargo_store::AnyConnection;
use embargo_store::advisories as store;
use jiff::Timestamp;
use sha2::{Digest, Sha256, Sha512};
use uuid::Uuid;

use crate::advisories;
use crate::{App, ServiceError};

/// One CVSS vector of an advisory, scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// `"3.1"`, `"4.0"`, …
    pub version: &'static str,
    pub vector: String,
    /// The base score, e.g. `"7.5"`.
    pub score: String,
    pub severity: Severity,
}

/// A published advisory as the public sees it.
#[derive(Debug, Clone)]
pub struct PublishedAdvisory {
    /// The advisory's internal id, which never changes: the Atom entry id is made from it.
    pub uuid: Uuid,
    pub advisory: export::Advisory,
    /// The current revision's time.
    pub updated: Timestamp,
    /// Every CVSS vector, newest CVSS version first.
    pub ratings: Vec<Rating>,
}

impl PublishedAdvisory {
    /// The severity of the newest CVSS version the advisory gives.
    pub fn severity(&self) -> Option<Severity> {
        self.ratings.first().map(|r| r.severity)
    }

    /// The formats it can be downloaded in: a CVE record needs a CVE id of ours and a CNA
    /// organisation id.
    pub fn formats(&self, settings: &Publisher) -> Vec<Format> {
        Format::ALL
            .into_iter()
            .filter(|f| {
                *f != Format::Cve || (self.advisory.cve.is_some() && settings.cna_org_id.is_some())
            })
            .collect()
    }

    /// Where the advisory's CSAF document lives in the provider's TLP:CLEAR folder.
    pub fn csaf_entry(&self) -> CsafEntry {
        CsafEntry {
            year: self
                .advisory
                .published
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .year(),
            filename: csaf_filename(&self.advisory.id),
            current_release_date: self.updated,
        }
    }
}

/// A document format of the JSON exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CVE JSON 5 record.
    Cve,
    Osv,
    /// CSAF 2.0.
    Csaf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Cve, Format::Osv, Format::Csaf];

    /// The name in URLs: `<id>.<name>.json`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Cve => "cve",
            Format::Osv => "osv",
            Format::Csaf => "csaf",
        }
    }

    /// The name people know the format by.
    pub const fn label(self) -> &'static str {
        match self {
            Format::Cve => "CVE JSON 5",
            Format::Osv => "OSV",
            Format::Csaf => "CSAF 2.0",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Filters of the public list. Empty filters match everything.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words that must all appear (case-insensitively) in the title, summary, id or CVE id.
    pub q: Option<String>,
    /// A product name (case-insensitive) the advisory lists.
    pub product: Option<String>,
    pub severity: Option<Severity>,
}

/// Reads a severity as the list's filter gives it (`critical`, `high`, … in any case).
pub fn parse_severity(s: &str) -> Result<Severity, ServiceError> {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::None,
    ]
    .into_iter()
    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    .ok_or_else(|| ServiceError::Invalid {
        field: "severity",
        reason: format!("{s:?}; one of critical, high, medium, low, none"),
    })
}

fn ratings(advisory: &export::Advisory) -> Vec<Rating> {
    let mut parsed: Vec<Cvss> = advisory
        .cvss
        .iter()
        .filter_map(|v| v.parse::<Cvss>().ok())
        .collect();
    parsed.sort_by_key(|c| std::cmp::Reverse(c.version()));
    parsed
        .iter()
        .map(|c| Rating {
            version: c.version().as_str(),
            vector: c.to_string(),
            score: c.base_score().to_string(),
            severity: c.severity(),
        })
        .collect()
}

/// Whether the domain advisory counts as published at `now`.
fn is_published(a: &embargo_domain::Advisory, now: Timestamp) -> bool {
    a.published().is_some_and(|p| p <= now)
}

async fn public_view(
    conn: &mut AnyConnection,
    a: &embargo_domain::Advisory,
    now: Timestamp,
) -> Result<PublishedAdvisory, ServiceError> {
    let mut advisory = advisories::export_model(conn, a, now).await?;
    // A revision is public from its own time; the clock never runs backwards in practice, but
    // the rule holds even if it did.
    advisory.revisions.retain(|r| r.date <= now);
    let updated = advisory
        .current_revision()
        .map_or(advisory.published, |r| r.date);
    Ok(PublishedAdvisory {
        uuid: *a.id.as_uuid(),
        ratings: ratings(&advisory),
        advisory,
        updated,
    })
}

/// Every advisory published at `now`, newest publication first.
pub async fn published_at_now(
    conn: &mut AnyConnection,
    now: Timestamp,
) -> Result<Vec<PublishedAdvisory>, ServiceError> {
    let mut out = Vec::new();
    for a in store::list(conn, true).await? {
        if is_published(&a, now) {
            out.push(public_view(conn, &a, now).await?);
        }
    }
    out.sort_by(|a, b| {
        b.advisory
            .published
            .cmp(&a.advisory.published)
            .then_with(|| b.advisory.id.cmp(&a.advisory.id))
    });
    Ok(out)
}

fn matches(p: &PublishedAdvisory, query: &ListQuery) -> bool {
    if let Some(product) = query.product.as_deref().filter(|s| !s.trim().is_empty()) {
        let product = product.trim();
        if !p
            .advisory
            .products
            .iter()
            .any(|x| x.name.eq_ignore_ascii_case(product))
        {
            return false;
        }
    }
    if let Some(severity) = query.severity
        && p.severity() != Some(severity)
    {
        return false;
    }
    if let Some(q) = query.q.as_deref() {
        let haystack = format!(
            "{}\n{}\n{}\n{}",
            p.advisory.title,
            p.advisory.summary,
            p.advisory.id,
            p.advisory.cve.as_deref().unwrap_or("")
        )
        .to_lowercase();
        if !q
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
        {
            return false;
        }
    }
    true
}

/// The published advisories that match `query`, newest first.
pub async fn list(app: &App, query: &ListQuery) -> Result<Vec<PublishedAdvisory>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let all = published_at_now(&mut conn, app.clock.now()).await?;
    Ok(all.into_iter().filter(|p| matches(p, query)).collect())
}

/// The product names published advisories list, in first-seen order (the list's filter).
pub async fn products(app: &App) -> Result<Vec<String>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let mut names: Vec<String> = Vec::new();
    for p in published_at_now(&mut conn, app.clock.now()).await? {
        for product in &p.advisory.products {
            if !names.contains(&product.name) {
                names.push(product.name.clone());
            }
        }
    }
    Ok(names)
}

/// Whether anything is published at `now` (security.txt names the CSAF provider then).
pub async fn any_published(conn: &mut AnyConnection, now: Timestamp) -> Result<bool, ServiceError> {
    Ok(store::list(conn, true)
        .await?
        .iter()
        .any(|a| is_published(a, now)))
}

/// One published advisory by its public id (`EMB-2026-0001`, any case) or by a CVE id it
/// carries. Anything else, unpublished advisories included, is `NotFound`.
pub async fn get(app: &App, id: &str) -> Result<PublishedAdvisory, ServiceError> {
    let id = id.trim();
    let now = app.clock.now();
    let mut conn = app.db.acquire().await?;
    if id.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("CVE-")) {
        return published_at_now(&mut conn, now)
            .await?
            .into_iter()
            .find(|p| {
                p.advisory
                    .any_cve()
                    .is_some_and(|c| c.eq_ignore_ascii_case(id))
            })
            .ok_or(ServiceError::NotFound);
    }
    let a = store::get_by_public_id(&mut conn, &id.to_ascii_uppercase())
        .await?
        .filter(|a| is_published(a, now))
        .ok_or(ServiceError::NotFound)?;
    public_view(&mut conn, &a, now).await
}

/// The publisher of every public document: the configured one (`[advisories]`), named after
/// the catalog's vendor, else the team, when no name is configured; the public URL as
/// namespace when none is configured.
pub async fn publisher(app: &App, public_url: &str) -> Result<Publisher, ServiceError> {
    let mut p = (*app.publisher).clone();
    if p.name.trim().is_empty() {
        let mut conn = app.db.acquire().await?;
        p.name = catalog_vendor(&mut conn)
            .await?
            .unwrap_or_else(|| app.mail.team_name.clone());
    }
    if p.namespace_url.trim().is_empty() || p.namespace_url == "http://localhost" {
        p.namespace_url = public_url.trim_end_matches('/').to_owned();
    }
    Ok(p)
}

async fn catalog_vendor(conn: &mut AnyConnection) -> Result<Option<String>, ServiceError> {
    let catalog = embargo_store::catalog::load(conn)
        .await
        .context("loading the catalog")?;
    for product in &catalog.products {
        if let Some(v) = embargo_store::catalog::product_vendor(conn, product.id).await?
            && !v.trim().is_empty()
        {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// Serializes a document the one way every public copy, hash and signature uses: pretty JSON
/// with a final newline.
pub fn to_bytes(doc: &serde_json::Value) -> Result<Vec<u8>, ServiceError> {
    let mut bytes = serde_json::to_vec_pretty(doc).context("serializing a document")?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn export_error(e: ExportError) -> ServiceError {
    match e {
        // The format does not exist for this advisory.
        ExportError::NoCveId { .. } | ExportError::NoCnaOrgId { .. } => ServiceError::NotFound,
        e => ServiceError::Unexpected(anyhow::Error::new(e).context("exporting an advisory")),
    }
}

/// The document of `advisory` in `format`.
pub fn document(
    advisory: &PublishedAdvisory,
    publisher: &Publisher,
    format: Format,
) -> Result<serde_json::Value, ServiceError> {
    let a = &advisory.advisory;
    match format {
        Format::Cve => embargo_export::cve::record(a, publisher),
        Format::Osv => embargo_export::osv::record(a, publisher),
        Format::Csaf => embargo_export::csaf::document(a, publisher),
    }
    .map_err(export_error)
}

/// The published advisory `id` (as [`get`] reads it) in `format`, serialized by [`to_bytes`].
/// `NotFound` when it is not published, or the format does not exist for it (a CVE record
/// without a CVE id of ours or a CNA organisation id).
pub async fn render(
    app: &App,
    public_url: &str,
    id: &str,
    format: Format,
) -> Result<Vec<u8>, ServiceError> {
    let advisory = get(app, id).await?;
    let publisher = publisher(app, public_url).await?;
    to_bytes(&document(&advisory, &publisher, format)?)
}

/// The advisory page's path: `/advisories/<id>`.
pub fn page_path(id: &str) -> String {
    format!("/advisories/{id}")
}

/// A JSON document's path: `/advisories/<id>.<format>.json` (e.g. `EMB-2026-0001.csaf.json`).
pub fn document_path(id: &str, format: Format) -> String {
    format!("/advisories/{id}.{}.json", format.as_str())
}

/// The Atom 1.0 feed of every published advisory, newest first: entry ids are
/// `urn:uuid:<advisory uuid>`, stable across revisions and public URL changes; `updated` is
/// the current revision's time.
pub async fn atom_feed(app: &App, public_url: &str) -> Result<String, ServiceError> {
    let base = public_url.trim_end_matches('/');
    let all = list(app, &ListQuery::default()).await?;
    let publisher = publisher(app, public_url).await?;
    let entries: Vec<embargo_export::atom::Entry<'_>> = all
        .iter()
        .map(|p| embargo_export::atom::Entry {
            id: format!("urn:uuid:{}", p.uuid.hyphenated()),
            url: format!("{base}{}", page_path(&p.advisory.id)),
            related: p
                .formats(&app.publisher)
                .into_iter()
                .map(|f| {
                    (
                        format!("{base}{}", document_path(&p.advisory.id, f)),
                        "application/json",
                        f.label().to_owned(),
                    )
                })
                .collect(),
            categories: p
                .severity()
                .map(|s| s.as_str().to_owned())
                .into_iter()
                .collect(),
            updated: p.updated,
            advisory: &p.advisory,
        })
        .collect();
    let self_url = format!("{base}/advisories/feed.atom");
    let html_url = format!("{base}/advisories");
    let title = format!("{} security advisories", publisher.name);
    Ok(embargo_export::atom::feed(
        &embargo_export::atom::Feed {
            id: &self_url,
            title: &title,
            self_url: &self_url,
            html_url: &html_url,
            author: &publisher.name,
            empty_updated: app.clock.now(),
        },
        &entries,
    ))
}

// ----- CSAF provider (CSAF 2.0 section 7.1) -----

/// A CSAF document's place in the TLP:CLEAR folder: `<year>/<filename>` (requirement 11: one
/// folder per year of the initial release date; section 5.1: the file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsafEntry {
    pub year: i16,
    pub filename: String,
    /// `/document/tracking/current_release_date`.
    pub current_release_date: Timestamp,
}

impl CsafEntry {
    /// The path relative to the TLP folder, as index.txt and changes.csv give it.
    pub fn path(&self) -> String {
        format!("{}/{}", self.year, self.filename)
    }
}

/// CSAF 2.0 section 5.1: the tracking id in lower case, every character other than `+`, `-`,
/// `a`–`z` and `0`–`9` replaced by `_`, then `.json`.
pub fn csaf_filename(tracking_id: &str) -> String {
    let stem: String = tracking_id
        .to_lowercase()
        .chars()
        .map(|c| {
            if c == '+' || c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.json")
}

/// Every published CSAF document's entry, the newest current release first (changes.csv's
/// order, requirement 14).
pub async fn csaf_entries(app: &App) -> Result<Vec<CsafEntry>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let mut entries: Vec<CsafEntry> = published_at_now(&mut conn, app.clock.now())
        .await?
        .iter()
        .map(PublishedAdvisory::csaf_entry)
        .collect();
    entries.sort_by(|a, b| {
        b.current_release_date
            .cmp(&a.current_release_date)
            .then_with(|| a.path().cmp(&b.path()))
    });
    Ok(entries)
}

/// `index.txt` (requirement 13): every document's path relative to the TLP folder, one a line.
pub async fn csaf_index(app: &App) -> Result<String, ServiceError> {
    let mut paths: Vec<String> = csaf_entries(app)
        .await?
        .iter()
        .map(CsafEntry::path)
        .collect();
    paths.sort();
    Ok(paths.iter().map(|p| format!("{p}\n")).collect())
}

/// `changes.csv` (requirement 14): `"<path>","<current_release_date>"` a line, newest first.
pub async fn csaf_changes(app: &App) -> Result<String, ServiceError> {
    Ok(csaf_entries(app)
        .await?
        .iter()
        .map(|e| {
            format!(
                "\"{}\",\"{}\"\n",
                e.path(),
                e.current_release_date.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
            )
        })
        .collect())
}

/// The published advisory whose CSAF document is `<year>/<filename>`, and that document.
pub async fn csaf_document(
    app: &App,
    public_url: &str,
    year: &str,
    filename: &str,
) -> Result<Vec<u8>, ServiceError> {
    let id = filename
        .strip_suffix(".json")
        .ok_or(ServiceError::NotFound)?;
    let advisory = get(app, id).await?;
    let entry = advisory.csaf_entry();
    if entry.filename != filename || entry.year.to_string() != year {
        return Err(ServiceError::NotFound);
    }
    let publisher = publisher(app, public_url).await?;
    to_bytes(&document(&advisory, &publisher, Format::Csaf)?)
}

/// A hash file's algorithm (requirement 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha512,
}

/// `<hex>  <filename>\n`, as `sha256sum`/`sha512sum` print it.
pub fn checksum_line(hash: Hash, bytes: &[u8], filename: &str) -> String {
    let hex = match hash {
        Hash::Sha256 => hex::encode(Sha256::digest(bytes)),
        Hash::Sha512 => hex::encode(Sha512::digest(bytes)),
    };
    format!("{hex}  {filename}\n")
}

/// The detached, armored OpenPGP signature of the CSAF document `<year>/<filename>` by the
/// current team key (requirement 19); `None` when there is no team key. Made once per
/// document content and key, then answered from `document_signatures`.
pub async fn csaf_signature(
    app: &App,
    public_url: &str,
    year: &str,
    filename: &str,
) -> Result<Option<String>, ServiceError> {
    let bytes = csaf_document(app, public_url, year, filename).await?;
    let Some(key) = crate::openpgp::team_key(app).await? else {
        return Ok(None);
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut conn = app.db.acquire().await?;
    if let Some(signature) =
        embargo_store::signatures::get(&mut conn, &sha256, key.fingerprint()).await?
    {
        return Ok(Some(signature));
    }
    let signature = key
        .sign_detached(&bytes)
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("signing {filename}: {e}")))?;
    let stored = embargo_store::signatures::put(
        &mut conn,
        &sha256,
        key.fingerprint(),
        &signature,
        app.clock.now(),
    )
    .await?;
    Ok(Some(stored))
}

/// `provider-metadata.json` (requirement 7, CSAF 2.0 section 7.2.1): role `csaf_provider`, one
/// directory distribution (the TLP:CLEAR folder), the team's public key when there is one.
/// `last_updated` is the newest of the documents' current releases and the team key's time
/// (the clock's now when there is neither), so it only moves when the metadata's subject does.
pub async fn provider_metadata(
    app: &App,
    public_url: &str,
) -> Result<serde_json::Value, ServiceError> {
    let base = public_url.trim_end_matches('/');
    let publisher = publisher(app, public_url).await?;
    let newest_document = csaf_entries(app)
        .await?
        .first()
        .map(|e| e.current_release_date);
    let key = {
        let mut conn = app.db.acquire().await?;
        embargo_store::openpgp::team_public_key(&mut conn).await?
    };
    let last_updated = [newest_document, key.as_ref().map(|k| k.added_at)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_else(|| app.clock.now());
    let keys: Vec<serde_json::Value> = key
        .iter()
        .map(|k| {
            serde_json::json!({
                "fingerprint": k.fingerprint,
                "url": format!("{base}/.well-known/openpgp-key.asc"),
            })
        })
        .collect();
    let mut doc = serde_json::json!({
        "canonical_url": format!("{base}/.well-known/csaf/provider-metadata.json"),
        "distributions": [{ "directory_url": format!("{base}/.well-known/csaf/clear/") }],
        "last_updated": last_updated.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "publisher": {
            "category": "vendor",
            "name": publisher.name,
            "namespace": publisher.namespace_url,
            "contact_details": publisher.contact,
        },
        "role": "csaf_provider",
    });
    if !keys.is_empty() {
        doc["public_openpgp_keys"] = serde_json::Value::Array(keys);
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csaf_file_names_follow_section_5_1() {
        let check = |id: &str, expect: &str| assert_eq!(csaf_filename(id), expect, "{id}");
        check("EMB-2026-0001", "emb-2026-0001.json");
        check(
            "Example Company - 2019-YH3234",
            "example_company_-_2019-yh3234.json",
        );
        check("rhba-2019:0024", "rhba-2019_0024.json");
        check("a+b/c", "a+b_c.json");
    }

    #[test]
    fn checksum_lines_read_like_sha256sum() {
        assert_eq!(
            checksum_line(Hash::Sha256, b"abc", "x.json"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  x.json\n"
        );
        let line = checksum_line(Hash::Sha512, b"abc", "x.json");
        assert!(line.starts_with("ddaf35a193617aba"), "{line}");
        assert_eq!(line.len(), 128 + 2 + "x.json".len() + 1);
    }

    #[test]
    fn severities_are_read_in_any_case_and_others_are_refused_by_name() {
        assert_eq!(parse_severity("HIGH").unwrap(), Severity::High);
        assert_eq!(parse_severity(" critical ").unwrap(), Severity::Critical);
        let err = parse_severity("severe").unwrap_err();
        assert!(err.to_string().contains("\"severe\""), "{err}");
    }
}
