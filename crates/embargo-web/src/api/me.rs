//! `GET /api/v1/me`: who the token belongs to and what it may do.

use axum::Json;
use serde::Serialize;

use crate::auth::Auth;

#[derive(Serialize)]
pub(crate) struct Me {
    id: String,
    username: String,
    role: &'static str,
    scopes: String,
}

pub(crate) async fn show(Auth(principal): Auth) -> Json<Me> {
    Json(Me {
        id: principal.actor.id.to_string(),
        username: principal.username,
        role: principal.actor.role.as_str(),
        scopes: principal.scopes.to_string(),
    })
}
