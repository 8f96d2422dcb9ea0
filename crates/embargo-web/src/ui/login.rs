//! Signing in and out: `/login` (password, and the TOTP code when the account has one),
//! `/logout`, and `/signin/{secret}`, the single-use link in reporters' mail.
//!
//! Sign-in is rate limited per client address and per username, and answers the same for an
//! unknown username and a wrong password. A sign-in link is never consumed by `GET` (mail
//! scanners follow links): the page asks for one click, which posts it.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_domain::Role;
use embargo_service::sessions::{self, LoginError, SessionAuth};
use secrecy::SecretString;
use serde::Deserialize;

use super::session::{MaybeSignedIn, SignedIn, clear_cookie, safe_next, set_cookie, user_agent};
use super::{Chrome, Form, html, message};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage<'a> {
    chrome: Chrome,
    username: &'a str,
    next: &'a str,
    error: Option<String>,
    ask_code: bool,
}

/// Where a signed-in user starts.
pub(crate) fn home_of(auth: &SessionAuth) -> &'static str {
    if auth.principal.actor.role == Role::Reporter {
        "/portal"
    } else {
        "/queue"
    }
}

/// `GET /`: the queue or the portal when signed in, else the report form.
pub(crate) async fn root(MaybeSignedIn(auth): MaybeSignedIn) -> Response {
    match auth {
        Some(a) => Redirect::to(home_of(&a)).into_response(),
        None => Redirect::to("/report").into_response(),
    }
}

/// `GET /login`
pub(crate) async fn form(
    State(state): State<AppState>,
    MaybeSignedIn(auth): MaybeSignedIn,
    Query(q): Query<NextQuery>,
) -> Response {
    if let Some(a) = auth {
        return Redirect::to(home_of(&a)).into_response();
    }
    let next = safe_next(q.next.as_deref());
    html(
        StatusCode::OK,
        &LoginPage {
            chrome: Chrome::new(&state, None),
            username: "",
            next: &next,
            error: None,
            ask_code: false,
        },
    )
}

/// `POST /login`
pub(crate) async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = Form::parse(&body);
    if !crate::pages::same_origin(&headers, &state.public_url) {
        return message(
            &state,
            None,
            StatusCode::FORBIDDEN,
            "Refused",
            "Sign-in can only be sent from this site.",
        );
    }
    let username = form.text("username").trim().to_owned();
    let next = safe_next(form.get("next"));
    let page = |status, error: String, ask_code| {
        html(
            status,
            &LoginPage {
                chrome: Chrome::new(&state, None),
                username: &username,
                next: &next,
                error: Some(error),
                ask_code,
            },
        )
    };
    if !state.login_limiter.check(peer.ip())
        || !state.login_user_limiter.check_key(&username.to_lowercase())
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Please wait a minute and try again.".to_owned(),
            form.get("code").is_some(),
        );
    }
    let password = SecretString::from(form.text("password").to_owned());
    let code = form.get("code");
    match sessions::login(
        &state.app,
        &username,
        &password,
        code,
        &user_agent(&headers),
    )
    .await
    {
        Ok(session) => {
            let target = if next == "/" { "/" } else { next.as_str() };
            let mut response = Redirect::to(target).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&state, &session));
            response
        }
        Err(e @ (LoginError::CodeRequired | LoginError::BadCode)) => {
            page(StatusCode::UNAUTHORIZED, e.to_string(), true)
        }
        Err(e @ LoginError::BadCredentials) => page(
            StatusCode::UNAUTHORIZED,
            e.to_string(),
            form.get("code").is_some(),
        ),
        Err(LoginError::Service(e)) => super::error_page(&state, None, e),
    }
}

/// `POST /logout`
pub(crate) async fn logout(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = Form::checked(&state, &headers, &auth, &body) {
        return refused;
    }
    if let Err(e) = sessions::logout(&state.app, &auth).await {
        return super::error_page(&state, Some(&auth), e);
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    response
}

#[derive(Template)]
#[template(path = "ui/signin_link.html")]
struct LinkPage<'a> {
    chrome: Chrome,
    secret: &'a str,
}

/// `GET /signin/{secret}`: one button that posts the link.
pub(crate) async fn link_form(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Response {
    html(
        StatusCode::OK,
        &LinkPage {
            chrome: Chrome::new(&state, None),
            secret: &secret,
        },
    )
}

/// `POST /signin`
pub(crate) async fn link_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = Form::parse(&body);
    if !crate::pages::same_origin(&headers, &state.public_url) {
        return message(
            &state,
            None,
            StatusCode::FORBIDDEN,
            "Refused",
            "Sign-in can only be sent from this site.",
        );
    }
    if !state.login_limiter.check(peer.ip()) {
        return message(
            &state,
            None,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Please wait a minute and try again.",
        );
    }
    let secret = SecretString::from(form.text("secret").to_owned());
    match sessions::redeem_link(&state.app, &secret, &user_agent(&headers)).await {
        Ok(session) => {
            let mut response = Redirect::to("/portal").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&state, &session));
            response
        }
        Err(embargo_service::ServiceError::Unauthenticated) => message(
            &state,
            None,
            StatusCode::GONE,
            "This link no longer works",
            "Each sign-in link works once and for two weeks. Every mail we send you about your \
             report carries a new one; reply to our last mail if you need one now.",
        ),
        Err(e) => super::error_page(&state, None, e),
    }
}
