//! The product catalog as the domain sees it.

use anyhow::Context;
use embargo_domain::Catalog;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

/// The whole catalog. Every signed-in account may read it: it names products and versions, no
/// case data.
pub async fn load(app: &App, who: &Principal) -> Result<Catalog, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app
        .db
        .pool()
        .acquire()
        .await
        .context("opening a connection")?;
    Ok(embargo_store::catalog::load(&mut conn)
        .await
        .context("loading the catalog")?)
}
