//! `GET /api/v1/catalog`: products, editions, release lines with their next patch versions and
//! bundled components; admins add lines and change their support, latest release and components.

use axum::extract::{Path, State};
use embargo_domain::ReleaseLineId;
use embargo_service::ServiceError;
use embargo_service::accounts::Principal;
use embargo_service::catalog::{self, LineRef, NewLine};
use serde::Deserialize;
use utoipa::ToSchema;

use super::doc::{ListErrors, WriteErrors};
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

fn line_id(s: &str) -> Result<ReleaseLineId, ApiError> {
    s.parse().map_err(|_| {
        ApiError(ServiceError::Invalid {
            field: "line",
            reason: format!("{s:?} is not a release line id"),
        })
    })
}

async fn catalog_now(state: &AppState, who: &Principal) -> Result<AppJson<CatalogJson>, ApiError> {
    let catalog = embargo_service::catalog::load(&state.app, who).await?;
    Ok(AppJson(wire::catalog_json(&catalog)))
}

/// A release line to add, with its product and edition (created when new).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewLineBody {
    product: String,
    edition: String,
    /// e.g. `3.4.x`
    line: String,
    /// three-part or four-part
    scheme: String,
    latest_version: Option<String>,
    #[serde(default = "yes")]
    supported: bool,
    #[serde(default)]
    lts: bool,
    /// YYYY-MM-DD
    support_ends: Option<String>,
}

fn yes() -> bool {
    true
}

/// Adds a release line (and its product and edition when new); admins only.
#[utoipa::path(
    post,
    path = "/catalog/lines",
    operation_id = "add_release_line",
    tag = "catalog",
    request_body = NewLineBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The catalog", body = CatalogJson), WriteErrors)
)]
pub(crate) async fn add_line(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<NewLineBody>,
) -> Result<AppJson<CatalogJson>, ApiError> {
    catalog::add_line(
        &state.app,
        &who,
        &NewLine {
            at: LineRef {
                product: body.product,
                edition: body.edition,
                line: body.line,
            },
            scheme: body.scheme,
            latest: body.latest_version,
            supported: body.supported,
            lts: body.lts,
            support_ends: body.support_ends,
        },
    )
    .await?;
    catalog_now(&state, &who).await
}

/// What to change on a release line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineChangeBody {
    /// With `lts` and `support_ends`: the line's support.
    supported: Option<bool>,
    #[serde(default)]
    lts: bool,
    support_ends: Option<String>,
    /// The latest released version on the line (the next patch follows from it).
    latest_version: Option<String>,
}

/// Changes a line's support or records its latest release; admins only.
#[utoipa::path(
    patch,
    path = "/catalog/lines/{line}",
    operation_id = "change_release_line",
    tag = "catalog",
    params(("line" = String, Path, description = "A release line id")),
    request_body = LineChangeBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The catalog", body = CatalogJson), WriteErrors)
)]
pub(crate) async fn change_line(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(line): Path<String>,
    AppJson(body): AppJson<LineChangeBody>,
) -> Result<AppJson<CatalogJson>, ApiError> {
    let id = line_id(&line)?;
    if body.supported.is_none() && body.latest_version.is_none() {
        return Err(ApiError(ServiceError::Invalid {
            field: "supported",
            reason: "give supported (with lts and support_ends), latest_version, or both"
                .to_owned(),
        }));
    }
    if let Some(supported) = body.supported {
        catalog::set_support(
            &state.app,
            &who,
            id,
            supported,
            body.lts,
            body.support_ends.as_deref(),
        )
        .await?;
    }
    if let Some(version) = &body.latest_version {
        catalog::set_latest_of(&state.app, &who, id, version).await?;
    }
    catalog_now(&state, &who).await
}

/// The version of an upstream component a line bundles; an empty version removes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComponentBody {
    version: String,
}

/// Sets or removes a component bundled by a line (e.g. `openssl` 3.0.15); admins only.
#[utoipa::path(
    put,
    path = "/catalog/lines/{line}/components/{name}",
    operation_id = "set_line_component",
    tag = "catalog",
    params(
        ("line" = String, Path, description = "A release line id"),
        ("name" = String, Path, description = "The component, e.g. openssl"),
    ),
    request_body = ComponentBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The catalog", body = CatalogJson), WriteErrors)
)]
pub(crate) async fn set_component(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((line, name)): Path<(String, String)>,
    AppJson(body): AppJson<ComponentBody>,
) -> Result<AppJson<CatalogJson>, ApiError> {
    let id = line_id(&line)?;
    catalog::set_component_of(&state.app, &who, id, &name, &body.version).await?;
    catalog_now(&state, &who).await
}
