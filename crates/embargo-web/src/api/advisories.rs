//! `/api/v1/cases/{case}/advisory`: the case's public advisory as the team writes it, with a
//! preview of what exports will show. Team only: a case the caller may not see is a 404, a case
//! they see without being on the team a 403.

use axum::extract::{Path, State};
use embargo_service::advisories::{self, AdvisoryInput, AdvisoryView};
use embargo_service::cases::CaseRef;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::doc::{ReadErrors, WriteErrors};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// A case's advisory, with a preview of what exports will show.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdvisoryJson {
    id: String,
    case: String,
    /// `draft` or `published`.
    state: &'static str,
    revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    published: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    embargo: Option<Timestamp>,
    case_state: &'static str,
    title: String,
    summary: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    workarounds: Option<String>,
    references: Vec<Value>,
    revisions: Vec<Value>,
    /// What exports will show: CVE, CVSS, CWEs, products and lines, credits, upstream.
    preview: Value,
}

fn advisory_json(v: &AdvisoryView) -> AdvisoryJson {
    let a = &v.advisory;
    let m = &v.model;
    let status = |s: &embargo_export::Status| match s {
        embargo_export::Status::Affected => json!({ "status": "affected" }),
        embargo_export::Status::Fixed => json!({ "status": "fixed" }),
        embargo_export::Status::UnderInvestigation => json!({ "status": "under-investigation" }),
        embargo_export::Status::NotAffected { justification } => {
            json!({ "status": "not-affected", "justification": justification.code() })
        }
    };
    let products: Vec<Value> = m
        .products
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "editions": p.editions.iter().map(|e| json!({
                    "name": e.name,
                    "lines": e.lines.iter().map(|l| {
                        let mut v = status(&l.status);
                        v["line"] = json!(l.line);
                        if let Some(f) = &l.fixed_in { v["fixed_in"] = json!(f); }
                        v
                    }).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    AdvisoryJson {
        id: a.public_id.clone(),
        case: a.case.to_string(),
        state: if a.published().is_some() {
            "published"
        } else {
            "draft"
        },
        revision: a.revision(),
        published: a.published(),
        embargo: v.embargo,
        case_state: v.case_state.as_str(),
        title: a.content.title.clone(),
        summary: a.content.summary.clone(),
        description: a.content.description_md.clone(),
        workarounds: a.content.workarounds_md.clone(),
        references: a
            .content
            .references
            .iter()
            .map(|r| json!({ "url": r.url.as_ref(), "kind": r.kind.as_str(), "name": r.name }))
            .collect(),
        revisions: a
            .revisions
            .iter()
            .map(|r| json!({ "number": r.number, "date": r.at, "summary": r.summary }))
            .collect(),
        preview: json!({
            "cve": m.cve,
            "vendor": m.vendor,
            "cvss": m.cvss,
            "cwes": m.cwes.iter().map(|c| json!({ "id": c.id, "name": c.name })).collect::<Vec<_>>(),
            "products": products,
            "credits": m.credits.iter().map(|c| json!({ "name": c.name, "type": c.kind.cve() })).collect::<Vec<_>>(),
            "upstream": m.upstream.as_ref().map(|u| json!({ "project": u.project, "ids": u.ids, "url": u.advisory_url })),
        }),
    }
}

/// A reference of the advisory.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReferenceBody {
    url: String,
    kind: String,
    name: Option<String>,
}

/// The advisory's text: a draft, or a new revision once published.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdvisoryBody {
    title: String,
    summary: String,
    description: String,
    workarounds: Option<String>,
    #[serde(default)]
    references: Vec<ReferenceBody>,
    /// When to publish: sets the case's embargo by hand (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    embargo: Option<Timestamp>,
    /// Why the embargo is set by hand; required with `embargo`.
    embargo_reason: Option<String>,
    /// Required once published: what this revision changes.
    revision_summary: Option<String>,
}

/// The case's advisory; the team only.
#[utoipa::path(
    get,
    path = "/cases/{case}/advisory",
    operation_id = "get_advisory",
    tag = "advisories",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The advisory", body = AdvisoryJson), ReadErrors)
)]
#[tracing::instrument(skip(state, who), fields(case = %case))]
pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> Result<AppJson<AdvisoryJson>, ApiError> {
    let view = advisories::get(&state.app, &who, CaseRef::parse(&case)?).await?;
    Ok(AppJson(advisory_json(&view)))
}

/// Writes the case's advisory; the team only.
#[utoipa::path(
    put,
    path = "/cases/{case}/advisory",
    operation_id = "save_advisory",
    tag = "advisories",
    params(("case" = String, Path, description = "A case id or tracking id")),
    request_body = AdvisoryBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The advisory", body = AdvisoryJson), WriteErrors)
)]
#[tracing::instrument(skip(state, who, body), fields(case = %case))]
pub(crate) async fn save(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
    AppJson(body): AppJson<AdvisoryBody>,
) -> Result<AppJson<AdvisoryJson>, ApiError> {
    let input = AdvisoryInput {
        title: body.title,
        summary: body.summary,
        description_md: body.description,
        workarounds_md: body.workarounds,
        references: body
            .references
            .into_iter()
            .map(|r| (r.url, r.kind, r.name))
            .collect(),
        embargo: body.embargo,
        embargo_reason: body.embargo_reason,
        revision_summary: body.revision_summary,
    };
    let view = advisories::save(&state.app, &who, CaseRef::parse(&case)?, &input).await?;
    Ok(AppJson(advisory_json(&view)))
}
