//! The CSAF 2.0 provider under `/.well-known/csaf/` (CSAF 2.0 section 7.1): the provider
//! metadata, and the TLP:CLEAR folder `clear/` with one folder per year, each document with
//! its `.sha256`, `.sha512` and `.asc` (detached OpenPGP signature by the team key; 404 while
//! there is no team key), plus `index.txt` and `changes.csv`. Only published advisories are
//! in it (`embargo_service::public`).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_service::ServiceError;
use embargo_service::public::{self, Hash};

use crate::advisory_pages::json;
use crate::{ApiError, AppState};

/// `GET /.well-known/csaf/provider-metadata.json`
pub(crate) async fn provider_metadata(State(state): State<AppState>) -> Result<Response, ApiError> {
    let doc = public::provider_metadata(&state.app, &state.public_url).await?;
    Ok(json(public::to_bytes(&doc)?))
}

fn text(body: String, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `GET /.well-known/csaf/clear/index.txt`
pub(crate) async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(text(
        public::csaf_index(&state.app).await?,
        "text/plain; charset=utf-8",
    ))
}

/// `GET /.well-known/csaf/clear/changes.csv`
pub(crate) async fn changes(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(text(
        public::csaf_changes(&state.app).await?,
        "text/csv; charset=utf-8",
    ))
}

/// `GET /.well-known/csaf/clear/{year}/{file}`: `<name>.json` and its `.sha256`, `.sha512`,
/// `.asc`.
pub(crate) async fn file(
    State(state): State<AppState>,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (document, suffix) = match file.rsplit_once(".json") {
        Some((stem, suffix)) => (format!("{stem}.json"), suffix),
        None => return Err(ServiceError::NotFound.into()),
    };
    let app = &state.app;
    let url = &state.public_url;
    match suffix {
        "" => Ok(json(
            public::csaf_document(app, url, &year, &document).await?,
        )),
        ".sha256" | ".sha512" => {
            let bytes = public::csaf_document(app, url, &year, &document).await?;
            let hash = if suffix == ".sha256" {
                Hash::Sha256
            } else {
                Hash::Sha512
            };
            Ok(text(
                public::checksum_line(hash, &bytes, &document),
                "text/plain; charset=utf-8",
            ))
        }
        ".asc" => match public::csaf_signature(app, url, &year, &document).await? {
            Some(signature) => Ok(text(signature, "application/pgp-signature")),
            None => Ok((StatusCode::NOT_FOUND, "no team key is configured\n").into_response()),
        },
        _ => Err(ServiceError::NotFound.into()),
    }
}
