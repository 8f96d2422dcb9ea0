//! Downloads for signed-in people: a report's raw original and attachments (the team and the
//! case's engineers) and the files of thread messages (whoever may read the message, reporters
//! included). The service checks access on every read; an id that does not parse is as unknown
//! as one that names nothing (404).

use axum::extract::{Path, State};
use axum::response::Response;
use embargo_service::ServiceError;
use embargo_service::files;

use super::portal::case_ref_of;
use super::session::SignedIn;
use crate::AppState;
use crate::download::download;

/// `GET /cases/{case}/reports/{report}/raw`
pub(crate) async fn report_raw(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path((case, report)): Path<(String, String)>,
) -> Response {
    let result = match report.parse() {
        Ok(report) => {
            files::report_raw(&state.app, &auth.principal, case_ref_of(&case), report).await
        }
        Err(_) => Err(ServiceError::NotFound),
    };
    match result {
        Ok(d) => download(d),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

/// `GET /cases/{case}/reports/{report}/files/{n}`
pub(crate) async fn report_file(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path((case, report, n)): Path<(String, String, String)>,
) -> Response {
    let result = match (report.parse(), n.parse()) {
        (Ok(report), Ok(n)) => {
            files::report_attachment(&state.app, &auth.principal, case_ref_of(&case), report, n)
                .await
        }
        _ => Err(ServiceError::NotFound),
    };
    match result {
        Ok(d) => download(d),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

/// `GET /cases/{case}/messages/{message}/files/{n}`
pub(crate) async fn message_file(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path((case, message, n)): Path<(String, String, String)>,
) -> Response {
    let result = match (message.parse(), n.parse()) {
        (Ok(message), Ok(n)) => {
            files::message_file(&state.app, &auth.principal, case_ref_of(&case), message, n).await
        }
        _ => Err(ServiceError::NotFound),
    };
    match result {
        Ok(d) => download(d),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}
