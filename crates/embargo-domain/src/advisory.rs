//! The public advisory of a case: what the team writes (title, summary, Markdown description,
//! workarounds, references) and its publication history. Everything else an advisory shows
//! (CVSS, CWE, affected and fixed lines, credits, CVE id) comes from the case when it is exported,
//! so the two never disagree.
//!
//! A draft is edited freely and never shown publicly. [`Advisory::publish`] makes revision 1;
//! after that every change is a revision ([`Advisory::revise`]) with a summary of what changed,
//! under the same public id.

use jiff::Timestamp;

use crate::DomainError;
use crate::access::{self, Actor, Membership};
use crate::identifiers::Link;
use crate::ids::{AdvisoryId, CaseId};

const SUMMARY_MAX: usize = 500;
const TEXT_MAX: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub id: AdvisoryId,
    /// `EMB-2026-0001`: public, never changes.
    pub public_id: String,
    pub case: CaseId,
    pub content: AdvisoryContent,
    /// Oldest first; empty while a draft.
    pub revisions: Vec<Revision>,
}

/// What the team writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryContent {
    pub title: String,
    /// One line, plain text.
    pub summary: String,
    /// CommonMark.
    pub description_md: String,
    /// CommonMark.
    pub workarounds_md: Option<String>,
    pub references: Vec<AdvisoryReference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryReference {
    pub url: Link,
    pub kind: ReferenceKind,
    pub name: Option<String>,
}

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    Advisory,
    Patch,
    Report,
    Article,
    ReleaseNotes,
    Web,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 6] = [
        ReferenceKind::Advisory,
        ReferenceKind::Patch,
        ReferenceKind::Report,
        ReferenceKind::Article,
        ReferenceKind::ReleaseNotes,
        ReferenceKind::Web,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::Advisory => "advisory",
            ReferenceKind::Patch => "patch",
            ReferenceKind::Report => "report",
            ReferenceKind::Article => "article",
            ReferenceKind::ReleaseNotes => "release-notes",
            ReferenceKind::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Result<ReferenceKind, DomainError> {
        ReferenceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::InvalidField {
                field: "reference kind",
                reason: format!(
                    "{s:?}; one of advisory, patch, report, article, release-notes, web"
                ),
            })
    }
}

/// One publication of the advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: u32,
    pub at: Timestamp,
    pub summary: String,
}

impl Advisory {
    /// A new draft. Team only.
    pub fn draft(
        id: AdvisoryId,
        public_id: String,
        case: CaseId,
        content: AdvisoryContent,
        actor: &Actor,
    ) -> Result<Advisory, DomainError> {
        require_team(actor)?;
        content.check()?;
        Ok(Advisory {
            id,
            public_id,
            case,
            content,
            revisions: Vec::new(),
        })
    }

    /// First publication, if published.
    pub fn published(&self) -> Option<Timestamp> {
        self.revisions.first().map(|r| r.at)
    }

    /// The current revision number; 0 for a draft.
    pub fn revision(&self) -> u32 {
        self.revisions.last().map_or(0, |r| r.number)
    }

    /// Changes a draft. A published advisory changes only through [`Advisory::revise`].
    /// Returns whether anything changed.
    pub fn edit(&mut self, content: AdvisoryContent, actor: &Actor) -> Result<bool, DomainError> {
        require_team(actor)?;
        if self.published().is_some() {
            return Err(DomainError::InvalidField {
                field: "revision_summary",
                reason: "the advisory is published: a change is a revision and needs a summary"
                    .into(),
            });
        }
        content.check()?;
        let changed = content != self.content;
        self.content = content;
        Ok(changed)
    }

    /// Publishes a draft as revision 1.
    pub fn publish(&mut self, at: Timestamp) -> Result<(), DomainError> {
        if self.published().is_some() {
            return Err(DomainError::InvalidField {
                field: "advisory",
                reason: format!("{} is published already", self.public_id),
            });
        }
        self.revisions.push(Revision {
            number: 1,
            at,
            summary: "Initial publication.".to_owned(),
        });
        Ok(())
    }

    /// A new revision of a published advisory: same id, next number, with what changed.
    pub fn revise(
        &mut self,
        content: AdvisoryContent,
        summary: &str,
        actor: &Actor,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        require_team(actor)?;
        let Some(last) = self.revisions.last() else {
            return Err(DomainError::InvalidField {
                field: "revision_summary",
                reason: "a draft has no revisions; edit it instead".into(),
            });
        };
        let summary = summary.trim();
        if summary.is_empty() || summary.chars().count() > SUMMARY_MAX {
            return Err(DomainError::InvalidField {
                field: "revision_summary",
                reason: format!("needs 1 to {SUMMARY_MAX} characters"),
            });
        }
        content.check()?;
        let number = last.number + 1;
        let at = at.max(last.at);
        self.content = content;
        self.revisions.push(Revision {
            number,
            at,
            summary: summary.to_owned(),
        });
        Ok(())
    }
}

impl AdvisoryContent {
    fn check(&self) -> Result<(), DomainError> {
        let line = |field: &'static str, s: &str, max: usize| {
            let t = s.trim();
            if t.is_empty() {
                return Err(DomainError::InvalidField {
                    field,
                    reason: "empty".into(),
                });
            }
            if t.chars().count() > max || t.chars().any(char::is_control) {
                return Err(DomainError::InvalidField {
                    field,
                    reason: format!("one line of at most {max} characters"),
                });
            }
            Ok(())
        };
        line("title", &self.title, 200)?;
        line("summary", &self.summary, SUMMARY_MAX)?;
        if self.description_md.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "description",
                reason: "empty".into(),
            });
        }
        for (field, text) in [
            ("description", Some(&self.description_md)),
            ("workarounds", self.workarounds_md.as_ref()),
        ] {
            if text.is_some_and(|t| t.len() > TEXT_MAX) {
                return Err(DomainError::InvalidField {
                    field,
                    reason: format!("longer than {TEXT_MAX} bytes"),
                });
            }
        }
        Ok(())
    }
}

fn require_team(actor: &Actor) -> Result<(), DomainError> {
    if access::can_manage(actor, &Membership::default()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            user: actor.id,
            role: actor.role,
            action: "write advisories",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

    fn content(title: &str) -> AdvisoryContent {
        AdvisoryContent {
            title: title.into(),
            summary: "A summary.".into(),
            description_md: "Some *Markdown*.".into(),
            workarounds_md: None,
            references: vec![],
        }
    }

    fn draft() -> Advisory {
        Advisory::draft(
            AdvisoryId::from_uuid(uuid::Uuid::from_u128(7)),
            "EMB-2026-0001".into(),
            case_id(1),
            content("XSS"),
            &team(),
        )
        .unwrap()
    }

    #[test]
    fn a_draft_is_edited_then_published_then_revised_under_the_same_id() {
        let mut a = draft();
        assert_eq!(a.revision(), 0);
        assert!(a.edit(content("Stored XSS"), &team()).unwrap());
        a.publish(h(1)).unwrap();
        assert_eq!((a.revision(), a.published()), (1, Some(h(1))));
        assert!(
            a.edit(content("Other"), &team()).is_err(),
            "edits after publication"
        );
        assert!(a.revise(content("Other"), " ", &team(), h(2)).is_err());
        a.revise(
            content("Stored XSS in the console"),
            "Title clarified.",
            &team(),
            h(2),
        )
        .unwrap();
        assert_eq!(a.revision(), 2);
        assert_eq!(a.public_id, "EMB-2026-0001");
        assert_eq!(a.published(), Some(h(1)));
        assert!(a.publish(h(3)).is_err(), "published twice");
    }

    #[test]
    fn only_the_team_writes_advisories_and_content_is_checked() {
        for who in [engineer(), collaborator(), reporter()] {
            let err = Advisory::draft(
                AdvisoryId::from_uuid(uuid::Uuid::from_u128(7)),
                "EMB-2026-0001".into(),
                case_id(1),
                content("XSS"),
                &who,
            )
            .unwrap_err();
            assert!(matches!(err, DomainError::Forbidden { .. }));
        }
        let mut a = draft();
        assert!(a.edit(content(""), &team()).is_err());
        assert!(a.edit(content("two\nlines"), &team()).is_err());
        assert_eq!(
            ReferenceKind::parse("release-notes"),
            Ok(ReferenceKind::ReleaseNotes)
        );
        assert!(ReferenceKind::parse("blog").is_err());
    }
}
