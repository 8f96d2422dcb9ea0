//! Release plans: the next patch release of one release line and the cases it fixes.
//!
//! A [`Release`] is planned for a line at a version (the line's [`ReleaseLine::next_patch`] unless
//! the team names another, newer one) with an optional target date. Cases are added while it is
//! planned; several cases can ship in one release. Shipping records the final version and the
//! day; `service` then marks each covered case fixed on the line ([`AffectedStatus::Fixed`]
//! through [`Case::set_affected`](crate::Case::set_affected)) and moves a case to released once
//! [`Case::unfixed_lines`](crate::Case::unfixed_lines) is empty.
//!
//! [`AffectedStatus::Fixed`]: crate::AffectedStatus::Fixed

use jiff::Timestamp;
use jiff::civil::Date;

use crate::DomainError;
use crate::access::{self, Actor, Membership};
use crate::catalog::{ReleaseLine, Version};
use crate::ids::{CaseId, ReleaseId, ReleaseLineId, UserId};

/// A patch release of one line, planned or shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub id: ReleaseId,
    pub line: ReleaseLineId,
    /// The planned version; once shipped, the version that shipped.
    pub version: Version,
    /// The day the team aims to ship.
    pub target: Option<Date>,
    /// The cases it fixes, in the order they were added.
    pub cases: Vec<CaseId>,
    pub shipped: Option<Shipped>,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// When a release shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shipped {
    /// The release day, as announced.
    pub on: Date,
    /// When it was recorded as shipped.
    pub at: Timestamp,
}

impl Release {
    /// Plans the next release of `line`: at `version` if given (it must belong to the line and be
    /// newer than the line's latest release), else at the line's next patch version. Team only.
    pub fn plan(
        id: ReleaseId,
        line: &ReleaseLine,
        version: Option<Version>,
        target: Option<Date>,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Release, DomainError> {
        require_team(actor, "plan releases")?;
        let version = version.unwrap_or_else(|| line.next_patch());
        check_new_version(line, &version)?;
        Ok(Release {
            id,
            line: line.id(),
            version,
            target,
            cases: Vec::new(),
            shipped: None,
            created_by: actor.id,
            created_at: now,
        })
    }

    pub fn is_shipped(&self) -> bool {
        self.shipped.is_some()
    }

    /// Adds a case to the plan; `false` when it is in the plan already. Team only; a shipped
    /// release is final.
    pub fn add_case(&mut self, case: CaseId, actor: &Actor) -> Result<bool, DomainError> {
        require_team(actor, "change release plans")?;
        self.require_planned()?;
        if self.cases.contains(&case) {
            return Ok(false);
        }
        self.cases.push(case);
        Ok(true)
    }

    /// Records the release as shipped on `on`, at `version` if given (else the planned one).
    /// Team only; shipping twice is refused.
    pub fn ship(
        &mut self,
        line: &ReleaseLine,
        version: Option<Version>,
        on: Date,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        require_team(actor, "ship releases")?;
        self.require_planned()?;
        if line.id() != self.line {
            return Err(DomainError::UnknownReleaseLine(line.id()));
        }
        let version = version.unwrap_or(self.version);
        check_new_version(line, &version)?;
        self.version = version;
        self.shipped = Some(Shipped { on, at: now });
        Ok(())
    }

    fn require_planned(&self) -> Result<(), DomainError> {
        match self.shipped {
            Some(s) => Err(DomainError::ReleaseShipped {
                version: self.version.to_string(),
                on: s.on,
            }),
            None => Ok(()),
        }
    }
}

fn require_team(actor: &Actor, action: &'static str) -> Result<(), DomainError> {
    if access::can_manage(actor, &Membership::default()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            user: actor.id,
            role: actor.role,
            action,
        })
    }
}

/// A release version must belong to the line and come after its latest release.
fn check_new_version(line: &ReleaseLine, version: &Version) -> Result<(), DomainError> {
    line.check_version(version)?;
    if let Some(latest) = line.latest()
        && *version <= latest
    {
        return Err(DomainError::InvalidField {
            field: "version",
            reason: format!(
                "{version} is not newer than {latest}, the latest release of {}",
                line.name()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

    fn line(n: u128) -> ReleaseLine {
        catalog().line(line_id(n)).unwrap().line.clone()
    }

    fn release_id() -> ReleaseId {
        ReleaseId::from_uuid(uuid::Uuid::from_u128(0xDD))
    }

    #[test]
    fn a_plan_defaults_to_the_next_patch_of_either_scheme() {
        let semver = Release::plan(release_id(), &line(1), None, None, &team(), h(0)).unwrap();
        assert_eq!(semver.version.to_string(), "3.4.10");
        let four = Release::plan(release_id(), &line(3), None, None, &team(), h(0)).unwrap();
        assert_eq!(four.version.to_string(), "3.4.1.2");
    }

    #[test]
    fn a_version_outside_the_line_or_not_newer_is_refused() {
        for bad in ["3.5.0", "3.4.9", "3.4.1.1"] {
            let v = Version::parse(bad).unwrap();
            let err = Release::plan(release_id(), &line(1), Some(v), None, &team(), h(0));
            assert!(err.is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn only_the_team_plans_and_ships() {
        for who in [engineer(), collaborator(), reporter()] {
            let err = Release::plan(release_id(), &line(1), None, None, &who, h(0)).unwrap_err();
            assert!(matches!(err, DomainError::Forbidden { .. }), "{err}");
        }
        let mut r = Release::plan(release_id(), &line(1), None, None, &admin(), h(0)).unwrap();
        let today = jiff::civil::date(2026, 3, 9);
        let err = r
            .ship(&line(1), None, today, &engineer(), h(1))
            .unwrap_err();
        assert!(matches!(err, DomainError::Forbidden { .. }), "{err}");
    }

    #[test]
    fn a_shipped_release_is_final() {
        let mut r = Release::plan(release_id(), &line(1), None, None, &team(), h(0)).unwrap();
        assert!(r.add_case(case_id(1), &team()).unwrap());
        assert!(!r.add_case(case_id(1), &team()).unwrap(), "added twice");
        let today = jiff::civil::date(2026, 3, 9);
        let v = Version::parse("3.4.11").unwrap();
        r.ship(&line(1), Some(v), today, &team(), h(2)).unwrap();
        assert_eq!(r.version, v);
        assert!(matches!(
            r.add_case(case_id(2), &team()),
            Err(DomainError::ReleaseShipped { .. })
        ));
        assert!(matches!(
            r.ship(&line(1), None, today, &team(), h(3)),
            Err(DomainError::ReleaseShipped { .. })
        ));
    }
}
