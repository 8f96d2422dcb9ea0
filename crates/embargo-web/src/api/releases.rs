//! `/api/v1/releases`: release plans per release line, the cases they fix, and shipping them.
//! The team's only: other roles get 403, as for the report list.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use embargo_service::cases::CaseRef;
use embargo_service::releases::{self, ReleaseQuery, ReleaseView, ShipOutcome};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{ListErrors, ReadErrors, WriteErrors};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

type ApiResult<T> = Result<AppJson<T>, ApiError>;

/// A patch release of one release line.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReleaseJson {
    id: String,
    release_line: String,
    product: String,
    edition: String,
    line: String,
    version: String,
    /// `planned` or `shipped`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipped_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    shipped_at: Option<Timestamp>,
    cases: Vec<ReleaseCaseJson>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

#[derive(Serialize, ToSchema)]
struct ReleaseCaseJson {
    id: String,
    title: String,
    state: &'static str,
}

/// A shipped release and what shipping did to its cases.
#[derive(Serialize, ToSchema)]
pub(crate) struct ShipJson {
    release: ReleaseJson,
    cases: Vec<ShippedCaseJson>,
}

#[derive(Serialize, ToSchema)]
struct ShippedCaseJson {
    id: String,
    marked_fixed: bool,
    released: bool,
    state: &'static str,
}

fn release_json(v: &ReleaseView) -> ReleaseJson {
    let r = &v.release;
    ReleaseJson {
        id: r.id.to_string(),
        release_line: r.line.to_string(),
        product: v.product.clone(),
        edition: v.edition.clone(),
        line: v.line.clone(),
        version: r.version.to_string(),
        state: if r.is_shipped() { "shipped" } else { "planned" },
        target: r.target.map(|d| d.to_string()),
        shipped_on: r.shipped.map(|s| s.on.to_string()),
        shipped_at: r.shipped.map(|s| s.at),
        cases: v
            .cases
            .iter()
            .map(|c| ReleaseCaseJson {
                id: c.id.to_string(),
                title: c.title.clone(),
                state: c.state.as_str(),
            })
            .collect(),
        created_at: r.created_at,
    }
}

fn ship_json(o: &ShipOutcome) -> ShipJson {
    ShipJson {
        release: release_json(&o.release),
        cases: o
            .cases
            .iter()
            .map(|c| ShippedCaseJson {
                id: c.id.to_string(),
                marked_fixed: c.marked_fixed,
                released: c.released,
                state: c.state.as_str(),
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// A release line id.
    release_line: Option<String>,
    /// `planned` or `shipped`.
    state: Option<String>,
    /// A case id: the releases that fix it.
    case: Option<String>,
}

/// Release plans, newest first; the team only.
#[utoipa::path(
    get,
    path = "/releases",
    operation_id = "list_releases",
    tag = "releases",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The releases", body = Vec<ReleaseJson>), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<ReleaseJson>> {
    let shipped = match q.state.as_deref() {
        None => None,
        Some("planned") => Some(false),
        Some("shipped") => Some(true),
        Some(other) => {
            return Err(ApiError(embargo_service::ServiceError::Invalid {
                field: "state",
                reason: format!("{other:?}: planned or shipped"),
            }));
        }
    };
    let line = match q.release_line.as_deref() {
        Some(l) => Some(releases::resolve_line(&state.app, l).await?),
        None => None,
    };
    let case = q
        .case
        .as_deref()
        .map(|c| {
            c.parse().map_err(|_| {
                ApiError(embargo_service::ServiceError::Invalid {
                    field: "case",
                    reason: format!("{c:?} is not a case id"),
                })
            })
        })
        .transpose()?;
    let rows = releases::list(
        &state.app,
        &who,
        ReleaseQuery {
            line,
            shipped,
            case,
        },
    )
    .await?;
    Ok(AppJson(rows.iter().map(release_json).collect()))
}

/// A release to plan.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanJson {
    /// A release line id, or `product/edition/line` slugs.
    release_line: String,
    /// Default: the line's next patch version.
    version: Option<String>,
    /// YYYY-MM-DD.
    target: Option<String>,
}

/// Plans a patch release of a line; the team only.
#[utoipa::path(
    post,
    path = "/releases",
    operation_id = "plan_release",
    tag = "releases",
    request_body = PlanJson,
    security(("bearer" = [])),
    responses((status = 201, description = "The planned release", body = ReleaseJson), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn plan(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<PlanJson>,
) -> Result<(StatusCode, AppJson<ReleaseJson>), ApiError> {
    let target = body
        .target
        .as_deref()
        .map(|t| releases::parse_date("target", t))
        .transpose()?;
    // Release lines are no secret: every account may read the catalog.
    let line = releases::resolve_line(&state.app, &body.release_line).await?;
    let view = releases::plan(&state.app, &who, line, body.version.as_deref(), target).await?;
    Ok((StatusCode::CREATED, AppJson(release_json(&view))))
}

/// One release; the team only.
#[utoipa::path(
    get,
    path = "/releases/{release}",
    operation_id = "get_release",
    tag = "releases",
    params(("release" = String, Path, description = "The release id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The release", body = ReleaseJson), ReadErrors)
)]
#[tracing::instrument(skip(state, who), fields(release = %release))]
pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(release): Path<String>,
) -> ApiResult<ReleaseJson> {
    let view = releases::get(&state.app, &who, releases::parse_id(&release)?).await?;
    Ok(AppJson(release_json(&view)))
}

/// The case a release fixes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddCaseJson {
    /// A case id or tracking id.
    case: String,
}

/// Adds a case the release fixes; the team only.
#[utoipa::path(
    post,
    path = "/releases/{release}/cases",
    operation_id = "add_release_case",
    tag = "releases",
    params(("release" = String, Path, description = "The release id")),
    request_body = AddCaseJson,
    security(("bearer" = [])),
    responses((status = 200, description = "The release", body = ReleaseJson), WriteErrors)
)]
#[tracing::instrument(skip(state, who, body), fields(release = %release))]
pub(crate) async fn add_case(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(release): Path<String>,
    AppJson(body): AppJson<AddCaseJson>,
) -> ApiResult<ReleaseJson> {
    let view = releases::add_case(
        &state.app,
        &who,
        releases::parse_id(&release)?,
        CaseRef::parse(&body.case)?,
    )
    .await?;
    Ok(AppJson(release_json(&view)))
}

/// How the release shipped.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShipBody {
    /// Default: the planned version.
    version: Option<String>,
    /// The release day, YYYY-MM-DD; default today.
    date: Option<String>,
}

/// Ships the release: its cases are marked fixed on the line; the team only.
#[utoipa::path(
    post,
    path = "/releases/{release}/ship",
    operation_id = "ship_release",
    tag = "releases",
    params(("release" = String, Path, description = "The release id")),
    request_body = ShipBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The shipped release", body = ShipJson), WriteErrors)
)]
#[tracing::instrument(skip(state, who, body), fields(release = %release))]
pub(crate) async fn ship(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(release): Path<String>,
    AppJson(body): AppJson<ShipBody>,
) -> ApiResult<ShipJson> {
    let on = body
        .date
        .as_deref()
        .map(|d| releases::parse_date("date", d))
        .transpose()?;
    let outcome = releases::ship(
        &state.app,
        &who,
        releases::parse_id(&release)?,
        body.version.as_deref(),
        on,
    )
    .await?;
    Ok(AppJson(ship_json(&outcome)))
}
