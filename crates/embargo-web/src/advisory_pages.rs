//! Published advisories for everyone: the list with search and filters (`/advisories`), one
//! advisory's page (`/advisories/<id>`, by public id or CVE id), its JSON documents at stable
//! URLs (`/advisories/<id>.cve.json`, `.osv.json`, `.csaf.json`) and the Atom feed
//! (`/advisories/feed.atom`). Server-rendered HTML (askama escapes every value; the Markdown
//! goes through [`crate::markdown`]), readable without JavaScript.
//!
//! Only published advisories exist here (`embargo_service::public`): anything else is the
//! same 404 as an id never used.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_export::model::{ReferenceKind, Status};
use embargo_service::ServiceError;
use embargo_service::public::{self, Format, ListQuery, PublishedAdvisory};
use serde::Deserialize;

use crate::pages::html;
use crate::{ApiError, AppState, markdown};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    severity: String,
}

struct Row {
    id: String,
    url: String,
    title: String,
    summary: String,
    cve: Option<String>,
    severity: Option<String>,
    score: Option<String>,
    published: String,
    products: String,
}

#[derive(Template)]
#[template(path = "advisory_list.html")]
struct ListPage<'a> {
    team_name: &'a str,
    q: &'a str,
    product: &'a str,
    severity: &'a str,
    products: Vec<String>,
    severities: [&'static str; 5],
    error: Option<String>,
    filtered: bool,
    rows: Vec<Row>,
}

fn day(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

fn row(p: &PublishedAdvisory) -> Row {
    let a = &p.advisory;
    let rating = p.ratings.first();
    Row {
        id: a.id.clone(),
        url: public::page_path(&a.id),
        title: a.title.clone(),
        summary: a.summary.clone(),
        cve: a.cve.clone(),
        severity: rating.map(|r| r.severity.as_str().to_owned()),
        score: rating.map(|r| format!("{} (CVSS v{})", r.score, r.version)),
        published: day(a.published),
        products: a
            .products
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `GET /advisories?q=…&product=…&severity=…`
pub(crate) async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let mut error = None;
    let severity = match params.severity.trim() {
        "" => None,
        s => match public::parse_severity(s) {
            Ok(s) => Some(s),
            Err(ServiceError::Invalid { reason, .. }) => {
                error = Some(format!("Unknown severity {reason}."));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let query = ListQuery {
        q: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
        product: Some(params.product.clone()).filter(|p| !p.trim().is_empty()),
        severity,
    };
    let found = public::list(&state.app, &query).await?;
    let products = public::products(&state.app).await?;
    let page = ListPage {
        team_name: &state.app.mail.team_name,
        q: &params.q,
        product: &params.product,
        severity: &params.severity,
        products,
        severities: ["Critical", "High", "Medium", "Low", "None"],
        filtered: query.q.is_some() || query.product.is_some() || query.severity.is_some(),
        error: error.clone(),
        rows: found.iter().map(row).collect(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}

struct ProductRow {
    product: String,
    edition: String,
    line: String,
    status: String,
    fixed_in: String,
}

struct Link {
    url: String,
    text: String,
    note: String,
}

#[derive(Template)]
#[template(path = "advisory.html")]
struct AdvisoryPage<'a> {
    team_name: &'a str,
    id: String,
    cve: Option<String>,
    title: String,
    summary: String,
    published: String,
    updated: String,
    revision: u32,
    ratings: Vec<public::Rating>,
    cwes: Vec<(String, String)>,
    description_html: String,
    workarounds_html: Option<String>,
    products: Vec<ProductRow>,
    references: Vec<Link>,
    credits: Vec<String>,
    upstream: Option<Link>,
    revisions: Vec<(u32, String, String)>,
    formats: Vec<Link>,
}

fn kind(k: ReferenceKind) -> &'static str {
    match k {
        ReferenceKind::Advisory => "advisory",
        ReferenceKind::Patch => "patch",
        ReferenceKind::Report => "report",
        ReferenceKind::Article => "article",
        ReferenceKind::ReleaseNotes => "release notes",
        ReferenceKind::Web => "web",
    }
}

fn page<'a>(state: &'a AppState, p: &PublishedAdvisory) -> AdvisoryPage<'a> {
    let a = &p.advisory;
    let mut products = Vec::new();
    for product in &a.products {
        for edition in &product.editions {
            for line in &edition.lines {
                let (status, fixed_in) = match &line.status {
                    Status::Fixed => (
                        "Fixed".to_owned(),
                        line.fixed_in.clone().unwrap_or_default(),
                    ),
                    Status::Affected => (
                        "Affected".to_owned(),
                        line.fixed_in
                            .as_ref()
                            .map(|v| format!("{v} (planned)"))
                            .unwrap_or_else(|| "no fix".to_owned()),
                    ),
                    Status::NotAffected { justification } => (
                        format!("Not affected: {}", justification.explanation()),
                        String::new(),
                    ),
                    Status::UnderInvestigation => ("Under investigation".to_owned(), String::new()),
                };
                products.push(ProductRow {
                    product: product.name.clone(),
                    edition: edition.name.clone(),
                    line: line.line.clone(),
                    status,
                    fixed_in,
                });
            }
        }
    }
    AdvisoryPage {
        team_name: &state.app.mail.team_name,
        id: a.id.clone(),
        cve: a.cve.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        published: day(a.published),
        updated: day(p.updated),
        revision: a.current_revision().map_or(1, |r| r.number),
        ratings: p.ratings.clone(),
        cwes: a
            .cwes
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect(),
        description_html: markdown::to_html(&a.description_md),
        workarounds_html: a.workarounds_md.as_deref().map(markdown::to_html),
        products,
        references: a
            .references
            .iter()
            .map(|r| Link {
                url: r.url.clone(),
                text: r.name.clone().unwrap_or_else(|| r.url.clone()),
                note: kind(r.kind).to_owned(),
            })
            .collect(),
        credits: a.credits.iter().map(|c| c.name.clone()).collect(),
        upstream: a.upstream.as_ref().map(|u| Link {
            url: u.advisory_url.clone(),
            text: u.project.clone(),
            note: u.ids.join(", "),
        }),
        revisions: a
            .revisions
            .iter()
            .map(|r| (r.number, day(r.date), r.summary.clone()))
            .collect(),
        formats: p
            .formats(&state.app.publisher)
            .into_iter()
            .map(|f| Link {
                url: public::document_path(&a.id, f),
                text: f.label().to_owned(),
                note: format!("{}.{}.json", a.id, f.as_str()),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'a> {
    team_name: &'a str,
}

/// `GET /advisories/{name}`: `<id>` is the page, `<id>.<format>.json` a document.
pub(crate) async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(stem) = name.strip_suffix(".json") {
        let (id, format) = stem.rsplit_once('.').ok_or(ServiceError::NotFound)?;
        let format = Format::parse(format).ok_or(ServiceError::NotFound)?;
        let bytes = public::render(&state.app, &state.public_url, id, format).await?;
        return Ok(json(bytes));
    }
    match public::get(&state.app, &name).await {
        Ok(p) => Ok(html(StatusCode::OK, &page(&state, &p))),
        Err(ServiceError::NotFound) => Ok(html(
            StatusCode::NOT_FOUND,
            &NotFoundPage {
                team_name: &state.app.mail.team_name,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn json(bytes: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        bytes,
    )
        .into_response()
}

/// `GET /advisories/feed.atom`
pub(crate) async fn feed(State(state): State<AppState>) -> Result<Response, ApiError> {
    let xml = public::atom_feed(&state.app, &state.public_url).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
