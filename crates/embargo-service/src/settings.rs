//! Settings an admin changes at run time, stored in the database (`settings`) rather than the
//! configuration file, so that every `serve` process on one database sees the same values:
//!
//! - [`SecurityTxt`] (key `security-txt`, JSON): the fields of `/.well-known/security.txt`
//!   (RFC 9116) that are the vendor's to choose, and the disclosure-policy text
//!   `/disclosure-policy` shows;
//! - the timeline policy (key `policy`, TOML in the shape of `default_policy.toml`), checked by
//!   [`Policy::parse`] before it is stored.
//!
//! Reading the values in effect is public (they are published anyway); reading them for editing
//! and changing them is the admins' (admin role and an admin-scoped credential). Every change is
//! stored and audited in one transaction: an audit event without a case, action
//! `setting-changed:<key>`, with the value before and after.

use anyhow::Context;
use embargo_domain::{Policy, Role};
use embargo_store::settings::{self as store, SettingChange};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

/// The key of [`SecurityTxt`].
pub const SECURITY_TXT: &str = "security-txt";
/// The key of the timeline policy.
pub const POLICY: &str = "policy";

/// Expiry period when none is set: half a year (RFC 9116 section 2.5.5 recommends less than a
/// year).
pub const DEFAULT_EXPIRES_DAYS: u32 = 180;
const MAX_EXPIRES_DAYS: u32 = 365;
const MAX_CONTACTS: usize = 10;
const MAX_URI: usize = 2000;
const MAX_POLICY_TEXT: usize = 100_000;
const MAX_POLICY_TOML: usize = 100_000;

/// The vendor's fields of `security.txt` and the disclosure-policy text. The rest of the file
/// (`Encryption`, `Policy`, `CSAF`, `Canonical`) follows from the server's URL, the team key and
/// the published advisories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityTxt {
    /// `Contact:` URIs (`mailto:` or `https:`), in order of preference; empty: `mailto:` the
    /// security address (`mail_from`).
    pub contacts: Vec<String>,
    /// `Expires:` is this many days after each request.
    pub expires_days: u32,
    /// `Acknowledgments:`, an `https:` URL (e.g. a hall of fame).
    pub acknowledgments: Option<String>,
    /// `Preferred-Languages:` language tags (RFC 5646), e.g. `en`, `de`.
    pub preferred_languages: Vec<String>,
    /// `Hiring:`, an `https:` URL.
    pub hiring: Option<String>,
    /// Markdown shown on `/disclosure-policy` above the timeline commitments; empty: none.
    pub policy_text: String,
}

impl Default for SecurityTxt {
    fn default() -> Self {
        SecurityTxt {
            contacts: Vec::new(),
            expires_days: DEFAULT_EXPIRES_DAYS,
            acknowledgments: None,
            preferred_languages: vec!["en".to_owned()],
            hiring: None,
            policy_text: String::new(),
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// A `mailto:` URI with a valid address or an `https:` URL with a host; nothing that could
/// break a line of the file.
fn check_uri(field: &'static str, value: &str, mailto: bool) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if value.len() > MAX_URI {
        return Err(invalid(field, format!("longer than {MAX_URI} characters")));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            field,
            format!("{value:?} contains spaces or control characters"),
        ));
    }
    if mailto && let Some(address) = value.strip_prefix("mailto:") {
        embargo_domain::ReporterEmail::parse(address)
            .map_err(|e| invalid(field, format!("{value:?}: {e}")))?;
        return Ok(value.to_owned());
    }
    if let Some(rest) = value.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if !host.is_empty() && !host.contains('@') {
            return Ok(value.to_owned());
        }
    }
    Err(invalid(
        field,
        if mailto {
            format!("{value:?} is not a mailto: address or an https:// URL")
        } else {
            format!("{value:?} is not an https:// URL")
        },
    ))
}

/// An RFC 5646 language tag in its common shape: a 2–8 letter primary subtag, then subtags of
/// 1–8 letters or digits.
fn check_language(tag: &str) -> Result<String, ServiceError> {
    let tag = tag.trim();
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(tag.to_owned())
    } else {
        Err(invalid(
            "preferred_languages",
            format!("{tag:?} is not a language tag such as en or pt-BR"),
        ))
    }
}

impl SecurityTxt {
    /// Checks every field and returns the value as it will be stored (trimmed, empty optional
    /// fields as none); the error names the field at fault.
    pub fn check(self) -> Result<SecurityTxt, ServiceError> {
        if self.contacts.len() > MAX_CONTACTS {
            return Err(invalid(
                "contacts",
                format!("at most {MAX_CONTACTS} contacts"),
            ));
        }
        let contacts = self
            .contacts
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| check_uri("contacts", c, true))
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=MAX_EXPIRES_DAYS).contains(&self.expires_days) {
            return Err(invalid(
                "expires_days",
                format!(
                    "must be 1 to {MAX_EXPIRES_DAYS} days, not {}",
                    self.expires_days
                ),
            ));
        }
        let optional = |field, v: Option<String>| -> Result<Option<String>, ServiceError> {
            match v {
                Some(v) if !v.trim().is_empty() => Ok(Some(check_uri(field, &v, false)?)),
                _ => Ok(None),
            }
        };
        let acknowledgments = optional("acknowledgments", self.acknowledgments)?;
        let hiring = optional("hiring", self.hiring)?;
        let preferred_languages = self
            .preferred_languages
            .iter()
            .flat_map(|l| l.split(','))
            .filter(|l| !l.trim().is_empty())
            .map(check_language)
            .collect::<Result<Vec<_>, _>>()?;
        if self.policy_text.len() > MAX_POLICY_TEXT {
            return Err(invalid(
                "policy_text",
                format!("longer than {MAX_POLICY_TEXT} bytes"),
            ));
        }
        Ok(SecurityTxt {
            contacts,
            expires_days: self.expires_days,
            acknowledgments,
            preferred_languages,
            hiring,
            policy_text: self.policy_text.trim().to_owned(),
        })
    }

    /// The `Contact:` URIs in effect: the configured ones, or the security address.
    pub fn contacts_or_default(&self, mail_from: &str) -> Vec<String> {
        if self.contacts.is_empty() {
            vec![format!("mailto:{mail_from}")]
        } else {
            self.contacts.clone()
        }
    }
}

fn require_admin(who: &Principal) -> Result<(), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

async fn stored(app: &App, key: &str) -> Result<Option<String>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(store::get(&mut conn, key).await?.map(|s| s.value))
}

/// How a stored value appears in the audit trail: JSON as itself, anything else as a string.
fn audit_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Appends an administrative change (a setting, an account) to the audit trail: an audit event
/// without a case.
pub(crate) async fn audit(
    conn: &mut embargo_store::AnyConnection,
    who: &Principal,
    action: String,
    before: Option<Value>,
    after: Option<Value>,
    at: jiff::Timestamp,
) -> Result<(), ServiceError> {
    store::append_change(
        conn,
        &SettingChange {
            actor: *who.actor.id.as_uuid(),
            actor_role: who.actor.role,
            at,
            action,
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

/// Stores `value` under `key` and audits the change, in one transaction.
async fn save(app: &App, who: &Principal, key: &str, value: &str) -> Result<(), ServiceError> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("storing a setting")?;
    let before = store::get(&mut tx, key)
        .await?
        .map(|s| audit_value(&s.value));
    store::put(&mut tx, key, value, *who.actor.id.as_uuid(), now).await?;
    audit(
        &mut tx,
        who,
        format!("setting-changed:{key}"),
        before,
        Some(audit_value(value)),
        now,
    )
    .await?;
    tx.commit().await.context("committing a setting")?;
    tracing::info!(key, by = %who.actor.id, "setting changed");
    Ok(())
}

/// The security.txt fields in effect (the defaults until an admin sets them). Public.
pub async fn security_txt(app: &App) -> Result<SecurityTxt, ServiceError> {
    match stored(app, SECURITY_TXT).await? {
        None => Ok(SecurityTxt::default()),
        Some(text) => serde_json::from_str(&text)
            .with_context(|| format!("stored setting {SECURITY_TXT} is not valid"))
            .map_err(ServiceError::Unexpected),
    }
}

/// The security.txt fields, for an admin to edit.
pub async fn security_txt_for(app: &App, who: &Principal) -> Result<SecurityTxt, ServiceError> {
    require_admin(who)?;
    security_txt(app).await
}

/// Replaces the security.txt fields (checked first); admins only. Returns what was stored.
pub async fn set_security_txt(
    app: &App,
    who: &Principal,
    new: SecurityTxt,
) -> Result<SecurityTxt, ServiceError> {
    require_admin(who)?;
    let new = new.check()?;
    let text = serde_json::to_string(&new).context("writing the security.txt settings")?;
    save(app, who, SECURITY_TXT, &text).await?;
    Ok(new)
}

/// The timeline policy an admin stored, as TOML; `None` while the configured policy (the
/// `policy_file` or the shipped default) applies. Public: the disclosure policy page shows it.
pub async fn stored_policy(app: &App) -> Result<Option<(String, Policy)>, ServiceError> {
    let Some(text) = stored(app, POLICY).await? else {
        return Ok(None);
    };
    let policy = Policy::parse(&text)
        .with_context(|| format!("stored setting {POLICY} is not a valid policy"))
        .map_err(ServiceError::Unexpected)?;
    Ok(Some((text, policy)))
}

/// The timeline policy text for an admin to edit: the stored one, else the shipped default's
/// text (`None` then: the configured policy is in effect).
pub async fn policy_for(app: &App, who: &Principal) -> Result<Option<String>, ServiceError> {
    require_admin(who)?;
    Ok(stored_policy(app).await?.map(|(text, _)| text))
}

/// Checks `toml_text` with the policy parser and stores it as the timeline policy; admins only.
/// The parser's message is the error (field `policy`). The policy takes effect at once in this
/// process (other `serve` processes on the database take it at their next start), and every
/// open case's deadlines follow it, audited as the system account. Returns how many cases moved.
pub async fn set_policy(
    app: &App,
    who: &Principal,
    toml_text: &str,
) -> Result<usize, ServiceError> {
    require_admin(who)?;
    if toml_text.len() > MAX_POLICY_TOML {
        return Err(invalid(
            "policy",
            format!("longer than {MAX_POLICY_TOML} bytes"),
        ));
    }
    let policy = Policy::parse(toml_text).map_err(|e| invalid("policy", e.to_string()))?;
    save(app, who, POLICY, toml_text).await?;
    app.replace_policy(policy);
    crate::cases::apply_policy(app).await
}

/// Puts the stored timeline policy, if there is one, in effect in `app` (at start, instead of
/// the configured file or the shipped default). Returns whether there was one.
pub async fn load_policy(app: &App) -> Result<bool, ServiceError> {
    match stored_policy(app).await? {
        Some((_, policy)) => {
            app.replace_policy(policy);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The administrative changes (settings, accounts), newest first (at most `limit`); admins
/// only.
pub async fn changes(
    app: &App,
    who: &Principal,
    limit: i64,
) -> Result<Vec<SettingChange>, ServiceError> {
    require_admin(who)?;
    let mut conn = app.db.acquire().await?;
    Ok(store::changes(&mut conn, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: SecurityTxt) -> Result<SecurityTxt, (&'static str, String)> {
        input.check().map_err(|e| match e {
            ServiceError::Invalid { field, reason } => (field, reason),
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn contacts_take_mailto_and_https_and_nothing_else() {
        let ok = check(SecurityTxt {
            contacts: vec![
                " mailto:security@vendor.test ".to_owned(),
                "https://vendor.test/security".to_owned(),
                String::new(),
            ],
            ..SecurityTxt::default()
        })
        .unwrap();
        assert_eq!(
            ok.contacts,
            [
                "mailto:security@vendor.test",
                "https://vendor.test/security"
            ]
        );
        for bad in [
            "http://vendor.test/",
            "mailto:nobody",
            "https://",
            "ftp://x",
            "https://a.test/\nContact: x",
        ] {
            let e = check(SecurityTxt {
                contacts: vec![bad.to_owned()],
                ..SecurityTxt::default()
            })
            .unwrap_err();
            assert_eq!(e.0, "contacts", "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn each_field_is_named_in_its_error() {
        let cases = [
            (
                SecurityTxt {
                    expires_days: 0,
                    ..SecurityTxt::default()
                },
                "expires_days",
            ),
            (
                SecurityTxt {
                    expires_days: 400,
                    ..SecurityTxt::default()
                },
                "expires_days",
            ),
            (
                SecurityTxt {
                    acknowledgments: Some("mailto:a@b.test".to_owned()),
                    ..SecurityTxt::default()
                },
                "acknowledgments",
            ),
            (
                SecurityTxt {
                    hiring: Some("http://jobs.test".to_owned()),
                    ..SecurityTxt::default()
                },
                "hiring",
            ),
            (
                SecurityTxt {
                    preferred_languages: vec!["en, d e".to_owned()],
                    ..SecurityTxt::default()
                },
                "preferred_languages",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(check(input).unwrap_err().0, field);
        }
    }

    #[test]
    fn languages_split_on_commas_and_empty_optionals_become_none() {
        let ok = check(SecurityTxt {
            preferred_languages: vec!["en, de".to_owned(), "pt-BR".to_owned()],
            acknowledgments: Some("  ".to_owned()),
            ..SecurityTxt::default()
        })
        .unwrap();
        assert_eq!(ok.preferred_languages, ["en", "de", "pt-BR"]);
        assert_eq!(ok.acknowledgments, None);
        assert_eq!(
            ok.contacts_or_default("security@vendor.test"),
            ["mailto:security@vendor.test"]
        );
    }
}
