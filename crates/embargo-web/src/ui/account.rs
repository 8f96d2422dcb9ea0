//! `/account`: the signed-in user's own password, second factor (TOTP), sessions and API
//! tokens. Secrets (a new TOTP secret, a new API token) are shown once, on the page that
//! answers the form that created them.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use embargo_service::accounts::{self, Scopes};
use embargo_service::sessions::{self, SessionAuth};
use embargo_service::{ServiceError, accounts::Scope};
use secrecy::{ExposeSecret, SecretString};

use super::session::SignedIn;
use super::{Chrome, Form, html, when};
use crate::AppState;

pub(crate) struct SessionRow {
    id: String,
    current: bool,
    method: String,
    user_agent: String,
    created: String,
    last_seen: String,
}

pub(crate) struct TokenRow {
    name: String,
    scopes: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "ui/account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    role: &'static str,
    csrf: String,
    totp_active: bool,
    /// Shown once after "set up": the secret and the otpauth URL.
    totp_setup: Option<(String, String)>,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    /// Shown once after creating a token.
    new_token: Option<String>,
    error: Option<String>,
    can_admin_scope: bool,
    may_have_tokens: bool,
}

async fn render(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    totp_setup: Option<(String, String)>,
    new_token: Option<String>,
) -> Response {
    let loaded = async {
        let totp_active = sessions::totp_active(&state.app, auth).await?;
        let sessions = sessions::list(&state.app, auth).await?;
        let tokens = accounts::tokens_of(&state.app, &auth.principal).await?;
        Ok::<_, ServiceError>((totp_active, sessions, tokens))
    }
    .await;
    let (totp_active, sessions, tokens) = match loaded {
        Ok(v) => v,
        Err(e) => return super::error_page(state, Some(auth), e),
    };
    let role = auth.principal.actor.role;
    html(
        status,
        &AccountPage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            username: auth.principal.username.clone(),
            role: role.as_str(),
            csrf: auth.csrf.clone(),
            totp_active,
            totp_setup,
            sessions: sessions
                .into_iter()
                .map(|s| SessionRow {
                    id: s.id.to_string(),
                    current: s.id == auth.session_id,
                    method: s.method,
                    user_agent: s.user_agent,
                    created: when(s.created_at),
                    last_seen: when(s.last_seen_at),
                })
                .collect(),
            tokens: tokens
                .into_iter()
                .filter(|t| t.revoked_at.is_none())
                .map(|t| TokenRow {
                    name: t.name,
                    scopes: t.scopes,
                    created: when(t.created_at),
                    last_used: t
                        .last_used_at
                        .map(when)
                        .unwrap_or_else(|| "never".to_owned()),
                })
                .collect(),
            new_token,
            error,
            can_admin_scope: role == embargo_domain::Role::Admin,
            may_have_tokens: role != embargo_domain::Role::Reporter,
        },
    )
}

/// `GET /account`
pub(crate) async fn page(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    render(&state, &auth, StatusCode::OK, None, None, None, None).await
}

fn failure(e: ServiceError) -> Result<String, ServiceError> {
    match e {
        ServiceError::Invalid { reason, .. } => Ok(reason),
        ServiceError::Conflict(reason) => Ok(reason),
        other => Err(other),
    }
}

async fn outcome(
    state: &AppState,
    auth: &SessionAuth,
    result: Result<String, ServiceError>,
) -> Response {
    match result {
        Ok(notice) => render(state, auth, StatusCode::OK, Some(notice), None, None, None).await,
        Err(e) => match failure(e) {
            Ok(reason) => {
                render(
                    state,
                    auth,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(reason),
                    None,
                    None,
                )
                .await
            }
            Err(e) => super::error_page(state, Some(auth), e),
        },
    }
}

/// `POST /account/password`
pub(crate) async fn password(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let current = SecretString::from(form.text("current_password").to_owned());
    let new = SecretString::from(form.text("new_password").to_owned());
    let result = if new.expose_secret() != form.text("repeat_password") {
        Err(ServiceError::Invalid {
            field: "repeat_password",
            reason: "the two new passwords differ".to_owned(),
        })
    } else {
        sessions::change_password(&state.app, &auth, &current, &new)
            .await
            .map(|()| "Password changed. Your other sessions were signed out.".to_owned())
    };
    // The account record changed (must_change_password); read the session again.
    let auth = match sessions::authenticate_by_id(&state.app, &auth).await {
        Ok(a) => a,
        Err(e) => return super::error_page(&state, None, e),
    };
    outcome(&state, &auth, result).await
}

/// `POST /account/totp` with `action` = `begin`, `confirm` (with `code`) or `remove` (with
/// `password`).
pub(crate) async fn totp(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    match form.text("action") {
        "begin" => match sessions::totp_begin(&state.app, &auth, &state.app.mail.team_name).await {
            Ok(setup) => {
                render(
                    &state,
                    &auth,
                    StatusCode::OK,
                    None,
                    None,
                    Some((
                        setup.secret.expose_secret().to_owned(),
                        setup.url.expose_secret().to_owned(),
                    )),
                    None,
                )
                .await
            }
            Err(e) => outcome(&state, &auth, Err(e)).await,
        },
        "confirm" => {
            let result = sessions::totp_confirm(&state.app, &auth, form.text("code"))
                .await
                .map(|()| "Second factor enabled: sign-in now asks for a code.".to_owned());
            outcome(&state, &auth, result).await
        }
        "remove" => {
            let password = SecretString::from(form.text("password").to_owned());
            let result = sessions::totp_remove(&state.app, &auth, &password)
                .await
                .map(|()| "Second factor removed.".to_owned());
            outcome(&state, &auth, result).await
        }
        other => {
            outcome(
                &state,
                &auth,
                Err(ServiceError::Invalid {
                    field: "action",
                    reason: format!("unknown action {other:?}"),
                }),
            )
            .await
        }
    }
}

/// `POST /account/sessions/revoke` with `session`.
pub(crate) async fn revoke_session(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let result = match form.text("session").parse::<uuid::Uuid>() {
        Ok(id) => sessions::revoke(&state.app, &auth, id)
            .await
            .map(|()| "Session signed out.".to_owned()),
        Err(_) => Err(ServiceError::Invalid {
            field: "session",
            reason: "not a session id".to_owned(),
        }),
    };
    outcome(&state, &auth, result).await
}

/// `POST /account/tokens` with `name` and `scopes` (several `scope` fields).
pub(crate) async fn create_token(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    if auth.principal.actor.role == embargo_domain::Role::Reporter {
        return super::error_page(&state, Some(&auth), ServiceError::Forbidden);
    }
    let scopes: Vec<&str> = form
        .0
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.as_str())
        .collect();
    let name = form.text("name").trim();
    let created = async {
        if name.is_empty() || name.len() > 100 {
            return Err(ServiceError::Invalid {
                field: "name",
                reason: "give the token a name of 1 to 100 characters".to_owned(),
            });
        }
        let scopes = Scopes::parse(&scopes.join(" "))?;
        if scopes.contains(Scope::Admin) {
            auth.principal.require(Scope::Admin)?;
        }
        accounts::create_token(&state.app, &auth.principal.username, name, &scopes).await
    }
    .await;
    match created {
        Ok(secret) => {
            render(
                &state,
                &auth,
                StatusCode::OK,
                Some("Token created. Copy it now: it is not shown again.".to_owned()),
                None,
                None,
                Some(secret.expose_secret().to_owned()),
            )
            .await
        }
        Err(e) => outcome(&state, &auth, Err(e)).await,
    }
}
