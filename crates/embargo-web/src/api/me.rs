//! `GET /api/v1/me`: who the token belongs to and what it may do.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::AuthErrors;

use crate::auth::Auth;

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    id: String,
    username: String,
    /// admin, team, engineer, collaborator or reporter.
    role: &'static str,
    /// The token's scopes, e.g. `read,write`.
    scopes: String,
}

/// Who the token belongs to and what it may do.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "get_me",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me), AuthErrors)
)]
pub(crate) async fn show(Auth(principal): Auth) -> Json<Me> {
    Json(Me {
        id: principal.actor.id.to_string(),
        username: principal.username,
        role: principal.actor.role.as_str(),
        scopes: principal.scopes.to_string(),
    })
}
