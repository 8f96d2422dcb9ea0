//! Release plans: the next patch release of a line, the cases it fixes, and shipping it.
//!
//! Releases are the team's: admins and team accounts plan, change, ship and read them; every other
//! role is `Forbidden` (a release names embargoed cases, as the report list does).
//!
//! Shipping is one write transaction: the release is recorded as shipped, the line's latest
//! version moves to it, and every covered case goes through [`cases::change_in`] (the same path as
//! every case change: domain method, version check, audit, mails): its line becomes
//! [`AffectedStatus::Fixed`] at the shipped version, and a fix-verified case whose every supported
//! affected line is now fixed moves to released.

use anyhow::Context;
use embargo_domain::{
    AffectedStatus, CaseId, Catalog, Release, ReleaseId, ReleaseLineId, Role, StateKind, Target,
    Version,
};
use embargo_store::releases::{self as store, ReleaseFilter};
use uuid::Uuid;

use crate::accounts::{Principal, Scope};
use crate::cases::{self, CaseRef, ChangeError, from_domain};
use crate::{App, ServiceError};

/// A release with what a reader needs to show it: the line's names and each case's title and
/// state.
#[derive(Debug, Clone)]
pub struct ReleaseView {
    pub release: Release,
    pub product: String,
    pub edition: String,
    pub line: String,
    pub cases: Vec<ReleaseCase>,
}

#[derive(Debug, Clone)]
pub struct ReleaseCase {
    pub id: CaseId,
    pub title: String,
    pub state: StateKind,
}

/// What shipping did to one covered case.
#[derive(Debug, Clone)]
pub struct ShippedCase {
    pub id: CaseId,
    /// Now fixed on the release's line (false when it was fixed there already).
    pub marked_fixed: bool,
    /// Moved to released by this shipment.
    pub released: bool,
    /// The case's state afterwards.
    pub state: StateKind,
}

#[derive(Debug, Clone)]
pub struct ShipOutcome {
    pub release: ReleaseView,
    pub cases: Vec<ShippedCase>,
}

fn require_team(who: &Principal, scope: Scope) -> Result<(), ServiceError> {
    who.require(scope)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

fn parse_version(
    catalog: &Catalog,
    line: ReleaseLineId,
    v: Option<&str>,
) -> Result<Option<Version>, ServiceError> {
    let Some(v) = v else { return Ok(None) };
    let path = catalog.line(line).ok_or(ServiceError::NotFound)?;
    Version::parse_in(path.line.scheme(), v.trim())
        .map(Some)
        .map_err(from_domain)
}

/// A calendar day as the API and CLI write it (`2026-07-01`).
pub fn parse_date(field: &'static str, s: &str) -> Result<jiff::civil::Date, ServiceError> {
    s.trim().parse().map_err(|e| ServiceError::Invalid {
        field,
        reason: format!("{s:?} is not a date (YYYY-MM-DD): {e}"),
    })
}

/// A release line named by id or as `product/edition/line` slugs (`gateway/oss/3.4.x`).
pub async fn resolve_line(app: &App, s: &str) -> Result<ReleaseLineId, ServiceError> {
    if let Ok(id) = s.trim().parse::<Uuid>() {
        return Ok(ReleaseLineId::from_uuid(id));
    }
    let parts: Vec<&str> = s.trim().split('/').collect();
    let [product, edition, line] = parts.as_slice() else {
        return Err(ServiceError::Invalid {
            field: "release_line",
            reason: format!("{s:?}: name a line by id or as product/edition/line"),
        });
    };
    let mut conn = app.db.acquire().await?;
    embargo_store::catalog::find_release_line(&mut conn, product, edition, line)
        .await?
        .ok_or_else(|| ServiceError::Invalid {
            field: "release_line",
            reason: format!("no release line {s}"),
        })
}

/// Plans the next release of `line` at `version` (default: the line's next patch version),
/// aiming for `target`.
pub async fn plan(
    app: &App,
    who: &Principal,
    line: ReleaseLineId,
    version: Option<&str>,
    target: Option<jiff::civil::Date>,
) -> Result<ReleaseView, ServiceError> {
    require_team(who, Scope::Write)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let path = catalog.line(line).ok_or_else(|| ServiceError::Invalid {
        field: "release_line",
        reason: format!("no release line {line}"),
    })?;
    let version = parse_version(&catalog, line, version)?;
    let release = Release::plan(
        ReleaseId::from_uuid(Uuid::now_v7()),
        path.line,
        version,
        target,
        &who.actor,
        app.clock.now(),
    )
    .map_err(from_domain)?;
    match store::insert(&mut tx, &release).await {
        Ok(()) => {}
        Err(e) if e.violation() == Some(embargo_store::Violation::Unique) => {
            return Err(ServiceError::Conflict(format!(
                "{} {} {} already has a release {}",
                path.product.name,
                path.edition.name,
                path.line.name(),
                release.version
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let view = view(&mut tx, who, &catalog, release).await?;
    tx.commit().await.context("committing the release plan")?;
    tracing::info!(release = %view.release.id, "release planned");
    Ok(view)
}

/// Adds a case to a planned release. The case must not be marked not affected or won't-fix on the
/// release's line.
pub async fn add_case(
    app: &App,
    who: &Principal,
    release: ReleaseId,
    case: CaseRef,
) -> Result<ReleaseView, ServiceError> {
    require_team(who, Scope::Write)?;
    let case = cases::get(app, who, case).await?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let mut r = store::get(&mut tx, release)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if matches!(
        case.case.affected.get(&r.line),
        Some(AffectedStatus::NotAffected { .. } | AffectedStatus::WontFix { .. })
    ) {
        return Err(ServiceError::Invalid {
            field: "case",
            reason: "the case is marked not affected or won't-fix on this release's line".into(),
        });
    }
    if matches!(
        case.case.state.kind(),
        StateKind::Rejected | StateKind::Disclosed
    ) {
        return Err(ServiceError::Invalid {
            field: "case",
            reason: format!("the case is {}", case.case.state.kind()),
        });
    }
    let added = r.add_case(case.case.id, &who.actor).map_err(from_domain)?;
    let catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    if added {
        let now = app.clock.now();
        store::update(&mut tx, &r, now).await?;
        // The case's default embargo follows its releases (see `cases::change_in`).
        let unchanged = |_: &mut embargo_domain::Case, _: &cases::ChangeContext<'_>| Ok(Vec::new());
        cases::change_in(
            &mut tx,
            app,
            who,
            case.case.id,
            None,
            &catalog,
            now,
            &unchanged,
        )
        .await
        .map_err(|e| match e {
            ChangeError::Service(e) => e,
            ChangeError::Stale => {
                ServiceError::Conflict("the case changed while it was added; retry".to_owned())
            }
        })?;
    }
    let view = view(&mut tx, who, &catalog, r).await?;
    tx.commit().await.context("committing the release plan")?;
    Ok(view)
}

/// Ships a release at `version` (default: the planned one) on `on` (default: today), marks
/// every covered case fixed on the line and moves cases that are then fixed everywhere to
/// released; all in one transaction.
pub async fn ship(
    app: &App,
    who: &Principal,
    release: ReleaseId,
    version: Option<&str>,
    on: Option<jiff::civil::Date>,
) -> Result<ShipOutcome, ServiceError> {
    require_team(who, Scope::Write)?;
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let mut r = store::get(&mut tx, release)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let now = app.clock.now();
    let today = cases::today(now);
    let version = parse_version(&catalog, r.line, version)?;
    {
        let path = catalog.line(r.line).ok_or(ServiceError::NotFound)?;
        r.ship(path.line, version, on.unwrap_or(today), &who.actor, now)
            .map_err(from_domain)?;
    }
    store::update(&mut tx, &r, now).await?;
    embargo_store::catalog::set_latest_version(&mut tx, r.line, &r.version).await?;
    // The cases see the catalog as it is after the release.
    for p in &mut catalog.products {
        for e in &mut p.editions {
            for l in &mut e.lines {
                if l.id() == r.line {
                    l.set_latest(r.version).map_err(from_domain)?;
                }
            }
        }
    }
    let line = r.line;
    let fixed_in = r.version;
    let note = format!("release {fixed_in} shipped");
    let mut shipped = Vec::new();
    for case in &r.cases {
        let before = cases::get_in(&mut tx, who, *case).await?;
        let was_fixed = matches!(
            before.affected.get(&line),
            Some(AffectedStatus::Fixed { .. })
        );
        let change = |c: &mut embargo_domain::Case, ctx: &cases::ChangeContext<'_>| {
            let mut events = Vec::new();
            if !matches!(c.affected_status(line), AffectedStatus::Fixed { .. }) {
                events.extend(c.set_affected(
                    line,
                    AffectedStatus::Fixed {
                        fixed_in,
                        links: Vec::new(),
                        verified_by: None,
                        verified_at: None,
                    },
                    &ctx.app.policy(),
                    ctx.catalog,
                    ctx.actor,
                    ctx.now,
                )?);
            }
            if c.state.kind() == StateKind::FixVerified
                && c.fixed_everywhere(ctx.catalog, cases::today(ctx.now))
            {
                events.extend(c.transition(Target::Released, ctx.actor, Some(&note), ctx.now)?);
            }
            Ok(events)
        };
        let (after, _) = cases::change_in(&mut tx, app, who, *case, None, &catalog, now, &change)
            .await
            .map_err(|e| match e {
                ChangeError::Service(e) => e,
                ChangeError::Stale => ServiceError::Conflict(
                    "a case of the release changed while it shipped; retry".to_owned(),
                ),
            })?;
        shipped.push(ShippedCase {
            id: *case,
            marked_fixed: !was_fixed,
            released: before.state.kind() != StateKind::Released
                && after.state.kind() == StateKind::Released,
            state: after.state.kind(),
        });
    }
    let view = view(&mut tx, who, &catalog, r).await?;
    tx.commit()
        .await
        .context("committing the shipped release")?;
    tracing::info!(release = %view.release.id, cases = shipped.len(), "release shipped");
    Ok(ShipOutcome {
        release: view,
        cases: shipped,
    })
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ReleaseQuery {
    pub line: Option<ReleaseLineId>,
    pub shipped: Option<bool>,
    pub case: Option<CaseId>,
}

/// Releases, planned first (by target day), then shipped (newest first).
pub async fn list(
    app: &App,
    who: &Principal,
    query: ReleaseQuery,
) -> Result<Vec<ReleaseView>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let catalog = embargo_store::catalog::load(&mut conn)
        .await
        .context("loading the catalog")?;
    let releases = store::list(
        &mut conn,
        &ReleaseFilter {
            line: query.line,
            shipped: query.shipped,
            case: query.case,
        },
    )
    .await?;
    let mut out = Vec::with_capacity(releases.len());
    for r in releases {
        out.push(view(&mut conn, who, &catalog, r).await?);
    }
    Ok(out)
}

pub async fn get(app: &App, who: &Principal, id: ReleaseId) -> Result<ReleaseView, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let r = store::get(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let catalog = embargo_store::catalog::load(&mut conn)
        .await
        .context("loading the catalog")?;
    view(&mut conn, who, &catalog, r).await
}

/// A release id as the API and CLI write it.
pub fn parse_id(s: &str) -> Result<ReleaseId, ServiceError> {
    s.trim().parse().map_err(|_| ServiceError::Invalid {
        field: "release",
        reason: format!("{s:?} is not a release id"),
    })
}

async fn view(
    conn: &mut embargo_store::AnyConnection,
    who: &Principal,
    catalog: &Catalog,
    release: Release,
) -> Result<ReleaseView, ServiceError> {
    let (product, edition, line) = catalog
        .line(release.line)
        .map(|p| {
            (
                p.product.name.clone(),
                p.edition.name.clone(),
                p.line.name(),
            )
        })
        .unwrap_or_default();
    let mut cases = Vec::with_capacity(release.cases.len());
    for id in &release.cases {
        let case = cases::get_in(conn, who, *id).await?;
        cases.push(ReleaseCase {
            id: *id,
            title: case.title.clone(),
            state: case.state.kind(),
        });
    }
    Ok(ReleaseView {
        release,
        product,
        edition,
        line,
        cases,
    })
}
