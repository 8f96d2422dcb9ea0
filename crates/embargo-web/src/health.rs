//! Liveness and readiness probes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use embargo_service::Readiness;
use serde::Serialize;

use crate::AppState;

#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// `GET /healthz`: the process is up and serving.
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        reason: None,
    })
}

/// `GET /readyz`: the database answers and every migration this binary knows is applied.
/// 503 otherwise, with the reason (never a connection string or credential).
#[tracing::instrument(skip(state))]
pub(crate) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.app.readiness().await {
        Readiness::Ready => (
            StatusCode::OK,
            Json(Health {
                status: "ready",
                reason: None,
            }),
        ),
        Readiness::Unreachable(cause) => {
            tracing::warn!(%cause, "database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    reason: Some("database unreachable".to_owned()),
                }),
            )
        }
        Readiness::MigrationsPending { applied, expected } => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                reason: Some(format!(
                    "database schema at migration {}, this binary needs {expected}",
                    applied.map_or_else(|| "none".to_owned(), |v| v.to_string())
                )),
            }),
        ),
    }
}
