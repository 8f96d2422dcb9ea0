//! Advisories (`advisories`, `advisory_revisions`) as domain [`Advisory`]s, and the CVE id pool
//! (`cve_pool`).

use embargo_domain::{
    Advisory, AdvisoryContent, AdvisoryReference, CaseId, Link, ReferenceKind, Revision,
};
use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreError, from_micros, parse_uuid, to_micros};

#[derive(sqlx::FromRow)]
struct AdvisoryRow {
    id: String,
    public_id: String,
    case_id: String,
    title: String,
    summary: String,
    description_md: String,
    workarounds_md: Option<String>,
    references_json: String,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    number: i64,
    published_at: i64,
    summary: String,
}

const COLUMNS: &str = "id, public_id, case_id, title, summary, description_md, workarounds_md, \
                       references_json";

fn references_json(refs: &[AdvisoryReference]) -> String {
    let list: Vec<serde_json::Value> = refs
        .iter()
        .map(|r| {
            serde_json::json!({ "url": r.url.as_ref(), "kind": r.kind.as_str(), "name": r.name })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn parse_references(s: &str) -> Result<Vec<AdvisoryReference>, StoreError> {
    let corrupt = || StoreError::Corrupt {
        column: "advisories.references_json",
        value: s.to_owned(),
    };
    let list: Vec<serde_json::Value> = serde_json::from_str(s).map_err(|_| corrupt())?;
    list.iter()
        .map(|v| {
            Ok(AdvisoryReference {
                url: Link::parse(v["url"].as_str().unwrap_or("")).map_err(|_| corrupt())?,
                kind: ReferenceKind::parse(v["kind"].as_str().unwrap_or(""))
                    .map_err(|_| corrupt())?,
                name: v["name"].as_str().map(str::to_owned),
            })
        })
        .collect()
}

async fn load(conn: &mut AnyConnection, row: AdvisoryRow) -> Result<Advisory, StoreError> {
    let revisions: Vec<RevisionRow> = sqlx::query_as(
        "SELECT number, published_at, summary FROM advisory_revisions \
         WHERE advisory_id = $1 ORDER BY number",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let revisions = revisions
        .into_iter()
        .map(|r| {
            Ok(Revision {
                number: u32::try_from(r.number).map_err(|_| StoreError::Corrupt {
                    column: "advisory_revisions.number",
                    value: r.number.to_string(),
                })?,
                at: from_micros("advisory_revisions.published_at", r.published_at)?,
                summary: r.summary,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Advisory {
        id: parse_uuid("advisories.id", &row.id)?.into(),
        public_id: row.public_id,
        case: parse_uuid("advisories.case_id", &row.case_id)?.into(),
        content: AdvisoryContent {
            title: row.title,
            summary: row.summary,
            description_md: row.description_md,
            workarounds_md: row.workarounds_md,
            references: parse_references(&row.references_json)?,
        },
        revisions,
    })
}

/// Stores a new advisory (a draft, normally) with its revisions.
pub async fn insert(
    conn: &mut AnyConnection,
    a: &Advisory,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO advisories (id, public_id, case_id, title, summary, description_md, \
         workarounds_md, references_json, published_at, revision, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(a.id.to_string())
    .bind(&a.public_id)
    .bind(a.case.to_string())
    .bind(&a.content.title)
    .bind(&a.content.summary)
    .bind(&a.content.description_md)
    .bind(a.content.workarounds_md.as_deref())
    .bind(references_json(&a.content.references))
    .bind(a.published().map(to_micros))
    .bind(i64::from(a.revision()))
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    write_revisions(conn, a).await
}

/// Writes a changed advisory: content, publication and new revisions.
pub async fn update(
    conn: &mut AnyConnection,
    a: &Advisory,
    now: Timestamp,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE advisories SET title = $1, summary = $2, description_md = $3, \
         workarounds_md = $4, references_json = $5, published_at = $6, revision = $7, \
         updated_at = $8 WHERE id = $9",
    )
    .bind(&a.content.title)
    .bind(&a.content.summary)
    .bind(&a.content.description_md)
    .bind(a.content.workarounds_md.as_deref())
    .bind(references_json(&a.content.references))
    .bind(a.published().map(to_micros))
    .bind(i64::from(a.revision()))
    .bind(to_micros(now))
    .bind(a.id.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(StoreError::NotFound {
            entity: "advisory",
            id: a.id.to_string(),
        });
    }
    write_revisions(conn, a).await
}

/// Revisions are append-only: only numbers not stored yet are written.
async fn write_revisions(conn: &mut AnyConnection, a: &Advisory) -> Result<(), StoreError> {
    for r in &a.revisions {
        sqlx::query(
            "INSERT INTO advisory_revisions (advisory_id, number, published_at, summary) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (advisory_id, number) DO NOTHING",
        )
        .bind(a.id.to_string())
        .bind(i64::from(r.number))
        .bind(to_micros(r.at))
        .bind(&r.summary)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn get_by_case(
    conn: &mut AnyConnection,
    case: CaseId,
) -> Result<Option<Advisory>, StoreError> {
    let row: Option<AdvisoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM advisories WHERE case_id = $1"
    )))
    .bind(case.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => load(conn, row).await.map(Some),
        None => Ok(None),
    }
}

pub async fn get_by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> Result<Option<Advisory>, StoreError> {
    let row: Option<AdvisoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM advisories WHERE public_id = $1"
    )))
    .bind(public_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => load(conn, row).await.map(Some),
        None => Ok(None),
    }
}

/// Every advisory, published ones only when `published_only`; newest publication first,
/// drafts last.
pub async fn list(
    conn: &mut AnyConnection,
    published_only: bool,
) -> Result<Vec<Advisory>, StoreError> {
    let filter = if published_only {
        "WHERE published_at IS NOT NULL"
    } else {
        ""
    };
    let rows: Vec<AdvisoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM advisories {filter} \
         ORDER BY CASE WHEN published_at IS NULL THEN 1 ELSE 0 END, published_at DESC, public_id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(conn, row).await?);
    }
    Ok(out)
}

/// Drafts whose case's embargo has passed at `now` and whose case is released: what the
/// publisher job publishes.
pub async fn due(conn: &mut AnyConnection, now: Timestamp) -> Result<Vec<CaseId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT a.case_id FROM advisories a JOIN cases c ON c.id = a.case_id \
         WHERE a.published_at IS NULL AND c.embargo_at IS NOT NULL AND c.embargo_at <= $1 \
         AND c.state = 'released' ORDER BY c.embargo_at, a.public_id",
    )
    .bind(to_micros(now))
    .fetch_all(&mut *conn)
    .await?;
    ids.iter()
        .map(|i| parse_uuid("advisories.case_id", i).map(CaseId::from))
        .collect()
}

/// The next public id of `year`: `EMB-<year>-<n>`, n one more than the highest of that year.
pub async fn next_public_id(conn: &mut AnyConnection, year: i16) -> Result<String, StoreError> {
    let prefix = format!("EMB-{year}-");
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT public_id FROM advisories WHERE public_id LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(&mut *conn)
            .await?;
    let max = ids
        .iter()
        .filter_map(|i| i.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:04}", max + 1))
}

/// A CVE id of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledCve {
    pub cve: String,
    pub added_at: Timestamp,
    pub case: Option<CaseId>,
    pub assigned_at: Option<Timestamp>,
}

/// Adds a reserved CVE id to the pool; `false` when it was there already.
pub async fn pool_add(
    conn: &mut AnyConnection,
    cve: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO cve_pool (cve_id, added_at, in_use) VALUES ($1, $2, 0) \
         ON CONFLICT (cve_id) DO NOTHING",
    )
    .bind(cve)
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// Takes the oldest free CVE id of the pool for `case`; `None` when the pool is empty.
pub async fn pool_claim(
    conn: &mut AnyConnection,
    case: CaseId,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    let free: Option<String> = sqlx::query_scalar(
        "SELECT cve_id FROM cve_pool WHERE in_use = 0 ORDER BY added_at, cve_id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(cve) = free else { return Ok(None) };
    let taken = sqlx::query(
        "UPDATE cve_pool SET in_use = 1, case_id = $1, assigned_at = $2 \
         WHERE cve_id = $3 AND in_use = 0",
    )
    .bind(case.to_string())
    .bind(to_micros(now))
    .bind(&cve)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((taken == 1).then_some(cve))
}

#[derive(sqlx::FromRow)]
struct PoolRow {
    cve_id: String,
    added_at: i64,
    case_id: Option<String>,
    assigned_at: Option<i64>,
}

pub async fn pool_list(conn: &mut AnyConnection) -> Result<Vec<PooledCve>, StoreError> {
    let rows: Vec<PoolRow> = sqlx::query_as(
        "SELECT cve_id, added_at, case_id, assigned_at FROM cve_pool ORDER BY added_at, cve_id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PooledCve {
                cve: r.cve_id,
                added_at: from_micros("cve_pool.added_at", r.added_at)?,
                case: r
                    .case_id
                    .map(|c| parse_uuid("cve_pool.case_id", &c).map(CaseId::from))
                    .transpose()?,
                assigned_at: r
                    .assigned_at
                    .map(|t| from_micros("cve_pool.assigned_at", t))
                    .transpose()?,
            })
        })
        .collect()
}
