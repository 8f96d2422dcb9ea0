//! Mail templates: `GET`/`PUT`/`DELETE /api/v1/mail/templates/{kind}` (reading: the team;
//! changing: admins).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use embargo_service::mail::{self, MailKind};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

#[derive(Serialize)]
pub(crate) struct TemplateJson {
    kind: &'static str,
    subject: String,
    body: String,
    /// Placeholders this kind of mail fills.
    variables: &'static [&'static str],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    subject: String,
    body: String,
}

fn json(kind: MailKind, t: mail::Template) -> TemplateJson {
    TemplateJson {
        kind: kind.as_str(),
        subject: t.subject,
        body: t.body,
        variables: kind.variables(),
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(kind): Path<String>,
) -> Result<AppJson<TemplateJson>, ApiError> {
    let kind = MailKind::parse(&kind)?;
    let t = mail::template(&state.app, &who, kind).await?;
    Ok(AppJson(json(kind, t)))
}

pub(crate) async fn put(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(kind): Path<String>,
    AppJson(body): AppJson<TemplateBody>,
) -> Result<AppJson<TemplateJson>, ApiError> {
    let kind = MailKind::parse(&kind)?;
    let t = mail::set_template(&state.app, &who, kind, &body.subject, &body.body).await?;
    Ok(AppJson(json(kind, t)))
}

pub(crate) async fn reset(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(kind): Path<String>,
) -> Result<StatusCode, ApiError> {
    let kind = MailKind::parse(&kind)?;
    mail::reset_template(&state.app, &who, kind).await?;
    Ok(StatusCode::NO_CONTENT)
}
