//! `POST /api/v1/reports` (public intake) and `GET /api/v1/reports` (the team).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use embargo_domain::Channel;
use embargo_service::ServiceError;
use embargo_service::intake::{self, Submission};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{IntakeErrors, ListErrors};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// A vulnerability report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewReportJson {
    title: String,
    description: String,
    reporter_email: String,
    reporter_name: Option<String>,
    product: Option<String>,
    version: Option<String>,
    #[serde(default)]
    credit_consent: bool,
    /// Files sent with the report (each at most the configured size).
    #[serde(default)]
    attachments: Vec<FileJson>,
    /// The reporter's OpenPGP public key (ASCII armor naming their address): mail to them is
    /// encrypted to it.
    pgp_key: Option<String>,
}

/// A file in a JSON body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileJson {
    /// The file's name.
    name: String,
    /// Its media type; `application/octet-stream` when absent.
    media_type: Option<String>,
    /// Its bytes, in standard base64.
    content_base64: String,
}

impl FileJson {
    /// The upload, or an error naming the file whose content is not base64.
    pub(crate) fn into_upload(self, field: &'static str) -> Result<intake::Upload, ServiceError> {
        use base64::Engine as _;
        let content = base64::engine::general_purpose::STANDARD
            .decode(self.content_base64.as_bytes())
            .map_err(|e| ServiceError::Invalid {
                field,
                reason: format!("{:?}: content_base64 is not base64: {e}", self.name),
            })?;
        Ok(intake::Upload {
            name: self.name,
            media_type: self.media_type.unwrap_or_default(),
            content,
        })
    }
}

/// Decodes the files of a JSON body.
pub(crate) fn uploads(
    files: Vec<FileJson>,
    field: &'static str,
) -> Result<Vec<intake::Upload>, ServiceError> {
    files.into_iter().map(|f| f.into_upload(field)).collect()
}

/// The receipt of a stored report.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReceiptJson {
    tracking_id: String,
    status: &'static str,
    message: &'static str,
}

const RECEIPT_MESSAGE: &str = "Thank you: your report has been received and stored. \
    Keep the tracking id; the security team will confirm or reject the issue and tell you the \
    expected timeline for a fix. Please do not make the issue public until it has been fixed \
    and disclosed.";

/// Public intake. The body is kept as received (the report's raw original) and parsed here; the
/// report is committed before the 201 is sent.
#[utoipa::path(
    post,
    path = "/reports",
    operation_id = "submit_report",
    tag = "reports",
    request_body = NewReportJson,
    responses(
        (status = 201, description = "The report is stored", body = ReceiptJson),
        IntakeErrors
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<(StatusCode, AppJson<ReceiptJson>), ApiError> {
    if !state.intake_limiter.check(peer.ip()) {
        return Err(ApiError(ServiceError::RateLimited));
    }
    // Parsed like every other API body, so that a value of the wrong type names its field.
    let axum::Json(parsed) = axum::Json::<NewReportJson>::from_bytes(&body)
        .map_err(|rejection| ApiError(crate::json::reject(&rejection)))?;
    let receipt = intake::submit(
        &state.app,
        Channel::Api,
        Submission {
            title: parsed.title,
            description: parsed.description,
            reporter_email: parsed.reporter_email,
            reporter_name: parsed.reporter_name,
            product: parsed.product,
            version: parsed.version,
            credit_consent: parsed.credit_consent,
            attachments: uploads(parsed.attachments, "attachments").map_err(ApiError)?,
            pgp_key: parsed.pgp_key,
        },
        &body,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(ReceiptJson {
            tracking_id: receipt.tracking_id.to_string(),
            status: "received",
            message: RECEIPT_MESSAGE,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// At most this many, newest first.
    limit: Option<i64>,
}

/// A received report.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReportJson {
    id: String,
    tracking_id: String,
    channel: &'static str,
    reporter_email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reporter_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    received_at: Timestamp,
    subject: String,
    attachments: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    case: Option<String>,
}

/// The received reports; the team only.
#[utoipa::path(
    get,
    path = "/reports",
    operation_id = "list_reports",
    tag = "reports",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The reports", body = Vec<ReportJson>), ListErrors)
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<ListQuery>,
) -> Result<AppJson<Vec<ReportJson>>, ApiError> {
    let reports = intake::list_reports(&state.app, &who, q.limit).await?;
    Ok(AppJson(
        reports
            .into_iter()
            .map(|r| ReportJson {
                id: r.id.to_string(),
                tracking_id: r.tracking_id.to_string(),
                channel: r.channel.as_str(),
                reporter_email: r.reporter.email.as_ref().to_owned(),
                reporter_name: r.reporter.name,
                received_at: r.received_at,
                subject: r.subject,
                attachments: r.attachments,
                case: r.case.map(|c| c.to_string()),
            })
            .collect(),
    ))
}
