//! Upstream advisories: OSV and CVE JSON 5 records of the projects our products ship (OpenSSL,
//! nginx, …), imported as their source published them.
//!
//! [`import`] reads one document with `embargo-export`'s importers and stores it, keyed by
//! (format, upstream id), with the whole [`ImportedAdvisory`], the raw bytes and their SHA-256.
//! Importing is idempotent: the same bytes again change nothing ([`Outcome::Unchanged`]); a
//! record whose `modified` date is newer than the stored one replaces it ([`Outcome::Updated`]);
//! an older or equally dated one is kept out (the stored record stays, `Unchanged`). Team only.

use anyhow::Context;
use embargo_domain::Role;
use embargo_export::import::{self, Format, ImportedAdvisory};
use embargo_store::upstream as store;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

/// What importing one document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    /// A newer version (later `modified`) replaced the stored one.
    Updated,
    /// The same document, or one not newer than the stored one: nothing changed.
    Unchanged,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::New => "new",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// The result of importing one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub format: Format,
    pub upstream_id: String,
    pub outcome: Outcome,
}

/// An upstream advisory as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamAdvisory {
    pub id: Uuid,
    pub format: Format,
    pub upstream_id: String,
    pub aliases: Vec<String>,
    pub title: Option<String>,
    /// When the upstream published it: the date a case about it may not be disclosed before.
    pub published: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    pub withdrawn: Option<Timestamp>,
    /// Everything the record states.
    pub advisory: ImportedAdvisory,
    pub sha256: String,
    /// The file (or `zip!entry`) it was last imported from.
    pub source: String,
    pub imported_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const fn format_name(f: Format) -> &'static str {
    match f {
        Format::Osv => "osv",
        Format::Cve => "cve",
    }
}

/// `osv` or `cve`.
pub fn parse_format(s: &str) -> Result<Format, ServiceError> {
    match s.to_ascii_lowercase().as_str() {
        "osv" => Ok(Format::Osv),
        "cve" => Ok(Format::Cve),
        other => Err(ServiceError::Invalid {
            field: "format",
            reason: format!("{other:?} is not one of osv, cve"),
        }),
    }
}

fn require_team(who: &Principal, scope: Scope) -> Result<(), ServiceError> {
    who.require(scope)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

/// Reads `raw` as a `format` record (without storing it). A document that is not JSON, or not
/// a record of that format, is `Invalid { field: "document" }` naming the JSON Pointer at fault.
pub fn parse(format: Format, raw: &[u8]) -> Result<ImportedAdvisory, ServiceError> {
    let json: serde_json::Value =
        serde_json::from_slice(raw).map_err(|e| ServiceError::Invalid {
            field: "document",
            reason: format!("not JSON: {e}"),
        })?;
    let parsed = match format {
        Format::Osv => import::from_osv(&json),
        Format::Cve => import::from_cve(&json),
    };
    parsed.map_err(|e| ServiceError::Invalid {
        field: "document",
        reason: format!("not a {} record: {e}", format_name(format)),
    })
}

/// Imports one `format` document read from `source` (see the module documentation).
pub async fn import(
    app: &App,
    who: &Principal,
    format: Format,
    raw: &[u8],
    source: &str,
) -> Result<Imported, ServiceError> {
    require_team(who, Scope::Write)?;
    let advisory = parse(format, raw)?;
    if advisory.id.trim().is_empty() {
        return Err(ServiceError::Invalid {
            field: "document",
            reason: "the record's id is empty".to_owned(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(raw));
    let imported_json = serde_json::to_string(&advisory).context("encoding the record")?;
    let title = advisory
        .title
        .as_deref()
        .or(advisory.summary.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let row = store::NewUpstream {
        format: format_name(format),
        upstream_id: &advisory.id,
        aliases: &advisory.aliases,
        title,
        published_at: advisory.published,
        modified_at: advisory.modified,
        withdrawn_at: advisory.withdrawn,
        imported_json: &imported_json,
        raw,
        sha256: &sha256,
        source,
    };
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let outcome = match store::get(&mut tx, row.format, &advisory.id).await? {
        None => {
            store::insert(&mut tx, &row, now).await?;
            Outcome::New
        }
        Some(stored) if stored.sha256 == sha256 => Outcome::Unchanged,
        Some(stored) => {
            let newer = match (advisory.modified, stored.modified_at) {
                (Some(new), Some(old)) => new > old,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if newer {
                store::replace(&mut tx, stored.id, &row, now).await?;
                Outcome::Updated
            } else {
                Outcome::Unchanged
            }
        }
    };
    tx.commit()
        .await
        .context("committing the upstream advisory")?;
    if outcome != Outcome::Unchanged {
        tracing::info!(
            format = format_name(format),
            upstream_id = %advisory.id,
            outcome = outcome.as_str(),
            "upstream advisory imported"
        );
    }
    Ok(Imported {
        format,
        upstream_id: advisory.id,
        outcome,
    })
}

fn from_store(row: store::UpstreamAdvisory) -> Result<UpstreamAdvisory, ServiceError> {
    let format = parse_format(&row.format).map_err(|_| {
        ServiceError::Unexpected(anyhow::anyhow!(
            "upstream_advisories.format: unknown {:?}",
            row.format
        ))
    })?;
    let advisory: ImportedAdvisory = serde_json::from_str(&row.imported_json)
        .with_context(|| format!("upstream_advisories.imported_json of {}", row.upstream_id))?;
    Ok(UpstreamAdvisory {
        id: row.id,
        format,
        upstream_id: row.upstream_id,
        aliases: row.aliases,
        title: row.title,
        published: row.published_at,
        modified: row.modified_at,
        withdrawn: row.withdrawn_at,
        advisory,
        sha256: row.sha256,
        source: row.source,
        imported_at: row.imported_at,
        updated_at: row.updated_at,
    })
}

/// Every upstream advisory, latest publication first. Team only.
pub async fn list(app: &App, who: &Principal) -> Result<Vec<UpstreamAdvisory>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    store::list(&mut conn)
        .await?
        .into_iter()
        .map(from_store)
        .collect()
}

/// The upstream advisory `upstream_id` of `format`, with its raw document. Team only.
pub async fn get(
    app: &App,
    who: &Principal,
    format: Format,
    upstream_id: &str,
) -> Result<(UpstreamAdvisory, Vec<u8>), ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let row = store::get(&mut conn, format_name(format), upstream_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let raw = store::raw(&mut conn, row.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((from_store(row)?, raw))
}

/// The upstream advisories known by `alias` (e.g. a CVE id), whatever their format. Team only.
pub async fn by_alias(
    app: &App,
    who: &Principal,
    alias: &str,
) -> Result<Vec<UpstreamAdvisory>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    store::by_alias(&mut conn, alias.trim())
        .await?
        .into_iter()
        .map(from_store)
        .collect()
}
