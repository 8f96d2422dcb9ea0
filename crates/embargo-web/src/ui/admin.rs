//! `/admin`: the admins' settings pages: the landing page, the `security.txt` fields with the
//! disclosure-policy text, the timeline policy, the mail templates, accounts and the catalog. To everyone else they do not exist (404,
//! as the team's own pages answer outsiders); the service checks the role again.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use embargo_domain::Role;
use embargo_service::ServiceError;
use embargo_service::mail::{self, MailKind};
use embargo_service::sessions::SessionAuth;
use embargo_service::settings::{self, SecurityTxt};

use super::session::SignedIn;
use super::{Chrome, Form, html, when};
use crate::AppState;

fn admin_only(state: &AppState, auth: &SessionAuth) -> Result<(), Response> {
    if auth.principal.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(super::error_page(state, Some(auth), ServiceError::NotFound))
    }
}

pub(crate) struct Change {
    at: String,
    what: String,
}

#[derive(Template)]
#[template(path = "ui/admin.html")]
struct LandingPage {
    chrome: Chrome,
    changes: Vec<Change>,
}

/// `GET /admin`
pub(crate) async fn landing(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let changes = match settings::changes(&state.app, &auth.principal, 20).await {
        Ok(c) => c,
        Err(e) => return super::error_page(&state, Some(&auth), e),
    };
    html(
        StatusCode::OK,
        &LandingPage {
            chrome: Chrome::new(&state, Some(&auth)),
            changes: changes
                .into_iter()
                .map(|c| Change {
                    at: when(c.at),
                    what: format!(
                        "{} by a{} {}",
                        c.action.trim_start_matches("setting-changed:"),
                        if c.actor_role == Role::Admin { "n" } else { "" },
                        c.actor_role.as_str()
                    ),
                })
                .collect(),
        },
    )
}

#[derive(Template)]
#[template(path = "ui/admin_security_txt.html")]
struct SecurityTxtPage {
    chrome: Chrome,
    csrf: String,
    contacts: String,
    default_contact: String,
    expires_days: String,
    acknowledgments: String,
    preferred_languages: String,
    hiring: String,
    policy_text: String,
    error: Option<String>,
}

fn security_txt_page(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    values: SecurityTxt,
    expires_days: String,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    html(
        status,
        &SecurityTxtPage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            contacts: values.contacts.join("\n"),
            default_contact: format!("mailto:{}", state.app.mail.from),
            expires_days,
            acknowledgments: values.acknowledgments.unwrap_or_default(),
            preferred_languages: values.preferred_languages.join(", "),
            hiring: values.hiring.unwrap_or_default(),
            policy_text: values.policy_text,
            error,
        },
    )
}

/// `GET /admin/security-txt`
pub(crate) async fn security_txt(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    match settings::security_txt_for(&state.app, &auth.principal).await {
        Ok(values) => {
            let days = values.expires_days.to_string();
            security_txt_page(&state, &auth, StatusCode::OK, values, days, None, None)
        }
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

/// `POST /admin/security-txt`: contacts (one per line), expires_days, acknowledgments,
/// preferred_languages (comma-separated), hiring, policy_text.
pub(crate) async fn save_security_txt(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let days_text = form.text("expires_days").trim().to_owned();
    let posted = SecurityTxt {
        contacts: form
            .text("contacts")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        // Unparsable: 0, which the check refuses, naming the field.
        expires_days: days_text.parse().unwrap_or(0),
        acknowledgments: Some(form.text("acknowledgments").to_owned()),
        preferred_languages: vec![form.text("preferred_languages").to_owned()],
        hiring: Some(form.text("hiring").to_owned()),
        policy_text: form.text("policy_text").to_owned(),
    };
    match settings::set_security_txt(&state.app, &auth.principal, posted.clone()).await {
        Ok(saved) => {
            let days = saved.expires_days.to_string();
            security_txt_page(
                &state,
                &auth,
                StatusCode::OK,
                saved,
                days,
                Some("Saved. security.txt and the disclosure policy show it now.".to_owned()),
                None,
            )
        }
        Err(ServiceError::Invalid { field, reason }) => security_txt_page(
            &state,
            &auth,
            StatusCode::UNPROCESSABLE_ENTITY,
            posted,
            days_text,
            None,
            Some(format!("{field}: {reason}")),
        ),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

#[derive(Template)]
#[template(path = "ui/admin_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    csrf: String,
    toml: String,
    stored: bool,
    error: Option<String>,
}

/// `GET /admin/policy`
pub(crate) async fn policy(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    match settings::policy_for(&state.app, &auth.principal).await {
        Ok(stored) => html(
            StatusCode::OK,
            &PolicyPage {
                chrome: Chrome::new(&state, Some(&auth)),
                csrf: auth.csrf.clone(),
                stored: stored.is_some(),
                toml: stored.unwrap_or_else(|| embargo_domain::DEFAULT_POLICY_TOML.to_owned()),
                error: None,
            },
        ),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

/// `POST /admin/policy`: `toml`, checked by the policy parser (its message shown on refusal).
pub(crate) async fn save_policy(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let toml = form.text("toml").to_owned();
    match settings::set_policy(&state.app, &auth.principal, &toml).await {
        Ok(moved) => html(
            StatusCode::OK,
            &PolicyPage {
                chrome: Chrome::new(&state, Some(&auth)).with_notice(Some(format!(
                    "Saved. The policy is in effect; {moved} open case(s) got new deadlines."
                ))),
                csrf: auth.csrf.clone(),
                stored: true,
                toml,
                error: None,
            },
        ),
        Err(ServiceError::Invalid { field, reason }) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PolicyPage {
                chrome: Chrome::new(&state, Some(&auth)),
                csrf: auth.csrf.clone(),
                stored: false,
                toml,
                error: Some(format!("{field}: {reason}")),
            },
        ),
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

pub(crate) struct UserRow {
    username: String,
    name: String,
    email: String,
    role: &'static str,
    disabled: bool,
    created: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "ui/admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    csrf: String,
    users: Vec<UserRow>,
    roles: [&'static str; 5],
    error: Option<String>,
}

const ROLES: [&str; 5] = ["admin", "team", "engineer", "collaborator", "reporter"];

async fn users_page(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let list =
        match embargo_service::accounts::accounts_for_admin(&state.app, &auth.principal).await {
            Ok(l) => l,
            Err(e) => return super::error_page(state, Some(auth), e),
        };
    html(
        status,
        &UsersPage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            users: list
                .into_iter()
                .map(|u| UserRow {
                    own: u.username == auth.principal.username,
                    role: ROLES
                        .into_iter()
                        .find(|r| *r == u.role)
                        .unwrap_or("unknown"),
                    username: u.username,
                    name: u.display_name,
                    email: u.email,
                    disabled: u.disabled,
                    created: when(u.created_at),
                })
                .collect(),
            roles: ROLES,
            error,
        },
    )
}

/// `GET /admin/users`
pub(crate) async fn users(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    users_page(&state, &auth, StatusCode::OK, None, None).await
}

/// `POST /admin/users`: `action=create` (username, email, name, role), `action=role`
/// (username, role), `action=disable` or `action=enable` (username).
pub(crate) async fn change_user(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use embargo_service::accounts::{self, AccountChange};
    use secrecy::ExposeSecret;

    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let who = &auth.principal;
    let username = form.text("username");
    let result = match form.text("action") {
        "create" => match accounts::parse_role(form.text("role")) {
            Ok(role) => accounts::create_account_as(
                &state.app,
                who,
                username,
                form.text("email"),
                form.text("name"),
                role,
            )
            .await
            .map(|c| {
                format!(
                    "Account {} created. Its one-time password, shown only now: {}",
                    username.trim(),
                    c.password.expose_secret()
                )
            }),
            Err(e) => Err(e),
        },
        "role" => match accounts::parse_role(form.text("role")) {
            Ok(role) => {
                accounts::change_account(&state.app, who, username, AccountChange::Role(role))
                    .await
                    .map(|u| format!("{} is now {}.", u.username, u.role))
            }
            Err(e) => Err(e),
        },
        "disable" => {
            accounts::change_account(&state.app, who, username, AccountChange::Disabled(true))
                .await
                .map(|u| format!("{} is disabled.", u.username))
        }
        "enable" => {
            accounts::change_account(&state.app, who, username, AccountChange::Disabled(false))
                .await
                .map(|u| format!("{} is enabled.", u.username))
        }
        other => Err(ServiceError::Invalid {
            field: "action",
            reason: format!("create, role, disable or enable, not {other:?}"),
        }),
    };
    match result {
        Ok(notice) => users_page(&state, &auth, StatusCode::OK, Some(notice), None).await,
        Err(ServiceError::Invalid { field, reason }) => {
            users_page(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(ServiceError::Conflict(reason)) => {
            users_page(&state, &auth, StatusCode::CONFLICT, None, Some(reason)).await
        }
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

pub(crate) struct LineRow {
    id: String,
    product: String,
    edition: String,
    line: String,
    scheme: &'static str,
    latest: String,
    next_patch: String,
    supported: bool,
    lts: bool,
    support_ends: String,
    components: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "ui/admin_catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    csrf: String,
    lines: Vec<LineRow>,
    error: Option<String>,
}

async fn catalog_page(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let catalog = match embargo_service::catalog::load(&state.app, &auth.principal).await {
        Ok(c) => c,
        Err(e) => return super::error_page(state, Some(auth), e),
    };
    let lines = catalog
        .lines()
        .map(|p| LineRow {
            id: p.line.id().to_string(),
            product: p.product.name.clone(),
            edition: p.edition.name.clone(),
            line: p.line.name(),
            scheme: match p.line.scheme() {
                embargo_domain::VersionScheme::Semver => "three-part",
                embargo_domain::VersionScheme::Enterprise => "four-part",
            },
            latest: p.line.latest().map(|v| v.to_string()).unwrap_or_default(),
            next_patch: p.line.next_patch().to_string(),
            supported: p.line.supported,
            lts: p.line.lts,
            support_ends: p
                .line
                .support_ends
                .map(|d| d.to_string())
                .unwrap_or_default(),
            components: p
                .line
                .components
                .iter()
                .map(|c| (c.name.clone(), c.version.clone()))
                .collect(),
        })
        .collect();
    html(
        status,
        &CatalogPage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            lines,
            error,
        },
    )
}

/// `GET /admin/catalog`
pub(crate) async fn catalog(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    catalog_page(&state, &auth, StatusCode::OK, None, None).await
}

/// `POST /admin/catalog`: `action=add-line` (product, edition, line, scheme, latest, supported,
/// lts, support_ends), `action=support` (line id, supported, lts, support_ends),
/// `action=latest` (line id, version), `action=component` (line id, name, version; an empty
/// version removes it).
pub(crate) async fn change_catalog(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use embargo_service::catalog::{self, LineRef, NewLine};

    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let who = &auth.principal;
    let optional = |name: &str| Some(form.text(name).trim().to_owned()).filter(|v| !v.is_empty());
    let result = match form.text("action") {
        "add-line" => catalog::add_line(
            &state.app,
            who,
            &NewLine {
                at: LineRef {
                    product: form.text("product").trim().to_owned(),
                    edition: form.text("edition").trim().to_owned(),
                    line: form.text("line").trim().to_owned(),
                },
                scheme: form.text("scheme").to_owned(),
                latest: optional("latest"),
                supported: form.get("supported").is_some(),
                lts: form.get("lts").is_some(),
                support_ends: optional("support_ends"),
            },
        )
        .await
        .map(|()| format!("Release line {} added.", form.text("line").trim())),
        action @ ("support" | "latest" | "component") => {
            match catalog::parse_line_id(form.text("line")) {
                Err(e) => Err(e),
                Ok(id) => match action {
                    "support" => catalog::set_support(
                        &state.app,
                        who,
                        id,
                        form.get("supported").is_some(),
                        form.get("lts").is_some(),
                        Some(form.text("support_ends")),
                    )
                    .await
                    .map(|()| "Support changed.".to_owned()),
                    "latest" => catalog::set_latest_of(&state.app, who, id, form.text("version"))
                        .await
                        .map(|()| "Latest release recorded.".to_owned()),
                    _ => catalog::set_component_of(
                        &state.app,
                        who,
                        id,
                        form.text("name"),
                        form.text("version"),
                    )
                    .await
                    .map(|()| "Component changed.".to_owned()),
                },
            }
        }
        other => Err(ServiceError::Invalid {
            field: "action",
            reason: format!("add-line, support, latest or component, not {other:?}"),
        }),
    };
    match result {
        Ok(notice) => catalog_page(&state, &auth, StatusCode::OK, Some(notice), None).await,
        Err(ServiceError::Invalid { field, reason }) => {
            catalog_page(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}

pub(crate) struct TemplateItem {
    kind: &'static str,
    subject: String,
    body: String,
    variables: String,
}

#[derive(Template)]
#[template(path = "ui/admin_templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    csrf: String,
    templates: Vec<TemplateItem>,
    error: Option<String>,
}

async fn templates_page(
    state: &AppState,
    auth: &SessionAuth,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    // A refused edit is shown as posted, in place of the stored text.
    posted: Option<(MailKind, String, String)>,
) -> Response {
    let mut templates = Vec::new();
    for kind in MailKind::ALL {
        let (subject, body) = match &posted {
            Some((k, subject, body)) if *k == kind => (subject.clone(), body.clone()),
            _ => match mail::template(&state.app, &auth.principal, kind).await {
                Ok(t) => (t.subject, t.body),
                Err(e) => return super::error_page(state, Some(auth), e),
            },
        };
        templates.push(TemplateItem {
            kind: kind.as_str(),
            subject,
            body,
            variables: kind
                .variables()
                .iter()
                .map(|v| format!("{{{{ {v} }}}}"))
                .collect::<Vec<_>>()
                .join(" "),
        });
    }
    html(
        status,
        &TemplatesPage {
            chrome: Chrome::new(state, Some(auth)).with_notice(notice),
            csrf: auth.csrf.clone(),
            templates,
            error,
        },
    )
}

/// `GET /admin/templates`
pub(crate) async fn templates(State(state): State<AppState>, SignedIn(auth): SignedIn) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    templates_page(&state, &auth, StatusCode::OK, None, None, None).await
}

/// `POST /admin/templates`: `kind`, then `action=save` with `subject` and `body`, or
/// `action=reset` for the shipped text.
pub(crate) async fn save_template(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = admin_only(&state, &auth) {
        return r;
    }
    let form = match Form::checked(&state, &headers, &auth, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let kind = match MailKind::parse(form.text("kind")) {
        Ok(k) => k,
        Err(e) => return super::error_page(&state, Some(&auth), e),
    };
    let (subject, text) = (
        form.text("subject").to_owned(),
        form.text("body").to_owned(),
    );
    let result = match form.text("action") {
        "reset" => mail::reset_template(&state.app, &auth.principal, kind)
            .await
            .map(|()| format!("The {} mail is back to the shipped text.", kind.as_str())),
        _ => mail::set_template(&state.app, &auth.principal, kind, &subject, &text)
            .await
            .map(|_| format!("The {} mail uses this text from now on.", kind.as_str())),
    };
    match result {
        Ok(notice) => templates_page(&state, &auth, StatusCode::OK, Some(notice), None, None).await,
        Err(ServiceError::Invalid { field, reason }) => {
            templates_page(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{} mail, {field}: {reason}", kind.as_str())),
                Some((kind, subject, text)),
            )
            .await
        }
        Err(e) => super::error_page(&state, Some(&auth), e),
    }
}
