//! `/api/v1/settings/…`: what an admin changes at run time: the `security.txt` fields with the
//! disclosure-policy text, and the timeline policy. The admins' only (admin role, admin-scoped
//! token); every change is audited.

use axum::extract::State;
use embargo_service::settings::{self, SecurityTxt};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ListErrors;

use crate::auth::Auth;
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// The vendor's fields of `/.well-known/security.txt` (RFC 9116) and the text of
/// `/disclosure-policy`. As a request body, an absent field takes its default.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct SecurityTxtJson {
    /// `Contact:` URIs, `mailto:` or `https://`, in order of preference; empty: `mailto:` the
    /// security address.
    contacts: Vec<String>,
    /// `Expires:` is this many days (1 to 365) after each request; default 180.
    expires_days: u32,
    /// `Acknowledgments:` URL (`https://`).
    acknowledgments: Option<String>,
    /// `Preferred-Languages:` tags (RFC 5646); default `["en"]`.
    preferred_languages: Vec<String>,
    /// `Hiring:` URL (`https://`).
    hiring: Option<String>,
    /// Markdown shown on `/disclosure-policy` above the timeline commitments.
    policy_text: String,
}

impl Default for SecurityTxtJson {
    fn default() -> Self {
        json(SecurityTxt::default())
    }
}

fn json(s: SecurityTxt) -> SecurityTxtJson {
    SecurityTxtJson {
        contacts: s.contacts,
        expires_days: s.expires_days,
        acknowledgments: s.acknowledgments,
        preferred_languages: s.preferred_languages,
        hiring: s.hiring,
        policy_text: s.policy_text,
    }
}

/// The security.txt settings; admins only.
#[utoipa::path(
    get,
    path = "/settings/security-txt",
    operation_id = "get_security_txt_settings",
    tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, description = "The settings in effect", body = SecurityTxtJson), ListErrors)
)]
pub(crate) async fn show_security_txt(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> Result<AppJson<SecurityTxtJson>, ApiError> {
    let s = settings::security_txt_for(&state.app, &who).await?;
    Ok(AppJson(json(s)))
}

/// Replaces the security.txt settings; admins only. A 400 names the field at fault.
#[utoipa::path(
    put,
    path = "/settings/security-txt",
    operation_id = "put_security_txt_settings",
    tag = "settings",
    request_body = SecurityTxtJson,
    security(("bearer" = [])),
    responses((status = 200, description = "The stored settings", body = SecurityTxtJson), ListErrors)
)]
pub(crate) async fn put_security_txt(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<SecurityTxtJson>,
) -> Result<AppJson<SecurityTxtJson>, ApiError> {
    let new = SecurityTxt {
        contacts: body.contacts,
        expires_days: body.expires_days,
        acknowledgments: body.acknowledgments,
        preferred_languages: body.preferred_languages,
        hiring: body.hiring,
        policy_text: body.policy_text,
    };
    let s = settings::set_security_txt(&state.app, &who, new).await?;
    Ok(AppJson(json(s)))
}

/// The timeline policy.
#[derive(Serialize, ToSchema)]
pub(crate) struct PolicyJson {
    /// The policy an admin stored, as TOML (the shape of the shipped `default_policy.toml`);
    /// null while the configured policy file or the shipped default applies.
    toml: Option<String>,
}

/// A new timeline policy.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyBody {
    /// TOML in the shape of the shipped `default_policy.toml`; checked by the policy parser,
    /// whose message a 400 carries (field `policy`).
    toml: String,
}

/// The stored timeline policy; admins only.
#[utoipa::path(
    get,
    path = "/settings/policy",
    operation_id = "get_policy_settings",
    tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, description = "The stored policy, if any", body = PolicyJson), ListErrors)
)]
pub(crate) async fn show_policy(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> Result<AppJson<PolicyJson>, ApiError> {
    let toml = settings::policy_for(&state.app, &who).await?;
    Ok(AppJson(PolicyJson { toml }))
}

/// The stored timeline policy and its effect.
#[derive(Serialize, ToSchema)]
pub(crate) struct PolicySetJson {
    toml: String,
    /// How many open cases' deadlines moved to follow it.
    cases_moved: usize,
}

/// Replaces the timeline policy; admins only. It applies at once: open cases' deadlines follow
/// it (audited).
#[utoipa::path(
    put,
    path = "/settings/policy",
    operation_id = "put_policy_settings",
    tag = "settings",
    request_body = PolicyBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The stored policy", body = PolicySetJson), ListErrors)
)]
pub(crate) async fn put_policy(
    State(state): State<AppState>,
    Auth(who): Auth,
    AppJson(body): AppJson<PolicyBody>,
) -> Result<AppJson<PolicySetJson>, ApiError> {
    let cases_moved = settings::set_policy(&state.app, &who, &body.toml).await?;
    Ok(AppJson(PolicySetJson {
        toml: body.toml,
        cases_moved,
    }))
}
