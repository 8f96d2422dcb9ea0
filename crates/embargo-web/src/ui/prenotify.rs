//! `/prenotify`: the pre-notification list (e.g. distributors), mailed each advisory under
//! embargo the policy's `prenotify` time before it lifts. The team's page; to everyone else it
//! does not exist (404).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use embargo_domain::Role;
use embargo_service::ServiceError;
use embargo_service::prenotify::{self, NewRecipient};
use embargo_service::sessions::SessionAuth;

use super::session::SignedIn;
use super::{Chrome, Form, html, when};
use crate::AppState;

pub(crate) struct Entry {
    id: String,
    name: String,
    email: String,
    products: String,
    key: String,
    added: String,
}

#[derive(Template)]
#[template(path = "ui/prenotify.html")]
struct Page {
    chrome: Chrome,
    csrf: String,
    entries: Vec<Entry>,
    products: Vec<String>,
    lead: String,
    error: Option<String>,
}

fn team(auth: &SessionAuth) -> bool {
    matches!(auth.principal.actor.role, Role::Admin | Role::Team)
}

async fn render(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let who = &auth.principal;
    let entries = match prenotify::list(&state.app, who).await {
        Ok(list) => list,
        Err(e) => return super::error_page(state, Some(auth), e),
    };
    let products = embargo_service::catalog::load(&state.app, who)
        .await
        .map(|c| c.products.into_iter().map(|p| p.name).collect())
        .unwrap_or_default();
    let lead = state.app.policy().disclosure().prenotify;
    html(
        status,
        &Page {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            entries: entries
                .into_iter()
                .map(|v| Entry {
                    id: v.recipient.id.to_string(),
                    name: v.recipient.name,
                    email: v.recipient.email,
                    products: if v.products.is_empty() {
                        "every product".to_owned()
                    } else {
                        v.products.join(", ")
                    },
                    key: v
                        .key_fingerprint
                        .unwrap_or_else(|| "none: sent unencrypted".to_owned()),
                    added: when(v.recipient.created_at),
                })
                .collect(),
            products,
            lead: format!("{} days", lead.as_hours() / 24),
            error,
        },
    )
}

/// `GET /prenotify`
pub(crate) async fn page(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if !team(&auth) {
        return super::error_page(&state, Some(&auth), ServiceError::NotFound);
    }
    render(&state, &auth, StatusCode::OK, None, None).await
}

/// `POST /prenotify`: `action=add` (name, email, product…, public_key) or `action=remove` (id).
pub(crate) async fn change(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !team(&auth) {
        return super::error_page(&state, Some(&auth), ServiceError::NotFound);
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = match form.text("action") {
        "add" => prenotify::add(
            &state.app,
            &auth.principal,
            &NewRecipient {
                name: form.text("name").to_owned(),
                email: form.text("email").to_owned(),
                products: form.all("product").map(str::to_owned).collect(),
                public_key: Some(form.text("public_key").to_owned()),
            },
        )
        .await
        .map(|v| format!("{} added to the list.", v.recipient.email)),
        "remove" => prenotify::remove(&state.app, &auth.principal, form.text("id"))
            .await
            .map(|()| "Taken off the list.".to_owned()),
        other => Err(ServiceError::Invalid {
            field: "action",
            reason: format!("add or remove, not {other:?}"),
        }),
    };
    match result {
        Ok(notice) => render(&state, &auth, StatusCode::OK, Some(notice), None).await,
        Err(ServiceError::Invalid { field, reason }) => {
            render(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(ServiceError::Conflict(reason)) => {
            render(&state, &auth, StatusCode::CONFLICT, None, Some(reason)).await
        }
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}
