//! The REST API under `/api/v1`.

mod me;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/me", get(me::show))
}
