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

pub(crate) fn reject(rejection: &JsonRejection) -> ServiceError {
    let text = rejection.body_text();
    // axum prefixes a summary ("Failed to deserialize the JSON body into the target type: ").
    let detail = text
        .split_once(": ")
        .map_or(text.as_str(), |(_, detail)| detail);
    let (field, reason) = match field_at_path(detail) {
        Some((field, rest)) => (Some(field), rest),
        None => (field_named_in(detail), detail),
    };
    let reason = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with Content-Type: application/json".to_owned()
        }
        _ => reason.to_owned(),
    };
    ServiceError::Invalid {
        field: field.unwrap_or("body"),
        reason,
    }
}

/// The fields of the API's request bodies. The field of an error must be a `'static` name, so
/// only names the API uses are recognised.
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
    "reject_reason",
    "duplicate_of",
    "expected_version",
    "vector",
    "cvss_v31",
    "cvss_v40",
    "status",
    "justification",
    "fixed_in",
    "links",
    "verified",
    "visibility",
    "body",
    "user",
    "role",
];

/// A value of the wrong type is reported with its path first (`credit_consent: invalid type:
/// string "yes", expected a boolean`); returns the top-level field and the rest.
fn field_at_path(detail: &str) -> Option<(&'static str, &str)> {
    let (path, rest) = detail.split_once(": ")?;
    let head = path.split(['.', '[']).next()?;
    FIELDS.iter().find(|f| **f == head).map(|f| (*f, rest))
}

/// serde names the field in "missing field `title`" and "unknown field `x`".
pub(crate) fn field_named_in(text: &str) -> Option<&'static str> {
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    let name = &text[start..end];
    FIELDS.iter().find(|f| **f == name).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_found_by_its_path_or_in_backticks() {
        let check = |detail: &str, field: Option<&str>| {
            let found = field_at_path(detail)
                .map(|(f, _)| f)
                .or_else(|| field_named_in(detail));
            assert_eq!(found, field, "{detail}");
        };
        check(
            "credit_consent: invalid type: string \"yes\", expected a boolean at line 1 column 9",
            Some("credit_consent"),
        );
        check(
            "links[0]: invalid type: integer `1`, expected a string",
            Some("links"),
        );
        check("missing field `title` at line 1 column 2", Some("title"));
        check("invalid type: integer `42`, expected struct X", None);
        check("expected value at line 1 column 1", None);
    }
}
