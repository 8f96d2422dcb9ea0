//! Mail templates: `GET`/`PUT`/`DELETE /api/v1/mail/templates/{kind}` (reading: the team;
//! changing: admins).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use embargo_service::mail::{self, MailKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::{ReadErrors, WriteErrors};

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// A mail template.
#[derive(Serialize, ToSchema)]
pub(crate) struct TemplateJson {
    kind: &'static str,
    subject: String,
    body: String,
    /// Placeholders this kind of mail fills.
    #[schema(value_type = Vec<String>)]
    variables: &'static [&'static str],
}

/// A template's new text.
#[derive(Deserialize, ToSchema)]
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

/// The template in effect for a kind of mail; the team only.
#[utoipa::path(
    get,
    path = "/mail/templates/{kind}",
    operation_id = "get_mail_template",
    tag = "mail",
    params(("kind" = String, Path, description = "The kind of mail, e.g. `acknowledgement`")),
    security(("bearer" = [])),
    responses((status = 200, description = "The template", body = TemplateJson), ReadErrors)
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(kind): Path<String>,
) -> Result<AppJson<TemplateJson>, ApiError> {
    let kind = MailKind::parse(&kind)?;
    let t = mail::template(&state.app, &who, kind).await?;
    Ok(AppJson(json(kind, t)))
}

/// Replaces a kind of mail's template; admins only.
#[utoipa::path(
    put,
    path = "/mail/templates/{kind}",
    operation_id = "put_mail_template",
    tag = "mail",
    params(("kind" = String, Path, description = "The kind of mail, e.g. `acknowledgement`")),
    request_body = TemplateBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The new template", body = TemplateJson), WriteErrors)
)]
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

/// Goes back to the built-in template; admins only.
#[utoipa::path(
    delete,
    path = "/mail/templates/{kind}",
    operation_id = "reset_mail_template",
    tag = "mail",
    params(("kind" = String, Path, description = "The kind of mail, e.g. `acknowledgement`")),
    security(("bearer" = [])),
    responses((status = 204, description = "The built-in template is in effect"), WriteErrors)
)]
pub(crate) async fn reset(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(kind): Path<String>,
) -> Result<StatusCode, ApiError> {
    let kind = MailKind::parse(&kind)?;
    mail::reset_template(&state.app, &who, kind).await?;
    Ok(StatusCode::NO_CONTENT)
}
