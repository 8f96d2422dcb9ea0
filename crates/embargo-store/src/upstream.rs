//! Upstream advisories (`upstream_advisories`, `upstream_advisory_aliases`): OSV and CVE JSON 5
//! records of the projects we ship, as imported. The record itself is the service's business
//! (it keeps embargo-export's `ImportedAdvisory` in `imported_json`); this module stores and
//! finds rows by (format, upstream id) or by any alias.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{StoreError, from_micros, parse_uuid, to_micros};

/// An upstream advisory as stored, without its raw bytes (see [`raw`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamAdvisory {
    pub id: Uuid,
    /// `osv` or `cve`.
    pub format: String,
    pub upstream_id: String,
    /// The record's aliases, in its order (not its own id).
    pub aliases: Vec<String>,
    pub title: Option<String>,
    pub published_at: Option<Timestamp>,
    pub modified_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub imported_json: String,
    pub sha256: String,
    pub source: String,
    pub imported_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What to store of one imported record.
#[derive(Debug, Clone)]
pub struct NewUpstream<'a> {
    pub format: &'a str,
    pub upstream_id: &'a str,
    pub aliases: &'a [String],
    pub title: Option<&'a str>,
    pub published_at: Option<Timestamp>,
    pub modified_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub imported_json: &'a str,
    pub raw: &'a [u8],
    pub sha256: &'a str,
    pub source: &'a str,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    format: String,
    upstream_id: String,
    title: Option<String>,
    published_at: Option<i64>,
    modified_at: Option<i64>,
    withdrawn_at: Option<i64>,
    imported_json: String,
    sha256: String,
    source: String,
    imported_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "id, format, upstream_id, title, published_at, modified_at, withdrawn_at, \
                       imported_json, sha256, source, imported_at, updated_at";

fn opt_time(column: &'static str, v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(|m| from_micros(column, m)).transpose()
}

async fn load(conn: &mut AnyConnection, row: Row) -> Result<UpstreamAdvisory, StoreError> {
    let aliases: Vec<String> = sqlx::query_scalar(
        "SELECT alias FROM upstream_advisory_aliases WHERE advisory_id = $1 AND position > 0 \
         ORDER BY position",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(UpstreamAdvisory {
        id: parse_uuid("upstream_advisories.id", &row.id)?,
        format: row.format,
        upstream_id: row.upstream_id,
        aliases,
        title: row.title,
        published_at: opt_time("upstream_advisories.published_at", row.published_at)?,
        modified_at: opt_time("upstream_advisories.modified_at", row.modified_at)?,
        withdrawn_at: opt_time("upstream_advisories.withdrawn_at", row.withdrawn_at)?,
        imported_json: row.imported_json,
        sha256: row.sha256,
        source: row.source,
        imported_at: from_micros("upstream_advisories.imported_at", row.imported_at)?,
        updated_at: from_micros("upstream_advisories.updated_at", row.updated_at)?,
    })
}

/// The stored advisory `upstream_id` of `format`, if any.
pub async fn get(
    conn: &mut AnyConnection,
    format: &str,
    upstream_id: &str,
) -> Result<Option<UpstreamAdvisory>, StoreError> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM upstream_advisories WHERE format = $1 AND upstream_id = $2"
    )))
    .bind(format)
    .bind(upstream_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(load(conn, row).await?)),
        None => Ok(None),
    }
}

/// Every stored upstream advisory, newest publication first (undated last), then by id.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<UpstreamAdvisory>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM upstream_advisories \
         ORDER BY published_at IS NULL, published_at DESC, format, upstream_id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(conn, row).await?);
    }
    Ok(out)
}

/// The upstream advisories known by `alias` (their own id or one of their aliases).
pub async fn by_alias(
    conn: &mut AnyConnection,
    alias: &str,
) -> Result<Vec<UpstreamAdvisory>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM upstream_advisories WHERE id IN \
         (SELECT advisory_id FROM upstream_advisory_aliases WHERE alias = $1) \
         ORDER BY format, upstream_id"
    )))
    .bind(alias)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(conn, row).await?);
    }
    Ok(out)
}

/// The document as it was imported, byte for byte.
pub async fn raw(conn: &mut AnyConnection, id: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT raw FROM upstream_advisories WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

async fn write_aliases(
    conn: &mut AnyConnection,
    id: &str,
    a: &NewUpstream<'_>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM upstream_advisory_aliases WHERE advisory_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut seen: Vec<&str> = Vec::new();
    for alias in std::iter::once(a.upstream_id).chain(a.aliases.iter().map(String::as_str)) {
        if seen.contains(&alias) {
            continue;
        }
        sqlx::query(
            "INSERT INTO upstream_advisory_aliases (advisory_id, alias, position) \
             VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(alias)
        .bind(i64::try_from(seen.len()).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
        seen.push(alias);
    }
    Ok(())
}

/// Stores a new upstream advisory; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    a: &NewUpstream<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO upstream_advisories (id, format, upstream_id, title, published_at, \
         modified_at, withdrawn_at, imported_json, raw, sha256, source, imported_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(id.to_string())
    .bind(a.format)
    .bind(a.upstream_id)
    .bind(a.title)
    .bind(a.published_at.map(to_micros))
    .bind(a.modified_at.map(to_micros))
    .bind(a.withdrawn_at.map(to_micros))
    .bind(a.imported_json)
    .bind(a.raw)
    .bind(a.sha256)
    .bind(a.source)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    write_aliases(conn, &id.to_string(), a).await?;
    Ok(id)
}

/// Replaces the stored record `id` with a newer one of the same (format, upstream id).
pub async fn replace(
    conn: &mut AnyConnection,
    id: Uuid,
    a: &NewUpstream<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE upstream_advisories SET title = $1, published_at = $2, modified_at = $3, \
         withdrawn_at = $4, imported_json = $5, raw = $6, sha256 = $7, source = $8, \
         updated_at = $9 WHERE id = $10 AND format = $11 AND upstream_id = $12",
    )
    .bind(a.title)
    .bind(a.published_at.map(to_micros))
    .bind(a.modified_at.map(to_micros))
    .bind(a.withdrawn_at.map(to_micros))
    .bind(a.imported_json)
    .bind(a.raw)
    .bind(a.sha256)
    .bind(a.source)
    .bind(to_micros(now))
    .bind(id.to_string())
    .bind(a.format)
    .bind(a.upstream_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(StoreError::NotFound {
            entity: "upstream advisory",
            id: id.to_string(),
        });
    }
    write_aliases(conn, &id.to_string(), a).await
}
