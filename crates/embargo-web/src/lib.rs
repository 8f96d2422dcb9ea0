//! Embargo's HTTP surface: the axum router, HTML pages and the REST API. Only this crate
//! knows HTTP; every handler extracts its inputs, calls one service function and maps the
//! result.

mod advisory_pages;
mod api;
mod auth;
mod csaf;
mod error;
mod health;
mod json;
mod markdown;
mod pages;
mod ratelimit;
mod security;
mod wellknown;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use embargo_service::App;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use ratelimit::Limiter;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    /// Public report intake, per client address.
    pub intake_limiter: Limiter,
    /// The URL this server is reached at from outside, for links in public documents.
    pub public_url: String,
}

impl AppState {
    /// State with the default public rate limits: 10 reports a minute per address, bursts of 5.
    pub fn new(app: App) -> AppState {
        AppState {
            app,
            intake_limiter: Limiter::per_minute(10, 5),
            public_url: "http://localhost:8080".to_owned(),
        }
    }

    /// The same state with the public URL links are built from.
    pub fn with_public_url(mut self, url: impl Into<String>) -> AppState {
        self.public_url = url.into();
        self
    }
}

/// Largest request body accepted anywhere (attachments have their own, configurable limit).
const BODY_LIMIT: usize = 25 * 1024 * 1024;

/// Builds the router with every route and the layers all responses go through.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/report",
            get(pages::report_form).post(pages::submit_report),
        )
        .route("/static/site.css", get(pages::stylesheet))
        .route("/disclosure-policy", get(pages::disclosure_policy))
        .route("/.well-known/security.txt", get(wellknown::security_txt))
        .route("/.well-known/openpgp-key.asc", get(wellknown::openpgp_key))
        .route("/advisories", get(advisory_pages::list))
        .route("/advisories/feed.atom", get(advisory_pages::feed))
        .route("/advisories/{name}", get(advisory_pages::show))
        .route(
            "/.well-known/csaf/provider-metadata.json",
            get(csaf::provider_metadata),
        )
        .route("/.well-known/csaf/clear/index.txt", get(csaf::index))
        .route("/.well-known/csaf/clear/changes.csv", get(csaf::changes))
        .route("/.well-known/csaf/clear/{year}/{file}", get(csaf::file))
        .nest("/api/v1", api::routes())
        .with_state(state)
        .layer(axum::middleware::from_fn(security::headers))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
}
