//! `/api/v1/prenotify`: the pre-notification list (e.g. distributors, mailed each advisory under
//! embargo shortly before it lifts), and `/api/v1/cases/{case}/prenotifications`: the notices
//! sent about one case. The team's only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use embargo_service::cases::CaseRef;
use embargo_service::prenotify::{self, NewRecipient, NoticeView, RecipientView};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::{ListErrors, ReadErrors, WriteErrors};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// One entry of the list.
#[derive(Serialize, ToSchema)]
pub(crate) struct RecipientJson {
    id: String,
    name: String,
    email: String,
    /// Product names; empty: every product.
    products: Vec<String>,
    /// The fingerprint of the key notices are encrypted to.
    #[serde(skip_serializing_if = "Option::is_none")]
    key_fingerprint: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
}

fn recipient_json(v: RecipientView) -> RecipientJson {
    RecipientJson {
        id: v.recipient.id.to_string(),
        name: v.recipient.name,
        email: v.recipient.email,
        products: v.products,
        key_fingerprint: v.key_fingerprint,
        created_at: v.recipient.created_at,
    }
}

/// A new entry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecipientBody {
    name: String,
    email: String,
    /// Product names; empty or absent: every product.
    #[serde(default)]
    products: Vec<String>,
    /// An ASCII-armoured OpenPGP public key that can encrypt; notices are then encrypted to it.
    public_key: Option<String>,
}

/// The pre-notification list; the team only.
#[utoipa::path(
    get,
    path = "/prenotify",
    operation_id = "list_prenotify",
    tag = "prenotify",
    security(("bearer" = [])),
    responses((status = 200, description = "The list", body = Vec<RecipientJson>), ListErrors)
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> Result<AppJson<Vec<RecipientJson>>, ApiError> {
    let list = prenotify::list(&state.app, &who).await?;
    Ok(AppJson(list.into_iter().map(recipient_json).collect()))
}

/// Adds an entry to the pre-notification list; the team only.
#[utoipa::path(
    post,
    path = "/prenotify",
    operation_id = "add_prenotify",
    tag = "prenotify",
    request_body = RecipientBody,
    security(("bearer" = [])),
    responses((status = 201, description = "The entry", body = RecipientJson), WriteErrors)
)]
pub(crate) async fn add(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<RecipientBody>,
) -> Result<(StatusCode, AppJson<RecipientJson>), ApiError> {
    let v = prenotify::add(
        &state.app,
        &who,
        &NewRecipient {
            name: body.name,
            email: body.email,
            products: body.products,
            public_key: body.public_key,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, AppJson(recipient_json(v))))
}

/// Takes an entry off the list (its past notices stay on record); the team only.
#[utoipa::path(
    delete,
    path = "/prenotify/{id}",
    operation_id = "remove_prenotify",
    tag = "prenotify",
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    prenotify::remove(&state.app, &who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One notice about a case.
#[derive(Serialize, ToSchema)]
pub(crate) struct NoticeJson {
    recipient: String,
    email: String,
    advisory: String,
    /// The embargo the notice announced.
    #[schema(value_type = String, format = DateTime)]
    embargo: Timestamp,
    /// Queued for delivery; otherwise `note` says why not.
    sent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
}

fn notice_json(n: NoticeView) -> NoticeJson {
    NoticeJson {
        recipient: n.recipient,
        email: n.email,
        advisory: n.advisory,
        embargo: n.embargo,
        sent: n.sent,
        note: n.note,
        at: n.at,
    }
}

/// The pre-notifications sent about a case, oldest first; the team only.
#[utoipa::path(
    get,
    path = "/cases/{case}/prenotifications",
    operation_id = "list_case_prenotifications",
    tag = "prenotify",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The notices", body = Vec<NoticeJson>), ReadErrors)
)]
pub(crate) async fn notices(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> Result<AppJson<Vec<NoticeJson>>, ApiError> {
    let list = prenotify::notices(&state.app, &who, CaseRef::parse(&case)?).await?;
    Ok(AppJson(list.into_iter().map(notice_json).collect()))
}
