//! The advisory as the exporters read it: our own input model, not a wire format.
//!
//! `service` builds an [`Advisory`] from a published case; the exporters in
//! [`crate::cve`], [`crate::osv`] and [`crate::csaf`] turn it into each format's
//! JSON. Nothing here is serialized directly.

use jiff::Timestamp;
use uuid::Uuid;

/// A public security advisory of one vendor, about one vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    /// Our public id, e.g. `EMB-2026-0001`; it never changes across revisions.
    pub id: String,
    /// The CVE id this vendor assigned as CNA, if any. An upstream project's CVE
    /// goes in [`Upstream::ids`] instead.
    pub cve: Option<String>,
    /// Other ids of the same vulnerability (e.g. a GHSA id).
    pub aliases: Vec<String>,
    pub title: String,
    /// One line, plain text.
    pub summary: String,
    /// CommonMark.
    pub description_md: String,
    /// First publication.
    pub published: Timestamp,
    /// Revision history, oldest first; the last one is current. Numbers run 1, 2, 3…
    pub revisions: Vec<Revision>,
    /// CVSS vector strings (v2, v3.0, v3.1 or v4.0), at most one per version.
    pub cvss: Vec<String>,
    pub cwes: Vec<Cwe>,
    pub vendor: String,
    pub products: Vec<Product>,
    /// CommonMark.
    pub workarounds_md: Option<String>,
    pub references: Vec<Reference>,
    pub credits: Vec<Credit>,
    /// Set when the vulnerability is in a third-party component we ship.
    pub upstream: Option<Upstream>,
    pub tlp: Tlp,
}

impl Advisory {
    /// The current revision (the last one).
    pub fn current_revision(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    /// The CVE id describing this vulnerability: ours, else the first upstream CVE.
    pub fn any_cve(&self) -> Option<&str> {
        self.cve.as_deref().or_else(|| {
            self.upstream
                .as_ref()
                .and_then(|u| u.ids.iter().find(|id| id.starts_with("CVE-")))
                .map(String::as_str)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: u32,
    pub date: Timestamp,
    pub summary: String,
}

/// A CWE weakness, e.g. `CWE-79`, with its official name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cwe {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    pub editions: Vec<Edition>,
}

/// An edition of a product, e.g. `enterprise` or `open source`, with its release lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    pub name: String,
    pub lines: Vec<LineStatus>,
}

/// How the vulnerability touches one release line, e.g. `3.4.x`.
///
/// Versions are `MAJOR.MINOR.PATCH` or four-part (`1.25.3.1`); a line is a
/// version prefix followed by `.x` (`3.4.x`, `1.25.3.x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineStatus {
    pub line: String,
    pub status: Status,
    /// First affected version of the line; the line's first version when `None`.
    pub affected_from: Option<String>,
    /// First version of the line with the fix; required for [`Status::Fixed`].
    pub fixed_in: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Affected; `fixed_in`, when set, names the release that will carry the fix.
    Affected,
    NotAffected {
        justification: Justification,
    },
    /// Affected up to `fixed_in`, which is released.
    Fixed,
    UnderInvestigation,
}

/// Why a line is not affected: the VEX justifications (CSAF 2.0 section 3.2.3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeCannotBeControlledByAdversary,
    VulnerableCodeNotInExecutePath,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// The CSAF flag label, which is also the OpenVEX/CISA justification code.
    pub const fn code(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// A sentence for readers.
    pub const fn explanation(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "The affected component is not present.",
            Justification::VulnerableCodeNotPresent => "The vulnerable code is not present.",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "The vulnerable code cannot be controlled by an adversary."
            }
            Justification::VulnerableCodeNotInExecutePath => {
                "The vulnerable code is not in the execute path."
            }
            Justification::InlineMitigationsAlreadyExist => "Inline mitigations already exist.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub url: String,
    pub kind: ReferenceKind,
    /// Link text; the URL is shown when `None`.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// A security advisory (ours or another vendor's).
    Advisory,
    /// A fix: commit, patch or release with the fix.
    Patch,
    /// The original report or issue.
    Report,
    /// A write-up, blog post or analysis.
    Article,
    /// Release notes or a download page of a fixed release.
    ReleaseNotes,
    Web,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub name: String,
    pub kind: CreditKind,
}

/// Credit roles, as CVE JSON 5 and OSV name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditKind {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

impl CreditKind {
    /// CVE JSON 5 `credits[].type`.
    pub const fn cve(self) -> &'static str {
        match self {
            CreditKind::Finder => "finder",
            CreditKind::Reporter => "reporter",
            CreditKind::Analyst => "analyst",
            CreditKind::Coordinator => "coordinator",
            CreditKind::RemediationDeveloper => "remediation developer",
            CreditKind::RemediationReviewer => "remediation reviewer",
            CreditKind::RemediationVerifier => "remediation verifier",
            CreditKind::Tool => "tool",
            CreditKind::Sponsor => "sponsor",
            CreditKind::Other => "other",
        }
    }

    /// OSV `credits[].type`.
    pub const fn osv(self) -> &'static str {
        match self {
            CreditKind::Finder => "FINDER",
            CreditKind::Reporter => "REPORTER",
            CreditKind::Analyst => "ANALYST",
            CreditKind::Coordinator => "COORDINATOR",
            CreditKind::RemediationDeveloper => "REMEDIATION_DEVELOPER",
            CreditKind::RemediationReviewer => "REMEDIATION_REVIEWER",
            CreditKind::RemediationVerifier => "REMEDIATION_VERIFIER",
            CreditKind::Tool => "TOOL",
            CreditKind::Sponsor => "SPONSOR",
            CreditKind::Other => "OTHER",
        }
    }
}

/// A vulnerability in a third-party project that our products ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// e.g. `OpenSSL`.
    pub project: String,
    /// The upstream ids, e.g. `CVE-2024-5535`.
    pub ids: Vec<String>,
    pub advisory_url: String,
}

/// Traffic Light Protocol label of a published advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tlp {
    /// TLP 2.0 CLEAR: public. CSAF 2.0 predates TLP 2.0 and calls it `WHITE`.
    Clear,
}

/// Who issues the advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub name: String,
    /// The vendor's home on the web, e.g. `https://example.com` (CSAF `publisher.namespace`).
    pub namespace_url: String,
    /// How to reach the security team, e.g. `security@example.com`.
    pub contact: String,
    /// The vendor's CNA organisation id in CVE Services, when it is a CNA.
    pub cna_org_id: Option<Uuid>,
    pub cna_short_name: Option<String>,
    /// Prefix of OSV ids. OSV accepts ids of unregistered databases only with
    /// the `x_` prefix, so this is `"x_"` until the vendor's own prefix is registered.
    pub osv_id_prefix: String,
}
