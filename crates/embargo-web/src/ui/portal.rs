//! The reporter portal: a reporter's own reports, their state, the timeline we gave them and
//! the messages meant for them; they can reply and choose how they are credited. What they see
//! is the service's reporter view of the case (`cases::redact`): never internal notes, other
//! reporters or members.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_domain::{Role, Visibility};
use embargo_service::ServiceError;
use embargo_service::cases::{self, CaseQuery, CaseRef};
use embargo_service::sessions::SessionAuth;

use super::session::SignedIn;
use super::{Chrome, Form, day, html, when};
use crate::AppState;

pub(crate) struct ReportRow {
    tracking: String,
    title: String,
    state: &'static str,
    opened: String,
}

#[derive(Template)]
#[template(path = "ui/portal_list.html")]
struct ListPage {
    chrome: Chrome,
    reports: Vec<ReportRow>,
}

fn reporter_only(auth: &SessionAuth) -> Result<(), Response> {
    if auth.principal.actor.role == Role::Reporter {
        Ok(())
    } else {
        Err(Redirect::to("/queue").into_response())
    }
}

/// Human words for a state, as a reporter reads them.
pub(crate) fn state_words(kind: embargo_domain::StateKind) -> &'static str {
    use embargo_domain::StateKind as K;
    match kind {
        K::New | K::Acknowledged => "received",
        K::Triage => "being investigated",
        K::NeedsInfo => "waiting for information from you",
        K::Accepted => "confirmed",
        K::Rejected => "not accepted",
        K::FixInProgress => "fix in progress",
        K::FixVerified => "fix verified",
        K::Released => "fixed versions released",
        K::Disclosed => "disclosed",
    }
}

/// `GET /portal`
pub(crate) async fn list(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = reporter_only(&auth) {
        return r;
    }
    let query = CaseQuery {
        limit: Some(500),
        ..CaseQuery::default()
    };
    let mut all = match cases::list(&state.app, &auth.principal, query).await {
        Ok(all) => all,
        Err(e) => return super::error_page(&state, Some(&auth), e),
    };
    all.sort_by_key(|c| std::cmp::Reverse(c.opened_at));
    let mut reports = Vec::new();
    for summary in all {
        // The tracking id is the reporter's name for the case; read it from their view.
        let view = match cases::get(&state.app, &auth.principal, CaseRef::Id(summary.id)).await {
            Ok(v) => v,
            Err(e) => return super::error_page(&state, Some(&auth), e),
        };
        let tracking = tracking_of(&state, &view.case).await;
        reports.push(ReportRow {
            tracking,
            title: view.case.title.clone(),
            state: state_words(view.case.state.kind()),
            opened: day(view.case.opened_at),
        });
    }
    html(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::new(&state, Some(&auth)),
            reports,
        },
    )
}

/// The tracking id of the caller's own report in this case.
async fn tracking_of(state: &AppState, case: &embargo_domain::CaseRecord) -> String {
    let Some(reporter) = case.reporters.first() else {
        return case.id.to_string();
    };
    embargo_service::intake::tracking_id(&state.app, reporter.report)
        .await
        .ok()
        .flatten()
        .map_or_else(|| case.id.to_string(), |t| t.to_string())
}

pub(crate) struct MessageRow {
    from_team: bool,
    at: String,
    body_html: String,
    files: Vec<super::FileLink>,
}

#[derive(Template)]
#[template(path = "ui/portal_case.html")]
struct CasePage {
    chrome: Chrome,
    csrf: String,
    tracking: String,
    title: String,
    state: &'static str,
    opened: String,
    estimate: Option<(String, String, String)>,
    messages: Vec<MessageRow>,
    credit_consent: bool,
    credit_name: String,
    error: Option<String>,
}

async fn render_case(
    state: &AppState,
    auth: &SessionAuth,
    case: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let view = match cases::get(&state.app, &auth.principal, case_ref_of(case)).await {
        Ok(v) => v,
        Err(e) => return super::error_page(state, Some(auth), e),
    };
    let c = &view.case;
    let own = c
        .reporters
        .iter()
        .find(|r| r.user == Some(auth.principal.actor.id));
    let tracking = tracking_of(state, c).await;
    let files =
        embargo_service::files::thread_files(&state.app, &auth.principal, CaseRef::Id(c.id))
            .await
            .unwrap_or_default();
    html(
        status,
        &CasePage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            tracking,
            title: c.title.clone(),
            state: state_words(c.state.kind()),
            opened: when(c.opened_at),
            estimate: c
                .estimate
                .map(|e| (day(e.fix_by), day(e.disclose_by), day(e.given_at))),
            messages: c
                .messages
                .iter()
                .filter(|m| m.visibility == Visibility::Reporter)
                .map(|m| MessageRow {
                    from_team: m.author_role != Role::Reporter,
                    at: when(m.at),
                    body_html: crate::markdown::message_html(&m.body),
                    files: super::message_file_links(c.id, m.id, &files),
                })
                .collect(),
            credit_consent: own.is_some_and(|r| r.credit.consent),
            credit_name: own
                .and_then(|r| r.credit.name.clone().or_else(|| r.name.clone()))
                .unwrap_or_default(),
            error,
        },
    )
}

/// A case as the URL names it; anything unparsable is a case nobody has (404).
pub(crate) fn case_ref_of(s: &str) -> CaseRef {
    CaseRef::parse(s).unwrap_or(CaseRef::Id(embargo_domain::CaseId::from_uuid(
        uuid::Uuid::nil(),
    )))
}

/// `GET /portal/{case}`
pub(crate) async fn case(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
) -> Response {
    if let Err(r) = reporter_only(&auth) {
        return r;
    }
    render_case(&state, &auth, &case, StatusCode::OK, None, None).await
}

async fn after(
    state: &AppState,
    auth: &SessionAuth,
    case: &str,
    result: Result<&str, ServiceError>,
) -> Response {
    match result {
        Ok(notice) => {
            render_case(
                state,
                auth,
                case,
                StatusCode::OK,
                Some(notice.to_owned()),
                None,
            )
            .await
        }
        Err(ServiceError::Invalid { reason, .. }) => {
            render_case(
                state,
                auth,
                case,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(reason),
            )
            .await
        }
        Err(e) => super::error_page(state, Some(auth), e),
    }
}

/// `POST /portal/{case}/reply` with `body`.
pub(crate) async fn reply(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = reporter_only(&auth) {
        return r;
    }
    let posted = match crate::upload::read(&headers, body).await {
        Ok(posted) => posted,
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
    if let Err(refused) = posted.form.check(&state, &headers, &auth) {
        return refused;
    }
    let result = cases::post_message_with_files(
        &state.app,
        &auth.principal,
        case_ref_of(&case),
        Visibility::Reporter,
        posted.form.text("body"),
        &posted.files,
    )
    .await
    .map(|_| {
        if posted.files.is_empty() {
            "Your message was sent to the team."
        } else {
            "Your message and files were sent to the team."
        }
    });
    after(&state, &auth, &case, result).await
}

/// `POST /portal/{case}/credit` with `consent` and `name`.
pub(crate) async fn credit(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = reporter_only(&auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let result = cases::set_own_credit(
        &state.app,
        &auth.principal,
        case_ref_of(&case),
        form.get("consent").is_some(),
        form.get("name"),
    )
    .await
    .map(|_| "Your choice about credit is saved.");
    after(&state, &auth, &case, result).await
}
