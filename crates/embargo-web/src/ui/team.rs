//! The team's pages: the queue (open cases, overdue first, with filters and search) and the
//! case room (the reports as received, one thread where internal notes look unmistakably
//! different from what the reporter reads, the CVSS calculator, the affected matrix, deadlines
//! and the estimate given to the reporter, members, state changes and the audit history).
//!
//! Reporters are sent to their portal. Everything else goes through `cases::*`, which cuts each
//! case down to the caller's access; a case they may not see is the same "not found" as one
//! that does not exist.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_cvss::{MetricInfo, Severity};
use embargo_domain::{Access, AffectedStatus, CaseRole, CvssVector, Role, StateKind, Visibility};
use embargo_service::ServiceError;
use embargo_service::cases::{self, CaseQuery};
use embargo_service::sessions::SessionAuth;
use serde::Deserialize;

use super::session::SignedIn;
use super::{Chrome, Form, html, when};
use crate::AppState;

fn team_only(auth: &SessionAuth) -> Result<(), Response> {
    if auth.principal.actor.role == Role::Reporter {
        Err(Redirect::to("/portal").into_response())
    } else {
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    origin: String,
    /// A product id.
    #[serde(default)]
    product: String,
    /// A release line id.
    #[serde(default)]
    line: String,
    /// `me`, `none` or a username (the team's choice only).
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    all: Option<String>,
}

pub(crate) struct QueueRow {
    id: String,
    title: String,
    state: &'static str,
    severity: String,
    score: String,
    cve: String,
    upstream: String,
    assignee: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "ui/queue.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<QueueRow>,
    filter: QueueQuery,
    states: Vec<&'static str>,
    severities: Vec<&'static str>,
    /// (id, name) of every product and of every release line.
    products: Vec<(String, String)>,
    lines: Vec<(String, String)>,
    /// Usernames the team may filter on (empty for engineers and collaborators).
    people: Vec<String>,
}

const SEVERITIES: [Severity; 5] = [
    Severity::None,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

const OPEN: [StateKind; 8] = [
    StateKind::New,
    StateKind::Acknowledged,
    StateKind::Triage,
    StateKind::NeedsInfo,
    StateKind::Accepted,
    StateKind::FixInProgress,
    StateKind::FixVerified,
    StateKind::Released,
];

/// `GET /queue`
pub(crate) async fn queue(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Query(filter): Query<QueueQuery>,
) -> Response {
    if let Err(r) = team_only(&auth) {
        return r;
    }
    let states = if filter.state.is_empty() {
        if filter.all.is_some() {
            Vec::new()
        } else {
            OPEN.to_vec()
        }
    } else {
        match cases::parse_state(&filter.state) {
            Ok(s) => vec![s],
            Err(e) => return super::error_page(&state, Some(&auth), e),
        }
    };
    let severities = match filter.severity.as_str() {
        "" => Vec::new(),
        s => match SEVERITIES.into_iter().find(|x| x.as_str() == s) {
            Some(x) => vec![x],
            None => {
                return super::error_page(
                    &state,
                    Some(&auth),
                    ServiceError::Invalid {
                        field: "severity",
                        reason: format!("unknown severity {s:?}"),
                    },
                );
            }
        },
    };
    let catalog = match embargo_service::catalog::load(&state.app, &auth.principal).await {
        Ok(c) => c,
        Err(e) => return super::error_page(&state, Some(&auth), e),
    };
    let product = match filter.product.as_str() {
        "" => None,
        p => match catalog.products.iter().find(|x| x.id.to_string() == p) {
            Some(x) => Some(x.id),
            None => return bad_filter(&state, &auth, "product", p),
        },
    };
    let line = match filter.line.as_str() {
        "" => None,
        l => match catalog.lines().find(|x| x.line.id().to_string() == l) {
            Some(x) => Some(x.line.id()),
            None => return bad_filter(&state, &auth, "line", l),
        },
    };
    // Only the team sees who else works here; everyone may ask for their own cases.
    let manage = matches!(auth.principal.actor.role, Role::Admin | Role::Team);
    let accounts = if manage {
        match embargo_service::accounts::list_accounts(&state.app).await {
            Ok(a) => a,
            Err(e) => return super::error_page(&state, Some(&auth), e),
        }
    } else {
        Vec::new()
    };
    let (assignee, unassigned) = match filter.assignee.as_str() {
        "" => (None, false),
        "me" => (Some(auth.principal.actor.id), false),
        "none" => (None, true),
        name => match accounts.iter().find(|a| a.username == name) {
            Some(a) => (Some(embargo_domain::UserId::from_uuid(a.id)), false),
            None => return bad_filter(&state, &auth, "assignee", name),
        },
    };
    let query = CaseQuery {
        states,
        severities,
        product,
        release_line: line,
        assignee,
        unassigned,
        upstream: match filter.origin.as_str() {
            "upstream" => Some(true),
            "own" => Some(false),
            _ => None,
        },
        search: Some(filter.q.clone()).filter(|q| !q.trim().is_empty()),
        limit: Some(500),
    };
    let rows = match cases::list(&state.app, &auth.principal, query).await {
        Ok(rows) => rows,
        Err(e) => return super::error_page(&state, Some(&auth), e),
    };
    let name_of = |id: embargo_domain::UserId| -> String {
        if id == auth.principal.actor.id {
            return "me".to_owned();
        }
        accounts
            .iter()
            .find(|a| a.id == *id.as_uuid())
            .map(|a| a.username.clone())
            .unwrap_or_else(|| "assigned".to_owned())
    };
    let rows = rows
        .into_iter()
        .map(|c| QueueRow {
            id: c.id.to_string(),
            title: c.title,
            state: c.state.kind().as_str(),
            severity: c
                .severity
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            score: c.score.map(|s| s.to_string()).unwrap_or_default(),
            cve: c.cve.map(|c| c.to_string()).unwrap_or_default(),
            upstream: c.upstream_project.unwrap_or_default(),
            assignee: c.assignee.map(name_of).unwrap_or_default(),
            due: c.next_deadline.map(when).unwrap_or_default(),
            overdue: c.overdue,
        })
        .collect();
    let products = catalog
        .products
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let lines = catalog
        .lines()
        .map(|p| {
            (
                p.line.id().to_string(),
                format!("{} {} {}", p.product.name, p.edition.name, p.line.name()),
            )
        })
        .collect();
    let people = accounts
        .iter()
        .filter(|a| !a.disabled && a.role != "reporter")
        .map(|a| a.username.clone())
        .collect();
    html(
        StatusCode::OK,
        &QueuePage {
            chrome: Chrome::new(&state, Some(&auth)),
            rows,
            filter,
            states: StateKind::ALL.iter().map(|s| s.as_str()).collect(),
            severities: SEVERITIES.iter().map(|s| s.as_str()).collect(),
            products,
            lines,
            people,
        },
    )
}

fn bad_filter(state: &AppState, auth: &SessionAuth, field: &'static str, value: &str) -> Response {
    super::error_page(
        state,
        Some(auth),
        ServiceError::Invalid {
            field,
            reason: format!("no {field} {value:?}"),
        },
    )
}

pub(crate) struct ThreadItem {
    kind: &'static str,
    label: &'static str,
    author: &'static str,
    at: String,
    body_html: String,
    files: Vec<super::FileLink>,
}

pub(crate) struct ReportItem {
    id: String,
    raw_kind: &'static str,
    files: Vec<super::FileLink>,
    tracking: String,
    channel: &'static str,
    from: String,
    at: String,
    subject: String,
    body: String,
}

pub(crate) struct Picker {
    version: &'static str,
    abbrev: &'static str,
    name: &'static str,
    description: &'static str,
    values: Vec<(&'static str, &'static str, bool)>,
}

pub(crate) struct LineItem {
    id: String,
    name: String,
    supported: bool,
    status: String,
    fixed_in: String,
    next_patch: String,
}

pub(crate) struct AuditItem {
    at: String,
    action: String,
}

#[derive(Template)]
#[template(path = "ui/case.html")]
struct CasePage {
    chrome: Chrome,
    csrf: String,
    id: String,
    version: i64,
    title: String,
    state: &'static str,
    team: bool,
    may_post_internal: bool,
    description: String,
    cve: String,
    reports: Vec<ReportItem>,
    thread: Vec<ThreadItem>,
    cvss: Vec<(String, String, String)>,
    pickers: Vec<Picker>,
    v4_selected: bool,
    deadlines: Vec<(&'static str, String)>,
    estimate: String,
    embargo: String,
    embargo_by_hand: bool,
    manage: bool,
    prenotices: Vec<(String, String)>,
    lines: Vec<LineItem>,
    members: Vec<String>,
    assignee: String,
    /// Who the case can be assigned to: (username, currently assigned).
    assignees: Vec<(String, bool)>,
    allowed: Vec<&'static str>,
    audit: Vec<AuditItem>,
    error: Option<String>,
    preview: Option<(String, String, String)>,
}

fn pickers(version: &'static str, metrics: &'static [MetricInfo], current: &str) -> Vec<Picker> {
    let chosen = |abbrev: &str| -> Option<String> {
        current
            .split('/')
            .filter_map(|part| part.split_once(':'))
            .find(|(k, _)| *k == abbrev)
            .map(|(_, v)| v.to_owned())
    };
    metrics
        .iter()
        .filter(|m| m.mandatory)
        .map(|m| {
            let picked = chosen(m.abbrev);
            Picker {
                version,
                abbrev: m.abbrev,
                name: m.name,
                description: m.description,
                values: m
                    .values
                    .iter()
                    .map(|v| (v.abbrev, v.name, picked.as_deref() == Some(v.abbrev)))
                    .collect(),
            }
        })
        .collect()
}

fn status_words(s: &AffectedStatus) -> (String, String) {
    match s {
        AffectedStatus::Unknown => ("unknown".into(), String::new()),
        AffectedStatus::Affected => ("affected".into(), String::new()),
        AffectedStatus::NotAffected { justification } => (
            format!("not affected ({})", justification.as_str()),
            String::new(),
        ),
        AffectedStatus::FixInProgress => ("fix in progress".into(), String::new()),
        AffectedStatus::Fixed { fixed_in, .. } => ("fixed".into(), fixed_in.to_string()),
        AffectedStatus::WontFix { reason } => (format!("won't fix: {reason}"), String::new()),
    }
}

async fn render_case(
    state: &AppState,
    auth: &SessionAuth,
    case: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    preview: Option<(String, String, String)>,
) -> Response {
    let who = &auth.principal;
    let case_ref = super::portal::case_ref_of(case);
    let view = match cases::get(&state.app, who, case_ref).await {
        Ok(v) => v,
        Err(e) => return super::error_page(state, Some(auth), e),
    };
    let c = &view.case;
    let team = matches!(view.access, Access::Team | Access::Engineer);
    let reports = if team {
        match cases::reports(&state.app, who, case_ref).await {
            Ok(r) => r,
            Err(e) => return super::error_page(state, Some(auth), e),
        }
    } else {
        Vec::new()
    };
    let thread_files = embargo_service::files::thread_files(&state.app, who, case_ref)
        .await
        .unwrap_or_default();
    let audit = if team {
        cases::audit(&state.app, who, case_ref)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let catalog = embargo_service::catalog::load(&state.app, who)
        .await
        .unwrap_or_default();
    // The team only (engineers are refused by the service).
    let manage = matches!(who.actor.role, Role::Admin | Role::Team);
    let prenotices = if manage {
        embargo_service::prenotify::notices(&state.app, who, case_ref)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|n| {
                (
                    format!("{} <{}>", n.recipient, n.email),
                    match (n.sent, n.note) {
                        (true, _) => format!(
                            "{} for the embargo of {}, queued {}",
                            n.advisory,
                            when(n.embargo),
                            when(n.at)
                        ),
                        (false, note) => note.unwrap_or_else(|| "not sent".to_owned()),
                    },
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    // Account names for members and the assignee (the team's view only).
    let accounts = if team {
        embargo_service::accounts::list_accounts(&state.app)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let name_of = |id: embargo_domain::UserId| -> String {
        accounts
            .iter()
            .find(|a| a.id == *id.as_uuid())
            .map(|a| a.username.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let assignees: Vec<(String, bool)> = if manage {
        accounts
            .iter()
            .filter(|a| {
                !a.disabled
                    && (matches!(a.role.as_str(), "team" | "admin")
                        || c.members
                            .iter()
                            .any(|m| *m.user.as_uuid() == a.id && m.role == CaseRole::Engineer))
            })
            .map(|a| {
                (
                    a.username.clone(),
                    c.assignee.map(|u| *u.as_uuid()) == Some(a.id),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let deadlines = c.deadlines;
    let current_v3 = c
        .cvss
        .v3_1
        .as_ref()
        .map(|v| v.to_string())
        .unwrap_or_default();
    let current_v4 = c
        .cvss
        .v4_0
        .as_ref()
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut cvss = Vec::new();
    for v in [c.cvss.v3_1.as_ref(), c.cvss.v4_0.as_ref()]
        .into_iter()
        .flatten()
    {
        cvss.push((
            v.to_string(),
            v.score().to_string(),
            v.severity().as_str().to_owned(),
        ));
    }
    // After a preview the calculator keeps the previewed choices, ready to save.
    let previewed = preview.as_ref().map(|(v, _, _)| v.as_str()).unwrap_or("");
    let v4_selected = previewed.starts_with("CVSS:4.0");
    let (pick_v3, pick_v4) = if previewed.starts_with("CVSS:3.1") {
        (previewed, current_v4.as_str())
    } else if v4_selected {
        (current_v3.as_str(), previewed)
    } else {
        (current_v3.as_str(), current_v4.as_str())
    };
    let mut pick = pickers("3.1", embargo_cvss::v3::METRICS, pick_v3);
    pick.extend(pickers("4.0", embargo_cvss::v4::METRICS, pick_v4));
    html(
        status,
        &CasePage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            id: c.id.to_string(),
            version: c.version,
            title: c.title.clone(),
            state: c.state.kind().as_str(),
            team,
            may_post_internal: team,
            description: c.description.clone(),
            cve: c.cve.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            reports: reports
                .iter()
                .map(|r| ReportItem {
                    id: r.id().to_string(),
                    raw_kind: match r.channel() {
                        embargo_domain::Channel::Email => "the mail as received",
                        _ => "the submission as received",
                    },
                    files: r
                        .attachments()
                        .iter()
                        .enumerate()
                        .map(|(n, a)| super::FileLink {
                            name: a.name.clone(),
                            media_type: a.media_type.as_ref().to_owned(),
                            size: super::human_size(a.size),
                            sha256: a.sha256.as_ref().to_owned(),
                            href: format!("/cases/{}/reports/{}/files/{n}", c.id, r.id()),
                        })
                        .collect(),
                    tracking: r.tracking_id().to_string(),
                    channel: r.channel().as_str(),
                    from: r.reporter().email.to_string(),
                    at: when(r.received_at()),
                    subject: r.subject().to_owned(),
                    body: r.body().to_owned(),
                })
                .collect(),
            thread: c
                .messages
                .iter()
                .map(|m| ThreadItem {
                    kind: match m.visibility {
                        Visibility::Reporter => "to-reporter",
                        Visibility::Collaborators => "to-collaborators",
                        Visibility::Internal => "internal",
                    },
                    label: match m.visibility {
                        Visibility::Reporter => "Visible to the reporter",
                        Visibility::Collaborators => "Team and collaborators",
                        Visibility::Internal => "Internal note",
                    },
                    author: m.author_role.as_str(),
                    at: when(m.at),
                    body_html: crate::markdown::message_html(&m.body),
                    files: super::message_file_links(c.id, m.id, &thread_files),
                })
                .collect(),
            cvss,
            pickers: pick,
            v4_selected,
            deadlines: vec![
                ("Acknowledge", when(deadlines.acknowledge)),
                ("Triage", when(deadlines.triage)),
                ("Fix", when(deadlines.fix)),
                ("Disclose", when(deadlines.disclose)),
            ],
            estimate: c
                .estimate
                .map(|e| {
                    format!(
                        "fix by {}, disclose by {} (given {})",
                        when(e.fix_by),
                        when(e.disclose_by),
                        when(e.given_at)
                    )
                })
                .unwrap_or_else(|| "none given yet".to_owned()),
            embargo: match (c.embargo, c.embargo_reason.as_deref()) {
                (Some(t), None) => format!(
                    "{}, the default: the later of the last patch release and the upstream's date",
                    when(t)
                ),
                (None, None) => {
                    "none yet: the default follows once every affected line has a dated release"
                        .to_owned()
                }
                (Some(t), Some(r)) => format!("{}, set by hand: {r}", when(t)),
                (None, Some(r)) => format!("none, cleared by hand: {r}"),
            },
            embargo_by_hand: c.embargo_reason.is_some(),
            manage,
            prenotices,
            lines: catalog
                .lines()
                .map(|p| {
                    let (status, fixed_in) = status_words(
                        c.affected
                            .get(&p.line.id())
                            .unwrap_or(&AffectedStatus::Unknown),
                    );
                    LineItem {
                        id: p.line.id().to_string(),
                        name: format!("{} {} {}", p.product.name, p.edition.name, p.line.name()),
                        supported: p.line.supported,
                        status,
                        fixed_in,
                        next_patch: p.line.next_patch().to_string(),
                    }
                })
                .collect(),
            members: c
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{} ({})",
                        name_of(m.user),
                        match m.role {
                            CaseRole::Engineer => "engineer",
                            CaseRole::Collaborator => "collaborator",
                        }
                    )
                })
                .collect(),
            assignee: c.assignee.map(name_of).unwrap_or_default(),
            assignees,
            allowed: view.allowed.iter().map(|s| s.as_str()).collect(),
            audit: audit
                .iter()
                .rev()
                .map(|e| AuditItem {
                    at: when(e.at),
                    action: format!("{:?}", e.action),
                })
                .collect(),
            error,
            preview,
        },
    )
}

/// `GET /cases/{case}`
pub(crate) async fn case_room(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
) -> Response {
    if let Err(r) = team_only(&auth) {
        return r;
    }
    render_case(&state, &auth, &case, StatusCode::OK, None, None, None).await
}

async fn after(
    state: &AppState,
    auth: &SessionAuth,
    case: &str,
    result: Result<String, ServiceError>,
) -> Response {
    match result {
        Ok(notice) => {
            render_case(state, auth, case, StatusCode::OK, Some(notice), None, None).await
        }
        Err(ServiceError::Invalid { field, reason }) => {
            render_case(
                state,
                auth,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(reason)) => {
            render_case(
                state,
                auth,
                case,
                StatusCode::CONFLICT,
                None,
                Some(reason),
                None,
            )
            .await
        }
        Err(e) => super::error_page(state, Some(auth), e),
    }
}

/// Parses and checks a posted form of the case room; the refusal page otherwise.
fn posted(
    state: &AppState,
    auth: &SessionAuth,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Form, Response> {
    team_only(auth)?;
    Form::checked(state, headers, auth, body)
}

fn version_of(form: &Form) -> Result<i64, ServiceError> {
    form.text("version")
        .parse()
        .map_err(|_| ServiceError::Invalid {
            field: "version",
            reason: "the page's case version is missing; reload the page".to_owned(),
        })
}

/// `POST /cases/{case}/message` with `body`, `visibility` and, for the reporter, `confirm`.
pub(crate) async fn message(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = team_only(&auth) {
        return r;
    }
    let (form, files) = match crate::upload::read(&headers, body).await {
        Ok(posted) => (posted.form, posted.files),
        Err(e) => {
            return after(
                &state,
                &auth,
                &case,
                Err(ServiceError::Invalid {
                    field: "files",
                    reason: e,
                }),
            )
            .await;
        }
    };
    if let Err(refused) = form.check(&state, &headers, &auth) {
        return refused;
    }
    let visibility = match form.text("visibility") {
        "internal" => Visibility::Internal,
        "collaborators" => Visibility::Collaborators,
        "reporter" => Visibility::Reporter,
        other => {
            return after(
                &state,
                &auth,
                &case,
                Err(ServiceError::Invalid {
                    field: "visibility",
                    reason: format!("choose internal, collaborators or reporter, not {other:?}"),
                }),
            )
            .await;
        }
    };
    // Nothing goes to the reporter without a second, explicit step.
    if visibility == Visibility::Reporter && form.get("confirm") != Some("yes") {
        return after(
            &state,
            &auth,
            &case,
            Err(ServiceError::Invalid {
                field: "confirm",
                reason:
                    "tick \"send this to the reporter\" to confirm that the reporter may read it"
                        .to_owned(),
            }),
        )
        .await;
    }
    let result = cases::post_message_with_files(
        &state.app,
        &auth.principal,
        super::portal::case_ref_of(&case),
        visibility,
        form.text("body"),
        &files,
    )
    .await
    .map(|_| match visibility {
        Visibility::Reporter => "Message sent to the reporter.".to_owned(),
        Visibility::Collaborators => "Message posted for the team and collaborators.".to_owned(),
        Visibility::Internal => "Internal note added.".to_owned(),
    });
    after(&state, &auth, &case, result).await
}

/// The vector the calculator's pickers describe, for `version` "3.1" or "4.0".
fn vector_from_pickers(form: &Form, version: &str) -> Option<String> {
    let (prefix, metrics) = match version {
        "3.1" => ("CVSS:3.1", embargo_cvss::v3::METRICS as &[MetricInfo]),
        "4.0" => ("CVSS:4.0", embargo_cvss::v4::METRICS as &[MetricInfo]),
        _ => return None,
    };
    let mut out = prefix.to_owned();
    for m in metrics.iter().filter(|m| m.mandatory) {
        let value = form.get(&format!("m{version}_{}", m.abbrev))?;
        m.value_index(value)?;
        out.push_str(&format!("/{}:{value}", m.abbrev));
    }
    Some(out)
}

/// `POST /cases/{case}/cvss` with `action` = `preview` or `save`, and either `vector` or the
/// calculator's pickers for `cvss_version`.
pub(crate) async fn cvss(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let typed = form.text("vector").trim().to_owned();
    let vector = if typed.is_empty() {
        match vector_from_pickers(&form, form.text("cvss_version")) {
            Some(v) => v,
            None => {
                return after(
                    &state,
                    &auth,
                    &case,
                    Err(ServiceError::Invalid {
                        field: "cvss",
                        reason: "pick a value for every base metric, or type a vector".to_owned(),
                    }),
                )
                .await;
            }
        }
    } else {
        typed
    };
    let parsed = match CvssVector::parse(&vector) {
        Ok(v) => v,
        Err(e) => {
            return after(
                &state,
                &auth,
                &case,
                Err(ServiceError::Invalid {
                    field: "cvss",
                    reason: e.to_string(),
                }),
            )
            .await;
        }
    };
    if form.text("action") == "preview" {
        return render_case(
            &state,
            &auth,
            &case,
            StatusCode::OK,
            None,
            None,
            Some((
                parsed.to_string(),
                parsed.score().to_string(),
                parsed.severity().as_str().to_owned(),
            )),
        )
        .await;
    }
    let result = match version_of(&form) {
        Ok(version) => cases::set_cvss(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            version,
            &vector,
        )
        .await
        .map(|_| format!("Score saved: {parsed}")),
        Err(e) => Err(e),
    };
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/transition` with `to`, `reason`, `reject_reason`, `duplicate_of`,
/// `override_reason`.
pub(crate) async fn transition(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let opt = |k: &str| form.get(k).map(str::trim).filter(|v| !v.is_empty());
    let result = async {
        let version = version_of(&form)?;
        let target =
            cases::parse_target(form.text("to"), opt("reject_reason"), opt("duplicate_of"))?;
        cases::transition(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            Some(version),
            target,
            opt("reason"),
            opt("override_reason"),
        )
        .await
        .map(|v| format!("The case is now {}.", v.case.state.kind().as_str()))
    }
    .await;
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/affected` with `line`, `status` and the status's details.
pub(crate) async fn affected(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let opt = |k: &str| {
        form.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let result = async {
        let version = version_of(&form)?;
        let line = form
            .text("line")
            .parse::<uuid::Uuid>()
            .map(embargo_domain::ReleaseLineId::from_uuid)
            .map_err(|_| ServiceError::Invalid {
                field: "line",
                reason: "not a release line".to_owned(),
            })?;
        let body = crate::api::AffectedBody {
            status: form.text("status").to_owned(),
            expected_version: version,
            justification: opt("justification"),
            fixed_in: opt("fixed_in"),
            links: Vec::new(),
            verified: form.get("verified").is_some(),
            reason: opt("reason"),
        };
        let status = crate::api::affected_status(&body, &auth.principal, state.app.clock.now())
            .map_err(|e| e.0)?;
        cases::set_affected(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            version,
            line,
            status,
        )
        .await
        .map(|_| "Release line updated.".to_owned())
    }
    .await;
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/members` with `username` and `role`.
pub(crate) async fn member(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let version = version_of(&form)?;
        let role = match form.text("role") {
            "engineer" => CaseRole::Engineer,
            "collaborator" => CaseRole::Collaborator,
            other => {
                return Err(ServiceError::Invalid {
                    field: "role",
                    reason: format!("invite as engineer or collaborator, not {other:?}"),
                });
            }
        };
        let username = form.text("username").trim();
        cases::add_member(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            version,
            username,
            role,
        )
        .await
        .map(|_| format!("{username} invited to this case."))
    }
    .await;
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/assignee`: assigns the case (an empty `username`: to nobody).
pub(crate) async fn assignee(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let version = version_of(&form)?;
        let username = form.text("username").trim();
        let user = Some(username).filter(|u| !u.is_empty());
        cases::assign(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            version,
            user,
        )
        .await
        .map(|_| match user {
            Some(u) => format!("Assigned to {u}."),
            None => "Nobody is assigned now.".to_owned(),
        })
    }
    .await;
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/estimate`: gives the reporter the current deadlines as the estimate.
pub(crate) async fn estimate(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = match version_of(&form) {
        Ok(version) => cases::give_estimate(
            &state.app,
            &auth.principal,
            super::portal::case_ref_of(&case),
            version,
        )
        .await
        .map(|_| "Estimate given to the reporter.".to_owned()),
        Err(e) => Err(e),
    };
    after(&state, &auth, &case, result).await
}

/// `POST /cases/{case}/embargo`: `action=set` with `at` (UTC, `YYYY-MM-DDTHH:MM`) and `reason`
/// sets the embargo by hand; `action=default` gives it back to the default.
pub(crate) async fn embargo(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match posted(&state, &auth, &headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = async {
        let version = version_of(&form)?;
        let case_ref = super::portal::case_ref_of(&case);
        match form.text("action") {
            "default" => cases::reset_embargo(&state.app, &auth.principal, case_ref, Some(version))
                .await
                .map(|_| "The embargo follows the default again.".to_owned()),
            "set" => {
                let at = parse_utc_minute(form.text("at"))?;
                cases::set_embargo(
                    &state.app,
                    &auth.principal,
                    case_ref,
                    Some(version),
                    Some(at),
                    form.text("reason"),
                )
                .await
                .map(|_| "Embargo set.".to_owned())
            }
            other => Err(ServiceError::Invalid {
                field: "action",
                reason: format!("set or default, not {other:?}"),
            }),
        }
    }
    .await;
    after(&state, &auth, &case, result).await
}

/// A `datetime-local` value (`2026-12-08T14:00`, seconds optional), read as UTC.
fn parse_utc_minute(s: &str) -> Result<jiff::Timestamp, ServiceError> {
    let invalid = || ServiceError::Invalid {
        field: "at",
        reason: format!("{s:?} is not a date and time; write YYYY-MM-DDTHH:MM (UTC)"),
    };
    let dt: jiff::civil::DateTime = s.trim().parse().map_err(|_| invalid())?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(dt)
        .map_err(|_| invalid())
}
