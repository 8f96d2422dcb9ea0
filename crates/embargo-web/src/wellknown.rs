//! `/.well-known/`: `security.txt` (RFC 9116), signed with the team key when there is one, and
//! the team's OpenPGP public key it points to.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{ApiError, AppState};

/// `GET /.well-known/security.txt`
pub(crate) async fn security_txt(State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = embargo_service::openpgp::security_txt(&state.app, &state.public_url).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// `GET /.well-known/openpgp-key.asc`: the team's public key (404 until one is configured).
pub(crate) async fn openpgp_key(State(state): State<AppState>) -> Result<Response, ApiError> {
    match embargo_service::openpgp::team_public_key(&state.app).await? {
        Some((_, armored)) => {
            Ok(([(header::CONTENT_TYPE, "application/pgp-keys")], armored).into_response())
        }
        None => Ok((StatusCode::NOT_FOUND, "no team key is configured\n").into_response()),
    }
}
