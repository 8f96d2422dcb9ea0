//! The product catalog: products, editions, release lines and the upstream components each
//! line bundles. Inserts are idempotent on natural keys so seeding can run any number of times.
//! [`load`] reads it all into the domain's [`Catalog`]; the `set_*` functions change one line.

use std::collections::BTreeMap;

use embargo_domain::{
    Catalog, Component, Edition, EditionId, Product, ProductId, ReleaseLine, ReleaseLineId,
    Version, VersionScheme,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::codes::parse_version_scheme;
use crate::users::parse_id;
use crate::{StoreError, flag, to_micros};

#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub vendor: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewEdition<'a> {
    pub product_id: Uuid,
    pub slug: &'a str,
    pub name: &'a str,
    /// `three-part` (3.4.1) or `four-part` (3.4.1.1); from a domain [`VersionScheme`] use
    /// [`crate::codes::version_scheme_code`].
    pub version_scheme: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewReleaseLine<'a> {
    pub edition_id: Uuid,
    pub name: &'a str,
    pub latest_version: Option<&'a str>,
    pub supported: bool,
    pub lts: bool,
    /// ISO date `YYYY-MM-DD`.
    pub support_ends_on: Option<&'a str>,
}

/// A release line with its product and edition, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseLineRecord {
    pub id: Uuid,
    pub product: String,
    pub edition: String,
    pub version_scheme: String,
    pub name: String,
    pub latest_version: Option<String>,
    pub supported: bool,
    pub lts: bool,
    pub support_ends_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReleaseLineRow {
    id: String,
    product: String,
    edition: String,
    version_scheme: String,
    name: String,
    latest_version: Option<String>,
    supported: i64,
    lts: i64,
    support_ends_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComponentRecord {
    pub name: String,
    pub version: String,
}

/// Inserts the product unless one with the slug exists; returns its id either way.
pub async fn ensure_product(
    conn: &mut AnyConnection,
    product: &NewProduct<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    sqlx::query(
        "INSERT INTO products (id, slug, name, vendor, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(product.slug)
    .bind(product.name)
    .bind(product.vendor)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    let id: String = sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
        .bind(product.slug)
        .fetch_one(conn)
        .await?;
    parse_id("products.id", &id)
}

pub async fn ensure_edition(
    conn: &mut AnyConnection,
    edition: &NewEdition<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let product_id = edition.product_id.to_string();
    sqlx::query(
        "INSERT INTO editions (id, product_id, slug, name, version_scheme, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id, slug) DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(&product_id)
    .bind(edition.slug)
    .bind(edition.name)
    .bind(edition.version_scheme)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    let id: String =
        sqlx::query_scalar("SELECT id FROM editions WHERE product_id = $1 AND slug = $2")
            .bind(&product_id)
            .bind(edition.slug)
            .fetch_one(conn)
            .await?;
    parse_id("editions.id", &id)
}

pub async fn ensure_release_line(
    conn: &mut AnyConnection,
    line: &NewReleaseLine<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let edition_id = line.edition_id.to_string();
    sqlx::query(
        "INSERT INTO release_lines (id, edition_id, name, latest_version, supported, lts, \
         support_ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (edition_id, name) DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(&edition_id)
    .bind(line.name)
    .bind(line.latest_version)
    .bind(flag(line.supported))
    .bind(flag(line.lts))
    .bind(line.support_ends_on)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    let id: String =
        sqlx::query_scalar("SELECT id FROM release_lines WHERE edition_id = $1 AND name = $2")
            .bind(&edition_id)
            .bind(line.name)
            .fetch_one(conn)
            .await?;
    parse_id("release_lines.id", &id)
}

pub async fn ensure_component(
    conn: &mut AnyConnection,
    release_line_id: Uuid,
    name: &str,
    version: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO components (release_line_id, name, version) VALUES ($1, $2, $3) \
         ON CONFLICT (release_line_id, name) DO NOTHING",
    )
    .bind(release_line_id.to_string())
    .bind(name)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every release line, ordered by product, edition and line name.
pub async fn list_release_lines(
    conn: &mut AnyConnection,
) -> Result<Vec<ReleaseLineRecord>, StoreError> {
    let rows: Vec<ReleaseLineRow> = sqlx::query_as(
        "SELECT l.id, p.name AS product, e.name AS edition, e.version_scheme, l.name, \
         l.latest_version, l.supported, l.lts, l.support_ends_on \
         FROM release_lines l JOIN editions e ON e.id = l.edition_id \
         JOIN products p ON p.id = e.product_id \
         ORDER BY p.name, e.name, l.name DESC",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ReleaseLineRecord {
                id: parse_id("release_lines.id", &r.id)?,
                product: r.product,
                edition: r.edition,
                version_scheme: r.version_scheme,
                name: r.name,
                latest_version: r.latest_version,
                supported: r.supported != 0,
                lts: r.lts != 0,
                support_ends_on: r.support_ends_on,
            })
        })
        .collect()
}

pub async fn list_components(
    conn: &mut AnyConnection,
    release_line_id: Uuid,
) -> Result<Vec<ComponentRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT name, version FROM components WHERE release_line_id = $1 ORDER BY name",
    )
    .bind(release_line_id.to_string())
    .fetch_all(conn)
    .await?)
}

// ----- the domain catalog -----

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: String,
    name: String,
}

#[derive(sqlx::FromRow)]
struct EditionRow {
    id: String,
    product_id: String,
    name: String,
    version_scheme: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: String,
    edition_id: String,
    name: String,
    latest_version: Option<String>,
    supported: i64,
    lts: i64,
    support_ends_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ComponentRow {
    release_line_id: String,
    name: String,
    version: String,
}

fn corrupt(column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        column,
        value: value.to_owned(),
    }
}

/// The version prefix of a line name (`3.4.x` → `[3, 4]`), for ordering lines numerically.
fn line_order(line: &ReleaseLine) -> Vec<u64> {
    line.name()
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The whole catalog as the domain sees it: products by name, their editions by name, each
/// edition's release lines newest first (3.10.x before 3.9.x) with their components by name.
pub async fn load(conn: &mut AnyConnection) -> Result<Catalog, StoreError> {
    let products: Vec<ProductRow> =
        sqlx::query_as("SELECT id, name FROM products ORDER BY name, id")
            .fetch_all(&mut *conn)
            .await?;
    let editions: Vec<EditionRow> = sqlx::query_as(
        "SELECT id, product_id, name, version_scheme FROM editions ORDER BY name, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT id, edition_id, name, latest_version, supported, lts, support_ends_on \
         FROM release_lines",
    )
    .fetch_all(&mut *conn)
    .await?;
    let components: Vec<ComponentRow> = sqlx::query_as(
        "SELECT release_line_id, name, version FROM components ORDER BY release_line_id, name",
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut by_line: BTreeMap<String, Vec<Component>> = BTreeMap::new();
    for c in components {
        by_line
            .entry(c.release_line_id)
            .or_default()
            .push(Component {
                name: c.name,
                version: c.version,
            });
    }
    let mut schemes: BTreeMap<String, VersionScheme> = BTreeMap::new();
    for e in &editions {
        schemes.insert(
            e.id.clone(),
            parse_version_scheme("editions.version_scheme", &e.version_scheme)?,
        );
    }
    let mut by_edition: BTreeMap<String, Vec<ReleaseLine>> = BTreeMap::new();
    for l in lines {
        let scheme = *schemes
            .get(&l.edition_id)
            .ok_or_else(|| corrupt("release_lines.edition_id", &l.edition_id))?;
        let latest = l
            .latest_version
            .as_deref()
            .map(|v| {
                Version::parse_in(scheme, v).map_err(|_| corrupt("release_lines.latest_version", v))
            })
            .transpose()?;
        let id = ReleaseLineId::from(parse_id("release_lines.id", &l.id)?);
        let mut line = ReleaseLine::new(id, &l.name, scheme, latest)
            .map_err(|e| corrupt("release_lines.name", &format!("{}: {e}", l.name)))?;
        line.supported = l.supported != 0;
        line.lts = l.lts != 0;
        line.support_ends = l
            .support_ends_on
            .as_deref()
            .map(|d| {
                d.parse::<Date>()
                    .map_err(|_| corrupt("release_lines.support_ends_on", d))
            })
            .transpose()?;
        line.components = by_line.remove(&l.id).unwrap_or_default();
        by_edition.entry(l.edition_id).or_default().push(line);
    }
    let mut by_product: BTreeMap<String, Vec<Edition>> = BTreeMap::new();
    for e in editions {
        let mut lines = by_edition.remove(&e.id).unwrap_or_default();
        lines.sort_by_key(|l| std::cmp::Reverse(line_order(l)));
        by_product.entry(e.product_id).or_default().push(Edition {
            id: EditionId::from(parse_id("editions.id", &e.id)?),
            name: e.name,
            lines,
        });
    }
    products
        .into_iter()
        .map(|p| {
            Ok(Product {
                editions: by_product.remove(&p.id).unwrap_or_default(),
                id: ProductId::from(parse_id("products.id", &p.id)?),
                name: p.name,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
        .map(|products| Catalog { products })
}

/// Records a new latest release of a line. Checking that the version belongs to the line is the
/// caller's (the domain's [`ReleaseLine::set_latest`]); this only writes it.
pub async fn set_latest_version(
    conn: &mut AnyConnection,
    line: ReleaseLineId,
    version: &Version,
) -> Result<(), StoreError> {
    let updated = sqlx::query("UPDATE release_lines SET latest_version = $1 WHERE id = $2")
        .bind(version.to_string())
        .bind(line.to_string())
        .execute(conn)
        .await?
        .rows_affected();
    found(updated, "release line", line)
}

/// Whether a line is supported, long-term supported, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSupport {
    pub supported: bool,
    pub lts: bool,
    /// The last day of support, if announced.
    pub support_ends: Option<Date>,
}

/// Marks a line supported or not, LTS or not, with its end of support.
pub async fn set_support(
    conn: &mut AnyConnection,
    line: ReleaseLineId,
    support: &LineSupport,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE release_lines SET supported = $1, lts = $2, support_ends_on = $3 WHERE id = $4",
    )
    .bind(flag(support.supported))
    .bind(flag(support.lts))
    .bind(support.support_ends.map(|d| d.to_string()))
    .bind(line.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    found(updated, "release line", line)
}

/// Adds a bundled component to a line, or changes its version.
pub async fn set_component(
    conn: &mut AnyConnection,
    line: ReleaseLineId,
    component: &Component,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO components (release_line_id, name, version) VALUES ($1, $2, $3) \
         ON CONFLICT (release_line_id, name) DO UPDATE SET version = excluded.version",
    )
    .bind(line.to_string())
    .bind(&component.name)
    .bind(&component.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a bundled component from a line; `false` when the line had no such component.
pub async fn remove_component(
    conn: &mut AnyConnection,
    line: ReleaseLineId,
    name: &str,
) -> Result<bool, StoreError> {
    let removed = sqlx::query("DELETE FROM components WHERE release_line_id = $1 AND name = $2")
        .bind(line.to_string())
        .bind(name)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(removed == 1)
}

/// A release line by its natural key, as a CLI names it: product slug, edition slug, line name.
pub async fn find_release_line(
    conn: &mut AnyConnection,
    product_slug: &str,
    edition_slug: &str,
    line_name: &str,
) -> Result<Option<ReleaseLineId>, StoreError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT l.id FROM release_lines l JOIN editions e ON e.id = l.edition_id \
         JOIN products p ON p.id = e.product_id \
         WHERE p.slug = $1 AND e.slug = $2 AND l.name = $3",
    )
    .bind(product_slug)
    .bind(edition_slug)
    .bind(line_name)
    .fetch_optional(conn)
    .await?;
    id.map(|i| parse_id("release_lines.id", &i).map(ReleaseLineId::from))
        .transpose()
}

fn found(rows: u64, entity: &'static str, id: impl ToString) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            entity,
            id: id.to_string(),
        })
    }
}

/// The vendor named for a product (who issues its advisories).
pub async fn product_vendor(
    conn: &mut AnyConnection,
    product: embargo_domain::ProductId,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT vendor FROM products WHERE id = $1")
            .bind(product.to_string())
            .fetch_optional(conn)
            .await?,
    )
}
