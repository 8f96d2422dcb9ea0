//! The REST API under `/api/v1`. Errors are `{"error":{"code","message","field"}}`.

mod advisories;
mod cases;
mod catalog;
mod mail;
mod me;
mod releases;
mod reports;
mod wire;

pub(crate) use cases::{AffectedBody, affected_status};

use axum::Router;
use axum::routing::{delete, get, post, put};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::show))
        .route("/reports", post(reports::create).get(reports::list))
        .route("/cases", get(cases::list))
        .route("/cases/{case}", get(cases::show))
        .route("/cases/{case}/transitions", post(cases::transition))
        .route("/cases/{case}/cvss", put(cases::set_cvss))
        .route("/cases/{case}/cvss/{version}", delete(cases::remove_cvss))
        .route("/cases/{case}/affected/{line}", put(cases::set_affected))
        .route("/cases/{case}/messages", post(cases::post_message))
        .route("/cases/{case}/members", post(cases::add_member))
        .route("/cases/{case}/estimate", post(cases::give_estimate))
        .route("/cases/{case}/audit", get(cases::audit))
        .route("/cases/{case}/mail", get(cases::mail))
        .route(
            "/cases/{case}/advisory",
            get(advisories::show).put(advisories::save),
        )
        .route("/catalog", get(catalog::show))
        .route(
            "/mail/templates/{kind}",
            get(mail::show).put(mail::put).delete(mail::reset),
        )
        .route("/releases", get(releases::list).post(releases::plan))
        .route("/releases/{release}", get(releases::show))
        .route("/releases/{release}/cases", post(releases::add_case))
        .route("/releases/{release}/ship", post(releases::ship))
}
