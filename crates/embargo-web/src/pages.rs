//! Public pages: the report form and the page that confirms a report. Server-rendered HTML
//! (askama: every value escaped), readable without JavaScript.
//!
//! CSRF: the form changes state without a session, so the defence is the browser's own
//! statement of where a request comes from: a POST is refused unless `Sec-Fetch-Site` says
//! `same-origin` (or `none`, typed by the user) or, for browsers without it, the `Origin` names
//! this host.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use embargo_domain::Channel;
use embargo_service::ServiceError;
use embargo_service::intake::{self, Submission};
use serde::Deserialize;

use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reporter_email: String,
    #[serde(default)]
    reporter_name: String,
    credit_consent: Option<String>,
    #[serde(default)]
    pgp_key: String,
}

impl ReportForm {
    fn from_form(form: &crate::ui::Form) -> ReportForm {
        ReportForm {
            title: form.text("title").to_owned(),
            description: form.text("description").to_owned(),
            product: form.text("product").to_owned(),
            version: form.text("version").to_owned(),
            reporter_email: form.text("reporter_email").to_owned(),
            reporter_name: form.text("reporter_name").to_owned(),
            credit_consent: form.get("credit_consent").map(str::to_owned),
            pgp_key: form.text("pgp_key").to_owned(),
        }
    }
}

pub(crate) struct FieldError {
    field: &'static str,
    label: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct FormPage<'a> {
    team_name: &'a str,
    form: &'a ReportForm,
    errors: Vec<FieldError>,
    max_files: usize,
}

#[derive(Template)]
#[template(path = "report_received.html")]
struct ReceivedPage<'a> {
    team_name: &'a str,
    tracking_id: String,
    email: &'a str,
    text: String,
}

pub(crate) fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// `GET /report`
pub(crate) async fn report_form(State(state): State<AppState>) -> Response {
    html(
        StatusCode::OK,
        &FormPage {
            team_name: &state.app.mail.team_name,
            form: &ReportForm::default(),
            errors: Vec::new(),
            max_files: intake::MAX_FILES,
        },
    )
}

/// Whether a state-changing request comes from our own pages.
pub(crate) fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // No Origin and no Sec-Fetch-Site: not a browser (curl, scripts), so not a forged
        // cross-site request.
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            origin.trim_end_matches('/') == public_url.trim_end_matches('/')
                || host.is_some_and(|h| {
                    origin == format!("http://{h}") || origin == format!("https://{h}")
                })
        }
    }
}

/// `POST /report`
pub(crate) async fn submit_report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !same_origin(&headers, &state.public_url) {
        return (
            StatusCode::FORBIDDEN,
            "refused: this form can only be sent from this site\n",
        )
            .into_response();
    }
    let team_name = state.app.mail.team_name.clone();
    let (form, files) = match crate::upload::read(&headers, body.clone()).await {
        Ok(posted) => (ReportForm::from_form(&posted.form), posted.files),
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    let had_files = !files.is_empty();
    if !state.intake_limiter.check(peer.ip()) {
        let errors = vec![FieldError {
            field: "title",
            label: "Too many reports",
            reason: "from your address in the last minute; please wait a minute and send again"
                .to_owned(),
        }];
        return html(
            StatusCode::TOO_MANY_REQUESTS,
            &FormPage {
                team_name: &team_name,
                form: &form,
                errors,
                max_files: intake::MAX_FILES,
            },
        );
    }
    let submission = Submission {
        title: form.title.clone(),
        description: form.description.clone(),
        reporter_email: form.reporter_email.clone(),
        reporter_name: Some(form.reporter_name.clone()),
        product: Some(form.product.clone()),
        version: Some(form.version.clone()),
        credit_consent: form.credit_consent.is_some(),
        attachments: files,
        pgp_key: Some(form.pgp_key.clone()),
    };
    match intake::submit(&state.app, Channel::WebForm, submission, &body).await {
        Ok(receipt) => {
            let text = embargo_service::mail::acknowledgement_text(&state.app, receipt.report)
                .await
                .unwrap_or_default();
            html(
                StatusCode::OK,
                &ReceivedPage {
                    team_name: &team_name,
                    tracking_id: receipt.tracking_id.to_string(),
                    email: form.reporter_email.trim(),
                    text,
                },
            )
        }
        Err(ServiceError::Invalid { field, reason }) => {
            let label = match field {
                "title" => "Title",
                "description" => "Details",
                "reporter_email" => "Your email address",
                "reporter_name" => "Your name",
                "product" => "Affected product",
                "version" => "Affected version",
                "attachments" => "Files",
                "pgp_key" => "Your OpenPGP public key",
                _ => "The report",
            };
            let reason = if had_files && field != "attachments" {
                format!("{reason} (files are not kept when a report is refused: choose them again)")
            } else {
                reason
            };
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    team_name: &team_name,
                    form: &form,
                    errors: vec![FieldError {
                        field,
                        label,
                        reason,
                    }],
                    max_files: intake::MAX_FILES,
                },
            )
        }
        Err(e) => crate::ApiError(e).into_response(),
    }
}

/// `GET /static/site.css`
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/site.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "disclosure_policy.html")]
struct PolicyPage<'a> {
    team_name: &'a str,
    security_address: &'a str,
    acknowledge: String,
    triage: String,
    fix: String,
    disclose_after_fix: String,
    rules: Vec<(String, String)>,
    /// The admins' policy text (sanitized HTML from Markdown); empty: none.
    policy_html: String,
}

/// A duration in the words of the policy page: "24 hours", "5 days", "2 weeks".
fn words(d: Option<jiff::SignedDuration>) -> String {
    let Some(d) = d else {
        return "the default".to_owned();
    };
    let hours = d.as_hours();
    if hours % (24 * 7) == 0 && hours >= 24 * 7 {
        plural(hours / (24 * 7), "week")
    } else if hours % 24 == 0 && hours >= 24 {
        plural(hours / 24, "day")
    } else {
        plural(hours, "hour")
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `GET /disclosure-policy`: the admins' policy text and the commitments of the timeline policy
/// in effect.
pub(crate) async fn disclosure_policy(State(state): State<AppState>) -> Response {
    let text = match embargo_service::settings::security_txt(&state.app).await {
        Ok(s) => s.policy_text,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "reading the disclosure policy text");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let policy = state.app.policy();
    let defaults = policy.defaults();
    let rules = policy
        .rules()
        .iter()
        .filter(|r| r.set.fix.is_some())
        .map(|r| (r.name.clone(), words(r.set.fix)))
        .collect();
    html(
        StatusCode::OK,
        &PolicyPage {
            team_name: &state.app.mail.team_name,
            security_address: &state.app.mail.from,
            acknowledge: words(defaults.acknowledge),
            triage: words(defaults.triage),
            fix: words(defaults.fix),
            disclose_after_fix: words(defaults.disclose_after_fix),
            rules,
            policy_html: if text.is_empty() {
                String::new()
            } else {
                crate::markdown::to_html(&text)
            },
        },
    )
}
