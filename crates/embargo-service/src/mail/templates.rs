//! Mail templates: the text of every mail Embargo sends to a reporter, and of the notice to the
//! pre-notification list.
//!
//! A template is a subject line and a plain-text body with `{{ name }}` placeholders. Admins may
//! replace the shipped defaults; a replacement is checked when saved (every placeholder must be
//! one this kind of mail provides), so a typo is an error for the admin, never a broken mail
//! for the reporter. Values are inserted as plain text; the subject is reduced to one line
//! afterwards, so no value can add a header.

use std::collections::BTreeMap;

use crate::ServiceError;

/// The mails Embargo sends to reporters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MailKind {
    /// On receipt: the tracking id, what happens next, the request not to publicise.
    Acknowledgement,
    /// The report is confirmed as a vulnerability.
    Confirmed,
    /// The report is rejected, with the reason.
    Rejected,
    /// The timeline estimate, first given or changed.
    Estimate,
    /// Fixed versions are released.
    Released,
    /// The vulnerability is disclosed.
    Disclosed,
    /// A message from the team in the case thread.
    Message,
    /// To the pre-notification list (e.g. distributors): the advisory, under embargo, a set
    /// time before it is published.
    PreNotification,
}

impl MailKind {
    pub const ALL: [MailKind; 8] = [
        MailKind::Acknowledgement,
        MailKind::Confirmed,
        MailKind::Rejected,
        MailKind::Estimate,
        MailKind::Released,
        MailKind::Disclosed,
        MailKind::Message,
        MailKind::PreNotification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Acknowledgement => "acknowledgement",
            MailKind::Confirmed => "confirmed",
            MailKind::Rejected => "rejected",
            MailKind::Estimate => "estimate",
            MailKind::Released => "released",
            MailKind::Disclosed => "disclosed",
            MailKind::Message => "message",
            MailKind::PreNotification => "pre-notification",
        }
    }

    pub fn parse(s: &str) -> Result<MailKind, ServiceError> {
        MailKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ServiceError::Invalid {
                field: "kind",
                reason: format!(
                    "unknown mail kind {s:?}; one of {}",
                    MailKind::ALL.map(MailKind::as_str).join(", ")
                ),
            })
    }

    /// Placeholders this kind of mail fills.
    pub fn variables(self) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "tracking_id",
            "title",
            "reporter_name",
            "team_name",
            "security_address",
            "portal_link",
        ];
        match self {
            MailKind::Acknowledgement => COMMON,
            MailKind::Confirmed => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "severity",
            ],
            MailKind::Rejected => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "reason",
            ],
            MailKind::Estimate => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "fix_by",
                "disclose_by",
            ],
            MailKind::Released => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "fixed_versions",
            ],
            MailKind::Disclosed => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "cve",
            ],
            MailKind::Message => &[
                "tracking_id",
                "title",
                "reporter_name",
                "team_name",
                "security_address",
                "portal_link",
                "message",
            ],
            MailKind::PreNotification => &[
                "recipient_name",
                "team_name",
                "security_address",
                "advisory_id",
                "cve",
                "title",
                "severity",
                "embargo",
                "versions",
                "summary",
                "description",
                "workarounds",
            ],
        }
    }

    /// The shipped template: (subject, body).
    pub fn default_template(self) -> (&'static str, &'static str) {
        match self {
            MailKind::Acknowledgement => (
                "[{{ tracking_id }}] We received your report: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 thank you for reporting a security issue to {{ team_name }}. We received your\n\
                 report and are tracking it as {{ tracking_id }}.\n\
                 \n\
                 What happens next:\n\
                 - We investigate the report and assess its severity (CVSS).\n\
                 - We write to you again when the issue is confirmed or rejected, with our\n\
                 \x20 estimated timeline for a fix.\n\
                 - Fixes are released for every supported version before the issue is disclosed,\n\
                 \x20 and we credit you in the advisory if you agree.\n\
                 \n\
                 Please do not publicise the issue or share its details until it is fixed and\n\
                 disclosed, so that users can update first. If you plan to publish, tell us your\n\
                 date and we will coordinate.\n\
                 \n\
                 To add information, reply to this mail; replies reach the team handling your\n\
                 report. Keep {{ tracking_id }} for reference. Follow your report online (the link\n\
                 works once; every mail from us brings a new one):\n\
                 {{ portal_link }}\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Confirmed => (
                "[{{ tracking_id }}] Confirmed: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 we confirmed the issue you reported ({{ tracking_id }}) as a vulnerability.\n\
                 Our assessment of its severity: {{ severity }}.\n\
                 \n\
                 We are working on fixes for every supported version and will send you our\n\
                 estimated timeline. Until the issue is disclosed, please keep its details\n\
                 private.\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Rejected => (
                "[{{ tracking_id }}] Not accepted: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 thank you for your report {{ tracking_id }}. After investigating it we did not\n\
                 accept it as a vulnerability in our products: {{ reason }}.\n\
                 \n\
                 If you think we got it wrong, reply to this mail with what we missed.\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Estimate => (
                "[{{ tracking_id }}] Timeline: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 our estimated timeline for the issue you reported ({{ tracking_id }}):\n\
                 \n\
                 - fixed versions released by: {{ fix_by }}\n\
                 - public disclosure by:       {{ disclose_by }}\n\
                 \n\
                 We will tell you if this changes. Until disclosure, please keep the details\n\
                 private. Your report online: {{ portal_link }}\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Released => (
                "[{{ tracking_id }}] Fixed versions released: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 fixes for the issue you reported ({{ tracking_id }}) are released:\n\
                 \n\
                 {{ fixed_versions }}\n\
                 \n\
                 The advisory follows; please keep the details private until it is published.\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Disclosed => (
                "[{{ tracking_id }}] Disclosed: {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 the issue you reported ({{ tracking_id }}) is now disclosed {{ cve }}. The\n\
                 embargo is over: you are free to publish. Thank you for working with us.\n\
                 \n\
                 {{ team_name }}\n\
                 {{ security_address }}\n",
            ),
            MailKind::Message => (
                "[{{ tracking_id }}] {{ title }}",
                "Hello {{ reporter_name }},\n\
                 \n\
                 {{ message }}\n\
                 \n\
                 -- \n\
                 {{ team_name }} about {{ tracking_id }}. Reply to this mail to answer, or\n\
                 online: {{ portal_link }}\n",
            ),
            MailKind::PreNotification => (
                "[EMBARGOED until {{ embargo }}] {{ advisory_id }}: {{ title }}",
                "Hello {{ recipient_name }},\n\
                 \n\
                 you are on {{ team_name }}'s pre-notification list. The advisory below is under\n\
                 embargo until {{ embargo }}. Keep it confidential until then: do not publish it,\n\
                 discuss it in public or release anything that reveals it, and share it only with\n\
                 the people who must prepare updates. If the date moves, we write again.\n\
                 \n\
                 Advisory:    {{ advisory_id }}\n\
                 CVE:         {{ cve }}\n\
                 Title:       {{ title }}\n\
                 Severity:    {{ severity }}\n\
                 Public from: {{ embargo }}\n\
                 \n\
                 Affected and fixed versions:\n\
                 {{ versions }}\n\
                 \n\
                 Summary:\n\
                 {{ summary }}\n\
                 \n\
                 Details:\n\
                 {{ description }}\n\
                 \n\
                 Workarounds:\n\
                 {{ workarounds }}\n\
                 \n\
                 Questions go to {{ security_address }}, never to a public list.\n\
                 \n\
                 {{ team_name }}\n",
            ),
        }
    }
}

/// A template to render: the admin's version or the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

impl Template {
    pub fn default_for(kind: MailKind) -> Template {
        let (subject, body) = kind.default_template();
        Template {
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }

    /// Checks an admin's template for `kind`: well-formed placeholders that this kind fills,
    /// a one-line subject, sane lengths.
    pub fn check(kind: MailKind, subject: &str, body: &str) -> Result<Template, ServiceError> {
        let invalid = |field: &'static str, reason: String| ServiceError::Invalid { field, reason };
        if subject.trim().is_empty() {
            return Err(invalid("subject", "must not be empty".into()));
        }
        if subject.chars().any(char::is_control) {
            return Err(invalid(
                "subject",
                "must be one line without control characters".into(),
            ));
        }
        if subject.len() > 500 {
            return Err(invalid("subject", "at most 500 bytes".into()));
        }
        if body.trim().is_empty() {
            return Err(invalid("body", "must not be empty".into()));
        }
        if body.len() > 20_000 {
            return Err(invalid("body", "at most 20,000 bytes".into()));
        }
        for (field, text) in [("subject", subject), ("body", body)] {
            for name in placeholders(text).map_err(|reason| invalid(field, reason))? {
                if !kind.variables().contains(&name) {
                    return Err(invalid(
                        field,
                        format!(
                            "unknown placeholder {{{{ {name} }}}}; a {} mail provides {}",
                            kind.as_str(),
                            kind.variables().join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(Template {
            subject: subject.to_owned(),
            body: body.to_owned(),
        })
    }

    /// Fills the placeholders; the subject comes back on one line.
    pub fn render(&self, values: &BTreeMap<&'static str, String>) -> (String, String) {
        let subject = fill(&self.subject, values);
        let subject = embargo_mail::one_line(&subject);
        (subject, fill(&self.body, values))
    }
}

/// The placeholder names in `text`, or why it is malformed.
fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "a `{{` has no closing `}}`".to_owned())?;
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!(
                "{{{{{}}}}} is not a placeholder name",
                &after[..end]
            ));
        }
        names.push(name);
        rest = &after[end + 2..];
    }
    Ok(names)
}

fn fill(text: &str, values: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                if let Some(value) = values.get(name) {
                    out.push_str(value);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_uses_only_its_own_placeholders() {
        for kind in MailKind::ALL {
            let (subject, body) = kind.default_template();
            assert!(Template::check(kind, subject, body).is_ok(), "{kind:?}");
        }
    }

    #[test]
    fn unknown_and_malformed_placeholders_are_refused() {
        let err = Template::check(MailKind::Acknowledgement, "Hi", "{{ fix_by }}").unwrap_err();
        assert!(err.to_string().contains("fix_by"), "{err}");
        let err = Template::check(MailKind::Acknowledgement, "Hi", "{{ title").unwrap_err();
        assert!(err.to_string().contains("closing"), "{err}");
        let err = Template::check(MailKind::Acknowledgement, "Hi\nBcc: x@y", "b").unwrap_err();
        assert!(err.to_string().contains("subject"), "{err}");
    }

    #[test]
    fn values_cannot_break_the_subject_line() {
        let t = Template::default_for(MailKind::Acknowledgement);
        let mut values = BTreeMap::new();
        values.insert("tracking_id", "EMB-1".to_owned());
        values.insert("title", "x\r\nBcc: victim@example.org".to_owned());
        let (subject, body) = t.render(&values);
        assert!(
            !subject.contains('\n') && !subject.contains('\r'),
            "{subject:?}"
        );
        assert!(body.contains("EMB-1"));
    }
}
