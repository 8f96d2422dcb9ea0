//! Advisories: the public text of a case, its publication at the embargo date, its revisions, the
//! export model, and the CVE id pool.
//!
//! The team writes an advisory per case ([`save`]): a draft until published, a new revision
//! (same public id, next number, with a summary of the change) after. Publication is the
//! [`run_publisher`] job's: at the case's embargo instant, and at start for anything it missed
//! while down, a draft whose case is released is published as revision 1 and the case moves to
//! disclosed (through [`cases::change_in`], so audited, and only if the disclosure rule allows
//! it). Nothing else publishes, so nothing is public before its embargo.
//!
//! Everything an export shows besides the team's text (CVSS, CWE, products and lines, fixed
//! versions, credits, CVE id, upstream) comes from the case and the catalog when
//! [`export_model`] builds the [`embargo_export::Advisory`].

use anyhow::Context;
use embargo_domain::{
    Advisory, AdvisoryContent, AdvisoryId, AdvisoryReference, AffectedStatus, Case, CaseId, CveId,
    Link, ReferenceKind, Role, StateKind, Target,
};
use embargo_export::model as export;
use embargo_store::advisories as store;
use embargo_store::releases::ReleaseFilter;
use jiff::Timestamp;
use uuid::Uuid;

use crate::accounts::{Principal, Scope, system_principal};
use crate::cases::{self, CaseRef, ChangeError, from_domain};
use crate::{App, ServiceError};

/// What the team writes, as the API and CLI pass it.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryInput {
    pub title: String,
    pub summary: String,
    pub description_md: String,
    pub workarounds_md: Option<String>,
    /// (url, kind, name)
    pub references: Vec<(String, String, Option<String>)>,
    /// Sets the case's embargo by hand: the instant the advisory is published.
    pub embargo: Option<Timestamp>,
    /// Why the embargo is set by hand; required with `embargo`.
    pub embargo_reason: Option<String>,
    /// Required once the advisory is published: what this revision changes.
    pub revision_summary: Option<String>,
}

/// An advisory with the case's embargo, as the team sees it.
#[derive(Debug, Clone)]
pub struct AdvisoryView {
    pub advisory: Advisory,
    pub embargo: Option<Timestamp>,
    pub case_state: StateKind,
    /// The advisory as exports will show it (a draft previews its first publication).
    pub model: export::Advisory,
}

fn require_team(who: &Principal, scope: Scope) -> Result<(), ServiceError> {
    who.require(scope)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

fn content(input: &AdvisoryInput) -> Result<AdvisoryContent, ServiceError> {
    let references = input
        .references
        .iter()
        .map(|(url, kind, name)| {
            Ok(AdvisoryReference {
                url: Link::parse(url).map_err(from_domain)?,
                kind: ReferenceKind::parse(kind).map_err(from_domain)?,
                name: name.clone(),
            })
        })
        .collect::<Result<_, ServiceError>>()?;
    Ok(AdvisoryContent {
        title: input.title.trim().to_owned(),
        summary: input.summary.trim().to_owned(),
        description_md: input.description_md.clone(),
        workarounds_md: input
            .workarounds_md
            .clone()
            .filter(|w| !w.trim().is_empty()),
        references,
    })
}

/// Writes the case's advisory: creates the draft, edits it, or (once published) adds a revision
/// with `revision_summary`; sets the case's embargo when given. One transaction. Team only; a
/// case the caller may not see is `NotFound`.
pub async fn save(
    app: &App,
    who: &Principal,
    case: CaseRef,
    input: &AdvisoryInput,
) -> Result<AdvisoryView, ServiceError> {
    who.require(Scope::Write)?;
    let id = cases::get(app, who, case).await?.case.id;
    require_team(who, Scope::Write)?;
    let content = content(input)?;
    let embargo_reason = input
        .embargo_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if input.embargo.is_some() && embargo_reason.is_none() {
        return Err(ServiceError::Invalid {
            field: "embargo_reason",
            reason: "say why the embargo is set by hand".into(),
        });
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let existing = store::get_by_case(&mut tx, id).await?;
    let advisory = match existing {
        None => {
            let year = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
            let public_id = store::next_public_id(&mut tx, year).await?;
            let a = Advisory::draft(
                AdvisoryId::from_uuid(Uuid::now_v7()),
                public_id,
                id,
                content,
                &who.actor,
            )
            .map_err(from_domain)?;
            store::insert(&mut tx, &a, now).await?;
            a
        }
        Some(mut a) => {
            match (a.published(), input.revision_summary.as_deref()) {
                (Some(_), Some(summary)) => a
                    .revise(content, summary, &who.actor, now)
                    .map_err(from_domain)?,
                _ => {
                    a.edit(content, &who.actor).map_err(from_domain)?;
                }
            }
            store::update(&mut tx, &a, now).await?;
            a
        }
    };
    if let Some(embargo) = input.embargo {
        let catalog = embargo_store::catalog::load(&mut tx)
            .await
            .context("loading the catalog")?;
        let reason = embargo_reason.unwrap_or_default();
        let change = |c: &mut Case, ctx: &cases::ChangeContext<'_>| {
            c.set_embargo(Some(embargo), reason, ctx.actor, ctx.now)
        };
        cases::change_in(&mut tx, app, who, id, None, &catalog, now, &change)
            .await
            .map_err(change_error)?;
    }
    let view = view(&mut tx, advisory, now).await?;
    tx.commit().await.context("committing the advisory")?;
    tracing::info!(case = %id, advisory = %view.advisory.public_id, "advisory saved");
    Ok(view)
}

/// The case's advisory as the team sees it. Team only; `NotFound` when the case has none.
pub async fn get(app: &App, who: &Principal, case: CaseRef) -> Result<AdvisoryView, ServiceError> {
    who.require(Scope::Read)?;
    let id = cases::get(app, who, case).await?.case.id;
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let advisory = store::get_by_case(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    view(&mut conn, advisory, app.clock.now()).await
}

/// Every advisory, drafts included. Team only.
pub async fn list(app: &App, who: &Principal) -> Result<Vec<AdvisoryView>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let now = app.clock.now();
    let mut out = Vec::new();
    for a in store::list(&mut conn, false).await? {
        out.push(view(&mut conn, a, now).await?);
    }
    Ok(out)
}

async fn view(
    conn: &mut embargo_store::AnyConnection,
    advisory: Advisory,
    now: Timestamp,
) -> Result<AdvisoryView, ServiceError> {
    let case = cases::get_in(conn, &system_principal(), advisory.case).await?;
    let model = export_model(conn, &advisory, now).await?;
    Ok(AdvisoryView {
        embargo: case.embargo,
        case_state: case.state.kind(),
        advisory,
        model,
    })
}

fn change_error(e: ChangeError) -> ServiceError {
    match e {
        ChangeError::Service(e) => e,
        ChangeError::Stale => {
            ServiceError::Conflict("the case changed meanwhile; retry".to_owned())
        }
    }
}

/// Publishes every advisory that is due at the clock's now (see the module documentation).
/// Returns the public ids published.
pub async fn publish_due(app: &App) -> Result<Vec<String>, ServiceError> {
    let now = app.clock.now();
    let due = {
        let mut conn = app.db.acquire().await?;
        store::due(&mut conn, now).await?
    };
    let mut published = Vec::new();
    for case in due {
        match publish_one(app, case, now).await {
            Ok(Some(id)) => published.push(id),
            Ok(None) => {}
            // One case the rule holds back must not hold back the others.
            Err(e) => tracing::warn!(case = %case, error = %e, "advisory not published"),
        }
    }
    Ok(published)
}

async fn publish_one(
    app: &App,
    case: CaseId,
    now: Timestamp,
) -> Result<Option<String>, ServiceError> {
    let who = system_principal();
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let Some(mut advisory) = store::get_by_case(&mut tx, case).await? else {
        return Ok(None);
    };
    let current = cases::get_in(&mut tx, &who, case).await?;
    // Checked again inside the write transaction: someone may have moved the embargo.
    if advisory.published().is_some()
        || current.state.kind() != StateKind::Released
        || current.embargo.is_none_or(|e| e > now)
    {
        return Ok(None);
    }
    advisory.publish(now).map_err(from_domain)?;
    store::update(&mut tx, &advisory, now).await?;
    let catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let note = format!("advisory {} published", advisory.public_id);
    let change = |c: &mut Case, ctx: &cases::ChangeContext<'_>| {
        c.check_disclosure(ctx.catalog, cases::today(ctx.now), ctx.actor, None)?;
        c.transition(Target::Disclosed, ctx.actor, Some(&note), ctx.now)
    };
    cases::change_in(&mut tx, app, &who, case, None, &catalog, now, &change)
        .await
        .map_err(change_error)?;
    tx.commit().await.context("committing the publication")?;
    tracing::info!(case = %case, advisory = %advisory.public_id, "advisory published");
    Ok(Some(advisory.public_id))
}

/// The publisher job: mails the pre-notification list what is due
/// ([`crate::prenotify::notify_due`]) and publishes what is due now (at start: whatever was
/// missed while down), then again every `interval`, until `shutdown` changes.
pub async fn run_publisher(
    app: App,
    interval: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match crate::prenotify::notify_due(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "pre-notification list mailed"),
            Err(e) => tracing::warn!(error = %e, "pre-notifying failed"),
        }
        match publish_due(&app).await {
            Ok(ids) if ids.is_empty() => {}
            Ok(ids) => tracing::info!(advisories = ?ids, "advisories published"),
            Err(e) => tracing::warn!(error = %e, "publishing advisories failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The names of the CWE weaknesses advisories commonly cite (CWE list 4.x). Others are shown
/// by id.
const CWE_NAMES: &[(&str, &str)] = &[
    ("CWE-20", "Improper Input Validation"),
    (
        "CWE-22",
        "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    ),
    (
        "CWE-77",
        "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
    ),
    (
        "CWE-78",
        "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    ),
    (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    (
        "CWE-89",
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "CWE-93",
        "Improper Neutralization of CRLF Sequences ('CRLF Injection')",
    ),
    (
        "CWE-113",
        "Improper Neutralization of CRLF Sequences in HTTP Headers ('HTTP Request/Response Splitting')",
    ),
    (
        "CWE-119",
        "Improper Restriction of Operations within the Bounds of a Memory Buffer",
    ),
    (
        "CWE-120",
        "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')",
    ),
    ("CWE-125", "Out-of-bounds Read"),
    ("CWE-190", "Integer Overflow or Wraparound"),
    (
        "CWE-200",
        "Exposure of Sensitive Information to an Unauthorized Actor",
    ),
    ("CWE-269", "Improper Privilege Management"),
    ("CWE-287", "Improper Authentication"),
    ("CWE-295", "Improper Certificate Validation"),
    ("CWE-306", "Missing Authentication for Critical Function"),
    ("CWE-352", "Cross-Site Request Forgery (CSRF)"),
    ("CWE-400", "Uncontrolled Resource Consumption"),
    ("CWE-416", "Use After Free"),
    (
        "CWE-444",
        "Inconsistent Interpretation of HTTP Requests ('HTTP Request/Response Smuggling')",
    ),
    ("CWE-476", "NULL Pointer Dereference"),
    ("CWE-502", "Deserialization of Untrusted Data"),
    (
        "CWE-601",
        "URL Redirection to Untrusted Site ('Open Redirect')",
    ),
    (
        "CWE-611",
        "Improper Restriction of XML External Entity Reference",
    ),
    ("CWE-787", "Out-of-bounds Write"),
    ("CWE-862", "Missing Authorization"),
    ("CWE-863", "Incorrect Authorization"),
    ("CWE-918", "Server-Side Request Forgery (SSRF)"),
];

fn cwe_name(id: &str) -> String {
    CWE_NAMES
        .iter()
        .find(|(i, _)| *i == id)
        .map_or_else(|| id.to_owned(), |(_, n)| (*n).to_owned())
}

fn reference_kind(k: ReferenceKind) -> export::ReferenceKind {
    match k {
        ReferenceKind::Advisory => export::ReferenceKind::Advisory,
        ReferenceKind::Patch => export::ReferenceKind::Patch,
        ReferenceKind::Report => export::ReferenceKind::Report,
        ReferenceKind::Article => export::ReferenceKind::Article,
        ReferenceKind::ReleaseNotes => export::ReferenceKind::ReleaseNotes,
        ReferenceKind::Web => export::ReferenceKind::Web,
    }
}

fn justification(j: embargo_domain::Justification) -> export::Justification {
    use embargo_domain::Justification as J;
    match j {
        J::ComponentNotPresent => export::Justification::ComponentNotPresent,
        J::VulnerableCodeNotPresent => export::Justification::VulnerableCodeNotPresent,
        J::VulnerableCodeNotInExecutePath => export::Justification::VulnerableCodeNotInExecutePath,
        J::VulnerableCodeCannotBeControlledByAdversary => {
            export::Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        J::InlineMitigationsAlreadyExist => export::Justification::InlineMitigationsAlreadyExist,
    }
}

/// Builds the exporters' [`embargo_export::Advisory`] of `advisory` from the database: the
/// team's text and revisions, and from the case and the catalog the CVE id, CVSS vectors, CWEs,
/// per product › edition › line the status and fixed version (a line still being fixed names the
/// version its planned release will carry), credits (only reporters who consented, under the
/// name they chose), and the upstream project. A draft previews revision 1 at `now`.
pub async fn export_model(
    conn: &mut embargo_store::AnyConnection,
    advisory: &Advisory,
    now: Timestamp,
) -> Result<export::Advisory, ServiceError> {
    let case = cases::get_in(conn, &system_principal(), advisory.case).await?;
    let catalog = embargo_store::catalog::load(conn)
        .await
        .context("loading the catalog")?;
    let planned = embargo_store::releases::list(
        conn,
        &ReleaseFilter {
            shipped: Some(false),
            case: Some(case.id),
            ..ReleaseFilter::default()
        },
    )
    .await?;

    // product › edition › lines, in catalog order.
    let mut products: Vec<export::Product> = Vec::new();
    let mut vendor = None;
    for product in &catalog.products {
        let mut editions = Vec::new();
        for edition in &product.editions {
            let mut lines = Vec::new();
            for line in &edition.lines {
                let planned_fix = planned
                    .iter()
                    .find(|r| r.line == line.id())
                    .map(|r| r.version.to_string());
                let (status, fixed_in) = match case.affected_status(line.id()) {
                    AffectedStatus::Unknown => continue,
                    AffectedStatus::Affected | AffectedStatus::FixInProgress => {
                        (export::Status::Affected, planned_fix)
                    }
                    AffectedStatus::WontFix { .. } => (export::Status::Affected, None),
                    AffectedStatus::NotAffected { justification: j } => (
                        export::Status::NotAffected {
                            justification: justification(*j),
                        },
                        None,
                    ),
                    AffectedStatus::Fixed { fixed_in, .. } => {
                        (export::Status::Fixed, Some(fixed_in.to_string()))
                    }
                };
                lines.push(export::LineStatus {
                    line: line.name(),
                    status,
                    affected_from: None,
                    fixed_in,
                });
            }
            if !lines.is_empty() {
                editions.push(export::Edition {
                    name: edition.name.clone(),
                    lines,
                });
            }
        }
        if !editions.is_empty() {
            if vendor.is_none() {
                vendor = embargo_store::catalog::product_vendor(conn, product.id).await?;
            }
            products.push(export::Product {
                name: product.name.clone(),
                editions,
            });
        }
    }
    let vendor = match vendor {
        Some(v) => v,
        None => match catalog.products.first() {
            Some(p) => embargo_store::catalog::product_vendor(conn, p.id)
                .await?
                .unwrap_or_default(),
            None => String::new(),
        },
    };

    let revisions: Vec<export::Revision> = if advisory.revisions.is_empty() {
        vec![export::Revision {
            number: 1,
            date: now,
            summary: "Initial publication.".to_owned(),
        }]
    } else {
        advisory
            .revisions
            .iter()
            .map(|r| export::Revision {
                number: r.number,
                date: r.at,
                summary: r.summary.clone(),
            })
            .collect()
    };
    let credits = case
        .reporters
        .iter()
        .filter(|r| r.credit.consent)
        .filter_map(|r| r.credit.name.clone().or_else(|| r.name.clone()))
        .filter(|n| !n.trim().is_empty())
        .map(|name| export::Credit {
            name,
            kind: export::CreditKind::Finder,
        })
        .collect();
    let upstream = case.upstream.as_ref().map(|u| export::Upstream {
        project: u.project.clone(),
        ids: u.advisory.iter().cloned().collect(),
        advisory_url: u.url.as_ref().map(|l| l.to_string()).unwrap_or_default(),
    });
    Ok(export::Advisory {
        id: advisory.public_id.clone(),
        cve: case.cve.as_ref().map(CveId::to_string),
        aliases: Vec::new(),
        title: advisory.content.title.clone(),
        summary: advisory.content.summary.clone(),
        description_md: advisory.content.description_md.clone(),
        published: revisions.first().map_or(now, |r| r.date),
        revisions,
        cvss: [&case.cvss.v3_1, &case.cvss.v4_0]
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect(),
        cwes: case
            .cwes
            .iter()
            .map(|c| export::Cwe {
                id: c.to_string(),
                name: cwe_name(&c.to_string()),
            })
            .collect(),
        vendor,
        products,
        workarounds_md: advisory.content.workarounds_md.clone(),
        references: advisory
            .content
            .references
            .iter()
            .map(|r| export::Reference {
                url: r.url.to_string(),
                kind: reference_kind(r.kind),
                name: r.name.clone(),
            })
            .collect(),
        credits,
        upstream,
        tlp: export::Tlp::Clear,
    })
}

/// Adds reserved CVE ids to the pool. Admin only. Returns (added, already there).
pub async fn pool_add(
    app: &App,
    who: &Principal,
    ids: &[String],
) -> Result<(usize, usize), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let ids: Vec<CveId> = ids
        .iter()
        .map(|i| CveId::parse(i.trim()).map_err(from_domain))
        .collect::<Result<_, _>>()?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let mut added = 0;
    for id in &ids {
        if store::pool_add(&mut tx, &id.to_string(), now).await? {
            added += 1;
        }
    }
    tx.commit().await.context("committing the CVE ids")?;
    Ok((added, ids.len() - added))
}

/// The pool: every reserved id with the case it went to, if any. Team only.
pub async fn pool_list(app: &App, who: &Principal) -> Result<Vec<store::PooledCve>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    Ok(store::pool_list(&mut conn).await?)
}
