//! The API's JSON shapes. Domain types are not the wire format: everything the API sends is
//! built here from service results, and only from what the service already let through.

use std::collections::BTreeMap;

use embargo_domain::{
    AffectedStatus, CaseRecord, CaseState, Catalog, RejectReason, StateKind, Visibility,
};
use embargo_service::cases::CaseSummary;
use embargo_service::cases::CaseView;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub(crate) struct CaseJson {
    pub id: String,
    pub version: i64,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub state: StateJson,
    /// What the caller may do: "team", "engineer", "collaborator" or "reporter".
    pub access: &'static str,
    pub allowed_transitions: Vec<&'static str>,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_v31: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_v40: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub embargo: Option<Timestamp>,
    /// Why the embargo was set by hand; absent while the default applies (the later of the
    /// last patch release and the upstream's public date). Team and engineer members only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embargo_reason: Option<String>,
    /// Only for the team and engineer members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<DeadlinesJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateJson>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub affected: BTreeMap<String, AffectedJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reporters: Vec<ReporterJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    pub messages: Vec<MessageJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct StateJson {
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumes_to: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DeadlinesJson {
    #[schema(value_type = String, format = DateTime)]
    pub acknowledge: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub triage: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub fix: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub disclose: Timestamp,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct EstimateJson {
    #[schema(value_type = String, format = DateTime)]
    pub fix_by: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub disclose_by: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub given_at: Timestamp,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AffectedJson {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ReporterJson {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub credit_consent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MemberJson {
    pub user: String,
    pub role: &'static str,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct UpstreamJson {
    pub project: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub disclosure: Option<Timestamp>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MessageJson {
    pub id: String,
    pub author: String,
    pub author_role: &'static str,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub visibility: &'static str,
    pub body: String,
}

pub(crate) fn visibility_str(v: Visibility) -> &'static str {
    match v {
        Visibility::Reporter => "reporter",
        Visibility::Collaborators => "collaborators",
        Visibility::Internal => "internal",
    }
}

pub(crate) fn state_json(state: &CaseState) -> StateJson {
    let mut json = StateJson {
        name: state.kind().as_str(),
        reject_reason: None,
        duplicate_of: None,
        resumes_to: None,
        since: None,
    };
    match state {
        CaseState::Rejected { reason } => {
            json.reject_reason = Some(reject_str(reason));
            if let RejectReason::Duplicate(of) = reason {
                json.duplicate_of = Some(of.to_string());
            }
        }
        CaseState::NeedsInfo { resume_to, since } => {
            json.resumes_to = Some(resume_to.kind().as_str());
            json.since = Some(*since);
        }
        _ => {}
    }
    json
}

pub(crate) fn reject_str(reason: &RejectReason) -> &'static str {
    match reason {
        RejectReason::NotAVulnerability => "not-a-vulnerability",
        RejectReason::Duplicate(_) => "duplicate",
        RejectReason::OutOfScope => "out-of-scope",
        RejectReason::Informative => "informative",
    }
}

pub(crate) fn affected_kind(status: &AffectedStatus) -> &'static str {
    match status {
        AffectedStatus::Unknown => "unknown",
        AffectedStatus::Affected => "affected",
        AffectedStatus::NotAffected { .. } => "not-affected",
        AffectedStatus::FixInProgress => "fix-in-progress",
        AffectedStatus::Fixed { .. } => "fixed",
        AffectedStatus::WontFix { .. } => "wont-fix",
    }
}

fn affected_json(status: &AffectedStatus) -> AffectedJson {
    let mut json = AffectedJson {
        status: affected_kind(status),
        justification: None,
        fixed_in: None,
        links: Vec::new(),
        verified_by: None,
        reason: None,
    };
    match status {
        AffectedStatus::NotAffected { justification } => {
            json.justification = Some(justification.as_str());
        }
        AffectedStatus::Fixed {
            fixed_in,
            links,
            verified_by,
            ..
        } => {
            json.fixed_in = Some(fixed_in.to_string());
            json.links = links.iter().map(|l| l.as_ref().to_owned()).collect();
            json.verified_by = verified_by.map(|u| u.to_string());
        }
        AffectedStatus::WontFix { reason } => json.reason = Some(reason.clone()),
        _ => {}
    }
    json
}

pub(crate) fn case_json(view: &CaseView) -> CaseJson {
    let c: &CaseRecord = &view.case;
    let team_view = matches!(
        view.access,
        embargo_domain::Access::Team | embargo_domain::Access::Engineer
    );
    let score = c.cvss.score();
    CaseJson {
        id: c.id.to_string(),
        version: c.version,
        title: c.title.clone(),
        description: c.description.clone(),
        state: state_json(&c.state),
        access: match view.access {
            embargo_domain::Access::Team => "team",
            embargo_domain::Access::Engineer => "engineer",
            embargo_domain::Access::Collaborator => "collaborator",
            embargo_domain::Access::Reporter => "reporter",
        },
        allowed_transitions: view
            .allowed
            .iter()
            .map(|k: &StateKind| k.as_str())
            .collect(),
        opened_at: c.opened_at,
        cvss_v31: c.cvss.v3_1.as_ref().map(ToString::to_string),
        cvss_v40: c.cvss.v4_0.as_ref().map(ToString::to_string),
        score: score.map(|s| s.value()),
        severity: score.map(|s| s.severity().as_str()),
        cwes: c.cwes.iter().map(ToString::to_string).collect(),
        cve: c.cve.as_ref().map(ToString::to_string),
        embargo: c.embargo,
        embargo_reason: c.embargo_reason.clone().filter(|_| team_view),
        deadlines: team_view.then_some(DeadlinesJson {
            acknowledge: c.deadlines.acknowledge,
            triage: c.deadlines.triage,
            fix: c.deadlines.fix,
            disclose: c.deadlines.disclose,
        }),
        estimate: c.estimate.map(|e| EstimateJson {
            fix_by: e.fix_by,
            disclose_by: e.disclose_by,
            given_at: e.given_at,
        }),
        affected: c
            .affected
            .iter()
            .map(|(line, status)| (line.to_string(), affected_json(status)))
            .collect(),
        reporters: c
            .reporters
            .iter()
            .map(|r| ReporterJson {
                email: r.email.as_ref().to_owned(),
                name: r.name.clone(),
                credit_consent: r.credit.consent,
                credit_name: r.credit.name.clone(),
            })
            .collect(),
        members: c
            .members
            .iter()
            .map(|m| MemberJson {
                user: m.user.to_string(),
                role: match m.role {
                    embargo_domain::CaseRole::Engineer => "engineer",
                    embargo_domain::CaseRole::Collaborator => "collaborator",
                },
            })
            .collect(),
        assignee: c.assignee.map(|u| u.to_string()),
        upstream: c.upstream.as_ref().map(|u| UpstreamJson {
            project: u.project.clone(),
            advisory: u.advisory.clone(),
            disclosure: u.disclosure,
        }),
        links: c.links.iter().map(|l| l.as_ref().to_owned()).collect(),
        messages: c
            .messages
            .iter()
            .map(|m| MessageJson {
                id: m.id.to_string(),
                author: m.author.to_string(),
                author_role: m.author_role.as_str(),
                at: m.at,
                visibility: visibility_str(m.visibility),
                body: m.body.clone(),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CaseSummaryJson {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_deadline: Option<Timestamp>,
    pub overdue: bool,
}

pub(crate) fn summary_json(s: &CaseSummary) -> CaseSummaryJson {
    CaseSummaryJson {
        id: s.id.to_string(),
        version: s.version,
        title: s.title.clone(),
        state: s.state.kind().as_str(),
        score: s.score.map(|x| x.value()),
        severity: s.severity.map(|x| x.as_str()),
        cve: s.cve.as_ref().map(ToString::to_string),
        upstream: s.upstream_project.clone(),
        opened_at: s.opened_at,
        next_deadline: s.next_deadline,
        overdue: s.overdue,
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CatalogJson {
    pub products: Vec<ProductJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ProductJson {
    pub id: String,
    pub name: String,
    pub editions: Vec<EditionJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct EditionJson {
    pub id: String,
    pub name: String,
    pub release_lines: Vec<LineJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct LineJson {
    pub id: String,
    pub name: String,
    pub scheme: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    pub next_patch: String,
    pub supported: bool,
    pub lts: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_ends: Option<String>,
    pub components: Vec<ComponentJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ComponentJson {
    pub name: String,
    pub version: String,
}

pub(crate) fn catalog_json(catalog: &Catalog) -> CatalogJson {
    CatalogJson {
        products: catalog
            .products
            .iter()
            .map(|p| ProductJson {
                id: p.id.to_string(),
                name: p.name.clone(),
                editions: p
                    .editions
                    .iter()
                    .map(|e| EditionJson {
                        id: e.id.to_string(),
                        name: e.name.clone(),
                        release_lines: e
                            .lines
                            .iter()
                            .map(|l| LineJson {
                                id: l.id().to_string(),
                                name: l.name(),
                                scheme: l.scheme().as_str(),
                                latest_version: l.latest().map(|v| v.to_string()),
                                next_patch: l.next_patch().to_string(),
                                supported: l.supported,
                                lts: l.lts,
                                support_ends: l.support_ends.map(|d| d.to_string()),
                                components: l
                                    .components
                                    .iter()
                                    .map(|c| ComponentJson {
                                        name: c.name.clone(),
                                        version: c.version.clone(),
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
