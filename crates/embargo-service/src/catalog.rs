//! The product catalog as the domain sees it.

use anyhow::Context;
use embargo_domain::Catalog;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

/// The whole catalog. Every signed-in account may read it: it names products and versions, no
/// case data.
pub async fn load(app: &App, who: &Principal) -> Result<Catalog, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    Ok(embargo_store::catalog::load(&mut conn)
        .await
        .context("loading the catalog")?)
}

/// A release line named as people name it: product slug, edition slug, line name.
#[derive(Debug, Clone)]
pub struct LineRef {
    pub product: String,
    pub edition: String,
    pub line: String,
}

/// A new or existing release line, with the product and edition it belongs to.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub at: LineRef,
    /// `three-part` or `four-part`.
    pub scheme: String,
    pub latest: Option<String>,
    pub supported: bool,
    pub lts: bool,
    pub support_ends: Option<String>,
}

fn require_admin(who: &Principal) -> Result<(), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role != embargo_domain::Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

fn title_case(slug: &str) -> String {
    let mut chars = slug.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Adds a release line (and its product and edition when new). Idempotent on the names.
pub async fn add_line(app: &App, who: &Principal, new: &NewLine) -> Result<(), ServiceError> {
    use embargo_domain::{ReleaseLine, ReleaseLineId, Version, VersionScheme};
    require_admin(who)?;
    let scheme = match new.scheme.as_str() {
        "three-part" => VersionScheme::Semver,
        "four-part" => VersionScheme::Enterprise,
        other => {
            return Err(ServiceError::Invalid {
                field: "scheme",
                reason: format!("{other:?}: use three-part or four-part"),
            });
        }
    };
    let latest = new
        .latest
        .as_deref()
        .map(|v| Version::parse_in(scheme, v))
        .transpose()
        .map_err(crate::cases::from_domain)?;
    // The domain checks the line name and that the latest version belongs to it.
    ReleaseLine::new(
        ReleaseLineId::from_uuid(uuid::Uuid::nil()),
        &new.at.line,
        scheme,
        latest,
    )
    .map_err(crate::cases::from_domain)?;
    let support_ends = new
        .support_ends
        .as_deref()
        .map(|d| {
            d.parse::<jiff::civil::Date>()
                .map(|_| d)
                .map_err(|e| ServiceError::Invalid {
                    field: "support_ends",
                    reason: format!("{d:?} is not a date (YYYY-MM-DD): {e}"),
                })
        })
        .transpose()?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let product = embargo_store::catalog::ensure_product(
        &mut tx,
        &embargo_store::catalog::NewProduct {
            slug: &new.at.product,
            name: &title_case(&new.at.product),
            vendor: "",
        },
        now,
    )
    .await?;
    let edition = embargo_store::catalog::ensure_edition(
        &mut tx,
        &embargo_store::catalog::NewEdition {
            product_id: product,
            slug: &new.at.edition,
            name: &title_case(&new.at.edition),
            version_scheme: &new.scheme,
        },
        now,
    )
    .await?;
    let latest = latest.map(|v| v.to_string());
    embargo_store::catalog::ensure_release_line(
        &mut tx,
        &embargo_store::catalog::NewReleaseLine {
            edition_id: edition,
            name: &new.at.line,
            latest_version: latest.as_deref(),
            supported: new.supported,
            lts: new.lts,
            support_ends_on: support_ends,
        },
        now,
    )
    .await?;
    tx.commit().await.context("committing the release line")?;
    Ok(())
}

async fn find_line(
    conn: &mut embargo_store::AnyConnection,
    at: &LineRef,
) -> Result<embargo_domain::ReleaseLineId, ServiceError> {
    embargo_store::catalog::find_release_line(conn, &at.product, &at.edition, &at.line)
        .await?
        .ok_or_else(|| ServiceError::Invalid {
            field: "release_line",
            reason: format!("no release line {} {} {}", at.product, at.edition, at.line),
        })
}

/// Records a new latest release of a line; the version must belong to the line and its scheme.
pub async fn set_latest(
    app: &App,
    who: &Principal,
    at: &LineRef,
    version: &str,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let id = find_line(&mut tx, at).await?;
    let catalog = embargo_store::catalog::load(&mut tx).await?;
    let path = catalog.line(id).ok_or(ServiceError::NotFound)?;
    let mut line = path.line.clone();
    let version = embargo_domain::Version::parse_in(line.scheme(), version)
        .map_err(crate::cases::from_domain)?;
    line.set_latest(version)
        .map_err(crate::cases::from_domain)?;
    embargo_store::catalog::set_latest_version(&mut tx, id, &version).await?;
    tx.commit().await.context("committing the release")?;
    Ok(())
}

/// Sets the version of an upstream component a line bundles.
pub async fn set_component(
    app: &App,
    who: &Principal,
    at: &LineRef,
    name: &str,
    version: &str,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    let component =
        embargo_domain::Component::new(name, version).map_err(crate::cases::from_domain)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let id = find_line(&mut tx, at).await?;
    embargo_store::catalog::set_component(&mut tx, id, &component).await?;
    tx.commit().await.context("committing the component")?;
    Ok(())
}

/// The line `id` as the catalog has it (`NotFound` when it does not), with a transaction open.
async fn line_in(
    conn: &mut embargo_store::AnyConnection,
    id: embargo_domain::ReleaseLineId,
) -> Result<embargo_domain::ReleaseLine, ServiceError> {
    let catalog = embargo_store::catalog::load(conn).await?;
    Ok(catalog.line(id).ok_or(ServiceError::NotFound)?.line.clone())
}

/// Parses a release line id as a form or path gives it.
pub fn parse_line_id(s: &str) -> Result<embargo_domain::ReleaseLineId, ServiceError> {
    uuid::Uuid::parse_str(s.trim())
        .map(embargo_domain::ReleaseLineId::from_uuid)
        .map_err(|_| ServiceError::Invalid {
            field: "line",
            reason: format!("{s:?} is not a release line id"),
        })
}

/// Marks the line `id` supported or not, long-term supported or not, with its last day of
/// support (`YYYY-MM-DD`); admins only.
pub async fn set_support(
    app: &App,
    who: &Principal,
    id: embargo_domain::ReleaseLineId,
    supported: bool,
    lts: bool,
    support_ends: Option<&str>,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    let support_ends = support_ends
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse::<jiff::civil::Date>()
                .map_err(|e| ServiceError::Invalid {
                    field: "support_ends",
                    reason: format!("{d:?} is not a date (YYYY-MM-DD): {e}"),
                })
        })
        .transpose()?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    line_in(&mut tx, id).await?;
    embargo_store::catalog::set_support(
        &mut tx,
        id,
        &embargo_store::catalog::LineSupport {
            supported,
            lts,
            support_ends,
        },
    )
    .await?;
    tx.commit().await.context("committing the line's support")?;
    Ok(())
}

/// [`set_latest`] for the line `id`.
pub async fn set_latest_of(
    app: &App,
    who: &Principal,
    id: embargo_domain::ReleaseLineId,
    version: &str,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let mut line = line_in(&mut tx, id).await?;
    let version = embargo_domain::Version::parse_in(line.scheme(), version.trim())
        .map_err(crate::cases::from_domain)?;
    line.set_latest(version)
        .map_err(crate::cases::from_domain)?;
    embargo_store::catalog::set_latest_version(&mut tx, id, &version).await?;
    tx.commit().await.context("committing the release")?;
    Ok(())
}

/// [`set_component`] for the line `id`; an empty version removes the component.
pub async fn set_component_of(
    app: &App,
    who: &Principal,
    id: embargo_domain::ReleaseLineId,
    name: &str,
    version: &str,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    line_in(&mut tx, id).await?;
    if version.trim().is_empty() {
        if !embargo_store::catalog::remove_component(&mut tx, id, name.trim()).await? {
            return Err(ServiceError::Invalid {
                field: "name",
                reason: format!("the line bundles no component {:?}", name.trim()),
            });
        }
    } else {
        let component = embargo_domain::Component::new(name.trim(), version.trim())
            .map_err(crate::cases::from_domain)?;
        embargo_store::catalog::set_component(&mut tx, id, &component).await?;
    }
    tx.commit().await.context("committing the component")?;
    Ok(())
}
