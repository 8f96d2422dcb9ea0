//! The signed-in web application: sign-in and account pages, the reporter portal, and the
//! team's queue and case room. Server-rendered HTML (askama escapes every value), plain forms
//! that work without JavaScript; each handler calls the same service functions as the REST API,
//! so access is checked in the service layer, never here.
//!
//! Every state-changing form is a POST that must pass two checks ([`Form::check`]): the browser
//! says it comes from this site (`Sec-Fetch-Site`/`Origin`, as the public report form), and it
//! echoes the session's synchronizer token in the `csrf` field.

// A refusal is a whole page (`Response`) returned once per request; boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod files;
pub(crate) mod login;
pub(crate) mod portal;
pub(crate) mod prenotify;
pub(crate) mod session;
pub(crate) mod team;

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use embargo_domain::Role;
use embargo_service::ServiceError;
use embargo_service::sessions::SessionAuth;

use crate::AppState;

/// What the page frame shows: the team name, and the signed-in user with the sign-out form.
pub(crate) struct Chrome {
    pub team_name: String,
    pub user: Option<NavUser>,
    /// A notice shown once at the top (after a change).
    pub notice: Option<String>,
}

pub(crate) struct NavUser {
    pub name: String,
    pub csrf: String,
    pub team: bool,
    /// Admin or security team: the disclosure pages.
    pub manage: bool,
    /// Admin: the settings pages.
    pub admin: bool,
    pub reporter: bool,
    pub must_change_password: bool,
}

impl Chrome {
    pub(crate) fn new(state: &AppState, auth: Option<&SessionAuth>) -> Chrome {
        Chrome {
            team_name: state.app.mail.team_name.clone(),
            user: auth.map(|a| NavUser {
                name: a.display_name.clone(),
                csrf: a.csrf.clone(),
                team: matches!(
                    a.principal.actor.role,
                    Role::Admin | Role::Team | Role::Engineer | Role::Collaborator
                ),
                manage: matches!(a.principal.actor.role, Role::Admin | Role::Team),
                admin: a.principal.actor.role == Role::Admin,
                reporter: a.principal.actor.role == Role::Reporter,
                must_change_password: a.must_change_password,
            }),
            notice: None,
        }
    }

    pub(crate) fn with_notice(mut self, notice: Option<String>) -> Chrome {
        self.notice = notice;
        self
    }
}

pub(crate) fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "ui/message.html")]
struct MessagePage<'a> {
    chrome: Chrome,
    title: &'a str,
    text: &'a str,
}

/// A page with a heading and one paragraph.
pub(crate) fn message(
    state: &AppState,
    auth: Option<&SessionAuth>,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    html(
        status,
        &MessagePage {
            chrome: Chrome::new(state, auth),
            title,
            text,
        },
    )
}

/// A service error as a page: unknown and forbidden cases are the same "not found".
pub(crate) fn error_page(
    state: &AppState,
    auth: Option<&SessionAuth>,
    e: ServiceError,
) -> Response {
    match e {
        ServiceError::NotFound => message(
            state,
            auth,
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing here, or you do not have access to it.",
        ),
        ServiceError::Forbidden => message(
            state,
            auth,
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your account cannot do this.",
        ),
        ServiceError::Unauthenticated => Redirect::to("/login").into_response(),
        ServiceError::Invalid { field, reason } => message(
            state,
            auth,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &format!("{field}: {reason}"),
        ),
        ServiceError::Conflict(reason) => message(
            state,
            auth,
            StatusCode::CONFLICT,
            "Not saved",
            &format!("{reason}. Go back, reload the page and try again."),
        ),
        ServiceError::RateLimited => message(
            state,
            auth,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Please wait a minute and try again.",
        ),
        ServiceError::Unexpected(e) => {
            tracing::error!(error = %format!("{e:#}"), "page failed");
            message(
                state,
                auth,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The change was not made. Please try again later.",
            )
        }
    }
}

/// A posted form: its fields, checked against the session before anything reads them.
pub(crate) struct Form(pub Vec<(String, String)>);

impl Form {
    /// Parses an urlencoded body; an unreadable body is an empty form (which fails the check).
    pub(crate) fn parse(body: &[u8]) -> Form {
        Form(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's value, or "" when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// Every value of a repeated field (ticked checkboxes), in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parses a posted form of a signed-in page and runs [`Form::check`] on it: the one way
    /// every state-changing form of a session is read.
    pub(crate) fn checked(
        state: &AppState,
        headers: &HeaderMap,
        auth: &SessionAuth,
        body: &[u8],
    ) -> Result<Form, Response> {
        let form = Form::parse(body);
        form.check(state, headers, auth)?;
        Ok(form)
    }

    /// The same-origin and synchronizer-token checks; a refusal page when either fails.
    pub(crate) fn check(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        auth: &SessionAuth,
    ) -> Result<(), Response> {
        if crate::pages::same_origin(headers, &state.public_url)
            && session::csrf_ok(auth, self.text("csrf"))
        {
            Ok(())
        } else {
            Err(message(
                state,
                Some(auth),
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not sent from this site or is from an old page. Go back, reload \
                 the page and send it again.",
            ))
        }
    }
}

/// A file as a page links it.
pub(crate) struct FileLink {
    pub name: String,
    pub media_type: String,
    pub size: String,
    pub sha256: String,
    pub href: String,
}

/// The links to the files of `message` among a thread's `files`.
pub(crate) fn message_file_links(
    case: embargo_domain::CaseId,
    message: embargo_domain::MessageId,
    files: &[embargo_service::files::MessageFile],
) -> Vec<FileLink> {
    files
        .iter()
        .filter(|f| f.message == message)
        .map(|f| FileLink {
            name: f.file.name.clone(),
            media_type: f.file.media_type.as_ref().to_owned(),
            size: human_size(f.file.size),
            sha256: f.file.sha256.as_ref().to_owned(),
            href: format!("/cases/{case}/messages/{message}/files/{}", f.position),
        })
        .collect()
}

/// A byte count as people read it.
pub(crate) fn human_size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// A timestamp as the pages show it: UTC, to the minute.
pub(crate) fn when(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// A timestamp's day.
pub(crate) fn day(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}
