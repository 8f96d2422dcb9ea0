//! Cases: reading and changing them, with access checked here, in one place.
//!
//! Every read goes through [`load_visible`]: a case the caller may not see is `NotFound`, so its
//! existence never leaks. What a caller receives is a [`CaseView`], already cut down to what their
//! access allows ([`redact`]); the web and CLI layers only format it.
//!
//! Every change runs in one write transaction: load, check the version the caller read (or take
//! the current one), apply the domain method (which checks access again and returns the audit
//! events), store the case only if nobody changed it meanwhile, append the audit events, commit.

use anyhow::Context;
use embargo_domain::{
    Access, AffectedStatus, AuditEvent, Case, CaseId, CaseRecord, CaseRole, Catalog, CveId,
    CvssVector, CvssVersion, DomainError, MessageId, ProductId, ReleaseLineId, Role, StateKind,
    Target, TrackingId, UserId, Visibility, access,
};
pub use embargo_store::cases::CaseSummary;
use embargo_store::cases::{self, CaseFilter};
use embargo_store::{StoreError, catalog, users};
use uuid::Uuid;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

/// A case as one caller may see it.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The case with everything the caller may not see removed.
    pub case: CaseRecord,
    pub access: Access,
    /// States the caller could move the case to now.
    pub allowed: Vec<StateKind>,
}

/// How a caller names a case: its id or the tracking id of one of its reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRef {
    Id(CaseId),
    Tracking(TrackingId),
}

impl CaseRef {
    pub fn parse(s: &str) -> Result<CaseRef, ServiceError> {
        let s = s.trim();
        if let Ok(id) = s.parse::<Uuid>() {
            return Ok(CaseRef::Id(CaseId::from_uuid(id)));
        }
        TrackingId::parse(s)
            .map(CaseRef::Tracking)
            .map_err(|_| ServiceError::Invalid {
                field: "case",
                reason: format!("{s:?} is neither a case id nor a tracking id (EMB-…)"),
            })
    }
}

/// Work-queue filters a caller may ask for; access narrows them further.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub states: Vec<StateKind>,
    pub severities: Vec<embargo_cvss::Severity>,
    pub release_line: Option<ReleaseLineId>,
    /// Affecting any release line of this product.
    pub product: Option<ProductId>,
    pub assignee: Option<UserId>,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    pub upstream: Option<bool>,
    /// Words that must all appear in the case, its reports or the messages the caller may read.
    pub search: Option<String>,
    pub limit: Option<i64>,
}

/// The work queue: open cases the caller may see, overdue first, then by next deadline.
pub async fn list(
    app: &App,
    who: &Principal,
    query: CaseQuery,
) -> Result<Vec<CaseSummary>, ServiceError> {
    who.require(Scope::Read)?;
    let mut filter = CaseFilter {
        states: query.states,
        severities: query.severities,
        release_line: query.release_line,
        product: query.product,
        assignee: query.assignee,
        unassigned: query.unassigned,
        upstream: query.upstream,
        search: query
            .search
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(8)
            .map(str::to_owned)
            .collect(),
        limit: query.limit.unwrap_or(100).clamp(1, 500),
        ..CaseFilter::default()
    };
    // The search reads only what the caller could read in the case itself.
    (
        filter.search_reports,
        filter.search_description,
        filter.search_visibilities,
    ) = match who.actor.role {
        Role::Admin | Role::Team | Role::Engineer => (
            true,
            true,
            vec![
                Visibility::Reporter,
                Visibility::Collaborators,
                Visibility::Internal,
            ],
        ),
        Role::Collaborator => (
            false,
            true,
            vec![Visibility::Reporter, Visibility::Collaborators],
        ),
        Role::Reporter => (false, false, vec![Visibility::Reporter]),
    };
    match who.actor.role {
        Role::Admin | Role::Team => {}
        Role::Engineer | Role::Collaborator => filter.member = Some(who.actor.id),
        Role::Reporter => filter.reporter_user = Some(who.actor.id),
    }
    let mut conn = app.db.acquire().await?;
    Ok(cases::list(&mut conn, &filter, app.clock.now()).await?)
}

/// One case, cut down to what the caller may see.
pub async fn get(app: &App, who: &Principal, case: CaseRef) -> Result<CaseView, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let id = resolve(&mut conn, case).await?;
    let case = load_visible(&mut conn, who, id).await?;
    Ok(view(&case, who))
}

/// The audit history of a case; the team and engineer members only.
pub async fn audit(
    app: &App,
    who: &Principal,
    case: CaseRef,
) -> Result<Vec<AuditEvent>, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let id = resolve(&mut conn, case).await?;
    let case = load_visible(&mut conn, who, id).await?;
    if !matches!(
        access::case_access(&who.actor, &case.membership(&who.actor)),
        Some(Access::Team | Access::Engineer)
    ) {
        return Err(ServiceError::Forbidden);
    }
    Ok(cases::audit(&mut conn, id).await?)
}

/// The reports of a case as received; the team and engineer members only (reports carry the
/// reporters' identities).
pub async fn reports(
    app: &App,
    who: &Principal,
    case: CaseRef,
) -> Result<Vec<embargo_domain::Report>, ServiceError> {
    who.require(Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let id = resolve(&mut conn, case).await?;
    let case = load_visible(&mut conn, who, id).await?;
    if !matches!(
        access::case_access(&who.actor, &case.membership(&who.actor)),
        Some(Access::Team | Access::Engineer)
    ) {
        return Err(ServiceError::Forbidden);
    }
    let mut out = Vec::with_capacity(case.reports.len());
    for report in &case.reports {
        if let Some(stored) = embargo_store::reports::get(&mut conn, *report).await? {
            out.push(stored.report);
        }
    }
    Ok(out)
}

/// What a change needs besides the case: the policy, the catalog, the caller, the time.
pub struct ChangeContext<'a> {
    pub app: &'a App,
    pub catalog: &'a Catalog,
    pub actor: &'a embargo_domain::Actor,
    pub now: jiff::Timestamp,
}

/// Applies `change` to the case in one transaction, as described in the module documentation.
/// `expected_version`: the version the caller read; `None` applies to the current version and
/// retries a few times if someone writes in between (for appends such as messages).
pub async fn modify<F>(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: Option<i64>,
    change: F,
) -> Result<CaseView, ServiceError>
where
    F: Fn(&mut Case, &ChangeContext<'_>) -> Result<Vec<AuditEvent>, DomainError>,
{
    who.require(Scope::Write)?;
    for _attempt in 0..3 {
        let mut tx = app.db.begin().await.context("starting a transaction")?;
        let id = resolve(&mut tx, case).await?;
        let catalog = catalog::load(&mut tx)
            .await
            .context("loading the catalog")?;
        let now = app.clock.now();
        let changed = change_in(
            &mut tx,
            app,
            who,
            id,
            expected_version,
            &catalog,
            now,
            &change,
        )
        .await;
        let (current, events) = match changed {
            Ok(changed) => changed,
            Err(ChangeError::Stale) if expected_version.is_none() => continue,
            Err(ChangeError::Stale) => {
                return Err(ServiceError::Conflict(
                    "the case changed since it was read; reload and retry".to_owned(),
                ));
            }
            Err(ChangeError::Service(e)) => return Err(e),
        };
        if events == 0 {
            return Ok(view(&current, who));
        }
        tx.commit().await.context("committing the change")?;
        tracing::info!(case = %id, events, "case changed");
        return Ok(view(&current, who));
    }
    Err(ServiceError::Conflict(
        "the case is being changed by others; retry".to_owned(),
    ))
}

/// Why [`change_in`] did not apply a change.
pub(crate) enum ChangeError {
    /// Someone wrote the case between reading and writing it.
    Stale,
    Service(ServiceError),
}

impl From<ServiceError> for ChangeError {
    fn from(e: ServiceError) -> Self {
        ChangeError::Service(e)
    }
}

/// The body of [`modify`] inside a transaction the caller owns (and commits): load the visible
/// case, check the version, apply the domain change, store it conditionally, append the audit
/// events and queue the mails the change causes. Returns the case and how many events it
/// recorded (0: nothing changed, nothing written). Several cases can change in one transaction
/// this way (shipping a release).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn change_in<F>(
    tx: &mut embargo_store::AnyConnection,
    app: &App,
    who: &Principal,
    id: CaseId,
    expected_version: Option<i64>,
    catalog: &Catalog,
    now: jiff::Timestamp,
    change: &F,
) -> Result<(Case, usize), ChangeError>
where
    F: Fn(&mut Case, &ChangeContext<'_>) -> Result<Vec<AuditEvent>, DomainError>,
{
    let mut current = load_visible(tx, who, id).await?;
    let read = expected_version.unwrap_or(current.version);
    current.at_version(read).map_err(from_domain)?;
    let ctx = ChangeContext {
        app,
        catalog,
        actor: &who.actor,
        now,
    };
    let before = (*current).clone();
    let mut events = change(&mut current, &ctx).map_err(from_domain)?;
    // Every change keeps a default embargo current: the releases, the affected lines or the
    // upstream date it follows may just have moved. The system account records the move.
    let releases = embargo_store::releases::list(
        tx,
        &embargo_store::releases::ReleaseFilter {
            case: Some(id),
            ..Default::default()
        },
    )
    .await
    .map_err(from_store)?;
    let default =
        current.default_embargo(&releases, catalog, app.policy().disclosure(), today(now));
    events.extend(current.refresh_embargo(default, &crate::intake::system_actor(), now));
    if events.is_empty() {
        return Ok((current, 0));
    }
    match cases::update(tx, &current, read, now).await {
        Ok(()) => {}
        Err(StoreError::VersionConflict { .. }) if expected_version.is_none() => {
            return Err(ChangeError::Stale);
        }
        Err(e) => return Err(from_store(e).into()),
    }
    cases::append_audit(tx, &events)
        .await
        .context("recording the audit trail")
        .map_err(ServiceError::from)?;
    crate::mail::outbound::queue_case_mails(
        tx,
        &app.mail,
        Some(&before),
        &current,
        Some(catalog),
        None,
        now,
    )
    .await
    .map_err(ServiceError::from)?;
    Ok((current, events.len()))
}

/// Moves the case. `expected_version`: the version the caller read (the API always sends it);
/// `None` moves the current version (the operator's CLI).
///
/// Disclosure waits until every supported affected line has a fix
/// ([`Case::check_disclosure`]); an admin may disclose earlier by giving `override_reason`, which
/// the state change's audit event records.
pub async fn transition(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: Option<i64>,
    to: Target,
    reason: Option<&str>,
    override_reason: Option<&str>,
) -> Result<CaseView, ServiceError> {
    if to == Target::Accepted {
        return accept(app, who, case, expected_version, reason).await;
    }
    modify(app, who, case, expected_version, |c, ctx| {
        let note = if to == Target::Disclosed {
            c.check_disclosure(ctx.catalog, today(ctx.now), ctx.actor, override_reason)?
        } else {
            None
        };
        let reason = match (note, reason) {
            (Some(note), Some(r)) => Some(format!("{r}; {note}")),
            (Some(note), None) => Some(note),
            (None, r) => r.map(str::to_owned),
        };
        c.transition(to, ctx.actor, reason.as_deref(), ctx.now)
    })
    .await
}

/// Accepts the case and, when it is our own vulnerability (no upstream) without a CVE id yet,
/// assigns it the oldest free id of the CVE pool, in the same transaction.
async fn accept(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: Option<i64>,
    reason: Option<&str>,
) -> Result<CaseView, ServiceError> {
    who.require(Scope::Write)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let id = resolve(&mut tx, case).await?;
    let current = load_visible(&mut tx, who, id).await?;
    let now = app.clock.now();
    let may_accept = access::can_transition(
        &who.actor,
        &current.membership(&who.actor),
        StateKind::Accepted,
    ) && current.state.allowed().contains(StateKind::Accepted);
    let claimed = if may_accept && current.cve.is_none() && current.upstream.is_none() {
        embargo_store::advisories::pool_claim(&mut tx, id, now).await?
    } else {
        None
    };
    let cve = claimed
        .as_deref()
        .map(CveId::parse)
        .transpose()
        .map_err(from_domain)?;
    let catalog = catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let change = |c: &mut Case, ctx: &ChangeContext<'_>| {
        let mut events = c.transition(Target::Accepted, ctx.actor, reason, ctx.now)?;
        if let Some(cve) = &cve {
            events.extend(c.assign_cve(cve.clone(), ctx.actor, ctx.now)?);
        }
        Ok(events)
    };
    let (current, _) = change_in(
        &mut tx,
        app,
        who,
        id,
        expected_version,
        &catalog,
        now,
        &change,
    )
    .await
    .map_err(|e| match e {
        ChangeError::Service(e) => e,
        ChangeError::Stale => {
            ServiceError::Conflict("the case changed meanwhile; retry".to_owned())
        }
    })?;
    tx.commit().await.context("committing the acceptance")?;
    tracing::info!(case = %id, cve = ?claimed, "case accepted");
    Ok(view(&current, who))
}

/// The UTC calendar day of `now`: release days, support ends and target dates are days.
pub(crate) fn today(now: jiff::Timestamp) -> jiff::civil::Date {
    now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// Sets the case's v3.1 or v4.0 vector (the version comes from the vector's prefix).
pub async fn set_cvss(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
    vector: &str,
) -> Result<CaseView, ServiceError> {
    let vector = CvssVector::parse(vector).map_err(from_domain)?;
    modify(app, who, case, Some(expected_version), |c, ctx| {
        c.set_cvss(vector, &ctx.app.policy(), ctx.catalog, ctx.actor, ctx.now)
    })
    .await
}

pub async fn remove_cvss(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
    version: CvssVersion,
) -> Result<CaseView, ServiceError> {
    modify(app, who, case, Some(expected_version), |c, ctx| {
        c.remove_cvss(version, &ctx.app.policy(), ctx.catalog, ctx.actor, ctx.now)
    })
    .await
}

pub async fn set_affected(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
    line: ReleaseLineId,
    status: AffectedStatus,
) -> Result<CaseView, ServiceError> {
    modify(app, who, case, Some(expected_version), |c, ctx| {
        c.set_affected(
            line,
            status.clone(),
            &ctx.app.policy(),
            ctx.catalog,
            ctx.actor,
            ctx.now,
        )
    })
    .await
}

pub async fn post_message(
    app: &App,
    who: &Principal,
    case: CaseRef,
    visibility: Visibility,
    body: &str,
) -> Result<CaseView, ServiceError> {
    let id = MessageId::from_uuid(Uuid::now_v7());
    modify(app, who, case, None, |c, ctx| {
        c.post_message(id, visibility, body, ctx.actor, ctx.now)
    })
    .await
}

/// Posts a message with files: the message and its files commit together, and the files are
/// readable exactly by those who may read the message. A message of files only says so.
pub async fn post_message_with_files(
    app: &App,
    who: &Principal,
    case: CaseRef,
    visibility: Visibility,
    body: &str,
    uploads: &[crate::intake::Upload],
) -> Result<CaseView, ServiceError> {
    if uploads.is_empty() {
        return post_message(app, who, case, visibility, body).await;
    }
    who.require(Scope::Write)?;
    let files = crate::intake::check_uploads(app, uploads, "files")?;
    let body = if body.trim().is_empty() {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        format!("Added files: {}", names.join(", "))
    } else {
        body.to_owned()
    };
    let message = MessageId::from_uuid(Uuid::now_v7());
    let change = |c: &mut Case, ctx: &ChangeContext<'_>| {
        c.post_message(message, visibility, &body, ctx.actor, ctx.now)
    };
    for _attempt in 0..3 {
        let mut tx = app.db.begin().await.context("starting a transaction")?;
        let id = resolve(&mut tx, case).await?;
        let catalog = catalog::load(&mut tx)
            .await
            .context("loading the catalog")?;
        let now = app.clock.now();
        let (current, _events) =
            match change_in(&mut tx, app, who, id, None, &catalog, now, &change).await {
                Ok(changed) => changed,
                Err(ChangeError::Stale) => continue,
                Err(ChangeError::Service(e)) => return Err(e),
            };
        let with_bytes: Vec<(embargo_domain::Attachment, &[u8])> = files
            .iter()
            .cloned()
            .zip(uploads.iter().map(|u| u.content.as_slice()))
            .collect();
        embargo_store::message_files::insert(&mut tx, id, message, &with_bytes)
            .await
            .map_err(from_store)?;
        tx.commit().await.context("committing the message")?;
        tracing::info!(case = %id, files = files.len(), "message with files posted");
        return Ok(view(&current, who));
    }
    Err(ServiceError::Conflict(
        "the case is being changed by others; retry".to_owned(),
    ))
}

/// A reporter's own consent to public credit, and the name to credit (their own name when
/// empty).
pub async fn set_own_credit(
    app: &App,
    who: &Principal,
    case: CaseRef,
    consent: bool,
    name: Option<&str>,
) -> Result<CaseView, ServiceError> {
    let credit = embargo_domain::Credit {
        consent,
        name: name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    };
    modify(app, who, case, None, |c, ctx| {
        c.set_own_credit(credit.clone(), ctx.actor, ctx.now)
    })
    .await
}

/// Invites an account to the case as engineer or collaborator.
pub async fn add_member(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
    username: &str,
    role: CaseRole,
) -> Result<CaseView, ServiceError> {
    // Scope and case visibility first, so that nobody outside the case can probe which
    // accounts exist.
    who.require(Scope::Write)?;
    get(app, who, case).await?;
    let user = {
        let mut conn = app.db.acquire().await?;
        users::find_by_username(&mut conn, username)
            .await?
            .ok_or_else(|| ServiceError::Invalid {
                field: "user",
                reason: format!("no account named {username:?}"),
            })?
    };
    let allowed = match role {
        CaseRole::Engineer => user.role == "engineer",
        CaseRole::Collaborator => matches!(user.role.as_str(), "engineer" | "collaborator"),
    };
    if !allowed {
        return Err(ServiceError::Invalid {
            field: "role",
            reason: format!(
                "a {} account cannot be invited as {}",
                user.role,
                match role {
                    CaseRole::Engineer => "engineer",
                    CaseRole::Collaborator => "collaborator",
                }
            ),
        });
    }
    let user = UserId::from_uuid(user.id);
    modify(app, who, case, Some(expected_version), |c, ctx| {
        c.add_member(user, role, ctx.actor, ctx.now)
    })
    .await
}

/// Assigns the case to `username` (a team member, or an engineer invited to the case), or to
/// nobody; the team only.
pub async fn assign(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
    username: Option<&str>,
) -> Result<CaseView, ServiceError> {
    // As for invitations: scope and visibility before any account lookup.
    who.require(Scope::Write)?;
    let view = get(app, who, case).await?;
    let user = match username.map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(username) => {
            let mut conn = app.db.acquire().await?;
            let user = users::find_by_username(&mut conn, username)
                .await?
                .filter(|u| !u.disabled)
                .ok_or_else(|| ServiceError::Invalid {
                    field: "assignee",
                    reason: format!("no account named {username:?}"),
                })?;
            let id = UserId::from_uuid(user.id);
            let engineer_member = view
                .case
                .members
                .iter()
                .any(|m| m.user == id && m.role == CaseRole::Engineer);
            if !(matches!(user.role.as_str(), "team" | "admin") || engineer_member) {
                return Err(ServiceError::Invalid {
                    field: "assignee",
                    reason: format!(
                        "{username:?} is neither on the team nor an engineer invited to this case"
                    ),
                });
            }
            Some(id)
        }
    };
    modify(
        app,
        who,
        CaseRef::Id(view.case.id),
        Some(expected_version),
        |c, ctx| c.assign(user, ctx.actor, ctx.now),
    )
    .await
}

pub(crate) async fn resolve(
    conn: &mut embargo_store::AnyConnection,
    case: CaseRef,
) -> Result<CaseId, ServiceError> {
    match case {
        CaseRef::Id(id) => Ok(id),
        CaseRef::Tracking(t) => cases::find_by_tracking(conn, &t)
            .await?
            .ok_or(ServiceError::NotFound),
    }
}

/// [`load_visible`] inside a transaction of another use case (a release reading its cases).
pub(crate) async fn get_in(
    conn: &mut embargo_store::AnyConnection,
    who: &Principal,
    id: CaseId,
) -> Result<Case, ServiceError> {
    load_visible(conn, who, id).await
}

/// Loads a case if the caller may see it; `NotFound` both when it does not exist and when they
/// may not see it.
pub(crate) async fn load_visible(
    conn: &mut embargo_store::AnyConnection,
    who: &Principal,
    id: CaseId,
) -> Result<Case, ServiceError> {
    let case = cases::get(conn, id)
        .await
        .context("loading a case")?
        .ok_or(ServiceError::NotFound)?;
    if !case.can_view(&who.actor) {
        return Err(ServiceError::NotFound);
    }
    Ok(case)
}

fn view(case: &Case, who: &Principal) -> CaseView {
    let membership = case.membership(&who.actor);
    // load_visible guarantees some access; Reporter is the narrowest fallback.
    let access = access::case_access(&who.actor, &membership).unwrap_or(Access::Reporter);
    let allowed = case
        .state
        .allowed()
        .as_slice()
        .iter()
        .copied()
        .filter(|to| access::can_transition(&who.actor, &membership, *to))
        .collect();
    CaseView {
        case: redact(case, who, access),
        access,
        allowed,
    }
}

/// The case record with everything `access` may not see removed.
///
/// - team, engineer member: everything;
/// - collaborator: no internal messages, no reporter identities, no assignee;
/// - reporter: the title, state, deadlines they were promised (the estimate), their own reporter
///   entry and the reporter-visible messages; no description edits by the team, no assessment,
///   no affected lines, no members, no other reporters.
pub fn redact(case: &Case, who: &Principal, access: Access) -> CaseRecord {
    let actor = who.actor;
    let mut record: CaseRecord = (**case).clone();
    record.messages = case.visible_messages(&actor).cloned().collect();
    match access {
        Access::Team | Access::Engineer => {}
        Access::Collaborator => {
            record.reporters.clear();
            record.assignee = None;
            record.embargo_reason = None;
            record.members.retain(|m| m.user == actor.id);
        }
        Access::Reporter => {
            record.reporters.retain(|r| r.user == Some(actor.id));
            record.members.clear();
            record.assignee = None;
            record.cvss = Default::default();
            record.cwes.clear();
            record.affected.clear();
            record.links.clear();
            record.upstream = None;
            record.cve = None;
            record.description = String::new();
            record.embargo_reason = None;
        }
    }
    record
}

/// Maps a domain refusal onto the service error; every message names what was wrong.
pub(crate) fn from_domain(e: DomainError) -> ServiceError {
    let field = match &e {
        DomainError::Forbidden { .. } => return ServiceError::Forbidden,
        DomainError::Conflict { .. }
        | DomainError::ReleaseShipped { .. }
        | DomainError::UnfixedLines { .. } => return ServiceError::Conflict(e.to_string()),
        DomainError::InvalidField { field, .. } => field,
        DomainError::InvalidTransition { .. } => "to",
        DomainError::ReasonRequired { .. } => "reason",
        DomainError::InvalidCvss { .. } | DomainError::UnsupportedCvssVersion { .. } => "cvss",
        DomainError::InvalidEmail { .. } => "reporter_email",
        DomainError::InvalidVersion { .. }
        | DomainError::VersionSchemeMismatch { .. }
        | DomainError::VersionNotInLine { .. } => "version",
        DomainError::UnknownReleaseLine(_) => "release_line",
        DomainError::InvalidCveId { .. } => "cve",
        DomainError::InvalidCweId { .. } => "cwe",
        DomainError::InvalidLink { .. } => "link",
        DomainError::NotAMember(_) => "user",
        DomainError::DuplicateOfItself(_) => "duplicate_of",
        _ => "value",
    };
    ServiceError::Invalid {
        field,
        reason: e.to_string(),
    }
}

pub(crate) fn from_store(e: StoreError) -> ServiceError {
    match e {
        StoreError::VersionConflict { expected, found } => ServiceError::Conflict(format!(
            "the case changed since it was read (read version {expected}, now {found}); reload and retry"
        )),
        other => other.into(),
    }
}

/// Records the case's current fix and disclosure deadlines as the estimate given to the
/// reporter (who sees it in their view of the case), with the time it was given.
pub async fn give_estimate(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: i64,
) -> Result<CaseView, ServiceError> {
    modify(app, who, case, Some(expected_version), |c, ctx| {
        let deadlines = c.effective_deadlines(ctx.now);
        c.give_estimate(deadlines.fix, deadlines.disclose, ctx.actor, ctx.now)
    })
    .await
}

/// Sets the case's embargo by hand (`None` clears it), with the reason the audit records; from
/// then on the default no longer moves it. Team only.
pub async fn set_embargo(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: Option<i64>,
    at: Option<jiff::Timestamp>,
    reason: &str,
) -> Result<CaseView, ServiceError> {
    if reason.trim().is_empty() {
        return Err(ServiceError::Invalid {
            field: "reason",
            reason: "say why the embargo is set by hand".into(),
        });
    }
    modify(app, who, case, expected_version, |c, ctx| {
        c.set_embargo(at, reason, ctx.actor, ctx.now)
    })
    .await
}

/// Gives the case's embargo back to the default: the later of its last patch release and the
/// upstream's public date ([`Case::default_embargo`]). Team only.
pub async fn reset_embargo(
    app: &App,
    who: &Principal,
    case: CaseRef,
    expected_version: Option<i64>,
) -> Result<CaseView, ServiceError> {
    let id = get(app, who, case).await?.case.id;
    let releases = {
        let mut conn = app.db.acquire().await?;
        embargo_store::releases::list(
            &mut conn,
            &embargo_store::releases::ReleaseFilter {
                case: Some(id),
                ..Default::default()
            },
        )
        .await?
    };
    modify(app, who, CaseRef::Id(id), expected_version, |c, ctx| {
        let default = c.default_embargo(
            &releases,
            ctx.catalog,
            ctx.app.policy().disclosure(),
            today(ctx.now),
        );
        c.reset_embargo(default, ctx.actor, ctx.now)
    })
    .await
}

/// A state by its name (`triage`, `needs-info`, …), as the API and the CLI spell it.
pub fn parse_state(s: &str) -> Result<StateKind, ServiceError> {
    StateKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            let all: Vec<&str> = StateKind::ALL.iter().map(|k| k.as_str()).collect();
            ServiceError::Invalid {
                field: "state",
                reason: format!("unknown state {s:?}; one of {}", all.join(", ")),
            }
        })
}

/// The transition target named by `to`, with the reject reason (`not-a-vulnerability`,
/// `duplicate`, `out-of-scope`, `informative`) and the duplicated case a rejection needs.
pub fn parse_target(
    to: &str,
    reject_reason: Option<&str>,
    duplicate_of: Option<&str>,
) -> Result<Target, ServiceError> {
    use embargo_domain::RejectReason;
    let invalid = |field: &'static str, reason: String| ServiceError::Invalid { field, reason };
    Ok(
        match parse_state(to).map_err(|e| match e {
            ServiceError::Invalid { reason, .. } => invalid("to", reason),
            other => other,
        })? {
            StateKind::New => return Err(invalid("to", "a case never moves back to new".into())),
            StateKind::Acknowledged => Target::Acknowledged,
            StateKind::Triage => Target::Triage,
            StateKind::NeedsInfo => Target::NeedsInfo,
            StateKind::Accepted => Target::Accepted,
            StateKind::FixInProgress => Target::FixInProgress,
            StateKind::FixVerified => Target::FixVerified,
            StateKind::Released => Target::Released,
            StateKind::Disclosed => Target::Disclosed,
            StateKind::Rejected => Target::Rejected(match reject_reason {
                Some("not-a-vulnerability") => RejectReason::NotAVulnerability,
                Some("out-of-scope") => RejectReason::OutOfScope,
                Some("informative") => RejectReason::Informative,
                Some("duplicate") => {
                    let of = duplicate_of.ok_or_else(|| {
                        invalid(
                            "duplicate_of",
                            "a duplicate names the case it duplicates".into(),
                        )
                    })?;
                    let of = of
                        .parse::<Uuid>()
                        .map_err(|_| invalid("duplicate_of", format!("{of:?} is not a case id")))?;
                    RejectReason::Duplicate(CaseId::from_uuid(of))
                }
                Some(other) => {
                    return Err(invalid(
                        "reject_reason",
                        format!(
                            "unknown reason {other:?}; one of not-a-vulnerability, duplicate, out-of-scope, informative"
                        ),
                    ));
                }
                None => {
                    return Err(invalid(
                        "reject_reason",
                        "rejecting needs a reject_reason".into(),
                    ));
                }
            }),
        },
    )
}

/// Brings the deadlines of every open case in line with the current timeline policy (after the
/// policy file changed), as the system account; each case whose deadlines move gets an audit
/// event naming the rule that now applies. Returns how many cases changed.
pub async fn apply_policy(app: &App) -> Result<usize, ServiceError> {
    let who = crate::accounts::system_principal();
    let open: Vec<StateKind> = StateKind::ALL
        .into_iter()
        .filter(|s| !matches!(s, StateKind::Rejected | StateKind::Disclosed))
        .collect();
    // Collect first: recomputing moves cases in the queue order the pages follow.
    let mut ids = Vec::new();
    loop {
        let mut conn = app.db.acquire().await?;
        let filter = CaseFilter {
            states: open.clone(),
            limit: 500,
            offset: i64::try_from(ids.len()).unwrap_or(i64::MAX),
            ..CaseFilter::default()
        };
        let page = cases::list(&mut conn, &filter, app.clock.now()).await?;
        if page.is_empty() {
            break;
        }
        ids.extend(page.into_iter().map(|s| (s.id, s.version)));
    }
    let mut changed = 0;
    for (id, before) in ids {
        let view = modify(app, &who, CaseRef::Id(id), None, |c, ctx| {
            c.recompute_deadlines(&ctx.app.policy(), ctx.catalog, ctx.actor, ctx.now)
        })
        .await?;
        if view.case.version != before {
            changed += 1;
        }
    }
    Ok(changed)
}
