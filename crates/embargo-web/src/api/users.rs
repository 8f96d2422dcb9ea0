//! Accounts, for admins: `GET`/`POST /api/v1/users`, `PATCH /api/v1/users/{username}` (role,
//! disabled). The service checks the admin role and scope, refuses changes to the caller's own
//! account and keeps one enabled admin; every change is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use embargo_service::ServiceError;
use embargo_service::accounts::{self, AccountChange};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::{ListErrors, WriteErrors};
use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// An account.
#[derive(Serialize, ToSchema)]
pub(crate) struct UserJson {
    id: String,
    username: String,
    email: String,
    name: String,
    /// admin, team, engineer, collaborator or reporter.
    role: String,
    disabled: bool,
    #[schema(value_type = String, format = DateTime)]
    created_at: jiff::Timestamp,
}

fn user_json(u: &accounts::UserRecord) -> UserJson {
    UserJson {
        id: u.id.to_string(),
        username: u.username.clone(),
        email: u.email.clone(),
        name: u.display_name.clone(),
        role: u.role.clone(),
        disabled: u.disabled,
        created_at: u.created_at,
    }
}

/// Every account; admins only.
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, description = "The accounts", body = Vec<UserJson>), ListErrors)
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> Result<AppJson<Vec<UserJson>>, ApiError> {
    let users = accounts::accounts_for_admin(&state.app, &who).await?;
    Ok(AppJson(users.iter().map(user_json).collect()))
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    username: String,
    email: String,
    #[serde(default)]
    name: String,
    /// admin, team, engineer, collaborator or reporter.
    role: String,
}

/// The new account and its one-time password, shown only in this answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedUserJson {
    id: String,
    username: String,
    password: String,
}

/// Creates an account with a generated one-time password; admins only.
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "create_user",
    tag = "users",
    request_body = NewUserBody,
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = CreatedUserJson), WriteErrors)
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<NewUserBody>,
) -> Result<(StatusCode, AppJson<CreatedUserJson>), ApiError> {
    let role = accounts::parse_role(&body.role)?;
    let created = accounts::create_account_as(
        &state.app,
        &who,
        body.username.trim(),
        body.email.trim(),
        body.name.trim(),
        role,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(CreatedUserJson {
            id: created.id.to_string(),
            username: body.username.trim().to_owned(),
            password: created.password.expose_secret().to_owned(),
        }),
    ))
}

/// What to change on an account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserChangeBody {
    role: Option<String>,
    disabled: Option<bool>,
}

/// Changes another account's role or disables or enables it; admins only.
#[utoipa::path(
    patch,
    path = "/users/{username}",
    operation_id = "change_user",
    tag = "users",
    params(("username" = String, Path, description = "The account's username")),
    request_body = UserChangeBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The account", body = UserJson), WriteErrors)
)]
pub(crate) async fn change(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(username): Path<String>,
    AppJson(body): AppJson<UserChangeBody>,
) -> Result<AppJson<UserJson>, ApiError> {
    let mut changes = Vec::new();
    if let Some(role) = &body.role {
        changes.push(AccountChange::Role(accounts::parse_role(role)?));
    }
    if let Some(disabled) = body.disabled {
        changes.push(AccountChange::Disabled(disabled));
    }
    if changes.is_empty() {
        return Err(ApiError(ServiceError::Invalid {
            field: "role",
            reason: "give a role, disabled, or both".to_owned(),
        }));
    }
    let mut user = None;
    for change in changes {
        user = Some(accounts::change_account(&state.app, &who, &username, change).await?);
    }
    match user {
        Some(u) => Ok(AppJson(user_json(&u))),
        None => Err(ApiError(ServiceError::NotFound)),
    }
}
