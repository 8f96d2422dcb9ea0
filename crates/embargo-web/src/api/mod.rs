//! The REST API under `/api/v1`. Errors are `{"error":{"code","message","field"}}`.
//!
//! Every handler carries a `#[utoipa::path]` annotation and is registered below with `routes!`,
//! which adds it to the router and to the OpenAPI document ([`openapi`]) in one step, so that the
//! document cannot miss a route. Handlers that share a path go in one `routes!`.

mod advisories;
mod cases;
mod catalog;
mod doc;
mod files;
mod mail;
mod me;
mod prenotify;
mod releases;
mod reports;
mod settings;
mod users;
mod wire;

pub(crate) use cases::{AffectedBody, affected_status};

use std::sync::LazyLock;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// Where the API is mounted.
const PREFIX: &str = "/api/v1";

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me::show))
        .routes(routes!(reports::create, reports::list))
        .routes(routes!(cases::list))
        .routes(routes!(cases::show))
        .routes(routes!(cases::transition))
        .routes(routes!(cases::set_cvss))
        .routes(routes!(cases::remove_cvss))
        .routes(routes!(cases::set_affected))
        .routes(routes!(cases::set_assignee))
        .routes(routes!(cases::set_credit))
        .routes(routes!(cases::post_message))
        .routes(routes!(cases::add_member))
        .routes(routes!(cases::give_estimate))
        .routes(routes!(cases::set_embargo, cases::reset_embargo))
        .routes(routes!(cases::audit))
        .routes(routes!(cases::mail))
        .routes(routes!(files::list))
        .routes(routes!(files::message_file))
        .routes(routes!(files::report_raw))
        .routes(routes!(files::report_file))
        .routes(routes!(advisories::show, advisories::save))
        .routes(routes!(catalog::show))
        .routes(routes!(catalog::add_line))
        .routes(routes!(catalog::change_line))
        .routes(routes!(catalog::set_component))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::change))
        .routes(routes!(mail::show, mail::put, mail::reset))
        .routes(routes!(releases::list, releases::plan))
        .routes(routes!(releases::show))
        .routes(routes!(releases::add_case))
        .routes(routes!(releases::ship))
        .routes(routes!(prenotify::list, prenotify::add))
        .routes(routes!(prenotify::remove))
        .routes(routes!(prenotify::notices))
        .routes(routes!(
            settings::show_security_txt,
            settings::put_security_txt
        ))
        .routes(routes!(settings::show_policy, settings::put_policy))
}

/// The API and its document, from one list of handlers.
fn mounted() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi()).nest(PREFIX, api())
}

/// The API's routes, mounted at `/api/v1`.
pub(crate) fn routes() -> Router<AppState> {
    mounted().split_for_parts().0
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    mounted().into_openapi()
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(openapi);

/// `GET /api/openapi.json`: public, like the API's intake.
pub(crate) async fn openapi_json() -> axum::Json<&'static utoipa::openapi::OpenApi> {
    axum::Json(LazyLock::force(&DOCUMENT))
}
