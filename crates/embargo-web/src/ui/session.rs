//! The session cookie and the extractors of the signed-in pages.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, scoped to `/`, and — when the public URL is
//! https — `Secure` with the `__Host-` prefix, so no subdomain or plain-http page can set or
//! read it. The API does not accept it: `/api/v1` takes bearer tokens only, so cookies never
//! authorise a cross-site API call.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_service::ServiceError;
use embargo_service::sessions::{self, NewSession, SessionAuth};
use secrecy::{ExposeSecret, SecretString};

use crate::AppState;

const PLAIN_NAME: &str = "embargo_session";
const HOST_NAME: &str = "__Host-embargo_session";

fn secure(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

fn cookie_name(state: &AppState) -> &'static str {
    if secure(state) { HOST_NAME } else { PLAIN_NAME }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Set-Cookie` for a new session.
pub(crate) fn set_cookie(state: &AppState, session: &NewSession) -> HeaderValue {
    let max_age = sessions::ABSOLUTE.as_secs();
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        cookie_name(state),
        session.secret.expose_secret(),
        if secure(state) { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that removes the session cookie.
pub(crate) fn clear_cookie(state: &AppState) -> HeaderValue {
    let value = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(state),
        if secure(state) { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn session_of(parts: &Parts, state: &AppState) -> Result<Option<SessionAuth>, ServiceError> {
    let Some(secret) = read_cookie(&parts.headers, cookie_name(state)) else {
        return Ok(None);
    };
    match sessions::authenticate(&state.app, &SecretString::from(secret)).await {
        Ok(auth) => Ok(Some(auth)),
        Err(ServiceError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A signed-in caller. Without a live session the request is sent to the sign-in page,
/// which brings the caller back afterwards.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn(pub SessionAuth);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_of(parts, state).await {
            Ok(Some(auth)) => {
                tracing::Span::current().record("user", auth.principal.username.as_str());
                Ok(SignedIn(auth))
            }
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned();
                let target = format!(
                    "/login?next={}",
                    url_encode(if parts.method == axum::http::Method::GET {
                        &next
                    } else {
                        "/"
                    })
                );
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(crate::ApiError(e).into_response()),
        }
    }
}

/// The caller's session, if any; never redirects.
#[derive(Debug, Clone)]
pub(crate) struct MaybeSignedIn(pub Option<SessionAuth>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        session_of(parts, state)
            .await
            .map(MaybeSignedIn)
            .map_err(|e| crate::ApiError(e).into_response())
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to go after signing in: only a local path (no scheme, no `//host`), else `/`.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Whether `sent` (a form's `csrf` field) is this session's token; compared in constant time.
pub(crate) fn csrf_ok(auth: &SessionAuth, sent: &str) -> bool {
    let a = auth.csrf.as_bytes();
    let b = sent.as_bytes();
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/queue?state=new")), "/queue?state=new");
        for evil in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "/x\r\nSet-Cookie: a=b",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("xembargo_session=a; embargo_session=b; other=c"),
        );
        assert_eq!(read_cookie(&h, "embargo_session").as_deref(), Some("b"));
        assert_eq!(read_cookie(&h, "missing"), None);
    }
}
