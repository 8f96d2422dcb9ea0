//! `/api/v1/cases/{case}/…` files: each report's raw original and attachments (the team and the
//! case's engineers) and the files of thread messages (whoever may read the message). Bytes come
//! back as a download (`application/octet-stream`, `Content-Disposition: attachment`, the declared
//! type in `X-Embargo-Media-Type`).

use axum::extract::{Path, State};
use axum::response::Response;
use embargo_service::ServiceError;
use embargo_service::cases::CaseRef;
use embargo_service::files;
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ReadErrors;
use crate::auth::Auth;
use crate::download::download;
use crate::json::AppJson;
use crate::{ApiError, AppState};

fn id<T: std::str::FromStr>(s: &str) -> Result<T, ApiError> {
    // An id that does not parse names nothing: the same 404 as an unknown one.
    s.parse().map_err(|_| ApiError(ServiceError::NotFound))
}

/// A file of a thread message.
#[derive(Serialize, ToSchema)]
pub(crate) struct ThreadFileJson {
    message: String,
    position: usize,
    name: String,
    media_type: String,
    size: u64,
    sha256: String,
    /// Where its bytes are.
    href: String,
}

/// The files of the thread messages the caller may read.
#[utoipa::path(
    get,
    path = "/cases/{case}/files",
    operation_id = "list_case_files",
    tag = "cases",
    params(("case" = String, Path, description = "A case id or tracking id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The files, by message", body = Vec<ThreadFileJson>), ReadErrors)
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(case): Path<String>,
) -> Result<AppJson<Vec<ThreadFileJson>>, ApiError> {
    let case = CaseRef::parse(&case)?;
    let view = embargo_service::cases::get(&state.app, &who, case).await?;
    let id = view.case.id;
    let found = files::thread_files(&state.app, &who, CaseRef::Id(id)).await?;
    Ok(AppJson(
        found
            .into_iter()
            .map(|f| ThreadFileJson {
                href: format!(
                    "/api/v1/cases/{id}/messages/{}/files/{}",
                    f.message, f.position
                ),
                message: f.message.to_string(),
                position: f.position,
                name: f.file.name,
                media_type: f.file.media_type.as_ref().to_owned(),
                size: f.file.size,
                sha256: f.file.sha256.as_ref().to_owned(),
            })
            .collect(),
    ))
}

/// A thread message's file.
#[utoipa::path(
    get,
    path = "/cases/{case}/messages/{message}/files/{n}",
    operation_id = "get_message_file",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        ("message" = String, Path, description = "A message id"),
        ("n" = String, Path, description = "The file's position in the message, from 0"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream", body = Vec<u8>), ReadErrors)
)]
pub(crate) async fn message_file(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((case, message, n)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let d = files::message_file(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        id(&message)?,
        id(&n)?,
    )
    .await?;
    Ok(download(d))
}

/// A report's raw original, byte for byte as received.
#[utoipa::path(
    get,
    path = "/cases/{case}/reports/{report}/raw",
    operation_id = "get_report_raw",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        ("report" = String, Path, description = "A report id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The original bytes", content_type = "application/octet-stream", body = Vec<u8>), ReadErrors)
)]
pub(crate) async fn report_raw(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((case, report)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let d = files::report_raw(&state.app, &who, CaseRef::parse(&case)?, id(&report)?).await?;
    Ok(download(d))
}

/// A report's attachment.
#[utoipa::path(
    get,
    path = "/cases/{case}/reports/{report}/files/{n}",
    operation_id = "get_report_file",
    tag = "cases",
    params(
        ("case" = String, Path, description = "A case id or tracking id"),
        ("report" = String, Path, description = "A report id"),
        ("n" = String, Path, description = "The attachment's position, from 0"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The attachment's bytes", content_type = "application/octet-stream", body = Vec<u8>), ReadErrors)
)]
pub(crate) async fn report_file(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((case, report, n)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let d = files::report_attachment(
        &state.app,
        &who,
        CaseRef::parse(&case)?,
        id(&report)?,
        id(&n)?,
    )
    .await?;
    Ok(download(d))
}
