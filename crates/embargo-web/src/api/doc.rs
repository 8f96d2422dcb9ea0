//! The OpenAPI 3.1 document of the API, served at `GET /api/openapi.json`.
//!
//! It is derived from the same handlers as the router: every handler carries a
//! `#[utoipa::path]` annotation, and [`super::api`] registers it with `routes!`, which adds the
//! route to the router and the operation to the document in one step. What is written here is
//! only what no handler knows: the title, the bearer-token scheme, and the error answers.

use std::collections::BTreeMap;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use crate::error::ErrorBody;

/// The name of the security scheme every authenticated operation names.
pub(crate) const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Embargo API",
        description = "The REST API of Embargo: vulnerability reports, cases, releases and \
            advisories. Authenticate with an API token (`Authorization: Bearer emb_…`, from \
            `embargo user token`). Errors are `{\"error\":{\"code\",\"message\",\"field\"}}`. \
            A case the caller may not see answers 404, exactly as a case that does not exist.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerScheme),
    tags(
        (name = "me", description = "The caller's account"),
        (name = "reports", description = "Report intake and the team's report list"),
        (name = "cases", description = "Cases: the work queue, one case and every change to it"),
        (name = "advisories", description = "A case's public advisory"),
        (name = "catalog", description = "Products, editions and release lines"),
        (name = "mail", description = "Mail templates"),
        (name = "releases", description = "Patch release plans"),
        (name = "prenotify", description = "The pre-notification list and its notices"),
        (name = "users", description = "Accounts and roles, for admins"),
        (name = "settings", description = "Admin settings: security.txt fields, the disclosure-policy text, the timeline policy"),
    )
)]
pub(crate) struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi
            .components
            .get_or_insert_with(utoipa::openapi::Components::new);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("emb_…")
                    .description(Some("An API token from `embargo user token`."))
                    .build(),
            ),
        );
    }
}

/// The error answers, each with the error body.
fn errors(list: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", content)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

const INVALID: (u16, &str) = (
    400,
    "A parameter or the body is invalid; `field` names it (code `invalid`)",
);
const UNAUTHENTICATED: (u16, &str) = (
    401,
    "No valid API token was presented (code `unauthenticated`)",
);
const FORBIDDEN: (u16, &str) = (
    403,
    "The caller's role or the token's scopes do not allow this (code `forbidden`)",
);
const NOT_FOUND: (u16, &str) = (
    404,
    "Not found, or a case the caller may not see (code `not_found`)",
);
const CONFLICT: (u16, &str) = (
    409,
    "The change conflicts with the current state, e.g. a stale `expected_version` (code `conflict`)",
);

/// Errors of public intake.
pub(crate) struct IntakeErrors;

impl IntoResponses for IntakeErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[
            INVALID,
            (
                429,
                "Too many reports from this address (code `rate_limited`)",
            ),
        ])
    }
}

/// Errors of an operation that only needs a token.
pub(crate) struct AuthErrors;

impl IntoResponses for AuthErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[UNAUTHENTICATED])
    }
}

/// Errors of an operation on a collection some roles may not use.
pub(crate) struct ListErrors;

impl IntoResponses for ListErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[INVALID, UNAUTHENTICATED, FORBIDDEN])
    }
}

/// Errors of reading one thing named in the path.
pub(crate) struct ReadErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND])
    }
}

/// Errors of a change.
pub(crate) struct WriteErrors;

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT])
    }
}
