//! Errors as HTTP: one `IntoResponse`, one `match` onto status codes. The JSON shape is
//! `{"error": {"code", "message", "field"}}`. A 500 sends a generic message and writes the
//! cause chain to the log; a case the caller may not see is a 404, never a 403.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_service::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail<'a> {
    /// `invalid`, `unauthenticated`, `forbidden`, `not_found`, `conflict`, `rate_limited` or
    /// `internal`.
    code: &'a str,
    /// What was wrong, for people.
    message: String,
    /// The parameter or body field at fault, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = match &self.0 {
            // The service answers `NotFound` for a case the caller may not see, so that its
            // existence never leaks; `Forbidden` is only ever about something they can see.
            ServiceError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "not found".to_owned(),
                None,
            ),
            ServiceError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "your role or this token's scopes do not allow this".to_owned(),
                None,
            ),
            ServiceError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "a valid API token is required (Authorization: Bearer emb_…)".to_owned(),
                None,
            ),
            ServiceError::Invalid { field, reason } => (
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("{field}: {reason}"),
                Some(*field),
            ),
            ServiceError::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this address; try again in a minute".to_owned(),
                None,
            ),
            ServiceError::Conflict(message) => {
                (StatusCode::CONFLICT, "conflict", message.clone(), None)
            }
            ServiceError::Unexpected(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                field,
            },
        };
        (status, Json(body)).into_response()
    }
}
