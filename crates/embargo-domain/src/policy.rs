//! The timeline policy: deadlines for acknowledgement, triage, fix and disclosure.
//!
//! Written in TOML; the shipped defaults are [`DEFAULT_POLICY_TOML`]. Parsing rejects unknown keys
//! and every error names the key at fault (`rule[2].fix: ...`). [`Policy::deadlines`] evaluates the
//! rules in order, first match wins, and `[default]` supplies whatever the matching rule (or no rule)
//! leaves unset.
//!
//! Shipped defaults (calendar time, from receipt of the first report):
//!
//! | severity (CVSS)            | acknowledge | triage | fix, latest major affected | fix, otherwise | disclose   |
//! |----------------------------|-------------|--------|----------------------------|----------------|------------|
//! | critical (9.0–10.0)        | 24h         | 5d     | 7d                         | 14d            | fix + 7d   |
//! | high (7.0–8.9)             | 24h         | 5d     | 14d                        | 30d            | fix + 7d   |
//! | medium (4.0–6.9)           | 24h         | 5d     | 30d                        | 60d            | fix + 7d   |
//! | low, none (0.0–3.9)        | 24h         | 5d     | 120d                       | 120d           | fix + 7d   |
//! | not yet scored             | 24h         | 5d     | 60d                        | 60d            | fix + 7d   |
//!
//! Disclosure a week after the fix deadline gives customers time to patch before details are public.
//! Upstream cases disclose on the upstream's date instead.

use embargo_cvss::{Score, Severity};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::DomainError;

/// The shipped policy, embedded in the binary. An installation's own file replaces it whole.
pub const DEFAULT_POLICY_TOML: &str = include_str!("default_policy.toml");

/// The four deadlines of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Deadlines {
    pub acknowledge: Timestamp,
    pub triage: Timestamp,
    pub fix: Timestamp,
    pub disclose: Timestamp,
}

/// Names one of the [`Deadlines`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    Acknowledge,
    Triage,
    Fix,
    Disclose,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 4] = [
        DeadlineKind::Acknowledge,
        DeadlineKind::Triage,
        DeadlineKind::Fix,
        DeadlineKind::Disclose,
    ];
}

impl Deadlines {
    pub fn get(&self, kind: DeadlineKind) -> Timestamp {
        match kind {
            DeadlineKind::Acknowledge => self.acknowledge,
            DeadlineKind::Triage => self.triage,
            DeadlineKind::Fix => self.fix,
            DeadlineKind::Disclose => self.disclose,
        }
    }

    /// Every deadline moved later by `by`, except a disclosure date pinned by an upstream.
    pub(crate) fn shifted(self, by: SignedDuration, disclose_pinned: bool) -> Deadlines {
        Deadlines {
            acknowledge: add(self.acknowledge, by),
            triage: add(self.triage, by),
            fix: add(self.fix, by),
            disclose: if disclose_pinned {
                self.disclose
            } else {
                add(self.disclose, by)
            },
        }
    }
}

pub(crate) fn add(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// What the policy looks at. [`Case::facts`](crate::Case::facts) builds it from a case and the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFacts {
    /// The case's score; `None` until it is scored.
    pub score: Option<Score>,
    /// A line of its product's newest supported major version is affected, being fixed or fixed.
    pub latest_major_affected: bool,
    /// Edition names of the affected lines.
    pub editions: Vec<String>,
    /// An upstream's public disclosure date, which replaces the policy's disclosure deadline.
    pub upstream_disclosure: Option<Timestamp>,
}

/// The deadlines a rule sets; unset ones come from `[default]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durations {
    pub acknowledge: Option<SignedDuration>,
    pub triage: Option<SignedDuration>,
    pub fix: Option<SignedDuration>,
    pub disclose_after_fix: Option<SignedDuration>,
}

/// One rule: conditions (all must hold) and the durations it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub severity: Option<Vec<Severity>>,
    pub latest_major_affected: Option<bool>,
    pub edition: Option<Vec<String>>,
    pub set: Durations,
}

impl Rule {
    pub fn matches(&self, facts: &CaseFacts) -> bool {
        let severity = facts.score.map(Score::severity);
        self.severity
            .as_ref()
            .is_none_or(|list| severity.is_some_and(|s| list.contains(&s)))
            && self
                .latest_major_affected
                .is_none_or(|want| want == facts.latest_major_affected)
            && self.edition.as_ref().is_none_or(|list| {
                facts
                    .editions
                    .iter()
                    .any(|e| list.iter().any(|want| want.eq_ignore_ascii_case(e)))
            })
    }
}

/// A parsed timeline policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    acknowledge: SignedDuration,
    triage: SignedDuration,
    fix: SignedDuration,
    disclose_after_fix: SignedDuration,
    rules: Vec<Rule>,
}

impl Default for Policy {
    /// The shipped policy, [`DEFAULT_POLICY_TOML`].
    fn default() -> Self {
        // A compile-time constant, parsed in a test (`the_shipped_policy_parses`).
        #[allow(clippy::expect_used)]
        Policy::parse(DEFAULT_POLICY_TOML).expect("the shipped policy parses")
    }
}

impl Policy {
    /// Parses a policy file. Unknown keys, bad durations, unknown severities and rules that set
    /// nothing are errors naming the key.
    pub fn parse(toml_text: &str) -> Result<Self, DomainError> {
        let raw: RawPolicy = toml::from_str(toml_text).map_err(|e| DomainError::Policy {
            message: e.to_string(),
        })?;
        let d = &raw.default;
        let mut policy = Policy {
            acknowledge: duration("default.acknowledge", &d.acknowledge)?,
            triage: duration("default.triage", &d.triage)?,
            fix: duration("default.fix", &d.fix)?,
            disclose_after_fix: duration("default.disclose_after_fix", &d.disclose_after_fix)?,
            rules: Vec::with_capacity(raw.rule.len()),
        };
        for (i, r) in raw.rule.into_iter().enumerate() {
            let key = |field: &str| format!("rule[{i}].{field}");
            let opt = |field: &str, v: &Option<String>| {
                v.as_deref().map(|s| duration(&key(field), s)).transpose()
            };
            let set = Durations {
                acknowledge: opt("acknowledge", &r.acknowledge)?,
                triage: opt("triage", &r.triage)?,
                fix: opt("fix", &r.fix)?,
                disclose_after_fix: opt("disclose_after_fix", &r.disclose_after_fix)?,
            };
            if set == Durations::default() {
                return Err(DomainError::Policy {
                    message: format!(
                        "rule[{i}] ({:?}) sets no deadline: give acknowledge, triage, fix or disclose_after_fix",
                        r.name
                    ),
                });
            }
            if r.name.trim().is_empty() {
                return Err(DomainError::Policy {
                    message: format!("{}: must not be empty", key("name")),
                });
            }
            let severity = r
                .severity
                .map(|list| list.into_iter().map(|s| s.0).collect());
            policy.rules.push(Rule {
                name: r.name,
                severity,
                latest_major_affected: r.latest_major_affected,
                edition: r.edition,
                set,
            });
        }
        Ok(policy)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The first rule that matches, if any.
    pub fn matching_rule(&self, facts: &CaseFacts) -> Option<&Rule> {
        self.rules.iter().find(|r| r.matches(facts))
    }

    /// The deadlines for a case with these facts whose clock started at `start` (the receipt of its
    /// first report).
    pub fn deadlines(&self, facts: &CaseFacts, start: Timestamp) -> Deadlines {
        let set = self.matching_rule(facts).map(|r| r.set).unwrap_or_default();
        let fix = add(start, set.fix.unwrap_or(self.fix));
        Deadlines {
            acknowledge: add(start, set.acknowledge.unwrap_or(self.acknowledge)),
            triage: add(start, set.triage.unwrap_or(self.triage)),
            fix,
            disclose: facts.upstream_disclosure.unwrap_or_else(|| {
                add(
                    fix,
                    set.disclose_after_fix.unwrap_or(self.disclose_after_fix),
                )
            }),
        }
    }
}

/// `"24h"`, `"5d"`, `"2w"`: a positive whole number and a unit (hours, 24-hour days, weeks).
fn duration(key: &str, s: &str) -> Result<SignedDuration, DomainError> {
    let err = || DomainError::Policy {
        message: format!(
            "{key}: invalid duration {s:?}; write a positive whole number of hours, days or weeks, e.g. \"24h\", \"5d\", \"2w\""
        ),
    };
    let unit_hours = match s.as_bytes().last() {
        Some(b'h') => 1,
        Some(b'd') => 24,
        Some(b'w') => 24 * 7,
        _ => return Err(err()),
    };
    let number = &s[..s.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let n: i64 = number.parse().map_err(|_| err())?;
    if n == 0 || n > 24 * 3660 {
        return Err(err());
    }
    Ok(SignedDuration::from_hours(n * unit_hours))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    default: RawDefault,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefault {
    acknowledge: String,
    triage: String,
    fix: String,
    disclose_after_fix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    severity: Option<Vec<SeverityName>>,
    latest_major_affected: Option<bool>,
    edition: Option<Vec<String>>,
    acknowledge: Option<String>,
    triage: Option<String>,
    fix: Option<String>,
    disclose_after_fix: Option<String>,
}

struct SeverityName(Severity);

impl<'de> Deserialize<'de> for SeverityName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let severity = match s.as_str() {
            "none" => Severity::None,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => {
                return Err(serde::de::Error::custom(format!(
                    "unknown severity {s:?}, expected one of none, low, medium, high, critical"
                )));
            }
        };
        Ok(SeverityName(severity))
    }
}
