//! Embargo's HTTP surface: the axum router, HTML pages and the REST API. Only this crate
//! knows HTTP; every handler extracts its inputs, calls one service function and maps the
//! result.

mod advisory_pages;
mod api;
mod auth;
mod csaf;
mod download;
mod error;
mod health;
mod json;
mod markdown;
mod pages;
mod ratelimit;
mod security;
mod ui;
mod upload;
mod wellknown;

use std::time::Duration;

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use embargo_service::App;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi;
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
    /// Sign-in attempts, per client address.
    pub login_limiter: Limiter,
    /// Sign-in attempts, per username (lower-cased).
    pub login_user_limiter: Limiter<String>,
}

impl AppState {
    /// State with the default public rate limits: 10 reports a minute per address, bursts of 5.
    pub fn new(app: App) -> AppState {
        AppState {
            app,
            intake_limiter: Limiter::per_minute(10, 5),
            public_url: "http://localhost:8080".to_owned(),
            login_limiter: Limiter::per_minute(20, 10),
            login_user_limiter: Limiter::per_minute(5, 5),
        }
    }

    /// The same state with the public URL links are built from.
    pub fn with_public_url(mut self, url: impl Into<String>) -> AppState {
        self.public_url = url.into();
        self
    }
}

/// Largest request body accepted anywhere: room for the configured attachments (in base64 as
/// the API carries them, which also covers a form's multipart encoding) and 1 MiB of text.
fn body_limit(app: &App) -> usize {
    let files = app.mail.limits.max_total_attachment_bytes;
    usize::try_from(files.saturating_mul(4) / 3 + 1024 * 1024).unwrap_or(usize::MAX)
}

/// Every route outside the REST API, with its handlers: the one list the router is built from
/// and the page access matrix (`tests/it/page_matrix.rs`) checks, so a page cannot be added
/// without a row there.
fn page_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(health::healthz)),
        ("/readyz", get(health::readyz)),
        (
            "/report",
            get(pages::report_form).post(pages::submit_report),
        ),
        ("/", get(ui::login::root)),
        ("/login", get(ui::login::form).post(ui::login::submit)),
        ("/logout", post(ui::login::logout)),
        ("/signin/{secret}", get(ui::login::link_form)),
        ("/signin", post(ui::login::link_submit)),
        ("/account", get(ui::account::page)),
        ("/account/password", post(ui::account::password)),
        ("/account/totp", post(ui::account::totp)),
        (
            "/account/sessions/revoke",
            post(ui::account::revoke_session),
        ),
        ("/account/tokens", post(ui::account::create_token)),
        ("/portal", get(ui::portal::list)),
        ("/portal/{case}", get(ui::portal::case)),
        ("/portal/{case}/reply", post(ui::portal::reply)),
        ("/portal/{case}/credit", post(ui::portal::credit)),
        ("/queue", get(ui::team::queue)),
        ("/cases/{case}", get(ui::team::case_room)),
        ("/cases/{case}/message", post(ui::team::message)),
        ("/cases/{case}/cvss", post(ui::team::cvss)),
        ("/cases/{case}/transition", post(ui::team::transition)),
        ("/cases/{case}/affected", post(ui::team::affected)),
        ("/cases/{case}/members", post(ui::team::member)),
        ("/cases/{case}/assignee", post(ui::team::assignee)),
        ("/cases/{case}/estimate", post(ui::team::estimate)),
        ("/cases/{case}/embargo", post(ui::team::embargo)),
        (
            "/cases/{case}/reports/{report}/raw",
            get(ui::files::report_raw),
        ),
        (
            "/cases/{case}/reports/{report}/files/{n}",
            get(ui::files::report_file),
        ),
        (
            "/cases/{case}/messages/{message}/files/{n}",
            get(ui::files::message_file),
        ),
        (
            "/prenotify",
            get(ui::prenotify::page).post(ui::prenotify::change),
        ),
        ("/admin", get(ui::admin::landing)),
        (
            "/admin/users",
            get(ui::admin::users).post(ui::admin::change_user),
        ),
        (
            "/admin/catalog",
            get(ui::admin::catalog).post(ui::admin::change_catalog),
        ),
        (
            "/admin/security-txt",
            get(ui::admin::security_txt).post(ui::admin::save_security_txt),
        ),
        (
            "/admin/policy",
            get(ui::admin::policy).post(ui::admin::save_policy),
        ),
        (
            "/admin/templates",
            get(ui::admin::templates).post(ui::admin::save_template),
        ),
        ("/static/site.css", get(pages::stylesheet)),
        (
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        ),
        ("/disclosure-policy", get(pages::disclosure_policy)),
        ("/.well-known/security.txt", get(wellknown::security_txt)),
        ("/.well-known/openpgp-key.asc", get(wellknown::openpgp_key)),
        ("/advisories", get(advisory_pages::list)),
        ("/advisories/feed.atom", get(advisory_pages::feed)),
        ("/advisories/{name}", get(advisory_pages::show)),
        (
            "/.well-known/csaf/provider-metadata.json",
            get(csaf::provider_metadata),
        ),
        ("/.well-known/csaf/clear/index.txt", get(csaf::index)),
        ("/.well-known/csaf/clear/changes.csv", get(csaf::changes)),
        ("/.well-known/csaf/clear/{year}/{file}", get(csaf::file)),
        ("/api/openapi.json", get(api::openapi_json)),
    ]
}

/// The paths of every route outside the REST API (`/api/v1`, described by [`openapi`]).
pub fn page_paths() -> Vec<&'static str> {
    page_routes().into_iter().map(|(path, _)| path).collect()
}

/// Builds the router with every route and the layers all responses go through.
pub fn router(state: AppState) -> Router {
    let limit = body_limit(&state.app);
    let mut router = Router::new();
    for (path, handlers) in page_routes() {
        router = router.route(path, handlers);
    }
    router
        .merge(api::routes())
        .with_state(state)
        .layer(axum::middleware::from_fn(security::headers))
        // One limit for every body: axum's extractors' own 2 MiB default gives way to it.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// The span of one request: its method and route pattern, never the URI itself, whose path
/// and query can carry secrets (sign-in links) and embargoed words (searches).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", |p| p.as_str());
    tracing::debug_span!("request", method = %request.method(), route)
}
