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
    disclosure: Disclosure,
}

/// The `[disclosure]` section: how a case's default embargo is placed and when the
/// pre-notification list hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// A release day becomes an instant at this time of day, UTC (`release_time = "14:00"`).
    pub release_time: jiff::civil::Time,
    /// The pre-notification list is mailed this long before the embargo lifts
    /// (`prenotify = "5d"`).
    pub prenotify: SignedDuration,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            release_time: jiff::civil::time(14, 0, 0, 0),
            prenotify: SignedDuration::from_hours(5 * 24),
        }
    }
}

impl Disclosure {
    /// The instant a release on `day` goes out.
    pub fn release_instant(&self, day: jiff::civil::Date) -> Timestamp {
        jiff::tz::TimeZone::UTC
            .to_timestamp(day.to_datetime(self.release_time))
            .unwrap_or(Timestamp::MAX)
    }
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
            disclosure: disclosure(raw.disclosure)?,
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

    /// The `[disclosure]` settings (defaults where the file has none).
    pub fn disclosure(&self) -> &Disclosure {
        &self.disclosure
    }

    /// The `[default]` deadlines, every one set.
    pub fn defaults(&self) -> Durations {
        Durations {
            acknowledge: Some(self.acknowledge),
            triage: Some(self.triage),
            fix: Some(self.fix),
            disclose_after_fix: Some(self.disclose_after_fix),
        }
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

fn disclosure(raw: Option<RawDisclosure>) -> Result<Disclosure, DomainError> {
    let mut out = Disclosure::default();
    let Some(raw) = raw else { return Ok(out) };
    if let Some(t) = raw.release_time {
        out.release_time = release_time(&t)?;
    }
    if let Some(p) = raw.prenotify {
        out.prenotify = duration("disclosure.prenotify", &p)?;
    }
    Ok(out)
}

/// `"14:00"`: hours and minutes, UTC.
fn release_time(s: &str) -> Result<jiff::civil::Time, DomainError> {
    let err = || DomainError::Policy {
        message: format!(
            "disclosure.release_time: invalid time {s:?}; write hours and minutes in UTC, e.g. \"14:00\""
        ),
    };
    let (h, m) = s.split_once(':').ok_or_else(err)?;
    let digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(err());
    }
    let h: i8 = h.parse().map_err(|_| err())?;
    let m: i8 = m.parse().map_err(|_| err())?;
    jiff::civil::Time::new(h, m, 0, 0).map_err(|_| err())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    default: RawDefault,
    #[serde(default)]
    rule: Vec<RawRule>,
    disclosure: Option<RawDisclosure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisclosure {
    release_time: Option<String>,
    prenotify: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{T0, d, h, t};

    fn facts(tenths: Option<u8>, latest_major_affected: bool) -> CaseFacts {
        CaseFacts {
            score: tenths.map(|t| Score::from_tenths(t).unwrap()),
            latest_major_affected,
            editions: vec![],
            upstream_disclosure: None,
        }
    }

    /// Fix deadline in days after receipt under the shipped policy.
    fn check_fix_days(tenths: Option<u8>, latest_major: bool, days: i64) {
        let got = Policy::default().deadlines(&facts(tenths, latest_major), t(T0));
        assert_eq!(
            got.fix,
            d(days),
            "score {tenths:?}, latest major {latest_major}"
        );
        assert_eq!(got.acknowledge, h(24));
        assert_eq!(got.triage, d(5));
        assert_eq!(got.disclose, d(days + 7), "disclosure a week after the fix");
    }

    #[test]
    fn the_shipped_policy_parses() {
        let policy = Policy::parse(DEFAULT_POLICY_TOML).unwrap();
        assert_eq!(policy.rules().len(), 7);
        assert_eq!(policy, Policy::default());
    }

    const MINIMAL: &str = "[default]\nacknowledge = \"1d\"\ntriage = \"1d\"\nfix = \"1d\"\ndisclose_after_fix = \"1d\"\n";

    #[test]
    fn the_disclosure_section_is_optional_and_read_when_given() {
        let shipped = Policy::default();
        assert_eq!(
            shipped.disclosure().release_time,
            jiff::civil::time(14, 0, 0, 0)
        );
        assert_eq!(
            shipped.disclosure().prenotify,
            SignedDuration::from_hours(5 * 24)
        );
        assert_eq!(
            *Policy::parse(MINIMAL).unwrap().disclosure(),
            Disclosure::default()
        );
        let own = Policy::parse(&format!(
            "{MINIMAL}[disclosure]\nrelease_time = \"09:30\"\nprenotify = \"2w\"\n"
        ))
        .unwrap();
        assert_eq!(
            own.disclosure().release_time,
            jiff::civil::time(9, 30, 0, 0)
        );
        assert_eq!(
            own.disclosure().prenotify,
            SignedDuration::from_hours(14 * 24)
        );
        let day = jiff::civil::date(2026, 3, 2);
        assert_eq!(
            own.disclosure().release_instant(day).to_string(),
            "2026-03-02T09:30:00Z"
        );
    }

    #[test]
    fn a_bad_disclosure_setting_names_its_key() {
        for (text, key) in [
            ("release_time = \"25:00\"", "disclosure.release_time"),
            ("release_time = \"2pm\"", "disclosure.release_time"),
            ("release_time = \"9:30\"", "disclosure.release_time"),
            ("prenotify = \"5\"", "disclosure.prenotify"),
            ("prenotify = \"0d\"", "disclosure.prenotify"),
            ("lead = \"5d\"", "lead"),
        ] {
            let err = Policy::parse(&format!("{MINIMAL}[disclosure]\n{text}\n")).unwrap_err();
            assert!(err.to_string().contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn fix_deadlines_follow_the_severity_bands_at_every_boundary() {
        check_fix_days(Some(0), false, 120);
        check_fix_days(Some(39), false, 120);
        check_fix_days(Some(40), false, 60);
        check_fix_days(Some(69), false, 60);
        check_fix_days(Some(70), false, 30);
        check_fix_days(Some(89), false, 30);
        check_fix_days(Some(90), false, 14);
        check_fix_days(Some(100), false, 14);
        check_fix_days(None, false, 60);
    }

    #[test]
    fn the_latest_major_being_affected_shortens_fixes_from_medium_up_only() {
        check_fix_days(Some(0), true, 120);
        check_fix_days(Some(39), true, 120);
        check_fix_days(Some(40), true, 30);
        check_fix_days(Some(69), true, 30);
        check_fix_days(Some(70), true, 14);
        check_fix_days(Some(89), true, 14);
        check_fix_days(Some(90), true, 7);
        check_fix_days(None, true, 60);
    }

    const EDITION_POLICY: &str = r#"
        [default]
        acknowledge = "24h"
        triage = "5d"
        fix = "90d"
        disclose_after_fix = "7d"

        [[rule]]
        name = "enterprise critical"
        edition = ["enterprise"]
        severity = ["critical"]
        fix = "10d"
        disclose_after_fix = "2w"

        [[rule]]
        name = "critical"
        severity = ["critical"]
        fix = "20d"

        [[rule]]
        name = "any enterprise"
        edition = ["Enterprise"]
        acknowledge = "4h"
    "#;

    #[test]
    fn edition_rules_match_any_affected_edition_ignoring_case_and_first_match_wins() {
        let policy = Policy::parse(EDITION_POLICY).unwrap();
        let mut f = facts(Some(95), false);
        f.editions = vec!["Community".into(), "Enterprise".into()];
        assert_eq!(
            policy.matching_rule(&f).map(|r| r.name.as_str()),
            Some("enterprise critical")
        );
        let got = policy.deadlines(&f, t(T0));
        assert_eq!(
            (got.fix, got.disclose, got.acknowledge),
            (d(10), d(24), h(24))
        );

        f.editions = vec!["Community".into()];
        assert_eq!(policy.deadlines(&f, t(T0)).fix, d(20));

        let mut f = facts(Some(50), false);
        f.editions = vec!["Enterprise".into()];
        let got = policy.deadlines(&f, t(T0));
        assert_eq!(
            (got.acknowledge, got.fix),
            (h(4), d(90)),
            "a rule sets only what it names; the rest is default"
        );

        assert_eq!(
            policy.deadlines(&facts(Some(50), false), t(T0)).fix,
            d(90),
            "no rule: the fallback"
        );
    }

    #[test]
    fn an_upstream_disclosure_date_replaces_the_policy_disclosure() {
        let mut f = facts(Some(98), false);
        f.upstream_disclosure = Some(d(3));
        let got = Policy::default().deadlines(&f, t(T0));
        assert_eq!((got.fix, got.disclose), (d(14), d(3)));
    }

    fn check_error(toml_text: &str, expect: &str) {
        match Policy::parse(toml_text) {
            Err(DomainError::Policy { message }) => assert!(
                message.contains(expect),
                "{message}\n--- should mention: {expect}"
            ),
            other => panic!("expected a policy error mentioning {expect:?}, got {other:?}"),
        }
    }

    const GOOD_DEFAULT: &str = "[default]\nacknowledge = \"24h\"\ntriage = \"5d\"\nfix = \"60d\"\ndisclose_after_fix = \"7d\"\n";

    #[test]
    fn policy_errors_name_the_key_at_fault() {
        check_error(
            &format!("{GOOD_DEFAULT}fixx = \"1d\"\n"),
            "unknown field `fixx`",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nfix_days = 3\n"),
            "unknown field `fix_days`",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rules]]\nname = \"a\"\n"),
            "unknown field `rules`",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nfix = \"5x\"\n"),
            "rule[0].fix: invalid duration \"5x\"",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nfix = \"0d\"\n"),
            "rule[0].fix: invalid duration",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nfix = \"-3d\"\n"),
            "rule[0].fix",
        );
        check_error(
            &format!(
                "{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nseverity = [\"severe\"]\nfix = \"1d\"\n"
            ),
            "unknown severity \"severe\"",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \"lazy\"\nseverity = [\"low\"]\n"),
            "rule[0] (\"lazy\") sets no deadline",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nname = \" \"\nfix = \"1d\"\n"),
            "rule[0].name: must not be empty",
        );
        check_error(
            &format!("{GOOD_DEFAULT}[[rule]]\nfix = \"1d\"\n"),
            "missing field `name`",
        );
        check_error(
            &format!(
                "{GOOD_DEFAULT}[[rule]]\nname = \"a\"\nlatest_major_affected = \"yes\"\nfix = \"1d\"\n"
            ),
            "latest_major_affected",
        );
        check_error(
            "[default]\nacknowledge = \"24h\"\ntriage = \"5d\"\nfix = \"60d\"\n",
            "missing field `disclose_after_fix`",
        );
        check_error(
            "[default]\nacknowledge = \"1 day\"\ntriage = \"5d\"\nfix = \"60d\"\ndisclose_after_fix = \"7d\"\n",
            "default.acknowledge: invalid duration",
        );
        check_error("", "missing field `default`");
    }

    #[test]
    fn durations_accept_hours_days_and_weeks() {
        assert_eq!(duration("k", "36h"), Ok(SignedDuration::from_hours(36)));
        assert_eq!(duration("k", "5d"), Ok(SignedDuration::from_hours(120)));
        assert_eq!(duration("k", "2w"), Ok(SignedDuration::from_hours(336)));
        for bad in [
            "",
            "h",
            "5",
            "5m",
            "+5d",
            "5 d",
            "1.5d",
            "99999999999999999999d",
        ] {
            assert!(duration("k", bad).is_err(), "{bad:?}");
        }
    }
}
