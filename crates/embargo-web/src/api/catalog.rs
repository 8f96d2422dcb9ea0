//! `GET /api/v1/catalog`: products, editions, release lines with their next patch versions and
//! bundled components.

use axum::extract::State;

use super::doc::ListErrors;
use super::wire::{self, CatalogJson};
use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// The catalog, for every account.
#[utoipa::path(
    get,
    path = "/catalog",
    operation_id = "get_catalog",
    tag = "catalog",
    security(("bearer" = [])),
    responses((status = 200, description = "The catalog", body = CatalogJson), ListErrors)
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> Result<AppJson<CatalogJson>, ApiError> {
    let catalog = embargo_service::catalog::load(&state.app, &who).await?;
    Ok(AppJson(wire::catalog_json(&catalog)))
}
