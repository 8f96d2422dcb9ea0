//! Access rules, as pure functions of an [`Actor`] and their [`Membership`] of one case.
//!
//! `service` calls these in one place before every read and write; [`Case`](crate::Case) calls them
//! again inside every change, so that a forgotten check in a caller cannot widen access.
//!
//! | effective access | sees case | messages seen          | edits | manages | transitions                       |
//! |------------------|-----------|------------------------|-------|---------|-----------------------------------|
//! | team (admin, team) | yes     | all                    | yes   | yes     | every allowed one                 |
//! | engineer member  | yes       | all                    | yes   | no      | to fix-in-progress, fix-verified  |
//! | collaborator     | yes       | reporter, collaborators| no    | no      | none                              |
//! | reporter         | own cases | reporter               | no    | no      | none                              |
//!
//! Effective access never exceeds the global role: an engineer invited as a collaborator gets
//! collaborator access; a collaborator cannot be raised to engineer by a case role; an engineer or
//! collaborator who is not a member sees nothing. A reporter sees the cases they reported and nothing
//! else, whatever the membership says.

use std::fmt;

use crate::ids::UserId;
use crate::state::StateKind;

/// A user's global role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The security team, plus catalog, policy and user administration.
    Admin,
    /// The security team: sees and runs every case.
    Team,
    /// A product engineer: works on the cases they are members of.
    Engineer,
    /// Outside help (upstream maintainer, partner) invited to one case.
    Collaborator,
    /// Someone who reported a vulnerability.
    Reporter,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Team => "team",
            Role::Engineer => "engineer",
            Role::Collaborator => "collaborator",
            Role::Reporter => "reporter",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is acting. Automated work (the intake job acknowledging a report) acts as a system user with
/// the team role, so that it is audited like anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Actor {
    pub id: UserId,
    pub role: Role,
}

/// A member's role on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseRole {
    Engineer,
    Collaborator,
}

/// How an actor relates to one case: see [`Case::membership`](crate::Case::membership).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Membership {
    /// Their role if they are a member of the case.
    pub role: Option<CaseRole>,
    /// Whether they are one of the case's reporters.
    pub reporter: bool,
}

/// Who may see a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Visible to the reporters, the collaborators and the team. Every reporter of the case reads
    /// these, including reporters who joined through a duplicate report; per-reporter addressing
    /// is not modelled yet.
    Reporter,
    /// Visible to the team and invited collaborators, not to reporters.
    Collaborators,
    /// Visible to the team only (team, admins, engineer members).
    Internal,
}

/// What an actor may do on one case, after combining role and membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    Reporter,
    Collaborator,
    Engineer,
    Team,
}

/// The actor's effective access to a case, `None` when they may not see it at all.
pub fn case_access(actor: &Actor, membership: &Membership) -> Option<Access> {
    match (actor.role, membership.role) {
        (Role::Admin | Role::Team, _) => Some(Access::Team),
        (Role::Engineer, Some(CaseRole::Engineer)) => Some(Access::Engineer),
        (Role::Engineer | Role::Collaborator, Some(_)) => Some(Access::Collaborator),
        (Role::Engineer | Role::Collaborator, None) => None,
        (Role::Reporter, _) => membership.reporter.then_some(Access::Reporter),
    }
}

pub fn can_view_case(actor: &Actor, membership: &Membership) -> bool {
    case_access(actor, membership).is_some()
}

pub fn can_view_message(actor: &Actor, membership: &Membership, visibility: Visibility) -> bool {
    match case_access(actor, membership) {
        None => false,
        Some(Access::Team | Access::Engineer) => true,
        Some(Access::Collaborator) => {
            matches!(visibility, Visibility::Reporter | Visibility::Collaborators)
        }
        Some(Access::Reporter) => visibility == Visibility::Reporter,
    }
}

/// Posting follows reading: anyone may post at a visibility they can read.
pub fn can_post_message(actor: &Actor, membership: &Membership, visibility: Visibility) -> bool {
    can_view_message(actor, membership, visibility)
}

/// Edit the assessment: title, description, CVSS, CWE, affected status, links.
pub fn can_edit(actor: &Actor, membership: &Membership) -> bool {
    matches!(
        case_access(actor, membership),
        Some(Access::Team | Access::Engineer)
    )
}

/// Manage the case: members, assignee, reporters and credit, embargo, CVE id, upstream, the estimate
/// given to the reporter, deadlines.
pub fn can_manage(actor: &Actor, membership: &Membership) -> bool {
    case_access(actor, membership) == Some(Access::Team)
}

/// Move the case to `to` (whether the move is allowed from the current state is the transition
/// table's business, see [`CaseState::allowed`](crate::CaseState::allowed)).
pub fn can_transition(actor: &Actor, membership: &Membership, to: StateKind) -> bool {
    match case_access(actor, membership) {
        Some(Access::Team) => true,
        Some(Access::Engineer) => matches!(to, StateKind::FixInProgress | StateKind::FixVerified),
        Some(Access::Collaborator | Access::Reporter) | None => false,
    }
}

/// Change the catalog of products, editions and release lines.
pub fn can_manage_catalog(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// Change the timeline policy.
pub fn can_manage_policy(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::uid;

    fn actor(role: Role) -> Actor {
        Actor { id: uid(10), role }
    }

    const NOT_RELATED: Membership = Membership {
        role: None,
        reporter: false,
    };
    const ENGINEER_MEMBER: Membership = Membership {
        role: Some(CaseRole::Engineer),
        reporter: false,
    };
    const COLLABORATOR_MEMBER: Membership = Membership {
        role: Some(CaseRole::Collaborator),
        reporter: false,
    };
    const REPORTER: Membership = Membership {
        role: None,
        reporter: true,
    };

    #[test]
    fn effective_access_never_exceeds_the_global_role() {
        let check = |role, m: Membership, expect: Option<Access>| {
            assert_eq!(case_access(&actor(role), &m), expect, "{role:?} {m:?}")
        };
        for m in [NOT_RELATED, ENGINEER_MEMBER, COLLABORATOR_MEMBER, REPORTER] {
            check(Role::Admin, m, Some(Access::Team));
            check(Role::Team, m, Some(Access::Team));
        }
        check(Role::Engineer, ENGINEER_MEMBER, Some(Access::Engineer));
        check(
            Role::Engineer,
            COLLABORATOR_MEMBER,
            Some(Access::Collaborator),
        );
        check(Role::Engineer, NOT_RELATED, None);
        check(Role::Engineer, REPORTER, None);
        check(
            Role::Collaborator,
            ENGINEER_MEMBER,
            Some(Access::Collaborator),
        );
        check(
            Role::Collaborator,
            COLLABORATOR_MEMBER,
            Some(Access::Collaborator),
        );
        check(Role::Collaborator, NOT_RELATED, None);
        check(Role::Reporter, REPORTER, Some(Access::Reporter));
        check(Role::Reporter, NOT_RELATED, None);
        check(Role::Reporter, ENGINEER_MEMBER, None);
        check(
            Role::Reporter,
            Membership {
                role: Some(CaseRole::Collaborator),
                reporter: true,
            },
            Some(Access::Reporter),
        );
    }

    #[test]
    fn message_visibility_is_exactly_one_audience_wide() {
        use Visibility::*;
        let check = |role, m: Membership, expect: [bool; 3]| {
            let got =
                [Reporter, Collaborators, Internal].map(|v| can_view_message(&actor(role), &m, v));
            assert_eq!(got, expect, "{role:?} {m:?}");
            let post =
                [Reporter, Collaborators, Internal].map(|v| can_post_message(&actor(role), &m, v));
            assert_eq!(post, expect, "posting follows reading for {role:?}");
        };
        check(Role::Admin, NOT_RELATED, [true, true, true]);
        check(Role::Team, NOT_RELATED, [true, true, true]);
        check(Role::Engineer, ENGINEER_MEMBER, [true, true, true]);
        check(Role::Engineer, COLLABORATOR_MEMBER, [true, true, false]);
        check(Role::Engineer, NOT_RELATED, [false, false, false]);
        check(Role::Collaborator, COLLABORATOR_MEMBER, [true, true, false]);
        check(Role::Collaborator, NOT_RELATED, [false, false, false]);
        check(Role::Reporter, REPORTER, [true, false, false]);
        check(Role::Reporter, NOT_RELATED, [false, false, false]);
    }

    #[test]
    fn only_the_team_and_engineer_members_edit_and_only_the_team_manages() {
        let cases = [
            (Role::Admin, NOT_RELATED, true, true),
            (Role::Team, NOT_RELATED, true, true),
            (Role::Engineer, ENGINEER_MEMBER, true, false),
            (Role::Engineer, COLLABORATOR_MEMBER, false, false),
            (Role::Engineer, NOT_RELATED, false, false),
            (Role::Collaborator, COLLABORATOR_MEMBER, false, false),
            (Role::Reporter, REPORTER, false, false),
        ];
        for (role, m, edit, manage) in cases {
            assert_eq!(can_edit(&actor(role), &m), edit, "edit {role:?} {m:?}");
            assert_eq!(
                can_manage(&actor(role), &m),
                manage,
                "manage {role:?} {m:?}"
            );
            assert_eq!(
                can_view_case(&actor(role), &m),
                case_access(&actor(role), &m).is_some()
            );
        }
    }

    #[test]
    fn transition_rights_by_target_for_every_role() {
        for to in StateKind::ALL {
            assert!(can_transition(&actor(Role::Admin), &NOT_RELATED, to));
            assert!(can_transition(&actor(Role::Team), &NOT_RELATED, to));
            let fixing = matches!(to, StateKind::FixInProgress | StateKind::FixVerified);
            assert_eq!(
                can_transition(&actor(Role::Engineer), &ENGINEER_MEMBER, to),
                fixing,
                "{to}"
            );
            assert!(
                !can_transition(&actor(Role::Engineer), &NOT_RELATED, to),
                "{to}"
            );
            assert!(
                !can_transition(&actor(Role::Engineer), &COLLABORATOR_MEMBER, to),
                "{to}"
            );
            assert!(
                !can_transition(&actor(Role::Collaborator), &COLLABORATOR_MEMBER, to),
                "{to}"
            );
            assert!(
                !can_transition(&actor(Role::Reporter), &REPORTER, to),
                "{to}"
            );
        }
    }

    #[test]
    fn only_admins_change_the_catalog_and_the_policy() {
        for role in [
            Role::Team,
            Role::Engineer,
            Role::Collaborator,
            Role::Reporter,
        ] {
            assert!(!can_manage_catalog(&actor(role)));
            assert!(!can_manage_policy(&actor(role)));
        }
        assert!(can_manage_catalog(&actor(Role::Admin)));
        assert!(can_manage_policy(&actor(Role::Admin)));
    }
}
