//! Release plans (`releases`, `release_cases`), read and written as [`Release`]s.

use embargo_domain::{CaseId, Release, ReleaseId, ReleaseLineId, Shipped, UserId, Version};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AnyConnection;

use crate::{StoreError, from_micros, parse_uuid, to_micros};

#[derive(sqlx::FromRow)]
struct ReleaseRow {
    id: String,
    release_line_id: String,
    version: String,
    target_on: Option<String>,
    shipped_on: Option<String>,
    shipped_at: Option<i64>,
    created_by: String,
    created_at: i64,
}

const COLUMNS: &str = "id, release_line_id, version, target_on, shipped_on, shipped_at, \
                       created_by, created_at";

fn date(column: &'static str, value: &str) -> Result<Date, StoreError> {
    value.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

impl ReleaseRow {
    fn into_release(self, cases: Vec<CaseId>) -> Result<Release, StoreError> {
        let shipped = match (self.shipped_on, self.shipped_at) {
            (Some(on), Some(at)) => Some(Shipped {
                on: date("releases.shipped_on", &on)?,
                at: from_micros("releases.shipped_at", at)?,
            }),
            _ => None,
        };
        Ok(Release {
            id: parse_uuid("releases.id", &self.id)?.into(),
            line: parse_uuid("releases.release_line_id", &self.release_line_id)?.into(),
            version: Version::parse(&self.version).map_err(|_| StoreError::Corrupt {
                column: "releases.version",
                value: self.version.clone(),
            })?,
            target: self
                .target_on
                .as_deref()
                .map(|d| date("releases.target_on", d))
                .transpose()?,
            cases,
            shipped,
            created_by: UserId::from_uuid(parse_uuid("releases.created_by", &self.created_by)?),
            created_at: from_micros("releases.created_at", self.created_at)?,
        })
    }
}

/// Stores a new release plan with its cases.
pub async fn insert(conn: &mut AnyConnection, r: &Release) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO releases (id, release_line_id, version, target_on, shipped_on, shipped_at, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(r.id.to_string())
    .bind(r.line.to_string())
    .bind(r.version.to_string())
    .bind(r.target.map(|d| d.to_string()))
    .bind(r.shipped.map(|s| s.on.to_string()))
    .bind(r.shipped.map(|s| to_micros(s.at)))
    .bind(r.created_by.to_string())
    .bind(to_micros(r.created_at))
    .execute(&mut *conn)
    .await?;
    write_cases(conn, r).await
}

/// Writes a changed release: version, target, shipped and the case list.
pub async fn update(
    conn: &mut AnyConnection,
    r: &Release,
    now: Timestamp,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE releases SET version = $1, target_on = $2, shipped_on = $3, shipped_at = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(r.version.to_string())
    .bind(r.target.map(|d| d.to_string()))
    .bind(r.shipped.map(|s| s.on.to_string()))
    .bind(r.shipped.map(|s| to_micros(s.at)))
    .bind(to_micros(now))
    .bind(r.id.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(StoreError::NotFound {
            entity: "release",
            id: r.id.to_string(),
        });
    }
    write_cases(conn, r).await
}

async fn write_cases(conn: &mut AnyConnection, r: &Release) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM release_cases WHERE release_id = $1")
        .bind(r.id.to_string())
        .execute(&mut *conn)
        .await?;
    for (position, case) in r.cases.iter().enumerate() {
        sqlx::query(
            "INSERT INTO release_cases (release_id, case_id, position) VALUES ($1, $2, $3)",
        )
        .bind(r.id.to_string())
        .bind(case.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn cases_of(conn: &mut AnyConnection, id: &str) -> Result<Vec<CaseId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT case_id FROM release_cases WHERE release_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    ids.iter()
        .map(|c| parse_uuid("release_cases.case_id", c).map(CaseId::from))
        .collect()
}

pub async fn get(conn: &mut AnyConnection, id: ReleaseId) -> Result<Option<Release>, StoreError> {
    let row: Option<ReleaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM releases WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let cases = cases_of(conn, &row.id).await?;
    row.into_release(cases).map(Some)
}

/// Which releases to list.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFilter {
    pub line: Option<ReleaseLineId>,
    /// `Some(false)`: planned only; `Some(true)`: shipped only.
    pub shipped: Option<bool>,
    /// Releases that fix this case.
    pub case: Option<CaseId>,
}

/// Releases, planned first (by target day, undated last), then shipped (newest first).
pub async fn list(
    conn: &mut AnyConnection,
    filter: &ReleaseFilter,
) -> Result<Vec<Release>, StoreError> {
    // Only fixed SQL fragments are appended; values are bound.
    let mut sql = format!("SELECT {COLUMNS} FROM releases WHERE 1 = 1");
    let mut binds = Vec::new();
    if let Some(line) = filter.line {
        binds.push(line.to_string());
        sql.push_str(&format!(" AND release_line_id = ${}", binds.len()));
    }
    match filter.shipped {
        Some(true) => sql.push_str(" AND shipped_at IS NOT NULL"),
        Some(false) => sql.push_str(" AND shipped_at IS NULL"),
        None => {}
    }
    if let Some(case) = filter.case {
        binds.push(case.to_string());
        sql.push_str(&format!(
            " AND id IN (SELECT release_id FROM release_cases WHERE case_id = ${})",
            binds.len()
        ));
    }
    sql.push_str(
        " ORDER BY CASE WHEN shipped_at IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN target_on IS NULL THEN 1 ELSE 0 END, target_on, shipped_at DESC, created_at, id",
    );
    let mut query = sqlx::query_as::<_, ReleaseRow>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let cases = cases_of(conn, &row.id).await?;
        out.push(row.into_release(cases)?);
    }
    Ok(out)
}
