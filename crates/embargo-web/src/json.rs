//! `AppJson`: the JSON extractor and response of the API. A body that is not JSON, or misses or
//! mistypes a field, is answered in the API's error shape, naming the field where serde can.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use embargo_service::ServiceError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(ApiError(reject(&rejection))),
        }
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn reject(rejection: &JsonRejection) -> ServiceError {
    let text = rejection.body_text();
    let field = field_named_in(&text);
    let reason = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with Content-Type: application/json".to_owned()
        }
        _ => text
            .split_once(": ")
            .map_or(text.as_str(), |(_, detail)| detail)
            .to_owned(),
    };
    ServiceError::Invalid {
        field: field.unwrap_or("body"),
        reason,
    }
}

/// serde names the field in "missing field `title`" and "unknown field `x`"; the field must be a
/// `'static` name for the error, so only names the API uses are recognised.
pub(crate) fn field_named_in(text: &str) -> Option<&'static str> {
    const FIELDS: &[&str] = &[
        "title",
        "description",
        "reporter_email",
        "reporter_name",
        "product",
        "version",
        "credit_consent",
        "credit_name",
        "to",
        "reason",
        "expected_version",
        "cvss_v31",
        "cvss_v40",
        "status",
        "visibility",
        "body",
        "user",
        "role",
    ];
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    let name = &text[start..end];
    FIELDS.iter().find(|f| **f == name).copied()
}
