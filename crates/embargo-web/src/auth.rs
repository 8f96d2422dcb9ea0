//! Who is calling: the `Authorization: Bearer emb_…` API token, resolved by the service.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use embargo_service::ServiceError;
use embargo_service::accounts::{self, Principal};
use secrecy::SecretString;

use crate::{ApiError, AppState};

/// An authenticated caller. Extracting it fails with 401 when no valid token is presented.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError(ServiceError::Unauthenticated))?;
        let secret = header
            .strip_prefix("Bearer ")
            .ok_or(ApiError(ServiceError::Unauthenticated))?;
        let principal =
            accounts::authenticate_token(&state.app, &SecretString::from(secret.trim())).await?;
        tracing::Span::current().record("user", principal.username.as_str());
        Ok(Auth(principal))
    }
}
