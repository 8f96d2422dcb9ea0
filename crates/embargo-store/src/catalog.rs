//! The product catalog: products, editions, release lines and the upstream components each
//! line bundles. Inserts are idempotent on natural keys so seeding can run any number of times.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

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
    /// `three-part` (3.4.1) or `four-part` (3.4.1.1).
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
